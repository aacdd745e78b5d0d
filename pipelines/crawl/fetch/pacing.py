"""Per-host politeness: one request in flight per host, a minimum interval between them."""
from __future__ import annotations

import threading
import time


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
