"""End to end from raw files on disk: N reports -> warehouse + every SQL model, wall time and memory.

    .venv/bin/python benchmarks/bench_e2e.py [--reports 10000] [--portals N] [--out DIR] [--keep]

1. Generates the corpus (benchmarks/gen_corpus.py: N documents over N/50 portals, every layout,
   with notices, reposts and inconsistent reports) into DIR (default benchmarks/out/e2e_N/), unless
   DIR already holds it. Not timed.
2. Runs what `zfxxgk load DIR` runs (`pipelines.pipeline.load.load_local`: read, parse in worker
   processes, load batch by batch, build every model in sql/, publish the read-only copy) in a fresh
   process and measures:
   - wall time, and per stage: waiting for parsed batches (reading and parsing beyond what overlaps
     the writing), writing the batches, the SQL models, the published copy; documents/s and ms per
     document of each;
   - peak memory of the process tree: the largest sum of the tree's resident sets, sampled every
     0.1 s from /proc, and the largest single process (ru_maxrss of the waited-for children);
   - the warehouse's size on disk;
3. Checks the warehouse against the corpus manifest (every report present, notices not_a_report,
   inconsistent copies flagged) and prints the statuses and row counts.

Targets (issue 8): 10,000 reports in <= 180 s with peak memory <= 2 GiB on the 2-core machine.
Issue 16: per-document time flat within 1.25x from 4,000 to 1,000,000 documents, memory < 2 GiB.
At most one portal per division (3,185): beyond 159,250 documents the portals grow instead.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.gen_corpus import generate, max_portals  # noqa: E402

# The child: load_local, as `zfxxgk --db DB load CORPUS` runs it, printing its stage times.
CHILD = """
import json, sys
from pathlib import Path
from pipelines.pipeline.load import load_local
r = load_local([Path(sys.argv[2])], Path(sys.argv[1]))
print("STAGES " + json.dumps({"loaded": r.loaded, "failed": len(r.failed), "seconds": r.seconds}), flush=True)
"""


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack += children.get(p, [])
    return total


def run_measured(cmd: list[str], env: dict, stages_file: Path) -> tuple[int, float, int, int]:
    """(exit code, wall seconds, peak tree RSS bytes, peak single-process RSS bytes); the child's
    STAGES line goes to `stages_file`."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)

    def relay() -> None:
        for line in proc.stdout:
            if line.startswith("STAGES "):
                stages_file.write_text(line[len("STAGES "):])
            else:
                print(line, end="")

    relay_thread = threading.Thread(target=relay, daemon=True)
    relay_thread.start()
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.monotonic() - t0
    relay_thread.join()
    done.set()
    sampler.join()
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return code, wall, peak[0], single


def check(db: Path, corpus: Path) -> dict:
    import duckdb

    man = [json.loads(line) for line in open(corpus / "manifest.jsonl", encoding="utf-8")]
    with duckdb.connect(str(db), read_only=True) as conn:
        status = dict(conn.execute("SELECT report_id, parse_status FROM reports").fetchall())
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("documents", "reports", "request_outcomes", "findings", "report_metrics")}
        n_models = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'").fetchone()[0]
    expected = {m["report_id"] for m in man if m["report_id"]}
    missing = expected - set(status)
    by_status: dict[str, int] = {}
    for s in status.values():
        by_status[s] = by_status.get(s, 0) + 1
    reposted = {m["report_id"] for m in man if m["kind"] == "repost"}  # a clean copy may rightly win
    unflagged = sum(1 for m in man if m["kind"] == "inconsistent" and status.get(m["report_id"]) == "ok"
                    and m["report_id"] not in reposted)
    return {"expected_reports": len(expected), "missing": len(missing), "statuses": by_status, "rows": counts,
            "tables_and_views": n_models, "inconsistent_loaded_as_ok": unflagged}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--portals", type=int, help="default: reports / 50")
    ap.add_argument("--out", type=Path, help="corpus directory (default benchmarks/out/e2e_N)")
    ap.add_argument("--workers", type=int, help="parse processes (default: the CPU count)")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and the warehouse")
    args = ap.parse_args(argv)
    portals = args.portals or max(1, min(args.reports // 50, max_portals()))
    per_portal = -(-args.reports // portals)
    out = args.out or ROOT / "benchmarks" / "out" / f"e2e_{args.reports}"
    corpus = out / "corpus"
    if not (corpus / "manifest.jsonl").exists():
        s = generate(corpus, portals, per_portal)
        print(f"corpus: {s.files} files, {s.bytes / 2**20:.0f} MiB, {portals} portals, generated in {s.seconds:.0f} s "
              f"({s.reports} reports, {s.inconsistent} made inconsistent, {s.reposts} reposts, {s.notices} notices)")
    files = sum(1 for _ in open(corpus / "manifest.jsonl", encoding="utf-8"))
    db = out / "warehouse.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(out / "published", ignore_errors=True)
    env = dict(os.environ)
    if args.workers:
        env["ZFXXGK_WORKERS"] = str(args.workers)
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "-c", CHILD, str(db), str(corpus)]
    print(f"$ load_local {corpus} -> {db}  (as `zfxxgk --db DB load CORPUS`; workers "
          f"{env.get('ZFXXGK_WORKERS', 'default')}; load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)",
          flush=True)
    stages_file = out / "stages.json"
    code, wall, peak_tree, peak_one = run_measured(cmd, env, stages_file)
    stages = json.loads(stages_file.read_text()) if stages_file.exists() else {"seconds": {}}
    size = sum(p.stat().st_size for p in (db, db.with_name(db.name + ".wal")) if p.exists())
    c = check(db, corpus)
    print(f"## end to end: {files} files -> warehouse + every model")
    print(f"exit code         {code}")
    print(f"wall              {wall:.1f} s   ({files / wall:.0f} documents/s, {1e3 * wall / files:.2f} ms a document; "
          f"target <= 180 s for 10,000)")
    for stage, sec in stages["seconds"].items():
        print(f"  {stage:<15} {sec:8.1f} s   {1e3 * sec / files:6.3f} ms a document"
              + (f"   ({files / sec:,.0f} documents/s)" if sec else ""))
    print(f"warehouse         {size / 2**20:.0f} MiB on disk ({size / files / 1024:.1f} KiB a document)")
    print(f"peak memory       {peak_tree / 2**20:.0f} MiB process tree (sampled), "
          f"{peak_one / 2**20:.0f} MiB largest process (ru_maxrss); target <= 2048 MiB")
    print(f"reports           {sum(c['statuses'].values())} ({c['statuses']}); expected {c['expected_reports']} "
          f"issuer-years, missing {c['missing']}; inconsistent copies loaded as ok: {c['inconsistent_loaded_as_ok']}")
    print(f"rows              {c['rows']}; {c['tables_and_views']} tables and views")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return 0 if code == 0 and c["missing"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
