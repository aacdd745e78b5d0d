"""Parsed records on disk (JSON Lines), the hand-over between the parse and load stages."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, Iterator

from pipelines.record import Report
from pipelines.warehouse.frames import DocumentInfo


def write_parsed(path: Path, items: Iterable[tuple[Report, DocumentInfo]]) -> int:
    """Write atomically (temp file + rename): a crash leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for report, doc in items:
            d = {"document": {**vars(doc), "fetched_at": doc.fetched_at.isoformat() if doc.fetched_at else None},
                 "report": report.to_json()}
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


def read_parsed(path: Path) -> Iterator[tuple[Report, DocumentInfo]]:
    from datetime import datetime

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            doc = d["document"]
            if doc.get("fetched_at"):
                doc["fetched_at"] = datetime.fromisoformat(doc["fetched_at"])
            yield Report.from_json(d["report"]), DocumentInfo(**doc)
