"""The data contract: every core table of the warehouse declared once (PUDL-style), its columns with
type, nullability, allowed values and description, and its key.

Generated from it: the polars schemas the loader's frames and the crawler's fetch log are built with
(`polars_schema`), the Dagster column schema of the core assets (pipelines/defs/assets.py) and the dbt
sources (`sql/sources.yml`, committed; `python -m pipelines.warehouse.generate` writes it again). The
DDL in ddl/ stays SQL, the history of how a warehouse got here; tests/test_contract.py checks that a
database migrated from empty is exactly this, and that the committed generated files are current.
The vocabularies (statuses, scopes, stages, levels ...) are the canonical record's (pipelines/record.py)
and the division resolver's (pipelines/geo): declared there once, referenced here.
"""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from pipelines.geo import KINDS, LEVELS
from pipelines.parse.validate import R1
from pipelines.record import (ACTIVE_ITEMS, ACTIVE_METRICS, APPLICANTS, FORMAT_VERSIONS, OTHER_TOTAL, OUTCOME_ROWS,
                              OUTCOMES, PROCEEDINGS, REQUEST_GROUPS, REQUEST_ROWS, SCOPES, STATUSES,
                              TABLE3_ROWS)
from pipelines.rules import SEVERITIES, STAGES
from pipelines.settings import PROJECT_ROOT, SQL_DIR

SOURCES_YML = SQL_DIR / "sources.yml"
TABLE3_MACROS = PROJECT_ROOT / "macros" / "table3.sql"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the DuckDB type, as information_schema.columns spells it
    description: str
    nullable: bool = True  # False: never NULL (a dbt not_null test)
    values: Optional[tuple[str, ...]] = None  # the only values it holds besides NULL (accepted_values)
    references: Optional[str] = None  # the table whose `report_id` this column is (relationships)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]  # in the table's order (a public interface: new columns go last)
    key: tuple[str, ...] = ()  # the natural key: unique, its columns never NULL
    # The DDL declares the key as PRIMARY KEY. The tables that grow with every document do not (006,
    # 007: DuckDB keeps a key's index in memory and rewrites it at each checkpoint); the loader keeps them unique.
    key_enforced: bool = False
    data_tests: tuple[dict, ...] = ()  # dbt tests over the whole table (the format's arithmetic)
    # The table grows by up to 175 rows a report: its dbt tests check only the reports a build has not
    # built before (macros/new_reports.sql), so that a load into a large warehouse checks its own reports.
    tests_new_reports: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _col(name: str, type: str, description: str, **kw: Any) -> Column:
    return Column(name, type, description, **kw)


_REPORT = "The report: `<year>/<issuer>`, or `doc/<sha256 prefix>` when the issuer or the year could not be read."
_LOADED_AT = "When the loader wrote the report's rows (UTC): the time of the batch; a re-load finds old rows by it."


def _report_id(description: str = _REPORT) -> Column:
    return Column("report_id", "VARCHAR", description, nullable=False, references="reports")


