"""The polite fetch client: robots.txt, one request at a time per host with a minimum interval,
retries with backoff (Retry-After honoured), conditional GETs, size/redirect/host limits.

Every logical fetch returns a `FetchResult` whose `outcome` says what happened; nothing raises
for a network or HTTP fault. Anti-bot challenges (412/521) are recorded as `blocked` and never
worked around. `Fetcher` chains the parts of `pipelines.crawl.fetch`, one concern each (scope,
robots, pacing, transport, challenge, retry, redirect); this module is their public face.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import urlsplit

import requests

from pipelines.crawl.fetch.challenge import CHALLENGE_STATUSES, challenge_evidence, classify
from pipelines.crawl.fetch.pacing import HostPacer
from pipelines.crawl.fetch.redirect import RedirectPolicy
from pipelines.crawl.fetch.result import FAILURES, NOT_MODIFIED, OK, FetchResult
from pipelines.crawl.fetch.retry import RETRY_STATUSES, RetryPolicy
from pipelines.crawl.fetch.robots import RobotsTxt
from pipelines.crawl.fetch.scope import HostScope, gov_domain, is_loopback
from pipelines.crawl.fetch.transport import REDIRECT_STATUSES, TooLarge, Transport
from pipelines.settings import DEFAULTS

__all__ = ["CHALLENGE_STATUSES", "FAILURES", "NOT_MODIFIED", "OK", "PROJECT_URL", "REDIRECT_STATUSES",
           "RETRY_STATUSES", "USER_AGENT", "FetchConfig", "FetchResult", "Fetcher", "HostPacer", "HostScope",
           "challenge_evidence", "gov_domain", "is_loopback"]


PROJECT_URL = "https://github.com/zfxxgk/zfxxgk"
# HTTP headers are latin-1: the description stays ASCII
USER_AGENT = (f"zfxxgk/0.1 (+{PROJECT_URL}; research crawler for government information disclosure "
              "annual reports; honours robots.txt, one request per host per second)")


@dataclass
class FetchConfig:
    """The fetcher's limits; the defaults (and their meaning) are pipelines.settings.Settings'."""

    min_interval: float = DEFAULTS.min_interval
    connect_timeout: float = DEFAULTS.connect_timeout
    read_timeout: float = DEFAULTS.read_timeout
    max_bytes: int = DEFAULTS.max_bytes
    max_redirects: int = DEFAULTS.max_redirects
    retries: int = DEFAULTS.retries
    backoff: float = 1.0              # 1, 2, 4 s …
    max_retry_after: float = 300.0    # a longer Retry-After is a failure, not a sleep
    user_agent: str = USER_AGENT
    extra_hosts: tuple[str, ...] = ()  # explicit allowlist (e.g. government IP hosts)


class Fetcher:
    """Thread-safe; one per crawl. `on_request(method, url, status, 0)` sees every HTTP request sent,
    `on_robots(result)` every robots.txt fetched."""

    def __init__(self, config: FetchConfig, scope: HostScope,
                 on_request: Optional[Callable[[str, str, Optional[int], int], None]] = None):
        self.config = config
        self.scope = scope
        self.pacer = HostPacer()
        self.transport = Transport(config.user_agent, config.connect_timeout, config.read_timeout,
                                   config.max_bytes, config.max_redirects, on_request)
        self.robots = RobotsTxt(config.user_agent, lambda url: self._follow(url, "GET", None, None, check_robots=False))
        self.retry = RetryPolicy(config.retries, config.backoff, config.max_retry_after)
        self.redirects = RedirectPolicy(config.max_redirects)

    # the callbacks and counters, where the parts keep them
    on_request = property(lambda self: self.transport.on_request,
                          lambda self, f: setattr(self.transport, "on_request", f))
    on_robots = property(lambda self: self.robots.on_loaded, lambda self, f: setattr(self.robots, "on_loaded", f))
    requests_sent = property(lambda self: self.transport.requests_sent)
    bytes_received = property(lambda self: self.transport.bytes_received)

    def interval(self, netloc: str) -> float:
        """Seconds between two requests to the host: ours, or its robots Crawl-delay when longer."""
        return max(self.config.min_interval, self.robots.crawl_delay(netloc))

    def robots_verdict(self, url: str) -> Optional[str]:
        """None if allowed, else why not (disallowed, or robots.txt could not be read)."""
        return self.robots.verdict(url)

    # -- the public call
    def fetch(self, url: str, method: str = "GET", data: Optional[dict | bytes] = None, etag: Optional[str] = None,
              last_modified: Optional[str] = None, content_type: Optional[str] = None) -> FetchResult:
        """`data`: a form (dict) or a raw body (bytes, sent with `content_type`: a browser's POST)."""
        t0 = time.monotonic()
        res = self._follow(url, method, data, {"etag": etag, "last_modified": last_modified,
                                               "content_type": content_type})
        res.elapsed = time.monotonic() - t0
        return res

    def _follow(self, url: str, method: str, data: Optional[dict | bytes], cond: Optional[dict],
                check_robots: bool = True) -> FetchResult:
        """Every hop from `url`: scope, robots, the attempts, then the redirect, if any, followed."""
        res = FetchResult(url=url, method=method)
        chain = [url]
        while True:
            current = chain[-1]
            if not self.scope.allows(current):
                res.outcome, res.error = "out_of_scope", f"host or scheme outside the crawl's scope: {current}"
                return res
            if check_robots:
                why = self.robots.verdict(current)
                if why:
                    res.outcome = "robots_unavailable" if "unavailable" in why else "robots_disallowed"
                    res.error = f"{why}: {current}"
                    return res
            self._attempts(res, current, method, data, cond)
            if not self.redirects.is_redirect(res):
                res.final_url = current
                return res
            hop = self.redirects.follow(res, chain, method, data)
            if hop is None:
                return res
            _, method, data = hop
            cond = None  # validators (and the body's type) belong to the original URL and method

    def _attempts(self, res: FetchResult, url: str, method: str, data: Optional[dict | bytes],
                  cond: Optional[dict]) -> None:
        """One URL (no redirect following): paced attempts until the retry policy says stop. Fills `res`."""
        netloc = urlsplit(url).netloc.lower()
        headers = {}
        if cond and cond.get("etag"):
            headers["If-None-Match"] = cond["etag"]
        if cond and cond.get("last_modified"):
            headers["If-Modified-Since"] = cond["last_modified"]
        if cond and cond.get("content_type") and data is not None:
            headers["Content-Type"] = cond["content_type"]
        for attempt in range(self.retry.retries + 1):
            res.attempts += 1
            with self.pacer.lock(netloc):
                self.pacer.wait(netloc, self.interval(netloc))
                try:
                    self.transport.send(res, url, method, data, headers)
                    classify(res)
                except TooLarge as e:
                    res.outcome, res.error, res.content = "too_large", str(e), None
                    return
                except requests.Timeout as e:
                    res.status, res.outcome, res.error = None, "timeout", f"timed out: {e.__class__.__name__}"
                except requests.RequestException as e:
                    res.status, res.outcome, res.error = None, "connection_error", f"{e.__class__.__name__}: {e}"[:300]
                finally:
                    self.pacer.done(netloc)
            wait = self.retry.wait(res, attempt)
            if wait is None:
                return
            if attempt < self.retry.retries:
                time.sleep(wait)
        res.error = (res.error or "") + f" (after {res.attempts} attempts)"
