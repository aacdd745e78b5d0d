"""A document's bytes -> its canonical record: the extract stage picks the reader, the parser
reads the rows. Above both, so the parser never imports the extractors."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from pipelines import rules
from pipelines.extract import ExtractError, extract
from pipelines.parse import parse_rows
from pipelines.record import Report

log = logging.getLogger(__name__)


def parse_document(data: bytes, name: str, source: Optional[str] = None) -> Report:
    """Raw bytes of any supported document -> report (the extract stage picks the reader)."""
    source = source or name
    try:
        doc = extract(data, name)
    except ExtractError as e:
        log.debug("%s: not read (%s, %s): %s", source, e.status, e.rule, e)
        report = Report(source=source, parse_status=e.status)
        report.add(rules.get(e.rule), str(e), severity="error")
        return report
    report = parse_rows(doc.rows, source=source, title_hint=doc.title)
    report.findings = doc.findings + report.findings
    return report


def parse_path(path: Path) -> Report:
    return parse_document(path.read_bytes(), path.name, source=str(path))
