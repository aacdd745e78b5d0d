"""Faults in `zfxxgk crawl`: SIGKILL at random moments against the demo portal (served by this test
process on 127.0.0.1), and re-runs. Afterwards the warehouse opens and holds either nothing of the
crawl or all of it (the load is one transaction), and a re-run converges to a clean run's tables.
"""
from __future__ import annotations

import random

import pytest

from pipelines import warehouse
from pipelines.crawl.demo_server import demo_start_urls, serve_demo_portal
from tests.faults_helpers import REPORT_TABLES, duplicates, run, run_and_kill, snapshot, timed


@pytest.fixture(scope="module")
def portal():
    with serve_demo_portal(faults={}) as p:  # no scripted 503: every run sees the same portal
        yield p


def crawl_args(portal, tmp, name: str) -> list[str]:
    return ["crawl", *demo_start_urls(portal), "--db", str(tmp / f"{name}.duckdb"), "--data-dir",
            str(tmp / f"{name}_data"), "--interval", "0.02", "--quiet"]


@pytest.fixture(scope="module")
def clean(portal, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl_clean")
    times = []
    for name in ("first", "clean"):  # the second run is timed warm
        proc, t = timed(lambda: run(crawl_args(portal, tmp, name)))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        times.append(t)
    db = tmp / "clean.duckdb"
    tables = snapshot(db)
    assert len(tables["reports"]) >= 5 and duplicates(db) == {}
    return tables, min(times)


@pytest.mark.slow
def test_kill_9_during_crawl_then_rerun_converges(portal, clean, tmp_path):
    clean_tables, seconds = clean
    empty = {t: [] for t in REPORT_TABLES}
    outcomes = []
    for seed in range(4):
        rng = random.Random(seed)
        delay = seconds * (seed + rng.random()) / 4
        args = crawl_args(portal, tmp_path, f"k{seed}")
        killed = run_and_kill(args, delay)
        db = tmp_path / f"k{seed}.duckdb"
        if db.exists():
            with warehouse.connect(db):  # opens, replays its WAL
                pass
            got = snapshot(db, REPORT_TABLES)
            # all of the crawl or none of it (crawl findings are written in their own transaction)
            core = {t: v for t, v in got.items() if t != "findings"}
            assert core == {t: [] for t in core} or core == {t: clean_tables[t] for t in core}, f"seed {seed}"
            assert duplicates(db) == {}
            outcomes.append("none" if got == empty else "all")
        else:
            outcomes.append("no warehouse")
        proc = run(args)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert snapshot(db) == clean_tables, f"seed {seed} (killed={killed}, delay {delay:.2f} s)"


def test_rerunning_the_crawl_gives_identical_tables(portal, clean, tmp_path):
    clean_tables, _ = clean
    args = crawl_args(portal, tmp_path, "again")
    for _ in range(3):
        proc = run(args)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert snapshot(tmp_path / "again.duckdb") == clean_tables
