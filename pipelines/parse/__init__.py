"""Report parser: rows of cells -> the canonical record, with findings and a status.

Plain functions, no Dagster. `parse_rows` is the core; `parse_text` reads a text dump. Raw bytes
go through the extract stage first: `pipelines.pipeline.documents.parse_document`.
"""
from __future__ import annotations

from typing import Optional

from pipelines import rules
from pipelines.cells import Row, normalize, text_to_rows
from pipelines.parse.metadata import detect_scope, notice_title, period_year, signature_counts, signatures_found
from pipelines.parse.tables import find_sections, find_sections_in_text, read_tables, row_text
from pipelines.parse.validate import validate
from pipelines.record import Finding, Report, finding
from pipelines.titles import find_title

SECTION_NAMES = {"1": "总体情况", "2": "主动公开政府信息情况", "3": "收到和处理政府信息公开申请情况",
                 "4": "政府信息公开行政复议、行政诉讼情况", "5": "存在的主要问题及改进情况",
                 "6": "其他需要报告的事项"}


def parse_rows(rows: list[Row], source: Optional[str] = None,
               title_hint: Optional[str] = None) -> Report:
    """Parse a document given as rows of cells. `title_hint`: a page's ArticleTitle meta."""
    report = Report(source=source, parse_status="failed")
    # the normalised text, once, for the metadata and format signatures
    ntext = normalize("".join(["".join(r) for r in rows]))
    if title_hint:
        report.issuer, report.year = find_title([[title_hint]])
    if report.issuer is None:
        report.issuer, report.year = find_title(rows)
    p_year = period_year(ntext, normalized=True)
    if report.year is None and p_year is not None:
        report.year = p_year
        report.add(rules.M_YEAR_FROM_PERIOD, f"year {p_year} taken from the 统计期限 sentence")
    elif report.year is not None and p_year is not None and p_year != report.year:
        report.add(rules.M_YEAR_CONFLICT,
                   f"title says {report.year}, the 统计期限 sentence says {p_year}; the title is kept")

    notice = notice_title(rows, title_hint)
    if notice is not None:
        report.issuer = report.year = None  # the title names a notice, not a report's issuer
        report.parse_status = "not_a_report"
        report.add(rules.F_NOT_A_REPORT,
                   f"the document is titled as a notice, letter or plan ({notice[:60]}), not an annual report")
        return report
    sig = signature_counts(ntext, normalized=True)
    if sig["2021"] + sig["2019"] == 0 and sig["post2019"] < 2:
        legacy = signatures_found(ntext, "legacy")
        if legacy or (report.year is not None and report.year <= 2018 and report.issuer is not None):
            report.format_version = "legacy"
            report.parse_status = "unsupported"
            why = (f"it has the pre-2019 signatures {'、'.join(legacy)}" if legacy
                   else f"its year {report.year} predates the 2019 formats and none of their tables is present")
            report.add(rules.F_LEGACY,
                       f"a pre-2019 report (2008 regulation, 统计指标 layout): {why}; its numbers are not read")
        elif report.issuer is not None:
            report.parse_status = "partial"
            report.add(rules.T_NONE, "titled as an annual report but none of its tables was found")
        else:
            report.parse_status = "not_a_report"
            report.add(rules.F_NOT_A_REPORT,
                       "no annual-report title and none of the format's tables: not an annual report")
        return report

    fmt = "2019" if sig["2019"] > sig["2021"] else "2021"
    report.format_version = fmt
    report.scope = detect_scope(ntext, normalized=True)
    sections = find_sections(rows)
    report.sections = {k: "\n".join(row_text(r) if len(r) > 1 else r[0] for r in rows[a:b] if any(r))
                       for k, (a, b) in sections.items()}
    if len(sections) < 3:  # headings run into the text (a page stripped of its markup)
        in_text = find_sections_in_text(ntext)
        if len(in_text) > len(sections):
            report.sections = in_text
    findings: list[Finding] = []
    tables = read_tables(rows, fmt, findings, report.extra)
    report.active, report.requests, report.review_litigation = tables.active, tables.requests, \
        tables.review_litigation
    for table, name in ((report.active, "T2"), (report.requests, "T3"), (report.review_litigation, "T4")):
        if table is None:
            findings.append(finding(rules.table_missing(name), f"table {name[1]} not found"))
    report.findings += findings
    if report.issuer is None:
        report.add(rules.M_ISSUER, "issuer not found in the title")
    if report.year is None:
        report.add(rules.M_YEAR, "report year found neither in the title nor in the 统计期限 sentence")

    report.findings += validate(report)
    report.parse_status = decide_status(report)
    return report


def decide_status(report: Report) -> str:
    """The status definitions (docs/record.md), from the findings. A printed blank is read: it
    is null in the record and 0 to the rules (validate.py), so it leaves a report `ok`."""
    errors = [f for f in report.findings if f.severity == "error"]
    # the parser's own errors, and the cells it could not read (blanks are read: 0 to the rules)
    unread = [f for f in report.findings if f.stage == "parse" and
              (f.severity == "error" or rules.get(f.rule).leaves_unread)]
    if unread or report.active is None or report.requests is None or report.review_litigation is None:
        return "partial"
    if any(f.stage == "validate" for f in errors):
        return "inconsistent"
    return "ok"


def parse_text(text: str, source: Optional[str] = None) -> Report:
    return parse_rows(text_to_rows(text), source=source)
