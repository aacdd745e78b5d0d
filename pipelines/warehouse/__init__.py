"""The DuckDB warehouse: versioned DDL, the loader, the SQL models.

Plain functions on a `duckdb` connection; no Dagster. A report's rows are written in one
transaction and replace whatever the report had before, so re-loading never duplicates.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Optional

import duckdb
import polars as pl

from pipelines import rules
from pipelines.geo import source_regions
from pipelines.record import STATUSES, Report
from pipelines.settings import warehouse_path
from pipelines.warehouse.contract import polars_schema
from pipelines.warehouse.frames import (REPORT_TABLES, SCHEMAS, DocumentInfo, copy_row, documents_frame,
                                        frames, report_id)
from pipelines.warehouse.keys import DIFFER, BatchChange, BatchKeys, KeyIndex

DDL_DIR = Path(__file__).parent / "ddl"


def connect(path: Optional[Path | str] = None, read_only: bool = False,
            wait_seconds: float = 300.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (default: settings.warehouse_path()); a writer applies pending DDL.
    Either waits up to `wait_seconds` for another process's lock to go."""
    path = Path(path) if path else warehouse_path()
    if read_only:
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: load some reports first")
        return _connect_waiting(path, True, wait_seconds)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = _connect_waiting(path, False, wait_seconds)
    migrate(conn)
    return conn


def _connect_waiting(path: Path, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """DuckDB allows one writer process and no reader beside it: a connection that meets another
    process's lock waits its turn (with backoff) instead of failing. (Users read the published copy,
    which no writer ever holds; this is for the pipeline's own steps.)"""
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the DDL files not yet applied, in order, each in its own transaction."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                 "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)")
    done = {v for (v,) in conn.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for f in sorted(DDL_DIR.glob("*.sql")):
        version = int(f.name.split("_", 1)[0])
        if version in done:
            continue
        conn.execute("BEGIN")
        try:
            conn.execute(f.read_text(encoding="utf-8"))
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, f.name])
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        applied.append(f.name)
    _write_rules(conn)
    return applied


