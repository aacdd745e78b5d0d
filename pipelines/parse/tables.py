"""Reading the three statistical tables out of a document's token stream (stream.py).

Every table row is found by its label (the template's keywords, chained in the format's order),
never by its line number or a section heading, so one-line pages, lost tabs, merged-cell
artefacts, converters' markdown and one-cell-per-line dumps all read the same way. A row's
numbers are placed by the reader's grid positions where it had them, else split by the format's
arithmetic (digits.py). A cell that cannot be placed without guessing stays `null` and a finding
says why: the parser never picks one of several readings.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Optional

from pipelines import rules
from pipelines.cells import NUMBER, PLACEHOLDER, UNREADABLE, GridRow, Row, normalize, read_cell
from pipelines.cells import TEXT as TEXT_CELL
from pipelines.parse import digits
from pipelines.parse.cell_tokens import BLANK, CELL, NONE, SPACE, TEXT, ignorable, label_text
from pipelines.parse.stream import Stream, find_hits, token_range, tokenize
from pipelines.parse.stream_loops import Hit, Tok, chain, values_between
from pipelines.parse.template import ACTIVE_ROWS, REQUEST_TEMPLATE, REVIEW_START, REVIEW_WORDS, active_template
from pipelines.parse.validate import R1_ROWS
from pipelines.record import (APPLICANTS, OTHER_SUBROWS, OTHER_TOTAL, OUTCOMES, PROCEEDINGS,
                              REQUEST_ROWS, Active, DOC_METRICS, DocCounts, Finding, Number, finding)

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


_SECTION_SEARCH = {k: re.compile(p.pattern[1:] + r"[^\d(]{0,12}?(?:情况|事项)") if k in "456" else re.compile(p.pattern[1:])
                   for k, p in SECTION_PATTERNS.items()}


def find_sections_in_text(text: str) -> dict[str, str]:
    """Section number -> text, for a document without line structure (one line): the headings
    searched in order in its normalised text."""
    starts: list[tuple[str, int, int]] = []
    pos = 0
    for key, pat in _SECTION_SEARCH.items():
        m = pat.search(text, pos)
        if m:
            starts.append((key, m.start(), m.end()))
            pos = m.end()
    return {k: text[end:(starts[n + 1][1] if n + 1 < len(starts) else len(text))]
            for n, (k, _, end) in enumerate(starts)}


# ---------------------------------------------------------------- row values
def value_cells(row: Row) -> Row:
    """The cells after the row's last label cell."""
    last_text = len(row) - 1
    while last_text >= 0 and read_cell(row[last_text]).kind != TEXT_CELL:  # from the end: values come last
        last_text -= 1
    return row[last_text + 1:]


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
    gaps: Optional[list[str]] = None  # soft rows: the gap before each token (stream.CELL/SPACE/NONE)
    by_rules: bool = False  # set when only the row's own sum decided how its digits split
    spaces_trusted: bool = True  # False in a document whose rows run their digits together
    last_alone: bool = False  # the last token stands alone on its line (a page number, or a displaced 总计)


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
            rule = _NULL_RULES.get(c.kind, rules.NON_NUMERIC_CELL)
            findings.append(finding(rule,
                                    f"{where} {name}: {raw.strip()!r} read as null", [f"{where}.{name}"]))
    return out


_NULL_RULES = {BLANK: rules.BLANK_CELL, PLACEHOLDER: rules.PLACEHOLDER_CELL, UNREADABLE: rules.UNREADABLE_CELL}


