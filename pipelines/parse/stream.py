"""A document as one stream of tokens, and the format's template aligned to it.

Real sources keep little of a report's structure: a page stripped of its markup prints the whole
report on one line (labels and digits run together), a PDF converted to markdown cuts tables
into pieces and detaches labels from their numbers. So nothing here depends on lines. Every
reader's rows become one stream of tokens — label text, numbers (digit groups), placeholders
and blank cells — each remembering what structure the reader had (its row, its cell, whether
the row is an exact table grid, the gap before it). That structure is a hint, never required.

The format's template (the ordered row labels of tables 2 and 3, `template.py`) is then aligned
to the text of the stream: every occurrence of every label's keywords (exact, or with one
character misread, inserted or dropped), and the chain of occurrences in the template's order,
close to each other, that explains the most labels (a small dynamic programme). A row's numbers
are the value tokens between its label and the next label of the chain; `tables.py` places
them into cells with the format's arithmetic.
"""
from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from pipelines.cells import PLACEHOLDERS, GridRow, Row, is_value

TEXT, NUM, PH, BLANK = "text", "num", "ph", "blank"
# the gap before a token: a new row or cell, whitespace inside a cell, or nothing
CELL, SPACE, NONE = "cell", "space", "none"


@dataclass(slots=True, eq=False)  # tokens are compared by identity: the same text recurs
class Tok:
    kind: str
    text: str  # TEXT: normalised, no whitespace; NUM: the digits as printed ('-' and '.' kept)
    row: int  # index of the reader's row
    col: int  # index of the cell in that row
    gap: str
    grid: bool  # the row is an exact table grid (GridRow)


# Full-width ASCII, ideographic space and 。 folded (labels and digits); NFKC only where needed.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20, 0x3002: ord(".")}
_COMPAT = re.compile("[\u00b2\u00b3\u00b9\u00bc-\u00be\u2070-\u209f\u2150-\u218f\u2460-\u24ff"
                     "\u2f00-\u2fdf\u3200-\u33ff\uf900-\ufaff\ufe10-\ufe6f]")


def fold(s: str) -> str:
    if _COMPAT.search(s):
        s = unicodedata.normalize("NFKC", s)
    return s.translate(_FOLD)


# Printed material that is neither a label nor a table value: page footers (「— 3 —」, 「第3页共9页」),
# converters' column names (数据1, Column2, Unnamed: 3), Word bookmarks, annotations inside a cell
# (「22（其中修订16件）」, 「(指2019年事项数)」, 「如-8」), dates and article numbers.
_NOISE = re.compile(
    r"[-—–=_]{3,}|[-—–]{1,2}\s*\d{1,3}\s*[-—–]{1,2}(?!\s*\d)"
    r"|第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d{1,3}\s*页)?"
    r"|(?:数据|列|Column|Col|Unnamed:?)\s*\d{1,2}(?![\d.])"
    r"|\[(?:bookmark|image|img)[^\]]*\]|!\[[^\]]*\]\([^)]*\)"
    r"|\((?:其中|含|包括|指|如|注|备注|即)[^()]*\)"
    r"|(?<![\d.])(?:19|20)\d\d\s*年(?:度)?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日|第\s*\d+\s*[条项号款]|[〔\[]\s*\d{4}\s*[〕\]]\s*\d+\s*号",
    re.I)
# A thousands separator ends its number three digits later, whatever follows (「4,73626」 is
# 4,736 then 26), so a number with one is cut there, and never split (digits.py).
_SCAN = re.compile(r"(?P<num>-?\d+(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)|(?P<space>\s+)|(?P<bad>\ufffd+)"
                   r"|(?P<text>[^\d\s\ufffd-]+|-)")
# 「4, 7 36」: stray spaces at a thousands separator
_COMMA = re.compile(r"(?<=\d)\s*,\s*(\d)\s?(\d)\s?(\d)")
_PLAIN_NUM = re.compile(r"\d+(?:\.\d+)?")
_SLOW = re.compile(r"[\d\-—–=_\[!\ufffd]")
_PAGE_CELL = re.compile(r"^\s*(?:\d{1,3}\s*/\s*\d{1,3}|-\s*\d{1,3}\s*-)\s*$")


