"""Bad attachments end with a finding and a clear status, never a crash or a hang."""
from __future__ import annotations

import io
import shutil
import time
import zipfile

import pytest
from PIL import Image

from pipelines.extract import ExtractError, extract
from pipelines.extract import limits
from pipelines.extract.doc import libreoffice_convert
from pipelines.pipeline.documents import parse_document
from tests.conftest import expected_record
from tests.fixtures.extract.render import report_blocks, to_docx, to_xlsx

needs_lo = pytest.mark.skipif(shutil.which("soffice") is None,
                              reason="LibreOffice (soffice) is not installed; scripts/setup installs it")


def status_and_rule(data: bytes, name: str = "x.bin") -> tuple[str, str]:
    report = parse_document(data, name)
    assert report.findings and report.findings[0].stage == "extract"
    return report.parse_status, report.findings[0].rule


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return to_docx(report_blocks(expected_record("002_14635e754de52443")))


def image_pdf(pages: int = 2) -> bytes:
    """A scanned report: pages that are only images, no text layer."""
    imgs = [Image.new("RGB", (595, 842), "white") for _ in range(pages)]
    buf = io.BytesIO()
    imgs[0].save(buf, "PDF", save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def test_image_only_pdf_is_unsupported_not_failed():
    report = parse_document(image_pdf(), "图片版.pdf")
    assert report.parse_status == "unsupported"
    assert report.findings[0].rule == "E-pdf-no-text"
    assert "2 page(s)" in report.findings[0].detail and "OCR" in report.findings[0].detail


def test_corrupt_pdfs():
    assert status_and_rule(b"%PDF-1.4\nthis is not a PDF body") == ("failed", "E-pdf-corrupt")
    assert status_and_rule(b"%PDF-1.7\n" + bytes(range(256)) * 40) == ("failed", "E-pdf-corrupt")


@needs_lo
def test_encrypted_and_truncated_pdf(docx_bytes):
    secret = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
              '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    assert status_and_rule(libreoffice_convert(docx_bytes, "docx", secret)) == ("unsupported", "E-encrypted")
    pdf = libreoffice_convert(docx_bytes, "docx", "pdf")
    assert status_and_rule(pdf[: len(pdf) // 3]) == ("failed", "E-pdf-corrupt")


def test_docx_that_is_no_zip(docx_bytes):
    assert status_and_rule(b"PK\x03\x04" + b"\x00garbage" * 100, "x.docx") == ("failed", "E-zip-corrupt")
    assert status_and_rule(docx_bytes[:2000], "x.docx") == ("failed", "E-zip-corrupt")


def test_docx_with_corrupt_xml(docx_bytes):
    src = zipfile.ZipFile(io.BytesIO(docx_bytes))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, data[: len(data) // 2] if info.filename == "word/document.xml" else data)
    assert status_and_rule(buf.getvalue()) == ("failed", "E-docx-corrupt")


def test_xlsx_with_corrupt_workbook():
    data = to_xlsx(report_blocks(expected_record("002_14635e754de52443")))
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, b"<oops" if info.filename == "xl/workbook.xml" else src.read(info))
    assert status_and_rule(buf.getvalue()) == ("failed", "E-xlsx-corrupt")


def test_zip_bomb_is_refused_before_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(limits.MAX_UNZIPPED_BYTES // len(chunk) + 8):
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 2 * 2**20  # a small file...
    t = time.monotonic()
    assert status_and_rule(data, "x.docx") == ("failed", "E-zip-bomb")  # ...that would inflate past the cap
    assert time.monotonic() - t < 2


def test_zip_member_larger_than_declared_is_cut():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document/>" + b" " * 100_000)
    data = bytearray(buf.getvalue())
    # lie in the central directory: the member claims 10 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24: cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ExtractError) as e:
        zf = limits.open_zip(bytes(data))
        limits.read_member(zf, "word/document.xml")
    assert e.value.rule in ("E-zip-bomb", "E-zip-corrupt")


def test_huge_document_is_refused():
    assert status_and_rule(b"%PDF-1.4\n" + b"0" * (limits.MAX_DOCUMENT_BYTES + 1)) == ("failed", "E-too-large")


def test_corrupt_ole_and_doc():
    ole_magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert status_and_rule(ole_magic + b"\x00" * 600, "x.doc") == ("failed", "E-ole-corrupt")


@needs_lo
def test_doc_that_antiword_and_libreoffice_reject(docx_bytes):
    """A DOC whose WordDocument stream is destroyed: both readers fail, the report says so."""
    import olefile

    doc = bytearray(libreoffice_convert(docx_bytes, "docx", "doc"))
    with olefile.OleFileIO(bytes(doc)) as ole:
        start = ole.root.kids_dict["worddocument"].isectStart
        sector = ole.sectorsize
    # overwrite the stream's first sectors (its FIB: the file's table of contents)
    offset = (start + 1) * sector
    doc[offset: offset + 4 * sector] = b"\xff" * (4 * sector)
    report = parse_document(bytes(doc), "x.doc")
    assert report.parse_status == "failed"
    assert [f.rule for f in report.findings] == ["E-doc-unreadable"]
    assert "LibreOffice" in report.findings[0].detail and "antiword" in report.findings[0].detail


def test_formats_without_reader_are_unsupported():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ppt/presentation.xml", "<p/>")
    assert status_and_rule(buf.getvalue()) == ("unsupported", "E-format-pptx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
        z.writestr("b.txt", "y")
    assert status_and_rule(buf.getvalue()) == ("unsupported", "E-format-zip")
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    assert status_and_rule(png.getvalue()) == ("unsupported", "E-image")


def test_a_zip_holding_one_document_is_read(docx_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("附件/2023年年报.docx", docx_bytes)
    report = parse_document(buf.getvalue(), "附件.zip")
    assert report.parse_status == "ok"
    assert report.findings[0].rule == "E-zip-archive" and report.findings[0].severity == "warning"


def test_external_tool_is_killed_at_its_time_limit():
    t = time.monotonic()
    with pytest.raises(ExtractError) as e:
        limits.run_tool(["sh", "-c", "sleep 30 & sleep 30"], timeout=1)
    assert e.value.rule == "E-timeout"
    assert time.monotonic() - t < 5


def test_deadline_stops_a_reader():
    deadline = limits.Deadline(0)
    with pytest.raises(ExtractError) as e:
        deadline.check("page 3 of 900")
    assert e.value.rule == "E-timeout" and "page 3 of 900" in str(e.value)


def test_missing_tool_is_unsupported_and_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExtractError) as e:
        libreoffice_convert(b"{\\rtf1 x}", "rtf", "docx")
    assert e.value.status == "unsupported" and e.value.rule == "E-tool-missing-soffice"
    assert status_and_rule(b"{\\rtf1\\ansi hello}", "x.rtf") == ("unsupported", "E-tool-missing-soffice")


def test_extract_never_raises_anything_but_extract_error():
    for data in (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1"):
        for tail in (b"", b"\x00" * 10, bytes(range(256))):
            try:
                extract(data + tail)
            except ExtractError:
                pass