def row_candidates(raw: RawRow, expected: int, where: str, findings: list[Finding], names: list[str],
                   blocks: list[tuple[int, int]] = ()) -> list[list[Number]]:
    """The readings of a row's values: one for delimited rows, every valid split for soft
    rows whose token count is not the column count (none: the row cannot be read)."""
    if raw.kind == "soft":
        signed = _dash_as_sign(raw)
        if signed is not None:
            # 「0 - 86」: a placeholder between 0 and 86, or 0 and -86 with a stray space? Both
            # readings are candidates; the cells they disagree on stay null (settle).
            as_dash = row_candidates(RawRow(raw.label, raw.cells, raw.kind, [CELL] * len(raw.cells)),
                                     expected, where, findings, names, blocks)
            as_sign = row_candidates(signed, expected, where, findings, names, blocks)
            return as_dash + [c for c in as_sign if c not in as_dash] if as_dash and as_sign else []
        tokens = [t for t in raw.cells if t.strip()]
        if blocks and raw.last_alone and len(tokens) == expected + 1 and \
                digits.solve(tokens[:-1], expected, blocks):
            # a bare number on a line of its own after a complete row that adds up: a PDF page number
            findings.append(finding(rules.PAGE_NUMBER_DROPPED,
                                    f"{where}: {tokens[-1]!r} on a line of its own after the row's {expected} "
                                    "values, which add up, is taken for a page number", [where]))
            return row_candidates(RawRow(raw.label, raw.cells[:-1], "soft", raw.gaps[:-1] if raw.gaps else None,
                                         spaces_trusted=raw.spaces_trusted), expected, where, findings, names, blocks)
        numeric = all(read_cell(t).kind == NUMBER for t in tokens)
        # A space between numbers is a cell boundary when the row prints one token per cell; with
        # more tokens than cells some spaces fell inside numbers (a PDF column cutting 「12」 in two);
        # with fewer, the row runs digits together anyway, so a space may be a stray one
        # (「500000 5」) as well as a boundary: splits under both readings are candidates. A cell
        # boundary or text between two numbers is never inside one.
        # Numbers touching each other (「5-50」: a sign is all that parts them) show that the row's
        # delimiters were stripped, so its spaces are no evidence either.
        joinable = [g == SPACE for g in raw.gaps[1:]] if raw.gaps else [True] * (len(tokens) - 1)
        touching = bool(raw.gaps) and NONE in raw.gaps[1:]
        if len(tokens) == expected and not ((touching or not raw.spaces_trusted) and any(joinable)):
            return [read_values(tokens, where, findings, names)]
        if not numeric:
            findings.append(finding(rules.CELLS,
                                    f"{where}: {len(tokens)} values where {expected} were expected, not all of "
                                    "them numbers", [where]))
            return []
        try:
            raw.by_rules = bool(blocks) and sum(len(t.lstrip("-")) for t in tokens) != expected
            sols = digits.solve(tokens, expected, blocks) if len(tokens) <= expected else []
            if any(joinable):
                sols += [s for s in digits.solve(tokens, expected, blocks, joinable=joinable) if s not in sols]
        except digits.TooManySplits:
            findings.append(finding(rules.SPLIT_AMBIGUOUS,
                                    f"{where}: the digits {' '.join(tokens)!r} have too many possible splits "
                                    f"into {expected} cells", [where]))
            return []
        if not sols:
            findings.append(finding(rules.SPLIT_NONE,
                                    f"{where}: no split of the digits {' '.join(tokens)!r} into {expected} cells "
                                    "satisfies the format's arithmetic", [where]))
        return sols
    placer = place_grid if raw.kind == "grid" else place_values
    placed, problem = placer(raw.cells, expected)
    if problem:
        findings.append(finding(rules.CELLS, f"{where} (label {raw.label!r}): {problem}", [where]))
    return [read_values(placed, where, findings, names)]


def _dash_as_sign(raw: RawRow) -> Optional[RawRow]:
    """The row with each lone 「-」 that spaces part from the number after it read as that
    number's sign, or None when it has no such dash."""
    if not raw.gaps or not any(c == "-" for c in raw.cells[:-1]):
        return None
    cells, gaps, changed = [], [], False
    i = 0
    while i < len(raw.cells):
        c = raw.cells[i]
        if c == "-" and i + 1 < len(raw.cells) and raw.gaps[i + 1] == SPACE and read_cell(raw.cells[i + 1]).kind == NUMBER \
                and not raw.cells[i + 1].startswith("-"):
            cells.append("-" + raw.cells[i + 1])
            gaps.append(raw.gaps[i])
            changed = True
            i += 2
            continue
        cells.append(c)
        gaps.append(raw.gaps[i])
        i += 1
    return RawRow(raw.label, cells, raw.kind, gaps) if changed else None


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
        findings.append(finding(rules.SPLIT_AMBIGUOUS,
                                f"{where}: {len(cands)} splits of the run-together digits satisfy every rule; "
                                f"the cells they disagree on are left null", open_cells))
    return values


# ---------------------------------------------------------------- the stream's rows
@dataclass
class Located:
    """The three tables found in a document's stream (None: not found)."""
    active: Optional[Active]
    requests: Optional[dict[str, Optional[list[Number]]]]
    review_litigation: Optional[dict[str, Optional[list[Number]]]]


