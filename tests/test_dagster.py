"""The Dagster code location: loads, validates, and its jobs, checks and schedule run for real."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from pipelines import warehouse
from pipelines.defs.resources import CrawlerResource, DataDirResource, WarehouseResource, dbt_resource
from pipelines.settings import PROJECT_ROOT


def resources(tmp_path: Path) -> dict:
    return {"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")), "dbt": dbt_resource(),
            "data_dir": DataDirResource(path=str(tmp_path / "data")),
            "crawler": CrawlerResource(min_interval=0.01, read_timeout=5)}


def test_definitions_load_and_validate():
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw__source_crawl", "core__parsed_reports", "core__reports", "core__request_outcomes",
            "out__requests_by_year", "out__published_warehouse"} <= keys
    sql_files = {p.stem for p in (PROJECT_ROOT / "sql").glob("*/*.sql")}
    assert {f"out__{n}" for n in sql_files} <= keys  # one asset per SQL model
    crawl = defs.resolve_assets_def("raw__source_crawl")
    assert "demo" in crawl.partitions_def.get_partition_keys()  # one partition per registry source
    assert defs.resolve_schedule_def("nightly_crawl").execution_timezone == "Asia/Shanghai"
    assert defs.resolve_schedule_def("nightly_crawl").default_status == dg.DefaultScheduleStatus.STOPPED


def test_dagster_cli_validates_the_code_location():
    p = subprocess.run([sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
                       capture_output=True, text=True, timeout=180, cwd=PROJECT_ROOT,
                       env={**os.environ, "DAGSTER_HOME": "", "PYTHONWARNINGS": "ignore"})
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """etl_fast materialised in process for the demo source partition (what `zfxxgk demo` runs)."""
    from pipelines.definitions import defs

    tmp = tmp_path_factory.mktemp("demo_run")
    # the project's python_logs (dagster.yaml): the stages' module loggers captured in the run's logs
    python_logs = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text(encoding="utf-8"))["python_logs"]
    with dg.instance_for_test(overrides={"python_logs": python_logs}) as instance:
        result = defs.resolve_job_def("etl_fast").execute_in_process(
            instance=instance, partition_key="demo", resources=resources(tmp))
        messages = [e.user_message for e in instance.all_logs(result.run_id)]
    (tmp / "run_log.txt").write_text("\n".join(messages), encoding="utf-8")
    return tmp, result


def test_demo_partition_fills_the_warehouse(demo_run):
    tmp, result = demo_run
    assert result.success
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    # ours, and the dbt tests of sql/ (the format's arithmetic among them) as checks: all pass
    assert {"consistency_rules", "marts_have_rows", "request_outcomes_balance_r1",
            "review_litigation_outcomes_sum_to_total_r4", "not_null_report_metrics_report_id"} <= checks.keys()
    assert all(checks.values()), checks
    crawl_meta = result.asset_materializations_for_node("raw__source_crawl")[0].metadata
    assert crawl_meta["documents"].value >= 5
    with warehouse.connect(tmp / "w.duckdb", read_only=True) as conn:
        # the five sample reports, each once, whatever number of copies the portal holds
        assert conn.execute("SELECT count(*) FROM reports WHERE parse_status IN ('ok', 'inconsistent')"
                            ).fetchone()[0] == 5
        assert conn.execute("SELECT count(*) FROM sources WHERE source_id = 'demo'").fetchone()[0] == 1
    assert warehouse.published_path(tmp / "w.duckdb").exists()


def test_run_logs_show_what_each_stage_finished(demo_run):
    """The stages' own log lines (module loggers, no Dagster in them) reach the run's event log."""
    tmp, _ = demo_run
    messages = (tmp / "run_log.txt").read_text(encoding="utf-8").splitlines()
    assert any(re.match(r"crawl \S+: \d+ list pages, \d+ documents", m) for m in messages), messages
    assert any(re.match(r"crawl \S+: parsed \d+ documents", m) for m in messages), messages
    assert any(re.match(r"crawl \S+: loaded \d+ reports", m) for m in messages), messages


def test_consistency_check_fails_on_an_ok_report_whose_numbers_break_a_rule(demo_run):
    from pipelines.definitions import defs
    from pipelines.defs.checks import consistency_rules

    tmp, _ = demo_run
    with warehouse.connect(tmp / "w.duckdb") as conn:
        rid = conn.execute("SELECT report_id FROM reports WHERE issuer = '阜新市人民政府办公室'").fetchone()[0]
        conn.execute("UPDATE request_outcomes SET value = value + 1 WHERE report_id = ? "
                     "AND row_key = 'new_received' AND applicant = 'total'", [rid])
    try:
        with dg.instance_for_test() as instance:
            result = dg.materialize([*defs.assets, consistency_rules], instance=instance,
                                    selection=dg.AssetSelection.checks(consistency_rules),
                                    resources=resources(tmp))
        assert result.success  # a failing check is visible, not a crashed run
        evaluation, = result.get_asset_check_evaluations()
        assert not evaluation.passed
        assert evaluation.metadata["ok_reports_breaking_rules"].value == 1
    finally:
        with warehouse.connect(tmp / "w.duckdb") as conn:
            conn.execute("UPDATE request_outcomes SET value = value - 1 WHERE report_id = ? "
                         "AND row_key = 'new_received' AND applicant = 'total'", [rid])


def test_nightly_schedule_tick_requests_one_run_per_reachable_source():
    from pipelines.definitions import defs
    from pipelines.crawl.registry import load_registry

    reachable = sorted(e.source.source_id for e in load_registry() if e.reachable_here)
    with dg.instance_for_test() as instance:
        ctx = dg.build_schedule_context(instance=instance, repository_def=defs.get_repository_def(),
                                        scheduled_execution_time=__import__("datetime").datetime(2026, 3, 1, 2))
        data = defs.resolve_schedule_def("nightly_crawl").evaluate_tick(ctx)
    assert sorted(r.partition_key for r in data.run_requests) == reachable
    assert all(r.run_key.endswith("2026-03-01") for r in data.run_requests)


def test_refresh_sensor_fires_once_per_new_load(demo_run):
    from pipelines.definitions import defs

    sensor = defs.resolve_sensor_def("refresh_models_after_loads")
    with dg.instance_for_test() as instance:
        assert isinstance(sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
        instance.report_runless_asset_event(dg.AssetMaterialization("core__reports", partition="demo"))
        ctx = dg.build_sensor_context(instance=instance)
        first = sensor(ctx)
        assert isinstance(first, dg.RunRequest)
        again = sensor(dg.build_sensor_context(instance=instance, cursor=ctx.cursor))
        assert isinstance(again, dg.SkipReason)
