"""Issuer, year, format and scope of a report, from its own text."""
from __future__ import annotations

import re
from typing import Optional

from pipelines.cells import Row, normalize
from pipelines.titles import TITLE_LINES

_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|周期)[^0-9]{0,12}?((?:19|20)\d\d)年0?1月0?1日")


def period_year(text: str, normalized: bool = False) -> Optional[int]:
    """The year of the 统计期限 sentence (「数据统计期限为2023年1月1日至…」)."""
    m = _PERIOD.search(text if normalized else normalize(text))
    return int(m.group(1)) if m else None


# Detection signatures (docs/formats.md): the tables' own headers and row labels decide, the year
# is only a prior. Words that prose uses too (政府集中采购, a 2019 table-2 row, is also what a
# pre-2019 report's narrative says of its procurement) are no signature.
SIGNATURES = {
    "2021": ("本年制发件数", "本年废止件数", "本年收费金额", "逾期未按收费通知要求缴纳费用"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量"),
    "post2019": ("申请人情况", "自然人", "商业企业", "勾稽关系"),
    "legacy": ("统计指标", "同意公开答复数", "属于已主动公开范围数", "收费及减免", "一、概述"),
}


def signature_counts(text: str, normalized: bool = False) -> dict[str, int]:
    t = text if normalized else normalize(text)
    return {k: sum(s in t for s in sigs) for k, sigs in SIGNATURES.items()}


def signatures_found(text: str, kind: str) -> list[str]:
    """The signature strings of one kind that the (normalised) text contains."""
    return [s for s in SIGNATURES[kind] if s in text]


# Documents of a 年报 column that are not reports: notices, letters, plans (「关于做好…年度报告
# 编制发布工作的通知」). Matched on the title lines only.
_NOT_A_REPORT = re.compile(r"(?:关于.{0,80}的?(?:通知|函|批复|意见|公告|通报)|"
                           r"(?:通知|函|工作要点|实施方案|工作方案|工作计划|公告)$)")


def notice_title(rows: list[Row], title_hint: Optional[str] = None) -> Optional[str]:
    """The title of a notice/letter/plan, when the document's title is one, else None."""
    lines = ([normalize(title_hint)] if title_hint else []) + \
        [normalize("".join(r)) for r in rows[:TITLE_LINES] if "".join(r).strip()][:3]
    for line in lines:
        if len(line) <= 100 and _NOT_A_REPORT.search(line) and "报告" not in line.split("关于")[0]:
            return line
    return None


_JURISDICTION = re.compile(
    r"汇总(?:了)?(?:全|本)(?:省|市|区|县|旗|州|盟)|本报告(?:数据)?(?:为|系)?(?:全|本)(?:省|市|区|县)(?:汇总|总体)"
    r"|(?:全省|全市|全区|全县|全旗|全州)(?:各级行政机关|各级政府|各地各部门)?(?:共|累计|合计)?"
    r"(?:新)?(?:收到|受理|新收)(?:各类)?(?:政府信息公开)?申请")


def detect_scope(text: str, normalized: bool = False) -> str:
    """'jurisdiction' when the report states that it sums a whole area (「本报告汇总全市数据」,
    「全区共收到政府信息公开申请…」), else 'self'."""
    return "jurisdiction" if _JURISDICTION.search(text if normalized else normalize(text)) else "self"