# The format's own arithmetic (R1–R4, docs/formats.md §4) over the reports marked ok. Severity warn:
# a parser slip shows, the statistics still build.
_TABLE3_TESTS = (
    {"balances": {"name": "request_outcomes_balance_r1", "config": {"severity": "warn"},
                  "arguments": {"group_by": ["report_id", R1.per], "along": R1.along, "left": list(R1.left),
                                "right": list(R1.right)}}},
    {"sums_to_total": {"name": "request_outcomes_columns_sum_to_total_r2", "config": {"severity": "warn"},
                       "arguments": {"group_by": ["report_id", "row_key"], "part_column": "applicant",
                                     "total_value": "total"}}},
    {"sums_to_total": {"name": "request_outcomes_outcomes_sum_to_total_handled_r3", "config": {"severity": "warn"},
                       "arguments": {"group_by": ["report_id", "applicant"], "part_column": "row_key",
                                     "total_value": "total_handled", "parts": [*OUTCOME_ROWS, OTHER_TOTAL]}}},
)
_TABLE4_TESTS = (
    {"sums_to_total": {"name": "review_litigation_outcomes_sum_to_total_r4", "config": {"severity": "warn"},
                       "arguments": {"group_by": ["report_id", "proceeding"], "part_column": "outcome",
                                     "total_value": "total"}}},
)

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("sources", "One row per portal column crawled (the registry, data/sources.csv).", (
        _col("source_id", "VARCHAR", "The registry's id of the source."),
        _col("name", "VARCHAR", "The portal column's name."),
        _col("start_url", "VARCHAR", "Its list pages' URLs, space-separated."),
        _col("adcode", "VARCHAR", "The 6-digit 行政区划代码 of the portal's region; NULL for a central or unknown "
                                  "one."),
        _col("admin_level", "VARCHAR", "The portal's level as the registry gives it (central, province, prefecture, "
                                       "county; demo for the bundled demo portal)."),
    ), key=("source_id",), key_enforced=True),
    Table("documents", "One row per fetched or local file.", (
        _col("document_id", "VARCHAR", "sha256 of the file's bytes."),
        _col("url", "VARCHAR", "Where it was fetched from (a file path for a local file)."),
        _col("source_id", "VARCHAR", "The source it was found in; NULL for a local file."),
        _col("fetched_at", "TIMESTAMP", "When it was fetched (UTC); NULL for a local file."),
        _col("http_status", "INTEGER", "The HTTP status of the fetch; NULL for a local file."),
        _col("content_type", "VARCHAR", "The Content-Type the server sent."),
        _col("bytes", "BIGINT", "Its size in bytes."),
        _col("storage_path", "VARCHAR", "Where the bytes are kept (content-addressed under data/raw/)."),
    ), key=("document_id",)),
    Table("reports", "One row per report (`<year>/<issuer>`, or `doc/<hash>` when neither could be read), "
                     "with its status, format, scope and division.", (
        _col("report_id", "VARCHAR", "`<year>/<issuer>`, or `doc/<sha256 prefix>` when issuer or year could not "
                                     "be read."),
        _col("document_id", "VARCHAR", "The copy whose numbers are kept (the best status among its copies).",
             nullable=False),
        _col("url", "VARCHAR", "Where that copy was fetched from."),
        _col("source_id", "VARCHAR", "The registry source (portal column) it was found in; NULL for local files."),
        _col("issuer", "VARCHAR", "The body that published the report (发布机关), as printed; NULL when not read."),
        _col("year", "INTEGER", "The report year (报告年度); NULL when not read."),
        _col("format_version", "VARCHAR", "'2021' (国办公开办函〔2021〕30号), '2019' (60号) or 'legacy'; NULL when "
                                          "not read.", values=FORMAT_VERSIONS),
        _col("scope", "VARCHAR", "'self' (the body's own work) or 'jurisdiction' (汇总: the bodies beneath it "
                                 "included); NULL when not a report.", values=SCOPES),
        _col("parse_status", "VARCHAR", "ok, inconsistent, partial, unsupported, not_a_report or failed (README, "
                                        "The canonical record).", nullable=False, values=STATUSES),
        _col("adcode", "VARCHAR", "The 6-digit 行政区划代码 of the issuer's division; NULL when unresolved "
                                  "(see the G-* findings)."),
        _col("province", "VARCHAR", "The province of the issuer's division (name); NULL when unresolved or central."),
        _col("prefecture", "VARCHAR", "The prefecture (地级) of the division; NULL above that level or unresolved."),
        _col("county", "VARCHAR", "The county (县级) of the division; NULL above that level or unresolved."),
        _col("admin_level", "VARCHAR", "central, province, prefecture, county or township; NULL when the division "
                                       "is unresolved.", values=LEVELS),
        _col("n_findings", "INTEGER", "How many findings the report has (parser's and resolver's)."),
        _col("loaded_at", "TIMESTAMP", _LOADED_AT),
        _col("body_kind", "VARCHAR", "The kind of body: government, department, zone or vertical; NULL when not "
                                     "known.", values=KINDS),
        _col("read_by_ocr", "BOOLEAN", "TRUE when its numbers were read by OCR from page images (a scan)."),
    ), key=("report_id",)),
    Table("report_documents", "Every copy of a report (reposts, a page and its attachment), with a fingerprint "
                              "of its tables (numbers_hash).", (
        _report_id(),
        _col("document_id", "VARCHAR", "The copy (sha256 of its bytes)."),
        _col("url", "VARCHAR", "Where the copy was fetched from."),
        _col("parse_status", "VARCHAR", "The copy's own parse status.", nullable=False, values=STATUSES),
        _col("numbers_hash", "VARCHAR", "A fingerprint of the copy's three tables; copies that differ make a "
                                        "D-copies-differ finding. NULL when no table was read."),
    ), key=("report_id", "document_id")),
    Table("active_disclosure", "One cell of table 2 (主动公开); value DOUBLE, NULL when blank or unread.", (
        _report_id(),
        _col("item", "VARCHAR", "The row: regulations, normative_documents, licensing, punishment, coercion, "
                                "fees_10k_yuan.", values=ACTIVE_ITEMS),
        _col("metric", "VARCHAR", "The column: issued, repealed, in_force, decisions, amount.", values=ACTIVE_METRICS),
        _col("value", "DOUBLE", "The number printed (the fee in 万元); NULL when blank or unread (see findings)."),
        _col("loaded_at", "TIMESTAMP", _LOADED_AT),
    ), key=("report_id", "item", "metric"), tests_new_reports=True),
    Table("request_outcomes", "One cell of table 3 (row_key × applicant); value BIGINT, NULL when blank or unread.", (
        _report_id(),
        _col("row_key", "VARCHAR", "The row: the 25 keys of docs/formats.md §3.2, plus other_total (the 2019 "
                                   "format's single 其他处理 row).", values=(*REQUEST_ROWS, OTHER_TOTAL)),
        _col("applicant", "VARCHAR", "The column: natural_person … other_org, total.", values=APPLICANTS),
        _col("value", "BIGINT", "The count printed; NULL when blank, unread or fractional (see findings)."),
        _col("loaded_at", "TIMESTAMP", _LOADED_AT),
    ), key=("report_id", "row_key", "applicant"), data_tests=_TABLE3_TESTS, tests_new_reports=True),
    Table("review_litigation", "One cell of table 4 (proceeding × outcome); value BIGINT, NULL when blank or "
                               "unread.", (
        _report_id(),
        _col("proceeding", "VARCHAR", "review, litigation_direct or litigation_after_review.", values=PROCEEDINGS),
        _col("outcome", "VARCHAR", "upheld, corrected, other, pending or total.", values=OUTCOMES),
        _col("value", "BIGINT", "The count printed; NULL when blank or unread (see findings)."),
        _col("loaded_at", "TIMESTAMP", _LOADED_AT),
    ), key=("report_id", "proceeding", "outcome"), data_tests=_TABLE4_TESTS, tests_new_reports=True),
    Table("findings", "Why a report or document is not plainly ok; stage, rule, severity, detail, cells. "
                      "report_id NULL when no report could be made.", (
        _col("report_id", "VARCHAR", "The report; NULL where no report could be made (a crawl failure)."),
        _col("document_id", "VARCHAR", "The document it is about."),
        _col("url", "VARCHAR", "Where that document was fetched from."),
        _col("stage", "VARCHAR", "crawl, extract, parse, validate or load.", nullable=False, values=STAGES),
        _col("rule", "VARCHAR", "The rule's code (R1–R4, V-*, G-*, C-*, ...).", nullable=False),
        _col("severity", "VARCHAR", "error, warning or info (how a document was read, no fault).", nullable=False,
             values=SEVERITIES),
        _col("detail", "VARCHAR", "What was found, in words."),
        _col("cells", "VARCHAR[]", "The cells it is about, e.g. requests.total_handled.total."),
        _col("loaded_at", "TIMESTAMP", _LOADED_AT + " NULL for crawl findings."),
    )),
    Table("report_sections", "The text of the six sections of a report, for full-text search.", (
        _report_id(),
        _col("section", "INTEGER", "The section, 1..6."),
        _col("text", "VARCHAR", "Its text."),
        _col("loaded_at", "TIMESTAMP", _LOADED_AT),
    ), key=("report_id", "section")),
    Table("report_extra", "2019-format cells without a 2021 counterpart (JSON).", (
        _report_id(),
        _col("key", "VARCHAR", "The cell's name."),
        _col("value", "JSON", "The cell's value."),
        _col("loaded_at", "TIMESTAMP", _LOADED_AT),
    ), key=("report_id", "key")),
    Table("fetch_log", "Every HTTP request of every crawl; url, status, outcome, etag, last-modified, hash, bytes, "
                       "error, time (one row per logical fetch: retries and redirects are counted in attempts / "
                       "followed to final_url).", (
        _col("run_id", "VARCHAR", "The crawl run (crawl_runs)."),
        _col("source_id", "VARCHAR", "The source crawled."),
        _col("url", "VARCHAR", "The URL requested."),
        _col("final_url", "VARCHAR", "The URL after redirects."),
        _col("method", "VARCHAR", "GET, or POST (list APIs such as Hanweb dataproxy.jsp pages)."),
        _col("kind", "VARCHAR", "robots, list, detail, attachment or render (a list page the browser drew)."),
        _col("http_status", "INTEGER", "NULL: no response (timeout, connection error, robots-disallowed …)."),
        _col("outcome", "VARCHAR", "ok, not_modified, http_error, timeout, connection_error, blocked, "
                                   "robots_disallowed, robots_unavailable, too_large, too_many_redirects, "
                                   "out_of_scope, ..."),
        _col("etag", "VARCHAR", "The ETag the server sent (for the next conditional GET)."),
        _col("last_modified", "VARCHAR", "The Last-Modified the server sent."),
        _col("document_id", "VARCHAR", "sha256 of the bytes (also for a blocked page: the evidence)."),
        _col("bytes", "BIGINT", "Bytes downloaded (0 for a 304)."),
        _col("error", "VARCHAR", "What went wrong; NULL when nothing did."),
        _col("attempts", "INTEGER", "Requests made for it, retries included."),
        _col("elapsed_ms", "BIGINT", "Time taken, in milliseconds."),
        _col("fetched_at", "TIMESTAMP", "When it was fetched (UTC)."),
    )),
    Table("crawl_runs", "One row per crawl; pages, documents, downloads, 304s, requests, bytes, errors.", (
        _col("run_id", "VARCHAR", "The crawl run."),
        _col("started_at", "TIMESTAMP", "When the run was loaded (UTC)."),
        _col("seconds", "DOUBLE", "Crawl time, in seconds."),
        _col("sources", "VARCHAR", "The source ids crawled, space-separated."),
        _col("list_pages", "INTEGER", "List pages read."),
        _col("documents", "INTEGER", "Report pages and attachments seen."),
        _col("downloaded", "INTEGER", "Fetches that returned a body."),
        _col("not_modified", "INTEGER", "Conditional GETs answered 304."),
        _col("requests_sent", "INTEGER", "HTTP requests, retries, redirects and robots.txt included."),
        _col("bytes_received", "BIGINT", "Bytes downloaded."),
        _col("errors", "INTEGER", "The crawl's failures of severity error (warnings such as a robots.txt refusal not "
                                  "counted; every failure is a finding of stage crawl)."),
        _col("reports_loaded", "INTEGER", "Reports written to the warehouse."),
        _col("interrupted", "BOOLEAN", "TRUE when the run stopped before its end (a deadline, a signal)."),
    ), key=("run_id",), key_enforced=True),
    Table("rules", "The rules catalogue (pipelines/rules.py, docs/rules.md): one row per finding code, written from "
                   "the catalogue at every migrate; join it to findings on `rule`.", (
        _col("rule", "VARCHAR", "The code, as in findings.rule.", nullable=False),
        _col("stage", "VARCHAR", "The stage that emits it.", nullable=False, values=STAGES),
        _col("severity", "VARCHAR", "Its usual severity.", nullable=False, values=SEVERITIES),
        _col("leaves_null", "VARCHAR", "'unread': the cells it names are NULL because they could not be read (never "
                                       "0); 'blank': printed blank (NULL, 0 to the rules); NULL: it leaves no cell "
                                       "NULL.", values=("unread", "blank")),
        _col("description", "VARCHAR", "What it means to a reader of the warehouse.", nullable=False),
    ), key=("rule",)),
)}


