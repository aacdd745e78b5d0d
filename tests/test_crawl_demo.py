"""The crawler on the bundled demo portal, served on 127.0.0.1: every report found with the gold
numbers, no non-report fetched, robots.txt honoured, the 503 retried, a re-crawl downloads nothing,
and a crawl stopped half-way resumes without losing or re-downloading anything."""
from __future__ import annotations

import threading
import time

import duckdb
import pytest

from conftest import expected_record
from pipelines.crawl.demo_server import demo_start_urls, serve_demo_portal
from pipelines.crawl.run import CrawlConfig, crawl
from pipelines.pipeline.crawled import crawl_and_load
from pipelines.record import APPLICANTS, OUTCOMES, PROCEEDINGS

FAST = dict(min_interval=0.01, backoff=0.01, connect_timeout=2, read_timeout=2, progress=False)
STEMS = {"2023/阜新市人民政府办公室": "000_39d38f3e5816487c", "2023/山海关区人民政府办公室": "001_efd3b52cb6a94797",
         "2023/阿城区": "002_14635e754de52443", "2023/阜新市细河区玉龙街道": "003_8c406ea192be78b9",
         "2023/义马市人民政府办公室": "004_bc20cdde9b4efb67"}
NON_REPORTS = ("t20240120_0901", "t20240118_0900", "t20231201_0700", "t20231120_0600", "t20240105_2000",
               "/gbk/zfxxgkzn/", "draft/", ".bak")


def _warehouse_requests(conn, rid):
    rows = conn.execute("SELECT row_key, applicant, value FROM request_outcomes WHERE report_id = ?", [rid]).fetchall()
    out = {}
    for key, applicant, value in rows:
        out.setdefault(key, [None] * 7)[APPLICANTS.index(applicant)] = value
    return out


def _warehouse_review(conn, rid):
    out = {}
    for proc, outcome, value in conn.execute(
            "SELECT proceeding, outcome, value FROM review_litigation WHERE report_id = ?", [rid]).fetchall():
        out.setdefault(proc, [None] * 5)[OUTCOMES.index(outcome)] = value
    return out


def test_demo_crawl_finds_every_report_with_gold_numbers_then_recrawl_downloads_nothing(tmp_path):
    data, db = tmp_path / "data", tmp_path / "w.duckdb"
    with serve_demo_portal() as portal:
        first = crawl_and_load(demo_start_urls(portal), data, db, CrawlConfig(**FAST))
        gets_first = portal.paths("GET")
        # the 503 + Retry-After: 1 on the second UTF-8 list page was retried, after the pause it asked for
        page2 = [r for r in portal.requests if r.path == "/utf8/xxgknb/page2.html"]
        assert [r.status for r in page2] == [503, 200]
        n_first = len(portal.requests)
        second = crawl_and_load(demo_start_urls(portal), data, db, CrawlConfig(**FAST))
        again = portal.requests[n_first:]

    # no non-report and nothing robots.txt disallows was ever requested
    assert not [p for p in gets_first if any(s in p for s in NON_REPORTS)]
    assert first.reports_loaded == 5 and first.statuses == {"ok": 6, "inconsistent": 1}
    robots = sorted(f["url"].split("/", 3)[3] for f in first.failures if f["outcome"] == "robots_disallowed")
    assert robots == ["gbk/zfxxgknb/draft/t20240110_0800.html", "utf8/xxgknb/report.xls.bak"]

    # the re-crawl: every page and document asked conditionally, all answered 304, nothing parsed
    docs = [r for r in again if r.path != "/robots.txt"]
    assert docs and all("If-None-Match" in r.headers for r in docs)
    assert {r.status for r in docs} == {304}
    assert second.downloaded == 0 and second.parsed == 0 and second.reports_loaded == 0
    assert second.unchanged_skipped == first.documents

    with duckdb.connect(str(db), read_only=True) as conn:
        ids = {r for (r,) in conn.execute("SELECT report_id FROM reports").fetchall()}
        assert ids == set(STEMS)
        for rid, stem in STEMS.items():
            exp = expected_record(stem)
            got = _warehouse_requests(conn, rid)
            assert got == {k: v for k, v in exp["requests"].items() if v is not None}, rid
            assert _warehouse_review(conn, rid) == {p: exp["review_litigation"][p] for p in PROCEEDINGS}, rid
        # one report per issuer and year, every copy kept as evidence
        copies = dict(conn.execute("SELECT report_id, count(*) FROM report_documents GROUP BY 1").fetchall())
        assert copies["2023/阜新市人民政府办公室"] == 2          # reposted in the second column
        assert copies["2023/义马市人民政府办公室"] == 2          # HTML page + DOCX attachment
        status = dict(conn.execute("SELECT report_id, parse_status FROM reports").fetchall())
        assert status["2023/山海关区人民政府办公室"] == "inconsistent"  # the gold's R3 case
        # the carrier page of the DOCX is a document, not a report
        carrier = conn.execute("SELECT count(*) FROM documents WHERE url LIKE '%t20240130_2001.html'").fetchone()[0]
        assert carrier == 1
        crawl_findings = conn.execute("SELECT rule, severity FROM findings WHERE stage = 'crawl'").fetchall()
        assert sorted(crawl_findings) == [("C-robots-disallowed", "warning")] * 2
        log = dict(conn.execute("SELECT outcome, count(*) FROM fetch_log WHERE kind <> 'robots' "
                                "GROUP BY 1").fetchall())
        assert log["not_modified"] == log["ok"]  # the second run: the same fetches, all 304


