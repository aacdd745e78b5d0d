"""Shared by the fault tests: warehouse snapshots, corpora, killing a command at a random moment."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
ZFXXGK = [sys.executable, "-m", "pipelines.cli"] if not (ROOT / ".venv" / "bin" / "zfxxgk").exists() \
    else [str(ROOT / ".venv" / "bin" / "zfxxgk")]
# Columns that say when or where a run happened, not what the warehouse holds
RUN_COLUMNS = {"loaded_at", "applied_at", "fetched_at", "storage_path", "checked_at"}
RUN_TABLES = {"crawl_runs", "fetch_log", "schema_migrations"}
REPORT_TABLES = ("documents", "reports", "report_documents", "active_disclosure", "request_outcomes",
                 "review_litigation", "findings", "report_sections", "report_extra")


def snapshot(db: Path, tables: tuple[str, ...] | None = None) -> dict[str, list[tuple]]:
    """Every table's full contents (sorted), minus the columns that record when a run happened."""
    with duckdb.connect(str(db), read_only=True) as conn:
        if tables is None:
            tables = tuple(t for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall() if t not in RUN_TABLES)
        out = {}
        for t in tables:
            cols = [c for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [t]).fetchall() if c not in RUN_COLUMNS]
            out[t] = conn.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY ALL").fetchall()
    return out


def duplicates(db: Path) -> dict[str, int]:
    """Rows that share their table's natural key (should be none)."""
    keys = {"reports": "report_id", "documents": "document_id", "report_documents": "report_id, document_id",
            "request_outcomes": "report_id, row_key, applicant", "review_litigation": "report_id, proceeding, outcome",
            "active_disclosure": "report_id, item, metric", "report_sections": "report_id, section",
            "report_extra": "report_id, key"}
    with duckdb.connect(str(db), read_only=True) as conn:
        return {t: n for t, k in keys.items()
                if (n := conn.execute(f"SELECT count(*) - count(DISTINCT ({k})) FROM {t}").fetchone()[0])}


def run(args: list[str], env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(ZFXXGK + args, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def run_and_kill(args: list[str], delay: float, env: dict | None = None) -> bool:
    """Start the command, SIGKILL it after `delay` seconds; True if it was still running (killed)."""
    proc = subprocess.Popen(ZFXXGK + args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and any worker processes it started
        proc.wait()
        return True


def timed(fn):
    t = time.monotonic()
    value = fn()
    return value, time.monotonic() - t
