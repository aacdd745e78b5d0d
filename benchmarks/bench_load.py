"""The loader alone: N parsed records written batch by batch, per-document time as the warehouse grows.

    .venv/bin/python benchmarks/bench_load.py [--reports 200000] [--batch 500] [--db PATH | --tmp DIR]
                                              [--keys run|batch] [--set NAME=VALUE] [--statements]

Records are `tests.support.synth.random_report` (valid, 2019 and 2021 formats) with a generated issuer and
year and six short sections, so no file is read or parsed: only `warehouse.load_reports` is timed,
one transaction per batch, with the run's key map (`RunKeys`), like `zfxxgk load` (`--keys batch`: each
batch asks the warehouse for its keys instead, as callers without a map do). ~3 % of the documents are reposts of a report loaded
up to a few batches before (a second copy: the replace path). Prints the per-document load time over
the 4,000 documents up to 4,000, 40,000, 100,000, ... and the last ones, each window's ratio to the
first and to the same first 4,000 documents loaded into an empty warehouse right after that window
(the machine's speed drifts; that ratio is the warehouse's size alone), the peak resident memory of this process (the loader runs in this one process, DuckDB's
threads included, so that is the whole tree's; at each window also the resident memory then and
DuckDB's own, `duckdb_memory()`), the key map's size and the time to read it whole from the warehouse
at the end (what a run opening that warehouse pays; the run's map is freed first, so the read does not
add to the load's peak, which is printed apart), and the warehouse's size. DuckDB's cap is the
loader's batches' (`ZFXXGK_WRITE_MEMORY`). `--statements`: each window's wall ms a batch by statement
(and by generation of Python's collector, gc0-gc2). The temporary warehouse goes under `--tmp`
(default benchmarks/; put it elsewhere while committing).

The issue's target: per-document time flat within 1.25x from 4,000 to 1,000,000 documents.
"""
from __future__ import annotations

import argparse
import collections
import copy
import gc
import hashlib
import itertools
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines import warehouse  # noqa: E402
from pipelines.pipeline import load  # noqa: E402
from tests.support.synth import random_report  # noqa: E402
from pipelines.warehouse.frames import DocumentInfo  # noqa: E402
from pipelines.warehouse.keys import RunKeys  # noqa: E402

P_REPOST = 0.03
WINDOW = 4_000
POOL = 5_000  # distinct tables drawn per format; every report a copy of one, with its own issuer, year, sections


def records(n: int, seed: int = 0):
    """(Report, DocumentInfo) for n documents; reposts point back at a recent report (the same numbers).
    A report's three tables are one of POOL drawn per format (drawing each took 0.36 ms, six minutes
    of a million-document run); the loader never mutates a record, so the copies share them."""
    rng = random.Random(seed)
    # the originals a repost may copy: the last 2,000 (a list of all of them held ~200 MiB at a million)
    recent: collections.deque[tuple[int, str, int]] = collections.deque(maxlen=2000)
    pool: dict[tuple[int, str], object] = {}
    for i in range(n):
        if recent and rng.random() < P_REPOST:
            rec_seed, issuer, year = rng.choice(recent)
        else:
            year = 2019 + i % 7
            rec_seed, issuer = i, f"测试市第{i // 7}区人民政府办公室"
            recent.append((rec_seed, issuer, year))
        fmt = "2019" if year <= 2020 else "2021"
        key = (rec_seed % POOL, fmt)
        if key not in pool:
            pool[key] = random_report(*key)
        report = copy.copy(pool[key])
        report.issuer, report.year = issuer, year
        report.sections = {s: f"第{s}部分 {issuer}" for s in range(1, 7)}
        digest = hashlib.sha256(f"{seed}/{i}".encode()).hexdigest()
        yield report, DocumentInfo(document_id=digest, url=f"file:///corpus/{i}.html", bytes=20_000)