def test_stopped_crawl_resumes_without_losing_or_refetching(tmp_path):
    data, db = tmp_path / "data", tmp_path / "w.duckdb"
    cfg = CrawlConfig(**FAST)
    stop = threading.Event()
    with serve_demo_portal(faults={}) as portal:
        def stop_after_three_reports():
            while not stop.is_set():
                if sum("/t2024" in p for p in portal.paths()) >= 3:
                    stop.set()
                time.sleep(0.001)

        watcher = threading.Thread(target=stop_after_three_reports, daemon=True)
        watcher.start()
        # a crash before anything is loaded: the crawl state and the raw files are all that remain
        partial = crawl(demo_start_urls(portal), data, cfg, stop=stop)
        stop.set()
        assert partial.interrupted
        fetched = {d.url.split("/", 3)[3] for d in partial.docs}
        assert 1 <= len(fetched) < 8
        n = len(portal.requests)
        resumed = crawl_and_load(demo_start_urls(portal), data, db, cfg)
        later = {r.path.lstrip("/"): r for r in portal.requests[n:]}
    for path in fetched:  # what was fetched before the stop is not downloaded again ...
        assert later[path].status == 304 and "If-None-Match" in later[path].headers
    assert resumed.reports_loaded == 5  # ... and not lost: parsed and loaded now
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 5


def test_registry_runs_only_what_is_reachable_here_by_default():
    from pipelines.crawl.registry import load_registry, select

    entries = load_registry()
    assert len(entries) >= 25 and len({e.source.adcode for e in entries if e.source.adcode}) >= 10
    # the bundled demo portal's two sources (its static columns; its script-built columns, issue 15)
    assert [e.source.source_id for e in select(entries)] == ["demo", "demo-js"]
    assert all(not e.reachable_here for e in entries if e.source.source_id not in ("demo", "demo-js"))
    assert len(select(entries, include_unreachable=True)) == len(entries)
    with pytest.raises(KeyError):
        select(entries, ["no-such-source"])


def test_cli_crawl_and_sources(tmp_path, capsys):
    from pipelines.cli import main

    with serve_demo_portal(faults={}) as portal:
        rc = main(["crawl", *demo_start_urls(portal), "--data-dir", str(tmp_path / "d"), "--db",
                   str(tmp_path / "w.duckdb"), "--interval", "0.01", "--quiet"])
    out = capsys.readouterr().out
    assert rc == 0 and "loaded 5 reports" in out and "robots_disallowed" in out
    assert main(["sources", "--data-dir", str(tmp_path / "d")]) == 0
    listing = capsys.readouterr().out
    assert "demo" in listing and "mva" in listing
