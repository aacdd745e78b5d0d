"""The three statistical tables as the 2021 format (国办公开办函〔2021〕30号) prints them: row labels,
their groups and the column heads, keyed by the warehouse's cell names (`requests.<row>.<applicant>`,
`active.<item>.<metric>`, `review_litigation.<proceeding>.<outcome>`). The site's report pages draw
the tables from this, so a finding's cell names point at the printed cell.
"""
from __future__ import annotations

from pipelines.record import APPLICANT_LABELS, APPLICANTS, OUTCOMES, PROCEEDINGS, TABLE3_ROWS

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

# 三、收到和处理政府信息公开申请情况: (row key, top-level label, sub-group label, row label), the record's.
REQUEST_ROWS = TABLE3_ROWS
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
