"""The UI path: a `dagster dev` started by the test, a run launched through the webserver's GraphQL
API (what the UI's Materialize button does), a second user querying the published warehouse
during that run, and a headless-Chromium screenshot of the asset graph (tests/artifacts/)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from pipelines import warehouse
from pipelines.pipeline.load import load_local
from pipelines.settings import PROJECT_ROOT, SAMPLES_DIR
from tests.support.processes import stop_group

ARTIFACTS = Path(__file__).parent / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql",
                                 data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.loads(resp.read())
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ui")
    home = tmp / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        f"storage:\n  sqlite:\n    base_dir: {home / 'storage'}\ntelemetry:\n  enabled: false\n"
        "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: QueuedRunCoordinator\n"
        "concurrency:\n  runs:\n    max_concurrent_runs: 2\n", encoding="utf-8")
    (home / ".nux").mkdir()
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n", encoding="utf-8")  # no welcome modal over the graph
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "ZFXXGK_DB": str(tmp / "w.duckdb"),
           "ZFXXGK_DATA_DIR": str(tmp / "data"), "PYTHONWARNINGS": "ignore"}
    log = (tmp / "dagster_dev.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions",
                             "-h", "127.0.0.1", "-p", str(port)], cwd=PROJECT_ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                graphql(port, "{ version }")
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("dagster dev did not start:\n" + (tmp / "dagster_dev.log").read_text()[-3000:])
                time.sleep(1)
        yield port, tmp
    finally:
        stop_group(proc)
        log.close()


LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
STATUS = """query Status($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"""
LOCATION = """{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"""


@pytest.mark.timeout(600)
def test_run_launched_through_graphql_fills_the_warehouse_while_readers_query(dagster_dev):
    port, tmp = dagster_dev
    db = tmp / "w.duckdb"
    load_local([SAMPLES_DIR], db)  # yesterday's data, published for readers
    location = graphql(port, LOCATION)["workspaceOrError"]["locationEntries"][0]["name"]
    params = {"selector": {"repositoryLocationName": location, "repositoryName": "__repository__",
                           "jobName": "etl_fast"},
              "runConfigData": {"resources": {"crawler": {"config": {"min_interval": 0.05}}}},
              "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "demo"}]}}
    launched = graphql(port, LAUNCH, {"params": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    reads, failures, stop = [], [], threading.Event()

    def second_user() -> None:
        while not stop.is_set():
            try:
                with warehouse.connect_reader(db) as conn:
                    reads.append(conn.execute("SELECT count(*) FROM reports").fetchone()[0])
            except duckdb.Error as e:
                failures.append(str(e))
            time.sleep(0.2)

    reader = threading.Thread(target=second_user)
    reader.start()
    try:
        deadline = time.monotonic() + 400
        status = None
        while time.monotonic() < deadline:
            status = graphql(port, STATUS, {"id": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                break
            time.sleep(1)
    finally:
        stop.set()
        reader.join()
    assert status == "SUCCESS"
    assert failures == [] and len(reads) >= 3  # the second user was never blocked
    with warehouse.connect(db, read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM sources WHERE source_id = 'demo'").fetchone()[0] == 1
        assert conn.execute("SELECT count(DISTINCT document_id) FROM report_documents WHERE url LIKE 'http%'"
                            ).fetchone()[0] >= 5


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (scripts/setup --dev installs it)")
def test_asset_graph_page_screenshot(dagster_dev, tmp_path):
    port, _ = dagster_dev
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "asset_graph.png"
    shot.unlink(missing_ok=True)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'chrome'}", "--window-size=1600,1000",
                    "--virtual-time-budget=20000", f"--screenshot={shot}",
                    f"http://127.0.0.1:{port}/asset-groups"], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000


ASSETS = """{ assetNodes { assetKey { path } groupName
  metadataEntries { label ... on TableSchemaMetadataEntry { schema { columns { name description } } } }
  assetChecksOrError { ... on AssetChecks { checks { name } } } } }"""


def test_ui_shows_every_model_and_core_table_with_column_docs_and_tests_as_checks(dagster_dev):
    port, _ = dagster_dev
    nodes = {"/".join(n["assetKey"]["path"]): n for n in graphql(port, ASSETS)["assetNodes"]}
    models = {p.stem for p in (PROJECT_ROOT / "sql").glob("*/*.sql")}
    assert {f"out__{m}" for m in models} <= nodes.keys()
    assert {"core__reports", "core__request_outcomes", "core__review_litigation", "core__findings",
            "core__fetch_log", "core__crawl_runs"} <= nodes.keys()

    def columns(key: str) -> dict:
        entry, = (e for e in nodes[key]["metadataEntries"] if e["label"] == "dagster/column_schema")
        return {c["name"]: c["description"] for c in entry["schema"]["columns"]}

    def checks(key: str) -> set:
        return {c["name"] for c in nodes[key]["assetChecksOrError"]["checks"]}

    assert columns("out__report_metrics")["disclosure_rate"].startswith("公开率 = (granted + partially_granted)")
    assert nodes["out__report_metrics"]["groupName"] == "out_marts"
    assert {"unique_report_metrics_report_id", "not_null_report_metrics_report_id"} <= checks("out__report_metrics")
    assert {"request_outcomes_balance_r1", "request_outcomes_columns_sum_to_total_r2"} <= checks("core__request_outcomes")
    assert "consistency_rules" in checks("core__reports")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (scripts/setup --dev installs it)")
def test_dbt_models_graph_screenshot(dagster_dev, tmp_path):
    """The marts group: every dbt mart with the core tables and staging views it reads."""
    port, _ = dagster_dev
    location = graphql(port, LOCATION)["workspaceOrError"]["locationEntries"][0]["name"]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dbt_models_graph.png"
    shot.unlink(missing_ok=True)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'chrome'}", "--window-size=1800,1100",
                    "--virtual-time-budget=20000", f"--screenshot={shot}",
                    f"http://127.0.0.1:{port}/locations/__repository__@{location}/asset-groups/out_marts"],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000
