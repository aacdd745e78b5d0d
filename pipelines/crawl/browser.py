"""The browser fallback: a list page rendered in headless Chromium (Debian's `chromium`, driven by
Playwright with the system executable: no browser download), its pager followed by clicking 下一页.

The browser never touches the network itself: every request it makes is intercepted and handed
to a `Gate` (the crawler's own fetcher: host scope, robots.txt, per-host pacing, size limits,
retries, the fetch log). Images, media, fonts, stylesheets and known trackers are aborted
without a request. Service workers are blocked and the profile is a fresh empty directory.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol
from urllib.parse import urlsplit

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# never fetched: the DOM of a list does not need them
SKIPPED_TYPES = {"image", "media", "font", "stylesheet", "texttrack", "manifest", "eventsource", "websocket",
                 "ping", "beacon", "imageset"}
TRACKERS = re.compile(r"(?:^|\.)(?:hm\.baidu\.com|cnzz\.com|51\.la|google-analytics\.com|googletagmanager\.com|"
                      r"doubleclick\.net|growingio\.com|sensorsdata\.cn|tracker\.[a-z.]+|ucap\.[a-z.]+/?stat)$", re.I)
_NEXT = re.compile(r"^\s*(?:下一页|下页|后一页|>|>>|»)\s*$")


class Gate(Protocol):
    user_agent: str

    def fetch(self, url: str, method: str, body: Optional[bytes], content_type: Optional[str]
              ) -> Optional[tuple[int, dict, bytes]]:
        """(status, headers, body) to give the browser, or None: refused (the browser sees a failure)."""

    def skipped(self, url: str, method: str, why: str) -> None:
        """A request the browser wanted that was not made (logged)."""


@dataclass
class Rendered:
    url: str
    states: list[str] = field(default_factory=list)   # the page's HTML after load and after each 下一页
    routed: int = 0                                   # requests handed to the gate
    skipped: int = 0                                  # requests aborted without a fetch
    seconds: float = 0.0                              # in all, launch included
    launch_seconds: float = 0.0                       # starting Chromium and its profile
    error: Optional[str] = None


def chromium_path() -> Optional[str]:
    """$ZFXXGK_CHROMIUM if set (and only it), else Debian's chromium."""
    named = os.environ.get("ZFXXGK_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)


def unavailable() -> Optional[str]:
    """Why the browser fallback cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright; no browser download needed)"
    if chromium_path() is None:
        return ("Debian's chromium is not installed (apt-get install chromium; or $ZFXXGK_CHROMIUM names a "
                "missing file)")
    return None


class BrowserSession:
    """One Chromium (a persistent context on a fresh, empty profile directory) reused for the lists
    one crawl thread renders, each in a new page with the cookies cleared; close() ends it. Sync
    Playwright objects belong to the thread that made them: use a session on one thread only.
    Routing every request disables Chromium's HTTP cache, so nothing is served around the gate."""

    def __init__(self, timeout: float = 30.0):
        self.timeout = timeout
        self._pw: Any = None  # playwright's objects, imported lazily
        self._ctx: Any = None
        self._profile: Optional[str] = None
        self._job: Optional[_Job] = None

    def _start(self, user_agent: str) -> float:
        if self._ctx is not None:
            return 0.0
        from playwright.sync_api import sync_playwright

        t0 = time.monotonic()
        self._profile = tempfile.mkdtemp(prefix="zfxxgk-chromium-")
        self._pw = sync_playwright().start()
        try:
            self._ctx = self._pw.chromium.launch_persistent_context(
                self._profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS,
                user_agent=user_agent, service_workers="block", accept_downloads=False, locale="zh-CN",
                timeout=self.timeout * 1000)
        except Exception:
            self.close()
            raise
        self._ctx.route("**/*", self._route)
        return time.monotonic() - t0

    def _route(self, route) -> None:
        if self._job is None:  # nothing is being rendered: nothing may load
            route.abort("blockedbyclient")
        else:
            self._job.handle(route)

    def render_list(self, url: str, gate: Gate, max_states: int = 20, settle: float = 0.15,
                    max_requests: int = 300) -> Rendered:
        """Load `url`, then click 下一页 until it is gone, the list stops changing, or `max_states`.
        A page asking for more than `max_requests` gets its further requests refused (a polling or
        runaway script costs the host no more than that)."""
        from playwright.sync_api import Error as PlaywrightError

        out = Rendered(url)
        t0 = time.monotonic()
        try:
            out.launch_seconds = self._start(gate.user_agent)
            self._ctx.clear_cookies()
            job = self._job = _Job(out, gate, max_requests)
            page = self._ctx.new_page()
            try:
                page.on("request", job.track(+1))
                page.on("requestfinished", job.track(-1))
                page.on("requestfailed", job.track(-1))
                page.goto(url, wait_until="load", timeout=self.timeout * 1000)
                html = job.quiet(page, None, self.timeout, settle)
                if html is not None:
                    out.states.append(html)
                while html is not None and len(out.states) < max_states:
                    nxt = page.get_by_text(_NEXT).filter(visible=True)
                    if nxt.count() == 0:
                        break
                    nxt.first.click(timeout=self.timeout * 1000)
                    html = job.quiet(page, html, self.timeout, settle)
                    if html is None or html in out.states:
                        break
                    out.states.append(html)
            finally:
                self._job = None
                page.close()
        except PlaywrightError as e:
            out.error = f"browser: {str(e).splitlines()[0][:300]}"
            self.close()  # a browser in an unknown state is not reused
        finally:
            out.seconds = time.monotonic() - t0
        return out

    def close(self) -> None:
        for step in (lambda: self._ctx and self._ctx.close(), lambda: self._pw and self._pw.stop()):
            try:
                step()
            except Exception:  # noqa: BLE001 - closing a browser that already died
                pass
        self._ctx = self._pw = None
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None


class _Job:
    """One list being rendered: its gate, its counters, its requests in flight."""

    def __init__(self, out: Rendered, gate: Gate, max_requests: int):
        self.out, self.gate, self.max_requests = out, gate, max_requests
        self.inflight, self.last = 0, time.monotonic()

    def handle(self, route) -> None:
        req, out = route.request, self.out
        host = (urlsplit(req.url).hostname or "").lower()
        why = None
        if req.resource_type in SKIPPED_TYPES:
            why = f"{req.resource_type} not fetched"
        elif TRACKERS.search(host):
            why = "tracker not fetched"
        elif not req.url.startswith(("http://", "https://")):
            why = "not http(s)"
        elif out.routed >= self.max_requests:
            why = f"over the {self.max_requests}-request limit of one rendered list"
        if why:
            out.skipped += 1
            self.gate.skipped(req.url, req.method, why)
            route.abort("blockedbyclient")
            return
        out.routed += 1
        try:
            answer = self.gate.fetch(req.url, req.method, req.post_data_buffer, req.headers.get("content-type"))
        except Exception:  # noqa: BLE001 - a stopped crawl: the browser sees a failed request
            answer = None
        if answer is None:
            route.abort("blockedbyclient")
            return
        status, headers, body = answer
        route.fulfill(status=status, headers=headers, body=body)

    def track(self, delta: int):
        def f(_req) -> None:
            self.inflight = max(0, self.inflight + delta)
            self.last = time.monotonic()
        return f

    def quiet(self, page, before: Optional[str], timeout: float, settle: float) -> Optional[str]:
        """Wait until the list changed (if `before`) and no request was in flight for `settle` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page.wait_for_timeout(30)
            if self.inflight or time.monotonic() - self.last < settle:
                continue
            html = page.content()
            if before is None or html != before:
                return html
            if time.monotonic() - self.last > max(1.0, 4 * settle):
                return None  # the click changed nothing
        return None


def render_list(url: str, gate: Gate, max_states: int = 20, timeout: float = 30.0, **kw) -> Rendered:
    """One list in a browser of its own (started and closed around it)."""
    session = BrowserSession(timeout)
    try:
        return session.render_list(url, gate, max_states, **kw)
    finally:
        session.close()
