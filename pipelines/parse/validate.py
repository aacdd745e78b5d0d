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

from dataclasses import dataclass
from typing import Iterable

from pipelines import rules
from pipelines.record import (APPLICANT_LABELS, APPLICANTS, OTHER_SUBROWS, OTHER_TOTAL, OUTCOME_ROWS, OUTCOMES,
                              Finding, Report, finding)


@dataclass(frozen=True)
class Balance:
    """One of the format's arithmetic rules, declared once: in each group of a table's cells (one
    report, one value of `per`), the cells named `left` (values of `along`) add up to those named
    `right`. The parser checks it here on the record; defs/checks.py generates the warehouse check's
    SQL from it; the dbt tests of sql/sources.yml carry the same arguments (tests/test_rules.py)."""

    rule: rules.Rule
    table: str                # the warehouse table, one row per cell
    along: str                # its column naming the cells added
    per: str                  # its column naming the groups, with report_id
    left: tuple[str, ...]
    right: tuple[str, ...]


R1 = Balance(rules.R1, "request_outcomes", along="row_key", per="applicant",
             left=("new_received", "carried_over"), right=("total_handled", "carried_forward"))
R2 = Balance(rules.R2, "request_outcomes", along="applicant", per="row_key",
             left=APPLICANTS[:-1], right=("total",))
# The 2019 format's single other_total row stands for the three other_* rows (a report has one or the other).
R3 = Balance(rules.R3, "request_outcomes", along="row_key", per="applicant",
             left=(*OUTCOME_ROWS, OTHER_TOTAL), right=("total_handled",))
R4 = Balance(rules.R4, "review_litigation", along="outcome", per="proceeding",
             left=OUTCOMES[:-1], right=("total",))
ARITHMETIC = (R1, R2, R3, R4)

R1_ROWS = R1.left + R1.right
_R2_PARTS, _R2_TOTAL = [APPLICANTS.index(a) for a in R2.left], APPLICANTS.index(R2.right[0])
_R3_ROWS, _R3_TOTAL = tuple(k for k in R3.left if k != OTHER_TOTAL), R3.right[0]
_R4_PARTS, _R4_TOTAL = [OUTCOMES.index(o) for o in R4.left], OUTCOMES.index(R4.right[0])

_EPS = 1e-9
_NONE7 = (None,) * 7  # a missing table-3 row
# Most counts are small whole numbers: one set lookup passes them (3.0 == 3 and hashes alike)
_SMALL_COUNTS = frozenset(range(10_000))


def _cell(row: str, col: int) -> str:
    return f"requests.{row}.{APPLICANTS[col]}"


BLANK_RULES = tuple(r.code for r in rules.RULES if r.leaves_null == rules.BLANK)  # a printed blank


def validate(report: Report) -> list[Finding]:
    out: list[Finding] = []
    blanks = {c for f in report.findings if f.rule in BLANK_RULES for c in f.cells}
    r = report.requests
    if r is not None:
        r = _blanks_as_zero(r, "requests", blanks)
        out += _with_blanks(_r1(r), rules.R1, blanks, (_cell(k, i) for k in R1_ROWS for i in range(7)))
        out += _with_blanks(_r2(r), rules.R2, blanks, (_cell(k, i) for k in r for i in range(7)))
        out += _with_blanks(_r3(r), rules.R3, blanks,
                            (_cell(k, i) for k in [_R3_TOTAL, *_outcome_rows(r)] for i in range(7)))
    if report.review_litigation is not None:
        rl = _blanks_as_zero(report.review_litigation, "review_litigation", blanks)
        out += _with_blanks(_r4(rl), rules.R4, blanks,
                            (f"review_litigation.{k}.{o}" for k in rl for o in OUTCOMES))
    out += _value_checks(report)
    return out


def _blanks_as_zero(table, prefix: str, blanks: set[str]):
    if not blanks:
        return table
    names = APPLICANTS if prefix == "requests" else OUTCOMES
    return {k: None if row is None else
            [0.0 if v is None and f"{prefix}.{k}.{names[i]}" in blanks else v for i, v in enumerate(row)]
            for k, row in table.items()}


def _with_blanks(found: list[Finding], rule: rules.Rule, blanks: set[str], cells: Iterable[str]) -> list[Finding]:
    """The rule's findings, and one saying which printed blanks it read as 0. `cells`: the rule's
    cells, lazily (most reports print no blank: their names are then never made)."""
    if not blanks:
        return found
    used = [c for c in cells if c in blanks]
    if not used:
        return found
    for f in found:
        if f.severity == "error":
            f.detail += " (blank cells read as 0)"
    return found + [finding(rule, f"{rule.code} checked with {len(used)} blank cell(s) read as 0", used,
                            severity="warning")]


