"""Local report files as documents: the embedded samples, or files a user points at."""
from __future__ import annotations

import hashlib
import mimetypes
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from pipelines.warehouse.frames import DocumentInfo

READABLE_SUFFIXES = {".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".doc", ".docx", ".wps",
                     ".xls", ".xlsx", ".rtf"}


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and the readable files inside directories (sorted, recursive)."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in READABLE_SUFFIXES)
        else:
            yield p


def local_document(path: Path, data: bytes, source_id: str = "local") -> DocumentInfo:
    stat = path.stat()
    return DocumentInfo(
        document_id=hashlib.sha256(data).hexdigest(),
        url=path.resolve().as_uri(),
        source_id=source_id,
        fetched_at=datetime.fromtimestamp(stat.st_mtime, timezone.utc).replace(tzinfo=None),
        http_status=None,
        content_type=mimetypes.guess_type(path.name)[0],
        bytes=len(data),
        storage_path=str(path.resolve()),
    )
