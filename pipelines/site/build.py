"""`zfxxgk site DIR`: a static exploration site written from the published warehouse.

The site is a folder of HTML shells, one script (assets/site.js) that draws every page with ECharts,
and one small data file per page (data/<kind>/…/<key>.js). Data files are scripts that call
`zfx.put(path, data)` rather than JSON fetched by XHR, so the pages also work opened from disk
(file:// forbids fetch). A page loads its own file only: a report page its report, an issuer page
the issuer and that issuer's reports, the search page the one index bucket a query needs.

Most of the work is SQL: DuckDB builds each report's and issuer's JSON text in one query, and
Python only writes the strings to files. Keys in file names are md5 prefixes of the report_id,
issuer or province (site_key below), so every link can be computed without a lookup table.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

import duckdb
import pyarrow as pa

from pipelines.pipeline.load import DUCKDB_MEMORY
from pipelines.record import APPLICANTS, OUTCOMES
from pipelines.site.layout import layout_json

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE = Path(__file__).parent / "templates" / "page.html"
MARKER = ".zfxxgk-site"  # a folder holding this file is a site we wrote and may replace
KEY_LENGTH = 16
FINDINGS_PAGE = 500      # findings per data file of the findings browser
SEARCH_BUCKETS = 256     # files of the search index (by the hash of a name's two-character pieces)
REPORTS_PART = 20_000    # reports per query of the report pages (memory, not speed)

# file extension of a stored copy, by content type (raw copies are stored by hash, without one)
COPY_EXTENSIONS = {
    "text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt", "application/pdf": ".pdf",
    "application/msword": ".doc", "application/vnd.ms-excel": ".xls", "application/vnd.ms-works": ".wps",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/rtf": ".rtf", "text/markdown": ".md",
}

# page file -> (title, needs the charting library)
PAGES = {
    "index": ("全国概览 · Overview", True),
    "map": ("分省地图 · Province map", True),
    "province": ("省份 · Province", True),
    "issuer": ("机关 · Issuer", True),
    "report": ("年度报告 · Report", False),
    "findings": ("问题浏览 · Findings by rule", False),
    "rule": ("规则 · Findings of one rule", False),
    "search": ("搜索机关 · Search issuers", False),
}


def site_key(text: str) -> str:
    """The key of a report, issuer or province in file names and links (same as the SQL macro)."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


MACROS = f"""
CREATE OR REPLACE TEMP MACRO site_key(s) AS substr(md5(s), 1, {KEY_LENGTH});
CREATE OR REPLACE TEMP MACRO shard(k) AS substr(k, 1, 2) || '/' || k;
"""


@dataclass
class SiteResult:
    path: Path
    reports: int = 0
    issuers: int = 0
    provinces: int = 0
    findings: int = 0
    copies: int = 0
    copies_missing: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _default(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(f"not JSON: {type(v).__name__}")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False)


class DataWriter:
    """Writes data/<path>.js files (`zfx.put("<path>", <json>);`) and counts them."""

    def __init__(self, root: Path):
        self.root = root
        self.files = 0
        self.bytes = 0
        self._dirs: set[Path] = set()

    def put(self, path: str, data: Any) -> None:
        text = data if isinstance(data, str) else dumps(data)
        body = f'zfx.put("{path}",{text});\n'.encode("utf-8")
        target = self.root / "data" / f"{path}.js"
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        with open(target, "wb") as f:
            f.write(body)
        self.files += 1
        self.bytes += len(body)


def table(conn: duckdb.DuckDBPyConnection, sql: str, params: Optional[list] = None) -> dict:
    """A query's result as {"cols": [...], "rows": [[...]]} (compact; the script zips them)."""
    cur = conn.execute(sql, params or [])
    return {"cols": [d[0] for d in cur.description], "rows": [list(r) for r in cur.fetchall()]}


