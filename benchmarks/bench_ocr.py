"""OCR of scanned reports: pages per second and the share of numbers read exactly, per engine.

    .venv/bin/python benchmarks/bench_ocr.py [--engines tesseract,rapidocr] [--seeds 1] [--stems 000,002] [--harsh]

Each bundled sample's hand-checked record (tests/expected/*.json) is rendered as a PDF through
LibreOffice (tests/fixtures/extract/render.py), then scanned (tests/fixtures/extract/scan.py:
150 dpi, greyscale, turned by under a degree, noise), saved as an image-only PDF, and parsed
back with `parse_document` (extract -> OCR -> parser). Every one of a record's 200 table numbers
is compared with the record: exact, null (the reader declined, with a finding) or wrong.
Rendering and scanning are not timed; the time is `parse_document` on the scan's bytes.
--harsh scans at 120 dpi, turned by 1-2.5 degrees, through JPEG at quality 55.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.pipeline.documents import parse_document  # noqa: E402
from tests.conftest import EXPECTED_DIR, expected_record  # noqa: E402
from tests.fixtures.extract.scan import HARSH, scan_record, score  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="tesseract,rapidocr")
    ap.add_argument("--seeds", type=int, default=1, help="scans per record (different angles and noise)")
    ap.add_argument("--stems", default="", help="comma-separated record prefixes (default: all)")
    ap.add_argument("--harsh", action="store_true",
                    help="harsher scans: 120 dpi, turned 1-2.5 degrees, JPEG quality 55 (scan.HARSH)")
    args = ap.parse_args()
    stems = sorted(p.stem for p in EXPECTED_DIR.glob("*.json"))
    if args.stems:
        stems = [s for s in stems if s.split("_")[0] in args.stems.split(",")]
    scans = []
    for stem in stems:
        for seed in range(args.seeds):
            scans.append((stem, seed, scan_record(expected_record(stem), seed, **(HARSH if args.harsh else {}))))
    print(f"{len(scans)} scans of {len(stems)} records, {sum(len(s.pngs) for _, _, s in scans)} pages")
    for name in args.engines.split(","):
        os.environ["ZFXXGK_OCR_ENGINE"] = name
        pages = exact = null = total = 0
        wrong: list[str] = []
        t_total = 0.0
        statuses = []
        for stem, seed, scan in scans:
            t = time.perf_counter()
            report = parse_document(scan.pdf, "scan.pdf")
            t_total += time.perf_counter() - t
            pages += len(scan.pngs)
            rec = expected_record(stem)
            e, n, w = score(rec, report.to_json())
            exact, null, total = exact + e, null + len(n), total + e + len(n) + len(w)
            wrong += [f"{stem} seed {seed}: {x}" for x in w]
            meta = report.issuer == rec["issuer"] and report.year == rec["year"]
            statuses.append(f"{stem[:3]}/{seed}:{report.parse_status}{'' if meta else '(title misread)'}")
            if report.parse_status in ("unsupported", "failed"):
                print(f"  {name} {stem}: {report.findings[0].detail}")
        print(f"## {name}")
        print(f"pages/s {pages / t_total:.3f} ({t_total:.1f} s for {pages} pages)")
        print(f"numbers exact {exact}/{total} = {100 * exact / max(1, total):.1f} %; null {null}; "
              f"wrong {len(wrong)}")
        print("statuses", " ".join(statuses))
        for w in wrong:
            print("  WRONG", w)


if __name__ == "__main__":
    main()
