"""The canonical record of one parsed annual report (docs/record.md).

This is the one model every stage speaks: the parser returns it, `zfxxgk parse --json`
prints it, and the warehouse frames are derived from it. Key order in the JSON form is
the schema's order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from pipelines import rules
from pipelines.rules import SEVERITIES, Rule

Number = Optional[float]  # int in practice; the fee may be fractional; None = blank / unread

APPLICANTS = (
    "natural_person", "commercial_enterprise", "research_institution",
    "social_welfare_org", "legal_service_org", "other_org", "total",
)
APPLICANT_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

# 三、收到和处理政府信息公开申请情况 (table 3), declared once: each row's key and its labels as the 2021
# format prints them — (row key, top-level label, group label, row label), None where the row has no such
# cell; rows sharing a top-level or group label are printed under one merged cell. The 2019 (60号) format
# prints one （六）其他处理 row (other_total) instead of the three other_* rows. The site's tables, the
# generated documents and the SQL models (macros/table3.sql, generated from this) all read it.
OTHER_TOTAL = "other_total"
_OUT = "三、本年度办理结果"
TABLE3_ROWS: tuple[tuple[str, str, Optional[str], Optional[str]], ...] = (
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
    (OTHER_TOTAL, _OUT, "（六）其他处理", None),
    ("total_handled", _OUT, "（七）总计", None),
    ("carried_forward", "四、结转下年度继续办理", None, None),
)
# The 25 row keys of docs/formats.md §3.2, in the format's order (the 2021 format: other_total is not one).
REQUEST_ROWS = tuple(k for k, *_ in TABLE3_ROWS if k != OTHER_TOTAL)
OUTCOME_ROWS = REQUEST_ROWS[REQUEST_ROWS.index("granted"):REQUEST_ROWS.index("other_other") + 1]
# The rows of each printed group with sub-rows (（三）–（六）), by the key's prefix: denied, unavailable,
# rejected, other. The SQL models sum each into one count.
REQUEST_GROUPS = {g: tuple(k for k in REQUEST_ROWS if k.startswith(g + "_"))
                  for g in ("denied", "unavailable", "rejected", "other")}
OTHER_SUBROWS = REQUEST_GROUPS["other"]

PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")

DOC_ITEMS = ("regulations", "normative_documents")
DOC_METRICS = ("issued", "repealed", "in_force")
DECISION_ITEMS = ("licensing", "punishment", "coercion")
ACTIVE_ITEMS = (*DOC_ITEMS, *DECISION_ITEMS, "fees_10k_yuan")  # the rows of table 2, as Active.cells() yields them
ACTIVE_METRICS = (*DOC_METRICS, "decisions", "amount")

FORMAT_VERSIONS = ("2021", "2019", "legacy")
SCOPES = ("self", "jurisdiction")
STATUSES = ("ok", "inconsistent", "partial", "unsupported", "not_a_report", "failed")


@dataclass
class Finding:
    """Why a report is not plainly `ok`: which stage, which rule, which cells."""

    stage: str
    rule: str
    severity: str
    detail: str
    cells: list[str] = field(default_factory=list)  # e.g. "requests.total_handled.natural_person"

    def __post_init__(self) -> None:
        # every code is declared in the catalogue, with the stage that emits it: a typo fails here
        if rules.get(self.rule).stage != self.stage:
            raise ValueError(f"finding {self.rule!r} is emitted by stage {rules.get(self.rule).stage!r}, "
                             f"not {self.stage!r} (pipelines/rules.py)")
        assert self.severity in SEVERITIES, self.severity

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "rule": self.rule,
                               "severity": self.severity, "detail": self.detail}
        if self.cells:
            out["cells"] = list(self.cells)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Finding":
        return cls(d["stage"], d["rule"], d["severity"], d["detail"], list(d.get("cells", [])))


def finding(rule: Rule, detail: str, cells: Optional[list[str]] = None, severity: Optional[str] = None) -> Finding:
    """A finding of a catalogue rule: its stage, and its severity unless `severity` says otherwise."""
    return Finding(rule.stage, rule.code, severity or rule.severity, detail, list(cells or []))


@dataclass
class DocCounts:
    """规章 / 行政规范性文件: 本年制发件数, 本年废止件数, 现行有效件数."""

    issued: Number = None
    repealed: Number = None
    in_force: Number = None


@dataclass
class Active:
    """二、主动公开政府信息情况."""

    regulations: Optional[DocCounts] = None
    normative_documents: Optional[DocCounts] = None
    licensing: Number = None
    punishment: Number = None
    coercion: Number = None
    fees_10k_yuan: Number = None

    def cells(self) -> Iterator[tuple[str, str, Number]]:
        """(item, metric, value) for every cell, the warehouse's long form."""
        for item in DOC_ITEMS:
            counts = getattr(self, item)
            for metric in DOC_METRICS:
                yield item, metric, None if counts is None else getattr(counts, metric)
        for item in DECISION_ITEMS:
            yield item, "decisions", getattr(self, item)
        yield "fees_10k_yuan", "amount", self.fees_10k_yuan


