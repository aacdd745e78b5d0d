"""The three statistical tables as the 2021 format (国办公开办函〔2021〕30号) prints them: row labels,
their groups and the column heads, keyed by the warehouse's cell names (`requests.<row>.<applicant>`,
`active.<item>.<metric>`, `review_litigation.<proceeding>.<outcome>`). The site's report pages draw
the tables from this, so a finding's cell names point at the printed cell.
"""
from __future__ import annotations

from pipelines.record import APPLICANT_LABELS, APPLICANTS, OUTCOMES, PROCEEDINGS

# 二、主动公开政府信息情况: (section head, item, label, [(metric, column head)])
ACTIVE_ROWS = (
    ("第二十条第（一）项", "regulations", "规章",
     (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数"))),
    (None, "normative_documents", "行政规范性文件",
     (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数"))),
    ("第二十条第（五）项", "licensing", "行政许可", (("decisions", "本年处理决定数量"),)),
    ("第二十条第（六）项", "punishment", "行政处罚", (("decisions", "本年处理决定数量"),)),
    (None, "coercion", "行政强制", (("decisions", "本年处理决定数量"),)),
    ("第二十条第（八）项", "fees_10k_yuan", "行政事业性收费", (("amount", "本年收费金额（单位：万元）"),)),
)

# 三、收到和处理政府信息公开申请情况: (row key, top-level label, sub-group label, row label).
# Rows sharing a top-level or sub-group label are printed under one merged cell.
_OUT = "三、本年度办理结果"
REQUEST_ROWS = (
    ("new_received", "一、本年新收政府信息公开申请数量", None, None),
    ("carried_over", "二、上年结转政府信息公开申请数量", None, None),
    ("granted", _OUT, "（一）予以公开", None),
    ("partially_granted", _OUT, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("denied_state_secret", _OUT, "（三）不予公开", "1.属于国家秘密"),
    ("denied_law_prohibited", _OUT, "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("denied_security_stability", _OUT, "（三）不予公开", "3.危及“三安全一稳定”"),
    ("denied_third_party", _OUT, "（三）不予公开", "4.保护第三方合法权益"),
    ("denied_internal_affairs", _OUT, "（三）不予公开", "5.属于三类内部事务信息"),
    ("denied_process_info", _OUT, "（三）不予公开", "6.属于四类过程性信息"),
    ("denied_enforcement_file", _OUT, "（三）不予公开", "7.属于行政执法案卷"),
    ("denied_query_matter", _OUT, "（三）不予公开", "8.属于行政查询事项"),
    ("unavailable_not_held", _OUT, "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", _OUT, "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", _OUT, "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("rejected_petition", _OUT, "（五）不予处理", "1.信访举报投诉类申请"),
    ("rejected_duplicate", _OUT, "（五）不予处理", "2.重复申请"),
    ("rejected_publication", _OUT, "（五）不予处理", "3.要求提供公开出版物"),
    ("rejected_excessive", _OUT, "（五）不予处理", "4.无正当理由大量反复申请"),
    ("rejected_confirmation", _OUT, "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    ("other_no_correction", _OUT, "（六）其他处理",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_no_fee", _OUT, "（六）其他处理",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_other", _OUT, "（六）其他处理", "3.其他"),
    # the 2019 (60号) format prints one 其他处理 row instead of the three above
    ("other_total", _OUT, "（六）其他处理", None),
    ("total_handled", _OUT, "（七）总计", None),
    ("carried_forward", "四、结转下年度继续办理", None, None),
)
APPLICANT_GROUPS = (("自然人", 1), ("法人或其他组织", 5), ("总计", 1))

# 四、政府信息公开行政复议、行政诉讼情况
PROCEEDING_LABELS = {"review": "行政复议", "litigation_direct": "未经复议直接起诉",
                     "litigation_after_review": "复议后起诉"}
OUTCOME_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                  "total": "总计"}


def layout_json() -> dict:
    """The layout for the site's script (written once per site as assets/layout.js)."""
    return {
        "active": [{"section": s, "item": i, "label": lb, "metrics": [list(m) for m in ms]}
                   for s, i, lb, ms in ACTIVE_ROWS],
        "requests": [{"key": k, "top": t, "group": g, "label": lb} for k, t, g, lb in REQUEST_ROWS],
        "applicants": list(APPLICANTS), "applicant_labels": list(APPLICANT_LABELS),
        "applicant_groups": [list(g) for g in APPLICANT_GROUPS],
        "proceedings": list(PROCEEDINGS), "proceeding_labels": PROCEEDING_LABELS,
        "outcomes": list(OUTCOMES), "outcome_labels": OUTCOME_LABELS,
    }
