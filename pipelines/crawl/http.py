"""The polite fetch client: robots.txt, one request at a time per host with a minimum interval,
retries with backoff (Retry-After honoured), conditional GETs, size/redirect/host limits.

Every logical fetch returns a `FetchResult` whose `outcome` says what happened; nothing raises
for a network or HTTP fault. Anti-bot challenges (412/521) are recorded as `blocked` and never
worked around.
"""
from __future__ import annotations

import email.utils
import ipaddress
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Optional
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego

from pipelines.charset import decode

PROJECT_URL = "https://github.com/zfxxgk/zfxxgk"
# HTTP headers are latin-1: the description stays ASCII
USER_AGENT = (f"zfxxgk/0.1 (+{PROJECT_URL}; research crawler for government information disclosure "
              "annual reports; honours robots.txt, one request per host per second)")

RETRY_STATUSES = {429, 500, 502, 503, 504}
CHALLENGE_STATUSES = {412, 521}  # 瑞数 WAF / cookie challenges (domain.md §3)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

# outcomes
OK, NOT_MODIFIED = "ok", "not_modified"
FAILURES = ("http_error", "timeout", "connection_error", "blocked", "robots_disallowed", "too_large",
            "too_many_redirects", "out_of_scope", "robots_unavailable")


@dataclass
class FetchConfig:
    min_interval: float = 1.0         # seconds between requests to one host (robots Crawl-delay may raise it)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3                  # extra attempts after the first
    backoff: float = 1.0              # 1, 2, 4 s …
    max_retry_after: float = 300.0    # a longer Retry-After is a failure, not a sleep
    user_agent: str = USER_AGENT
    extra_hosts: tuple[str, ...] = ()  # explicit allowlist (e.g. government IP hosts)


@dataclass
class FetchResult:
    url: str
    method: str = "GET"
    final_url: Optional[str] = None
    status: Optional[int] = None
    outcome: str = OK
    content: Optional[bytes] = None
    content_type: Optional[str] = None
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    error: Optional[str] = None
    attempts: int = 0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc).replace(tzinfo=None))
    elapsed: float = 0.0
    headers: dict = field(default_factory=dict, repr=False)

    @property
    def failed(self) -> bool:
        return self.outcome not in (OK, NOT_MODIFIED)

    @property
    def charset(self) -> Optional[str]:
        ct = self.content_type or ""
        for part in ct.split(";")[1:]:
            k, _, v = part.strip().partition("=")
            if k.lower() == "charset" and v:
                return v.strip("\"' ")
        return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def gov_domain(host: str) -> Optional[str]:
    """The registrable gov.cn domain of a host: www.bjdx.gov.cn -> bjdx.gov.cn."""
    parts = host.lower().split(".")
    if len(parts) >= 3 and parts[-2:] == ["gov", "cn"]:
        return ".".join(parts[-3:])
    return None


class HostScope:
    """Hosts a crawl may touch: the start URLs' hosts, their parent .gov.cn domains, an allowlist.
    Loopback hosts only when a start URL is on them (the demo portal and the tests)."""

    def __init__(self, start_urls: list[str], extra_hosts: tuple[str, ...] = ()):
        self.netlocs = {urlsplit(u).netloc.lower() for u in start_urls}
        self.domains = {d for u in start_urls if (d := gov_domain(urlsplit(u).hostname or ""))}
        self.extra = {h.lower() for h in extra_hosts}

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        if parts.netloc.lower() in self.netlocs or host in self.extra or parts.netloc.lower() in self.extra:
            return True
        if is_loopback(host):
            return False
        return any(host == d or host.endswith("." + d) for d in self.domains)


class HostPacer:
    """One request in flight per host, and at least `interval` from the end of one response to
    the start of the next request (so a slow host is never sent requests faster than it answers)."""

    def __init__(self):
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def wait(self, host: str, interval: float) -> None:
        """Call with lock(host) held."""
        last = self._last.get(host)
        if last is not None:
            delay = last + interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self._last[host] = time.monotonic()

    def done(self, host: str) -> None:
        """Call with lock(host) held, when the response has been read."""
        self._last[host] = time.monotonic()


class TooLarge(Exception):
    pass


