"""The dbt project (dbt_project.yml, sql/, macros/) on a real warehouse built from the bundled samples:
it builds with every data and unit test passing, documents every column, declares every core table as a
source, its format-arithmetic tests catch an `ok` report that does not add up (the per-cell tables' tests
check the reports a build has not built before; every report with --full-refresh), report_metrics follows
loads incrementally, and `zfxxgk docs` serves the documentation on 127.0.0.1."""
from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import urllib.request

import pytest

from pipelines import warehouse
from pipelines.pipeline.load import load_local
from pipelines.record import OTHER_TOTAL, REQUEST_ROWS
from pipelines.settings import PROJECT_ROOT, SAMPLES_DIR
from pipelines.warehouse import transform


# report_metrics and the incremental tables it reads (without the sources' tests: a test here may leave a
# report's rows in the per-cell tables after deleting it from reports)
REPORT_METRICS = "stg_request_totals stg_review_litigation report_metrics"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The five samples loaded (`zfxxgk load`: models built by dbt), then `dbt build` with the unit tests."""
    path = tmp_path_factory.mktemp("dbt") / "w.duckdb"
    load_local([SAMPLES_DIR], path)
    built = transform.build_models(path, unit_tests=True)
    return path, built


def manifest() -> dict:
    return transform.manifest()


def test_build_passes_with_every_test(db):
    _, built = db
    models = {p.stem for p in (PROJECT_ROOT / "sql").glob("*/*.sql")}
    assert models <= set(built.models)
    assert set(built.statuses.values()) <= {"success", "pass"}, built.statuses
    assert not built.warnings
    tests = [n for n in built.statuses if n.startswith("test:")]
    assert {"test:report_metrics_rates_of_one_report", "test:metrics_grouped_sums_numerators_and_denominators",
            "test:request_outcomes_balance_r1", "test:review_litigation_outcomes_sum_to_total_r4"} <= set(tests)
    assert len(tests) > 80


def test_every_model_and_column_is_documented(db):
    path, _ = db
    nodes = [n for n in manifest()["nodes"].values() if n["resource_type"] == "model"]
    with warehouse.connect(path, read_only=True) as conn:
        for node in nodes:
            assert node["description"].strip(), node["name"]
            built = {c for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [node["name"]]).fetchall()}
            documented = {name for name, c in node["columns"].items() if c["description"].strip()}
            assert built == documented, node["name"]
            assert "{{" not in " ".join(c["description"] for c in node["columns"].values())  # doc() rendered


def test_every_core_table_is_a_source(db):
    path, _ = db
    sources = {s["name"] for s in manifest()["sources"].values()}
    models = {n["name"] for n in manifest()["nodes"].values() if n["resource_type"] == "model"}
    with warehouse.connect(path, read_only=True) as conn:
        tables = {t for (t,) in conn.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = 'main'").fetchall()}
    assert tables - models - {"schema_migrations"} == sources


def test_macro_row_keys_are_the_record_row_keys():
    macro = manifest()["macros"]["macro.zfxxgk.request_row_keys"]["macro_sql"]
    assert re.findall(r'"(\w+)"', macro) == [*REQUEST_ROWS, OTHER_TOTAL]


def _ok_sample(conn) -> str:
    # 阜新市人民政府办公室: ok; its 本年新收 总计 is 43 (the sample)
    rid = conn.execute("SELECT report_id FROM reports WHERE issuer = '阜新市人民政府办公室'").fetchone()[0]
    assert conn.execute("SELECT parse_status FROM reports WHERE report_id = ?", [rid]).fetchone()[0] == "ok"
    return rid


def _add_to_new_received(conn, rid: str, delta: int) -> None:
    """One more (or less) in 本年新收 总计: breaks R1 (that column) and R2 (that row's applicant columns)."""
    conn.execute("UPDATE request_outcomes SET value = value + ? WHERE report_id = ? "
                 "AND row_key = 'new_received' AND applicant = 'total'", [delta, rid])


def _as_loaded_again(conn, rid: str) -> None:
    """What a load does to a report it writes again: every row of it gets the batch's one new loaded_at."""
    at = datetime.datetime.now()
    for table in ("reports", "active_disclosure", "request_outcomes", "review_litigation"):
        conn.execute(f"UPDATE {table} SET loaded_at = ? WHERE report_id = ?", [at, rid])


def _arithmetic(result) -> dict:
    return {r.node.name: (str(r.status), r.failures) for r in result.result
            if r.node.name.startswith("request_outcomes_") and r.node.name[-3:] in ("_r1", "_r2", "_r3")}


def test_arithmetic_tests_find_an_ok_report_that_does_not_add_up(db):
    path, _ = db
    with warehouse.connect(path) as conn:
        rid = _ok_sample(conn)
        _add_to_new_received(conn, rid, 1)
        _as_loaded_again(conn, rid)
    try:
        result = transform.invoke(["test", "--quiet", "--select", "source:core.request_outcomes"], path)
        assert _arithmetic(result) == {"request_outcomes_balance_r1": ("warn", 1),
                                       "request_outcomes_columns_sum_to_total_r2": ("warn", 1),
                                       "request_outcomes_outcomes_sum_to_total_handled_r3": ("pass", 0)}
    finally:
        with warehouse.connect(path) as conn:
            _add_to_new_received(conn, rid, -1)
        transform.build_models(path, select=REPORT_METRICS)


def test_the_cell_tests_check_the_reports_not_built_before_and_all_on_full_refresh(db):
    path, _ = db
    transform.build_models(path, select=REPORT_METRICS)  # every report built: nothing new to check
    with warehouse.connect(path) as conn:
        rid = _ok_sample(conn)
        _add_to_new_received(conn, rid, 1)  # changed in place, not loaded again
    try:
        checked = transform.invoke(["test", "--quiet", "--select", "source:core.request_outcomes"], path)
        assert _arithmetic(checked) == {"request_outcomes_balance_r1": ("pass", 0),
                                        "request_outcomes_columns_sum_to_total_r2": ("pass", 0),
                                        "request_outcomes_outcomes_sum_to_total_handled_r3": ("pass", 0)}
        everything = transform.invoke(["build", "--quiet", "--full-refresh", "--select", "source:core.request_outcomes"],
                                      path)
        assert _arithmetic(everything)["request_outcomes_balance_r1"] == ("warn", 1)
        assert _arithmetic(everything)["request_outcomes_columns_sum_to_total_r2"] == ("warn", 1)
    finally:
        with warehouse.connect(path) as conn:
            _add_to_new_received(conn, rid, -1)


def test_report_metrics_follows_loads_incrementally(db):
    path, _ = db
    with warehouse.connect(path) as conn:
        (rid, granted), = conn.execute("SELECT report_id, granted FROM report_metrics "
                                       "WHERE issuer = '阜新市人民政府办公室'").fetchall()
        gone = conn.execute("SELECT report_id FROM reports WHERE issuer = '阿城区'").fetchone()[0]
        # what a load does: a report's cells rewritten with a new loaded_at; a stale report id removed
        conn.execute("UPDATE request_outcomes SET value = value + 2 WHERE report_id = ? "
                     "AND row_key = 'granted' AND applicant = 'total'", [rid])
        _as_loaded_again(conn, rid)
        conn.execute("DELETE FROM reports WHERE report_id = ?", [gone])

    def built() -> dict:
        with warehouse.connect(path, read_only=True) as conn:
            return {table: dict(conn.execute(f"SELECT report_id, granted FROM {table}").fetchall())
                    for table in ("report_metrics", "stg_request_totals")}
    try:
        # report_metrics alone (a Dagster subset): its parent table not rebuilt yet, so the report's numbers
        # are NULL, never those of its former load
        transform.build_models(path, select="report_metrics")
        assert built()["report_metrics"][rid] is None and built()["stg_request_totals"][rid] == granted
        # the next build rebuilds the report in every incremental table (stg_request_totals had not built it)
        transform.build_models(path, select=REPORT_METRICS)
        for table, got in built().items():
            assert got[rid] == granted + 2, table
            assert gone not in got and len(got) == 4, table
    finally:
        transform.build_models(path, select=REPORT_METRICS, full_refresh=True)


def test_an_incremental_table_of_older_sql_is_rebuilt_whole(db):
    path, _ = db
    with warehouse.connect(path) as conn:  # as the runner before dbt left it: no loaded_at column
        conn.execute("ALTER TABLE report_metrics DROP COLUMN loaded_at")
    built = transform.build_models(path, select="report_metrics")
    assert built.statuses["report_metrics"] == "success"
    with warehouse.connect(path, read_only=True) as conn:
        assert conn.execute("SELECT count(loaded_at) FROM report_metrics").fetchone()[0] == 4


def test_docs_command_serves_the_documentation(db, tmp_path):
    path, _ = db
    env = {**os.environ, "ZFXXGK_DB": str(path), "PYTHONUNBUFFERED": "1"}
    p = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "docs", "--port", "0"], cwd=PROJECT_ROOT,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in p.stdout:
            if m := re.search(r"(http://127\.0\.0\.1:\d+/)", line):
                url = m[1]
                break
        assert url, p.stderr.read()
        page = urllib.request.urlopen(url + "index.html", timeout=10).read().decode()
        assert "dbt" in page.lower()
        catalog = json.loads(urllib.request.urlopen(url + "catalog.json", timeout=10).read())
        assert "model.zfxxgk.report_metrics" in catalog["nodes"]
        assert "source.zfxxgk.core.request_outcomes" in catalog["sources"]
    finally:
        # the server stops on SIGTERM; once in CI it was still running 10 s after (cause not found, not
        # seen again in isolation): then it is killed, so that what it holds is freed for the next tests
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)
