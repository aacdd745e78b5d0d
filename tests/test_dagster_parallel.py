"""Two source partitions run at the same time, each with the multiprocess executor, sharing one
data directory and one warehouse: the stages are safe to run in parallel."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from pipelines import warehouse
from pipelines.settings import PROJECT_ROOT
from tests.support.processes import write_two_demo_sources

RUN_PARTITION = textwrap.dedent("""
    import sys
    import dagster as dg
    from dagster import reconstructable
    from tests.dagster_jobs import crawl_source_job

    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(reconstructable(crawl_source_job), instance=instance, tags={"dagster/partition": sys.argv[1]},
            run_config={"execution": {"config": {"multiprocess": {"max_concurrent": 2}}},
                        "resources": {"crawler": {"config": {"min_interval": 0.02, "read_timeout": 10}}}})
        print("RUN", sys.argv[1], result.success)
        sys.exit(0 if result.success else 1)
""")


@pytest.mark.timeout(600)
def test_two_sources_in_parallel_with_the_multiprocess_executor(tmp_path):
    registry = write_two_demo_sources(tmp_path / "sources.csv")
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {home / 'storage'}\n"
                                       "telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {**os.environ, "ZFXXGK_SOURCES": str(registry), "DAGSTER_HOME": str(home),
           "ZFXXGK_DB": str(tmp_path / "w.duckdb"), "ZFXXGK_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": str(PROJECT_ROOT), "PYTHONWARNINGS": "ignore"}
    # Create the instance's SQLite databases once first: two processes migrating a fresh instance at the
    # same moment race in alembic (a real deployment's instance exists before its runs do).
    subprocess.run([sys.executable, "-m", "dagster", "instance", "migrate"],
                   cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=120)
    procs = [subprocess.Popen([sys.executable, "-c", RUN_PARTITION, key], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for key in ("demo_gbk", "demo_utf8")]
    outs = [p.communicate(timeout=500) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, out[-2000:] + err[-4000:]
    with warehouse.connect(tmp_path / "w.duckdb", read_only=True) as conn:
        by_source = dict(conn.execute("SELECT source_id, count(*) FROM reports "
                                      "WHERE parse_status IN ('ok', 'inconsistent') GROUP BY 1").fetchall())
        # every sample report once: the GBK column holds some, the UTF-8 column the others
        assert sum(by_source.values()) == 5 and set(by_source) == {"demo_gbk", "demo_utf8"}
        dup = conn.execute("SELECT count(*) FROM (SELECT report_id, row_key, applicant FROM request_outcomes "
                           "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
        assert dup == 0
    # the shared crawl state holds both sources' pages (no process lost the other's lines)
    state = (tmp_path / "data" / "crawl" / "state.jsonl").read_text(encoding="utf-8")
    assert "/gbk/" in state and "/utf8/" in state