def read_tables(rows: list[Row], fmt: str, findings: list[Finding], extra: dict) -> Located:
    """Tables 2, 3 and 4 from rows of cells of any layout (see stream.py): table 3 first (its
    labels are the most distinctive), table 2 before it, table 4 after it."""
    stream = tokenize(rows)
    hits3 = chain(find_hits(stream, REQUEST_TEMPLATE), len(REQUEST_TEMPLATE))
    if not any(REQUEST_TEMPLATE[h.anchor].values > 0 for h in hits3):
        hits3 = []
    materials3 = row_materials(stream, hits3, REQUEST_TEMPLATE)
    stream.spaces_trusted = not _digits_run_together(materials3)
    lo3 = hits3[0].start if hits3 else len(stream.text)
    t2 = ACTIVE_TEMPLATES[fmt]
    hits2 = chain(find_hits(stream, t2, 0, lo3), len(t2))
    if not hits3:  # table 2 may still be anywhere
        hits2 = chain(find_hits(stream, t2), len(t2))
    active = read_active(stream, rows, hits2, fmt, findings, extra) if hits2 else None
    requests, end3 = (read_requests(stream, rows, hits3, materials3, fmt, findings) if hits3
                      else (None, stream.token_at(hits2[-1].end) + 1 if hits2 else 0))
    review = read_review_litigation(stream, rows, end3, findings)
    return Located(active, requests, review)


def _digits_run_together(materials) -> bool:
    """Most table-3 rows print fewer numbers than their 7 cells: the document's delimiters were
    stripped, so a space in it is as likely a stray one as a boundary (even in a row that happens
    to show as many numbers as cells)."""
    counts = [sum(t.kind != BLANK for t in toks) for h, toks, _ in materials
              if REQUEST_TEMPLATE[h.anchor].values and toks]
    return 2 * sum(c < 7 for c in counts) > len(counts)


def row_materials(stream: Stream, hits: list[Hit], template) -> list[tuple[Hit, list[Tok], list[list[Tok]]]]:
    """(hit, the value tokens after its label, the further chunks before the next label). The last
    label has no further chunks: no label of the chain follows them (the rest of the document)."""
    out = []
    spans = [token_range(stream, h) for h in hits]
    for k, h in enumerate(hits):
        nxt = spans[k + 1][0] if k + 1 < len(hits) else len(stream.toks)
        chunks = values_between(stream, spans[k][1] + 1, nxt, first_only=k + 1 == len(hits))
        out.append((h, chunks[0] if chunks else [], chunks[1:]))
    return out


def as_raw(stream: Stream, label: str, toks: list[Tok], rows: list[Row]) -> RawRow:
    """A row's value tokens as a RawRow: the reader's own cells when they all come from one row
    and each cell holds one token (grid: exact positions; delimited: blanks untrusted), else the
    tokens themselves, their boundaries only hints (digits.py)."""
    first = toks[0].row
    row = rows[first]
    if len(row) > 1 and all(t.row == first for t in toks):
        tails = row.span_tails if isinstance(row, GridRow) else ()
        values = value_cells([c for i, c in enumerate(row) if i not in tails] if tails else row)
        if len({t.col for t in toks}) == len(toks) and \
                len([c for c in values if c.strip()]) == len([t for t in toks if t.kind != BLANK]):
            return RawRow(label, values, "grid" if isinstance(row, GridRow) else "cells")
    values = [t for t in toks if t.kind != BLANK]
    if all(t.grid for t in toks):
        # a table grid's cells are exact: its digits are never split, a count that is off is reported
        return RawRow(label, [t.text for t in values], "cells")
    last = rows[values[-1].row] if values else None
    alone = last is not None and len(last) == 1 and last[0].strip() == values[-1].text
    return RawRow(label, [t.text for t in values], "soft", gaps=[t.gap for t in values],
                  spaces_trusted=stream.spaces_trusted, last_alone=alone)


# ---------------------------------------------------------------- table 2
# the rows each format has (2019: 其他对外管理服务事项 and 政府集中采购 too)
ACTIVE_TEMPLATES = {fmt: [a for a in active_template(fmt) if a.values] for fmt in ("2021", "2019")}
_DECISIONS_2019 = ("previous_items", "change", "decisions")
ACTIVE_METRICS = {  # the names of each row's cells, as findings name them (active.<row>.<metric>)
    "2021": {"regulations": DOC_METRICS, "normative_documents": DOC_METRICS, "licensing": ("decisions",),
             "punishment": ("decisions",), "coercion": ("decisions",), "fees_10k_yuan": ("amount",)},
    "2019": {"regulations": ("new_made", "new_published", "total_published"),
             "normative_documents": ("new_made", "new_published", "total_published"),
             "licensing": _DECISIONS_2019, "other_services": _DECISIONS_2019, "punishment": _DECISIONS_2019,
             "coercion": _DECISIONS_2019, "fees_10k_yuan": ("previous_items", "change")},
}


