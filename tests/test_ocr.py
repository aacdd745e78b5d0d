"""Scanned reports read by OCR, checked against the hand-checked record, number by number.

The scans are made here (tests/fixtures/extract/scan.py): record 002 (non-zero numbers in every
table) rendered as a PDF by LibreOffice, rasterised at 150 dpi in greyscale, turned by under a
degree, given noise, and saved as an image-only PDF and as PNG pages. A null with a finding is
allowed; a wrong number is not. Each scan is made and read once per session (OCR is slow).
"""
from __future__ import annotations

import io
import shutil
import sys

import pytest
from PIL import Image

from pipelines.cells import GridRow, UNREADABLE_MARK
from pipelines.extract import extract, ocr, sniff
from pipelines.parse import parse_rows
from pipelines.pipeline.documents import parse_document
from tests.conftest import expected_record
from tests.fixtures.extract.scan import record_pdf, scan_pdf, score, word_box

STEM = "002_14635e754de52443"
HAVE_LO = shutil.which("soffice") is not None
pytestmark = pytest.mark.skipif(not HAVE_LO, reason="the scans are rendered by LibreOffice (scripts/setup)")


@pytest.fixture(scope="session")
def record() -> dict:
    return expected_record(STEM)


@pytest.fixture(scope="session")
def text_pdf(record) -> bytes:
    return record_pdf(record)


@pytest.fixture(scope="session")
def scan(text_pdf):
    return scan_pdf(text_pdf, seed=3)


@pytest.fixture(scope="session")
def scanned_report(scan):
    return parse_document(scan.pdf, "图片版.pdf")


@pytest.fixture(scope="session")
def smudged(text_pdf):
    """Page 1 scanned with blots over half of 58006 (行政许可) and of 1719 (行政处罚) — the
    recogniser would read what is left of them (580, 17) with high confidence — placed in a
    Word page and printed to PDF, as portals do: a page image plus a page number in the text
    layer (which must not hide that the page is a scan)."""
    import docx
    from docx.shared import Cm

    from pipelines.extract.doc import libreoffice_convert
    from tests.fixtures.extract.render import to_docx

    boxes = [word_box(text_pdf, 0, "58006"), word_box(text_pdf, 0, "1719")]
    png = scan_pdf(text_pdf, seed=5, smudges={0: boxes}).pngs[0]
    d = docx.Document(io.BytesIO(to_docx([])))  # A4, 2.5 cm margins, a PAGE field in the footer
    d.add_picture(io.BytesIO(png), width=Cm(16))
    out = io.BytesIO()
    d.save(out)
    pdf = libreoffice_convert(out.getvalue(), "docx", "pdf")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert doc.pages[0].extract_text().strip() == "1" and doc.pages[0].images
    return extract(pdf, "图片版.pdf")


@pytest.fixture(scope="session")
def page_top(scan) -> bytes:
    """The top of page 1 (title, 统计期限 sentence, headings) as a PNG: a small, fast scan."""
    page = Image.open(io.BytesIO(scan.pngs[0]))
    buf = io.BytesIO()
    page.crop((0, 0, page.width, 460)).save(buf, "PNG")
    return buf.getvalue()


def test_the_scans_are_image_only(scan):
    import pdfplumber

    with pdfplumber.open(io.BytesIO(scan.pdf)) as pdf:
        assert len(pdf.pages) == 2
        assert all(not p.chars and p.images for p in pdf.pages)
    assert all(0 < abs(a) < 1 for a in scan.angles)
    assert Image.open(io.BytesIO(scan.pngs[0])).mode == "L"


def test_scanned_pdf_parses_back_to_the_record(scanned_report, record):
    report = scanned_report
    exact, null, wrong = score(record, report.to_json())
    assert wrong == []
    assert exact / (exact + len(null)) >= 0.98, null
    assert (report.issuer, report.year, report.format_version) == (record["issuer"], record["year"], "2021")
    # a null is explained: the parser names its cell (or its row), the reader says why
    named = {c for f in report.findings for c in f.cells}
    for cell in null:
        name = finding_name(cell)
        assert name in named or name.rsplit(".", 1)[0] in named, cell
    if null:
        assert any(f.rule == "ocr-uncertain" for f in report.findings)


def finding_name(cell: str) -> str:
    """score()'s 'requests.granted[6]' as findings name it: 'requests.granted.total'."""
    from pipelines.record import APPLICANTS, OUTCOMES

    if "[" not in cell:
        return cell
    head, i = cell[:-1].split("[")
    names = APPLICANTS if head.startswith("requests.") else OUTCOMES
    return f"{head}.{names[int(i)]}"


def test_every_ocr_read_report_says_so(scanned_report):
    ocr_findings = [f for f in scanned_report.findings if f.rule == "ocr"]
    assert len(ocr_findings) == 1
    f = ocr_findings[0]
    assert f.stage == "extract" and f.severity == "info"
    assert "2 page(s)" in f.detail and "rapidocr" in f.detail and "mean confidence 0." in f.detail
    assert scanned_report.parse_status in ("ok", "partial")  # info findings do not lower the status


