"""The token stream's compiled loops (pipelines/parse/stream_loops.pyx) against plain definitions.

The chain of a template's hits is a dynamic programme whose compiled form prunes (a window of
reach, a running best that stops the walk back); here it must choose what the exhaustive programme
written from its definition chooses. A row's values are the value tokens between two labels, cut
where label text that is no table heading stands between them."""
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.parse.cell_tokens import BLANK, CELL, NONE, NUM, SPACE, TEXT, ignorable
from pipelines.parse.stream import Stream, tokenize
from pipelines.parse.stream_loops import Hit, Tok, chain, values_between

N_ANCHORS = 12


def plain_chain(hits: list[Hit], n_anchors: int, max_gap: int, per_skip: int) -> list[Hit]:
    """The definition: hits ordered by (start, anchor); a chain has strictly increasing anchors, each
    hit starting after the previous one ends and at most max_gap + per_skip × (rows skipped, up to
    four) after it; its score is 1 per exact hit and 0.6 per near one. The best chain ends at the
    first hit of the highest score, and each hit's predecessor is the first one of the best score.
    Of that chain, a near hit is kept only beside an exact one (2 × max_gap)."""
    hits = sorted(hits, key=lambda h: (h.start, h.anchor))
    best, prev = [], []
    for i, h in enumerate(hits):
        score = 1.0 if h.exact else 0.6
        b, p = score, -1
        for j in range(i):
            g = hits[j]
            skipped = min(max(h.anchor - g.anchor - 1, 0), 4)
            if g.anchor < h.anchor and g.end <= h.start and h.start - g.end <= max_gap + per_skip * skipped \
                    and best[j] + score > b:
                b, p = best[j] + score, j
        best.append(b)
        prev.append(p)
    if not hits:
        return []
    k = max(range(len(hits)), key=lambda i: (best[i], -i))
    out = []
    while k >= 0:
        out.append(hits[k])
        k = prev[k]
    out.reverse()
    return [h for k, h in enumerate(out) if h.exact or any(
        0 <= j < len(out) and out[j].exact and abs(out[j].start - h.start) <= 2 * max_gap for j in (k - 1, k + 1))]


hit_specs = st.lists(st.tuples(st.integers(0, N_ANCHORS - 1), st.integers(0, 1500), st.integers(1, 12),
                               st.booleans() | st.just(True)), max_size=40)


@settings(max_examples=400, deadline=None)
@given(hit_specs, st.sampled_from([(90, 70), (30, 20), (5, 0)]))
def test_the_chain_is_the_best_chain_by_its_definition(specs, gaps):
    hits = [Hit(a, start, start + length, exact) for a, start, length, exact in specs]
    got = chain(list(hits), N_ANCHORS, *gaps)
    want = plain_chain(list(hits), N_ANCHORS, *gaps)
    assert [id(h) for h in got] == [id(h) for h in want]


def test_a_chain_follows_the_template_order_and_skips_a_stray_hit():
    # anchors 0, 1, 2 in order 10 characters apart; a stray anchor-1 hit 2,000 characters later
    hits = [Hit(0, 0, 4, True), Hit(1, 14, 18, True), Hit(2, 28, 32, True), Hit(1, 2000, 2004, True)]
    assert [(h.anchor, h.start) for h in chain(hits, 3)] == [(0, 0), (1, 14), (2, 28)]


def test_a_near_hit_alone_is_dropped_and_beside_an_exact_one_kept():
    far = [Hit(0, 0, 4, False)]
    assert chain(far, 2) == []
    near = [Hit(0, 0, 4, False), Hit(1, 10, 14, True)]
    assert [(h.anchor, h.exact) for h in chain(near, 2)] == [(0, False), (1, True)]


def plain_values(toks: list[Tok], a: int, b: int) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    for t in toks[a:b]:
        if t.kind == TEXT:
            if chunks[-1] and not ignorable(t.text):
                chunks.append([])
        else:
            chunks[-1].append(t.text)
    return [c for c in chunks if c]


token_specs = st.lists(st.tuples(st.sampled_from([TEXT, NUM, BLANK]), st.sampled_from(["总计", "予以公开", "不予公开", "3", "件"]),
                                 st.sampled_from([CELL, SPACE, NONE])), max_size=30)


@settings(max_examples=300, deadline=None)
@given(token_specs, st.integers(0, 32), st.integers(0, 32), st.booleans())
def test_a_rows_values_are_cut_at_label_text(specs, a, b, first_only):
    toks = [Tok(kind, text if kind != BLANK else "", 0, i, gap, False) for i, (kind, text, gap) in enumerate(specs)]
    want = plain_values(toks, a, b)
    stream = Stream(toks, "", [])
    got = [[t.text for t in c] for c in values_between(stream, a, b, first_only)]
    assert got == (want[:1] if first_only else want)
    # a value after label text never joins the digits before it: its gap is a cell boundary
    for i in range(max(a, 0) + 1, min(b, len(toks))):
        if toks[i].kind != TEXT and toks[i - 1].kind == TEXT:
            assert toks[i].gap == CELL


def test_the_stream_of_a_grid_keeps_a_merged_label_once_and_its_blanks():
    from pipelines.cells import GridRow

    row = GridRow(["（一）予以公开", "（一）予以公开", "5", "", "7"])
    stream = tokenize([row])
    assert [(t.kind, t.text, t.col, t.grid) for t in stream.toks] == [
        (TEXT, "(一)予以公开", 0, True), (NUM, "5", 2, True), (BLANK, "", 3, True), (NUM, "7", 4, True)]
    # the label text the keywords are searched in: punctuation gone, one NUL per value
    assert stream.text == "一予以公开\0\0\0"
    assert stream.starts == [0, 5, 6, 7]