def tokenize(rows: Sequence[Row]) -> "Stream":
    """The stream of a document's rows. A number directly followed by 「.」/「、」 and a label
    loses its last digit, the label's numbering (「…0000000」「2.其他法律…」, 「3、收到和处理…」);
    a number inside 「(…)」 right before a label is a numbering too (「(1)属于国家秘密」)."""
    out: list[Tok] = []
    append = out.append
    pieces: list[str] = []  # each token's part of Stream.text
    add_piece = pieces.append
    above: Sequence[str] = ()
    for r, row in enumerate(rows):
        if isinstance(row, GridRow):
            tails = row.span_tails
            previous = None
            width = len(above)
            for c, cell in enumerate(row):
                if tails and c in tails:
                    continue
                s = cell.strip()
                if not s:
                    previous = s
                    append(Tok(BLANK, "", r, c, CELL, True))
                    add_piece(_VALUE_PIECE)
                    continue
                # a label spread over the columns or rows it spans is one label (rowspan="22")
                if (s == previous or (c < width and cell == above[c])) and not is_value(s):
                    continue
                previous = s
                for kind, text, gap, piece in (_cell_tokens(s) if len(s) <= 200 else _cell_tokens.__wrapped__(s)):
                    append(Tok(kind, text, r, c, gap, True))
                    add_piece(piece)
            above = row
            continue
        several = len(row) > 1
        for c, cell in enumerate(row):
            s = cell.strip()
            if not s:
                if several:
                    append(Tok(BLANK, "", r, c, CELL, False))
                    add_piece(_VALUE_PIECE)
                continue
            # short cells through the cache; a whole one-line report is no key to keep
            for kind, text, gap, piece in (_cell_tokens(s) if len(s) <= 200 else _cell_tokens.__wrapped__(s)):
                append(Tok(kind, text, r, c, gap, False))
                add_piece(piece)
        above = ()
    starts = list(itertools.accumulate(map(len, pieces), initial=0))
    starts.pop()
    return Stream(out, "".join(pieces), starts)


# A value token's part of Stream.text: one NUL, so that a keyword never spans a number
_VALUE_PIECE = "\0"


@lru_cache(maxsize=65536)  # cells repeat within and across reports (「0」, the labels)
def _cell_tokens(cell: str) -> tuple[tuple[str, str, str, str], ...]:
    """(kind, text, gap, part of Stream.text) of each token of one non-blank cell."""
    return tuple((kind, text, gap, label_text(text) if kind == TEXT else _VALUE_PIECE)
                 for kind, text, gap in _read_cell_tokens(cell))


def _read_cell_tokens(cell: str) -> tuple[tuple[str, str, str], ...]:
    """(kind, text, gap) of each token of one non-blank cell."""
    s = fold(cell)
    if s.strip() in PLACEHOLDERS:
        return ((PH, s.strip(), CELL),)
    if _PLAIN_NUM.fullmatch(s):  # most cells of a table: one number
        return ((NUM, s, CELL),)
    if _SLOW.search(s) is None:  # label text: no digit, dash, bracket or broken byte
        return ((TEXT, "".join(s.split()), CELL),)
    if _PAGE_CELL.match(s):
        return ()
    s = _COMMA.sub(r",\1\2\3", _NOISE.sub(" ", s))
    out: list[list[str]] = []
    gap = CELL
    for m in _SCAN.finditer(s):
        kind = m.lastgroup
        if kind == "space":
            if gap != CELL:
                gap = SPACE
            continue
        text = m.group()
        if kind == "num":
            out.append([NUM, text, gap])
        elif kind == "bad":  # an undecodable byte: whatever it hid, the value is unreadable
            out.append([PH, text, gap])
        elif text == "-" or text in PLACEHOLDERS and gap != NONE and _ends_cell(s, m.end()):
            out.append([PH, text, gap])
        elif out and out[-1][0] == TEXT and gap != CELL:
            out[-1][1] += text
        else:
            out.append([TEXT, text, gap])
        gap = NONE
    _strip_numbering(out)
    return tuple(tuple(t) for t in out)


def _ends_cell(s: str, at: int) -> bool:
    return at >= len(s) or s[at].isspace()


def _strip_numbering(toks: list[list[str]]) -> None:
    """The numberings of one cell's tokens (kind, text, gap): a label's numbering is printed in
    the label's own cell, so a cell is all this has to look at."""
    drop = []
    for i in range(len(toks) - 1):
        (kind, text, gap), (nkind, ntext, ngap) = toks[i], toks[i + 1]
        if kind != NUM or nkind != TEXT or ngap == CELL:
            continue
        head = ntext[:1]
        if head in ".、" and len(ntext) > 1 and not text.endswith("."):
            text = toks[i][1] = text[:-1]
            if text in ("", "-") or text.endswith("."):
                drop.append(i)
        elif head == ")" and ngap == NONE and i > 0 and toks[i - 1][0] == TEXT and toks[i - 1][1].endswith("(") \
                and gap == NONE:
            drop.append(i)
        elif head in "年月日号条项页%" and ngap == NONE:
            drop.append(i)  # a date, an article or page number, a share: not a table value
    for i in reversed(drop):
        del toks[i]


