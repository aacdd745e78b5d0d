"""Issuer, year, format and scope of a report, from its own text."""
from __future__ import annotations

import re
from typing import Optional

from pipelines.parse.cells import Row, normalize

_CJK = r"[\u4e00-\u9fff()·]"
# 「阜新市人民政府办公室2023年政府信息公开工作年度报告」, 「…2022年度政府信息公开情况报告」
_TITLE_YEAR_FIRST = re.compile(
    rf"(?P<issuer>{_CJK}{{2,40}}?)(?:关于)?(?P<year>(?:19|20)\d\d)年(?:度)?(?:的)?"
    r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:情况)?(?:年度)?(?:工作)?(?:年度)?报告")
# 「…政府信息公开工作2022年度报告」
_TITLE_YEAR_AFTER = re.compile(
    rf"(?P<issuer>{_CJK}{{2,40}}?)(?:政府|政务)信息公开(?:工作)?(?P<year>(?:19|20)\d\d)年(?:度)?(?:工作)?报告")
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|周期)[^0-9]{0,12}?((?:19|20)\d\d)年0?1月0?1日")
_TITLE_LINES = 15


def find_title(rows: list[Row]) -> tuple[Optional[str], Optional[int]]:
    """(issuer, year) from the report's title among its first lines.

    A title broken over two lines (阿城区2023年政府信息公开 / 工作年度报告) is joined.
    """
    lines = [normalize("".join(r)) for r in rows[:_TITLE_LINES] if "".join(r).strip()]
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


def period_year(text: str) -> Optional[int]:
    """The year of the 统计期限 sentence (「数据统计期限为2023年1月1日至…」)."""
    m = _PERIOD.search(normalize(text))
    return int(m.group(1)) if m else None


# Detection signatures (domain.md §1.5): content decides, the year is only a prior.
SIGNATURES = {
    "2021": ("本年制发件数", "本年废止件数", "本年收费金额", "逾期未按收费通知要求缴纳费用"),
    "2019": ("本年新制作数量", "对外公开总数量", "上一年项目数量", "政府集中采购"),
    "post2019": ("申请人情况", "自然人", "商业企业", "勾稽关系"),
    "legacy": ("统计指标", "同意公开答复数", "属于已主动公开范围数", "收费及减免", "一、概述"),
}


def signature_counts(text: str) -> dict[str, int]:
    t = normalize(text)
    return {k: sum(s in t for s in sigs) for k, sigs in SIGNATURES.items()}


_JURISDICTION = re.compile(r"汇总(?:了)?(?:全|本)(?:省|市|区|县|旗|州)|本报告(?:数据)?(?:为|系)?(?:全|本)(?:省|市|区|县)(?:汇总|总体)")


def detect_scope(text: str) -> str:
    """'jurisdiction' when the report states that it sums a whole area, else 'self'."""
    return "jurisdiction" if _JURISDICTION.search(normalize(text)) else "self"
