"""Cells: the unit every layout is reduced to before the tables are read.

A document reaches the parser as a list of rows, each a list of cell strings (a paragraph
is a row of one cell). Text dumps are turned into rows here; HTML tables (extract stage)
arrive as rows already. Cell values are classified here too: number, blank, placeholder
or text. Below both stages: the extract readers produce these rows, the parser reads them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

Row = list[str]


class GridRow(list):
    """A row of a table grid (HTML, DOCX, PDF table extraction), merged cells expanded: every
    cell sits at its column's position, so a blank cell is a real blank, not a merged-cell
    artefact as in text dumps. Readers of rows (`parse_rows`) place values by position here.

    `span_tails`: the positions a merged value cell covers beyond its first (a number printed
    once across two columns is one value, whatever its span)."""

    span_tails: frozenset[int] = frozenset()

    def mark_span(self, first: int, count: int) -> None:
        """Positions first .. first+count-1 are covered by a merged number to their left."""
        if count > 0:
            self.span_tails = self.span_tails | frozenset(range(first, first + count))

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {
    "（": "(", "）": ")", "，": ",", "。": ".", "：": ":", "；": ";", "－": "-", "．": ".",
    "、": "、", "\u00a0": " ", "\u3000": " ",
})


def normalize(s: str) -> str:
    """Full-width digits and brackets to ASCII, whitespace removed (labels, headings)."""
    if len(s) <= 200:
        return _normalize_short(s)
    return _normalize(s)


@lru_cache(maxsize=65536)
def _normalize_short(s: str) -> str:
    return _normalize(s)


# Characters whose compatibility form NFKC would change beyond the full-width ASCII block:
# circled/enclosed numbers, number forms, Kangxi radicals (OCR), compatibility ideographs,
# vertical and small forms, super/subscripts. Only text holding one pays for full NFKC.
_COMPAT = re.compile("[\u00b2\u00b3\u00b9\u00bc-\u00be\u2070-\u209f\u2150-\u218f\u2460-\u24ff"
                     "\u2f00-\u2fdf\u3200-\u33ff\uf900-\ufaff\ufe10-\ufe6f\uff5f-\uffef]")
_FULL = re.compile("[\uff01-\uff5e\u3000\u00a0\u3002]")
_SPECIAL = re.compile(_COMPAT.pattern[:-1] + _FULL.pattern[1:])  # either class (they are disjoint)


_FOLD = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " ", "\u00a0": " ", "\u3002": "."}
_FOLD_TABLE = str.maketrans(_FOLD)


def fold(s: str) -> str:
    """`normalize` without removing whitespace (the token stream keeps it as a boundary hint):
    full-width ASCII and spaces folded, 。 to ., NFKC only for text holding a _COMPAT character."""
    if _COMPAT.search(s):
        s = unicodedata.normalize("NFKC", s)
    return s.translate(_FOLD_TABLE)


def _normalize(s: str) -> str:
    # equal to NFKC plus 。→. (what labels need), without NFKC's cost on plain CJK text
    found = set(_SPECIAL.findall(s))  # one scan for both kinds of character
    if found:
        if not found.issubset(_FOLD):  # a _COMPAT character
            s = unicodedata.normalize("NFKC", s).replace("\u3002", ".")
        else:
            # one str.replace per distinct character found (a page holds a dozen of them), not a
            # Python call per occurrence; no replacement is itself in _FULL, so order is free
            for ch in found:
                s = s.replace(ch, _FOLD[ch])
    return "".join(s.split())


def text_to_rows(text: str) -> list[Row]:
    """Rows of cells from a plain-text dump, whatever its table layout.

    - tab-separated rows: one line, cells split on tabs (000, 003);
    - pipe-separated rows: one line, cells split on '|' (001);
    - one cell per line (002, 004): a line holding one tab-prefixed cell opens a cell, an
      untabbed line continues it (vertical text 结/果/维/持), a blank line ends the row.
    - markdown: `| a | b |` rows split like pipe rows, `|---|` separator rows dropped,
      heading marks (#) and bold marks (**) removed;
    - page-number lines of PDF-to-text output (「- 4 -」, 「第4页 共9页」) are dropped.
    Any other line is a row of one cell (a paragraph or heading).
    """
    rows: list[Row] = []
    group: Optional[Row] = None  # the one-cell-per-line row being built

    def close() -> None:
        nonlocal group
        if group is not None:
            rows.append(group)
            group = None

    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.strip():
            close()
            continue
        if _PAGE_NUMBER.match(line) or _MD_SEPARATOR.match(line):
            continue
        if "\t" not in line:
            line = _MD_MARKS.sub("", line)
        if "|" in line and "\t" not in line and line.strip().startswith("|") and line.strip().endswith("|"):
            close()
            rows.append([c.strip() for c in line.strip()[1:-1].split("|")])
            continue
        if "\t" in line:
            body = line[1:] if line.startswith("\t") else None
            if body is not None and "\t" not in body:
                # one cell per line
                if group is None:
                    group = []
                group.append(body.strip())
                continue
            close()
            rows.append([c.strip() for c in line.split("\t")])
        elif "|" in line:
            close()
            rows.append([c.strip() for c in line.split("|")])
        elif group is not None:
            # continuation of a cell whose text was broken over lines
            group[-1] = group[-1] + line.strip()
        else:
            rows.append([line.strip()])
    close()
    return rows


_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页\s*(?:[,，/]?\s*共\s*\d{1,3}\s*页)?"
                          r"|\d{1,3}\s*/\s*\d{1,3})\s*$")
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_MARKS = re.compile(r"^\s*#{1,6}\s+|\*\*")


# ---------------------------------------------------------------- cell values
NUMBER, BLANK, PLACEHOLDER, TEXT = "number", "blank", "placeholder", "text"
# A value position whose content could not be read (an undecodable byte, a scan's uncertain
# reading): the reader writes UNREADABLE_MARK there. Not a blank: the rules never read it as 0.
UNREADABLE, UNREADABLE_MARK = "unreadable", "\ufffd"
PLACEHOLDERS = {"-", "—", "--", "——", "/", "无", "不适用", "N/A", "n/a", "NA", "－", "–", "\\"}
_NUM_RE = re.compile(r"^[-−]?\d+(\.\d+)?$")
_THOUSANDS_RE = re.compile(r"^[-−]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Cell:
    kind: str
    value: Optional[float]
    text: str


@lru_cache(maxsize=16384)  # cells repeat within and across reports; a Cell is immutable
def read_cell(raw: str) -> Cell:
    """Classify a cell: a number (full-width digits, thousands separators, decimals, a sign),
    a blank, a placeholder (「-」「—」「/」「无」…), unreadable (UNREADABLE_MARK) or text."""
    s = unicodedata.normalize("NFKC", raw).translate(_FULLWIDTH).strip()
    s = re.sub(r"\s+", "", s)
    if not s:
        return Cell(BLANK, None, raw)
    if UNREADABLE_MARK in s and len(s) <= 20:
        return Cell(UNREADABLE, None, raw)
    if s in PLACEHOLDERS:
        return Cell(PLACEHOLDER, None, raw)
    if _THOUSANDS_RE.match(s):
        s = s.replace(",", "")
    if _NUM_RE.match(s):
        v = float(s.replace("−", "-"))
        return Cell(NUMBER, v, raw)
    return Cell(TEXT, None, raw)


@lru_cache(maxsize=16384)  # asked of every repeated grid cell (「0」 beside 「0」)
def is_value(raw: str) -> bool:
    """A cell that holds a table value (a number, a placeholder, an unreadable value), not a label."""
    return read_cell(raw).kind in (NUMBER, PLACEHOLDER, UNREADABLE)
