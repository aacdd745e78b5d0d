"""Canonical records -> one typed polars DataFrame per warehouse table (long form)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Optional

import polars as pl

from pipelines import rules
from pipelines.geo import resolve as resolve_division
from pipelines.record import APPLICANTS, OUTCOMES, Report, _active_json, _nums
from pipelines.warehouse.contract import polars_schema

# The tables a load writes, typed as the contract declares them (pipelines/warehouse/contract.py).
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    t: polars_schema(t) for t in ("documents", "reports", "report_documents", "active_disclosure", "request_outcomes",
                                  "review_litigation", "findings", "report_sections", "report_extra")}
# Per-report tables: a re-load deletes a report's rows from these and inserts the new ones. Every row
# carries its batch's `loaded_at`, which finds a report's old rows without scanning whole tables.
REPORT_TABLES = ("reports", "active_disclosure", "request_outcomes", "review_litigation",
                 "findings", "report_sections", "report_extra")


@dataclass
class DocumentInfo:
    """Where a report's bytes came from."""

    document_id: str
    url: str
    source_id: Optional[str] = None
    fetched_at: Optional[datetime] = None
    http_status: Optional[int] = None
    content_type: Optional[str] = None
    bytes: Optional[int] = None
    storage_path: Optional[str] = None


def report_id(report: Report, document_id: str) -> str:
    """One report per issuer and year; a document that yields neither is keyed by its hash."""
    if report.issuer and report.year:
        return f"{report.year}/{report.issuer}"
    return f"doc/{document_id[:16]}"


def numbers_hash(report: Report) -> Optional[str]:
    """A fingerprint of the three tables as printed: copies of one report should share it. The JSON of
    the record's three tables (as `Report.to_json` writes them), so fingerprints stored by earlier
    loads still compare equal."""
    if report.active is None and report.requests is None and report.review_litigation is None:
        return None
    tables = {"active": _active_json(report.active),
              "requests": None if report.requests is None else {k: _nums(v) for k, v in report.requests.items()},
              "review_litigation": None if report.review_litigation is None
              else {k: _nums(v) for k, v in report.review_litigation.items()}}
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()[:16]


def copy_row(report: Report, doc: DocumentInfo) -> dict:
    """One `report_documents` row: a copy of a report, the evidence kept for every copy."""
    return {"report_id": report_id(report, doc.document_id), "document_id": doc.document_id, "url": doc.url,
            "parse_status": report.parse_status, "numbers_hash": numbers_hash(report)}


def read_by_ocr(report: Report) -> bool:
    """The extract stage's `ocr` finding marks a document read from page images."""
    return any(f.rule == rules.OCR.code for f in report.findings)


def documents_frame(docs: Iterable[DocumentInfo]) -> pl.DataFrame:
    return pl.DataFrame([vars(d) for d in docs], schema=SCHEMAS["documents"]).unique("document_id", keep="last")


def _int(v) -> Optional[int]:
    # A fractional count is flagged by validation (V-fraction) and cannot be stored as BIGINT.
    return None if v is None or not float(v).is_integer() else int(v)


def frames(items: Iterable[tuple[Report, DocumentInfo]], source_regions: Optional[dict[str, Optional[str]]] = None,
           now: Optional[datetime] = None) -> dict[str, pl.DataFrame]:
    """`source_regions`: source_id -> the source's adcode, the context for resolving the issuer's division;
    `now`: the batch's `loaded_at` (default: the current UTC time).

    Built column by column (lists per column, not a dict per row): at ~200 cells a report, the
    per-row dicts were most of the loader's Python time."""
    cols: dict[str, dict[str, list]] = {t: {c: [] for c in schema} for t, schema in SCHEMAS.items()}
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    docs, reports, copies = cols["documents"], cols["reports"], cols["report_documents"]
    active, outcomes, review = cols["active_disclosure"], cols["request_outcomes"], cols["review_litigation"]
    findings, sections, extra = cols["findings"], cols["report_sections"], cols["report_extra"]
    per_report = ((active, "item"), (outcomes, "row_key"), (review, "proceeding"), (findings, "document_id"),
                  (sections, "section"), (extra, "key"))
    n_applicants, n_outcomes = len(APPLICANTS), len(OUTCOMES)
    for report, doc in items:
        rid = report_id(report, doc.document_id)
        geo = resolve_division(report.issuer, (source_regions or {}).get(doc.source_id))
        for c, v in vars(doc).items():
            docs[c].append(v)
        for c, v in (("report_id", rid), ("document_id", doc.document_id), ("url", doc.url),
                     ("source_id", doc.source_id), ("issuer", report.issuer), ("year", report.year),
                     ("format_version", report.format_version), ("scope", report.scope),
                     ("parse_status", report.parse_status), ("adcode", geo.adcode), ("province", geo.province),
                     ("prefecture", geo.prefecture), ("county", geo.county), ("admin_level", geo.admin_level),
                     ("body_kind", geo.body_kind), ("n_findings", len(report.findings) + len(geo.findings)),
                     ("loaded_at", now), ("read_by_ocr", read_by_ocr(report))):
            reports[c].append(v)
        for c, v in copy_row(report, doc).items():
            copies[c].append(v)
        if report.active is not None:
            for item, metric, v in report.active.cells():
                active["item"].append(item)
                active["metric"].append(metric)
                active["value"].append(v)
        for key, vals in (report.requests or {}).items():
            if vals is None:
                continue  # a row the format does not have (2019: the three other_* rows)
            outcomes["row_key"] += [key] * n_applicants
            outcomes["applicant"] += APPLICANTS
            outcomes["value"] += [_int(v) for v in vals]
        for proc, vals in (report.review_litigation or {}).items():
            if vals is None:
                continue
            review["proceeding"] += [proc] * n_outcomes
            review["outcome"] += OUTCOMES
            review["value"] += [_int(v) for v in vals]
        for f in [*report.findings, *geo.findings]:
            for c, v in (("document_id", doc.document_id), ("url", doc.url), ("stage", f.stage), ("rule", f.rule),
                         ("severity", f.severity), ("detail", f.detail), ("cells", f.cells)):
                findings[c].append(v)
        for sec, text in report.sections.items():
            sections["section"].append(int(sec))
            sections["text"].append(text)
        for key, value in report.extra.items():
            extra["key"].append(key)
            extra["value"].append(json.dumps(value, ensure_ascii=False))
        # the report's id and its batch's time on every row it added to the per-cell tables
        for table, first in per_report:
            added = len(table[first]) - len(table["report_id"])
            table["report_id"] += [rid] * added
            table["loaded_at"] += [now] * added
    return {t: pl.DataFrame(cols[t], schema=SCHEMAS[t]) for t in SCHEMAS}
