"""Reading the three statistical tables out of rows of cells.

Every table row is found by its label (normalised prefix / keyword, in the format's fixed
order), never by its line number, so lost tabs, merged-cell artefacts and one-cell-per-line
dumps all read the same way. A row whose cells cannot be placed leaves its values `null`
and says why in a finding: the parser never guesses a position.
"""
from __future__ import annotations

import itertools
from functools import lru_cache
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from pipelines.parse import digits
from pipelines.parse.cells import (BLANK, NUMBER, PLACEHOLDER, TEXT, GridRow, Row, label_key, normalize,
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


_NUMERALS = frozenset("一二三四五六123456１２３４５６")


def row_text(row: Row) -> str:
    return normalize("".join(row))


def _dedupe(cells: list[str], limit: int = 0) -> list[str]:
    """Non-blank cells, a colspan's repeats collapsed (a heading row spread over a grid).
    `limit`: stop once that many are found (a caller that only needs to know "more than n")."""
    out: list[str] = []
    last = None
    for c in cells:
        c = c.strip()
        if c and c != last:
            out.append(c)
            if len(out) == limit:
                break
            last = c
    return out


def find_sections(rows: list[Row]) -> dict[str, tuple[int, int]]:
    """Section number -> (first row after the heading, end row), headings found in order."""
    starts: dict[str, int] = {}
    order = list(SECTION_PATTERNS.items())
    n = 0
    for i, row in enumerate(rows):
        if n == len(order):
            break
        for first in row:  # the first non-empty cell (a loop: most rows stop here)
            if first:
                break
        else:
            continue
        first = first.lstrip()
        if not first or first[0] not in _NUMERALS:
            continue
        cells = _dedupe(row, 3)
        if not 1 <= len(cells) <= 2:
            continue
        text = row_text(cells)
        if len(text) >= 40:
            continue
        for m in range(n, len(order)):
            key, pat = order[m]
            if pat.match(text):
                starts[key] = i
                n = m + 1
                break
    keys = sorted(starts, key=lambda k: starts[k])
    spans = {}
    for n, k in enumerate(keys):
        end = starts[keys[n + 1]] if n + 1 < len(keys) else len(rows)
        spans[k] = (starts[k] + 1, end)
    return spans


# ---------------------------------------------------------------- row values
def split_row(row: Row) -> tuple[str, list[str]]:
    """(label text, the cells after the last label cell)."""
    last_text = len(row) - 1
    while last_text >= 0 and read_cell(row[last_text]).kind != TEXT:  # from the end: values come last
        last_text -= 1
    if last_text == 0:  # one label cell (most rows): _dedupe of it is the cell stripped
        return row[0].strip(), row[1:]
    return "".join(_dedupe(row[: last_text + 1])), row[last_text + 1:]


def has_values(row: Row) -> bool:
    for c in row:
        if read_cell(c).kind in _VALUE_KINDS:
            return True
    return False


_VALUE_KINDS = (NUMBER, PLACEHOLDER)


# A run of value tokens at the end of a line of text: digits (run together or spaced), and
# placeholders standing alone. The label before it ends with a character that is no token.
_TAIL = re.compile(r"^(?P<label>.*?[^\d\s.,\-—–/])(?P<tail>\s*-?\d[\d.,]*(?:\s+(?:-?\d[\d.,]*|[-—–/]))*)\s*$", re.S)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


@dataclass(slots=True)
class RawRow:
    """A table row as printed: its label and value cells.

    kind: "grid"  - cells at exact column positions (blank = a real blank);
          "cells" - delimited text cells (tabs, pipes, one cell per line): blanks may be
                    merged-cell artefacts;
          "soft"  - value tokens cut from a line of text: their boundaries are not trusted
                    (digits run together, numbers split in two), see digits.py."""
    label: str
    cells: list[str]
    kind: str
    index: int = 0


def raw_row(row: Row, index: int = 0) -> Optional[RawRow]:
    """The row's label and values, or None for a row without values (a heading, a header)."""
    if isinstance(row, GridRow):
        label, cells = split_row(row)
        return RawRow(label, cells, "grid", index)
    nonblank = [c for c in row if c.strip()]
    if len(nonblank) == 1:
        text = unicodedata.normalize("NFKC", nonblank[0]).strip()
        if read_cell(text).kind in (NUMBER, PLACEHOLDER):
            return RawRow("", _tokens(text), "soft", index)
        m = _TAIL.match(text)
        if m is None:
            return None
        return RawRow(m.group("label").strip(), _tokens(m.group("tail")), "soft", index)
    if not has_values(row):
        return None
    label, cells = split_row(row)
    return RawRow(label, cells, "cells", index)


def _tokens(tail: str) -> list[str]:
    out = []
    for t in tail.split():
        out.append(t.replace(",", "") if _THOUSANDS.match(t) else t)
    return out


def place_values(cells: list[str], expected: int) -> tuple[list[Optional[str]], Optional[str]]:
    """Put a text row's value cells in their columns, or say why they cannot be placed.

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


def place_grid(cells: list[str], expected: int) -> tuple[list[Optional[str]], Optional[str]]:
    """Put a grid row's value cells in their columns: positions are exact, blanks are real.

    Extra cells are accepted only when they are blank and sit on one side (a wider grid):
    if both sides could be the padding and the two readings differ, nothing is placed."""
    if len(cells) == expected:
        return list(cells), None
    if len(cells) < expected:
        return [None] * expected, f"{len(cells)} value cells where {expected} were expected"
    extra = len(cells) - expected
    left_ok = not any(c.strip() for c in cells[expected:])  # values at the left, padding right
    right_ok = not any(c.strip() for c in cells[:extra])
    readings = [r for ok, r in ((left_ok, cells[:expected]), (right_ok, cells[extra:])) if ok]
    if readings and all([c.strip() for c in r] == [c.strip() for c in readings[0]] for r in readings):
        return list(readings[0]), None
    if len(readings) > 1:
        return [None] * expected, (f"{len(cells)} value cells where {expected} were expected; "
                                   "the blank padding could be on either side")
    return [None] * expected, f"{len(cells)} value cells where {expected} were expected"


def read_values(cells: list[Optional[str]], where: str, findings: list[Finding],
                names: list[str]) -> list[Number]:
    """Cell strings -> numbers; blanks and placeholders become null with a finding."""
    out: list[Number] = []
    append = out.append
    for raw, name in zip(cells, names):
        if raw is None:
            append(None)
            continue
        c = read_cell(raw)
        if c.kind == NUMBER:
            append(c.value)
        else:
            append(None)
            rule = _NULL_RULES.get(c.kind, "non-numeric-cell")
            findings.append(Finding("parse", rule, "warning",
                                    f"{where} {name}: {raw.strip()!r} read as null", [f"{where}.{name}"]))
    return out


_NULL_RULES = {BLANK: "blank-cell", PLACEHOLDER: "placeholder-cell"}


def row_candidates(raw: RawRow, expected: int, where: str, findings: list[Finding], names: list[str],
                   blocks: list[tuple[int, int]] = ()) -> list[list[Number]]:
    """The readings of a row's values: one for delimited rows, every valid split for soft
    rows whose token count is not the column count (none: the row cannot be read)."""
    if raw.kind == "soft":
        tokens = [t for t in raw.cells if t.strip()]
        if len(tokens) == expected:
            return [read_values(tokens, where, findings, names)]
        try:
            sols = digits.solve(tokens, expected, blocks)
        except digits.TooManySplits:
            findings.append(Finding("parse", "split-ambiguous", "error",
                                    f"{where}: the digits {' '.join(tokens)!r} have too many possible splits "
                                    f"into {expected} cells", [where]))
            return []
        if not sols:
            findings.append(Finding("parse", "split-none", "error",
                                    f"{where}: no split of the digits {' '.join(tokens)!r} into {expected} cells "
                                    "satisfies the format's arithmetic", [where]))
        return sols
    placer = place_grid if raw.kind == "grid" else place_values
    placed, problem = placer(raw.cells, expected)
    if problem:
        findings.append(Finding("parse", "cells", "error", f"{where} (label {raw.label!r}): {problem}", [where]))
    return [read_values(placed, where, findings, names)]


def settle(cands: list[list[Number]], expected: int, where: str, findings: list[Finding],
           names: list[str]) -> list[Number]:
    """One reading from a row's candidates: cells on which all candidates agree; the others
    null with a finding (the ambiguity rule of digits.py)."""
    if not cands:
        return [None] * expected
    if len(cands) == 1:
        return list(cands[0])
    values = digits.agreed(cands, expected)
    open_cells = [f"{where}.{names[i]}" for i, v in enumerate(values) if v is None]
    if open_cells:
        findings.append(Finding("parse", "split-ambiguous", "error",
                                f"{where}: {len(cands)} splits of the run-together digits satisfy every rule; "
                                f"the cells they disagree on are left null", open_cells))
    return values


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
    for i, row in enumerate(rows):
        if _is_procurement(row):
            if fmt == "2019" and "procurement" not in found:
                cells = _dedupe(row)
                at = next(j for j, c in enumerate(cells) if "政府集中采购" in normalize(c))
                extra["procurement"] = cells[at + 1:]
                found["procurement"] = []
            continue
        raw = raw_row(row, i)
        if raw is None:
            continue
        # the data label is the last text cell; group headers such as 第二十条第(一)项 are not rows
        for name, n2021, n2019 in _active_matches(raw.label):
            if name not in found:
                expected = n2021 if fmt == "2021" else n2019
                if expected is None or name == "procurement":
                    break
                names = [f"{name}.{i}" for i in range(expected)]
                cands = row_candidates(raw, expected, f"active.{name}", findings, names)
                found[name] = settle(cands, expected, f"active.{name}", findings, names)
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


@lru_cache(maxsize=4096)
def _active_matches(label: str) -> tuple[tuple[str, Optional[int], Optional[int]], ...]:
    """The ACTIVE_ROWS entries (in order) whose label-key prefixes match the label."""
    key = label_key(label)
    return tuple((name, n2021, n2019) for name, prefixes, n2021, n2019 in ACTIVE_ROWS
                 if any(key.startswith(p) or key.endswith(p) for p in prefixes))


def _is_procurement(row: Row) -> bool:
    # one search over the joined cells: the keyword holds no "\n", so no match spans two cells
    return "政府集中采购" in "\n".join(row)


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


@lru_cache(maxsize=4096)
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


def request_order(is_2019: bool) -> list[str]:
    """The table-3 rows in the format's order (2019: one （六）其他处理 row)."""
    keys = list(REQUEST_ROWS)
    if is_2019:
        at = keys.index(OTHER_SUBROWS[0])
        keys = keys[:at] + [OTHER_TOTAL] + keys[at + len(OTHER_SUBROWS):]
    return keys


def read_requests(rows: list[Row], findings: list[Finding],
                  fmt: Optional[str] = None) -> Optional[dict[str, Optional[list[Number]]]]:
    """Table 3: rows found by label; unlabelled rows placed by position; run-together digits
    split by the row's own sum and then by the table's column rules (R1, R3)."""
    entries: list[tuple[Optional[str], RawRow]] = []
    for i, row in enumerate(rows):
        raw = raw_row(row, i)
        if raw is None:
            continue
        key = classify_request_row(raw.label) if raw.label else None
        if raw.label and key in (None, OTHER_TOTAL):
            # one character misread in a row name (OCR: 逾期 read as 逾口): a unique near match names the row
            near = [k for k in REQUEST_KEYWORDS if _near_keyword(raw.label, k)]
            if len(near) == 1:
                key = near[0]
                findings.append(Finding("parse", "T3-label-near-match", "warning",
                                        f"table 3 row label {raw.label!r} read as {key} (one character differs "
                                        "from the row's name)", [f"requests.{key}"]))
        # a grid row without values is a header, unless it is a labelled row of blank cells
        if raw.kind == "grid" and not has_values(row) and (key is None or len(raw.cells) < 7):
            continue
        entries.append((key, raw))
    if not any(k is not None for k, _ in entries):
        return None
    known = {k for k, _ in entries if k is not None}
    is_2019 = (OTHER_TOTAL in known or fmt == "2019") and not any(k in known for k in OTHER_SUBROWS)
    order = request_order(is_2019)
    entries = _place_by_position(entries, order, findings)

    cands: dict[str, list[list[Number]]] = {}
    for key, raw in entries:
        if key is None:
            continue
        if key in cands:
            findings.append(Finding("parse", "T3-duplicate-row", "error",
                                    f"table 3 row {key} appears twice (label {raw.label!r}); the first is kept",
                                    [f"requests.{key}"]))
            continue
        where = f"requests.{key}"
        cands[key] = row_candidates(raw, 7, where, findings, list(APPLICANTS), digits.TABLE3_BLOCKS)
    chosen = _resolve_splits(cands, order, findings)

    out: dict[str, Optional[list[Number]]] = {}
    for k in list(REQUEST_ROWS[:REQUEST_ROWS.index("total_handled")]) + ([OTHER_TOTAL] if is_2019 else []) \
            + ["total_handled", "carried_forward"]:
        if k in chosen:
            out[k] = chosen[k]
        elif is_2019 and k in OTHER_SUBROWS:
            out[k] = None  # the 60号 format has no such rows
        else:
            out[k] = [None] * 7
            findings.append(Finding("parse", "T3-row-missing", "error", f"table 3 row {k} not found",
                                    [f"requests.{k}"]))
    if OTHER_TOTAL in chosen and not is_2019:
        findings.append(Finding("parse", "T3-unknown-row", "warning",
                                "a （六）其他处理 subtotal row beside its sub-rows was ignored",
                                [f"requests.{OTHER_TOTAL}"]))
        out.pop(OTHER_TOTAL, None)
    return out


def _place_by_position(entries: list[tuple[Optional[str], RawRow]], order: list[str],
                       findings: list[Finding]) -> list[tuple[Optional[str], RawRow]]:
    """Rows whose label matched no keyword (OCR noise, typos) take the missing keys between
    their recognised neighbours, when there are exactly as many of each; otherwise a row
    with delimited values is reported, and a line of text (prose) is ignored."""
    rank = {k: i for i, k in enumerate(order)}
    known = {k for k, _ in entries if k is not None}
    out = list(entries)
    i = 0
    while i < len(out):
        if out[i][0] is not None:
            i += 1
            continue
        j = i
        while j < len(out) and out[j][0] is None:
            j += 1
        lo = rank.get(out[i - 1][0], -1) if i > 0 else -1
        hi = rank.get(out[j][0], len(order)) if j < len(out) else len(order)
        missing = [k for k in order[lo + 1:hi] if k not in known]
        run = out[i:j]
        inside = i > 0 and j < len(out)
        # at the table's edge a line of text counts as a row only when it has the row's 7 values
        row_like = all(r.kind != "soft" or len(r.cells) == 7 for _, r in run)
        # or when each label is its row's name with one character misread (OCR: 结 read as □)
        near = len(missing) == len(run) and all(_near_keyword(r.label, k) for (_, r), k in zip(run, missing))
        if missing and len(missing) == len(run) and (inside or row_like or near):
            for (_, raw), key in zip(run, missing):
                out[run.index((_, raw)) + i] = (key, raw)
                findings.append(Finding("parse", "T3-label-by-position", "warning",
                                        f"table 3 row label {raw.label!r} matches no row name; its position "
                                        f"between the rows around it makes it {key}", [f"requests.{key}"]))
        else:
            for _, raw in run:
                if raw.kind != "soft" or inside:
                    findings.append(Finding("parse", "T3-unknown-row", "error",
                                            f"table 3 row with values but an unknown label {raw.label!r}"))
        i = j
    return out


def _near_keyword(label: str, key: str) -> bool:
    """The label holds one of the row's keywords (4+ characters) with at most one character changed."""
    text = label_key(label or "")
    for kw in REQUEST_KEYWORDS.get(key, ()):
        if len(kw) < 4:
            continue
        for at in range(len(text) - len(kw) + 1):
            if sum(a != b for a, b in zip(text[at:at + len(kw)], kw)) <= 1:
                return True
    return False


MAX_COMBINATIONS = 4096


def _resolve_splits(cands: dict[str, list[list[Number]]], order: list[str],
                    findings: list[Finding]) -> dict[str, list[Number]]:
    """Rows with several valid splits: keep the combinations under which the table's column
    rules (R1, R3) hold, then keep the cells on which all of them agree."""
    fixed = {k: c[0] for k, c in cands.items() if len(c) == 1}
    open_rows = [k for k, c in cands.items() if len(c) > 1]
    chosen = dict(fixed)
    for k, c in cands.items():
        if not c:
            chosen[k] = [None] * 7
    if not open_rows:
        return chosen
    survivors: list[tuple[list[Number], ...]] = []
    size = 1
    for k in open_rows:
        size *= len(cands[k])
    if size <= MAX_COMBINATIONS:
        outcome = [k for k in order if k not in ("new_received", "carried_over", "total_handled", "carried_forward")]
        for combo in itertools.product(*(cands[k] for k in open_rows)):
            table = dict(fixed)
            table.update(zip(open_rows, combo))
            if _columns_hold(table, outcome):
                survivors.append(combo)
    for n, k in enumerate(open_rows):
        options = [combo[n] for combo in survivors] if survivors else cands[k]
        where = f"requests.{k}"
        if survivors and len({tuple(o) for o in options}) == 1 and len(cands[k]) > 1:
            findings.append(Finding("parse", "T3-split-by-rules", "warning",
                                    f"{where}: {len(cands[k])} splits of its digits fit the row; the table's "
                                    "column rules (R1, R3) leave one", [where]))
        chosen[k] = settle(options, 7, where, findings, list(APPLICANTS))
    return chosen


def _columns_hold(table: dict[str, list[Number]], outcome: list[str]) -> bool:
    """R1 and R3 on every column whose cells are all known (unknown cells cannot refute)."""
    for c in range(7):
        def v(k):
            row = table.get(k)
            return None if row is None else row[c]
        n, co, t, f = v("new_received"), v("carried_over"), v("total_handled"), v("carried_forward")
        if None not in (n, co, t, f) and abs(n + co - t - f) > 1e-9:
            return False
        parts = [v(k) for k in outcome]
        if t is not None and None not in parts and abs(sum(parts) - t) > 1e-9:
            return False
    return True


# ---------------------------------------------------------------- table 4
def read_review_litigation(rows: list[Row], findings: list[Finding]) -> Optional[dict[str, Optional[list[Number]]]]:
    """The 15 numbers of table 4: 复议, 直接起诉, 复议后起诉 × (维持, 纠正, 其他, 尚未审结, 总计).

    The table has no row labels, so the numbers are taken in reading order from the
    section. A grid row of 15 value or blank cells is used by position. Otherwise the value
    cells are gathered: exactly 15 are used as they are; more than 15 are only accepted when
    every one is the same (a merged-cell artefact cannot move a value then); digits from
    lines of text (run together or split) go to the digits solver with the three sums.
    """
    # a line of text with a label is prose ("共发生行政复议2件"), not the table's data row
    raws = [r for r in (raw_row(row, i) for i, row in enumerate(rows))
            if r is not None and not (r.kind == "soft" and r.label) and any(read_cell(c).kind != BLANK for c in r.cells)]
    if not raws:
        return None
    names = [f"{p}.{o}" for p in PROCEEDINGS for o in OUTCOMES]
    grid15 = [r for r in raws if r.kind == "grid" and len(r.cells) == 15]
    values: list[Number]
    if len(grid15) == 1:
        values = read_values(grid15[0].cells, "review_litigation", findings, names)
    else:
        cells = [c for r in raws for c in r.cells if c.strip()]
        soft = any(r.kind == "soft" for r in raws)
        if len(cells) == 15:
            values = read_values(cells, "review_litigation", findings, names)
        elif len(cells) > 15 and len({read_cell(c).value for c in cells}) == 1 \
                and read_cell(cells[0]).kind == NUMBER:
            values = read_values(cells[:15], "review_litigation", findings, names)
            findings.append(Finding("parse", "T4-extra-cells", "warning",
                                    f"table 4 has {len(cells)} value cells, not 15; all are "
                                    f"{cells[0].strip()!r}, so the 15 values are unambiguous"))
        elif soft:
            cands = row_candidates(RawRow("", cells, "soft"), 15, "review_litigation", findings, names,
                                   digits.TABLE4_BLOCKS)
            values = settle(cands, 15, "review_litigation", findings, names)
        else:
            findings.append(Finding("parse", "T4-cells", "error",
                                    f"table 4 has {len(cells)} value cells where 15 were expected; "
                                    "their columns cannot be told", ["review_litigation"]))
            values = [None] * 15
    return {p: values[i * 5:(i + 1) * 5] for i, p in enumerate(PROCEEDINGS)}
