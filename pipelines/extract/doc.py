"""DOC, WPS and RTF -> rows, through antiword or a LibreOffice conversion to DOCX.

An OLE container is told apart by its streams, not by the file's extension: a WordDocument
stream is Word 97-2003 (Kingsoft WPS saves .wps files in this format too), Workbook/Book is
Excel, EncryptedPackage is a password-protected OOXML file. Word files are converted to
DOCX by LibreOffice and read by the DOCX reader; antiword (`-m UTF-8.txt` keeps Chinese; its
tables come out as `|`-separated lines, which `text_to_rows` reads) is the fallback, with a
finding saying so (see `word_to_rows`). LibreOffice runs one conversion at a time
per process, with a profile of its own (`/tmp/lo_<pid>`): concurrent runs on one profile
silently produce nothing.
"""
from __future__ import annotations

import os
import tempfile
import threading
from io import BytesIO
from pathlib import Path
from typing import Optional

from pipelines.cells import text_to_rows
from pipelines.extract import ExtractError, Extracted
from pipelines.extract.docx import docx_to_rows, main_part
from pipelines.extract.limits import Deadline, open_zip, read_member, require_tool, run_tool
from pipelines import rules
from pipelines.record import Finding, finding

_LO_LOCK = threading.Lock()


def ole_streams(data: bytes) -> set[str]:
    """Top-level stream names of an OLE compound file (lower case)."""
    import olefile

    try:
        with olefile.OleFileIO(BytesIO(data)) as ole:
            return {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception as e:  # olefile raises plain OSError/struct errors on damaged files
        raise ExtractError(f"a corrupt OLE (Office 97-2003) container: {e}", rules.E_OLE_CORRUPT) from e


def ole_kind(data: bytes) -> str:
    """word, excel, encrypted, powerpoint or other."""
    streams = ole_streams(data)
    if "encryptedpackage" in streams:
        return "encrypted"
    if "worddocument" in streams:
        return "word"
    if "workbook" in streams or "book" in streams:
        return "excel"
    if "powerpoint document" in streams:
        return "powerpoint"
    return "other"


def word_to_rows(data: bytes, deadline: Deadline) -> Extracted:
    """A Word 97-2003 document (or a WPS file in that format).

    LibreOffice's conversion to DOCX comes first: it keeps merged cells as merges, so the
    tables come out as exact grids. antiword's `|` text loses spans and drops rows of
    heavily merged tables (a 2021-format table 3 written by LibreOffice loses all its data
    rows), so it is the fallback: when LibreOffice is missing or fails, or when its
    conversion has no table at all while antiword sees one (a known LibreOffice fault).
    """
    import shutil

    findings: list[Finding] = []
    lo_error: Optional[str] = None
    if shutil.which("soffice"):
        try:
            converted = libreoffice_convert(data, "doc", "docx", deadline)
        except ExtractError as e:
            if e.rule == rules.E_TIMEOUT.code:
                raise
            lo_error = str(e)
        else:
            doc = _from_docx(converted, "doc", findings)
            if _has_table(converted) or not shutil.which("antiword"):
                return doc
            try:
                rows = antiword_rows(data, deadline)
            except ExtractError:
                return doc
            if any(len(r) > 1 for r in rows):
                doc.rows = rows
                doc.findings.append(finding(rules.E_LIBREOFFICE_LOST_TABLES,
                                            "LibreOffice's conversion has no table but antiword sees one: "
                                            "antiword's text is read (merged cells are not expanded)"))
            return doc
    else:
        lo_error = "LibreOffice (soffice) is not installed"
    try:
        rows = antiword_rows(data, deadline)
    except ExtractError as e:
        if e.rule == rules.E_TIMEOUT.code:
            raise
        if e.rule == rules.E_TOOL_MISSING_ANTIWORD.code and not shutil.which("soffice"):
            raise ExtractError("a Word 97-2003 (.doc/.wps) document needs LibreOffice (soffice) or antiword, "
                               "and neither is installed (scripts/setup installs them)",
                               rules.E_TOOL_MISSING_SOFFICE_ANTIWORD, status="unsupported") from e
        raise ExtractError(f"{lo_error}; {e}", rules.E_DOC_UNREADABLE) from e
    findings.append(finding(rules.E_ANTIWORD_USED,
                            f"{lo_error}; read by antiword, whose tables lose their merged cells"))
    return Extracted(rows, "doc", findings=findings)


def _has_table(docx_bytes: bytes) -> bool:
    zf = open_zip(docx_bytes)
    xml = read_member(zf, main_part(zf))
    return b"<w:tbl>" in xml or b"<w:tbl " in xml


def antiword_rows(data: bytes, deadline: Deadline) -> list:
    exe = require_tool("antiword", "a Word 97-2003 (.doc/.wps) document")
    with tempfile.TemporaryDirectory(prefix="zfxxgk_aw_") as tmp:
        path = Path(tmp) / "in.doc"
        path.write_bytes(data)
        # -w 0: no line wrapping, so a paragraph stays one line and a table row one line
        done = run_tool([exe, "-m", "UTF-8.txt", "-w", "0", str(path)], timeout=deadline.left())
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractError(f"antiword: {message[-1] if message else f'exit status {done.returncode}'}",
                           rules.E_ANTIWORD)
    text = done.stdout.decode("utf-8", "replace")
    if not text.strip():
        raise ExtractError("antiword found no text", rules.E_ANTIWORD)
    return text_to_rows(text)


def converted_to_rows(data: bytes, in_suffix: str, kind: str, deadline: Deadline) -> Extracted:
    """A document only LibreOffice reads (RTF, ODT, other WPS) -> DOCX -> rows."""
    return _from_docx(libreoffice_convert(data, in_suffix, "docx", deadline), kind, [])


def _from_docx(converted: bytes, kind: str, findings: list[Finding]) -> Extracted:
    rows = docx_to_rows(open_zip(converted))
    return Extracted(rows, kind, findings=findings)


def libreoffice_convert(data: bytes, in_suffix: str, out_format: str, deadline: Optional[Deadline] = None) -> bytes:
    """Convert a document with LibreOffice headless (`out_format`: docx, pdf, doc, ...)."""
    exe = require_tool("soffice", f"a .{in_suffix} document (converted by LibreOffice)")
    deadline = deadline or Deadline()
    profile = f"file:///tmp/lo_{os.getpid()}"
    with _LO_LOCK, tempfile.TemporaryDirectory(prefix="zfxxgk_lo_") as tmp:
        src = Path(tmp) / f"in.{in_suffix}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
        env = dict(os.environ, HOME=tmp)  # keeps LibreOffice from writing into the real home
        done = run_tool([exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
                         "--convert-to", out_format, "--outdir", str(out_dir), str(src)],
                        timeout=deadline.left(), env=env)
        target = out_dir / f"in.{out_format.split(':')[0]}"
        if done.returncode != 0 or not target.exists():
            err = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise ExtractError(f"LibreOffice could not convert the .{in_suffix} document to {out_format}"
                               f"{': ' + err[-1] if err else ''}", rules.E_LIBREOFFICE)
        return target.read_bytes()
