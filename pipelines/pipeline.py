"""The stages chained without Dagster, for `zfxxgk load` on local files."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pipelines import warehouse
from pipelines.crawl.local import expand_paths, local_document
from pipelines.parse import parse_document
from pipelines.warehouse import models


def load_local(paths: Iterable[Path], db: Path | None = None) -> warehouse.LoadResult:
    items = []
    for path in expand_paths(paths):
        data = path.read_bytes()
        doc = local_document(path, data)
        items.append((parse_document(data, path.name, source=doc.url), doc))
    with warehouse.connect(db) as conn:
        result = warehouse.load_reports(conn, items)
        models.build_all(conn)
        warehouse.publish(conn, db)
    return result