def build_site(conn: duckdb.DuckDBPyConnection, out: Path | str, copies: bool = True) -> SiteResult:
    """Write the site for the warehouse behind `conn` (read-only is enough) into `out`.

    The site is built in a sibling folder and swapped in with renames, so a published folder is
    never half-written. `out` must be missing, empty, or a site written before (it holds MARKER).
    `copies`: hard-link (or copy) every stored document into copies/, for the report pages' links.
    """
    t0 = time.monotonic()
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise FileExistsError(f"{out} is not empty and is not a site written by zfxxgk; choose another folder")
    tmp = out.with_name(f".{out.name}.building.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    result = SiteResult(path=out)
    w = DataWriter(tmp)
    conn.execute("SET enable_progress_bar = false")
    conn.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")  # the loader's cap: the site may build beside a load
    conn.execute(MACROS)

    def step(name: str, fn, *args) -> None:
        s = time.monotonic()
        fn(*args)
        result.timings[name] = round(time.monotonic() - s, 2)

    try:
        step("assets", _write_assets, tmp)
        step("overview", _overview, conn, w)
        step("map", _map, conn, w)
        step("provinces", _provinces, conn, w, result)
        step("copies", _copies, conn, tmp, copies, result)
        step("reports", _reports, conn, w, result)
        step("issuers", _issuers, conn, w, result)
        step("findings", _findings, conn, w, result)
        step("search", _search, conn, w)
        w.put("meta", {"built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "reports": result.reports, "issuers": result.issuers, "findings": result.findings})
        (tmp / MARKER).write_text("written by `zfxxgk site`; the folder is replaced on the next build\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    s = time.monotonic()
    old = out.with_name(f".{out.name}.old.{os.getpid()}")
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    if old.exists():
        _remove_in_background(old)
    result.timings["swap"] = round(time.monotonic() - s, 2)
    result.files, result.bytes = w.files, w.bytes
    result.seconds = round(time.monotonic() - t0, 2)
    return result


def _remove_in_background(path: Path) -> None:
    """Delete the previous site after the new one is in place, in a detached `rm -rf`: removing
    ~100,000 freshly written small files took up to 3 minutes on this machine's ext4 (mounted with
    `discard`), longer than building the new site. Nothing reads the old folder any more."""
    subprocess.Popen(["rm", "-rf", "--", str(path)], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- assets and page shells -------------------------------------------------------------------

def _write_assets(root: Path) -> None:
    assets = root / "assets"
    assets.mkdir()
    for name in ("site.js", "site.css"):
        shutil.copyfile(STATIC_DIR / name, assets / name)
    vendor = STATIC_DIR / "vendor"
    for f in vendor.iterdir():
        if f.name != "china.json":
            shutil.copyfile(f, assets / f.name)
    # the map geometry, unchanged, wrapped as a script so it loads from file:// too
    geo = (vendor / "china.json").read_text(encoding="utf-8")
    (assets / "china-geo.js").write_text(f"zfx.geo({geo});\n", encoding="utf-8")
    (assets / "layout.js").write_text(f"zfx.layout={dumps(layout_json())};\n", encoding="utf-8")
    template = TEMPLATE.read_text(encoding="utf-8")
    for page, (title, charts) in PAGES.items():
        scripts = '<script src="assets/echarts.min.js"></script>' if charts else ""
        after = '<script src="assets/china-geo.js"></script>' if page == "map" else ""
        html = (template.replace("{{title}}", title).replace("{{page}}", page)
                .replace("{{scripts}}", scripts).replace("{{after}}", after))
        (root / f"{page}.html").write_text(html, encoding="utf-8")


def geo_names() -> dict[str, str]:
    """Province adcode (2 digits) -> the feature name in the vendored map (e.g. '21' -> '辽宁')."""
    geo = json.loads((STATIC_DIR / "vendor" / "china.json").read_text(encoding="utf-8"))
    return {f["id"][:2]: f["properties"]["name"] for f in geo["features"]}


# --- who is behind every figure ------------------------------------------------------------------

# Per year (× province (× level)): the reports found, those the figures use (self scope, every number
# read), and the ones left out by reason. From the coverage mart.
EXCLUSIONS_SQL = """
SELECT year, {dims},
       sum(reports)::BIGINT AS found,
       coalesce(sum(numbers_complete) FILTER (WHERE scope = 'self'), 0)::BIGINT AS used,
       coalesce(sum(ok) FILTER (WHERE scope = 'self'), 0)::BIGINT AS ok,
       coalesce(sum(inconsistent) FILTER (WHERE scope = 'self'), 0)::BIGINT AS inconsistent,
       coalesce(sum(reports) FILTER (WHERE scope = 'jurisdiction'), 0)::BIGINT AS jurisdiction,
       coalesce(sum(partial) FILTER (WHERE scope = 'self'), 0)::BIGINT AS partial,
       coalesce(sum(unsupported) FILTER (WHERE scope = 'self'), 0)::BIGINT AS unsupported,
       coalesce(sum(not_a_report) FILTER (WHERE scope = 'self'), 0)::BIGINT AS not_a_report,
       coalesce(sum(failed) FILTER (WHERE scope = 'self'), 0)::BIGINT AS failed
FROM coverage
WHERE year IS NOT NULL {where}
GROUP BY GROUPING SETS {sets}
ORDER BY year, province NULLS FIRST, admin_level NULLS FIRST
"""


def _exclusions(conn, sets: str, where: str = "", params: Optional[list] = None) -> dict:
    dims = ", ".join(c if c in sets else f"NULL::VARCHAR AS {c}" for c in ("province", "admin_level"))
    return table(conn, EXCLUSIONS_SQL.format(sets=sets, where=where, dims=dims), params)


RATE_COLS = ("disclosure_rate", "granted_rate", "denial_rate", "unavailable_rate", "rejected_rate", "other_rate",
             "legal_person_share", "review_correction_rate", "litigation_correction_rate", "dispute_rate")
COUNT_COLS = ("reports", "reports_ok", "reports_with_table4", "new_received", "carried_over", "granted",
              "partially_granted", "denied", "unavailable", "rejected", "other", "total_handled",
              "carried_forward", "review_total", "review_corrected", "litigation_total", "litigation_corrected")
METRIC_COLS = ", ".join(COUNT_COLS + RATE_COLS)


def _overview(conn, w: DataWriter) -> None:
    w.put("overview", {
        "years": table(conn, f"SELECT year, {METRIC_COLS} FROM metrics_by_year ORDER BY year"),
        "reasons": table(conn, "SELECT year, reason, label, requests, share_of_denied, reports "
                               "FROM refusal_reasons_by_year ORDER BY year, reason"),
        "review": table(conn, "SELECT year, proceeding, upheld, corrected, other, pending, total, correction_rate, "
                              "reports FROM review_litigation_by_year ORDER BY year, proceeding"),
        "coverage": table(conn, "SELECT year, scope, sum(reports)::BIGINT AS reports, sum(ok)::BIGINT AS ok, "
                                "sum(inconsistent)::BIGINT AS inconsistent, sum(partial)::BIGINT AS partial, "
                                "sum(unsupported)::BIGINT AS unsupported, sum(not_a_report)::BIGINT AS not_a_report, "
                                "sum(failed)::BIGINT AS failed FROM coverage GROUP BY ALL ORDER BY year NULLS LAST, scope"),
        "yoy": table(conn, "SELECT year, reports, previous_reports, new_received_change, disclosure_rate_change_pp, "
                           "panel_bodies, panel_new_received_change FROM year_over_year WHERE province = '全国' "
                           "ORDER BY year"),
        "excl": _exclusions(conn, "((year))"),
        "no_year": conn.execute("SELECT coalesce(sum(reports), 0)::BIGINT FROM coverage WHERE year IS NULL")
                       .fetchone()[0],
    })


def _province_codes(conn) -> dict[str, str]:
    """Province name -> 2-digit adcode prefix, from the reports resolved to a division."""
    return dict(conn.execute("SELECT province, min(substr(adcode, 1, 2)) FROM reports "
                             "WHERE province IS NOT NULL AND adcode IS NOT NULL GROUP BY province").fetchall())


def _map(conn, w: DataWriter) -> None:
    names = geo_names()
    codes = _province_codes(conn)
    provinces = [r[0] for r in conn.execute("SELECT DISTINCT province FROM coverage ORDER BY province").fetchall()]
    w.put("map", {
        "metrics": table(conn, f"SELECT year, province, {METRIC_COLS} FROM metrics_by_year_province "
                               "ORDER BY year, province"),
        "excl": _exclusions(conn, "((year), (year, province))"),
        "provinces": [{"name": p, "key": site_key(p), "geo": names.get(codes.get(p, ""))} for p in provinces],
    })


def _provinces(conn, w: DataWriter, result: SiteResult) -> None:
    names = geo_names()
    codes = _province_codes(conn)
    provinces = [r[0] for r in conn.execute("SELECT DISTINCT province FROM coverage ORDER BY province").fetchall()]
    bodies = conn.execute("""
        SELECT province_group, list([site_key(issuer), issuer, admin_level, prefecture, county, years::VARCHAR, latest::VARCHAR, statuses]
                                    ORDER BY admin_level, issuer)
        FROM (SELECT province_group, issuer, arg_max(admin_level, year) AS admin_level,
                     arg_max(prefecture, year) AS prefecture, arg_max(county, year) AS county,
                     count(*) AS years, max(year) AS latest,
                     string_agg(DISTINCT parse_status, ' ' ORDER BY parse_status) AS statuses
              FROM report_metrics WHERE issuer IS NOT NULL GROUP BY province_group, issuer)
        GROUP BY province_group""").fetchall()
    by_province = dict(bodies)
    for p in provinces:
        w.put(f"province/{site_key(p)}", {
            "name": p, "geo": names.get(codes.get(p, "")),
            "levels": table(conn, f"SELECT year, admin_level, {METRIC_COLS} FROM metrics_by_year_province_level "
                                  "WHERE province = ? ORDER BY year, admin_level", [p]),
            "totals": table(conn, f"SELECT year, {METRIC_COLS} FROM metrics_by_year_province WHERE province = ? "
                                  "ORDER BY year", [p]),
            "excl": _exclusions(conn, "((year, province), (year, province, admin_level))", "AND province = ?", [p]),
            "bodies": {"cols": ["key", "issuer", "admin_level", "prefecture", "county", "years", "latest", "statuses"],
                       "rows": by_province.get(p, [])},
        })
    result.provinces = len(provinces)


# --- reports ----------------------------------------------------------------------------------

def _copy_ext_sql() -> str:
    cases = " ".join(f"WHEN '{t}' THEN '{e}'" for t, e in COPY_EXTENSIONS.items())
    return (f"coalesce(CASE split_part(lower(d.content_type), ';', 1) {cases} END, "
            r"nullif(regexp_extract(d.storage_path, '(\.[A-Za-z0-9]{1,5})$', 1), ''), '.bin')")


def _copies(conn, root: Path, enabled: bool, result: SiteResult) -> None:
    """Hard-link every stored copy of a report into copies/ (a copy when links cannot cross devices);
    a stored file that is gone is recorded, and its report page says so."""
    conn.execute("CREATE OR REPLACE TEMP TABLE site_copies (document_id VARCHAR PRIMARY KEY, href VARCHAR)")
    if not enabled:
        return
    rows = conn.execute(f"""
        SELECT DISTINCT d.document_id, d.storage_path,
               'copies/' || shard(d.document_id) || {_copy_ext_sql()} AS href
        FROM report_documents rd JOIN documents d USING (document_id)
        WHERE d.storage_path IS NOT NULL""").fetchall()
    made: list[tuple[str, str]] = []
    dirs: set[Path] = set()
    for document_id, src, href in rows:
        dst = root / href
        if dst.parent not in dirs:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dirs.add(dst.parent)
        try:
            try:
                os.link(src, dst)
            except OSError as e:
                if not Path(src).is_file():
                    raise FileNotFoundError(src) from e
                shutil.copyfile(src, dst)
        except FileNotFoundError:
            result.copies_missing += 1
            continue
        made.append((document_id, href))
    result.copies = len(made)
    if made:
        conn.register("site_made", pa.table({"document_id": [m[0] for m in made], "href": [m[1] for m in made]}))
        conn.execute("INSERT INTO site_copies SELECT * FROM site_made")
        conn.unregister("site_made")


def _pick(values: str, key: str, names: Iterable[str]) -> str:
    """`[max(value) FILTER (WHERE key = 'a'), …]`: one list in a fixed order, NULL where missing."""
    return "[" + ", ".join(f"max({values}) FILTER (WHERE {key} = '{n}')" for n in names) + "]"


REPORTS_SQL = f"""
WITH req_rows AS (
    SELECT report_id, row_key, {_pick('value', 'applicant', APPLICANTS)} AS v
    FROM request_outcomes JOIN site_part USING (report_id) GROUP BY report_id, row_key
), req AS (
    SELECT report_id, json_group_object(row_key, v) AS j FROM req_rows GROUP BY report_id
), act AS (
    SELECT report_id, json_group_object(item || '.' || metric, value) AS j FROM active_disclosure JOIN site_part USING (report_id)
    GROUP BY report_id
), rl_rows AS (
    SELECT report_id, proceeding, {_pick('value', 'outcome', OUTCOMES)} AS v
    FROM review_litigation JOIN site_part USING (report_id) GROUP BY report_id, proceeding
), rl AS (
    SELECT report_id, json_group_object(proceeding, v) AS j FROM rl_rows GROUP BY report_id
), fnd AS (
    SELECT report_id,
           to_json(list({{stage: stage, rule: rule, severity: severity, detail: detail, cells: cells, url: url}}
                        ORDER BY severity, rule, detail)) AS j
    FROM findings JOIN site_part USING (report_id) GROUP BY report_id
), ext AS (
    SELECT report_id, json_group_object(key, value) AS j FROM report_extra JOIN site_part USING (report_id)
    GROUP BY report_id
), cps AS (
    SELECT rd.report_id,
           to_json(list({{document_id: rd.document_id, url: coalesce(rd.url, d.url), status: rd.parse_status,
                          numbers_hash: rd.numbers_hash, content_type: d.content_type, bytes: d.bytes,
                          fetched_at: d.fetched_at, href: c.href}}
                        ORDER BY rd.document_id)) AS j
    FROM report_documents rd
    JOIN site_part USING (report_id)
    LEFT JOIN documents d USING (document_id)
    LEFT JOIN site_copies c USING (document_id)
    GROUP BY rd.report_id
)
SELECT site_key(r.report_id) AS key,
       '{{' || '"meta":' || to_json({{
            report_id: r.report_id, issuer: r.issuer, issuer_key: site_key(r.issuer), year: r.year,
            status: r.parse_status, scope: r.scope, format: r.format_version, province: r.province,
            province_group: m.province_group, province_key: site_key(m.province_group),
            prefecture: r.prefecture, county: r.county, admin_level: r.admin_level, body_kind: r.body_kind,
            adcode: r.adcode, source_id: r.source_id, document_id: r.document_id, url: r.url,
            loaded_at: r.loaded_at}})
       || ',"active":' || coalesce(act.j::VARCHAR, 'null')
       || ',"requests":' || coalesce(req.j::VARCHAR, 'null')
       || ',"review":' || coalesce(rl.j::VARCHAR, 'null')
       || ',"findings":' || coalesce(fnd.j::VARCHAR, '[]')
       || ',"copies":' || coalesce(cps.j::VARCHAR, '[]')
       || ',"extra":' || coalesce(ext.j::VARCHAR, 'null') || '}}' AS j
FROM reports r
JOIN site_part USING (report_id)
LEFT JOIN report_metrics m USING (report_id)
LEFT JOIN req USING (report_id)
LEFT JOIN act USING (report_id)
LEFT JOIN rl USING (report_id)
LEFT JOIN fnd USING (report_id)
LEFT JOIN cps USING (report_id)
LEFT JOIN ext USING (report_id)
"""


def _stream(conn, sql: str, batch: int = 2000):
    cur = conn.execute(sql)
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        yield from rows


def _reports(conn, w: DataWriter, result: SiteResult) -> None:
    """Report pages in parts of REPORTS_PART reports (site_part holds the part's ids), so the pivot
    of every table-3 cell stays within DuckDB's memory cap however large the warehouse."""
    ids = [r for (r,) in conn.execute("SELECT report_id FROM reports ORDER BY report_id").fetchall()]
    n = 0
    for start in range(0, len(ids), REPORTS_PART):
        conn.register("site_ids", pa.table({"report_id": ids[start:start + REPORTS_PART]}))
        conn.execute("CREATE OR REPLACE TEMP TABLE site_part AS SELECT * FROM site_ids")
        conn.unregister("site_ids")
        for key, text in _stream(conn, REPORTS_SQL):
            w.put(f"report/{key[:2]}/{key}", text)
            n += 1
    conn.execute("DROP TABLE IF EXISTS site_part")
    result.reports = n


ISSUERS_SQL = """
WITH chain AS (
    SELECT issuer, list({year: year, chain: chain, carried_over: carried_over,
                         previous_carried_forward: previous_carried_forward, difference: difference}
                        ORDER BY year) AS chain
    FROM carry_over_chain GROUP BY issuer
), reps AS (
    SELECT issuer,
           list({year: year, key: site_key(report_id), status: parse_status, scope: scope, format: format_version,
                 numbers_complete: numbers_complete, new_received: new_received, carried_over: carried_over,
                 total_handled: total_handled, carried_forward: carried_forward, granted: granted,
                 partially_granted: partially_granted, denied: denied, disclosure_rate: disclosure_rate,
                 denial_rate: denial_rate, review_total: review_total, litigation_total: litigation_total}
                ORDER BY year) AS reports,
           arg_max(province_group, year) AS province_group, arg_max(admin_level, year) AS admin_level,
           arg_max(prefecture, year) AS prefecture, arg_max(county, year) AS county,
           arg_max(body_kind, year) AS body_kind
    FROM report_metrics WHERE issuer IS NOT NULL GROUP BY issuer
)
SELECT site_key(issuer) AS key,
       to_json({issuer: issuer, province: province_group, province_key: site_key(province_group),
                admin_level: admin_level, prefecture: prefecture, county: county, body_kind: body_kind,
                reports: reports, chain: coalesce(chain, [])}) AS j
FROM reps LEFT JOIN chain USING (issuer)
"""


def _issuers(conn, w: DataWriter, result: SiteResult) -> None:
    n = 0
    for key, text in _stream(conn, ISSUERS_SQL):
        w.put(f"issuer/{key[:2]}/{key}", text)
        n += 1
    result.issuers = n


# --- findings browser ---------------------------------------------------------------------------

FINDINGS_SQL = f"""
WITH f AS (
    SELECT site_key(f.stage || '/' || f.rule || '/' || f.severity) AS rule_key,
           (row_number() OVER (PARTITION BY f.stage, f.rule, f.severity
                               ORDER BY r.year DESC NULLS LAST, r.issuer NULLS LAST, f.detail) - 1)
               // {FINDINGS_PAGE} AS page,
           [site_key(f.report_id), r.issuer, r.year::VARCHAR, coalesce(r.province, CASE WHEN r.admin_level = 'central' THEN '中央' END), f.detail, f.url] AS row,
           r.year AS year, r.issuer AS issuer, f.detail AS detail
    FROM findings f LEFT JOIN reports r USING (report_id)
)
SELECT rule_key, page, to_json(list(row ORDER BY year DESC NULLS LAST, issuer NULLS LAST, detail))
FROM f GROUP BY rule_key, page
"""


def _findings(conn, w: DataWriter, result: SiteResult) -> None:
    rules = table(conn, f"""
        SELECT site_key(stage || '/' || rule || '/' || severity) AS key, stage, rule, severity, findings, reports,
               documents, example_detail, ceil(findings / {FINDINGS_PAGE})::INTEGER AS pages
        FROM findings_by_rule ORDER BY severity, findings DESC, stage, rule""")
    w.put("findings", {"rules": rules, "page_size": FINDINGS_PAGE})
    for key, page, text in _stream(conn, FINDINGS_SQL):
        w.put(f"rule/{key}/{page}", text)
    result.findings = sum(r[rules["cols"].index("findings")] for r in rules["rows"])


# --- search -------------------------------------------------------------------------------------

def search_bucket(pair: str) -> int:
    """The index file of a two-character piece of a name (site.js computes the same)."""
    a, b = (ord(c) for c in pair)
    return (a * 1009 + b) % SEARCH_BUCKETS


def _pieces(name: str) -> set[str]:
    s = name.lower()
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _search(conn, w: DataWriter) -> None:
    """An inverted index of issuer names by two-character piece, in SEARCH_BUCKETS files. A query
    loads the bucket of its first piece and filters its names by the whole query: every name that
    contains the query contains that piece."""
    names: list[list] = [[[], {}] for _ in range(SEARCH_BUCKETS)]  # per bucket: entries, piece -> [index]
    rows = conn.execute("""
        SELECT issuer, site_key(issuer), arg_max(province_group, year), count(*), max(year)
        FROM report_metrics WHERE issuer IS NOT NULL GROUP BY issuer ORDER BY issuer""").fetchall()
    for issuer, key, province, years, latest in rows:
        seen: dict[int, int] = {}
        for piece in _pieces(issuer):
            b = search_bucket(piece)
            entries, index = names[b]
            if b not in seen:
                seen[b] = len(entries)
                entries.append([issuer, key, province, years, latest])
            index.setdefault(piece, []).append(seen[b])
    for b, (entries, index) in enumerate(names):
        if entries:  # a bucket with no name has no file; the script reads a missing one as no match
            w.put(f"search/{b}", {"names": entries, "pieces": index})
