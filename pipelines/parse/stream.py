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

Where the parts are: one cell's tokens in `cell_tokens.py`; the loops that run for every token
or hit — the stream made from the rows, the exact keyword search, the chain, a row's values — in
the compiled `stream_loops.pyx` (`Tok` and `Hit` are defined there); the stream, the template's
anchors and the near matches here.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from pipelines.cells import Row
from pipelines.parse.stream_loops import Hit, Tok, exact_hits, stream_parts


def tokenize(rows: Sequence[Row]) -> "Stream":
    """The stream of a document's rows: each cell's tokens (cell_tokens.py) with their row, cell
    and gap; a label repeated across the positions a grid's merged cell spans is one label."""
    return Stream(*stream_parts(rows))


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


def find_hits(stream: Stream, template: Sequence[Anchor], lo: int = 0, hi: Optional[int] = None) -> list[Hit]:
    """Every occurrence of every anchor's keywords in stream.text[lo:hi]; near matches (one
    character misread, inserted or dropped) only for anchors with no exact occurrence."""
    text = stream.text
    hi = len(text) if hi is None else hi
    hits, missing = exact_hits(text, template, lo, hi)
    for a in missing:
        for kw in template[a].keywords:
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


def token_range(stream: Stream, hit: Hit) -> tuple[int, int]:
    """(first, last) token index of a hit."""
    return stream.token_at(hit.start), stream.token_at(max(hit.start, hit.end - 1))
