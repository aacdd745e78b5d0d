"""Reading the three statistical tables out of rows of cells.

Every table row is found by its label (normalised prefix / keyword, in the format's fixed
order), never by its line number, so lost tabs, merged-cell artefacts and one-cell-per-line
dumps all read the same way. A row whose cells cannot be placed leaves its values `null`
and says why in a finding: the parser never guesses a position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from pipelines.parse.cells import (BLANK, NUMBER, PLACEHOLDER, TEXT, Row, label_key, normalize,
                                   read_cell)
from pipelines.record import (APPLICANTS, OTHER_SUBROWS, OTHER_TOTAL, OUTCOMES, PROCEEDINGS,
                              REQUEST_ROWS, Active, DocCounts, Finding, Number)

# ---------------------------------------------------------------- sections
# Section headings, matched on the normalised row text: numeral + keyword, never exactly.
_NUM = r"(?:{cn}|{ar})[、.,:]?"
SECTION_PATTERNS = {
    "1": re.compile(r"^" + _NUM.format(cn="一", ar="1") + r"(总体情况|概述)"),
    "2": re.compile(r"^" + _NUM.format(cn="二", ar="2") + r"主动公开政府信息(的)?情况"),
    "3": re.compile(r"^" + _NUM.format(cn="三", ar="3") + r"收到和处理政府信息公开申请(的)?情况"),
    "4": re.compile(r"^" + _NUM.format(cn="四", ar="4") + r".{0,12}(行政复议|行政诉讼)"),
    "5": re.compile(r"^" + _NUM.format(cn="五", ar="5") + r".{0,16}(问题|改进)"),
    "6": re.compile(r"^" + _NUM.format(cn="六", ar="6") + r"其他需要报告"),
}


def row_text(row: Row) -> str:
    return normalize("".join(row))


def find_sections(rows: list[Row]) -> dict[str, tuple[int, int]]:
    """Section number -> (first row after the heading, end row), headings found in order."""
    starts: dict[str, int] = {}
    pos = 0
    for key, pat in SECTION_PATTERNS.items():
        for i in range(pos, len(rows)):
            cells = [c for c in rows[i] if c.strip()]
            if 1 <= len(cells) <= 2 and pat.match(row_text(cells)) and len(row_text(cells)) < 40:
                starts[key] = i
                pos = i + 1
                break
    keys = sorted(starts, key=lambda k: starts[k])
    spans = {}
    for n, k in enumerate(keys):
        end = starts[keys[n + 1]] if n + 1 < len(keys) else len(rows)
        spans[k] = (starts[k] + 1, end)
    return spans


# ---------------------------------------------------------------- row values
@dataclass
class RowRead:
    label: str
    values: list[Number]
    problems: list[str] = field(default_factory=list)


def split_row(row: Row) -> tuple[str, list[str]]:
    """(label text, the cells after the last label cell)."""
    last_text = -1
    for i, c in enumerate(row):
        if read_cell(c).kind == TEXT:
            last_text = i
    label_cells: list[str] = []
    for c in row[: last_text + 1]:
        c = c.strip()
        if c and (not label_cells or label_cells[-1] != c):  # colspan repeats a cell
            label_cells.append(c)
    return "".join(label_cells), row[last_text + 1:]


def has_values(row: Row) -> bool:
    return any(read_cell(c).kind in (NUMBER, PLACEHOLDER) for c in row)


def place_values(cells: list[str], expected: int) -> tuple[list[Optional[str]], Optional[str]]:
    """Put a row's value cells in their columns, or say why they cannot be placed.

    Trailing blanks are dropped; if the rest is longer than `expected`, leading blanks are
    dropped too (merged label cells leave them). A row that still does not have exactly
    `expected` cells cannot be placed without guessing.
    """
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()
    if len(cells) > expected:
        while cells and len(cells) > expected and not cells[0].strip():
            cells.pop(0)
    if len(cells) == expected:
        return list(cells), None
    return [None] * expected, f"{len(cells)} value cells where {expected} were expected"


def read_values(cells: list[Optional[str]], where: str, findings: list[Finding],
                names: list[str]) -> list[Number]:
    """Cell strings -> numbers; blanks and placeholders become null with a finding."""
    out: list[Number] = []
    for raw, name in zip(cells, names):
        if raw is None:
            out.append(None)
            continue
        c = read_cell(raw)
        if c.kind == NUMBER:
            out.append(c.value)
        else:
            out.append(None)
            rule = {BLANK: "blank-cell", PLACEHOLDER: "placeholder-cell"}.get(c.kind, "non-numeric-cell")
            findings.append(Finding("parse", rule, "warning",
                                    f"{where} {name}: {raw.strip()!r} read as null", [f"{where}.{name}"]))
    return out


# ---------------------------------------------------------------- table 2
# (key, label-key prefixes, value count in the 2021 format, value count in the 2019 format)
ACTIVE_ROWS = [
    ("regulations", ("规章",), 3, 3),
    ("normative_documents", ("行政规范性文件", "规范性文件"), 3, 3),
    ("licensing", ("行政许可",), 1, 3),
    ("other_services", ("其他对外管理服务事项",), None, 3),
    ("punishment", ("行政处罚",), 1, 3),
    ("coercion", ("行政强制",), 1, 3),
    ("fees_10k_yuan", ("行政事业性收费",), 1, 2),
    ("procurement", ("政府集中采购",), None, 2),
]


def read_active(rows: list[Row], fmt: str, findings: list[Finding], extra: dict) -> Optional[Active]:
    found: dict[str, list[Number]] = {}
    for row in rows:
        if not has_values(row) and not _is_procurement(row):
            continue
        label, cells = split_row(row)
        key = label_key(label)
        # the data label is the last text cell; group headers such as 第二十条第(一)项 are not rows
        for name, prefixes, n2021, n2019 in ACTIVE_ROWS:
            if any(key.startswith(p) or key.endswith(p) for p in prefixes) and name not in found:
                expected = n2021 if fmt == "2021" else n2019
                if expected is None:
                    break
                if name == "procurement":
                    extra["procurement"] = [c.strip() for c in cells if c.strip()]
                    found[name] = []
                    break
                placed, problem = place_values(cells, expected)
                if problem:
                    findings.append(Finding("parse", "T2-cells", "error", f"table 2 row {label!r}: {problem}",
                                            [f"active.{name}"]))
                found[name] = read_values(placed, "active", findings,
                                          [f"{name}.{i}" for i in range(expected)])
                break
    if not found:
        return None
    a = Active()
    if fmt == "2021":
        for name in ("regulations", "normative_documents"):
            if name in found:
                setattr(a, name, DocCounts(*found[name]))
        for name in ("licensing", "punishment", "coercion", "fees_10k_yuan"):
            if name in found:
                setattr(a, name, found[name][0])
    else:
        # 60号: 本年新制作数量 -> issued; 处理决定数量 (third cell) -> decisions. The other cells
        # have no 2021 counterpart (对外公开总数量 is not 现行有效件数) and go to `extra`.
        for name in ("regulations", "normative_documents"):
            if name in found:
                made, published, total_published = found[name]
                setattr(a, name, DocCounts(issued=made))
                extra[f"{name}_2019"] = {"new_made": made, "new_published": published,
                                         "total_published": total_published}
        for name in ("licensing", "punishment", "coercion", "other_services"):
            if name in found:
                prev, change, decisions = found[name]
                if name != "other_services":
                    setattr(a, name, decisions)
                extra[f"{name}_2019"] = {"previous_items": prev, "change": change, "decisions": decisions}
        if "fees_10k_yuan" in found:
            extra["fee_items_2019"] = {"previous_items": found["fees_10k_yuan"][0],
                                       "change": found["fees_10k_yuan"][1]}
    missing = [n for n, _, n2021, n2019 in ACTIVE_ROWS
               if (n2021 if fmt == "2021" else n2019) is not None and n not in found]
    for name in missing:
        findings.append(Finding("parse", "T2-row-missing", "error", f"table 2 row {name} not found",
                                [f"active.{name}"]))
    return a


def _is_procurement(row: Row) -> bool:
    return "政府集中采购" in row_text(row)


# ---------------------------------------------------------------- table 3
# Keywords that identify a table-3 row by its label (normalised, punctuation removed).
REQUEST_KEYWORDS = {
    "new_received": ("本年新收",),
    "carried_over": ("上年结转",),
    "granted": ("予以公开",),
    "partially_granted": ("部分公开",),
    "denied_state_secret": ("国家秘密",),
    "denied_law_prohibited": ("法律行政法规禁止", "禁止公开"),
    "denied_security_stability": ("三安全一稳定",),
    "denied_third_party": ("第三方合法权益",),
    "denied_internal_affairs": ("内部事务",),
    "denied_process_info": ("过程性信息",),
    "denied_enforcement_file": ("执法案卷",),
    "denied_query_matter": ("查询事项",),
    "unavailable_not_held": ("不掌握",),
    "unavailable_needs_creation": ("另行制作", "没有现成信息"),
    "unavailable_unclear": ("仍不明确",),
    "rejected_petition": ("信访举报投诉", "信访"),
    "rejected_duplicate": ("重复申请",),
    "rejected_publication": ("公开出版物",),
    "rejected_excessive": ("大量反复",),
    "rejected_confirmation": ("确认或重新出具", "重新出具"),
    "other_no_correction": ("逾期不补正",),
    "other_no_fee": ("收费通知", "缴纳费用"),
    "total_handled": ("总计",),
    "carried_forward": ("结转下年度",),
}


def classify_request_row(label: str) -> Optional[str]:
    key = label_key(label)
    hits = [k for k, kws in REQUEST_KEYWORDS.items() if any(kw in key for kw in kws)]
    # The most specific keyword wins: a sub-row label often carries its group's label too
    # (「（三）不予公开 1.属于国家秘密」), and group labels are not keywords.
    if "total_handled" in hits and len(hits) > 1:
        hits.remove("total_handled")
    if len(hits) == 1:
        return hits[0]
    if hits:
        return None
    if re.search(r"其他$", key):
        return "other_other"
    if "其他处理" in key:
        return OTHER_TOTAL
    return None


def read_requests(rows: list[Row], findings: list[Finding]) -> Optional[dict[str, Optional[list[Number]]]]:
    found: dict[str, list[Number]] = {}
    for row in rows:
        if not has_values(row):
            continue
        label, cells = split_row(row)
        key = classify_request_row(label)
        if key is None:
            findings.append(Finding("parse", "T3-unknown-row", "error",
                                    f"table 3 row with values but an unknown label {label!r}"))
            continue
        if key in found:
            findings.append(Finding("parse", "T3-duplicate-row", "error",
                                    f"table 3 row {key} appears twice (label {label!r}); the first is kept",
                                    [f"requests.{key}"]))
            continue
        placed, problem = place_values(cells, 7)
        if problem:
            findings.append(Finding("parse", "T3-cells", "error", f"table 3 row {key}: {problem}",
                                    [f"requests.{key}"]))
        found[key] = read_values(placed, f"requests.{key}", findings, list(APPLICANTS))
    if not found:
        return None
    is_2019 = OTHER_TOTAL in found and not any(k in found for k in OTHER_SUBROWS)
    keys = list(REQUEST_ROWS)
    if is_2019:
        keys.insert(keys.index("total_handled"), OTHER_TOTAL)
    out: dict[str, Optional[list[Number]]] = {}
    for k in keys:
        if k in found:
            out[k] = found[k]
        elif is_2019 and k in OTHER_SUBROWS:
            out[k] = None  # the 60号 format has no such rows
        else:
            out[k] = [None] * 7
            findings.append(Finding("parse", "T3-row-missing", "error", f"table 3 row {k} not found",
                                    [f"requests.{k}"]))
    if OTHER_TOTAL in found and not is_2019:
        findings.append(Finding("parse", "T3-unknown-row", "warning",
                                "a （六）其他处理 subtotal row beside its sub-rows was ignored",
                                [f"requests.{OTHER_TOTAL}"]))
    return out


# ---------------------------------------------------------------- table 4
def read_review_litigation(rows: list[Row], findings: list[Finding]) -> Optional[dict[str, Optional[list[Number]]]]:
    """The 15 numbers of table 4: 复议, 直接起诉, 复议后起诉 × (维持, 纠正, 其他, 尚未审结, 总计).

    The table has no row labels, so the numbers are taken in reading order from the
    section. A row of exactly 15 value cells is used as is; more values than 15 are only
    accepted when every one is the same (a merged-cell artefact cannot move a value then).
    """
    data_rows = [[c for c in r if read_cell(c).kind in (NUMBER, PLACEHOLDER, BLANK)] for r in rows if has_values(r)]
    values = [c for r in data_rows for c in r if read_cell(c).kind != BLANK]
    if not values:
        return None
    cells: Optional[list[str]] = None
    if len(values) == 15:
        cells = values
    else:
        exact = [r for r in data_rows if len([c for c in r if c.strip()]) == 15]
        if len(exact) == 1:
            cells = [c for c in exact[0] if c.strip()]
        elif len(values) > 15 and len({read_cell(c).value for c in values}) == 1:
            cells = values[:15]
            findings.append(Finding("parse", "T4-extra-cells", "warning",
                                    f"table 4 has {len(values)} value cells, not 15; all are "
                                    f"{values[0].strip()!r}, so the 15 values are unambiguous"))
    if cells is None:
        findings.append(Finding("parse", "T4-cells", "error",
                                f"table 4 has {len(values)} value cells where 15 were expected; "
                                "their columns cannot be told", ["review_litigation"]))
        return {p: [None] * 5 for p in PROCEEDINGS}
    out = {}
    for i, p in enumerate(PROCEEDINGS):
        out[p] = read_values(cells[i * 5:(i + 1) * 5], f"review_litigation.{p}", findings, list(OUTCOMES))
    return out
