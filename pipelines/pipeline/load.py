"""The one loader: documents parsed in batches, in worker processes, each batch written in its
own transaction. `zfxxgk load` runs it on local files; a crawl's parse step (`crawled.py`, the CLI
and the Dagster assets alike) on the documents it fetched.

Streaming: documents are read, parsed and loaded in batches of `batch` documents, so memory holds
at most a few batches whatever the corpus size (the list of paths is the only thing that grows with
it). Each batch is one transaction (`warehouse.load_reports`): a load killed at any point leaves
every report either fully loaded or absent, and a re-run converges. With `workers` > 1 the parsing
runs in that many processes while the writing process writes the previous batch (for `zfxxgk load`
a process of its own, ended before the models' build).
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence, TypeVar

from pipelines import warehouse
from pipelines.pipeline.documents import parse_document
from pipelines.pipeline.files import expand_paths, local_document
from pipelines.record import Report
from pipelines.settings import settings
from pipelines.warehouse import transform
from pipelines.warehouse.frames import DocumentInfo
from pipelines.warehouse.keys import RunKeys

# documents per transaction: ~25 MB of records (a batch costs the same whatever the warehouse holds)
# (ZFXXGK_LOAD_BATCH overrides it: the kill tests use small batches to land inside many)
BATCH = settings().load_batch
DUCKDB_MEMORY = settings().duckdb_memory
WRITE_MEMORY = settings().write_memory  # the writing connection's cap (benchmarks/README.md § Loader)
CHECKPOINT_BATCHES = settings().checkpoint_batches
MIN_PARALLEL = 200     # below this many files, starting worker processes costs more than it saves

log = logging.getLogger(__name__)

Task = TypeVar("Task")
Parsed = TypeVar("Parsed")


def parse_file(path: Path | str):
    """(Report, DocumentInfo) of one file, or (None, error) when the file cannot be read."""
    try:
        data = Path(path).read_bytes()
        doc = local_document(Path(path), data)
    except OSError as e:
        return None, f"{path}: {e.strerror or e}"
    return parse_document(data, Path(path).name, source=doc.url), doc


def _batches(tasks: Sequence[Task], size: int) -> Iterator[Sequence[Task]]:
    for i in range(0, len(tasks), size):
        yield tasks[i:i + size]


def parsed_batches(tasks: Sequence[Task], parse: Callable[[Task], Parsed], workers: int = 1,
                   batch: int = BATCH) -> Iterator[list[Parsed]]:
    """`parse` of every task, batch by batch, in task order. With workers > 1, in that many
    processes (`parse` a module-level function), at most two batches parsed ahead of the one
    the caller is writing."""
    if workers <= 1:
        for chunk in _batches(tasks, batch):
            yield [parse(t) for t in chunk]
        return
    # spawn, not fork: the parent may already run polars/duckdb threads, which a fork would copy mid-lock
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        ahead: deque = deque()
        for chunk in _batches(tasks, batch):
            ahead.append(pool.map(parse, chunk, chunksize=max(1, len(chunk) // (4 * workers))))
            if len(ahead) > 2:
                yield list(ahead.popleft())
        while ahead:
            yield list(ahead.popleft())


def default_workers(n_files: int) -> int:
    """$ZFXXGK_WORKERS, else the CPU count (1 for fewer than MIN_PARALLEL files)."""
    env = settings().workers
    if env is not None:
        return max(1, env)
    return (os.cpu_count() or 1) if n_files >= MIN_PARALLEL else 1


def connect(db: Path | str | None = None):
    """The warehouse, opened for a load."""
    conn = warehouse.connect(db)
    # DuckDB's default cap is 80% of RAM: at 100,000 reports the models and the published copy
    # took it to 4.4 GiB. Capped, it spills to disk instead, and the whole load stays under 2 GiB. The
    # batches need less than the models: their cap is WRITE_MEMORY (the models are built by dbt with
    # DUCKDB_MEMORY, on a connection of their own).
    conn.execute(f"SET memory_limit = '{WRITE_MEMORY}'")
    # No checkpoint inside a COMMIT: `checkpointed` writes the WAL into the file every CHECKPOINT_BATCHES
    # batches (and closing the connection does at the end).
    conn.execute("SET checkpoint_threshold = '1TB'")
    conn.execute("SET enable_progress_bar = false")  # DuckDB draws one on stderr for a checkpoint over 2 s
    return conn


def checkpointed(conn, n_batches: int) -> None:
    """After a run's n-th batch: a checkpoint every CHECKPOINT_BATCHES. A checkpoint recompresses the
    row groups the batches appended to, so fewer of them do less work: ~80 MB of WAL between two."""
    if n_batches % CHECKPOINT_BATCHES == 0:
        conn.execute("CHECKPOINT")


def write_batches(conn, batches: Iterator[list[tuple[Report, DocumentInfo]]],
                  total: warehouse.LoadResult) -> warehouse.LoadResult:
    """Each batch written as it arrives, in its own transaction; the counts added to `total`, and
    its wall seconds waiting for parsed batches (reading and parsing, beyond what overlaps with
    writing) and writing them (the key map's read included).

    The batches ask one key map of the warehouse (`RunKeys`: what a batch replaces, without scanning
    the tables each batch), read when the second batch arrives and kept up to date as each commits;
    the first batch asks the warehouse for its own keys, so a one-batch run (a small crawl into a
    large warehouse) does not read a million keys to write five hundred."""
    seconds = total.seconds
    seconds.setdefault("parse_wait", 0.0)
    seconds.setdefault("write", 0.0)
    keys: Optional[RunKeys] = None
    n = 0
    while True:
        t0 = time.perf_counter()
        items = next(batches, None)
        t1 = time.perf_counter()
        seconds["parse_wait"] += t1 - t0
        if items is None:
            return total
        n += 1
        if n == 2:
            keys = RunKeys.read(conn)
        lr = warehouse.load_reports(conn, items, keys)
        checkpointed(conn, n)
        seconds["write"] += time.perf_counter() - t1
        total.loaded += lr.loaded
        total.failed += lr.failed
        total.kept_other_copy += lr.kept_other_copy


def build_and_publish(db: Path | str | None, total: warehouse.LoadResult) -> None:
    """The SQL models (`dbt build`), then the published copy. dbt opens the file itself, so the
    loader's connection is closed first, and the file reopened to publish what dbt built."""
    t0 = time.perf_counter()
    transform.build_models(db, memory_limit=DUCKDB_MEMORY)
    t1 = time.perf_counter()
    with warehouse.connect(db) as conn:
        warehouse.publish(conn, db)
    total.seconds.update(models=t1 - t0, publish=time.perf_counter() - t1)


def load_local(paths: Iterable[str | Path], db: Path | None = None, workers: Optional[int] = None,
               batch: int = BATCH, on_progress: Optional[Callable[[int, int], None]] = None) -> warehouse.LoadResult:
    """Parse local files and load them (batch by batch), then build the models and publish.
    `workers`: parse processes (default $ZFXXGK_WORKERS or the CPU count; 1 for small inputs).
    `on_progress(files_done, files)`: called as each batch has been parsed (the CLI's progress bar).

    The reading and writing run in a process of their own, which ends before the models are built:
    a process that has written a million reports keeps hundreds of MiB its allocators do not hand
    back (benchmarks/README.md § End to end), which the build's own ~1.3 GiB came on top of."""
    paths = [str(p) for p in paths]
    total = _in_own_process(_write_local, (paths, db, workers, batch), on_progress)
    for document_id, error in total.failed:
        log.warning("not loaded: %s", f"{document_id}: {error}" if document_id else error)
    build_and_publish(db, total)
    log.info("loaded %d reports from %d files (%d kept another copy's numbers, %d failed); models built, published",
             total.loaded, total.files, total.kept_other_copy, len(total.failed))
    return total


def _write_local(paths: list[str], db: Path | None, workers: Optional[int], batch: int,
                 on_progress: Callable[[int, int], None]) -> warehouse.LoadResult:
    """load_local's reading, parsing and writing (no models)."""
    files = list(expand_paths(paths))
    workers = default_workers(len(files)) if workers is None else workers
    total = warehouse.LoadResult(files=len(files))
    done = 0

    def readable(batches: Iterator[list]) -> Iterator[list[tuple[Report, DocumentInfo]]]:
        nonlocal done
        for results in batches:
            total.failed += [("", err) for r, err in results if r is None]  # unreadable file: no document id
            done += len(results)
            on_progress(done, len(files))
            yield [(r, d) for r, d in results if r is not None]

    with connect(db) as conn:
        write_batches(conn, readable(parsed_batches(files, parse_file, workers, batch)), total)
    return total


def _in_own_process(fn: Callable, args: tuple, on_progress: Optional[Callable[[int, int], None]]):
    """fn(*args, report) in a spawned process; its report(done, total) calls reach on_progress here,
    its return value is returned and its exception raised here. The child dies with this process."""
    ctx = get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_own_process_main, args=(send, fn, args), name=f"zfxxgk-{fn.__name__}")
    proc.start()
    send.close()
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                proc.join()
                raise RuntimeError(f"{fn.__name__} ended without a result (exit code {proc.exitcode})") from None
            if kind == "progress":
                if on_progress is not None:
                    on_progress(*payload)
            elif kind == "error":
                raise payload
            else:
                return payload
    finally:
        receive.close()
        proc.join(timeout=30)
        if proc.is_alive():  # interrupted here: the child has no one to report to
            proc.kill()
            proc.join()


def _own_process_main(send, fn: Callable, args: tuple) -> None:
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed if the parent is
    try:
        send.send(("result", fn(*args, lambda done, n: send.send(("progress", (done, n))))))
    except BaseException as e:  # noqa: BLE001 — handed to the parent, which raises it
        try:
            send.send(("error", e))
        except Exception:  # an exception that does not pickle
            send.send(("error", RuntimeError(f"{type(e).__name__}: {e}")))
    finally:
        send.close()
