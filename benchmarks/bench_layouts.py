"""Accuracy of the parser on generated documents in every layout: numbers exact, null and wrong.

    .venv/bin/python benchmarks/bench_layouts.py [--seeds 0:500] [--layouts oneline,digits,pdf,...]

For each seed and both formats (2021, 2019) a random record that satisfies every rule
(tests/support/synth.py) is rendered in each layout and parsed back. Prints, per layout, the share of numbers
read exactly, the documents by status, and every document with a wrong number (a value that differs
from the record): the parser may leave a number null with a finding, never give a wrong one.
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.pipeline.documents import parse_document  # noqa: E402
from tests.support.synth import LAYOUTS, file_name, random_report, render  # noqa: E402

TABLES = ("active", "requests", "review_litigation")


def flat(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flat(item, f"{prefix}{key}.").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in flat(item, f"{prefix}{i}.").items()}
    return {prefix.rstrip("."): value}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0:500", help="a range a:b")
    ap.add_argument("--layouts", default=",".join(LAYOUTS))
    args = ap.parse_args(argv)
    lo, hi = (int(x) for x in args.seeds.split(":"))
    layouts = args.layouts.split(",")
    stats: dict[str, collections.Counter] = {layout: collections.Counter() for layout in layouts}
    wrong_docs = 0
    for seed in range(lo, hi):
        for fmt in ("2021", "2019"):
            truth = random_report(seed, fmt=fmt)
            want = flat({k: truth.to_json()[k] for k in TABLES})
            for layout in layouts:
                got = parse_document(render(truth, layout, seed).encode("utf-8"), file_name(layout, seed))
                have = flat({k: got.to_json()[k] for k in TABLES})
                wrong = [c for c in want if have.get(c) is not None and have[c] != want[c]]
                s = stats[layout]
                s["numbers"] += len(want)
                s["exact"] += sum(have.get(c) == want[c] for c in want)
                s["wrong"] += len(wrong)
                s[got.parse_status] += 1
                if wrong:
                    wrong_docs += 1
                    print(f"WRONG seed {seed} {fmt} {layout}: {wrong[:3]}")
    print(f"{'layout':10s} {'documents':>9s} {'exact':>8s} {'wrong':>6s}  statuses")
    for layout, s in stats.items():
        docs = sum(v for k, v in s.items() if k not in ("numbers", "exact", "wrong"))
        statuses = {k: v for k, v in s.items() if k not in ("numbers", "exact", "wrong")}
        print(f"{layout:10s} {docs:9d} {100 * s['exact'] / s['numbers']:7.2f}% {s['wrong']:6d}  {statuses}")
    return 1 if wrong_docs else 0


if __name__ == "__main__":
    sys.exit(main())