def _unchecked(rule: rules.Rule, what: str, cells: list[str]) -> Finding:
    return finding(rule, f"{what} not checked: null cells", cells, severity="warning")


def _r1(r) -> list[Finding]:
    out = []
    keys = R1_ROWS
    split = len(R1.left)
    table = [r.get(k) or _NONE7 for k in keys]
    for i, col in enumerate(APPLICANT_LABELS):
        vals = [row[i] for row in table]
        if None not in vals and abs(sum(vals[:split]) - sum(vals[split:])) <= _EPS:
            continue
        cells = [_cell(k, i) for k in keys]
        if None in vals:
            out.append(_unchecked(rules.R1, f"R1 {col}", [c for c, v in zip(cells, vals) if v is None]))
            continue
        left, right = vals[:split], vals[split:]
        if abs(sum(left) - sum(right)) > _EPS:
            out.append(finding(rules.R1, f"{col}: {_terms(R1.left, left)} != {_terms(R1.right, right)}", cells))
    return out


def _terms(names: tuple[str, ...], values: list[float]) -> str:
    """「new_received 3 + carried_over 1 = 4」"""
    return " + ".join(f"{k} {_n(v)}" for k, v in zip(names, values)) + f" = {_n(sum(values))}"


def _r2(r) -> list[Finding]:
    out = []
    for key, row in r.items():
        if row is None:
            continue
        if None not in row and abs(sum([row[i] for i in _R2_PARTS]) - row[_R2_TOTAL]) <= _EPS:
            continue
        cells = [_cell(key, i) for i in range(7)]
        if None in row:
            out.append(_unchecked(rules.R2, f"R2 {key}", [c for c, v in zip(cells, row) if v is None]))
            continue
        s = sum([row[i] for i in _R2_PARTS])
        if abs(s - row[_R2_TOTAL]) > _EPS:
            out.append(finding(rules.R2,
                               f"{key} 总计 {_n(row[_R2_TOTAL])} != sum of applicant columns {_n(s)}", cells))
    return out


def _outcome_rows(r) -> list[str]:
    rows = list(_R3_ROWS)
    if OTHER_TOTAL in r and all(r.get(k) is None for k in OTHER_SUBROWS):
        rows = [k for k in rows if k not in OTHER_SUBROWS] + [OTHER_TOTAL]
    return rows


def _r3(r) -> list[Finding]:
    out = []
    rows = _outcome_rows(r)
    table = [r.get(k) or _NONE7 for k in rows]
    totals = r.get(_R3_TOTAL) or _NONE7
    for i, col in enumerate(APPLICANT_LABELS):
        vals = [row[i] for row in table]
        tot = totals[i]
        if tot is not None and None not in vals and abs(sum(vals) - tot) <= _EPS:
            continue
        cells = [_cell(_R3_TOTAL, i)] + [_cell(k, i) for k in rows]
        if tot is None or None in vals:
            out.append(_unchecked(rules.R3, f"R3 {col}", [c for c, v in zip(cells, [tot] + vals) if v is None]))
            continue
        s = sum(vals)
        if abs(s - tot) > _EPS:
            out.append(finding(rules.R3,
                               f"{_R3_TOTAL} {col} {_n(tot)} != sum of {len(rows)} outcome rows {_n(s)}",
                               cells))
    return out


def _r4(rl) -> list[Finding]:
    out = []
    for key, row in rl.items():
        if row is None:
            continue
        cells = [f"review_litigation.{key}.{o}" for o in OUTCOMES]
        if None in row:
            out.append(_unchecked(rules.R4, f"R4 {key}", [c for c, v in zip(cells, row) if v is None]))
            continue
        s = sum([row[i] for i in _R4_PARTS])
        if abs(s - row[_R4_TOTAL]) > _EPS:
            out.append(finding(rules.R4,
                               f"{key} 总计 {_n(row[_R4_TOTAL])} != 维持+纠正+其他+尚未审结 = {_n(s)}", cells))
    return out


def _value_checks(report: Report) -> list[Finding]:
    """Counts must be non-negative integers; only the fee may be fractional."""
    out = []

    def check(name_of, v) -> None:
        if v < 0:
            name = name_of()
            out.append(finding(rules.V_NEGATIVE, f"{name} is negative ({_n(v)})", [name]))
        elif v != int(v):
            name = name_of()
            out.append(finding(rules.V_FRACTION, f"{name} is not a whole count ({v})", [name]))

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
        out.append(finding(rules.V_NEGATIVE, f"fees_10k_yuan is negative ({fee})",
                           ["active.fees_10k_yuan.amount"]))
    return out


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
