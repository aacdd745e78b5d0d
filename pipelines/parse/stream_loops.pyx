# cython: language_level=3, boundscheck=False, wraparound=False
"""The token stream's inner loops, compiled (stream.py has the design).

Per page: a token per printed token (~330), a walk over every cell, ~150 keyword searches and the
chain's dynamic programme over the hits. In Python these loops cost more than all the table
reading after them. The decisions stay in Python where they are not loops: what a cell's tokens
are (`cell_tokens.py`, regular expressions, cached), the near matches of a label (stream.py).
Tokens and hits are typed objects here, read from Python like any attribute.
"""
from libc.stdlib cimport free, malloc

from pipelines.cells import GridRow, is_value
from pipelines.parse.cell_tokens import BLANK, CELL, TEXT, VALUE_PIECE, cell_tokens, ignorable

cdef object _uncached = cell_tokens.__wrapped__  # a whole one-line report is no key to keep
cdef str _BLANK = BLANK, _CELL = CELL, _TEXT = TEXT, _VALUE = VALUE_PIECE


cdef class Tok:
    """One token. Compared by identity (the same text recurs); `gap` is set again by the table
    reader where label text stood between two values (stream.values_between)."""
    cdef public str kind  # TEXT, NUM, PH or BLANK (cell_tokens.py)
    cdef public str text  # TEXT: normalised, no whitespace; NUM: the digits as printed ('-' and '.' kept)
    cdef public object row  # index of the reader's row
    cdef public object col  # index of the cell in that row
    cdef public str gap  # CELL, SPACE or NONE: the gap before the token
    cdef public bint grid  # the row is an exact table grid (GridRow)

    def __init__(self, str kind, str text, row, col, str gap, bint grid):
        self.kind, self.text, self.row, self.col, self.gap, self.grid = kind, text, row, col, gap, grid

    def __repr__(self):
        return f"Tok({self.kind!r}, {self.text!r}, row={self.row}, col={self.col}, gap={self.gap!r}, grid={self.grid})"


cdef inline Tok _tok(str kind, str text, object row, object col, str gap, bint grid):
    cdef Tok t = Tok.__new__(Tok)
    t.kind = kind
    t.text = text
    t.row = row
    t.col = col
    t.gap = gap
    t.grid = grid
    return t


def stream_parts(rows):
    """(tokens, label text, offset of each token in it) of a document's rows (stream.tokenize)."""
    cdef list toks = [], pieces = [], starts = []
    cdef Py_ssize_t r, c, n, width, at = 0
    cdef object row, tails, R, C, previous
    cdef object above = ()
    cdef str cell, s, kind, text, gap, piece
    cdef bint grid, several
    for r in range(len(rows)):
        row = rows[r]
        R = r
        grid = isinstance(row, GridRow)
        n = len(row)
        if grid:
            tails = (<object>row).span_tails
            previous = None
            width = len(above)
        else:
            several = n > 1
        for c in range(n):
            if grid and tails and c in tails:
                continue
            cell = row[c]
            s = cell.strip()
            C = c
            if not s:
                if grid:
                    previous = s
                elif not several:
                    continue
                toks.append(_tok(_BLANK, "", R, C, _CELL, grid))
                pieces.append(_VALUE)
                starts.append(at)
                at += 1
                continue
            if grid:
                # a label spread over the columns or rows it spans is one label (rowspan="22")
                if (s == previous or (c < width and cell == above[c])) and not is_value(s):
                    continue
                previous = s
            for kind, text, gap, piece in (cell_tokens(s) if len(s) <= 200 else _uncached(s)):
                toks.append(_tok(kind, text, R, C, gap, grid))
                pieces.append(piece)
                starts.append(at)
                at += len(piece)
        above = row if grid else ()
    return toks, "".join(pieces), starts


# ---------------------------------------------------------------- the template's hits
cdef class Hit:
    """An occurrence of one of a template label's keywords in the stream's text."""
    cdef public Py_ssize_t anchor  # index in the template
    cdef public Py_ssize_t start
    cdef public Py_ssize_t end  # offsets in Stream.text
    cdef public bint exact  # False: one character misread, inserted or dropped (stream.find_hits)

    def __init__(self, Py_ssize_t anchor, Py_ssize_t start, Py_ssize_t end, bint exact):
        self.anchor, self.start, self.end, self.exact = anchor, start, end, exact

    def __repr__(self):
        return f"Hit({self.anchor}, {self.start}, {self.end}, {self.exact})"


cdef inline Hit _hit(Py_ssize_t anchor, Py_ssize_t start, Py_ssize_t end, bint exact):
    cdef Hit h = Hit.__new__(Hit)
    h.anchor = anchor
    h.start = start
    h.end = end
    h.exact = exact
    return h


