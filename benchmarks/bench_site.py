"""The static site (`zfxxgk site`) of a large warehouse: build time, files, sizes, the largest page data.

    .venv/bin/python benchmarks/bench_site.py [--reports 100000] [--db WAREHOUSE] [--out DIR] [--no-copies]

Without --db it builds the warehouse first the way benchmarks/bench_e2e.py does (gen_corpus.py's
corpus, then `zfxxgk load`: every model and the published copy), unless DIR already holds one. Not
timed. Then it builds the site from that warehouse in a fresh process and prints:

- wall time of the build and its steps (SQL + file writes per kind of page), peak memory (ru_maxrss);
- files and bytes written (data files, stored copies hard-linked), the largest data file and the
  mean size of a report page's data: what one page load fetches.

Target (issue 17): the site of 100,000 reports in under 2 minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUILD = """
import json, sys, time
from pipelines import warehouse
from pipelines.site import build_site
with warehouse.connect(sys.argv[1], read_only=True) as conn:
    r = build_site(conn, sys.argv[2], copies=sys.argv[3] == "1")
print(json.dumps({k: (str(v) if k == "path" else v) for k, v in r.__dict__.items()}))
"""


def ensure_warehouse(reports: int, out: Path) -> Path:
    db = out / "warehouse.duckdb"
    if db.exists():
        return db
    from benchmarks.gen_corpus import generate

    corpus = out / "corpus"
    if not (corpus / "manifest.jsonl").exists():
        portals = max(1, reports // 50)
        s = generate(corpus, portals, -(-reports // portals))
        print(f"corpus: {s.files} files, {s.reports} reports, generated in {s.seconds:.0f} s")
    t0 = time.monotonic()
    subprocess.run([str(ROOT / ".venv" / "bin" / "zfxxgk"), "--db", str(db), "load", str(corpus)], check=True)
    print(f"warehouse: loaded in {time.monotonic() - t0:.0f} s (not part of the figure)")
    return db


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--db", type=Path, help="an existing warehouse (its published copy is not needed)")
    ap.add_argument("--out", type=Path, help="work folder (default benchmarks/out/site_N)")
    ap.add_argument("--no-copies", action="store_true", help="leave the stored copies out of the site")
    args = ap.parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "out" / f"site_{args.reports}"
    out.mkdir(parents=True, exist_ok=True)
    db = args.db or ensure_warehouse(args.reports, out)
    site = out / "site"
    print(f"$ build_site({db}) -> {site}  (load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)")
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", BUILD, str(db), str(site), "0" if args.no_copies else "1"],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - t0
    if p.returncode:
        print(p.stderr, file=sys.stderr)
        return 1
    r = json.loads(next(ln for ln in reversed(p.stdout.splitlines()) if ln.startswith("{")))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    data = site / "data"
    largest = max(data.rglob("*.js"), key=lambda f: f.stat().st_size)
    report_files = list((data / "report").rglob("*.js"))
    mean_report = sum(f.stat().st_size for f in report_files[:5000]) / max(1, min(len(report_files), 5000))
    print(f"## site: {r['reports']:,} reports, {r['issuers']:,} issuers, {r['provinces']} provinces, "
          f"{r['findings']:,} findings")
    print(f"wall              {wall:.1f} s (build_site {r['seconds']:.1f} s; target < 120 s for 100,000 reports)")
    print("steps             " + ", ".join(f"{k} {v:.1f} s" for k, v in r["timings"].items()))
    print(f"peak memory       {peak / 2**20:.0f} MiB (ru_maxrss of the build process)")
    print(f"data files        {r['files']:,}, {r['bytes'] / 2**20:.0f} MiB; stored copies linked {r['copies']:,} "
          f"(missing {r['copies_missing']})")
    print(f"one page fetches  report data {mean_report / 1024:.1f} KiB mean; largest data file "
          f"{largest.relative_to(site)} {largest.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
