"""Every attachment format reaches the parser with its tables intact.

The fixture documents are rendered from the hand-checked record 002 (non-zero numbers
everywhere) by tests/fixtures/extract/render.py: HTML, DOCX with real gridSpan/vMerge
merges, XLSX and XLS with merged ranges, and PDF and DOC made from the DOCX by LibreOffice
(once per session). Each must parse back to the expected record, the same one the HTML
version gives.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from pipelines.extract import Extracted, extract
from pipelines.extract.doc import libreoffice_convert, word_to_rows
from pipelines.extract.limits import Deadline
from pipelines.pipeline.documents import parse_document
from tests.conftest import expected_record
from tests.fixtures.extract.render import report_blocks, to_docx, to_html, to_xls, to_xlsx

STEM = "002_14635e754de52443"
NUMBERS = ("issuer", "year", "active", "requests", "review_litigation")
HAVE_LO = shutil.which("soffice") is not None
HAVE_ANTIWORD = shutil.which("antiword") is not None
needs_lo = pytest.mark.skipif(not HAVE_LO, reason="LibreOffice (soffice) is not installed; scripts/setup installs it")
needs_antiword = pytest.mark.skipif(not HAVE_ANTIWORD, reason="antiword is not installed; scripts/setup installs it")


@pytest.fixture(scope="session")
def record() -> dict:
    return expected_record(STEM)


@pytest.fixture(scope="session")
def docs(record) -> dict[str, bytes]:
    """The one report in every format (PDF and DOC converted from the DOCX by LibreOffice)."""
    blocks = report_blocks(record)
    out = {"html": to_html(blocks), "docx": to_docx(blocks), "xlsx": to_xlsx(blocks), "xls": to_xls(blocks)}
    if HAVE_LO:
        out["pdf"] = libreoffice_convert(out["docx"], "docx", "pdf")
        out["doc"] = libreoffice_convert(out["docx"], "docx", "doc")
    return out


def numbers(report) -> dict:
    j = report.to_json()
    return {k: j[k] for k in NUMBERS}


@pytest.mark.parametrize("fmt", ["html", "docx", "xlsx", "xls",
                                 pytest.param("pdf", marks=needs_lo), pytest.param("doc", marks=needs_lo)])
def test_every_format_parses_to_the_expected_record(docs, record, fmt):
    # a neutral name: the format must come from the bytes
    report = parse_document(docs[fmt], "attachment.bin")
    assert report.parse_status == "ok", [f.to_json() for f in report.findings]
    assert report.format_version == "2021"
    assert numbers(report) == {k: record[k] for k in NUMBERS}
    assert numbers(report) == numbers(parse_document(docs["html"], "report.html"))


@pytest.mark.parametrize("fmt,kind", [("docx", "docx"), ("xlsx", "xlsx"), ("xls", "xls"),
                                      pytest.param("pdf", "pdf", marks=needs_lo),
                                      pytest.param("doc", "doc", marks=needs_lo)])
def test_format_comes_from_the_bytes_not_the_name(docs, fmt, kind):
    assert extract(docs[fmt], "report.html").kind == kind
    assert extract(docs[fmt], "report.wps").kind == kind  # Kingsoft .wps files are DOC or DOCX inside


def test_docx_merged_cells_follow_the_html_rule(docs):
    rows = extract(docs["docx"]).rows
    assert rows == extract(docs["html"]).rows  # the same grid as HTML rowspan/colspan expansion
    # gridSpan: a label repeated over its span, a value not
    assert ["第二十条第（一）项"] * 4 in rows
    assert ["行政许可", "58006", "", ""] in rows
    assert ["行政事业性收费", "1012.922", "", ""] in rows
    # vMerge: 三、本年度办理结果 and （三）不予公开 carried down into their rows
    assert ["三、本年度办理结果", "（三）不予公开", "4.保护第三方合法权益", "2", "0", "0", "0", "0", "0", "2"] in rows
    assert ["三、本年度办理结果", "（七）总计", "（七）总计", "21", "0", "0", "0", "2", "0", "23"] in rows
    assert ["23", "1", "18", "0", "42", "78", "7", "1", "13", "99", "5", "1", "0", "0", "6"] in rows


@needs_lo
def test_pdf_two_pages_table_across_the_break(docs):
    with pdfplumber.open(__import__("io").BytesIO(docs["pdf"])) as pdf:
        assert len(pdf.pages) == 2
        page1 = pdf.pages[0].extract_text()
        page2 = pdf.pages[1].extract_text()
    # table 3 starts on page 1 and goes on at the top of page 2; page numbers in the footer
    assert "一、本年新收" in page1 and "（七）总计" in page2 and "四、结转下年度" in page2
    assert page1.rstrip().endswith("1") and page2.rstrip().endswith("2")
    # the PDF's rows are exactly the DOCX's: paragraphs re-joined, page numbers dropped, the
    # merged labels cut by the page break carried on, the table joined
    assert extract(docs["pdf"]).rows == extract(docs["docx"]).rows


@needs_lo
def test_doc_read_through_libreoffice_keeps_merges(docs):
    doc = extract(docs["doc"])
    assert doc.kind == "doc" and doc.findings == []
    docx_rows = extract(docs["docx"]).rows
    t4 = docx_rows.index(["四、政府信息公开行政复议、行政诉讼情况"])
    assert doc.rows[:t4 + 1] == docx_rows[:t4 + 1]  # paragraphs, tables 2 and 3: the same grid
    # table 4 comes back from .doc on a 16-column grid (LibreOffice rounds the column widths
    # into one extra column): one value spans two columns, the span's second position blank
    values = [c for c in doc.rows[t4 + 4] if c]
    assert values == ["23", "1", "18", "0", "42", "78", "7", "1", "13", "99", "5", "1", "0", "0", "6"]


@needs_antiword
def test_doc_without_libreoffice_falls_back_to_antiword(docs, tmp_path, monkeypatch):
    """antiword's `|` text loses merged cells: the tables it keeps are read, the rest is
    reported by the parser, never guessed."""
    if "doc" not in docs:
        pytest.skip("the DOC fixture is made by LibreOffice, which is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "antiword").symlink_to(shutil.which("antiword"))
    monkeypatch.setenv("PATH", str(bin_dir))
    doc = word_to_rows(docs["doc"], Deadline())
    assert [f.rule for f in doc.findings] == ["E-antiword-used"]
    assert "阿城区2023年政府信息公开工作年度报告" in [r[0] for r in doc.rows if len(r) == 1]
    assert ["行政规范性文件", "1", "7", "12"] in doc.rows  # a table row of `|` cells
    report = parse_document(docs["doc"], "x.doc")
    assert report.findings[0].rule == "E-antiword-used"
    assert report.active.licensing == 58006 and report.active.normative_documents.in_force == 12


def test_doc_with_neither_tool_is_unsupported_naming_them(docs, tmp_path, monkeypatch):
    if "doc" not in docs:
        pytest.skip("the DOC fixture is made by LibreOffice, which is not installed")
    monkeypatch.setenv("PATH", str(tmp_path))
    report = parse_document(docs["doc"], "x.doc")
    assert report.parse_status == "unsupported"
    assert report.findings[0].rule == "E-tool-missing-soffice-antiword"
    assert "scripts/setup" in report.findings[0].detail


def test_xlsx_merges_and_numbers(docs):
    rows = extract(docs["xlsx"]).rows
    assert rows == extract(docs["xls"]).rows
    # the sheet is as wide as its widest table (15 columns); a merged value is not spread
    assert ["行政许可", "58006"] + [""] * 13 in rows
    assert ["阿城区2023年政府信息公开工作年度报告"] in rows  # a lone text cell is a paragraph
    assert ["第二十条第（一）项"] in rows  # so is a heading merged across the table


@pytest.mark.parametrize("stem", ["000_39d38f3e5816487c", "004_bc20cdde9b4efb67"])
def test_docx_of_other_records(stem):
    rec = expected_record(stem)
    report = parse_document(to_docx(report_blocks(rec)), "x.docx")
    assert report.parse_status == "ok"
    assert numbers(report) == {k: rec[k] for k in NUMBERS}


def test_cli_parse_reads_an_attachment(docs, tmp_path, record):
    path = tmp_path / "年报.docx"
    path.write_bytes(docs["docx"])
    exe = Path(sys.executable).with_name("zfxxgk")
    done = subprocess.run([str(exe), "parse", str(path), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"parse_status": "ok"' in done.stdout and '"licensing": 58006' in done.stdout


def test_extracted_is_the_parsers_input(docs):
    doc = extract(docs["docx"])
    assert isinstance(doc, Extracted)
    assert all(isinstance(r, list) and all(isinstance(c, str) for c in r) for r in doc.rows)