def never_null(table: Table, column: Column) -> bool:
    return not column.nullable or column.name in table.key


# ---------------------------------------------------------------- polars

def polars_schema(table: str) -> dict:
    """The table's columns as polars types, in the table's order (JSON travels as text)."""
    import polars as pl  # here, so that importing the contract stays light (the crawler does)

    types = {"VARCHAR": pl.Utf8, "JSON": pl.Utf8, "INTEGER": pl.Int32, "BIGINT": pl.Int64, "DOUBLE": pl.Float64,
             "BOOLEAN": pl.Boolean, "TIMESTAMP": pl.Datetime("us"), "VARCHAR[]": pl.List(pl.Utf8)}
    return {c.name: types[c.type] for c in TABLES[table].columns}


# ---------------------------------------------------------------- dbt

_HEADER = """\
# GENERATED from pipelines/warehouse/contract.py by `python -m pipelines.warehouse.generate`: do not edit
# (tests/test_contract.py checks it is current). The core tables, written by the loader (pipelines/warehouse),
# one Dagster asset each (core__<table>).
"""


def _column_tests(table: Table, column: Column) -> list:
    tests: list = []
    if table.key == (column.name,):
        tests += ["unique", "not_null"]
    elif never_null(table, column):
        tests.append("not_null")
    if column.values is not None:
        tests.append({"accepted_values": {"arguments": {"values": list(column.values)}}})
    if column.references:
        tests.append({"relationships": {"arguments": {"to": f"source('core', '{column.references}')",
                                                      "field": column.name}}})
    return tests


