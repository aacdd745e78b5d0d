"""The fetch client against a real HTTP server on 127.0.0.1 (pipelines.crawl.demo_server with
scripted faults): retries and Retry-After, timeouts, redirect loops, size limits, challenges,
robots.txt with wildcards, per-host pacing, host scope."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipelines.crawl.demo_server import Fault, serve_demo_portal
from pipelines.crawl.http import FetchConfig, Fetcher, HostScope


def fetcher(base, **kw) -> Fetcher:
    cfg = dict(min_interval=0.01, backoff=0.01, connect_timeout=1, read_timeout=1, retries=2)
    cfg.update(kw)
    return Fetcher(FetchConfig(**cfg), HostScope([base]))


@pytest.fixture
def site(tmp_path):
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\nDisallow: /*.pdf$\n")
    (tmp_path / "a.html").write_text("<html><body><p>hello</p></body></html>")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "x.html").write_text("<p>x</p>")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "r.pdf").write_bytes(b"%PDF-1.4 fake")
    return tmp_path


def test_503_with_retry_after_is_retried_after_the_pause(site):
    with serve_demo_portal(site, faults={"/a.html": [Fault(503, {"Retry-After": "1"}, b"busy")]}) as base:
        res = fetcher(base).fetch(base.url("/a.html"))
        hits = [r for r in base.requests if r.path == "/a.html"]
    assert res.outcome == "ok" and res.status == 200 and res.attempts == 2
    assert [h.status for h in hits] == [503, 200]
    assert hits[1].at - hits[0].at >= 0.95  # Retry-After: 1 honoured


def test_persisting_500_fails_after_the_retries(site):
    with serve_demo_portal(site, faults={"/a.html": [Fault(500, times=None)]}) as base:
        res = fetcher(base, retries=2).fetch(base.url("/a.html"))
        n = sum(r.path == "/a.html" for r in base.requests)
    assert res.outcome == "http_error" and res.status == 500 and n == 3 and "after 3 attempts" in res.error


def test_timeout_is_retried_then_reported(site):
    with serve_demo_portal(site, faults={"/a.html": [Fault(200, body=b"late", delay=0.6, times=None)]}) as base:
        res = fetcher(base, read_timeout=0.2, retries=1).fetch(base.url("/a.html"))
    assert res.outcome == "timeout" and res.attempts == 2 and res.content is None


def test_redirect_loop_and_redirect_limit(site):
    loop = {"/a.html": [Fault(302, {"Location": "/b.html"}, times=None)],
            "/b.html": [Fault(302, {"Location": "/a.html"}, times=None)]}
    chain = {f"/r{i}": [Fault(301, {"Location": f"/r{i + 1}"}, times=None)] for i in range(10)}
    with serve_demo_portal(site, faults={**loop, **chain}) as base:
        res = fetcher(base).fetch(base.url("/a.html"))
        res2 = fetcher(base, max_redirects=3).fetch(base.url("/r0"))
    assert res.outcome == "too_many_redirects" and "redirect loop" in res.error
    assert res2.outcome == "too_many_redirects" and "more than 3 redirects" in res2.error


def test_oversized_response_is_refused(site):
    with serve_demo_portal(site, faults={"/big.bin": [Fault(200, size=3_000_000)]}) as base:
        res = fetcher(base, max_bytes=100_000).fetch(base.url("/big.bin"))
    assert res.outcome == "too_large" and res.content is None


def test_412_challenge_is_blocked_with_evidence_and_not_retried(site):
    body = b"<html><script>var $_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;</script></html>"
    with serve_demo_portal(site, faults={"/a.html": [Fault(412, {"Set-Cookie": "FSSBBIl1UgzbN7N80S=x"}, body,
                                                           times=None)]}) as base:
        res = fetcher(base).fetch(base.url("/a.html"))
        n = sum(r.path == "/a.html" for r in base.requests)
    assert res.outcome == "blocked" and res.status == 412 and "$_ts" in res.error
    assert n == 1 and res.content == body  # kept as evidence, never solved


def test_robots_txt_with_wildcards_is_honoured(site):
    with serve_demo_portal(site, faults={}) as base:
        f = fetcher(base)
        private = f.fetch(base.url("/private/x.html"))
        pdf = f.fetch(base.url("/files/r.pdf"))
        ok = f.fetch(base.url("/a.html"))
        paths = base.paths()
    assert private.outcome == "robots_disallowed" and pdf.outcome == "robots_disallowed"
    assert ok.outcome == "ok"
    assert "/private/x.html" not in paths and "/files/r.pdf" not in paths
    assert paths.count("/robots.txt") == 1  # read once per host


def test_unreachable_robots_txt_means_disallow_all(site):
    with serve_demo_portal(site, faults={"/robots.txt": [Fault(503, times=None)]}) as base:
        res = fetcher(base, retries=0).fetch(base.url("/a.html"))
        paths = base.paths()
    assert res.outcome == "robots_unavailable" and "/a.html" not in paths


def test_one_request_per_interval_per_host_while_hosts_run_in_parallel(site):
    interval = 0.25
    with serve_demo_portal(site, faults={}) as a, serve_demo_portal(site, faults={}, host="127.0.0.2") as b:
        f = Fetcher(FetchConfig(min_interval=interval), HostScope([a, b]))
        urls = [a.url("/a.html")] * 4 + [b.url("/a.html")] * 4
        t0 = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(f.fetch, urls))
        elapsed = time.monotonic() - t0
        for portal in (a, b):
            starts = [r.at for r in portal.requests]  # robots.txt + 4 pages
            assert len(starts) == 5
            gaps = [y - x for x, y in zip(starts, starts[1:])]
            assert min(gaps) >= interval * 0.9, gaps
    assert all(r.outcome == "ok" for r in results)
    # 5 requests per host at 0.25 s: ~1 s if the hosts run in parallel, ~2 s if not
    assert elapsed < 1.8


def test_hosts_outside_the_scope_are_not_fetched(site):
    with serve_demo_portal(site, faults={}) as base:
        f = fetcher(base)
        res = f.fetch("http://127.0.0.9:9/a.html")
        ftp = f.fetch("ftp://127.0.0.1/a.html")
    assert res.outcome == "out_of_scope" and ftp.outcome == "out_of_scope"
    scope = HostScope(["https://www.bjdx.gov.cn/x/"])
    assert scope.allows("https://file.bjdx.gov.cn/a.pdf") and scope.allows("http://bjdx.gov.cn/")
    assert not scope.allows("https://www.eshutan.com/a.html") and not scope.allows("http://127.0.0.1/")


def test_conditional_get_gets_304(site):
    with serve_demo_portal(site, faults={}) as base:
        f = fetcher(base)
        first = f.fetch(base.url("/a.html"))
        second = f.fetch(base.url("/a.html"), etag=first.etag)
        third = f.fetch(base.url("/a.html"), last_modified=first.last_modified)
    assert first.outcome == "ok" and first.etag
    assert second.outcome == "not_modified" and second.content is None
    assert third.outcome == "not_modified"
