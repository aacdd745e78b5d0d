"""The stages chained without Dagster, for `zfxxgk load` on local files.

Streaming: files are read, parsed and loaded in batches of `batch` documents, so memory holds at
most a few batches whatever the corpus size (the list of paths is the only thing that grows with
it). Each batch is one transaction (`warehouse.load_reports`): a load killed at any point leaves
every report either fully loaded or absent, and a re-run converges. With `workers` > 1 the parsing
runs in that many processes while the main process writes the previous batch.
"""
from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Iterator, Optional

from pipelines import warehouse
from pipelines.pipeline.documents import parse_document
from pipelines.pipeline.files import expand_paths, local_document
from pipelines.warehouse import transform

# documents per transaction: ~25 MB of records (a batch costs the same whatever the warehouse holds)
# (ZFXXGK_LOAD_BATCH overrides it: the kill tests use small batches to land inside many)
BATCH = int(os.environ.get("ZFXXGK_LOAD_BATCH") or 500)
DUCKDB_MEMORY = os.environ.get("ZFXXGK_DUCKDB_MEMORY") or "1GB"
MIN_PARALLEL = 200     # below this many files, starting worker processes costs more than it saves


def parse_file(path: Path):
    """(Report, DocumentInfo) of one file, or (None, error) when the file cannot be read."""
    try:
        data = Path(path).read_bytes()
        doc = local_document(Path(path), data)
    except OSError as e:
        return None, f"{path}: {e.strerror or e}"
    return parse_document(data, Path(path).name, source=doc.url), doc


def _batches(paths: list[Path], size: int) -> Iterator[list[Path]]:
    for i in range(0, len(paths), size):
        yield paths[i:i + size]


def parsed_batches(paths: list[Path], workers: int = 1, batch: int = BATCH) -> Iterator[list]:
    """The files' parse results, batch by batch, in path order. With workers > 1, at most two
    batches are parsed ahead of the one the caller is writing."""
    if workers <= 1:
        for chunk in _batches(paths, batch):
            yield [parse_file(p) for p in chunk]
        return
    # spawn, not fork: the parent may already run polars/duckdb threads, which a fork would copy mid-lock
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        ahead: deque = deque()
        for chunk in _batches(paths, batch):
            ahead.append(pool.map(parse_file, chunk, chunksize=max(1, len(chunk) // (4 * workers))))
            if len(ahead) > 2:
                yield list(ahead.popleft())
        while ahead:
            yield list(ahead.popleft())


def default_workers(n_files: int) -> int:
    """$ZFXXGK_WORKERS, else the CPU count (1 for fewer than MIN_PARALLEL files)."""
    env = os.environ.get("ZFXXGK_WORKERS")
    if env:
        return max(1, int(env))
    return (os.cpu_count() or 1) if n_files >= MIN_PARALLEL else 1


def load_local(paths: Iterable[Path], db: Path | None = None, workers: Optional[int] = None,
               batch: int = BATCH) -> warehouse.LoadResult:
    """Parse local files and load them (batch by batch), then build the models and publish.
    `workers`: parse processes (default $ZFXXGK_WORKERS or the CPU count; 1 for small inputs)."""
    files = list(expand_paths(paths))
    workers = default_workers(len(files)) if workers is None else workers
    total = warehouse.LoadResult()
    # wall seconds per stage: waiting for parsed batches (reading and parsing, beyond what overlaps
    # with writing), writing them, the SQL models, the published copy
    seconds = total.seconds
    seconds.update(parse_wait=0.0, write=0.0)
    with warehouse.connect(db) as conn:
        # DuckDB's default cap is 80% of RAM: at 100,000 reports the models and the published copy
        # took it to 4.4 GiB. Capped, it spills to disk instead, and the whole load stays under 2 GiB.
        conn.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        batches = parsed_batches(files, workers, batch)
        while True:
            t0 = time.perf_counter()
            results = next(batches, None)
            t1 = time.perf_counter()
            seconds["parse_wait"] += t1 - t0
            if results is None:
                break
            items = [(r, d) for r, d in results if r is not None]
            total.failed += [("", err) for r, err in results if r is None]  # unreadable file: no document id
            lr = warehouse.load_reports(conn, items)
            seconds["write"] += time.perf_counter() - t1
            total.loaded += lr.loaded
            total.failed += lr.failed
            total.kept_other_copy += lr.kept_other_copy
    # dbt opens the file itself: ours is closed first, and reopened to publish what dbt built
    t0 = time.perf_counter()
    transform.build_models(db, memory_limit=DUCKDB_MEMORY)
    t1 = time.perf_counter()
    with warehouse.connect(db) as conn:
        warehouse.publish(conn, db)
    seconds.update(models=t1 - t0, publish=time.perf_counter() - t1)
    return total