def read_active(stream: Stream, rows: list[Row], hits: list[Hit], fmt: str, findings: list[Finding],
                extra: dict) -> Optional[Active]:
    found: dict[str, list[Number]] = {}
    counts = {key: (n2021 if fmt == "2021" else n2019) for key, _, n2021, n2019 in ACTIVE_ROWS}
    template = ACTIVE_TEMPLATES[fmt]
    for h, toks, _ in row_materials(stream, hits, template):
        name = template[h.anchor].key
        expected = counts[name]
        if name in found or expected is None:
            continue
        if name == "procurement":  # 采购总金额 carries units (「251000元」): kept as printed
            extra["procurement"] = _dedupe(dict.fromkeys(rows[t.row][t.col] for t in toks if t.kind != BLANK))
            found[name] = []
            continue
        if not toks:
            continue
        names = list(ACTIVE_METRICS[fmt][name])
        raw = as_raw(stream, name, toks, rows)
        cands = row_candidates(raw, expected, f"active.{name}", findings, names)
        found[name] = settle(cands, expected, f"active.{name}", findings, names)
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
    for name, _, n2021, n2019 in ACTIVE_ROWS:
        if (n2021 if fmt == "2021" else n2019) is not None and name not in found:
            findings.append(finding(rules.T2_ROW_MISSING, f"table 2 row {name} not found",
                                    [f"active.{name}"]))
    return a


# ---------------------------------------------------------------- table 3
def request_order(is_2019: bool) -> list[str]:
    """The table-3 rows in the format's order (2019: one （六）其他处理 row)."""
    keys = list(REQUEST_ROWS)
    if is_2019:
        at = keys.index(OTHER_SUBROWS[0])
        keys = keys[:at] + [OTHER_TOTAL] + keys[at + len(OTHER_SUBROWS):]
    return keys


def read_requests(stream: Stream, rows: list[Row], hits: list[Hit], materials, fmt: Optional[str],
                  findings: list[Finding]) -> tuple[dict[str, Optional[list[Number]]], int]:
    """Table 3 from its labels' chain: each row's numbers are the value tokens after its label;
    a row whose label was not found takes the numbers between its neighbours when they hold
    exactly one chunk per row; labels printed before their numbers (a label row, then bare rows
    of numbers) share the numbers that follow them when those are exactly 7 per row.
    Returns the table and the index of the first token after it."""
    keys = [REQUEST_TEMPLATE[h.anchor].key for h in hits]
    is_2019 = ("other_total" in keys or fmt == "2019") and not any(k in keys for k in OTHER_SUBROWS)
    order = request_order(is_2019)
    rank = {a.key: i for i, a in enumerate(REQUEST_TEMPLATE)}
    rows_read: dict[str, RawRow] = {}
    pending: list[str] = []
    last_hit, last_toks, _ = materials[-1]
    end = (stream.toks.index(last_toks[-1]) if last_toks else token_range(stream, last_hit)[1]) + 1
    for n, (h, toks, more) in enumerate(materials):
        key = REQUEST_TEMPLATE[h.anchor].key
        if key not in order:  # a group heading (or 其他处理 in the 2021 format): no values of its own
            _by_position(stream, key, [toks] + more if toks else more, materials, n, keys, order, rank, rows,
                         rows_read, findings)
            continue
        if key in rows_read:
            findings.append(finding(rules.T3_DUPLICATE_ROW,
                                    f"table 3 row {key} appears twice; the first is kept", [f"requests.{key}"]))
            continue
        if not toks:
            pending.append(key)
            continue
        if pending:
            nonblank = [t for t in toks if t.kind != BLANK]
            if len(nonblank) == 7 * (len(pending) + 1):
                for i, k in enumerate(pending + [key]):
                    rows_read[k] = RawRow(k, [t.text for t in nonblank[7 * i:7 * i + 7]], "soft")
                    if k != key:
                        findings.append(finding(rules.T3_LABEL_DETACHED,
                                                f"table 3 row {k}: its label stands apart from its numbers; "
                                                f"they are the {i + 1}. group of 7 after the labels",
                                                [f"requests.{k}"]))
                pending = []
                continue
            pending = []
        rows_read[key] = as_raw(stream, key, toks, rows)
        _by_position(stream, key, more, materials, n, keys, order, rank, rows, rows_read, findings)
    for k in pending:
        findings.append(finding(rules.T3_ROW_UNREAD,
                                f"table 3 row {k}: its label has no numbers after it", [f"requests.{k}"]))
    for h in hits:
        if not h.exact:
            k = REQUEST_TEMPLATE[h.anchor].key
            if k in rows_read:
                findings.append(finding(rules.T3_LABEL_NEAR_MATCH,
                                        f"table 3 row {k}: its label is printed with one character "
                                        f"differing ({stream.text[h.start:h.end]!r})", [f"requests.{k}"]))

    cands: dict[str, list[list[Number]]] = {}
    for key, raw in rows_read.items():
        cands[key] = row_candidates(raw, 7, f"requests.{key}", findings, list(APPLICANTS), digits.TABLE3_BLOCKS)
    chosen = _resolve_splits(cands, order, findings)
    _unconfirmed_splits(chosen, rows_read, order, findings)

    out: dict[str, Optional[list[Number]]] = {}
    for k in list(REQUEST_ROWS[:REQUEST_ROWS.index("total_handled")]) + ([OTHER_TOTAL] if is_2019 else []) \
            + ["total_handled", "carried_forward"]:
        if k in chosen:
            out[k] = chosen[k]
        elif is_2019 and k in OTHER_SUBROWS:
            out[k] = None  # the 60号 format has no such rows
        else:
            out[k] = [None] * 7
            if not any(k in f.cells[0] for f in findings if f.rule == rules.T3_ROW_UNREAD.code and f.cells):
                findings.append(finding(rules.T3_ROW_MISSING, f"table 3 row {k} not found",
                                        [f"requests.{k}"]))
    return out, end


