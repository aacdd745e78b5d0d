"""The crawl's progress on stderr: counters, what is queued per host, an ETA from each host's pace.
On a terminal, a rich progress line (spinner, counters, elapsed time) redrawn in place; otherwise one
plain line at most every half second (logs, CI). The crawler calls it; it knows nothing of fetching."""
from __future__ import annotations

import sys
import threading
import time
from collections import defaultdict
from typing import Optional, TextIO

from rich.console import Console
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar


class Progress:
    """Counters and a status line on stderr at most twice a second; ETA from the queued URLs per
    host and each host's pace."""

    def __init__(self, enabled: bool, stream: Optional[TextIO] = None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.lock = threading.Lock()
        self.c: dict[str, int] = defaultdict(int)
        self.pending: dict[str, int] = defaultdict(int)
        self.pace: dict[str, float] = {}
        self.t0 = time.monotonic()
        self._last = 0.0
        self._bar: Optional[Bar] = None  # on a terminal: rich's live line (the total is unknown: it pulses)

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.c[key] += n
        self.show()

    def queued(self, host: str, n: int, pace: float) -> None:
        with self.lock:
            self.pending[host] = max(0, self.pending[host] + n)
            self.pace[host] = pace

    def eta(self) -> float:
        with self.lock:
            return max((n * self.pace.get(h, 1.0) for h, n in self.pending.items()), default=0.0)

    def show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        c = self.c
        eta = self.eta()
        counters = (f"pages {c['pages']}  documents {c['documents']} "
                    f"(new {c['new']}, unchanged {c['unchanged']})  reports found {c['report_links']}  "
                    f"errors {c['errors']}  queued {sum(self.pending.values())}  ETA {int(eta) // 60}:{int(eta) % 60:02d}")
        if not self.stream.isatty():
            self.stream.write(f"crawl {now - self.t0:5.0f}s  {counters}\n")
            self.stream.flush()
            return
        with self.lock:
            if self._bar is None:
                self._bar = Bar(SpinnerColumn(), BarColumn(bar_width=12), TextColumn("{task.description}"),
                                TimeElapsedColumn(), console=Console(file=self.stream), refresh_per_second=4)
                self._task = self._bar.add_task(counters, total=None)
                self._bar.start()
            else:
                self._bar.update(self._task, description=counters)

    def done(self) -> None:
        if self._bar is not None:
            self.show(force=True)
            self._bar.stop()
