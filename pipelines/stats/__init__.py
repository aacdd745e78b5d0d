"""The nationwide statistics, read from the SQL models (sql/marts): headline tables, export, page.

Plain functions on a DuckDB connection (the figures themselves are computed in SQL):
`print_headline(conn, year=, province=, level=)` for `zfxxgk stats`, `export_marts(conn, dir, fmt)`
for `zfxxgk export`, and `pipelines.stats.page.write_page(conn, path)` for `zfxxgk report`.
"""
from __future__ import annotations

import sys
from io import StringIO
from pathlib import Path
from typing import Optional, TextIO

import duckdb
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipelines.warehouse.transform import mart_names

# The headline columns: (SQL expression over a metrics_* mart, column title).
_PCT = "printf('%.1f%%', 100 * {0})"
HEADLINE_COLUMNS = [
    ("reports", "reports"), ("reports_ok", "ok"),
    ("new_received", "新收"), ("total_handled", "办理总计"),
    (_PCT.format("disclosure_rate"), "公开率"), (_PCT.format("denial_rate"), "不予公开率"),
    (_PCT.format("unavailable_rate"), "无法提供率"), (_PCT.format("rejected_rate"), "不予处理率"),
    (_PCT.format("legal_person_share"), "法人占比"), (_PCT.format("review_correction_rate"), "复议纠错率"),
    (_PCT.format("litigation_correction_rate"), "诉讼纠错率"), (_PCT.format("dispute_rate"), "争议率"),
]


def _select(keys: list[str]) -> str:
    cols = [*keys, *(f'{expr} AS "{title}"' for expr, title in HEADLINE_COLUMNS)]
    return "SELECT " + ", ".join(cols)


def _where(year: Optional[int], province: Optional[str], level: Optional[str],
           has_province: bool, has_level: bool) -> tuple[str, list]:
    conds: list[str] = []
    params: list = []
    if year is not None:
        conds.append("year = ?")
        params.append(year)
    if province is not None and has_province:
        conds.append("province = ?")
        params.append(province)
    if level is not None and has_level:
        conds.append("admin_level = ?")
        params.append(level)
    return (" WHERE " + " AND ".join(conds) if conds else ""), params


def print_headline(conn: duckdb.DuckDBPyConnection, year: Optional[int] = None, province: Optional[str] = None,
                   level: Optional[str] = None, out: Optional[TextIO] = None) -> None:
    """The headline tables: the totals by year (nationwide, or for the province / level asked for), and
    per province, each with the number of reports behind the figures and how many were ok."""
    out = out or sys.stdout

    def show(title: str, sql: str, params: list) -> None:
        print(title, file=out)
        if conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0] == 0:
            print("  (no reports)\n", file=out)
        else:
            print(_render(conn.sql(sql, params=params)), file=out)

    scope = "nationwide" if province is None else province
    if level is not None:
        scope += f", {level} level"
    # The mart whose grain matches the filters; year is always a column.
    mart, keys = {(False, False): ("metrics_by_year", ["year"]),
                  (True, False): ("metrics_by_year_province", ["year", "province"]),
                  (False, True): ("metrics_by_year_level", ["year", "admin_level"]),
                  (True, True): ("metrics_by_year_province_level", ["year", "province", "admin_level"])}[
        (province is not None, level is not None)]
    where, params = _where(year, province, level, province is not None, level is not None)
    show(f"By year ({scope}; self-scope reports with every number read; rates = Σ numerator / Σ denominator)",
         f"{_select(keys)} FROM {mart}{where} ORDER BY year", params)

    mart, keys = ("metrics_by_year_province_level", ["year", "province", "admin_level"]) if level is not None \
        else ("metrics_by_year_province", ["year", "province"])
    where, params = _where(year, province, level, True, level is not None)
    show("By province" + (f" ({level} level)" if level else ""),
         f"{_select(keys)} FROM {mart}{where} ORDER BY year, new_received DESC NULLS LAST", params)

    where, params = _where(year, province, level, True, True)
    show("Coverage (reports found, by parse status)",
         "SELECT year, scope, sum(reports) AS reports, sum(ok) AS ok, sum(inconsistent) AS inconsistent, "
         "sum(partial) AS partial, sum(unsupported) AS unsupported, sum(not_a_report) AS not_a_report, "
         f"sum(failed) AS failed FROM coverage{where} GROUP BY ALL ORDER BY year, scope", params)


def _render(rel: duckdb.DuckDBPyRelation) -> str:
    """A relation as a plain text table, laid out by rich (a CJK character is two columns wide;
    numeric columns right-aligned; NULL as —). No colour and no wrapping: the output is for a
    terminal, a pipe or a file alike."""
    def cell(v) -> str:
        return "—" if v is None else str(v)

    header = list(rel.columns)
    rows = [[cell(v) for v in r] for r in rel.fetchall()]
    numeric = [all(r[i] == "—" or r[i].replace(".", "").replace("%", "").replace("-", "").isdigit()
                   for r in rows) for i in range(len(header))]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="", collapse_padding=True)
    for name, num in zip(header, numeric):
        table.add_column(Text(name), justify="right" if num else "left", no_wrap=True)
    for r in rows:
        table.add_row(*(Text(v) for v in r))
    out = StringIO()
    Console(file=out, width=100_000, color_system=None, highlight=False, emoji=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def export_marts(conn: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str = "parquet") -> list[Path]:
    """Write every mart (sql/marts) to `out_dir/<name>.<fmt>`; returns the files written."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, not {fmt!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    options = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER true)"
    for name in mart_names():
        path = out_dir / f"{name}.{fmt}"
        conn.execute(f"COPY (SELECT * FROM {name}) TO '{_sql_string(path)}' {options}")
        written.append(path)
    return written


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")