def _new_reports_only(test: Any) -> dict:
    """A test (a name, or {name: properties}) restricted to the reports not built before."""
    name, props = (test, {}) if isinstance(test, str) else next(iter(test.items()))
    return {name: {**props, "config": {**props.get("config", {}), "where": "new_reports"}}}


def sources_yml() -> str:
    """sql/sources.yml: every core table as a dbt source, every column described and typed, its tests
    from the contract (key: unique/not_null; never NULL: not_null; values: accepted_values; references:
    relationships) and the table's own; a per-cell table's tests over the reports not built before."""
    import yaml  # type: ignore[import-untyped]

    tables = []
    for t in TABLES.values():
        scope = _new_reports_only if t.tests_new_reports else (lambda test: test)
        entry: dict[str, Any] = {"name": t.name, "description": t.description}
        if t.data_tests:
            entry["data_tests"] = [scope(dict(test)) for test in t.data_tests]
        columns = []
        for c in t.columns:
            col: dict[str, Any] = {"name": c.name, "description": c.description, "data_type": c.type}
            tests = [scope(test) for test in _column_tests(t, c)]
            if tests:
                col["data_tests"] = tests
            columns.append(col)
        entry["columns"] = columns
        tables.append(entry)
    doc = {"version": 2, "sources": [{
        "name": "core", "schema": "main",
        "description": "The warehouse tables the loader writes, one row per fact; a blank or unreadable cell is "
                       "NULL, never 0.",
        "tables": tables}]}
    return _HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def _printed_label(key: str, top: str, group: Optional[str], label: Optional[str]) -> str:
    """A row's own label as printed, without its numbering (「1.属于国家秘密」 → 属于国家秘密)."""
    return re.sub(r"^(\d+\.|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)", "", label or group or top)


