"""The fetcher's parts alone (pipelines/crawl/fetch/): each decides one thing from a FetchResult.
The whole chain against a real server is tests/test_crawl_http.py."""
from __future__ import annotations

from pipelines.crawl.fetch.challenge import classify
from pipelines.crawl.fetch.redirect import RedirectPolicy
from pipelines.crawl.fetch.result import NOT_MODIFIED, OK, REDIRECT, FetchResult
from pipelines.crawl.fetch.retry import RetryPolicy
from pipelines.crawl.fetch.scope import HostScope


def answered(status: int, headers: dict | None = None, content: bytes = b"") -> FetchResult:
    res = FetchResult(url="http://www.example.gov.cn/a.html", status=status, headers=headers or {}, content=content)
    classify(res)
    return res


def test_classify_names_every_kind_of_answer():
    assert answered(200).outcome == OK
    assert answered(304).outcome == NOT_MODIFIED
    moved = answered(302, {"location": "/b.html"})  # header names are case-insensitive (RFC 9110 §5.1)
    assert (moved.outcome, moved.error) == (REDIRECT, "/b.html")
    blocked = answered(412, content=b"<script>var $_ts={};</script>")
    assert blocked.outcome == "blocked" and "'$_ts'" in blocked.error
    assert (answered(404).outcome, answered(404).error) == ("http_error", "HTTP 404")


def test_retry_waits_back_off_and_honour_retry_after_up_to_the_cap():
    policy = RetryPolicy(retries=3, backoff=1.0, max_retry_after=60)
    assert policy.wait(answered(200), 0) is None and policy.wait(answered(404), 0) is None
    assert [policy.wait(answered(503), i) for i in range(3)] == [1.0, 2.0, 4.0]
    assert policy.wait(answered(429, {"Retry-After": "7"}), 0) == 7.0
    too_long = answered(503, {"Retry-After": "3600"})
    assert policy.wait(too_long, 0) is None and "over the 60 s limit" in too_long.error
    timeout = FetchResult(url="http://x/", outcome="timeout")
    assert policy.wait(timeout, 2) == 4.0


def test_redirects_stop_at_loops_and_at_the_cap_and_303_turns_into_get():
    policy = RedirectPolicy(max_redirects=2)
    chain = ["http://a.gov.cn/1"]
    res = answered(303, {"Location": "/2"})
    assert policy.is_redirect(res)
    assert policy.follow(res, chain, "POST", {"q": "1"}) == ("http://a.gov.cn/2", "GET", None)
    res = answered(307, {"Location": "/3"})
    assert policy.follow(res, chain, "POST", {"q": "1"}) == ("http://a.gov.cn/3", "POST", {"q": "1"})
    loop = answered(302, {"Location": "/1"})
    assert policy.follow(loop, chain, "GET", None) is None and loop.outcome == "too_many_redirects"
    over = answered(302, {"Location": "/4"})
    assert policy.follow(over, chain, "GET", None) is None and "more than 2 redirects" in over.error


def test_scope_is_the_start_hosts_and_their_gov_cn_parents():
    scope = HostScope(["http://www.bjdx.gov.cn/zfxxgk/"])
    assert scope.allows("https://files.bjdx.gov.cn/r.pdf")
    assert not scope.allows("http://www.example.com/") and not scope.allows("file:///etc/passwd")
    assert not scope.allows("http://127.0.0.1/")
