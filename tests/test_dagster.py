"""The Dagster code location: loads, validates, and its jobs run for real (in process)."""
from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from pipelines import warehouse
from pipelines.defs.resources import DataDirResource, WarehouseResource
from pipelines.settings import PROJECT_ROOT


def resources(tmp_path) -> dict:
    return {"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
            "data_dir": DataDirResource(path=str(tmp_path / "data"))}


def test_definitions_load_and_validate():
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw__report_documents", "core__parsed_reports", "core__warehouse_tables",
            "out__requests_by_year", "out__reports_by_status"} <= keys
    # one asset per SQL model
    sql_files = {p.stem for p in (PROJECT_ROOT / "sql").glob("*/*.sql")}
    assert {f"out__{n}" for n in sql_files} <= keys


def test_dagster_cli_validates_the_code_location():
    p = subprocess.run([sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
                       capture_output=True, text=True, timeout=180, cwd=PROJECT_ROOT,
                       env={**os.environ, "DAGSTER_HOME": "", "PYTHONWARNINGS": "ignore"})
    assert p.returncode == 0, p.stdout + p.stderr


def test_main_job_fills_the_warehouse(tmp_path):
    from pipelines.definitions import defs

    job = defs.resolve_job_def("etl_local")
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, resources=resources(tmp_path))
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks if c.check_name == "consistency_rules"] == [True]
    with warehouse.connect(tmp_path / "w.duckdb", read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 5
        assert conn.execute("SELECT sum(reports) FROM reports_by_status").fetchone()[0] == 5


def test_consistency_check_fails_on_an_ok_report_whose_numbers_break_a_rule(tmp_path):
    from pipelines.definitions import defs
    from pipelines.defs.checks import consistency_rules

    job = defs.resolve_job_def("etl_local")
    with dg.instance_for_test() as instance:
        assert job.execute_in_process(instance=instance, resources=resources(tmp_path)).success
    with warehouse.connect(tmp_path / "w.duckdb") as conn:
        # Break R2 in a report the parser had found ok: 本年新收 总计 43 -> 44.
        conn.execute("UPDATE request_outcomes SET value = 44 WHERE report_id = '2023/阜新市人民政府办公室' "
                     "AND row_key = 'new_received' AND applicant = 'total'")
    result = dg.materialize([*defs.assets, consistency_rules], selection=dg.AssetSelection.checks(consistency_rules),
                            resources=resources(tmp_path))
    evaluation, = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["ok_reports_breaking_rules"].value == 1