# ---------------------------------------------------------------- the label text
@dataclass
class Stream:
    """The tokens, and the text of their labels as one string for the keyword search.
    Each value token stands in the label text as one NUL, so a keyword never spans a number."""
    toks: list[Tok]
    text: str
    starts: list[int]  # offset in `text` of each token
    spaces_trusted: bool = True  # set by the table reader: False when rows run their digits together

    def token_at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1


@dataclass(frozen=True)
class Anchor:
    """One label of a table's template: its key, the keywords that identify it (normalised,
    punctuation removed), and how many values its row holds (0: a group heading)."""
    key: str
    keywords: tuple[str, ...]
    values: int
    not_followed_by: tuple[str, ...] = ()  # a generic keyword (其他) inside another label is no hit


@dataclass(slots=True)  # not frozen: a frozen dataclass is several times slower to make
class Hit:
    anchor: int  # index in the template
    start: int
    end: int  # offsets in Stream.text
    exact: bool


_PUNCT = re.compile(r"[()\[\]【】〔〕.,、:;\"'“”‘’「」《》\-—_*/]")


@lru_cache(maxsize=16384)
def label_text(s: str) -> str:
    return _PUNCT.sub("", s)


def find_hits(stream: Stream, template: Sequence[Anchor], lo: int = 0, hi: Optional[int] = None) -> list[Hit]:
    """Every occurrence of every anchor's keywords in stream.text[lo:hi]; near matches (one
    character misread, inserted or dropped) only for anchors with no exact occurrence."""
    text = stream.text
    hi = len(text) if hi is None else hi
    hits: list[Hit] = []
    for a, anchor in enumerate(template):
        found = False
        unless = anchor.not_followed_by
        for kw in anchor.keywords:
            at = text.find(kw, lo, hi)
            while at >= 0:
                end = at + len(kw)
                if not unless or not any(text.startswith(w, end) for w in unless):
                    hits.append(Hit(a, at, end, True))
                    found = True
                at = text.find(kw, at + 1, hi)
        if not found:
            for kw in anchor.keywords:
                pat = _near_pattern(kw)
                if pat is None:
                    continue
                for start, end in _near_matches(pat, kw, text, lo, hi):
                    hits.append(Hit(a, start, end, False))
    return hits


