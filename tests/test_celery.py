"""Scale-out on Celery, for real: Redis on 127.0.0.1 and two Celery workers started by the project's
scripts, the demo portal served by this test, and `crawl_sources_celery` (pipelines/defs/celery.py)
crawling and parsing four sources in parallel on both workers while only the `load` worker writes
DuckDB. The warehouse equals the one a single-process run of the same graph writes."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipelines.crawl.demo_server import serve_demo_portal
from pipelines.settings import PROJECT_ROOT
from tests.faults_helpers import REPORT_TABLES, snapshot
from tests.support.processes import stop_group

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed (scripts/setup installs it)")

SCRIPTS = PROJECT_ROOT / "scripts"
# The four columns of the served demo portal, one source each (two GBK/UTF-8 columns, two lists
# built by script: a TRS search API and a JSON endpoint, replayed without a browser).
COLUMNS = {"demo_gbk": "/gbk/zfxxgknb/index.html", "demo_utf8": "/utf8/xxgknb/index.html",
           "demo_fgw": "/zfxxgk/bmnb/fgw/index.shtml", "demo_jyj": "/zfxxgk/bmnb/jyj/index.html"}
CRAWLER = {"crawler": {"config": {"min_interval": 0.02, "read_timeout": 10}}}

RUN_ON_CELERY = textwrap.dedent("""
    import sys
    import dagster as dg
    from dagster import reconstructable
    from pipelines.defs.celery import crawl_sources_celery

    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(reconstructable(crawl_sources_celery), instance=instance,
                                run_config={"resources": %r})
        print("RUN", result.run_id, result.success)
        sys.exit(0 if result.success else 1)
""" % CRAWLER)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "redis-server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def registry(path: Path, base: str) -> Path:
    rows = "".join(f"{sid},demo column {sid},{base}{col},,demo,true,test,,,auto\n" for sid, col in COLUMNS.items())
    path.write_text("source_id,name,start_urls,adcode,admin_level,reachable_here,url_origin,hints,notes,render\n"
                    + rows, encoding="utf-8")
    return path


def dagster_home(path: Path) -> Path:
    path.mkdir()
    (path / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {path / 'storage'}\n"
                                       "telemetry:\n  enabled: false\n", encoding="utf-8")
    return path


def single_process_run(tmp: Path, sources_csv: Path, monkeypatch) -> Path:
    """The same job, every step in this process, one after another (execute_in_process)."""
    from pipelines.defs.celery import crawl_sources_celery
    from pipelines.defs.resources import CrawlerResource, DataDirResource, WarehouseResource

    monkeypatch.setenv("ZFXXGK_SOURCES", str(sources_csv))
    db = tmp / "single.duckdb"
    result = crawl_sources_celery.execute_in_process(resources={
        "warehouse": WarehouseResource(path=str(db)), "data_dir": DataDirResource(path=str(tmp / "single_data")),
        "crawler": CrawlerResource(min_interval=0.02, read_timeout=10)})
    assert result.success
    return db


@pytest.mark.timeout(300)
def test_sources_crawl_in_parallel_on_two_celery_workers_and_one_loader(tmp_path, monkeypatch):
    port = free_port()
    procs: list[subprocess.Popen] = []
    logs = tmp_path / "logs"
    logs.mkdir()
    with serve_demo_portal(faults={}) as portal:
        sources_csv = registry(tmp_path / "sources.csv", str(portal))
        home = dagster_home(tmp_path / "dagster_home")
        env = {**os.environ, "ZFXXGK_SOURCES": str(sources_csv), "DAGSTER_HOME": str(home),
               "ZFXXGK_DB": str(tmp_path / "celery.duckdb"), "ZFXXGK_DATA_DIR": str(tmp_path / "celery_data"),
               "ZFXXGK_CELERY_BROKER": f"redis://127.0.0.1:{port}/0", "PYTHONPATH": str(PROJECT_ROOT),
               "PYTHONWARNINGS": "ignore"}
        try:
            def start(name: str, *args: str) -> subprocess.Popen:
                out = open(logs / f"{name}.log", "w")
                p = subprocess.Popen([str(SCRIPTS / name.split(".")[0]), *args], cwd=PROJECT_ROOT, env=env,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
                procs.append(p)
                return p

            wait_for_port(port, start("celery-broker", str(port)))
            subprocess.run([sys.executable, "-m", "dagster", "instance", "migrate"], cwd=PROJECT_ROOT, env=env,
                           check=True, capture_output=True, timeout=120)
            start("celery-worker.1", "crawler", "crawl")
            start("celery-worker.2", "loader", "crawl,load")
            run = subprocess.run([sys.executable, "-c", RUN_ON_CELERY], cwd=PROJECT_ROOT, env=env,
                                 capture_output=True, text=True, timeout=240)
            worker_logs = "".join(f.read_text(errors="replace")[-3000:] for f in sorted(logs.iterdir()))
            assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:] + worker_logs
            run_id = run.stdout.split("RUN ", 1)[1].split()[0]
        finally:
            for p in reversed(procs):
                stop_group(p, timeout=15)
        assert all(p.poll() is not None for p in procs)

        # where and when each step ran, from the run's events (the workers' own engine events)
        import dagster as dg

        monkeypatch.setenv("DAGSTER_HOME", str(home))
        with dg.DagsterInstance.get() as instance:
            records = instance.all_logs(run_id)
        worker_of, start_of, end_of = {}, {}, {}
        for e in records:
            d = e.dagster_event
            if d is None or not d.step_key:
                continue
            if d.event_type_value == "ENGINE_EVENT" and "Celery worker" in d.event_specific_data.metadata:
                worker_of[d.step_key] = d.event_specific_data.metadata["Celery worker"].value
            elif d.event_type_value == "STEP_START":
                start_of[d.step_key] = e.timestamp
            elif d.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                end_of[d.step_key] = e.timestamp
        crawls = sorted(k for k in worker_of if k.startswith("crawl_and_parse_source"))
        assert len(crawls) == len(COLUMNS)
        # the crawls ran on both workers, and at least two at the same time
        assert {worker_of[k].split("@")[0] for k in crawls} == {"crawler", "loader"}
        assert any(start_of[a] < end_of[b] and start_of[b] < end_of[a]
                   for i, a in enumerate(crawls) for b in crawls[i + 1:])
        # DuckDB written by the load worker only
        assert worker_of["load_sources"].startswith("loader@")

        single = single_process_run(tmp_path, sources_csv, monkeypatch)
    got, want = snapshot(tmp_path / "celery.duckdb", REPORT_TABLES), snapshot(single, REPORT_TABLES)
    assert got == want
    import duckdb

    with duckdb.connect(str(tmp_path / "celery.duckdb"), read_only=True) as conn:
        by_source = dict(conn.execute("SELECT source_id, count(*) FROM documents GROUP BY 1").fetchall())
        # the five sample reports of the GBK and UTF-8 columns are in the warehouse (test_crawl_demo's gold)
        issuers = {i for (i,) in conn.execute("SELECT issuer FROM reports WHERE parse_status IN ('ok', 'inconsistent')")
                   .fetchall()}
    assert set(by_source) == set(COLUMNS)
    assert {"阜新市人民政府办公室", "山海关区人民政府办公室", "义马市人民政府办公室"} <= issuers
