"""The loader alone: N parsed records written batch by batch, per-document time as the warehouse grows.

    .venv/bin/python benchmarks/bench_load.py [--reports 200000] [--batch 500] [--db PATH]

Records are `tests.support.synth.random_report` (valid, 2019 and 2021 formats) with a generated issuer and
year and six short sections, so no file is read or parsed: only `warehouse.load_reports` is timed,
one transaction per batch, with the run's key map (`RunKeys`), like `zfxxgk load` (`--keys batch`: each
batch asks the warehouse for its keys instead, as callers without a map do). ~3 % of the documents are reposts of a report loaded
up to a few batches before (a second copy: the replace path). Prints the per-document load time over
the 4,000 documents up to 4,000, 40,000, 100,000, ... and the last ones, each window's ratio to the
first, the peak resident memory of this process (the loader runs in this one process, DuckDB's
threads included, so that is the whole tree's), the key map's size and the time to read it whole from
the warehouse at the end (what a run opening that warehouse pays), and the warehouse's size.

The issue's target: per-document time flat within 1.25x from 4,000 to 1,000,000 documents.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
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
    recent: list[tuple[int, str, int]] = []
    pool: dict[tuple[int, str], object] = {}
    for i in range(n):
        if recent and rng.random() < P_REPOST:
            rec_seed, issuer, year = rng.choice(recent[-2000:])
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--keys", choices=("run", "batch"), default="run",
                    help="run: one key map for the run (as load_local); batch: each batch asks the warehouse")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a DuckDB setting for the loader's connection (e.g. checkpoint_threshold=256MB)")
    args = ap.parse_args(argv)
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(dir=ROOT / "benchmarks")
        args.db = Path(tmp.name) / "load.duckdb"
    marks = [m for m in (4_000, 40_000, 100_000, 200_000, 400_000, 1_000_000) if m <= args.reports]
    print(f"loader: {args.reports} documents in batches of {args.batch} into {args.db} "
          f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)", flush=True)
    # (documents after the batch, its size, wall seconds, CPU seconds of this process: all its threads;
    # on a machine shared with other jobs the CPU time is the steadier measure of the work done)
    per_batch: list[tuple[int, int, float, float]] = []
    with warehouse.connect(args.db) as conn:
        conn.execute("SET memory_limit = '1GB'")  # as load_local
        for setting in args.set:
            name, value = setting.split("=", 1)
            conn.execute(f"SET {name} = '{value}'")
        keys = RunKeys.read(conn) if args.keys == "run" else None
        batch, done, load_s, cpu_s, gen_s = [], 0, 0.0, 0.0, 0.0
        t_gen = time.perf_counter()
        for item in records(args.reports):
            batch.append(item)
            if len(batch) < args.batch and done + len(batch) < args.reports:
                continue
            gen_s += time.perf_counter() - t_gen
            t0, c0 = time.perf_counter(), time.process_time()
            warehouse.load_reports(conn, batch, keys)
            dt = time.perf_counter() - t0
            load_s += dt
            cpu_s += time.process_time() - c0
            done += len(batch)
            per_batch.append((done, len(batch), dt, time.process_time() - c0))
            batch = []
            if len(per_batch) % 40 == 0:
                print(f"  {done:>9,} documents, {load_s:.1f} s loading", flush=True)
            if done in marks:  # each window as soon as it is complete (a long run stopped early keeps them)
                rows = [(n, dt, ct) for d, n, dt, ct in per_batch if done - WINDOW < d <= done]
                n = sum(r[0] for r in rows)
                print(f"  window {done:,}: {1e3 * sum(r[1] for r in rows) / n:.3f} ms wall, "
                      f"{1e3 * sum(r[2] for r in rows) / n:.3f} ms CPU a document; load average "
                      f"{os.getloadavg()[0]:.1f}; peak memory so far "
                      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB", flush=True)
            t_gen = time.perf_counter()
        wal = args.db.with_name(args.db.name + ".wal")
        size = args.db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        n_reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        fresh = RunKeys.read(conn)
        read_s, read_cpu = time.perf_counter() - t0, time.process_time() - c0
        map_bytes = (keys or fresh).nbytes()
        print(f"key map           {len(fresh):,} report ids, {map_bytes / 2**20:.0f} MiB; read whole from the "
              f"warehouse in {read_s:.1f} s wall, {read_cpu:.1f} s CPU", flush=True)
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
    print(f"peak memory       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (this process: "
          "the loader, DuckDB and the key map all live in it)")
    print(f"warehouse size    {size / 2**20:.0f} MiB")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
