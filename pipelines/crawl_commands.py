"""The `zfxxgk crawl | run | sources | discover` subcommands (pipelines/cli.py adds them with add_parsers).
Like cli.py, each command imports its stage when it runs."""
from __future__ import annotations

import sys
from pathlib import Path

from pipelines.settings import DEFAULTS, Settings, settings


def add_parsers(sub) -> None:
    def common(p) -> None:
        p.add_argument("--db", dest="crawl_db", type=Path, help="warehouse file (default: $ZFXXGK_DB or data/warehouse.duckdb)")
        p.add_argument("--data-dir", type=Path, help="raw documents and crawl state (default: $ZFXXGK_DATA_DIR or data/)")
        # unset flags are None: the settings (ZFXXGK_*, else the declared defaults) decide
        p.add_argument("--interval", type=float, help="minimum seconds between requests to one host "
                       f"(default {DEFAULTS.min_interval:g})")
        p.add_argument("--max-pages", type=int, help="list pages per column before stopping "
                       f"(default {DEFAULTS.max_pages_per_column})")
        p.add_argument("--timeout", type=float, help=f"read timeout in seconds (default {DEFAULTS.read_timeout:g})")
        p.add_argument("--retries", type=int, help=f"retries of timeouts, 429 and 5xx (default {DEFAULTS.retries})")
        p.add_argument("--reparse", action="store_true", help="parse unchanged documents again (after a parser update)")
        p.add_argument("--quiet", action="store_true", help="no progress lines")

    p = sub.add_parser("crawl", help="crawl portal column pages (年报 columns), then parse and load the reports found")
    p.add_argument("urls", nargs="+", help="column page URLs, e.g. https://www.example.gov.cn/zfxxgk/zfxxgknb/")
    p.add_argument("--render", choices=("never", "auto", "always"), default="never",
                   help="the headless-Chromium fallback for lists built by script: auto = only when a list is "
                   "still incomplete after its static pages and any recognised list API (default never)")
    common(p)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("run", help="crawl the sources of the registry (data/sources.csv): by default the ones "
                       "reachable from here (the bundled demo portal)")
    p.add_argument("--sources", help="comma-separated source ids (see `zfxxgk sources`); these are crawled even "
                   "if marked unreachable")
    p.add_argument("--include-unreachable", action="store_true",
                   help="also crawl the real portals marked reachable_here=false")
    common(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sources", help="list the registry's sources with their last crawl result")
    p.add_argument("--data-dir", type=Path)
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("discover", help="find the 政府信息公开年报 column(s) of a portal from its home page or its "
                       "政府信息公开 page; --add appends them to the registry")
    p.add_argument("url", help="a portal's home page or its 政府信息公开 page")
    p.add_argument("--add", action="store_true", help="append the columns found to the registry "
                   "($ZFXXGK_SOURCES or data/sources.csv); columns already there are skipped")
    p.add_argument("--interval", type=float, help="minimum seconds between requests to one host "
                   f"(default {DEFAULTS.min_interval:g})")
    p.add_argument("--max-pages", type=int, default=30, help="pages fetched at most (default 30)")
    p.add_argument("--timeout", type=float, help=f"read timeout in seconds (default {DEFAULTS.read_timeout:g})")
    p.set_defaults(func=cmd_discover)


def _settings(args) -> Settings:
    """The settings with this command's flags over the environment."""
    db = args.crawl_db or getattr(args, "db", None)  # `zfxxgk --db X crawl` or `zfxxgk crawl --db X`
    return settings(db=Path(db).resolve() if db else None, data_dir=args.data_dir,
                    min_interval=args.interval, max_pages_per_column=args.max_pages, read_timeout=args.timeout,
                    retries=args.retries)


def _config(args):
    from pipelines.crawl.run import CrawlConfig

    return CrawlConfig(**_settings(args).crawl_options(), force_reparse=args.reparse, progress=not args.quiet,
                       render=getattr(args, "render", "never"))


def _paths(args) -> tuple[Path, Path]:
    s = _settings(args)
    return s.data_dir, s.warehouse


def _finish(summary) -> int:
    print(summary.text())
    return 1 if summary.interrupted or summary.errors else 0


def cmd_crawl(args) -> int:
    from pipelines.pipeline.crawled import crawl_and_load

    bad = [u for u in args.urls if not u.startswith(("http://", "https://"))]
    if bad:
        print(f"zfxxgk crawl: not an http(s) URL: {bad[0]}", file=sys.stderr)
        return 2
    data, db = _paths(args)
    try:
        return _finish(crawl_and_load(args.urls, data, db, _config(args)))
    except KeyboardInterrupt:
        print("\nzfxxgk crawl: interrupted; everything fetched is kept and the next run resumes", file=sys.stderr)
        return 130


def cmd_run(args) -> int:
    from pipelines.crawl.registry import load_registry, resolved, select
    from pipelines.pipeline.crawled import crawl_and_load

    data, db = _paths(args)
    try:
        entries = select(load_registry(), [s.strip() for s in args.sources.split(",") if s.strip()]
                         if args.sources else None, args.include_unreachable)
    except (KeyError, ValueError) as e:
        print(f"zfxxgk run: {e.args[0]}", file=sys.stderr)
        return 2
    if not entries:
        print("zfxxgk run: no source selected", file=sys.stderr)
        return 2
    try:
        with resolved(entries) as sources:
            return _finish(crawl_and_load(sources, data, db, _config(args)))
    except KeyboardInterrupt:
        print("\nzfxxgk run: interrupted; everything fetched is kept and the next run resumes", file=sys.stderr)
        return 130


def cmd_sources(args) -> int:
    from pipelines.crawl.registry import load_registry
    from pipelines.crawl.store import read_source_result
    data = settings(data_dir=args.data_dir).data_dir
    print(f"{'source_id':<24}{'adcode':<8}{'level':<11}{'here':<6}{'last crawl':<22}{'pages':>6}{'docs':>6}"
          f"{'reports':>8}{'errors':>7}  name")
    for e in load_registry():
        s = e.source
        last = read_source_result(data, s.source_id)
        when = (last or {}).get("finished_at", "never")[:19]
        nums = "".join(f"{(last or {}).get(k, ''):>{w}}" for k, w in
                       (("pages", 6), ("documents", 6), ("reports_loaded", 8), ("errors", 7)))
        print(f"{s.source_id:<24}{s.adcode or '':<8}{s.admin_level or '':<11}{'yes' if e.reachable_here else 'no':<6}"
              f"{when:<22}{nums}  {s.name}")
        for li in (last or {}).get("list_incomplete", []):
            declared = "an unknown number of" if li.get("declared") is None else str(li["declared"])
            print(f"{'':<24}C-list-incomplete: {li['url']} declares {declared} records, links {li['linked']}"
                  f" (render: {s.render})")
    return 0


def cmd_discover(args) -> int:
    from pipelines.crawl.portal import add_to_registry, discover_portal
    from pipelines.crawl.registry import registry_path

    if not args.url.startswith(("http://", "https://")):
        print(f"zfxxgk discover: not an http(s) URL: {args.url}", file=sys.stderr)
        return 2
    s = settings(min_interval=args.interval, read_timeout=args.timeout)
    found = discover_portal(args.url, interval=s.min_interval, max_pages=args.max_pages, timeout=s.read_timeout)
    print(found.text())
    if not found.columns:
        return 1
    if args.add:
        added = add_to_registry(found.columns, registry_path(), origin=args.url)
        print(f"added {len(added)} source(s) to {registry_path()}: {', '.join(added) or 'none (all there already)'}")
    return 0