def _write_rules(conn: duckdb.DuckDBPyConnection) -> None:
    """The `rules` table as the catalogue says, rewritten only when they differ."""
    rows = sorted((r.code, r.stage, r.severity, r.leaves_null, r.description) for r in rules.RULES)
    if conn.execute("SELECT rule, stage, severity, leaves_null, description FROM rules ORDER BY ALL").fetchall() == rows:
        return
    conn.execute("BEGIN")
    try:
        conn.execute("DELETE FROM rules")
        conn.executemany("INSERT INTO rules VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def published_path(path: Optional[Path | str] = None) -> Path:
    """The read-only copy users query: <warehouse dir>/published/<warehouse file name>."""
    path = Path(path) if path else warehouse_path()
    return path.parent / "published" / path.name


def publish(conn: duckdb.DuckDBPyConnection, path: Optional[Path | str] = None) -> Path:
    """Copy the warehouse to its published file, atomically (temp file + rename).

    DuckDB allows one writer and no reader beside it in another process; readers open the
    published copy instead, so a nightly load never blocks a user's query and vice versa. On
    Linux a reader that has the old copy open keeps reading it after the rename.
    """
    target = published_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    # A checkpoint writes everything to the file (the WAL is emptied), so a byte copy of the file is
    # the database. COPY FROM DATABASE rebuilt every primary-key index in memory: at 100,000 reports
    # it needed over 1.5 GB; the byte copy takes seconds and no memory.
    import shutil

    conn.execute("CHECKPOINT")
    source = conn.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return target


def connect_reader(path: Optional[Path | str] = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection for users: the published copy when there is one, else the file itself."""
    pub = published_path(path)
    return connect(pub if pub.exists() else path, read_only=True)


# A copy with a better status is the one whose numbers the warehouse keeps.
_RANK = {s: i for i, s in enumerate(STATUSES)}  # ok < inconsistent < partial < ...


@dataclass
class LoadResult:
    loaded: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document_id, error)
    kept_other_copy: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds (load_local)
    files: int = 0  # files read (load_local)


def load_reports(conn: duckdb.DuckDBPyConnection, items: Iterable[tuple[Report, DocumentInfo]],
                 keys: Optional[KeyIndex] = None) -> LoadResult:
    """Write reports and their documents. One transaction for the batch; if it fails, each
    report is retried in its own transaction and a failing one gets a `load` finding.

    `keys`: what the warehouse already holds (`RunKeys`, kept by a run for all its batches and updated
    as each commits); by default the warehouse is asked for just this batch's keys (`BatchKeys`)."""
    items = list(items)
    result = LoadResult()
    if not items:
        return result
    keys = BatchKeys(conn) if keys is None else keys
    try:
        change = _write(conn, items, result, keys)
    except Exception:  # noqa: BLE001 - any failure: retry report by report, so one bad report costs only itself
        result = LoadResult()
    else:
        keys.committed(change)  # outside the try: the batch is in, whatever happens next
        return result
    for report, doc in items:
        try:
            change = _write(conn, [(report, doc)], result, keys)
        except Exception as e:  # noqa: BLE001
            result.failed.append((doc.document_id, str(e)))
            if _record_load_failure(conn, report, doc, str(e)):
                keys.failed(rules.L_WRITE.code, report_id(report, doc.document_id))
        else:
            keys.committed(change)
    return result


def _better(a: Report, b: Report) -> bool:
    return _RANK.get(a.parse_status, 99) <= _RANK.get(b.parse_status, 99)


def _write(conn: duckdb.DuckDBPyConnection, items: list[tuple[Report, DocumentInfo]], result: LoadResult,
           keys: KeyIndex) -> BatchChange:
    """One batch in one transaction. What it replaces is decided by `keys` (pipelines/warehouse/keys.py):
    a DELETE only for keys that may be stored (with `RunKeys`, those that are: a first load only
    appends). Keys are matched by joins against the batch (never Python lists as parameters), and a
    report loaded before is found in the per-report tables by its batch's `loaded_at`, so DuckDB's
    min/max per row group skips the rest of each table. Returns what the batch changed in the keys, for
    `keys.committed` once the batch is in."""
    # Several copies of one report in the batch: the best-status copy wins, every copy is evidence.
    best: dict[str, tuple[Report, DocumentInfo]] = {}
    copies = []
    for report, doc in items:
        row = copy_row(report, doc)
        copies.append(row)
        rid = row["report_id"]
        if rid not in best or _better(report, best[rid][0]):
            best[rid] = (report, doc)
    # The batch's reports already there, and reports its documents made before (a re-parse may have
    # found the issuer now, so the id changed).
    known = keys.reports(list(best), [d.document_id for _, d in best.values()])
    # A copy already in the warehouse with a better status than this one keeps its place.
    existing = {rid: status for rid, _, status, _ in known if rid in best}
    winners: dict[str, tuple[Report, DocumentInfo]] = {}
    for rid, (report, doc) in best.items():
        old = existing.get(rid)
        if old is not None and _RANK.get(old, 99) < _RANK.get(report.parse_status, 99):
            result.kept_other_copy += 1
        else:
            winners[rid] = (report, doc)
    # Reports these winners replace: their own ids, and ids their documents used to produce.
    # Usually none on a first load.
    winner_docs = {d.document_id for _, d in winners.values()}
    stale = {(rid, at) for rid, doc, _, at in known if rid in winners or doc in winner_docs}
    # Reports that may now have copies printing different numbers: a copy was there before, or the
    # batch brings two. Their D-copies-differ findings are judged again (over those whose copies may
    # differ); a failed write of a report now written loses its L-write finding.
    hashes: dict[str, list] = {}
    for c in copies:
        hashes.setdefault(c["report_id"], []).append(c["numbers_hash"])
    states = {rid: keys.copies(rid, hs) for rid, hs in hashes.items()}
    several = [rid for rid in best if rid in existing or len(hashes[rid]) > 1]
    judged = [rid for rid in several if states[rid] is DIFFER]
    cleared = {rules.L_WRITE.code: keys.with_finding(rules.L_WRITE.code, winners),
               rules.D_COPIES_DIFFER.code: keys.with_finding(rules.D_COPIES_DIFFER.code, several)}
    all_docs = [d.document_id for _, d in items]
    stored_docs = keys.documents(all_docs)
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # the batch's loaded_at
    f = frames(winners.values(), source_regions(conn), now)  # the sources' adcodes place the issuers
    cp = pl.DataFrame(copies, schema=SCHEMAS["report_documents"]).unique(["report_id", "document_id"], keep="last")
    conn.execute("BEGIN")
    registered = []

    def register(name: str, df: pl.DataFrame) -> None:
        conn.register(name, df.to_arrow())
        registered.append(name)

    try:
        _insert(conn, "documents", documents_frame(d for _, d in items), key=("document_id",), stored=stored_docs)
        if stale:
            register("_stale", pl.DataFrame({"report_id": sorted({r for r, _ in stale})}, schema={"report_id": pl.Utf8}))
            # The batches' times as constants, so each scan reads only the row groups whose loaded_at
            # range holds one (an OR with IS NULL, or a join, would read every row group).
            times = {at for _, at in stale}
            at = ("true" if None in times else "loaded_at IN (" + ", ".join(
                f"TIMESTAMP '{t.isoformat(' ')}'" for t in sorted(t for t in times if t is not None)) + ")")
            for table in REPORT_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE {at} AND report_id IN (SELECT report_id FROM _stale)")
        if any(cleared.values()):
            register("_cleared", pl.DataFrame({"rule": [r for r, ids in cleared.items() for _ in ids],
                                               "report_id": [i for ids in cleared.values() for i in ids]},
                                              schema={"rule": pl.Utf8, "report_id": pl.Utf8}))
            conn.execute("DELETE FROM findings USING _cleared "
                         "WHERE findings.rule = _cleared.rule AND findings.report_id = _cleared.report_id")
        for table in REPORT_TABLES:
            _insert(conn, table, f[table])
        _insert(conn, "report_documents", cp, key=("report_id", "document_id"), stored=stored_docs)
        flagged = set()
        if judged:
            register("_several", pl.DataFrame({"report_id": judged}, schema={"report_id": pl.Utf8}))
            flagged = _flag_differing_copies(conn)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    finally:
        for name in registered:
            conn.unregister(name)
    result.loaded += len(winners)
    return BatchChange(
        removed_reports={r for r, _ in stale}, documents=all_docs, copies=states, cleared=cleared,
        reports=[(rid, d.document_id, r.parse_status, now) for rid, (r, d) in winners.items()],
        flagged={rules.D_COPIES_DIFFER.code: flagged})


def _flag_differing_copies(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """Copies of one report (reposts, a page and its attachment, a corrected re-issue) whose tables
    differ: the kept copy's numbers are only one of them, so the report says so (D-copies-differ).
    Over the batch's reports that may have such copies (`_several`), whose old such findings are gone.
    Returns the reports flagged."""
    rule = rules.D_COPIES_DIFFER
    return {rid for (rid,) in conn.execute(f"""
        INSERT INTO findings (report_id, document_id, url, stage, rule, severity, detail, loaded_at)
        SELECT c.report_id, r.document_id, r.url, '{rule.stage}', '{rule.code}', '{rule.severity}',
               count(DISTINCT c.numbers_hash) || ' copies of this report print different numbers: '
               || string_agg(c.url || ' (' || c.parse_status || ')', '; ' ORDER BY c.url)
               || '; the numbers kept are those of ' || r.url, r.loaded_at
        FROM report_documents c JOIN reports r USING (report_id)
        WHERE c.report_id IN (SELECT report_id FROM _several) AND c.numbers_hash IS NOT NULL
        GROUP BY c.report_id, r.document_id, r.url, r.loaded_at
        HAVING count(DISTINCT c.numbers_hash) > 1
        RETURNING report_id""").fetchall()}


def _insert(conn: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame, replace: bool = False,
            key: tuple[str, ...] = (), stored: Optional[set[str]] = None) -> None:
    """Insert by name (never by position). `replace`: through the table's primary key; `key`: a
    merge on those columns for tables without one (the rows of the frame's keys deleted first).
    `stored`: the frame's document_ids that may already have rows (a KeyIndex's answer): only their
    keys are deleted, and nothing is when there are none."""
    if df.is_empty():
        return
    name = f"_df_{table}"
    conn.register(name, df.to_arrow())
    try:
        if key and (stored is None or stored):
            old = name
            if stored is not None and len(stored) < len(df):
                old = f"_old_{table}"
                conn.register(old, df.filter(pl.col("document_id").is_in(list(stored))).select(key).to_arrow())
            try:
                match = " AND ".join(f"{table}.{k} = {old}.{k}" for k in key)
                conn.execute(f"DELETE FROM {table} USING {old} WHERE {match}")
            finally:
                if old != name:
                    conn.unregister(old)
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        conn.execute(f"{verb} INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        conn.unregister(name)


def _record_load_failure(conn: duckdb.DuckDBPyConnection, report: Report, doc: DocumentInfo, error: str) -> bool:
    """An L-write finding for a report that could not be written; False if even that failed."""
    try:
        rule = rules.L_WRITE
        conn.execute("INSERT INTO findings (report_id, document_id, url, stage, rule, severity, detail, loaded_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
                     [report_id(report, doc.document_id), doc.document_id, doc.url, rule.stage, rule.code,
                      rule.severity, error[:2000]])
        return True
    except duckdb.Error:
        return False  # the warehouse itself is unwritable; the caller reports the failure


def upsert_documents(conn: duckdb.DuckDBPyConnection, docs: list[DocumentInfo]) -> None:
    """Documents (fetched or local files), whether or not they yielded a report."""
    if docs:
        _insert(conn, "documents", documents_frame(docs), key=("document_id",))


def upsert_sources(conn: duckdb.DuckDBPyConnection, sources: list[dict]) -> None:
    if sources:
        insert_rows(conn, "sources", sources, replace=True)


def insert_rows(conn: duckdb.DuckDBPyConnection, table: str, rows: list[dict], replace: bool = False) -> None:
    """Rows given as dicts, typed by the contract and inserted by column name (a column not given is NULL;
    one the contract does not know is an error). `replace`: through the table's primary key."""
    schema = polars_schema(table)
    unknown = {c for row in rows for c in row} - schema.keys()
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
    _insert(conn, table, pl.DataFrame(rows, schema=schema), replace=replace)

