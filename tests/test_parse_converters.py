"""Real converters' output: the samples rendered as PDF (from DOCX by LibreOffice, as portals make
them) and turned back into text by pdfplumber, poppler's `pdftotext -layout` and Microsoft's
markitdown. Each mangles the tables its own way (labels wrapped round their numbers, two values in
one markdown cell, page numbers between rows, vertical headers); the numbers must come back as
the samples' hand-checked records print them."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from pipelines.parse import parse_text
from tests.conftest import EXPECTED_DIR, expected_record
from tests.fixtures.extract.render import report_blocks, to_docx
from tests.test_parse_real_layouts import INCONSISTENT, score

STEMS = sorted(p.stem for p in EXPECTED_DIR.glob("*.json"))
pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice (soffice) is not installed; scripts/setup installs it")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict:
    from tests.test_extract_formats import libreoffice_convert

    out = {}
    for stem in STEMS:
        path = tmp_path_factory.mktemp("pdf") / f"{stem}.pdf"
        path.write_bytes(libreoffice_convert(to_docx(report_blocks(expected_record(stem))), "docx", "pdf"))
        out[stem] = path
    return out


def plumber(path) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def pdftotext(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed; scripts/setup --dev installs it")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def markitdown(path) -> str:
    from markitdown import MarkItDown

    return MarkItDown().convert(str(path)).text_content


@pytest.mark.parametrize("convert", [plumber, pdftotext, markitdown])
def test_converted_pdfs_read_back_exactly(pdfs, convert):
    for stem, path in pdfs.items():
        got = parse_text(convert(path))
        exact, total, wrong = score(got, stem)
        assert wrong == [], (stem, wrong[:5])
        assert (exact, total) == (200, 200), (stem, [f.to_json() for f in got.findings if f.severity == "error"])
        assert got.parse_status == ("inconsistent" if stem == INCONSISTENT else "ok")
