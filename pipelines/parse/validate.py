"""The format's consistency rules (docs/formats.md §4), as findings that name the cells.

R1  new_received + carried_over = total_handled + carried_forward   (per column)
R2  each table-3 row: 总计 = sum of the six applicant columns
R3  total_handled = sum of the outcome rows (21 rows; 2019 format: 20 rows + other_total)
R4  each table-4 proceeding: 总计 = 维持 + 纠正 + 其他 + 尚未审结
A rule that cannot be checked because a needed cell is null is reported as not checked,
never as a pass. A cell printed blank (or as a placeholder 「-」「/」「无」) stays null, but the rules
read it as 0, the way the format means it; every rule that did so says so in a finding.
"""
from __future__ import annotations

from pipelines.record import (APPLICANT_LABELS, APPLICANTS, OTHER_SUBROWS, OTHER_TOTAL, OUTCOME_ROWS, OUTCOMES,
                              Finding, Report)

_EPS = 1e-9
_NONE7 = (None,) * 7  # a missing table-3 row
# Most counts are small whole numbers: one set lookup passes them (3.0 == 3 and hashes alike)
_SMALL_COUNTS = frozenset(range(10_000))


def _cell(row: str, col: int) -> str:
    return f"requests.{row}.{APPLICANTS[col]}"


BLANK_RULES = ("blank-cell", "placeholder-cell")  # the parser's findings for a printed blank


def validate(report: Report) -> list[Finding]:
    out: list[Finding] = []
    blanks = {c for f in report.findings if f.rule in BLANK_RULES for c in f.cells}
    r = report.requests
    if r is not None:
        r = _blanks_as_zero(r, "requests", blanks)
        out += _with_blanks(_r1(r), "R1", blanks, [_cell(k, i) for k in R1_ROWS for i in range(7)])
        out += _with_blanks(_r2(r), "R2", blanks, [_cell(k, i) for k in r for i in range(7)])
        out += _with_blanks(_r3(r), "R3", blanks,
                            [_cell(k, i) for k in ["total_handled", *_outcome_rows(r)] for i in range(7)])
    if report.review_litigation is not None:
        rl = _blanks_as_zero(report.review_litigation, "review_litigation", blanks)
        out += _with_blanks(_r4(rl), "R4", blanks,
                            [f"review_litigation.{k}.{o}" for k in rl for o in OUTCOMES])
    out += _value_checks(report)
    return out


R1_ROWS = ("new_received", "carried_over", "total_handled", "carried_forward")


def _blanks_as_zero(table, prefix: str, blanks: set[str]):
    if not blanks:
        return table
    names = APPLICANTS if prefix == "requests" else OUTCOMES
    return {k: None if row is None else
            [0.0 if v is None and f"{prefix}.{k}.{names[i]}" in blanks else v for i, v in enumerate(row)]
            for k, row in table.items()}


def _with_blanks(found: list[Finding], rule: str, blanks: set[str], cells: list[str]) -> list[Finding]:
    """The rule's findings, and one saying which printed blanks it read as 0."""
    used = [c for c in cells if c in blanks]
    if not used:
        return found
    for f in found:
        if f.severity == "error":
            f.detail += " (blank cells read as 0)"
    return found + [Finding("validate", rule, "warning",
                            f"{rule} checked with {len(used)} blank cell(s) read as 0", used)]


def _unchecked(rule: str, what: str, cells: list[str]) -> Finding:
    return Finding("validate", rule, "warning", f"{what} not checked: null cells", cells)


def _r1(r) -> list[Finding]:
    out = []
    keys = R1_ROWS
    table = [r.get(k) or _NONE7 for k in keys]
    for i, col in enumerate(APPLICANT_LABELS):
        vals = [row[i] for row in table]
        if None not in vals and abs((vals[0] + vals[1]) - (vals[2] + vals[3])) <= _EPS:
            continue
        cells = [_cell(k, i) for k in keys]
        if None in vals:
            out.append(_unchecked("R1", f"R1 {col}", [c for c, v in zip(cells, vals) if v is None]))
            continue
        n, c, t, f = vals
        if abs((n + c) - (t + f)) > _EPS:
            out.append(Finding("validate", "R1", "error",
                               f"{col}: new_received {_n(n)} + carried_over {_n(c)} = {_n(n + c)} != "
                               f"total_handled {_n(t)} + carried_forward {_n(f)} = {_n(t + f)}", cells))
    return out


