"""The rules catalogue (pipelines/rules.py): every finding code is declared once, an undeclared code
cannot be emitted, the warehouse holds the catalogue as the table `rules`, docs/rules.md is its
rendering, the format's arithmetic (R1–R4) is declared once for the parser, the warehouse check
and the dbt tests, and a crawl's errors are counted one way."""
from __future__ import annotations

import re

import pytest

from pipelines import rules, warehouse
from pipelines.crawl import http
from pipelines.parse import decide_status, parse_text
from pipelines.parse.validate import ARITHMETIC, R1, R2, R3, R4
from pipelines.record import APPLICANTS, OTHER_TOTAL, OUTCOME_ROWS, OUTCOMES, Finding, Report, finding
from pipelines.settings import PROJECT_ROOT, SAMPLES_DIR

PIPELINES = PROJECT_ROOT / "pipelines"


def test_an_undeclared_code_cannot_be_emitted():
    with pytest.raises(rules.UnknownRule):
        Finding("parse", "blank-cel", "warning", "a typo of blank-cell")
    with pytest.raises(rules.UnknownRule):
        Report().add(rules.get("R5"), "no such rule")
    with pytest.raises(ValueError):  # a declared code, but not from the stage that emits it
        Finding("extract", "blank-cell", "warning", "blank-cell is the parser's")
    assert finding(rules.BLANK_CELL, "x", ["requests.granted.total"]) == Finding(
        "parse", "blank-cell", "warning", "x", ["requests.granted.total"])
    assert finding(rules.R1, "not checked", severity="warning").severity == "warning"


def test_every_code_is_unique_and_named_as_stored():
    codes = [r.code for r in rules.RULES]
    assert len(codes) == len(set(codes)) == len(rules.CODES)
    # the codes users query today, kept exactly
    for code in ("split-ambiguous", "split-none", "T3-split-by-rules", "T3-split-unconfirmed", "T3-label-near-match",
                 "T3-label-by-position", "T3-label-detached", "T3-row-unread", "page-number-dropped",
                 "unreadable-cell", "blank-cell", "placeholder-cell", "non-numeric-cell", "R1", "R2", "R3", "R4",
                 "ocr", "ocr-uncertain", "E-ocr-page-unread", "E-image-corrupt", "C-list-incomplete",
                 "C-render-unavailable", "D-copies-differ", "L-write", "G-ambiguous", "T2-missing"):
        assert rules.get(code).code == code
    assert rules.get("ocr").severity == "info"


