"""Faults in `zfxxgk load`: SIGKILL at random moments, and re-runs, lose nothing and duplicate nothing.

A generated corpus (benchmarks/gen_corpus.py: every layout, notices, reposts, inconsistent reports) is
loaded in batches of 20 documents, each batch one transaction. After a kill -9 the warehouse must open,
hold exactly the documents of a whole number of batches (never part of one) with exactly the rows a
clean load of those batches gives, and a re-run must give the same tables as a clean run.
"""
from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from benchmarks.gen_corpus import generate
from pipelines import warehouse
from pipelines.pipeline.files import expand_paths
from pipelines.pipeline.load import load_local
from tests.faults_helpers import REPORT_TABLES, duplicates, run, run_and_kill, snapshot, timed

BATCH = 20
ENV = {"ZFXXGK_LOAD_BATCH": str(BATCH), "ZFXXGK_WORKERS": "1"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    generate(out / "docs", portals=4, reports_per_portal=40, seed=8)
    return out / "docs"


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory):
    """A clean load of the corpus: its tables and how long it took."""
    tmp = tmp_path_factory.mktemp("clean")
    seconds = []
    for name in ("first.duckdb", "w.duckdb"):  # the second run is timed warm (compiled modules, page cache)
        proc, t = timed(lambda: run(["--db", str(tmp / name), "load", str(corpus)], ENV))
        assert proc.returncode == 0, proc.stderr
        seconds.append(t)
    db = tmp / "w.duckdb"
    return db, snapshot(db), min(seconds)


def test_generated_corpus_loads_with_every_report_and_nothing_silently_ok(corpus, clean):
    import json

    import duckdb

    db, tables, _ = clean
    manifest = [json.loads(line) for line in open(corpus / "manifest.jsonl", encoding="utf-8")]
    with duckdb.connect(str(db), read_only=True) as conn:
        status = dict(conn.execute("SELECT report_id, parse_status FROM reports").fetchall())
        by_doc = dict(conn.execute("SELECT document_id, parse_status FROM report_documents").fetchall())
    reposted = {m["report_id"] for m in manifest if m["kind"] == "repost"}
    assert {m["report_id"] for m in manifest if m["report_id"]} <= set(status)
    # a report printed with a changed total or swapped columns is never loaded as ok (unless a clean repost won)
    assert all(status[m["report_id"]] != "ok" for m in manifest
               if m["kind"] == "inconsistent" and m["report_id"] not in reposted)
    notices = [hashlib.sha256((corpus / m["path"]).read_bytes()).hexdigest() for m in manifest if m["kind"] == "notice"]
    assert notices and all(by_doc[d] == "not_a_report" for d in notices)
    assert duplicates(db) == {}


def batch_prefixes(corpus) -> list[set[str]]:
    """The document ids loaded after 0, 1, 2 … whole batches."""
    files = list(expand_paths([corpus]))
    ids = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in files]
    return [set(ids[:k]) for k in range(0, len(ids), BATCH)] + [set(ids)]


@pytest.mark.slow
def test_kill_9_during_load_leaves_whole_batches_and_a_rerun_converges(corpus, clean, tmp_path):
    clean_db, clean_tables, clean_seconds = clean
    prefixes = batch_prefixes(corpus)
    files = list(expand_paths([corpus]))
    landed = []
    # Each kill at a moment of a window that starts as a clean run's first quarter (reading, parsing and
    # writing the batches; the SQL models and the published copy take the rest). Where the batches fall in
    # a run moves with the machine's load, and they are a short part of it, so the window follows the
    # kills: one that landed before the first batch moves its start there, one after the last its end,
    # and until a kill has landed inside the load the next is at the window's middle (a bisection: it
    # lands inside once the window is less than twice the batches' span). Four kills at least, eight at most.
    lo, hi = 0.0, clean_seconds / 4
    for seed in range(8):
        inside = any(0 < k < len(prefixes) - 1 for k in landed)
        if seed >= 4 and inside:
            break
        rng = random.Random(seed)
        db = tmp_path / f"w{seed}.duckdb"
        delay = lo + (hi - lo) * (rng.random() if seed == 0 or inside else 0.5)
        # odd seeds parse in two worker processes: the kill takes the whole process group
        env = {**ENV, "ZFXXGK_WORKERS": str(1 + seed % 2)}
        killed = run_and_kill(["--db", str(db), "load", str(corpus)], delay, env)
        if db.exists():
            with warehouse.connect(db):  # opens (replays its WAL) and the DDL is complete
                pass
            got = snapshot(db, REPORT_TABLES)
            docs = {d for (d, *_) in got["documents"]}
            k = next((k for k, ids in enumerate(prefixes) if ids == docs), None)
            assert k is not None, f"seed {seed}: {len(docs)} documents are not a whole number of batches"
            assert duplicates(db) == {}
            # exactly what a clean load of those k batches holds
            ref = tmp_path / f"ref{seed}.duckdb"
            if k:
                load_local(files[:k * BATCH], ref, workers=1, batch=BATCH)
                assert got == snapshot(ref, REPORT_TABLES), f"seed {seed}: after {k} batches"
            else:
                assert all(not rows for rows in got.values())
            landed.append(k)
        else:
            landed.append(0)
        if landed[-1] == 0:
            lo = delay
        elif landed[-1] == len(prefixes) - 1:
            hi = delay
        # the re-run completes and converges to the clean tables
        proc = run(["--db", str(db), "load", str(corpus)], ENV)
        assert proc.returncode == 0, proc.stderr
        assert snapshot(db) == clean_tables, f"seed {seed} (killed={killed}, after {landed[-1]} batches)"
    # at least one kill landed inside the load (not before the first batch or after the last)
    assert any(0 < k < len(prefixes) - 1 for k in landed), landed


def test_rerunning_the_load_gives_identical_tables(corpus, clean, tmp_path):
    _, clean_tables, _ = clean
    db = tmp_path / "w.duckdb"
    for _ in range(2):
        load_local([corpus], db, workers=1, batch=BATCH)
        assert snapshot(db) == clean_tables
    # parsing in two worker processes and larger batches change nothing either
    load_local([corpus], tmp_path / "w2.duckdb", workers=2, batch=500)
    assert snapshot(tmp_path / "w2.duckdb") == clean_tables