def rss_mib() -> float:
    """This process's resident memory now (VmRSS), MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class TimedConnection:
    """The loader's connection with each statement's wall time added up by its first words (--statements)."""

    def __init__(self, conn):
        self._conn = conn
        self.seconds: dict[str, float] = {}

    def _add(self, name: str, t0: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

    def execute(self, sql: str, *args):
        words = sql.split()
        name = " ".join(words[:4] if words[0] in ("DELETE", "INSERT") else words[:2] if words[0] == "SELECT" else words[:1])
        t0 = time.perf_counter()
        try:
            return self._conn.execute(sql, *args)
        finally:
            self._add(name, t0)

    def register(self, *args):
        t0 = time.perf_counter()
        try:
            return self._conn.register(*args)
        finally:
            self._add("register", t0)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def open_loader(path: Path, settings: list[str]):
    """The loader's connection, as load_local opens it (its memory cap, its checkpoints), with --set's settings."""
    conn = load.connect(path)
    for setting in settings:
        name, value = setting.split("=", 1)
        conn.execute(f"SET {name} = '{value}'")
    return conn


def empty_window(tmp: Path, args) -> tuple[float, float]:
    """The run's first WINDOW documents loaded again into an empty warehouse, now: (wall, CPU) seconds a
    document. Beside a window of the run it gives the cost of the warehouse's size apart from the
    machine's speed at that moment (on a shared two-core machine the same code has measured 1.4 to 2.0
    ms CPU a document in an hour)."""
    wall = cpu = 0.0
    with tempfile.TemporaryDirectory(dir=tmp) as d, open_loader(Path(d) / "empty.duckdb", args.set) as conn:
        keys = RunKeys.read(conn) if args.keys == "run" else None
        items = records(WINDOW)
        for n in itertools.count(1):
            batch = list(itertools.islice(items, args.batch))
            if not batch:
                break
            t0, c0 = time.perf_counter(), time.process_time()
            warehouse.load_reports(conn, batch, keys)
            load.checkpointed(conn, n)
            wall, cpu = wall + time.perf_counter() - t0, cpu + time.process_time() - c0
    return wall / WINDOW, cpu / WINDOW


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--keys", choices=("run", "batch"), default="run",
                    help="run: one key map for the run (as load_local); batch: each batch asks the warehouse")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a DuckDB setting for the loader's connection (e.g. checkpoint_threshold=256MB)")
    ap.add_argument("--statements", action="store_true",
                    help="print each window's wall ms per batch by statement (the loader's connection timed)")
    ap.add_argument("--tmp", type=Path, default=ROOT / "benchmarks",
                    help="where the temporary warehouse goes (without --db)")
    args = ap.parse_args(argv)
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(dir=args.tmp)
        args.db = Path(tmp.name) / "load.duckdb"
    marks = [m for m in (4_000, 40_000, 100_000, 200_000, 400_000, 1_000_000) if m <= args.reports]
    print(f"loader: {args.reports} documents in batches of {args.batch} into {args.db} "
          f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)", flush=True)
    # (documents after the batch, its size, wall seconds, CPU seconds of this process: all its threads;
    # on a machine shared with other jobs the CPU time is the steadier measure of the work done)
    per_batch: list[tuple[int, int, float, float]] = []
    empty: dict[int, tuple[float, float]] = {}  # mark -> an empty warehouse's window, measured then
    with open_loader(args.db, args.set) as conn:
        keys = RunKeys.read(conn) if args.keys == "run" else None
        db = TimedConnection(conn) if args.statements else conn
        if args.statements:  # Python's cyclic collector, timed too ("gc"): it walks every tracked object
            gc_start = [0.0]

            def gc_timer(phase: str, info: dict) -> None:
                if phase == "start":
                    gc_start[0] = time.perf_counter()
                else:
                    db._add(f"gc{info['generation']}", gc_start[0])

            gc.callbacks.append(gc_timer)
        stmt_marks: dict[int, dict[str, float]] = {0: {}}  # done -> the statements' seconds so far
        batch, done, load_s, cpu_s, gen_s = [], 0, 0.0, 0.0, 0.0
        t_gen = time.perf_counter()
        for item in records(args.reports):
            batch.append(item)
            if len(batch) < args.batch and done + len(batch) < args.reports:
                continue
            gen_s += time.perf_counter() - t_gen
            t0, c0 = time.perf_counter(), time.process_time()
            warehouse.load_reports(db, batch, keys)
            load.checkpointed(db, len(per_batch) + 1)
            dt = time.perf_counter() - t0
            load_s += dt
            cpu_s += time.process_time() - c0
            done += len(batch)
            per_batch.append((done, len(batch), dt, time.process_time() - c0))
            batch = []
            if args.statements and (done + WINDOW in marks or done in marks):
                stmt_marks[done] = dict(db.seconds)
            if len(per_batch) % 40 == 0:
                print(f"  {done:>9,} documents, {load_s:.1f} s loading", flush=True)
            if done in marks:  # each window as soon as it is complete (a long run stopped early keeps them)
                rows = [(n, dt, ct) for d, n, dt, ct in per_batch if done - WINDOW < d <= done]
                n = sum(r[0] for r in rows)
                print(f"  window {done:,}: {1e3 * sum(r[1] for r in rows) / n:.3f} ms wall, "
                      f"{1e3 * sum(r[2] for r in rows) / n:.3f} ms CPU a document; load average "
                      f"{os.getloadavg()[0]:.1f}; peak memory so far "
                      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, now {rss_mib():.0f} MiB "
                      f"(DuckDB's own {conn.execute('SELECT sum(memory_usage_bytes) FROM duckdb_memory()').fetchone()[0] / 2**20:.0f} MiB)",
                      flush=True)
                empty[done] = empty_window(args.db.parent, args)
                w, c = empty[done]
                print(f"    an empty warehouse now: {1e3 * w:.3f} ms wall, {1e3 * c:.3f} ms CPU a document; this "
                      f"window {sum(r[1] for r in rows) / n / w:.2f}x / {sum(r[2] for r in rows) / n / c:.2f}x "
                      "that", flush=True)
                if args.statements and done - WINDOW in stmt_marks:
                    a, b = stmt_marks[done - WINDOW], stmt_marks[done]
                    nb = len(rows)
                    print("    ms a batch: " + ", ".join(f"{k}: {1e3 * (b[k] - a.get(k, 0.0)) / nb:.1f}"
                                                      for k in sorted(b, key=lambda k: a.get(k, 0.0) - b[k])), flush=True)
            t_gen = time.perf_counter()
        if args.reports not in empty:
            empty[args.reports] = empty_window(args.db.parent, args)
        wal = args.db.with_name(args.db.name + ".wal")
        size = args.db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        n_reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        load_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The run's map measured, then freed before the map is read whole again (the two at once took
        # the peak from 2,118 to 2,344 MiB at a million).
        map_bytes = keys.nbytes() if keys is not None else None
        del keys
        gc.callbacks.clear()
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        fresh = RunKeys.read(conn)
        read_s, read_cpu = time.perf_counter() - t0, time.process_time() - c0
        map_bytes = fresh.nbytes() if map_bytes is None else map_bytes
        print(f"key map           {len(fresh):,} report ids, {map_bytes / 2**20:.0f} MiB (the run's); read whole "
              f"from the warehouse in {read_s:.1f} s wall, {read_cpu:.1f} s CPU", flush=True)
        del fresh
    # a window: the 4,000 documents up to each mark, and the last 4,000
    windows: list[tuple[int, float, float]] = []  # (mark, wall s a document, CPU s a document)
    for m in sorted({*marks, args.reports}):
        rows = [(n, dt, ct) for d, n, dt, ct in per_batch if m - WINDOW < d <= m]
        n = sum(r[0] for r in rows)
        windows.append((m, sum(r[1] for r in rows) / n, sum(r[2] for r in rows) / n))
    first = windows[0]
    print(f"## loader: {args.reports:,} documents -> {n_reports:,} reports (load average now {os.getloadavg()[0]:.1f})")
    print(f"loading           {load_s:.1f} s wall ({args.reports / load_s:.0f} documents/s), {cpu_s:.1f} s CPU; "
          f"generating the records {gen_s:.1f} s (not loading)")
    print("per document, wall  " + ", ".join(f"{d:,}: {1e3 * w:.3f} ms ({w / first[1]:.2f}x)" for d, w, _ in windows))
    print("per document, CPU   " + ", ".join(f"{d:,}: {1e3 * c:.3f} ms ({c / first[2]:.2f}x)" for d, _, c in windows))
    print("against an empty warehouse loaded at the same moment (wall / CPU)  " + ", ".join(
        f"{d:,}: {w / empty[d][0]:.2f}x / {c / empty[d][1]:.2f}x" for d, w, c in windows))
    print(f"peak memory       {load_peak:.0f} MiB during the load, {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} "
          "MiB with the map's whole read after it (this process: the loader, DuckDB and the key map all live in it)")
    print(f"warehouse size    {size / 2**20:.0f} MiB")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
