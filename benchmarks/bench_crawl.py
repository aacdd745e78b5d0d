"""Crawl benchmark on 127.0.0.x hosts: politeness and incrementality, measured on the wire.

Each host serves a copy of the demo portal; each host's pace is the crawl interval (per host).
1. One crawl of all hosts: wall time vs the sequential bound, and the smallest gap between two
   requests any host saw (must be >= the interval).
2. A nightly re-crawl of the unchanged portals: requests sent, bytes downloaded, 304s.
3. Lists built by script (the demo's `demo-js` columns: a TRS search API, a JSON endpoint): the
   time per list page by the API replay and by the browser fallback (headless Chromium, every
   request through the crawler's gate), at the crawl interval and at a near-zero one.

    .venv/bin/python benchmarks/bench_crawl.py [--hosts 4] [--interval 0.2] [--skip-browser]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.crawl.demo_server import DEMO_SCRIPT_COLUMNS, demo_start_urls, serve_demo_portal  # noqa: E402
from pipelines.crawl.run import CrawlConfig, Source, crawl  # noqa: E402
from pipelines.pipeline.crawled import crawl_and_load  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=4)
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--skip-browser", action="store_true", help="leave out part 3's browser runs")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_crawl_"))
    cfg = CrawlConfig(min_interval=args.interval, host_workers=args.hosts, progress=False, backoff=0.05)
    with ExitStack() as stack:
        portals = [stack.enter_context(serve_demo_portal(faults={}, host=f"127.0.0.{i + 1}")) for i in range(args.hosts)]
        sources = [Source(f"demo{i}", f"demo host {i}", demo_start_urls(p)) for i, p in enumerate(portals)]
        t0 = time.monotonic()
        first = crawl_and_load(sources, tmp / "data", tmp / "w.duckdb", cfg)
        wall = time.monotonic() - t0
        per_host = [len(p.requests) for p in portals]
        gaps = [b.at - a.at for p in portals for a, b in zip(p.requests, p.requests[1:])]
        n0 = [len(p.requests) for p in portals]
        second = crawl_and_load(sources, tmp / "data", tmp / "w.duckdb", cfg)
        statuses = [r.status for p, n in zip(portals, n0) for r in p.requests[n:]]
    print(f"## first crawl: {args.hosts} hosts, interval {args.interval} s per host")
    print(f"requests per host {per_host}; wall {wall:.2f} s; sequential bound "
          f"{sum(per_host) * args.interval:.2f} s; one host's bound {max(per_host) * args.interval:.2f} s")
    print(f"smallest gap between two requests to one host: {min(gaps):.3f} s (interval {args.interval} s)")
    print(f"documents {first.documents}, reports loaded {first.reports_loaded}, bytes {first.bytes_received:,}")
    print("## nightly re-crawl of the unchanged portals")
    print(f"requests sent {second.requests_sent} ({statuses.count(304)} answered 304, {statuses.count(200)} 200 "
          f"— the 200s are robots.txt); bytes downloaded {second.bytes_received:,}; documents downloaded "
          f"{second.downloaded}; parsed {second.parsed}; wall {second.seconds:.2f} s")
    script_lists(args.interval, args.skip_browser)


class BrowserMemory:
    """Peak PSS (shared pages split between processes) of Chromium's processes and Playwright's
    driver, sampled from /proc every 0.1 s while the block runs."""

    def __enter__(self):
        self.peak_kib, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()[1:]
            kib = 0
            for line in ps:
                pid, _, args = line.strip().partition(" ")
                if "zfxxgk-chromium-" in args or "playwright/driver" in args:
                    try:
                        kib += sum(int(x.split()[1]) for x in open(f"/proc/{pid}/smaps_rollup") if x.startswith("Pss:"))
                    except OSError:
                        pass
            self.peak_kib = max(self.peak_kib, kib)
            time.sleep(0.1)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def script_lists(interval: float, skip_browser: bool) -> None:
    """Time per list page of the two script-built demo columns, by the API replay and by the browser.
    Only the list part is timed: the crawl's report fetches are the same for both paths."""
    from pipelines.crawl import browser

    print("## lists built by script (demo-js: a TRS search API column, a JSON-endpoint column)")
    why = None if not skip_browser else "--skip-browser"
    why = why or browser.unavailable()
    for iv in (interval, 0.01):
        with serve_demo_portal(faults={}) as portal:
            urls = [portal.url(p) for p in DEMO_SCRIPT_COLUMNS]
            for render in ("never", "always"):
                if render == "always" and why:
                    print(f"browser path: not measured ({why})")
                    continue
                tmp = Path(tempfile.mkdtemp(prefix="bench_crawl_js_"))
                with BrowserMemory() as mem:
                    res = crawl([Source("demo-js", "demo-js", urls, render=render)], tmp,
                                CrawlConfig(min_interval=iv, progress=False, backoff=0.05))
                reports = len(res.docs)
                if render == "never":
                    print(f"interval {iv} s — API path: {res.api_pages} API pages, {reports} reports found; "
                          f"{res.api_seconds:.2f} s reading them = {res.api_seconds / max(res.api_pages, 1):.2f} s "
                          f"per list page (pacing included); crawl {res.seconds:.2f} s in all")
                else:
                    states = res.rendered_states
                    per = res.render_seconds / max(states, 1)
                    net = (res.render_seconds - res.render_launch_seconds) / max(states, 1)
                    print(f"interval {iv} s — browser path: {states} list pages rendered, {reports} reports found; "
                          f"{res.render_seconds:.2f} s rendering = {per:.2f} s per list page "
                          f"({net:.2f} s without Chromium's start; {res.render_launches} start(s), "
                          f"{res.render_launch_seconds:.2f} s, for {len(urls)} lists); crawl {res.seconds:.2f} s in all; "
                          f"browser memory peak {mem.peak_kib / 1024:.0f} MiB PSS")


if __name__ == "__main__":
    main()