@dataclass
class Report:
    """One annual report, as printed, plus what the parser concluded about it."""

    issuer: Optional[str] = None
    year: Optional[int] = None
    active: Optional[Active] = None
    # row key -> 7 values (APPLICANTS order); None for a row the report does not have
    requests: Optional[dict[str, Optional[list[Number]]]] = None
    # proceeding -> 5 values (OUTCOMES order)
    review_litigation: Optional[dict[str, Optional[list[Number]]]] = None
    format_version: Optional[str] = None
    scope: str = "self"
    parse_status: str = "failed"
    findings: list[Finding] = field(default_factory=list)
    source: Optional[str] = None  # path or URL the record was parsed from
    sections: dict[str, str] = field(default_factory=dict)  # "1".."6" -> section text
    extra: dict[str, Any] = field(default_factory=dict)  # cells with no 2021 counterpart (2019 format)

    def add(self, rule: Rule, detail: str, cells: list[str] | None = None, severity: Optional[str] = None) -> None:
        self.findings.append(finding(rule, detail, cells, severity))

    def to_json(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "year": self.year,
            "active": _active_json(self.active),
            "requests": None if self.requests is None else {k: _nums(v) for k, v in self.requests.items()},
            "review_litigation": None if self.review_litigation is None
            else {k: _nums(v) for k, v in self.review_litigation.items()},
            "format_version": self.format_version,
            "scope": self.scope,
            "parse_status": self.parse_status,
            "findings": [f.to_json() for f in self.findings],
            "source": self.source,
            "sections": self.sections,
            "extra": self.extra,
        }

    def dumps(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Report":
        a = d.get("active")
        active = None
        if a is not None:
            active = Active(
                regulations=None if a.get("regulations") is None else DocCounts(**a["regulations"]),
                normative_documents=None if a.get("normative_documents") is None
                else DocCounts(**a["normative_documents"]),
                licensing=a.get("licensing"), punishment=a.get("punishment"),
                coercion=a.get("coercion"), fees_10k_yuan=a.get("fees_10k_yuan"),
            )
        return cls(
            issuer=d.get("issuer"), year=d.get("year"), active=active,
            requests=d.get("requests"), review_litigation=d.get("review_litigation"),
            format_version=d.get("format_version"), scope=d.get("scope", "self"),
            parse_status=d.get("parse_status", "failed"),
            findings=[Finding.from_json(f) for f in d.get("findings", [])],
            source=d.get("source"), sections=d.get("sections") or {}, extra=d.get("extra") or {},
        )


def _num(v: Number) -> Number:
    """Integral floats print as ints so the JSON reads like the report."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _nums(values: Optional[list[Number]]) -> Optional[list[Number]]:
    return None if values is None else [_num(v) for v in values]


def _active_json(a: Optional[Active]) -> Optional[dict[str, Any]]:
    if a is None:
        return None
    docs = {k: None if getattr(a, k) is None else {m: _num(getattr(getattr(a, k), m)) for m in DOC_METRICS}
            for k in DOC_ITEMS}
    return {**docs, **{k: _num(getattr(a, k)) for k in (*DECISION_ITEMS, "fees_10k_yuan")}}
