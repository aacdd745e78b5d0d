"""The `zfxxgk` command line.

Each command imports its stage when it runs: `zfxxgk parse` should not pay for Dagster, dbt and
DuckDB.
"""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from pipelines.settings import Settings, dagster_home, settings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="zfxxgk", description="China's government information disclosure "
                                 "annual reports, parsed into a DuckDB warehouse.")
    ap.add_argument("--db", help="warehouse file (default: $ZFXXGK_DB or data/warehouse.duckdb)")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse report files and print the canonical record")
    p.add_argument("paths", nargs="+", type=Path, help="files or directories")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON record (a single file)")
    fmt.add_argument("--jsonl", action="store_true", help="one JSON record per line, streaming")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("load", help="parse local report files and load them into the warehouse")
    p.add_argument("paths", nargs="+", type=Path)
    p.set_defaults(func=cmd_load)

    from pipelines.crawl_commands import add_parsers as add_crawl_parsers  # crawl, run, sources

    add_crawl_parsers(sub)

    p = sub.add_parser("demo", help="run the main Dagster job on the embedded default and print the statistics")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("stats", help="print the headline statistics (nationwide and per province)")
    p.add_argument("--year", type=int, help="only this report year")
    p.add_argument("--province", help="only this province, e.g. 辽宁省 ('中央' for central bodies)")
    from pipelines.geo import LEVELS

    p.add_argument("--level", choices=LEVELS,
                   help="only bodies of this level")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("export", help="write every mart (sql/marts) to DIR")
    p.add_argument("dir", type=Path)
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="write the self-contained HTML statistics page")
    p.add_argument("out", nargs="?", type=Path, default=Path("zfxxgk-statistics.html"),
                   help="output file (default: zfxxgk-statistics.html)")
    p.add_argument("--year", type=int, help="the year of the per-year sections (default: the latest)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("site", help="write the static exploration site (no server or network needed to read it)")
    p.add_argument("dir", nargs="?", type=Path, help="output folder (default: data/site)")
    p.add_argument("--serve", action="store_true", help="then serve it on http://127.0.0.1:PORT/")
    p.add_argument("--port", type=int, default=8000, help="with --serve (0: any free port)")
    p.add_argument("--no-build", action="store_true", help="with --serve: serve the folder as it is")
    p.add_argument("--no-copies", action="store_true", help="leave the stored copies of the documents out")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("docs", help="generate the dbt documentation of the SQL models and serve it on 127.0.0.1")
    p.add_argument("--port", type=int, default=8080, help="0: any free port")
    p.add_argument("--no-serve", action="store_true", help="only generate it (into data/dbt/target)")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("query", help="run a SQL query against the warehouse (read-only) and print a table")
    p.add_argument("sql")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("ui", help="start the Dagster UI on this project (dagster dev)")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)

    args = ap.parse_args(argv)
    # --db over $ZFXXGK_DB; every command takes its paths from this object
    args.settings = settings(db=Path(args.db).resolve() if args.db else None)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0


def cmd_parse(args) -> int:
    from pipelines.pipeline.documents import parse_path
    from pipelines.pipeline.files import expand_paths

    paths = [Path(p) for p in expand_paths(args.paths)]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"zfxxgk parse: no such file: {missing[0]}", file=sys.stderr)
        return 2
    if args.json and len(paths) != 1:
        print("zfxxgk parse: --json takes one file; use --jsonl for several", file=sys.stderr)
        return 2
    worst = 0
    for path in paths:
        report = parse_path(path)
        if args.jsonl:
            print(report.dumps(indent=None), flush=True)
        elif args.json:
            print(report.dumps())
        else:
            print(summary(report))
        if report.parse_status in ("failed", "not_a_report"):
            worst = 1
            if not args.jsonl:
                f = next((f for f in report.findings if f.severity == "error"), None)
                print(f"zfxxgk parse: {path}: {report.parse_status}: {f.detail if f else ''}", file=sys.stderr)
    return worst


def summary(report) -> str:
    """A readable view of one record: metadata, the three tables, the findings."""
    from pipelines.record import APPLICANT_LABELS

    out = [f"{report.source}", f"  issuer {report.issuer}  year {report.year}  format {report.format_version}  "
           f"scope {report.scope}  status {report.parse_status}"]

    def fmt(v):
        return "—" if v is None else (str(int(v)) if float(v).is_integer() else str(v))

    if report.active is not None:
        a = report.active
        out.append("  table 2 (主动公开)")
        for item in ("regulations", "normative_documents"):
            d = getattr(a, item)
            out.append(f"    {item:<22}" + ("—" if d is None else
                       f"issued {fmt(d.issued)}  repealed {fmt(d.repealed)}  in_force {fmt(d.in_force)}"))
        out.append(f"    licensing {fmt(a.licensing)}  punishment {fmt(a.punishment)}  coercion {fmt(a.coercion)}  "
                   f"fees_10k_yuan {fmt(a.fees_10k_yuan)}")
    if report.requests is not None:
        out.append("  table 3 (依申请)" + "".join(f"{c:>8}" for c in APPLICANT_LABELS))
        for key, row in report.requests.items():
            if row is not None:
                out.append(f"    {key:<27}" + "".join(f"{fmt(v):>8}" for v in row))
    if report.review_litigation is not None:
        out.append("  table 4 (复议/诉讼)            维持    纠正    其他  尚未审结    总计")
        for key, row in report.review_litigation.items():
            if row is not None:
                out.append(f"    {key:<27}" + "".join(f"{fmt(v):>8}" for v in row))
    if report.findings:
        out.append("  findings")
        for f in report.findings:
            out.append(f"    [{f.severity}] {f.stage}/{f.rule}: {f.detail}")
    return "\n".join(out)