class Fetcher:
    """Thread-safe; one per crawl. `on_request(method, url, status)` sees every HTTP request sent."""

    def __init__(self, config: FetchConfig, scope: HostScope,
                 on_request: Optional[Callable[[str, str, Optional[int], int], None]] = None):
        self.config = config
        self.scope = scope
        self.on_request = on_request
        self.pacer = HostPacer()
        self._robots: dict[str, tuple[Optional[Protego], Optional[str]]] = {}
        self._robots_lock = threading.Lock()
        self._robots_locks: dict[str, threading.Lock] = {}
        self.on_robots: Optional[Callable[[FetchResult], None]] = None  # the fetch log sees robots.txt too
        self._local = threading.local()
        self.requests_sent = 0
        self.bytes_received = 0
        self._stats_lock = threading.Lock()

    # -- sessions: requests.Session is not thread-safe, so one per thread
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = self.config.user_agent
            s.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
            s.max_redirects = self.config.max_redirects
            self._local.session = s
        return s

    def interval(self, netloc: str) -> float:
        robots, _ = self._robots.get(netloc, (None, None))
        delay = robots.crawl_delay(self.config.user_agent) if robots is not None else None
        return max(self.config.min_interval, float(delay or 0))

    # -- robots.txt
    def robots_verdict(self, url: str) -> Optional[str]:
        """None if allowed, else why not (disallowed, or robots.txt could not be read)."""
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        with self._robots_lock:
            lock = self._robots_locks.setdefault(netloc, threading.Lock())
        with lock:
            if netloc not in self._robots:
                self._load_robots(parts.scheme, parts.netloc)
        robots, err = self._robots[netloc]
        if err:
            return err
        if robots is not None and not robots.can_fetch(url, self.config.user_agent):
            return "disallowed by robots.txt"
        return None

    def _load_robots(self, scheme: str, netloc_raw: str) -> None:
        netloc = netloc_raw.lower()
        robots_url = f"{scheme}://{netloc_raw}/robots.txt"
        res = self._fetch_once(robots_url, "GET", None, None, check_robots=False)
        if res.outcome == OK:
            text = decode(res.content or b"", res.charset)
            self._robots[netloc] = (Protego.parse(text), None)
        elif res.status is not None and 400 <= res.status < 500:
            self._robots[netloc] = (None, None)  # no robots.txt: everything allowed (RFC 9309 §2.3.1.3)
        else:
            # unreachable robots.txt means "complete disallow" (RFC 9309 §2.3.1.4)
            self._robots[netloc] = (None, f"robots.txt unavailable ({res.outcome}: {res.error})")
        if self.on_robots:
            self.on_robots(res)

    # -- the public call
    def fetch(self, url: str, method: str = "GET", data: Optional[dict | bytes] = None, etag: Optional[str] = None,
              last_modified: Optional[str] = None, content_type: Optional[str] = None) -> FetchResult:
        """`data`: a form (dict) or a raw body (bytes, sent with `content_type`: a browser's POST)."""
        t0 = time.monotonic()
        res = self._fetch_once(url, method, data, {"etag": etag, "last_modified": last_modified,
                                                   "content_type": content_type})
        res.elapsed = time.monotonic() - t0
        return res

    def _fetch_once(self, url: str, method: str, data: Optional[dict], cond: Optional[dict],
                    check_robots: bool = True) -> FetchResult:
        cfg = self.config
        res = FetchResult(url=url, method=method)
        seen = [url]
        current = url
        while True:
            if not self.scope.allows(current):
                res.outcome, res.error = "out_of_scope", f"host or scheme outside the crawl's scope: {current}"
                return res
            if check_robots:
                why = self.robots_verdict(current)
                if why:
                    res.outcome = "robots_unavailable" if "unavailable" in why else "robots_disallowed"
                    res.error = f"{why}: {current}"
                    return res
            self._attempts(res, current, method, data, cond)
            if res.status in REDIRECT_STATUSES and res.outcome == "redirect":
                target = urljoin(current, res.error or "")
                if target in seen:
                    res.outcome, res.error = "too_many_redirects", f"redirect loop: {' -> '.join(seen + [target])}"
                    return res
                if len(seen) > cfg.max_redirects:
                    res.outcome, res.error = "too_many_redirects", f"more than {cfg.max_redirects} redirects"
                    return res
                seen.append(target)
                current = target
                if res.status == 303 or (res.status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                cond = None  # validators (and the body's type) belong to the original URL and method
                continue
            res.final_url = current
            return res

    def _attempts(self, res: FetchResult, url: str, method: str, data: Optional[dict],
                  cond: Optional[dict]) -> None:
        """One URL (no redirect following): the retry loop. Fills `res`."""
        cfg = self.config
        netloc = urlsplit(url).netloc.lower()
        headers = {}
        if cond and cond.get("etag"):
            headers["If-None-Match"] = cond["etag"]
        if cond and cond.get("last_modified"):
            headers["If-Modified-Since"] = cond["last_modified"]
        if cond and cond.get("content_type") and data is not None:
            headers["Content-Type"] = cond["content_type"]
        for attempt in range(cfg.retries + 1):
            res.attempts += 1
            wait = None
            with self.pacer.lock(netloc):
                self.pacer.wait(netloc, self.interval(netloc))
                try:
                    self._send(res, url, method, data, headers)
                except TooLarge as e:
                    res.outcome, res.error, res.content = "too_large", str(e), None
                    return
                except requests.Timeout as e:
                    res.status, res.outcome, res.error = None, "timeout", f"timed out: {e.__class__.__name__}"
                    wait = cfg.backoff * 2 ** attempt
                except requests.RequestException as e:
                    res.status, res.outcome, res.error = None, "connection_error", f"{e.__class__.__name__}: {e}"[:300]
                    wait = cfg.backoff * 2 ** attempt
                finally:
                    self.pacer.done(netloc)
            if wait is None:
                st = res.status
                if st in RETRY_STATUSES:
                    res.outcome, res.error = "http_error", f"HTTP {st}"
                    retry_after = _retry_after(res.headers.get("Retry-After"))
                    if retry_after is not None and retry_after > cfg.max_retry_after:
                        res.error += f" with Retry-After {retry_after:.0f} s (over the {cfg.max_retry_after:.0f} s limit)"
                        return
                    wait = retry_after if retry_after is not None else cfg.backoff * 2 ** attempt
                else:
                    return
            if attempt < cfg.retries:
                time.sleep(wait)
        res.error = (res.error or "") + f" (after {res.attempts} attempts)"

    def _send(self, res: FetchResult, url: str, method: str, data: Optional[dict], headers: dict) -> None:
        cfg = self.config
        resp = self._session().request(method, url, data=data, headers=headers, allow_redirects=False,
                                       stream=True, timeout=(cfg.connect_timeout, cfg.read_timeout))
        with self._stats_lock:
            self.requests_sent += 1
        try:
            res.status = resp.status_code
            res.headers = dict(resp.headers)
            res.content_type = resp.headers.get("Content-Type")
            res.etag = resp.headers.get("ETag")
            res.last_modified = resp.headers.get("Last-Modified")
            if self.on_request:
                self.on_request(method, url, resp.status_code, 0)
            if resp.status_code in REDIRECT_STATUSES:
                res.outcome, res.error = "redirect", resp.headers.get("Location", "")
                return
            if resp.status_code == 304:
                res.outcome, res.error = NOT_MODIFIED, None
                return
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > cfg.max_bytes:
                raise TooLarge(f"Content-Length {declared} over the {cfg.max_bytes}-byte limit")
            body = bytearray()
            deadline = time.monotonic() + cfg.read_timeout * 4  # a slow drip is a timeout too
            for chunk in resp.iter_content(65536):
                body += chunk
                if len(body) > cfg.max_bytes:
                    raise TooLarge(f"response over the {cfg.max_bytes}-byte limit")
                if time.monotonic() > deadline:
                    raise requests.Timeout("response body took too long")
            with self._stats_lock:
                self.bytes_received += len(body)
            res.content = bytes(body)
            if resp.status_code in CHALLENGE_STATUSES:
                res.outcome = "blocked"
                res.error = f"HTTP {resp.status_code} anti-bot challenge: {challenge_evidence(res.content)}"
            elif 200 <= resp.status_code < 300:
                res.outcome, res.error = OK, None
            else:
                res.outcome, res.error = "http_error", f"HTTP {resp.status_code}"
        finally:
            resp.close()


def challenge_evidence(body: bytes) -> str:
    """A short, quotable sign of the challenge (never used to solve it)."""
    text = body[:4000].decode("utf-8", errors="replace")
    for marker in ("$_ts", "document.cookie", "_$", "challenge", "__jsl_clearance"):
        if marker in text:
            return f"body contains {marker!r}"
    return repr(" ".join(text.split())[:120])


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