def _by_position(stream: Stream, key: str, chunks: list[list[Tok]], materials, n: int, keys: list[str], order: list[str],
                 rank: dict[str, int], rows: list[Row], rows_read: dict[str, RawRow],
                 findings: list[Finding]) -> None:
    """Rows whose labels were not found (misread beyond a near match): the chunks of numbers
    between the labels found, one per missing row when there are exactly as many."""
    if not chunks or n + 1 >= len(materials):
        return
    nxt = REQUEST_TEMPLATE[materials[n + 1][0].anchor].key
    skipped = [k for k in order if rank[key] < rank.get(k, -1) < rank[nxt] and k not in keys]
    if len(skipped) != len(chunks):
        return
    for k, chunk in zip(skipped, chunks):
        rows_read[k] = as_raw(stream, k, chunk, rows)
        findings.append(finding(rules.T3_LABEL_BY_POSITION,
                                f"table 3 row {k}: its label was not recognised; the numbers between "
                                "the rows around it are its own", [f"requests.{k}"]))


# ---------------------------------------------------------------- table 4
_REVIEW_WORDS = re.compile("|".join(sorted(REVIEW_WORDS, key=len, reverse=True)))


def read_review_litigation(stream: Stream, rows: list[Row], start: int,
                           findings: list[Finding]) -> Optional[dict[str, Optional[list[Number]]]]:
    """The 15 numbers of table 4: 复议, 直接起诉, 复议后起诉 × (维持, 纠正, 其他, 尚未审结, 总计).

    The table has no row labels: its numbers are the value tokens after its heading words
    (行政复议, 行政诉讼, 结果维持…, in any arrangement: one grid, three 5-column tables, one run
    of digits) up to the first label text that is none of them. A grid row of 15 cells is read
    by position; exactly 15 values are used as they are; more than 15 only when all are the same
    (a merged-cell artefact cannot move a value then); run-together digits go to the digits
    solver with the three sums."""
    toks = stream.toks
    i = start
    while i < len(toks) and not (toks[i].kind == TEXT and any(w in label_text(toks[i].text) for w in REVIEW_START)):
        i += 1
    values: list[Tok] = []
    for t in toks[i:]:
        if t.kind == TEXT:
            rest = _REVIEW_WORDS.sub("", label_text(t.text))
            if len(rest) > 4 and not ignorable(rest) and (values or len(rest) > 40):
                break
            continue
        values.append(t)
    if not any(t.kind != BLANK for t in values):
        return None
    names = [f"{p}.{o}" for p in PROCEEDINGS for o in OUTCOMES]
    raw = as_raw(stream, "", values, rows)
    nonblank = [c for c in raw.cells if c.strip()]
    if raw.kind == "grid" and len(raw.cells) == 15:
        result = read_values(raw.cells, "review_litigation", findings, names)
    elif len(nonblank) == 15:
        result = read_values(nonblank, "review_litigation", findings, names)
    elif len(nonblank) > 15 and len({read_cell(c).value for c in nonblank}) == 1 \
            and read_cell(nonblank[0]).kind == NUMBER:
        result = read_values(nonblank[:15], "review_litigation", findings, names)
        findings.append(finding(rules.T4_EXTRA_CELLS,
                                f"table 4 has {len(nonblank)} value cells, not 15; all are "
                                f"{nonblank[0].strip()!r}, so the 15 values are unambiguous"))
    elif set("".join(nonblank)) == {"0"} and len("".join(nonblank)) > 15:
        result = [0.0] * 15  # run-together zeros: every split into 15 printable cells is all 0
        findings.append(finding(rules.T4_EXTRA_CELLS,
                                f"table 4 prints {len(''.join(nonblank))} zeros for 15 cells; all 15 are 0"))
    elif all(read_cell(c).kind == NUMBER for c in nonblank):
        soft = RawRow("", nonblank, "soft", gaps=raw.gaps or [CELL] * len(nonblank))
        cands = row_candidates(soft, 15, "review_litigation", findings, names, digits.TABLE4_BLOCKS)
        result = settle(cands, 15, "review_litigation", findings, names)
    else:
        findings.append(finding(rules.T4_CELLS,
                                f"table 4 has {len(nonblank)} value cells where 15 were expected; "
                                "their columns cannot be told", ["review_litigation"]))
        result = [None] * 15
    return {p: result[i * 5:(i + 1) * 5] for i, p in enumerate(PROCEEDINGS)}


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
        outcome = _outcome_rows(order)
        for combo in itertools.product(*(cands[k] for k in open_rows)):
            table = dict(fixed)
            table.update(zip(open_rows, combo))
            if _columns_hold(table, outcome):
                survivors.append(combo)
    for n, k in enumerate(open_rows):
        options = [combo[n] for combo in survivors] if survivors else cands[k]
        where = f"requests.{k}"
        if survivors and len({tuple(o) for o in options}) == 1 and len(cands[k]) > 1:
            findings.append(finding(rules.T3_SPLIT_BY_RULES,
                                    f"{where}: {len(cands[k])} splits of its digits fit the row; the table's "
                                    "column rules (R1, R3) leave one", [where]))
        chosen[k] = settle(options, 7, where, findings, list(APPLICANTS))
    return chosen