@contextmanager
def _progress_bar(what: str) -> Iterator[Optional[Callable[[int, int], None]]]:
    """On a terminal, a rich progress bar fed by `on_progress(done, total)`; elsewhere (a pipe, CI) none."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def cmd_load(args) -> int:
    from pipelines.pipeline.load import load_local
    from pipelines.warehouse.transform import DbtError

    try:
        with _progress_bar("parse and load") as on_progress:
            # then `dbt build` of sql/ and the published copy
            result = load_local(args.paths, db=args.settings.warehouse, on_progress=on_progress)
    except DbtError as e:
        print(f"zfxxgk load: the reports were loaded, the SQL models were not rebuilt: {e}", file=sys.stderr)
        return 1
    print(f"loaded {result.loaded} reports into {args.settings.warehouse}, models rebuilt by dbt"
          + (f", {len(result.failed)} failed" if result.failed else ""))
    return 1 if result.failed else 0


def cmd_demo(args) -> int:
    from pipelines.defs.run import run_main_job

    print("Serving the bundled demo portal on 127.0.0.1 and running the etl_fast job on it "
          "(crawl → parse → load → SQL models → published copy)…", flush=True)
    ok, summary = run_main_job(s=args.settings)
    print(summary + "\n")
    if not ok:
        print("zfxxgk demo: the run failed; see `zfxxgk ui` (Runs) for its logs", file=sys.stderr)
        return 1
    code = cmd_stats(args)
    return code or write_site(None, args.settings)


def with_reader(command: str, s: Settings, work) -> int:
    """Run `work(conn)` on a read-only connection to `s`'s warehouse (the published copy); a missing
    warehouse or a SQL error is one line on stderr and exit 1, never a traceback."""
    import duckdb

    from pipelines import warehouse

    try:
        with warehouse.connect_reader(s.warehouse) as conn:
            work(conn)
    except (duckdb.Error, FileNotFoundError, OSError) as e:
        print(f"zfxxgk {command}: {e}", file=sys.stderr)
        return 1
    return 0


def cmd_stats(args) -> int:
    from pipelines.stats import print_headline

    def work(conn) -> None:
        print(f"Warehouse {args.settings.warehouse}\n")
        print_headline(conn, year=getattr(args, "year", None), province=getattr(args, "province", None),
                       level=getattr(args, "level", None))

    return with_reader("stats", args.settings, work)


def cmd_export(args) -> int:
    from pipelines.stats import export_marts

    return with_reader("export", args.settings, lambda conn: print(
        f"wrote {len(export_marts(conn, args.dir, args.format))} marts to {args.dir} ({args.format})"))


def cmd_report(args) -> int:
    from pipelines.stats.page import write_page

    return with_reader("report", args.settings, lambda conn: print(f"wrote {write_page(conn, args.out, year=args.year)}"))


def write_site(out: Path | None, s: Settings, copies: bool = True) -> int:
    from pipelines.site import build_site

    out = out or s.data_dir / "site"

    def work(conn) -> None:
        r = build_site(conn, out, copies=copies)
        print(f"wrote the site to {r.path} ({r.reports:,} reports, {r.issuers:,} issuers, {r.files:,} data files, "
              f"{r.seconds:.1f} s); open {r.path / 'index.html'} or run `zfxxgk site {out} --serve`")

    return with_reader("site", s, work)  # a non-site DIR (FileExistsError) is one line on stderr too


def cmd_site(args) -> int:
    from pipelines.site import serve

    out = args.dir or args.settings.data_dir / "site"
    if not (args.serve and args.no_build):
        code = write_site(out, args.settings, copies=not args.no_copies)
        if code or not args.serve:
            return code
    if not (out / "index.html").exists():
        print(f"zfxxgk site: no site in {out}", file=sys.stderr)
        return 1
    serve(out, args.port, ready=lambda url: print(f"Serving {out} on {url} (Ctrl-C stops)", flush=True))
    return 0


def cmd_docs(args) -> int:
    from pipelines.site.serve import serve
    from pipelines.warehouse import transform

    try:
        site = transform.generate_docs(args.settings.warehouse)
    except transform.DbtError as e:
        print(f"zfxxgk docs: {e}", file=sys.stderr)
        return 1
    print(f"wrote the dbt documentation to {site}", flush=True)
    if not args.no_serve:
        serve(site, args.port, ready=lambda url: print(f"Serving it on {url} (Ctrl-C stops)", flush=True))
    return 0


def cmd_query(args) -> int:
    return with_reader("query", args.settings, lambda conn: conn.sql(args.sql).show(max_width=250, max_rows=200))


def cmd_ui(args) -> int:
    home = dagster_home(args.settings)
    # the new process's environment only: the instance, and --db for the code location's resources
    env = {**os.environ, "DAGSTER_HOME": str(home), **({"ZFXXGK_DB": str(args.settings.warehouse)} if args.db else {})}
    cmd = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions", "-p", str(args.port)]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (instance {home}/dagster.yaml)")
    os.execvpe(cmd[0], cmd, env)


if __name__ == "__main__":
    sys.exit(main())
