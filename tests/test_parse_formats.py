"""The parser on the seeds (gold), hand-made fixtures (2019 format, pre-2019, a notice),
layout details (markdown, HTML quirks, cell values) and the digits solver."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cells import GridRow, read_cell, text_to_rows
from pipelines.extract.html import html_to_rows
from pipelines.parse import parse_rows, parse_text
from pipelines.parse.digits import TABLE3_BLOCKS, TABLE4_BLOCKS, agreed, solve
from pipelines.pipeline.documents import parse_document, parse_path
from pipelines.settings import SAMPLES_DIR
from tests.conftest import expected_record

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
TABLES = ("issuer", "year", "active", "requests", "review_litigation")


@pytest.mark.parametrize("stem", sorted(p.stem for p in SAMPLES_DIR.glob("*.txt")))
def test_seeds_match_gold(stem):
    got = parse_path(SAMPLES_DIR / f"{stem}.txt").to_json()
    gold = expected_record(stem)
    for key in TABLES:
        assert got[key] == gold[key], key
    if stem.startswith("001"):
        assert got["parse_status"] == "inconsistent"
        assert {f["rule"] for f in got["findings"] if f["severity"] == "error"} == {"R3"}
    else:
        assert got["parse_status"] == "ok"


def test_2019_format_fixture():
    """Numbers transcribed by hand from tests/fixtures/parse/report_2019_wuhan_style.html."""
    r = parse_path(FIXTURES / "report_2019_wuhan_style.html")
    assert (r.issuer, r.year, r.format_version) == ("武汉市生态环境局", 2020, "2019")
    q = r.requests
    assert q["new_received"] == [20, 3, 0, 1, 0, 0, 24]
    assert q["carried_over"] == [2, 0, 0, 0, 0, 0, 2]
    assert q["granted"] == [10, 2, 0, 1, 0, 0, 13]
    assert q["unavailable_not_held"] == [5, 1, 0, 0, 0, 0, 6]
    assert q["other_total"] == [1, 0, 0, 0, 0, 0, 1]
    assert all(q[k] is None for k in ("other_no_correction", "other_no_fee", "other_other"))
    assert q["total_handled"] == [19, 3, 0, 1, 0, 0, 23]
    assert q["carried_forward"] == [3, 0, 0, 0, 0, 0, 3]
    a = r.active
    assert (a.regulations.issued, a.regulations.in_force, a.normative_documents.issued) == (0, None, 3)
    assert (a.licensing, a.punishment, a.coercion, a.fees_10k_yuan) == (1204, 56, 9, None)
    assert r.extra["licensing_2019"] == {"previous_items": 12, "change": -2, "decisions": 1204}
    assert r.extra["fee_items_2019"] == {"previous_items": 2, "change": 0}
    assert r.extra["procurement"] == ["4", "251000元"]
    assert r.review_litigation == {"review": [1, 0, 0, 1, 2], "litigation_direct": [0, 0, 0, 1, 1],
                                   "litigation_after_review": [0, 0, 0, 0, 0]}
    # 行政强制 本年增/减 is printed 「-」: null with a finding; every printed number was read: ok
    assert r.extra["coercion_2019"]["change"] is None
    assert r.parse_status == "ok"
    assert [f.rule for f in r.findings if f.severity == "error"] == []
    assert any(f.rule == "placeholder-cell" and "coercion" in f.detail for f in r.findings)


def test_pre_2019_report_is_unsupported_with_reason():
    r = parse_path(FIXTURES / "report_2016_legacy.txt")
    assert (r.parse_status, r.format_version, r.year) == ("unsupported", "legacy", 2016)
    assert r.requests is None
    assert "统计指标" in r.findings[0].detail


def test_notice_is_not_a_report():
    r = parse_path(FIXTURES / "notice_not_a_report.html")
    assert r.parse_status == "not_a_report"
    assert r.issuer is None and r.requests is None


def test_markdown_pipe_tables():
    text = (SAMPLES_DIR / "001_efd3b52cb6a94797.txt").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        if "|" in line:
            lines.append("| " + line.rstrip(" |") + " |")
            if line.startswith("信息内容") or line.startswith("自然人"):
                lines.append("|---|---|---|---|")
        elif line.startswith(("一、", "二、", "三、", "四、", "五、", "六、")):
            lines.append("## " + line)
        else:
            lines.append(line)
    r = parse_document("\n".join(lines).encode(), "x.md")
    gold = expected_record("001_efd3b52cb6a94797")
    for key in TABLES:
        assert r.to_json()[key] == gold[key]


def test_text_rows_drop_page_numbers_and_markdown_separators():
    rows = text_to_rows("标题\n- 4 -\n第 3 页 共 9 页\n|---|---|\n| 规章 | 0 |\n## 二、主动公开政府信息情况\n")
    assert rows == [["标题"], ["规章", "0"], ["二、主动公开政府信息情况"]]


def test_html_grid_spans_word_markup_and_blanks():
    html = """<html><body><table>
    <tr><td rowspan="2"><p><span>三、本年度<br/>办理结果</span></p></td><td colspan="2">（一）予以公开</td>
        <td>1</td><td>&nbsp;</td></tr>
    <tr><td>（三）不予公开</td><td>1.属于国家秘密</td><td>０</td><td>1,234</td></tr>
    </table></body></html>"""
    rows, _ = html_to_rows(html)
    assert rows == [["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "1", ""],
                    ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "０", "1,234"]]
    assert all(isinstance(r, GridRow) for r in rows)


def test_html_layout_table_is_not_a_grid_and_content_source_names_the_issuer():
    html = """<html><head><meta name="ArticleTitle" content="2023年政府信息公开工作年度报告">
    <meta name="ContentSource" content="长春市体育局"></head><body>
    <table><tr><td><p>正文</p><table><tr><td>规章</td><td>0</td></tr></table></td></tr></table></body></html>"""
    rows, title = html_to_rows(html)
    assert title == "长春市体育局2023年政府信息公开工作年度报告"
    assert rows == [["正文"], ["规章", "0"]]


@pytest.mark.parametrize("raw,kind,value", [
    ("１２", "number", 12), ("1,234", "number", 1234), ("12.5", "number", 12.5), ("-8", "number", -8),
    ("", "blank", None), ("\xa0", "blank", None), ("—", "placeholder", None), ("无", "placeholder", None),
    ("/", "placeholder", None), ("约10", "text", None)])
def test_cell_values(raw, kind, value):
    c = read_cell(raw)
    assert (c.kind, c.value) == (kind, value)


def test_solver_splits_by_the_row_sum():
    assert solve(["123000015"], 7, TABLE3_BLOCKS) == [[12, 3, 0, 0, 0, 0, 15]]
    # a number split in two by a column boundary: the groups merge back
    assert solve(["1", "2", "3", "0", "0", "0", "0", "15"], 7, TABLE3_BLOCKS) == [[12, 3, 0, 0, 0, 0, 15]]
    # table 4: 「78 7 1」 and 「7 8 71」 both fit 总计 99, so those cells stay open
    t4 = solve(["231180427871139951006"], 15, TABLE4_BLOCKS)
    assert [23, 1, 18, 0, 42, 78, 7, 1, 13, 99, 5, 1, 0, 0, 6] in t4 and len(t4) > 1
    truth = [23, 1, 18, 0, 42, 78, 7, 1, 13, 99, 5, 1, 0, 0, 6]
    kept = agreed(t4, 15)
    assert kept[5:8] == [None, None, None] and kept[9] == 99
    assert all(v is None or v == truth[i] for i, v in enumerate(kept))
    assert solve(["0000005"], 7, TABLE3_BLOCKS) == []  # 总计 5 is no sum of zeros
    assert solve(["05"], 1) == []  # no leading zeros


def test_solver_ambiguity_leaves_cells_null():
    sols = solve(["1712"], 3)
    assert len(sols) == 3
    assert agreed(sols, 3) == [None, None, None]
    assert agreed(solve(["0123"], 3), 3) == [0, None, None]


def test_run_together_row_in_text_is_split_or_flagged():
    head = ("某某区人民政府2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "申请人情况\n自然人 商业企业\n")
    # the digits allow exactly one split whose 总计 is the sum of the six columns
    r = parse_text(head + "一、本年新收政府信息公开申请数量123000015\n")
    assert r.requests["new_received"] == [12, 3, 0, 0, 0, 0, 15]
    # 「1001」 has no split into 7 cells at all: null with a finding, never a guess
    r = parse_text(head + "一、本年新收政府信息公开申请数量 1001\n")
    assert r.requests["new_received"] == [None] * 7
    assert any(f.rule == "split-none" for f in r.findings) and r.parse_status == "partial"


def test_parse_rows_accepts_grid_rows_from_other_readers():
    rows = [["某某局2023年政府信息公开工作年度报告"], ["三、收到和处理政府信息公开申请情况"],
            GridRow(["申请人情况", "自然人", "商业企业"]),
            GridRow(["一、本年新收政府信息公开申请数量", "1", "", "0", "0", "0", "0", "1"])]
    r = parse_rows(rows)
    assert r.requests["new_received"] == [1, None, 0, 0, 0, 0, 1]
    assert any(f.rule == "blank-cell" for f in r.findings)


def test_cli_parse_jsonl_reads_txt_html_and_markdown(tmp_path):
    (tmp_path / "a.md").write_text((SAMPLES_DIR / "001_efd3b52cb6a94797.txt").read_text(encoding="utf-8"),
                                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "parse", "--jsonl", str(tmp_path / "a.md"),
                          str(FIXTURES / "report_2019_wuhan_style.html")], capture_output=True, text=True)
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["parse_status"] for r in records] == ["inconsistent", "ok"]


def test_format_is_decided_by_the_tables_not_by_a_phrase_in_the_prose():
    """A pre-2019 report whose narrative mentions 政府集中采购 (a 2019 table-2 row) stays a legacy
    report: its own tables (统计指标, 同意公开答复数) decide, not the phrase."""
    text = (FIXTURES / "report_2016_legacy.txt").read_text(encoding="utf-8")
    assert "政府集中采购" not in text
    text = text.replace("\n", "\n本年度依法公开政府集中采购项目信息12条。\n", 3)
    r = parse_text(text)
    assert (r.format_version, r.parse_status) == ("legacy", "unsupported")


def test_a_value_equal_to_the_cell_above_is_kept():
    """A rowspan label is carried down a grid and read once; a number is never taken for one
    (「-6」 under 「-6」 was dropped once, and 54 then split into 5|4)."""
    rows = [["某某局2020年政府信息公开工作年度报告"], ["二、主动公开政府信息情况"],
            GridRow(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
            GridRow(["行政处罚", "0", "-6", "4"]), GridRow(["行政强制", "0", "-6", "54"])]
    r = parse_rows(rows)
    assert r.format_version == "2019"
    assert r.extra["punishment_2019"] == {"previous_items": 0, "change": -6, "decisions": 4}
    assert r.extra["coercion_2019"] == {"previous_items": 0, "change": -6, "decisions": 54}