def _unconfirmed_splits(chosen: dict[str, list[Number]], rows_read: dict[str, RawRow], order: list[str],
                        findings: list[Finding]) -> None:
    """Run-together digits split by their row's own sum alone are confirmed by the columns: where a
    column's rules (R1, R3) fail, the cells such splits put in that column are left null. (A wrong
    digit, an ordinal run into the numbers, can make a wrong split add up along its row.)"""
    split = [k for k, raw in rows_read.items() if raw.by_rules and k in chosen]
    if not split:
        return
    outcome = _outcome_rows(order)
    for c in range(7):
        column = {k: [v[c]] + [None] * 6 for k, v in chosen.items()}  # this column alone, in column 0
        if _columns_hold(column, outcome, columns=1):
            continue
        cells = [f"requests.{k}.{APPLICANTS[c]}" for k in split if chosen[k][c] is not None]
        for k in split:
            chosen[k][c] = None
        if cells:
            findings.append(finding(rules.T3_SPLIT_UNCONFIRMED,
                                    f"column {APPLICANTS[c]}: digits run together were split so that each row "
                                    "adds up, but the column's rules (R1, R3) fail; the split cells are left null",
                                    cells))


def _outcome_rows(order: list[str]) -> list[str]:
    """The rows R3 sums: every row of the format's order but the four R1 rows."""
    return [k for k in order if k not in R1_ROWS]


def _columns_hold(table: dict[str, list[Number]], outcome: list[str], columns: int = 7) -> bool:
    """R1 and R3 on every column whose cells are all known (unknown cells cannot refute)."""
    for c in range(columns):
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