def table3_macros() -> str:
    """macros/table3.sql: table 3's rows (pipelines/record.py) as dbt macros for the SQL models."""
    def jinja(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

    keys = ",\n".join(f"        {jinja(k)}" for k in (*REQUEST_ROWS, OTHER_TOTAL))
    groups = ",\n".join(f"        {jinja(g)}: [\n" + textwrap.fill(", ".join(jinja(k) for k in rows), 110,
                                                              initial_indent=" " * 12, subsequent_indent=" " * 12)
                         + "]" for g, rows in REQUEST_GROUPS.items())
    labels = ",\n".join(f"        {jinja(row[0])}: {jinja(_printed_label(*row))}" for row in TABLE3_ROWS)
    return f"""\
{{#- GENERATED from pipelines/record.py (TABLE3_ROWS) by `python -m pipelines.warehouse.generate`: do not
    edit (tests/test_contract.py checks it is current). Table 3's rows, for the SQL models. -#}}

{{#- The row keys of table 3 (docs/formats.md §3.2) as stg_request_totals pivots them: the 总计 cell of each. -#}}
{{% macro request_row_keys() %}}
    {{{{ return([
{keys},
    ]) }}}}
{{% endmacro %}}

{{#- The rows of each printed group with sub-rows (（三）不予公开 … （六）其他处理): summed into one count each. -#}}
{{% macro request_row_groups() %}}
    {{{{ return({{
{groups},
    }}) }}}}
{{% endmacro %}}

{{#- Each row's own label as the 2021 format prints it, without its numbering. -#}}
{{% macro request_row_labels() %}}
    {{{{ return({{
{labels},
    }}) }}}}
{{% endmacro %}}
"""


def stg_request_totals_yml() -> str:
    """sql/staging/stg_request_totals.yml: table 3 wide, a column per row key (as request_row_keys()
    pivots them), per group (request_row_groups()) and the applicant split of new requests; each
    described by its doc block of sql/columns.md."""
    import yaml  # type: ignore[import-untyped]

    def doc(name: str) -> str:
        return f"{{{{ doc('{name}') }}}}"

    # No relationships test: its rows are made from reports' (the anti-join would only cost a build).
    report_id = {"name": "report_id", "data_type": "VARCHAR", "description": doc("report_id"),
                 "data_tests": ["unique", "not_null"]}
    loaded_at = {"name": "loaded_at", "data_type": "TIMESTAMP", "description": doc("loaded_at")}
    counts = [*REQUEST_ROWS, OTHER_TOTAL, *REQUEST_GROUPS, "new_received_natural_person", "new_received_legal_person"]
    model = {"name": "stg_request_totals",
             "description": "One row per report, table 3 wide: the 总计 (total) cell of every row (docs/formats.md "
                            "§3.2 row keys), the row groups, and the applicant split of new requests; every count "
                            "NULL when the report's table 3 was not read. A sum is NULL when one of its cells is "
                            "NULL or missing (no silent zero). A table rebuilt incrementally (the reports loaded "
                            "since the last build), so that its readers and tests do not pivot table 3 again.",
             "columns": [report_id, loaded_at,
                         *({"name": c, "data_type": "BIGINT", "description": doc(c)} for c in counts)]}
    header = ("# GENERATED from pipelines/record.py (TABLE3_ROWS) by `python -m pipelines.warehouse.generate`: "
              "do not edit.\n")
    return header + yaml.safe_dump({"version": 2, "models": [model]}, sort_keys=False, allow_unicode=True, width=110)


def generated_files() -> dict[Path, str]:
    """The committed files made from the contract and the record, with their contents."""
    return {SOURCES_YML: sources_yml(), TABLE3_MACROS: table3_macros(),
            SQL_DIR / "staging" / "stg_request_totals.yml": stg_request_totals_yml()}


def write_generated() -> list[Path]:
    """Write the generated files that changed; returns those written."""
    written = []
    for path, text in generated_files().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
