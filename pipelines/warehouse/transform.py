"""The SQL models of `sql/`, built by dbt (dbt-duckdb) on the warehouse file.

The dbt project is the project root (`dbt_project.yml`, `profiles.yml`); its artefacts (manifest,
compiled SQL, run results, logs) go under `data/dbt/`, never into the source tree. Plain functions,
no Dagster: `build_models(db)` runs `dbt build` in this process through dbt's Python API (models,
then their tests; a failing test skips what depends on it), `parse()` writes the manifest that the
Dagster assets are made from (no network: the project uses no dbt packages), `generate_docs()` the
documentation site.
"""
from __future__ import annotations

import fcntl
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from pipelines.settings import PROJECT_ROOT, SQL_DIR, warehouse_path

PROJECT_DIR = PROJECT_ROOT
DBT_DIR = PROJECT_ROOT / "data" / "dbt"
TARGET_DIR = DBT_DIR / "target"
LOG_DIR = DBT_DIR / "logs"
MANIFEST = TARGET_DIR / "manifest.json"


class DbtError(RuntimeError):
    """dbt could not run, or a model or an error-severity test failed."""


@dataclass
class BuildResult:
    statuses: dict[str, str] = field(default_factory=dict)  # node (model or test) -> success | pass | warn | …
    warnings: list[str] = field(default_factory=list)       # tests at severity warn that found rows
    seconds: float = 0.0

    @property
    def models(self) -> list[str]:
        return [n for n in self.statuses if not n.startswith("test:")]


def dbt_vars(db: Path, memory_limit: Optional[str] = None) -> dict:
    """The project's vars: the warehouse file (profiles.yml) and DuckDB's memory cap (dbt_project.yml)."""
    v = {"warehouse": str(Path(db).resolve())}
    if memory_limit:
        v["memory_limit"] = memory_limit
    return v


def mart_names() -> list[str]:
    """The marts, one per file of sql/marts (what `zfxxgk export` writes)."""
    return sorted(p.stem for p in (SQL_DIR / "marts").glob("*.sql"))


def artefacts_dir(db: Path) -> Path:
    """Where dbt writes for the warehouse `db`: data/dbt for the default one, else `.<name>.dbt/` beside
    the file. dbt's partial parse (~2 s instead of ~6 s a build) is only reused for the same warehouse
    path (the path is part of the profile it hashes), so each warehouse keeps its own."""
    db = Path(db).resolve()
    return DBT_DIR if db == warehouse_path().resolve() else db.parent / f".{db.name}.dbt"


@contextmanager
def _exclusive(directory: Path = DBT_DIR) -> Iterator[None]:
    """One dbt invocation at a time on one target directory (dbt rewrites its files in place)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def invoke(args: Sequence[str], db: Optional[Path] = None, memory_limit: Optional[str] = None):
    """Run one dbt command in process on the project (dbt's dbtRunner); returns its dbtRunnerResult."""
    db = Path(db) if db else warehouse_path()
    with _exclusive(artefacts_dir(db)):
        return _invoke(args, db, memory_limit)


def _invoke(args: Sequence[str], db: Optional[Path] = None, memory_limit: Optional[str] = None):
    from dbt.cli.main import dbtRunner

    db = Path(db) if db else warehouse_path()
    out = artefacts_dir(db)
    full = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(out / "target"), "--log-path", str(out / "logs"),
            "--vars", json.dumps(dbt_vars(db, memory_limit))]
    try:
        result = dbtRunner().invoke(full)
    finally:
        _release_duckdb()
    if result.exception is not None:
        raise DbtError(f"dbt {args[0]}: {result.exception}") from result.exception
    return result


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open in the process after the run (a class-level environment);
    closed here, so that this process (or another) can open the file again, e.g. read-only."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()


def parse() -> Path:
    """Write the manifest (dbt parse: no database, no network). Returns its path."""
    result = invoke(["parse", "--quiet"], warehouse_path())
    if not result.success:
        raise DbtError("dbt parse failed")
    return MANIFEST


def manifest() -> dict:
    """The manifest as JSON, made again first (dbt parse) when it is missing or a file of the project
    is newer; under the lock, so a process never reads one that another is writing."""
    with _exclusive(DBT_DIR):
        if manifest_is_stale():
            if not _invoke(["parse", "--quiet"], warehouse_path()).success:
                raise DbtError("dbt parse failed")
        return json.loads(MANIFEST.read_text(encoding="utf-8"))


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than a file of the project."""
    if not MANIFEST.exists():
        return True
    built = MANIFEST.stat().st_mtime
    files = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles.yml",
             *SQL_DIR.rglob("*"), *(PROJECT_DIR / "macros").rglob("*")]
    return any(f.is_file() and f.stat().st_mtime > built for f in files)


def build_models(db: Optional[Path | str] = None, select: Optional[str] = None, full_refresh: bool = False,
                 memory_limit: Optional[str] = None, quiet: bool = True, unit_tests: bool = False) -> BuildResult:
    """`dbt build` on the warehouse file `db` (default settings.warehouse_path()): every model in
    dependency order, each followed by its tests. The caller must not hold the file open (DuckDB
    allows one writer process; this one waits for another process's lock first). Raises DbtError
    when a model or an error-severity test fails; warn-severity tests that found rows (the format's
    arithmetic broken by a report marked ok) are returned in `warnings`. The dbt unit tests (the
    metric definitions on fixed rows) run only with unit_tests=True: they test the SQL, not the data."""
    from pipelines import warehouse

    db = Path(db) if db else warehouse_path()
    warehouse.connect(db).close()  # waits for another writer's lock, applies pending DDL
    args = ["build", *(["--quiet"] if quiet else []), *(["--select", select] if select else []),
            *(["--full-refresh"] if full_refresh else []),
            *([] if unit_tests else ["--exclude-resource-type", "unit_test"])]
    result = invoke(args, db, memory_limit)
    out = BuildResult()
    failed, failed_incremental = [], []
    for r in result.result or []:
        node = r.node
        name = f"test:{node.name}" if node.resource_type in ("test", "unit_test") else node.name
        status = str(r.status)
        out.statuses[name] = status
        out.seconds += r.execution_time or 0.0
        if status == "warn":
            out.warnings.append(f"{node.name}: {r.message}")
        elif status in ("error", "fail", "runtime error"):
            failed.append(f"{node.name}: {r.message}")
            if getattr(node.config, "materialized", None) == "incremental":
                failed_incremental.append(node.name)
    if failed and not full_refresh and len(failed) == len(failed_incremental):
        # an incremental model whose table an older version of its SQL (or the runner before dbt)
        # built: rebuilt whole, once, rather than failing every load until someone runs --full-refresh
        return build_models(db, select, True, memory_limit, quiet, unit_tests)
    if failed or not result.success:
        raise DbtError("dbt build failed: " + "; ".join(failed or ["see data/dbt/logs/dbt.log"]))
    return out


def generate_docs(db: Optional[Path | str] = None) -> Path:
    """`dbt docs generate`: the documentation site (index.html, manifest, catalog) in data/dbt/target
    (for another warehouse than the default: in `.<name>.dbt/target` beside it).
    The catalog reads the tables' columns, so the warehouse is opened (read-only would not do: the
    profile opens it for writing; the caller must not hold it)."""
    from pipelines import warehouse

    db = Path(db) if db else warehouse_path()
    warehouse.connect(db).close()
    result = invoke(["docs", "generate", "--quiet"], db)
    if not result.success:
        raise DbtError("dbt docs generate failed")
    return artefacts_dir(db) / "target"
