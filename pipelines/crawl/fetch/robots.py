"""robots.txt: read once per host (RFC 9309), asked before every request, and its Crawl-delay."""
from __future__ import annotations

import threading
from typing import Callable, Optional
from urllib.parse import urlsplit

from protego import Protego

from pipelines.crawl.fetch.result import OK, FetchResult
from pipelines.encoding import decode


class RobotsTxt:
    """Thread-safe. `fetch(url)` gets robots.txt itself (scope, redirects, retries; no robots check);
    `on_loaded(result)` sees each robots.txt fetched (the fetch log)."""

    def __init__(self, user_agent: str, fetch: Callable[[str], FetchResult]):
        self.user_agent = user_agent
        self._fetch = fetch
        self.on_loaded: Optional[Callable[[FetchResult], None]] = None
        self._rules: dict[str, tuple[Optional[Protego], Optional[str]]] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def crawl_delay(self, netloc: str) -> float:
        """The host's Crawl-delay for us (0 when none, or robots.txt not read yet)."""
        robots, _ = self._rules.get(netloc, (None, None))
        delay = robots.crawl_delay(self.user_agent) if robots is not None else None
        return float(delay or 0)

    def verdict(self, url: str) -> Optional[str]:
        """None if allowed, else why not (disallowed, or robots.txt could not be read)."""
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        with self._guard:
            lock = self._locks.setdefault(netloc, threading.Lock())
        with lock:
            if netloc not in self._rules:
                self._load(parts.scheme, parts.netloc)
        robots, err = self._rules[netloc]
        if err:
            return err
        if robots is not None and not robots.can_fetch(url, self.user_agent):
            return "disallowed by robots.txt"
        return None

    def _load(self, scheme: str, netloc_raw: str) -> None:
        netloc = netloc_raw.lower()
        res = self._fetch(f"{scheme}://{netloc_raw}/robots.txt")
        if res.outcome == OK:
            self._rules[netloc] = (Protego.parse(decode(res.content or b"", res.charset)), None)
        elif res.status is not None and 400 <= res.status < 500:
            self._rules[netloc] = (None, None)  # no robots.txt: everything allowed (RFC 9309 §2.3.1.3)
        else:
            # unreachable robots.txt means "complete disallow" (RFC 9309 §2.3.1.4)
            self._rules[netloc] = (None, f"robots.txt unavailable ({res.outcome}: {res.error})")
        if self.on_loaded:
            self.on_loaded(res)