def _r2(r) -> list[Finding]:
    out = []
    for key, row in r.items():
        if row is None:
            continue
        if None not in row and abs(sum(row[:6]) - row[6]) <= _EPS:
            continue
        cells = [_cell(key, i) for i in range(7)]
        if None in row:
            out.append(_unchecked("R2", f"R2 {key}", [c for c, v in zip(cells, row) if v is None]))
            continue
        s = sum(row[:6])
        if abs(s - row[6]) > _EPS:
            out.append(Finding("validate", "R2", "error",
                               f"{key} 总计 {_n(row[6])} != sum of applicant columns {_n(s)}", cells))
    return out


def _outcome_rows(r) -> list[str]:
    rows = list(OUTCOME_ROWS)
    if OTHER_TOTAL in r and all(r.get(k) is None for k in OTHER_SUBROWS):
        rows = [k for k in rows if k not in OTHER_SUBROWS] + [OTHER_TOTAL]
    return rows


def _r3(r) -> list[Finding]:
    out = []
    rows = _outcome_rows(r)
    table = [r.get(k) or _NONE7 for k in rows]
    totals = r.get("total_handled") or _NONE7
    for i, col in enumerate(APPLICANT_LABELS):
        vals = [row[i] for row in table]
        tot = totals[i]
        if tot is not None and None not in vals and abs(sum(vals) - tot) <= _EPS:
            continue
        cells = [_cell("total_handled", i)] + [_cell(k, i) for k in rows]
        if tot is None or None in vals:
            out.append(_unchecked("R3", f"R3 {col}", [c for c, v in zip(cells, [tot] + vals) if v is None]))
            continue
        s = sum(vals)
        if abs(s - tot) > _EPS:
            out.append(Finding("validate", "R3", "error",
                               f"total_handled {col} {_n(tot)} != sum of {len(rows)} outcome rows {_n(s)}",
                               cells))
    return out


def _r4(rl) -> list[Finding]:
    out = []
    for key, row in rl.items():
        if row is None:
            continue
        cells = [f"review_litigation.{key}.{o}" for o in OUTCOMES]
        if None in row:
            out.append(_unchecked("R4", f"R4 {key}", [c for c, v in zip(cells, row) if v is None]))
            continue
        s = sum(row[:4])
        if abs(s - row[4]) > _EPS:
            out.append(Finding("validate", "R4", "error",
                               f"{key} 总计 {_n(row[4])} != 维持+纠正+其他+尚未审结 = {_n(s)}", cells))
    return out


def _value_checks(report: Report) -> list[Finding]:
    """Counts must be non-negative integers; only the fee may be fractional."""
    out = []

    def check(name_of, v) -> None:
        if v < 0:
            name = name_of()
            out.append(Finding("validate", "V-negative", "error", f"{name} is negative ({_n(v)})", [name]))
        elif v != int(v):
            name = name_of()
            out.append(Finding("validate", "V-fraction", "error", f"{name} is not a whole count ({v})", [name]))

    whole = _SMALL_COUNTS
    for key, row in (report.requests or {}).items():
        for i, v in enumerate(row or ()):
            if v not in whole and v is not None and (v < 0 or v != int(v)):
                check(lambda: _cell(key, i), v)
    for key, row in (report.review_litigation or {}).items():
        for i, v in enumerate(row or ()):
            if v not in whole and v is not None and (v < 0 or v != int(v)):
                check(lambda: f"review_litigation.{key}.{i}", v)
    if report.active is not None:
        for item, metric, v in report.active.cells():
            if v is not None and item != "fees_10k_yuan":
                check(lambda: f"active.{item}.{metric}", v)
    fee = report.active.fees_10k_yuan if report.active else None
    if fee is not None and fee < 0:
        out.append(Finding("validate", "V-negative", "error", f"fees_10k_yuan is negative ({fee})",
                           ["active.fees_10k_yuan.amount"]))
    return out


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
