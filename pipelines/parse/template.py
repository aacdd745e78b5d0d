"""The format's template: the ordered labels of tables 2 and 3 and the words of table 4's heading,
for the 2021 (国办公开办函〔2021〕30号) and the 2019 (60号) formats, declared once.

Keywords are normalised and without punctuation (`stream.label_text`); any one keyword of a row
is enough to name it, so a label printed with a typo, a note, a stray space, or cut in two by a
converter that wrapped it round its numbers still matches one of them (or a near match,
`stream.find_hits`).
"""
from __future__ import annotations

from pipelines.parse.stream import Anchor

# Table 2: (key, keywords, values in the 2021 format, values in the 2019 format)
ACTIVE_ROWS = [
    ("regulations", ("规章",), 3, 3),
    ("normative_documents", ("行政规范性文件", "规范性文件"), 3, 3),
    ("licensing", ("行政许可",), 1, 3),
    ("other_services", ("其他对外管理服务事项", "对外管理服务事项"), None, 3),
    ("punishment", ("行政处罚",), 1, 3),
    ("coercion", ("行政强制",), 1, 3),
    ("fees_10k_yuan", ("行政事业性收费",), 1, 2),
    ("procurement", ("政府集中采购",), None, 2),
]


def active_template(fmt: str) -> list[Anchor]:
    return [Anchor(key, kws, (n2021 if fmt == "2021" else n2019) or 0) for key, kws, n2021, n2019 in ACTIVE_ROWS]


# Table 3, both formats in one sequence: group headings hold no values; （六）其他处理 is a
# heading in 2021 (three sub-rows follow) and a row of values in 2019.
REQUEST_TEMPLATE = [
    Anchor("new_received", ("本年新收", "新收政府信息公开申请"), 7),
    Anchor("carried_over", ("上年结转",), 7),
    Anchor("#results", ("本年度办理结果",), 0),
    Anchor("granted", ("予以公开",), 7),
    Anchor("partially_granted", ("部分公开",), 7),
    Anchor("#denied", ("不予公开",), 0),
    Anchor("denied_state_secret", ("国家秘密",), 7),
    Anchor("denied_law_prohibited", ("法律行政法规禁止", "禁止公开", "其他法律行政法规"), 7),
    Anchor("denied_security_stability", ("三安全一稳定", "危及"), 7),
    Anchor("denied_third_party", ("第三方合法权益", "第三方"), 7),
    Anchor("denied_internal_affairs", ("内部事务", "三类内部"), 7),
    Anchor("denied_process_info", ("过程性信息", "四类过程"), 7),
    Anchor("denied_enforcement_file", ("执法案卷",), 7),
    Anchor("denied_query_matter", ("查询事项",), 7),
    Anchor("#unavailable", ("无法提供",), 0),
    Anchor("unavailable_not_held", ("不掌握",), 7),
    Anchor("unavailable_needs_creation", ("另行制作", "没有现成"), 7),
    Anchor("unavailable_unclear", ("仍不明确", "补正后申请"), 7),
    Anchor("#rejected", ("不予处理",), 0),
    Anchor("rejected_petition", ("信访举报投诉", "信访"), 7),
    Anchor("rejected_duplicate", ("重复申请",), 7),
    Anchor("rejected_publication", ("公开出版物", "出版物"), 7),
    Anchor("rejected_excessive", ("大量反复",), 7),
    Anchor("rejected_confirmation", ("确认或重新出具", "重新出具", "要求行政机关确认"), 7),
    Anchor("other_total", ("其他处理",), 7),
    Anchor("other_no_correction", ("逾期不补正", "无正当理由逾期", "不补正"), 7),
    Anchor("other_no_fee", ("收费通知", "缴纳费用", "逾期未按收费"), 7),
    Anchor("other_other", ("其他",), 7, ("处理", "法律", "结果", "对外", "组织")),
    Anchor("total_handled", ("总计",), 7),
    Anchor("carried_forward", ("结转下年度", "结转下年"), 7),
]

# Table 4's heading, in any order and repeated (three 5-column tables, or one grid): words that
# may stand between its numbers. Anything else that is label text ends the table.
REVIEW_WORDS = ("政府信息公开行政复议行政诉讼情况", "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉",
                "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "维持", "纠正", "其他", "结果", "复议",
                "诉讼", "直接起诉", "起诉", "行政", "审结", "尚未", "未经", "情况", "合计")
REVIEW_START = ("行政复议", "行政诉讼", "复议", "诉讼")