def _near_matches(pat: re.Pattern, kw: str, text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """`pat.finditer(text, lo, hi)`'s spans, trying the pattern only where a match can start: one
    edit leaves one half of the keyword intact, and a match starts where its intact first half
    stands, or up to its length plus one characters before where its intact second half ends (the match is the
    keyword's length, one less or one more)."""
    n, cut = len(kw), len(kw) // 2
    first, second = kw[:cut], kw[cut:]
    starts = set()
    at = text.find(first, lo, hi)
    while at >= 0:
        starts.add(at)
        at = text.find(first, at + 1, hi)
    at = text.find(second, lo, hi)
    while at >= 0:
        end = at + len(second)
        starts.update(range(max(lo, end - n - 1), max(lo, end - n + 2)))
        at = text.find(second, at + 1, hi)
    out: list[tuple[int, int]] = []
    done = lo
    for start in sorted(starts):
        if start < done:
            continue
        m = pat.match(text, start, hi)
        if m:
            out.append(m.span())
            done = m.end()
    return out


@lru_cache(maxsize=512)
def _near_pattern(kw: str) -> Optional[re.Pattern]:
    """A keyword with one character substituted or inserted (keywords of 4+ characters), or
    dropped (5+, so that a short keyword never shrinks to a common word). The chain (order and
    distance) is what keeps a near match from landing in prose."""
    if len(kw) < 4:
        return None
    alts = {re.escape(kw[:i]) + "[^\\0]" + re.escape(kw[i + 1:]) for i in range(len(kw))}
    alts |= {re.escape(kw[:i]) + "[^\\0]" + re.escape(kw[i:]) for i in range(1, len(kw))}
    if len(kw) >= 5:
        alts |= {re.escape(kw[:i] + kw[i + 1:]) for i in range(1, len(kw) - 1)}
    return re.compile("|".join(sorted(alts, key=len, reverse=True)))


def chain(hits: list[Hit], n_anchors: int, max_gap: int = 90, per_skip: int = 70) -> list[Hit]:
    """The best chain of hits in template order: strictly increasing anchors and offsets, each
    hit at most `max_gap` (+ `per_skip` per template row skipped, up to four) label characters
    after the previous one. Best = most anchors explained, exact hits counting more than near
    ones; a near hit is kept only next to an exact one."""
    if not hits:
        return []
    reach = max_gap + 4 * per_skip
    limit = [max_gap + per_skip * min(max(d - 1, 0), 4) for d in range(n_anchors + 1)]
    hits = sorted(hits, key=lambda h: (h.start, h.anchor))
    starts = [h.start for h in hits]
    anchors = [h.anchor for h in hits]
    ends = [h.end for h in hits]
    best: list[float] = []
    prev: list[int] = []
    top: list[float] = []  # top[j]: the best score of hits[:j + 1]
    high = 0.0
    for i, h in enumerate(hits):
        score = 1.0 if h.exact else 0.6
        b, p = score, -1
        a, start = h.anchor, h.start
        # only hits that end before this one starts, and not too far before it. The predecessor is
        # the first hit (lowest index) of the best score: walked from the nearest back, a hit of
        # the same score replaces the one found, and the walk stops where no earlier hit can reach
        # the score found (every hit scores more than its own score alone, so the first admissible
        # one is always taken)
        j = i - 1
        lo = bisect.bisect_left(starts, start - reach - 64)
        while j >= lo and top[j] + score >= b:
            ga = anchors[j]
            if ga < a and ends[j] <= start and start - ends[j] <= limit[a - ga] and best[j] + score >= b:
                b, p = best[j] + score, j
            j -= 1
        best.append(b)
        prev.append(p)
        if b > high:
            high = b
        top.append(high)
    i = max(range(len(hits)), key=lambda k: (best[k], -hits[k].start))
    out = []
    while i >= 0:
        out.append(hits[i])
        i = prev[i]
    out.reverse()

    # a near match counts only beside an exact one: alone it is as likely a word of the prose
    # (「按照以公开为常态」 is one character from 予以公开)
    def near_exact(k: int) -> bool:
        return any(0 <= j < len(out) and out[j].exact and abs(out[j].start - out[k].start) <= 2 * max_gap
                   for j in (k - 1, k + 1))

    return [h for k, h in enumerate(out) if h.exact or near_exact(k)]


def values_between(stream: Stream, a: int, b: int, first_only: bool = False) -> list[list[Tok]]:
    """The value tokens of toks[a:b], cut into chunks where label text that is no table
    heading stands between them (`ignorable` text does not cut). `first_only`: only the first
    chunk is wanted; the gaps of the whole range are set all the same."""
    chunks: list[list[Tok]] = [[]]
    after_text = False
    toks = iter(stream.toks[a:b])
    for t in toks:
        if t.kind == TEXT:
            after_text = True
            if chunks[-1] and not ignorable(t.text):
                if first_only:
                    break
                chunks.append([])
            continue
        if after_text:
            t.gap = CELL  # text stood between: never one number with the previous digits
            after_text = False
        chunks[-1].append(t)
    for t in toks:  # the rest of the range when only the first chunk was wanted
        if t.kind == TEXT:
            after_text = True
        elif after_text:
            t.gap = CELL
            after_text = False
    return [c for c in chunks if c]


# Text that may stand between a row's numbers without ending them: column headings of tables 2
# and 3 (repeated at a page break, or printed inline: 「规章 本年制发0 本年废止0 现行有效0」), units,
# 合计, punctuation.
_IGNORABLE = re.compile(r"(?:申请人情况|自然人|法人或其他组织|商业企业|科研机构|社会公益组织|社会组织|法律服务机构|"
                        r"本年制发|本年废止|现行有效|本年处理决定|本年收费金额|数量|"
                        r"其他|总计|合计|小计|项目|序号|单位|件数?|个|项|万元|元|人次|次|[^\u4e00-\u9fff])+")


@lru_cache(maxsize=16384)  # label text recurs (the column headings)
def ignorable(text: str) -> bool:
    return _IGNORABLE.fullmatch(text) is not None or len(text) <= 1


def token_range(stream: Stream, hit: Hit) -> tuple[int, int]:
    """(first, last) token index of a hit."""
    return stream.token_at(hit.start), stream.token_at(max(hit.start, hit.end - 1))
