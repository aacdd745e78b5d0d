"""A report's title: the issuer and year it names (「阜新市人民政府办公室2023年政府信息公开工作年度报告」).

Below extract and parse: an HTML reader asks whether a page title names an issuer (to put the
ContentSource meta before one that does not), the parser reads issuer and year from it.
"""
from __future__ import annotations

import re
from typing import Optional

from pipelines.cells import Row, normalize

_CJK = r"[\u4e00-\u9fff()·]"
# 「阜新市人民政府办公室2023年政府信息公开工作年度报告」, 「…2022年度政府信息公开情况报告」
_TITLE_YEAR_FIRST = re.compile(
    rf"(?P<issuer>{_CJK}{{2,40}}?)(?:关于)?(?P<year>(?:19|20)\d\d)年(?:度)?(?:的)?"
    r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:情况)?(?:年度)?(?:工作)?(?:年度)?报告")
# 「…政府信息公开工作2022年度报告」
_TITLE_YEAR_AFTER = re.compile(
    rf"(?P<issuer>{_CJK}{{2,40}}?)(?:政府|政务)信息公开(?:工作)?(?P<year>(?:19|20)\d\d)年(?:度)?(?:工作)?报告")
TITLE_LINES = 15  # a title is looked for among the first lines of a document


def find_title(rows: list[Row]) -> tuple[Optional[str], Optional[int]]:
    """(issuer, year) from the report's title among its first lines.

    A title broken over two lines (阿城区2023年政府信息公开 / 工作年度报告) is joined.
    """
    lines = [normalize("".join(r)) for r in rows[:TITLE_LINES] if "".join(r).strip()]
    for i, line in enumerate(lines):
        candidates = [line] + ([line + lines[i + 1]] if i + 1 < len(lines) else [])
        for text in candidates:
            for pat in (_TITLE_YEAR_FIRST, _TITLE_YEAR_AFTER):
                m = pat.search(text)
                if m:
                    return clean_issuer(m.group("issuer")), int(m.group("year"))
    return None, None


def clean_issuer(s: str) -> str:
    s = re.sub(r"^(名称|标题|题名)", "", s)
    return s.strip("()")
