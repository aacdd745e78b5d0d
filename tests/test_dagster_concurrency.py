"""The limits of the project's own dagster.yaml, through the run queue: two crawl runs (two sources of
the demo portal) submitted to an instance built from that file, dequeued and launched by the daemon.
Their crawl steps run at the same time (two crawl runs at once); their DuckDB writer steps never do
(the `duckdb` pool, limit 1)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import dagster as dg
import pytest

from pipelines.settings import PROJECT_ROOT
from tests.support.processes import stop_group, write_two_demo_sources

WRITER_STEPS = ("core__warehouse_tables",)  # pool "duckdb" in the crawl_source job
CRAWL_STEP = "raw__source_crawl"
# a crawl of ~10 requests at 2.5 s each: long enough for both runs' crawls to meet, whatever the
# few seconds between their launches on a loaded machine
RUN_CONFIG = {"resources": {"crawler": {"config": {"min_interval": 2.5, "read_timeout": 10}}}}


def step_intervals(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    """step key -> (start, end) timestamps from the run's event log."""
    starts, ends = {}, {}
    for record in instance.get_records_for_run(run_id, of_type={dg.DagsterEventType.STEP_START,
                                                                 dg.DagsterEventType.STEP_SUCCESS,
                                                                 dg.DagsterEventType.STEP_FAILURE}).records:
        entry = record.event_log_entry
        event = entry.dagster_event
        (starts if event.event_type == dg.DagsterEventType.STEP_START else ends)[event.step_key] = entry.timestamp
    return {k: (starts[k], ends[k]) for k in starts if k in ends}


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


@pytest.mark.timeout(600)
def test_two_crawl_runs_overlap_and_the_duckdb_writers_never_do(tmp_path):
    registry = write_two_demo_sources(tmp_path / "sources.csv")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")  # the project's file, unchanged
    env = {**os.environ, "ZFXXGK_SOURCES": str(registry), "DAGSTER_HOME": str(home),
           "ZFXXGK_DB": str(tmp_path / "w.duckdb"), "ZFXXGK_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": str(PROJECT_ROOT), "PYTHONWARNINGS": "ignore"}
    dagster = [sys.executable, "-m", "dagster"]
    # the working directory is not the project root: no path of the instance may depend on it
    subprocess.run([*dagster, "instance", "migrate"], cwd=tmp_path, env=env, check=True, capture_output=True,
                   timeout=120)
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen([sys.executable, "-m", "dagster._daemon", "run", "-m", "pipelines.definitions"],
                              cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # submitted to the run queue (QueuedRunCoordinator), as the UI and schedules submit them
        launches = [subprocess.Popen([*dagster, "job", "launch", "-m", "pipelines.definitions", "-j", "crawl_source",
                                      "--tags", json.dumps({"dagster/partition": key}),
                                      "--config-json", json.dumps(RUN_CONFIG)],
                                     cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for key in ("demo_gbk", "demo_utf8")]
        for p in launches:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, out[-2000:] + err[-3000:]
        with dg.DagsterInstance.from_config(str(home)) as instance:
            # run history under DAGSTER_HOME, none under the working directory
            assert (home / "history" / "runs.db").is_file() and not (tmp_path / "data" / "dagster").exists()
            deadline = time.monotonic() + 420
            while True:
                runs = instance.get_runs()
                if len(runs) == 2 and all(r.is_finished for r in runs):
                    break
                assert time.monotonic() < deadline, ([r.status for r in runs],
                                                     (tmp_path / "daemon.log").read_text()[-3000:])
                time.sleep(2)
            assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 2, \
                (tmp_path / "daemon.log").read_text()[-3000:]
            assert {r.tags["dagster/partition"] for r in runs} == {"demo_gbk", "demo_utf8"}
            a, b = (step_intervals(instance, r.run_id) for r in runs)
            started = [instance.get_run_record_by_id(r.run_id).start_time for r in runs]
    finally:
        stop_group(daemon)
        log.close()
    assert overlap(a[CRAWL_STEP], b[CRAWL_STEP]) > 0, (a[CRAWL_STEP], b[CRAWL_STEP], started)
    for step in WRITER_STEPS:
        assert overlap(a[step], b[step]) <= 0, (step, a[step], b[step])
