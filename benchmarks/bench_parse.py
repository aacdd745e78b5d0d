"""Parse speed on generated report pages that look like real ones, against plain lxml parsing of
the same files.

    .venv/bin/python benchmarks/bench_parse.py [--reports 1000] [--rounds 3]

Writes N synthetic portal pages (tests/support/synth.py `page` layout, seeds 0..N-1: the report's HTML
with Word markup or plain cells, inside site chrome — menus, search, scripts, related links,
footer — with label variants: notes, full/half width, spaces inside labels, a misread
character) to a temp directory, every other page in GBK (as TRS sites serve them), the rest in
UTF-8, then in the same run times, file by file from disk (the corpus is never held
in memory): `lxml.html.fromstring` on each file's bytes, and `parse_path` (sniff, decode,
HTML → rows, tables, validation) on each file. Rounds alternate the two so machine noise
hits both; the best round of each is reported. Prints reports/second and the ratio.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml.html  # noqa: E402

from pipelines.pipeline.documents import parse_path  # noqa: E402
from tests.support.synth import random_report, render  # noqa: E402


def write_corpus(folder: Path, n: int) -> list[Path]:
    paths = []
    for seed in range(n):
        p = folder / f"report_{seed:05d}.html"
        page = render(random_report(seed), "page", seed)
        if seed % 2:
            p.write_bytes(page.replace('<meta charset="utf-8">', '<meta charset="gbk">', 1).encode("gbk"))
        else:
            p.write_text(page, encoding="utf-8")
        paths.append(p)
    return paths


def time_lxml(paths: list[Path]) -> float:
    t = time.perf_counter()
    for p in paths:
        lxml.html.fromstring(p.read_bytes())
    return time.perf_counter() - t


def time_parse(paths: list[Path]) -> tuple[float, dict[str, int]]:
    statuses: dict[str, int] = {}
    t = time.perf_counter()
    for p in paths:
        status = parse_path(p).parse_status
        statuses[status] = statuses.get(status, 0) + 1
    return time.perf_counter() - t, statuses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_corpus(Path(tmp), args.reports)
        size = sum(p.stat().st_size for p in paths)
        parse_path(paths[0])  # imports and caches warm
        best_lxml = best_parse = float("inf")
        statuses: dict[str, int] = {}
        for _ in range(args.rounds):
            best_lxml = min(best_lxml, time_lxml(paths))
            t, statuses = time_parse(paths)
            best_parse = min(best_parse, t)
    n = len(paths)
    print(f"reports            {n} generated HTML pages, {size / n / 1024:.1f} KiB each on average")
    print(f"statuses           {statuses}")
    print(f"lxml.html          {n / best_lxml:10.0f} reports/s   ({best_lxml * 1000 / n:.3f} ms each)")
    print(f"zfxxgk parse       {n / best_parse:10.0f} reports/s   ({best_parse * 1000 / n:.3f} ms each)")
    ratio = best_parse / best_lxml
    print(f"ratio parse/lxml   {ratio:.2f}  (target <= 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