def exact_hits(str text, template, Py_ssize_t lo, Py_ssize_t hi):
    """(every exact occurrence of every anchor's keywords in text[lo:hi], the anchors with none).
    A keyword directly followed by one of its anchor's `not_followed_by` words is no hit."""
    cdef list hits = [], missing = []
    cdef Py_ssize_t a, at, end
    cdef bint found
    cdef str kw, w
    cdef tuple unless
    for a in range(len(template)):
        anchor = template[a]
        found = False
        unless = anchor.not_followed_by
        for kw in anchor.keywords:
            at = text.find(kw, lo, hi)
            while at >= 0:
                end = at + len(kw)
                for w in unless:
                    if text.startswith(w, end):
                        break
                else:
                    hits.append(_hit(a, at, end, True))
                    found = True
                at = text.find(kw, at + 1, hi)
        if not found:
            missing.append(a)
    return hits, missing


def chain(list hits, Py_ssize_t n_anchors, Py_ssize_t max_gap=90, Py_ssize_t per_skip=70):
    """The best chain of hits in template order: strictly increasing anchors and offsets, each
    hit at most `max_gap` (+ `per_skip` per template row skipped, up to four) label characters
    after the previous one. Best = most anchors explained, exact hits counting more than near
    ones; a near hit is kept only next to an exact one."""
    if not hits:
        return []
    hits = sorted(hits, key=_order)
    cdef Py_ssize_t n = len(hits), i, j, k, lo = 0, a, start, p
    cdef Py_ssize_t reach = max_gap + 4 * per_skip
    cdef double score, b, high = 0.0
    cdef Hit h, g
    cdef Py_ssize_t *prev = <Py_ssize_t *> malloc(n * sizeof(Py_ssize_t))
    cdef double *best = <double *> malloc(n * sizeof(double))
    cdef double *top = <double *> malloc(n * sizeof(double))  # top[j]: the best score of hits[:j + 1]
    cdef Py_ssize_t *limit = <Py_ssize_t *> malloc((n_anchors + 1) * sizeof(Py_ssize_t))
    cdef list out = []
    if not (prev and best and top and limit):
        free(prev); free(best); free(top); free(limit)
        raise MemoryError()
    try:
        for k in range(n_anchors + 1):
            limit[k] = max_gap + per_skip * min(max(k - 1, 0), 4)
        for i in range(n):  # limit[] is indexed by the difference of two anchors
            h = hits[i]
            if not 0 <= h.anchor < n_anchors:
                raise ValueError(f"hit of anchor {h.anchor} in a template of {n_anchors}")
        for i in range(n):
            h = hits[i]
            score = 1.0 if h.exact else 0.6
            b, p = score, -1
            a, start = h.anchor, h.start
            while lo < i and (<Hit>hits[lo]).start < start - reach - 64:  # (hits are in order of start)
                lo += 1
            # only hits that end before this one starts, and not too far before it. The predecessor
            # is the first hit (lowest index) of the best score: walked from the nearest back, a hit
            # of the same score replaces the one found, and the walk stops where no earlier hit can
            # reach the score found (every hit scores more than its own score alone, so the first
            # admissible one is always taken)
            j = i - 1
            while j >= lo and top[j] + score >= b:
                g = hits[j]
                if g.anchor < a and g.end <= start and start - g.end <= limit[a - g.anchor] \
                        and best[j] + score >= b:
                    b, p = best[j] + score, j
                j -= 1
            best[i] = b
            prev[i] = p
            if b > high:
                high = b
            top[i] = high
        k = 0  # the end of the best chain: the first (lowest start) of the highest score
        for i in range(1, n):
            if best[i] > best[k]:
                k = i
        while k >= 0:
            out.append(hits[k])
            k = prev[k]
    finally:
        free(prev); free(best); free(top); free(limit)
    out.reverse()
    # a near match counts only beside an exact one: alone it is as likely a word of the prose
    # (「按照以公开为常态」 is one character from 予以公开)
    cdef list kept = []
    n = len(out)
    for k in range(n):
        h = out[k]
        if h.exact or _exact_beside(out, k - 1, h.start, max_gap) or _exact_beside(out, k + 1, h.start, max_gap):
            kept.append(h)
    return kept


def _order(Hit h):
    return (h.start, h.anchor)


cdef inline bint _exact_beside(list out, Py_ssize_t j, Py_ssize_t start, Py_ssize_t max_gap):
    cdef Hit g
    if j < 0 or j >= len(out):
        return False
    g = out[j]
    return g.exact and abs(g.start - start) <= 2 * max_gap


# ---------------------------------------------------------------- a row's values
def values_between(stream, Py_ssize_t a, Py_ssize_t b, bint first_only=False):
    """The value tokens of toks[a:b], cut into chunks where label text that is no table
    heading stands between them (`ignorable` text does not cut). `first_only`: only the first
    chunk is wanted; the gaps of the whole range are set all the same."""
    cdef list toks = stream.toks
    cdef list chunks = [], chunk = []
    cdef bint after_text = False, done = False
    cdef Py_ssize_t i
    cdef Tok t
    if b > len(toks):
        b = len(toks)
    for i in range(max(a, 0), b):
        t = toks[i]
        if t.kind == _TEXT:
            after_text = True
            if not done and chunk and not ignorable(t.text):
                chunks.append(chunk)
                chunk = []
                done = first_only  # the rest of the range only has its gaps set
            continue
        if after_text:
            t.gap = _CELL  # text stood between: never one number with the previous digits
            after_text = False
        if not done:
            chunk.append(t)
    if chunk:
        chunks.append(chunk)
    return chunks
