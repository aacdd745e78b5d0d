"""Attachment reader speed: a DOCX and a PDF corpus, documents/second and pages/second.

    .venv/bin/python benchmarks/bench_extract.py [--docx 60] [--pdf 12] [--rounds 3]

Renders N synthetic reports (tests.support.synth.random_report, 2021 format, seeds 0..N-1) as
DOCX with real merged cells (tests/fixtures/extract/render.py), and the first M of them as
PDF through LibreOffice (conversion time is not measured). Then, file by file from disk,
times `extract` (bytes -> rows) and `parse_document` (extract + parser) on each corpus.
The best of the rounds is reported. Needs LibreOffice for the PDF corpus (scripts/setup).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pdfplumber  # noqa: E402

from pipelines.extract import extract  # noqa: E402
from pipelines.extract.doc import libreoffice_convert  # noqa: E402
from pipelines.pipeline.documents import parse_document  # noqa: E402
from tests.support.synth import random_report  # noqa: E402
from tests.fixtures.extract.render import report_blocks, to_docx  # noqa: E402


def write_corpus(folder: Path, n_docx: int, n_pdf: int) -> tuple[list[Path], list[Path]]:
    docx_paths, pdf_paths = [], []
    for seed in range(n_docx):
        record = random_report(seed).to_json()
        record["issuer"] = record.get("issuer") or "某某区"
        record["year"] = record.get("year") or 2023
        data = to_docx(report_blocks(record, filler_paragraphs=3 + seed % 5))
        p = folder / f"report_{seed:05d}.docx"
        p.write_bytes(data)
        docx_paths.append(p)
        if seed < n_pdf:
            q = folder / f"report_{seed:05d}.pdf"
            q.write_bytes(libreoffice_convert(data, "docx", "pdf"))
            pdf_paths.append(q)
    return docx_paths, pdf_paths


def pages_of(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        if p.suffix == ".pdf":
            with pdfplumber.open(p) as pdf:
                n += len(pdf.pages)
    return n


def time_it(paths: list[Path], fn) -> tuple[float, int]:
    t = time.perf_counter()
    ok = 0
    for p in paths:
        ok += fn(p) is not None
    return time.perf_counter() - t, ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docx", type=int, default=60)
    ap.add_argument("--pdf", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_extract_") as tmp:
        t = time.perf_counter()
        docx_paths, pdf_paths = write_corpus(Path(tmp), args.docx, args.pdf)
        print(f"corpus: {len(docx_paths)} DOCX, {len(pdf_paths)} PDF ({pages_of(pdf_paths)} pages) "
              f"written in {time.perf_counter() - t:.1f} s")
        statuses: dict[str, int] = {}
        for p in docx_paths + pdf_paths:
            s = parse_document(p.read_bytes(), p.name).parse_status
            statuses[s] = statuses.get(s, 0) + 1
        print(f"parse statuses: {statuses}")
        for name, paths in (("DOCX", docx_paths), ("PDF", pdf_paths)):
            if not paths:
                continue
            pages = pages_of(paths)
            best_x = min(time_it(paths, lambda p: extract(p.read_bytes(), p.name))[0] for _ in range(args.rounds))
            best_p = min(time_it(paths, lambda p: parse_document(p.read_bytes(), p.name))[0]
                         for _ in range(args.rounds))
            line = f"## {name}: {len(paths)} documents"
            line += f", {pages} pages" if pages else ""
            print(line)
            print(f"extract:        {len(paths) / best_x:8.1f} documents/s"
                  + (f", {pages / best_x:7.1f} pages/s" if pages else "") + f"  ({best_x:.2f} s)")
            print(f"parse_document: {len(paths) / best_p:8.1f} documents/s"
                  + (f", {pages / best_p:7.1f} pages/s" if pages else "") + f"  ({best_p:.2f} s)")


if __name__ == "__main__":
    main()
