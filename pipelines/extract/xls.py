"""XLSX (openpyxl) and XLS (xlrd) -> rows, every sheet in order.

Merged ranges follow the rule of `extract/html.py::table_grid`: a merged label is repeated in
every position it covers, a merged value is not. A row whose only content is one merged
range (a title or heading spread across the table) becomes a one-cell row, like a
paragraph. Numbers are written as the shortest text that gives back the stored value
(58006.0 -> "58006", 1012.922 -> "1012.922").
"""
from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any, Optional

from pipelines.cells import GridRow, Row, is_value
from pipelines.extract import ExtractError, Extracted
from pipelines.extract.limits import Deadline
from pipelines import rules
from pipelines.record import Finding, finding

MAX_ROWS = 5000  # per sheet; a report's tables are a few dozen rows
MAX_COLS = 200


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.15g}"  # drops binary noise such as 0.30000000000000004
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    return str(v).replace("\xa0", " ").strip()


def sheet_rows(values: list[list[str]], merges: list[tuple[int, int, int, int]]) -> list[Row]:
    """A sheet's grid (origin cells filled, others blank) with merges as (r0, c0, r1, c1),
    inclusive, expanded; blank rows dropped."""
    owner: dict[tuple[int, int], int] = {}
    tails: dict[int, set[int]] = {}  # row -> positions a merged number covers beyond its first
    for m, (r0, c0, r1, c1) in enumerate(merges):
        if r0 >= len(values):
            continue
        text = values[r0][c0] if c0 < len(values[r0]) else ""
        spread = "" if is_value(text) else text
        for r in range(r0, min(r1, len(values) - 1) + 1):
            for c in range(c0, min(c1, len(values[r]) - 1) + 1):
                owner[(r, c)] = m
                if (r, c) != (r0, c0):
                    values[r][c] = spread
                    if r == r0 and text and not spread:
                        tails.setdefault(r, set()).add(c)
    rows: list[Row] = []
    for r, row in enumerate(values):
        filled = [c for c, t in enumerate(row) if t]
        if not filled:
            continue
        merge_ids = {owner.get((r, c), ("single", c)) for c in filled}
        if len(merge_ids) == 1 and not is_value(row[filled[0]]):
            rows.append([row[filled[0]]])  # one text cell or one merged range: a paragraph
        else:
            grid = GridRow(row)
            if r in tails:
                grid.span_tails = frozenset(tails[r])
            rows.append(grid)
    return rows


def xlsx_to_rows(data: bytes, deadline: Deadline) -> Extracted:
    import openpyxl

    try:
        # not read_only: read-only worksheets do not expose their merged ranges
        wb = openpyxl.load_workbook(BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises KeyError, ValueError, zipfile and XML errors on damage
        raise ExtractError(f"a corrupt Excel (.xlsx) workbook: {type(e).__name__}: {e}", rules.E_XLSX_CORRUPT) from e
    rows: list[Row] = []
    findings: list[Finding] = []
    for ws in wb.worksheets:
        deadline.check(f"sheet {ws.title}")
        values: list[list[str]] = []
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            if r >= MAX_ROWS:
                findings.append(_cut(ws.title))
                break
            values.append([cell_text(v) for v in row[:MAX_COLS]])
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        rows.extend(sheet_rows(values, merges))
    return Extracted(rows, "xlsx", findings=findings)


def xls_to_rows(data: bytes, deadline: Deadline) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as e:  # xlrd.XLRDError, struct and compound-document errors
        raise ExtractError(f"a corrupt Excel 97-2003 (.xls) workbook: {type(e).__name__}: {e}",
                           rules.E_XLS_CORRUPT) from e
    rows: list[Row] = []
    findings: list[Finding] = []
    for i in range(book.nsheets):
        sheet = book.sheet_by_index(i)
        deadline.check(f"sheet {sheet.name}")
        if sheet.nrows > MAX_ROWS:
            findings.append(_cut(sheet.name))
        values = []
        for r in range(min(sheet.nrows, MAX_ROWS)):
            values.append([_xls_cell(book, sheet.cell(r, c)) for c in range(min(sheet.ncols, MAX_COLS))])
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        rows.extend(sheet_rows(values, merges))
    return Extracted(rows, "xls", findings=findings)


def _xls_cell(book, cell) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError):
            return cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell_text(cell.value)


def _cut(sheet: Optional[str]) -> Finding:
    return finding(rules.E_SHEET_CUT,
                   f"sheet {sheet!r} has more than {MAX_ROWS} rows; only the first {MAX_ROWS} are read")
