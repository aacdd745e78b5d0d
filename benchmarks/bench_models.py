"""Benchmark: the SQL models over a synthetic warehouse of N reports (default 1,000,000): the dbt build
against the home-made runner it replaced, in one run, on the same data.

    .venv/bin/python benchmarks/bench_models.py [--reports N] [--db PATH] [--skip-old] [--skip-tests]

The synthetic tables are generated directly in DuckDB SQL (the loader is not what is measured):
reports spread over 31 provinces, 5 levels and 6 years (2% jurisdiction, 90% ok, 5% inconsistent,
5% partial), table 3 with all 25 rows × 7 applicant columns, table 4 (15 cells), the fee cell, and a
finding for one report in ten. Then, each on its own copy of that file:

1. old runner: `pipelines/warehouse/models.py` and `sql/` as of OLD_COMMIT (read from git), every
   model rebuilt with CREATE OR REPLACE in its guessed dependency order;
2. dbt run, first build: every model of sql/ (the incremental models built whole);
3. dbt run after a load of 1% of the reports (their rows deleted and appended again with a new
   loaded_at, a cell changed): the incremental models (the two pivots, report_metrics) rebuild those
   reports, the rest whole;
4. unless --skip-tests: dbt build (models and every data test) after another such load, what
   `zfxxgk load` runs: the per-cell tables' tests check the reports not built before
   (macros/new_reports.sql); then dbt build on a fresh copy, first build (every data test over every
   report, the format's arithmetic over 166 M cells included).
dbt parses the project first, once for the new warehouse path (timed apart: a warehouse pays it once).

Targets (issue 13): (2) ≤ 1.2 × (1); the whole build ≤ 15 s at 1,000,000 reports.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines import warehouse
from pipelines.record import APPLICANTS, OUTCOMES, PROCEEDINGS, REQUEST_ROWS
from pipelines.settings import PROJECT_ROOT
from pipelines.warehouse import transform

OLD_COMMIT = "92c0a64"  # the last commit with the home-made runner
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
             "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]


def drop_keys(conn) -> None:
    """The synthetic rows go into copies of the fact tables without their primary-key indexes: keeping
    keys unique is the loader's work (and its cost), not the models'."""
    for table in ("reports", "request_outcomes", "review_litigation", "active_disclosure"):
        conn.execute(f"CREATE TABLE _{table} AS SELECT * FROM {table} WHERE false")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE _{table} RENAME TO {table}")


def generate(conn, n: int) -> None:
    sql_list = lambda xs: "[" + ", ".join(f"'{x}'" for x in xs) + "]"  # noqa: E731
    conn.execute(f"""
        INSERT INTO reports (report_id, document_id, url, source_id, issuer, year, format_version, scope,
                             parse_status, adcode, province, prefecture, county, admin_level, body_kind,
                             n_findings, loaded_at)
        SELECT 'r' || i, 'd' || i, 'http://127.0.0.1/' || i, 's' || (i % 3000), 'body' || (i // 6),
               2019 + (i % 6), CASE WHEN i % 6 < 2 THEN '2019' ELSE '2021' END,
               CASE WHEN i % 50 = 0 THEN 'jurisdiction' ELSE 'self' END,
               CASE WHEN i % 20 = 1 THEN 'inconsistent' WHEN i % 20 = 2 THEN 'partial' ELSE 'ok' END,
               p || lpad(((i // 31) % 20 + 1)::VARCHAR, 2, '0') || lpad(((i // 620) % 30 + 1)::VARCHAR, 2, '0'),
               'province' || p, 'prefecture' || (i // 31 % 20), 'county' || (i // 620 % 30),
               ['central', 'province', 'prefecture', 'county', 'township'][(i // 7) % 5 + 1],
               ['government', 'department', 'zone', 'vertical'][(i // 11) % 4 + 1],
               (i % 10 = 0)::INT, TIMESTAMP '2026-01-01'
        FROM (SELECT i, {sql_list(PROVINCES)}[(i % 31) + 1] AS p FROM range({n}) t(i))
    """)
    # Table 3: every cell of the 25 rows × 7 columns; outcomes sum to total_handled only roughly —
    # the models' work, not the data's consistency, is measured.
    conn.execute(f"""
        INSERT INTO request_outcomes (report_id, row_key, applicant, value)
        SELECT 'r' || i, rk, ap, CASE WHEN ap = 'total' THEN (hash(i, rk) % 50)::BIGINT
                                      ELSE (hash(i, rk, ap) % 8)::BIGINT END
        FROM range({n}) t(i), unnest({sql_list(REQUEST_ROWS)}) r(rk), unnest({sql_list(APPLICANTS)}) a(ap)
        WHERE i % 20 <> 2
    """)
    conn.execute(f"""
        INSERT INTO review_litigation (report_id, proceeding, outcome, value)
        SELECT 'r' || i, pr, oc, (hash(i, pr, oc) % 5)::BIGINT
        FROM range({n}) t(i), unnest({sql_list(PROCEEDINGS)}) p(pr), unnest({sql_list(OUTCOMES)}) o(oc)
        WHERE i % 20 <> 2
    """)
    conn.execute(f"""
        INSERT INTO active_disclosure (report_id, item, metric, value)
        SELECT 'r' || i, 'fees_10k_yuan', 'amount',
               CASE WHEN i % 997 = 0 THEN 250000.0 ELSE (hash(i) % 1000) / 10.0 END
        FROM range({n}) t(i)
    """)
    conn.execute(f"""
        INSERT INTO findings (report_id, document_id, url, stage, rule, severity, detail)
        SELECT 'r' || i, 'd' || i, 'http://127.0.0.1/' || i, 'validate', 'R' || (i % 4 + 1),
               CASE WHEN i % 20 = 0 THEN 'error' ELSE 'warning' END, 'synthetic'
        FROM range(0, {n}, 10) t(i)
    """)
    for table in ("request_outcomes", "review_litigation", "active_disclosure", "findings"):
        if "loaded_at" in columns(conn, table):  # the per-cell tables carry their batch's time (DDL 006)
            conn.execute(f"UPDATE {table} SET loaded_at = TIMESTAMP '2026-01-01'")


def columns(conn, table: str) -> set[str]:
    return {c for (c,) in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                        [table]).fetchall()}


def reload_one_percent(db: Path, day: int = 2) -> int:
    """What a load does to the models' inputs: 1% of the reports written again (a cell changed) with the
    batch's new loaded_at (2026-01-<day>), their old rows deleted and the new ones appended, as the loader does."""
    again = f"TIMESTAMP '2026-01-{day:02d}'"
    with warehouse.connect(db) as conn:
        conn.execute("CREATE TEMP TABLE again AS SELECT report_id FROM reports WHERE hash(report_id) % 100 = 0")
        for table in ("reports", "request_outcomes", "review_litigation", "active_disclosure"):
            conn.execute(f"CREATE TEMP TABLE new_{table} AS SELECT * REPLACE ({again} AS loaded_at) FROM {table} "
                         "WHERE report_id IN (SELECT report_id FROM again)")
            conn.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM again)")
        conn.execute("UPDATE new_request_outcomes SET value = value + 1 WHERE applicant = 'total' AND row_key = 'granted'")
        for table in ("reports", "request_outcomes", "review_litigation", "active_disclosure"):
            conn.execute(f"INSERT INTO {table} SELECT * FROM new_{table}")
        conn.execute("CHECKPOINT")
        return conn.execute(f"SELECT count(*) FROM reports WHERE loaded_at = {again}").fetchone()[0]


def old_runner(workdir: Path):
    """The home-made runner and its SQL as of OLD_COMMIT, from git; None when git cannot give them."""
    def show(path: str) -> str:
        return subprocess.run(["git", "show", f"{OLD_COMMIT}:{path}"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, check=True).stdout
    try:
        files = subprocess.run(["git", "ls-tree", "-r", "--name-only", OLD_COMMIT, "sql/"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, check=True).stdout.split()
        for f in files:
            (workdir / f).parent.mkdir(parents=True, exist_ok=True)
            (workdir / f).write_text(show(f), encoding="utf-8")
        (workdir / "old_models.py").write_text(show("pipelines/warehouse/models.py"), encoding="utf-8")
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"old runner unavailable ({e}); skipped")
        return None
    spec = importlib.util.spec_from_file_location("old_models", workdir / "old_models.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["old_models"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def time_old(mod, db: Path, sql_dir: Path) -> float:
    conn = warehouse.connect(db)
    found = mod.discover(sql_dir)
    t0 = time.perf_counter()
    for name in mod.build_order(found):
        mod.build_model(conn, found[name])
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def time_dbt(label: str, db: Path, command: str = "run") -> float:
    """One dbt invocation (in process, as `zfxxgk load` runs it); prints its slowest nodes."""
    args = [command, "--quiet", *(["--exclude-resource-type", "unit_test"] if command == "build" else [])]
    t0 = time.perf_counter()
    result = transform.invoke(args, db)
    elapsed = time.perf_counter() - t0
    if not result.success:
        raise SystemExit(f"dbt {command} failed")
    nodes = sorted(((r.execution_time or 0.0, r.node.name) for r in result.result), reverse=True)
    in_nodes = sum(t for t, _ in nodes)
    print(f"{label:<46} {elapsed:6.1f} s  ({len(nodes)} nodes, {in_nodes:.1f} s in them; slowest: "
          + ", ".join(f"{n} {t:.1f}" for t, n in nodes[:4]) + ")", flush=True)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, help="directory for the warehouse files (default: a temp dir, deleted after)")
    ap.add_argument("--skip-old", action="store_true", help="do not time the old runner")
    ap.add_argument("--skip-tests", action="store_true", help="do not time dbt build (models + data tests)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench_models_", dir=args.db)
    work = Path(tmp.name)
    base = work / "synthetic.duckdb"
    conn = warehouse.connect(base)
    t0 = time.perf_counter()
    drop_keys(conn)
    generate(conn, args.reports)
    rows = conn.execute("SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM request_outcomes), "
                        "(SELECT count(*) FROM review_litigation)").fetchone()
    conn.execute("CHECKPOINT")
    conn.close()
    print(f"generated {rows[0]:,} reports, {rows[1]:,} request_outcomes rows, {rows[2]:,} review_litigation rows "
          f"in {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.1f}", flush=True)

    old = None
    if not args.skip_old and (mod := old_runner(work / "old")) is not None:
        db = work / "old.duckdb"
        shutil.copyfile(base, db)
        old = time_old(mod, db, work / "old" / "sql")
        print(f"{'old runner (' + OLD_COMMIT + '), every model':<46} {old:6.1f} s", flush=True)
        db.unlink()

    db = work / "dbt.duckdb"
    shutil.copyfile(base, db)
    # dbt parses the project once per warehouse path (the path is in the profile): timed apart, as a
    # warehouse's first `zfxxgk load` pays it once and its later builds reuse the parse
    t0 = time.perf_counter()
    if not transform.invoke(["parse", "--quiet"], db).success:
        raise SystemExit("dbt parse failed")
    print(f"{'dbt parse (once per warehouse path)':<46} {time.perf_counter() - t0:6.1f} s", flush=True)
    first = time_dbt("dbt run, first build", db)
    changed = reload_one_percent(db)
    again = time_dbt(f"dbt run after a load of {changed:,} reports", db)
    if not args.skip_tests:
        reload_one_percent(db, day=3)
        after_load = time_dbt(f"dbt build (models + data tests) after a load of {changed:,}", db, "build")
        db.unlink()
        shutil.copyfile(base, db)
        time_dbt("dbt build (models + data tests), first build", db, "build")
    print(f"load average {os.getloadavg()[0]:.1f}")
    if old:
        print(f"first build / old runner = {first / old:.2f} (target ≤ 1.2: {'met' if first <= 1.2 * old else 'NOT met'})")
    print(f"rebuild after a load: {again:.1f} s (target ≤ 15 s: {'met' if again <= 15 else 'NOT met'}); "
          f"first build {first:.1f} s ({'within' if first <= 15 else 'over'} 15 s)")
    if not args.skip_tests:
        print(f"dbt build after a load (what zfxxgk load runs): {after_load:.1f} s "
              f"({'within' if after_load <= 15 else 'over'} 15 s)")
    tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
