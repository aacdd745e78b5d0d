"""Extract stage: raw document bytes -> rows of cells for the parser.

The format is decided from the bytes (magic numbers, markup), never from the name alone.
Formats this stage cannot read yet give an `unsupported` ExtractError naming the format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from pipelines import encoding, rules
from pipelines.cells import Row, text_to_rows
from pipelines.record import Finding, finding

MAGIC = [
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),  # docx / xlsx / wps (OOXML)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # doc / xls / wps
    (b"{\\rtf", "rtf"),
    (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
]
IMAGE_KINDS = ("png", "jpeg", "gif", "tiff", "bmp")  # read by OCR (extract/ocr.py)


class ExtractError(Exception):
    """The document cannot be turned into rows. `rule`: the catalogue's (its code is kept);
    `status` is the report status to record."""

    def __init__(self, message: str, rule: rules.Rule, status: str = "failed"):
        super().__init__(message)
        self.rule = rule.code
        self.status = status


@dataclass
class Extracted:
    rows: list[Row]
    kind: str  # text, html, ...
    title: Optional[str] = None  # a page's ArticleTitle meta, when there is one
    findings: list[Finding] = field(default_factory=list)


def sniff(data: bytes) -> str:
    """The document's format from its bytes: pdf, zip, ole, rtf, image kinds, html or text."""
    head = data[:16]
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if _is_bmp(data):
        return "bmp"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    probe = data[:4096].lower()
    if b"<html" in probe or b"<!doctype html" in probe or b"<table" in probe or b"<body" in probe:
        return "html"
    return "text"


def _damage_findings(data: bytes, declared: Optional[str]) -> list[Finding]:
    """A warning when decoding replaced broken UTF-8 bytes: cells that held them read as null."""
    if declared and declared.strip().lower() not in ("utf-8", "utf8"):
        return []
    bad = encoding.utf8_damage(data)
    if not bad:
        return []
    return [finding(rules.E_ENCODING_REPAIRED,
                    f"{bad} byte sequence(s) are not valid UTF-8 and were replaced by U+FFFD; a cell holding "
                    "one reads as null with a finding")]


def extract(data: bytes, name: str = "", declared_charset: Optional[str] = None) -> Extracted:
    try:
        return _extract(data, name, declared_charset)
    except encoding.UndecodableError as e:  # in whichever reader decoded text
        raise ExtractError(str(e), rules.E_ENCODING) from e


def _extract(data: bytes, name: str, declared_charset: Optional[str]) -> Extracted:
    # The readers are imported here, by kind: each imports this package (ExtractError, Extracted),
    # so importing them above would be a cycle.
    if not data.strip():
        raise ExtractError("the document is empty", rules.E_EMPTY)
    from pipelines.extract.limits import check_size

    check_size(data)
    kind = sniff(data)
    if kind == "html":
        from pipelines.extract.html import read_html

        declared = encoding.declared_charset(data, declared_charset)
        rows, title = read_html(data, declared)
        return Extracted(rows, "html", title, _damage_findings(data, declared))
    if kind == "text":
        text = encoding.decode(data, declared_charset)
        if _garbled(text):
            raise ExtractError("the text decodes to mostly control or replacement characters", rules.E_ENCODING)
        return Extracted(text_to_rows(text), "text", findings=_damage_findings(data, declared_charset))
    if kind in IMAGE_KINDS:
        from pipelines.extract import limits
        from pipelines.extract.ocr import image_to_rows

        return image_to_rows(data, kind, limits.Deadline())
    if kind == "binary":
        raise ExtractError("binary data that is no known document format", rules.E_BINARY)
    return extract_binary(data, kind, name)


def extract_binary(data: bytes, kind: str, name: str = "", depth: int = 0) -> Extracted:
    """pdf, zip (docx / xlsx / wps / odt, or an archive holding one document), ole (doc / xls /
    wps) and rtf. Each reader runs under the limits of `extract/limits.py`."""
    from pipelines.extract import limits

    deadline = limits.Deadline()
    if kind == "pdf":
        from pipelines.extract.pdf import pdf_to_rows

        return pdf_to_rows(data, deadline)
    if kind == "zip":
        from pipelines.extract.docx import docx_to_rows, main_part
        from pipelines.extract.xls import xlsx_to_rows

        zf = limits.open_zip(data)
        names = set(zf.namelist())
        if main_part(zf).startswith("word/") and main_part(zf) in names:
            rows = docx_to_rows(zf)
            from pipelines.extract.ocr import docx_scans, images_to_rows

            scans = docx_scans(zf, main_part(zf), rows)
            if scans:  # a Word file that only wraps page images: a scan
                return images_to_rows(scans, "docx", deadline, rows)
            return Extracted(rows, "docx")
        if "xl/workbook.xml" in names:
            return xlsx_to_rows(data, deadline)
        if "mimetype" in names and limits.read_member(zf, "mimetype").startswith(
                b"application/vnd.oasis.opendocument.text"):
            from pipelines.extract.doc import converted_to_rows

            return converted_to_rows(data, "odt", "odt", deadline)
        if "ppt/presentation.xml" in names:
            raise ExtractError("a PowerPoint presentation, not a report document", rules.E_FORMAT_PPTX,
                               status="unsupported")
        if "OFD.xml" in names:
            raise ExtractError("an OFD document: no OFD reader is available", rules.E_FORMAT_OFD, status="unsupported")
        # an archive: read it when it holds exactly one document (portals zip single attachments)
        files = [i for i in zf.infolist() if not i.is_dir()]
        if depth == 0 and len(files) == 1:
            inner = limits.read_member(zf, files[0].filename)
            inner_kind = sniff(inner)
            if inner_kind in ("pdf", "zip", "ole", "rtf"):
                doc = extract_binary(inner, inner_kind, files[0].filename, depth + 1)
                doc.findings.insert(0, finding(rules.E_ZIP_ARCHIVE,
                                               f"read {files[0].filename!r}, the one file in a zip archive"))
                return doc
        raise ExtractError(f"a zip archive of {len(files)} files that is no Word or Excel document",
                           rules.E_FORMAT_ZIP, status="unsupported")
    if kind == "ole":
        from pipelines.extract.doc import ole_kind, word_to_rows

        ole = ole_kind(data)
        if ole == "word":
            return word_to_rows(data, deadline)
        if ole == "excel":
            from pipelines.extract.xls import xls_to_rows

            return xls_to_rows(data, deadline)
        if ole == "encrypted":
            raise ExtractError("a password-protected Office document", rules.E_ENCRYPTED, status="unsupported")
        if ole == "powerpoint":
            raise ExtractError("a PowerPoint presentation, not a report document", rules.E_FORMAT_PPT,
                               status="unsupported")
        from pipelines.extract.doc import converted_to_rows

        return converted_to_rows(data, "wps", "wps", deadline)  # e.g. Kingsoft's own WPS format
    if kind == "rtf":
        from pipelines.extract.doc import converted_to_rows

        return converted_to_rows(data, "rtf", "rtf", deadline)
    raise ExtractError(f"a {kind} document: no reader for it", rules.get(f"E-format-{kind}"), status="unsupported")


def _is_bmp(data: bytes) -> bool:
    """A Windows bitmap: 'BM', the file size, and a known DIB header size (text can start with BM)."""
    if len(data) < 26 or not data.startswith(b"BM"):
        return False
    size = int.from_bytes(data[2:6], "little")
    return (size == 0 or abs(size - len(data)) <= 16) and int.from_bytes(data[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)


def _garbled(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return bad / len(text) > 0.05
