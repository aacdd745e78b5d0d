"""Benchmark: build every SQL model (sql/) over a synthetic warehouse of N reports (default 1,000,000).

    .venv/bin/python benchmarks/bench_models.py [--reports N] [--db PATH] [--keep]

The synthetic tables are generated directly in DuckDB SQL (the loader is not what is measured):
reports spread over 31 provinces, 5 levels and 6 years (2% jurisdiction, 90% ok, 5% inconsistent,
5% partial), table 3 with all 25 rows × 7 applicant columns, table 4 (15 cells), the fee cell, and a
finding for one report in ten. Prints the generation time, each model's build time and row count,
and the total. Target (issue 6): the models build in ≤ 30 s for 1,000,000 reports.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pipelines import warehouse
from pipelines.record import APPLICANTS, OUTCOMES, PROCEEDINGS, REQUEST_ROWS
from pipelines.warehouse import models

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
               (i % 10 = 0)::INT, now()::TIMESTAMP
        FROM (SELECT i, {sql_list(PROVINCES)}[(i % 31) + 1] AS p FROM range({n}) t(i))
    """)
    # Table 3: every cell of the 25 rows × 7 columns; outcomes sum to total_handled only roughly —
    # the models' work, not the data's consistency, is measured.
    conn.execute(f"""
        INSERT INTO request_outcomes
        SELECT 'r' || i, rk, ap, CASE WHEN ap = 'total' THEN (hash(i, rk) % 50)::BIGINT
                                      ELSE (hash(i, rk, ap) % 8)::BIGINT END
        FROM range({n}) t(i), unnest({sql_list(REQUEST_ROWS)}) r(rk), unnest({sql_list(APPLICANTS)}) a(ap)
        WHERE i % 20 <> 2
    """)
    conn.execute(f"""
        INSERT INTO review_litigation
        SELECT 'r' || i, pr, oc, (hash(i, pr, oc) % 5)::BIGINT
        FROM range({n}) t(i), unnest({sql_list(PROCEEDINGS)}) p(pr), unnest({sql_list(OUTCOMES)}) o(oc)
        WHERE i % 20 <> 2
    """)
    conn.execute(f"""
        INSERT INTO active_disclosure
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, help="warehouse file (default: a temp file, deleted after)")
    args = ap.parse_args()
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_models_")
        args.db = Path(tmp.name) / "bench.duckdb"
    conn = warehouse.connect(args.db)
    t0 = time.perf_counter()
    drop_keys(conn)
    generate(conn, args.reports)
    rows = conn.execute("SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM request_outcomes), "
                        "(SELECT count(*) FROM review_litigation)").fetchone()
    print(f"generated {rows[0]:,} reports, {rows[1]:,} request_outcomes rows, {rows[2]:,} review_litigation rows "
          f"in {time.perf_counter() - t0:.1f} s")
    ms = models.discover()
    total = time.perf_counter()
    for name in models.build_order(ms):
        t = time.perf_counter()
        n = models.build_model(conn, ms[name])
        print(f"  {name:<34} {ms[name].kind:<5} {n:>10,} rows  {time.perf_counter() - t:6.2f} s")
    elapsed = time.perf_counter() - total
    print(f"built {len(ms)} models over {args.reports:,} reports in {elapsed:.1f} s "
          f"({'within' if elapsed <= 30 else 'OVER'} the 30 s target)")
    conn.close()
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
