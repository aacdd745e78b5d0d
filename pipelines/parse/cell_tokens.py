"""One cell's tokens: the lexical half of the token stream (stream.py).

A cell's text becomes label text, numbers (digit groups as printed), placeholders and nothing
else: page footers, converters' column names, annotations and dates are dropped here, and a
label's numbering is cut from the number printed before it. Cells repeat within and across
reports (「0」, the labels), so a short cell's tokens come from a cache. The loop over a document's
rows that makes the stream's tokens from these is compiled (`stream_loops.pyx`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.cells import PLACEHOLDERS, fold

TEXT, NUM, PH, BLANK = "text", "num", "ph", "blank"
# the gap before a token: a new row or cell, whitespace inside a cell, or nothing
CELL, SPACE, NONE = "cell", "space", "none"

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


# A value token's part of Stream.text: one NUL, so that a keyword never spans a number
VALUE_PIECE = "\0"


@lru_cache(maxsize=65536)  # cells repeat within and across reports (「0」, the labels)
def cell_tokens(cell: str) -> tuple[tuple[str, str, str, str], ...]:
    """(kind, text, gap, part of Stream.text) of each token of one non-blank cell."""
    return tuple((kind, text, gap, label_text(text) if kind == TEXT else VALUE_PIECE)
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
    return tuple((kind, text, gap) for kind, text, gap in out)


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


_PUNCT = re.compile(r"[()\[\]【】〔〕.,、:;\"'“”‘’「」《》\-—_*/]")


@lru_cache(maxsize=16384)
def label_text(s: str) -> str:
    """Label text without its punctuation, as the template's keywords are written (template.py)."""
    return _PUNCT.sub("", s)


# Text that may stand between a row's numbers without ending them: column headings of tables 2
# and 3 (repeated at a page break, or printed inline: 「规章 本年制发0 本年废止0 现行有效0」), units,
# 合计, punctuation.
_IGNORABLE = re.compile(r"(?:申请人情况|自然人|法人或其他组织|商业企业|科研机构|社会公益组织|社会组织|法律服务机构|"
                        r"本年制发|本年废止|现行有效|本年处理决定|本年收费金额|数量|"
                        r"其他|总计|合计|小计|项目|序号|单位|件数?|个|项|万元|元|人次|次|[^\u4e00-\u9fff])+")


@lru_cache(maxsize=16384)  # label text recurs (the column headings)
def ignorable(text: str) -> bool:
    return _IGNORABLE.fullmatch(text) is not None or len(text) <= 1