def test_no_stage_writes_a_code_as_a_literal():
    """Stages name catalogue entries (rules.BLANK_CELL), never a code string: a Finding or ExtractError
    built from a literal code, or a rule compared with one, would bypass the catalogue."""
    literal = re.compile(r'Finding\(\s*"\w+",\s*"|ExtractError\([^)]*,\s*"[A-Z]-|_error\([^)]*,\s*"[A-Z]-|'
                         r'rule ==\s*"|\.add\(\s*"(?:crawl|extract|parse|validate|load)"|'
                         r'=\s*\'[A-Z]\d?-[a-z-]+\'|\'(?:crawl|extract|parse|validate|load)\',\s*\'')  # SQL
    offenders = [f"{p.relative_to(PROJECT_ROOT)}:{n}" for p in PIPELINES.rglob("*.py") if p.name != "rules.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert offenders == []


def test_every_fetch_failure_has_a_crawl_rule():
    for outcome in (*http.FAILURES, "page_cap", "render_unavailable", "render_failed", "list_incomplete"):
        assert rules.for_fetch_outcome(outcome).stage == "crawl"
    assert rules.for_fetch_outcome("robots_disallowed").severity == "warning"
    assert rules.for_fetch_outcome("http_error").severity == "error"
    with pytest.raises(rules.UnknownRule):
        rules.for_fetch_outcome("no_such_outcome")


def test_decide_status_reads_the_catalogue():
    """A printed blank is read (0 to the rules): ok. A cell that could not be read: partial."""
    sample = sorted(SAMPLES_DIR.glob("*.txt"))[0]
    report = parse_text(sample.read_text(encoding="utf-8"))
    assert report.parse_status == "ok"
    report.findings.append(finding(rules.BLANK_CELL, "requests.granted other_org: '' read as null"))
    assert decide_status(report) == "ok"
    report.findings.append(finding(rules.UNREADABLE_CELL, "requests.granted other_org: '\ufffd' read as null"))
    assert decide_status(report) == "partial"
    unread_warnings = {r.code for r in rules.RULES if r.stage == "parse" and r.severity == "warning"
                       and r.leaves_unread}
    assert unread_warnings == {"unreadable-cell", "non-numeric-cell"}


def test_docs_rules_md_is_the_catalogue_rendered():
    """Regenerate with: python -m pipelines.rules > docs/rules.md"""
    assert (PROJECT_ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules.markdown()
    for r in rules.RULES:
        assert f"| `{r.code}` |" in rules.markdown()


def test_the_warehouse_holds_the_catalogue(db_path):
    with warehouse.connect(db_path) as conn:
        rows = conn.execute("SELECT rule, stage, severity, leaves_null, description FROM rules ORDER BY rule").fetchall()
        assert rows == sorted((r.code, r.stage, r.severity, r.leaves_null, r.description) for r in rules.RULES)
        # a warehouse whose table is behind the catalogue (an older version) is brought up to date
        conn.execute("UPDATE rules SET description = 'old words' WHERE rule = 'R1'")
        conn.execute("DELETE FROM rules WHERE rule = 'ocr'")
    with warehouse.connect(db_path) as conn:
        assert conn.execute("SELECT description FROM rules WHERE rule = 'R1'").fetchone()[0] == rules.R1.description
        assert conn.execute("SELECT count(*) FROM rules").fetchone()[0] == len(rules.RULES)


# ---------------------------------------------------------------- the format's arithmetic, declared once
def test_the_arithmetic_is_the_formats():
    """R1–R4 as the format states them (README, The canonical record)."""
    assert (R1.left, R1.right, R1.along) == (("new_received", "carried_over"), ("total_handled", "carried_forward"),
                                              "row_key")
    assert (set(R2.left), R2.right, R2.along) == (set(APPLICANTS) - {"total"}, ("total",), "applicant")
    assert (R3.left, R3.right) == ((*OUTCOME_ROWS, OTHER_TOTAL), ("total_handled",)) and len(OUTCOME_ROWS) == 21
    assert (set(R4.left), R4.right, R4.along) == ({"upheld", "corrected", "other", "pending"}, ("total",), "outcome")
    assert [b.rule for b in ARITHMETIC] == [rules.R1, rules.R2, rules.R3, rules.R4]


def test_the_dbt_tests_carry_the_declared_arithmetic():
    """The generic tests of sql/sources.yml (balances for R1, sums_to_total for R2–R4) check the
    same cells as parse/validate.py's declaration."""
    from pipelines.warehouse import transform

    tests = {n["name"]: n for n in transform.manifest()["nodes"].values() if n["resource_type"] == "test"
             and n.get("test_metadata", {}).get("name") in ("balances", "sums_to_total")}
    by_rule = {name.rsplit("_", 1)[1].upper(): n for name, n in tests.items()}
    assert sorted(by_rule) == [b.rule.code for b in ARITHMETIC]
    every = {"applicant": set(APPLICANTS), "outcome": set(OUTCOMES)}
    for b in ARITHMETIC:
        node = by_rule[b.rule.code]
        kw = node["test_metadata"]["kwargs"]
        assert f"source('core', '{b.table}')" in kw["model"], b.rule.code
        assert kw["group_by"] == ["report_id", b.per], b.rule.code
        if node["test_metadata"]["name"] == "balances":
            assert (kw["along"], tuple(kw["left"]), tuple(kw["right"])) == (b.along, b.left, b.right)
        else:
            assert (kw["part_column"], (kw["total_value"],)) == (b.along, b.right), b.rule.code
            parts = tuple(kw["parts"]) if kw.get("parts") else tuple(sorted(every[b.along] - set(b.right)))
            assert sorted(parts) == sorted(b.left), b.rule.code


def test_the_warehouse_check_finds_what_breaks_the_declared_rules(db_path):
    """defs/checks.py's SQL, generated from the declaration, on a report whose numbers add up, then
    with one cell changed: 本年新收 总计 one more breaks R1 in that column and R2 in that row."""
    from pipelines.pipeline.files import local_document
    from pipelines.defs.checks import RULE_VIOLATIONS_SQL
    from pipelines.pipeline.documents import parse_document

    sample = sorted(SAMPLES_DIR.glob("*.txt"))[0]
    data = sample.read_bytes()
    report = parse_document(data, sample.name, source=str(sample))
    assert report.parse_status == "ok"
    with warehouse.connect(db_path) as conn:
        warehouse.load_reports(conn, [(report, local_document(sample, data))])
        assert conn.execute(RULE_VIOLATIONS_SQL).fetchall() == []
        conn.execute("UPDATE request_outcomes SET value = value + 1 WHERE row_key = 'new_received' "
                     "AND applicant = 'total'")
        found = [(rule, at) for _, rule, at, *_ in conn.execute(RULE_VIOLATIONS_SQL).fetchall()]
    assert found == [("R1", "total"), ("R2", "new_received")]


# ---------------------------------------------------------------- a crawl's errors, one definition
def test_errors_are_counted_one_way(tmp_path, monkeypatch):
    """The crawl summary, crawl_runs.errors and each source's result count the failures of severity
    error (crawl_errors; the Dagster asset's metadata counts the same result.errors, read in
    tests/test_crawl_js.py): on the demo portal with one list page answering 404, one error; the
    links robots.txt disallows are failures (warnings), not errors."""
    from pipelines.crawl.demo_server import Fault, demo_start_urls, serve_demo_portal
    from pipelines.crawl.run import CrawlConfig, CrawlResult, crawl_errors
    from pipelines.pipeline.crawled import crawl_and_load
    from pipelines.crawl.store import read_source_result
    from pipelines.warehouse import transform

    failures = [{"source_id": "s", "url": "http://a/1", "outcome": "http_error", "severity": "error"},
                {"source_id": "s", "url": "http://a/2", "outcome": "robots_disallowed", "severity": "warning"}]
    assert crawl_errors(failures) == failures[:1] == CrawlResult("r", tmp_path, [], failures=failures).errors

    monkeypatch.setattr(transform, "build_models", lambda *a, **k: None)  # the models are not the point here
    monkeypatch.setattr(warehouse, "publish", lambda *a, **k: None)
    data, db = tmp_path / "data", tmp_path / "w.duckdb"
    with serve_demo_portal(faults={"/gbk/zfxxgknb/index_1.html": [Fault(404, times=None)]}) as portal:
        summary = crawl_and_load(demo_start_urls(portal), data, db,
                                 CrawlConfig(min_interval=0.01, backoff=0.01, connect_timeout=2, read_timeout=2,
                                             progress=False))
    outcomes = sorted((f["outcome"], f["severity"]) for f in summary.failures)
    assert ("robots_disallowed", "warning") in outcomes and ("http_error", "error") in outcomes
    errors = sum(s == "error" for _, s in outcomes)
    assert errors == 1 and summary.errors == errors
    with warehouse.connect(db, read_only=True) as conn:
        assert conn.execute("SELECT errors FROM crawl_runs").fetchone()[0] == errors
        assert conn.execute("SELECT count(*) FROM findings WHERE stage = 'crawl' AND severity = 'error'"
                            ).fetchone()[0] == errors
    results = [read_source_result(data, sid) for sid in {f["source_id"] for f in summary.failures}]
    assert sum(r["errors"] for r in results) == errors
