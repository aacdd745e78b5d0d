"""The near-match search (a label printed with one character misread, inserted or dropped) tries its
pattern only where one half of the keyword stands intact. That shortcut must find exactly what the
plain search over the whole text finds: the same spans, in the same order."""
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.parse.stream import _near_matches, _near_pattern
from pipelines.parse.template import REQUEST_TEMPLATE

KEYWORDS = sorted({kw for a in REQUEST_TEMPLATE for kw in a.keywords if _near_pattern(kw) is not None})
CHARS = "".join(sorted(set("".join(KEYWORDS)))) + "\0ab"


@st.composite
def edited(draw, kw: str) -> str:
    """The keyword with one character substituted, inserted or dropped, or left as it is."""
    chars = list(kw)
    i = draw(st.integers(0, len(chars) - 1))
    op = draw(st.sampled_from(["sub", "ins", "del", "none"]))
    if op == "sub":
        chars[i] = draw(st.sampled_from(CHARS))
    elif op == "ins":
        chars.insert(i, draw(st.sampled_from(CHARS)))
    elif op == "del":
        del chars[i]
    return "".join(chars)


@st.composite
def texts(draw):
    kw = draw(st.sampled_from(KEYWORDS))
    parts = draw(st.lists(st.one_of(edited(kw), st.text(st.sampled_from(CHARS), max_size=8)), min_size=1, max_size=6))
    text = "".join(parts)
    lo = draw(st.integers(0, min(3, len(text))))
    hi = draw(st.integers(lo, len(text)))
    return kw, text, lo, hi


@settings(max_examples=600, deadline=None)
@given(texts())
def test_near_matches_equal_the_plain_search(case):
    kw, text, lo, hi = case
    pattern = _near_pattern(kw)
    assert _near_matches(pattern, kw, text, lo, hi) == [m.span() for m in pattern.finditer(text, lo, hi)]


def test_a_misread_label_is_found_and_prose_without_either_half_is_not():
    kw = "本年度办理结果"
    pattern = _near_pattern(kw)
    text = "政府信息公开工作\0本年度办埋结果\0予以公开"  # 理 misread as 埋 (an OCR error seen in scans)
    assert _near_matches(pattern, kw, text, 0, len(text)) == [(9, 16)]
    assert _near_matches(pattern, kw, "主动公开政府信息情况", 0, 10) == []