def test_blotted_numbers_are_null_with_a_finding_naming_the_cell(smudged, record):
    assert smudged.kind == "pdf" and smudged.findings[0].rule == "ocr"
    # the cell is marked unreadable, not blank: a blank would be 0 to the rules
    unread = UNREADABLE_MARK
    assert ["行政许可", unread, "", ""] in smudged.rows and ["行政处罚", unread, "", ""] in smudged.rows
    uncertain = [f for f in smudged.findings if f.rule == "ocr-uncertain"]
    details = " ".join(f.detail for f in uncertain)
    assert "行政许可" in details and "行政处罚" in details and "blot" in details
    assert all(f.cells and f.cells[0].startswith("page1.table1.") for f in uncertain)
    # the rest of table 2 is read as printed; the page's half of table 3 too
    report = parse_rows(smudged.rows)
    a, want = report.active, record["active"]
    assert a.licensing is None and a.punishment is None
    assert report.parse_status == "partial"  # unread cells: never `ok`, never `inconsistent`
    assert any(f.rule == "unreadable-cell" and "licensing" in f.detail for f in report.findings)
    assert (a.coercion, a.fees_10k_yuan) == (want["coercion"], want["fees_10k_yuan"])
    assert a.regulations.in_force == want["regulations"]["in_force"]
    assert a.normative_documents.in_force == want["normative_documents"]["in_force"]
    assert report.requests["new_received"] == record["requests"]["new_received"]


def test_table_rows_are_grid_rows_as_for_a_ruled_pdf(smudged, text_pdf):
    """The rows the scan gives are the rows the text PDF gives for the same page: same grid,
    same merged-cell rule, table rows as GridRow."""
    import pdfplumber

    from pipelines.extract.pdf import join_pages, read_page

    with pdfplumber.open(io.BytesIO(text_pdf)) as pdf:
        printed = join_pages([read_page(pdf.pages[0])])
    tables = [r for r in smudged.rows if len(r) > 1]
    assert tables and all(isinstance(r, GridRow) for r in tables)
    assert [len(r) for r in tables] == [len(r) for r in printed if len(r) > 1]
    assert ["第二十条第(一)项"] * 4 in [[c.replace("（", "(").replace("）", ")") for c in r] for r in tables]
    assert ["行政规范性文件", "1", "7", "12"] in tables and ["行政事业性收费", "1012.922", "", ""] in tables


def test_image_formats_are_sniffed_from_the_bytes():
    img = Image.new("L", (40, 30), 255)
    for fmt, kind in (("PNG", "png"), ("JPEG", "jpeg"), ("TIFF", "tiff"), ("BMP", "bmp"), ("GIF", "gif")):
        buf = io.BytesIO()
        img.save(buf, fmt)
        assert sniff(buf.getvalue()) == kind
    assert sniff("BM公司2023年政府信息公开工作年度报告".encode()) == "text"


def test_png_attachment_is_read_by_ocr(page_top):
    doc = extract(page_top, "附件1.bin")  # the format comes from the bytes
    assert doc.kind == "ocr" and [f.rule for f in doc.findings] == ["ocr"]
    assert doc.rows[0] == ["阿城区2023年政府信息公开工作年度报告"]
    assert "统计期限自2023年1月1日至2023年12月31日" in "".join(r[0] for r in doc.rows)
    assert ["一、总体情况"] in doc.rows


def test_word_file_of_page_scans_is_read_by_ocr(page_top):
    """A DOCX that only wraps a page image."""
    import docx
    from docx.shared import Cm

    d = docx.Document()
    d.add_picture(io.BytesIO(page_top), width=Cm(21))
    out = io.BytesIO()
    d.save(out)
    doc = extract(out.getvalue(), "年报.docx")
    assert doc.kind == "ocr"
    assert ["阿城区2023年政府信息公开工作年度报告"] == doc.rows[0]
    assert [f.rule for f in doc.findings][:1] == ["ocr"]


def test_missing_engine_leaves_the_report_unsupported_naming_it(scan, monkeypatch, tmp_path):
    monkeypatch.setattr(ocr, "_engines", {})
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails as if not installed
    report = parse_document(scan.pdf, "图片版.pdf")
    assert report.parse_status == "unsupported"
    assert report.findings[0].rule == "E-ocr-missing-rapidocr"
    assert "rapidocr-onnxruntime" in report.findings[0].detail
    report = parse_document(scan.pngs[0], "page.png")
    assert (report.parse_status, report.findings[0].rule) == ("unsupported", "E-ocr-missing-rapidocr")
    # the other engine, chosen by the setting, missing from PATH
    monkeypatch.setenv(ocr.ENGINE_ENV, "tesseract")
    monkeypatch.setenv("PATH", str(tmp_path))
    report = parse_document(scan.pngs[0], "page.png")
    assert (report.parse_status, report.findings[0].rule) == ("unsupported", "E-ocr-missing-tesseract")
    assert "tesseract-ocr" in report.findings[0].detail


