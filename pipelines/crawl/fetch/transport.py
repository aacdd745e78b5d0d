"""One HTTP request and its response, read within the size caps and the slow-drip deadline."""
from __future__ import annotations

import threading
import time
from typing import Callable, Optional

import requests

from pipelines.crawl.fetch.result import FetchResult

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
BODILESS_STATUSES = REDIRECT_STATUSES | {304}  # their body is never read


class TooLarge(Exception):
    pass


class Transport:
    """Thread-safe: requests.Session is not, so one per thread. Counts requests and bytes;
    `on_request(method, url, status, 0)` sees every request sent."""

    def __init__(self, user_agent: str, connect_timeout: float, read_timeout: float, max_bytes: int,
                 max_redirects: int, on_request: Optional[Callable[[str, str, Optional[int], int], None]] = None):
        self.user_agent = user_agent
        self.timeouts = (connect_timeout, read_timeout)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.on_request = on_request
        self._local = threading.local()
        self.requests_sent = 0
        self.bytes_received = 0
        self._stats_lock = threading.Lock()

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = self.user_agent
            s.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
            s.max_redirects = self.max_redirects
            self._local.session = s
        return s

    def send(self, res: FetchResult, url: str, method: str, data: Optional[dict | bytes], headers: dict) -> None:
        """Fills `res`'s status, headers and content. Raises TooLarge, or requests' exceptions (a body
        that drips slower than 4 × the read timeout is a requests.Timeout)."""
        resp = self._session().request(method, url, data=data, headers=headers, allow_redirects=False,
                                       stream=True, timeout=self.timeouts)
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
            if resp.status_code in BODILESS_STATUSES:
                return
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise TooLarge(f"Content-Length {declared} over the {self.max_bytes}-byte limit")
            body = bytearray()
            deadline = time.monotonic() + self.timeouts[1] * 4  # a slow drip is a timeout too
            for chunk in resp.iter_content(65536):
                body += chunk
                if len(body) > self.max_bytes:
                    raise TooLarge(f"response over the {self.max_bytes}-byte limit")
                if time.monotonic() > deadline:
                    raise requests.Timeout("response body took too long")
            with self._stats_lock:
                self.bytes_received += len(body)
            res.content = bytes(body)
        finally:
            resp.close()