def cells(values: list[str], confidence: list[float]) -> list[ocr.OcrCell]:
    row = [ocr.OcrCell((0, 0, 100, 50), text="（一）予以公开")]
    for k, (v, c) in enumerate(zip(values, confidence)):
        row.append(ocr.OcrCell((100 + 50 * k, 0, 150 + 50 * k, 50), text=v, confidence=c))
    ocr.value_cells(row)
    return row


def test_low_confidence_digit_is_kept_only_when_the_row_total_confirms_it():
    sure = [0.99] * 7
    row = cells(["12", "0", "0", "0", "1", "0", "13"], sure[:2] + [0.5] + sure[3:])
    assert ocr.vet_values(row, 1, 1) == [] and row[3].text == "0"  # 12+0+0+0+1+0 = 13
    row = cells(["12", "0", "6", "0", "1", "0", "13"], sure[:2] + [0.5] + sure[3:])
    findings = ocr.vet_values(row, 1, 1)  # the total says the unsure 6 is wrong: null, never 0
    assert row[3].text == UNREADABLE_MARK and [f.rule for f in findings] == ["ocr-uncertain"]
    assert "（一）予以公开" in findings[0].detail and findings[0].cells == ["page1.table1.r1c4"]
    row = cells(["12", "0", "0", "0", "1", "0", "13"], [0.5, 0.5] + sure[2:])
    assert len(ocr.vet_values(row, 1, 1)) == 2  # two unsure cells: the sum cannot tell which


def test_readings_that_are_not_clean_numbers_are_unreadable():
    row = cells(["1O", "2", "灵", "0", "l", "0", "3"], [0.99] * 7)
    findings = ocr.vet_values(row, 2, 3)
    x = UNREADABLE_MARK
    assert [c.text for c in row[1:]] == [x, "2", x, "0", x, "0", "3"]
    assert len(findings) == 3 and all("page 3, table 2" in f.detail for f in findings)


def test_warehouse_tells_ocr_numbers_from_printed_text(scanned_report, db_path):
    from pipelines import warehouse
    from pipelines.warehouse.frames import DocumentInfo

    printed = parse_document(b"", "x")  # any non-OCR report: read_by_ocr false
    printed.issuer, printed.year = "某县", 2023
    with warehouse.connect(db_path) as conn:
        warehouse.load_reports(conn, [(scanned_report, DocumentInfo("a" * 64, "file:///scan.pdf")),
                                      (printed, DocumentInfo("b" * 64, "file:///x.txt"))])
        rows = dict(conn.execute("SELECT issuer, read_by_ocr FROM reports").fetchall())
    assert rows == {"阿城区": True, "某县": False}



def test_image_bombs_and_garbage_are_stopped_before_decoding():
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)  # 1.6 G pixels, greyscale

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    report = parse_document(bomb, "scan.png")
    assert (report.parse_status, report.findings[0].rule) == ("failed", "E-image-too-large")
    report = parse_document(b"\x89PNG\r\n\x1a\n" + b"\x13" * 200, "scan.png")
    assert (report.parse_status, report.findings[0].rule) == ("failed", "E-image-corrupt")


def test_scanned_page_inside_a_text_pdf(text_pdf, record):
    """Page 1 printed, page 2 scanned (a page replaced by its scan): the scan is read and table 3,
    which runs from the printed page onto the scanned one, comes back whole."""
    import pypdfium2 as pdfium

    scanned = scan_pdf(text_pdf, seed=4).pdf
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(text_pdf), [0])
    mixed.import_pages(pdfium.PdfDocument(scanned), [1])
    buf = io.BytesIO()
    mixed.save(buf)
    report = parse_document(buf.getvalue(), "年报.pdf")
    exact, null, wrong = score(record, report.to_json())
    assert wrong == [] and exact / (exact + len(null)) >= 0.98
    assert [f.rule for f in report.findings if f.stage == "extract"][:1] == ["ocr"]
    assert "1 page(s)" in report.findings[0].detail


def test_a_page_over_its_limits_is_skipped_with_a_finding(scan, monkeypatch):
    monkeypatch.setattr(ocr, "MAX_LINES_PER_PAGE", 10)  # every page of the scan holds more cell lines
    report = parse_document(scan.pdf, "图片版.pdf")
    assert report.parse_status == "failed"
    assert report.findings[0].rule == "E-ocr-page-unread" and "E-ocr-too-dense" not in report.findings[0].detail
    assert "page 1" in report.findings[0].detail and "over the 10" in report.findings[0].detail
