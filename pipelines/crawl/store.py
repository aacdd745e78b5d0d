"""What a crawl keeps on disk, outside DuckDB (so crawling never needs the warehouse's writer lock).

- raw bytes, content-addressed: <data>/raw/ab/abcdef… (sha256); written before anything points at them;
- the crawl state: <data>/crawl/state.jsonl, one JSON line per URL update (append + fsync, so a
  crash or Ctrl-C loses at most the line being written; a torn last line is ignored on reading),
  compacted atomically (temp file + rename) at the end of each run;
- per run: <data>/crawl/runs/<run_id>.fetch_log.jsonl (every fetch) and <run_id>.summary.json;
- per source: <data>/crawl/sources/<source_id>.json, the last crawl result (`zfxxgk sources`).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class RawStore:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "raw"

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def put(self, data: bytes) -> tuple[str, Path]:
        sha = hashlib.sha256(data).hexdigest()
        path = self.path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return sha, path

    def get(self, sha: str) -> Optional[bytes]:
        path = self.path(sha)
        return path.read_bytes() if path.exists() else None


class CrawlState:
    """URL -> what we know of it (validators, content hash, whether that content is loaded).

    Several crawls may share one data directory (Dagster runs of different sources in
    parallel): every append and every compaction holds an exclusive lock on state.lock, and a
    compaction re-reads the file, so no process loses another's lines.
    """

    def __init__(self, data_dir: Path):
        self.dir = Path(data_dir) / "crawl"
        self.path = self.dir / "state.jsonl"
        self.entries: dict[str, dict[str, Any]] = self._read()
        self._lock = threading.Lock()
        self._loaded = {e["loaded_sha"] for e in self.entries.values() if e.get("loaded_sha")}

    def _read(self) -> dict[str, dict[str, Any]]:
        entries: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    d = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line torn by a crash
                entries.setdefault(d["url"], {}).update(d)
        return entries

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / "state.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def get(self, url: str) -> dict[str, Any]:
        return self.entries.get(url, {})

    def update(self, url: str, **fields: Any) -> None:
        with self._lock:
            entry = self.entries.setdefault(url, {"url": url})
            entry.update(fields)
            if fields.get("loaded_sha"):
                self._loaded.add(fields["loaded_sha"])
            with self._file_lock(), self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"url": url, **fields}, ensure_ascii=False, default=str) + "\n")
                fh.flush()
                os.fsync(fh.fileno())

    def loaded(self, sha: Optional[str]) -> bool:
        return sha is not None and sha in self._loaded

    def compact(self) -> None:
        """Rewrite as one line per URL (atomic), from the file as it is now."""
        with self._lock, self._file_lock():
            self.entries = self._read()
            atomic_write(self.path, "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n"
                                            for e in self.entries.values()))

    def close(self) -> None:
        """Nothing to release: every update opens and closes the file under the lock."""


class RunLog:
    """The fetch log of one run, appended as it happens."""

    def __init__(self, data_dir: Path, run_id: str):
        self.dir = Path(data_dir) / "crawl" / "runs"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / f"{run_id}.fetch_log.jsonl"
        self._lock = threading.Lock()
        self._fh = self.path.open("a", encoding="utf-8")

    def write(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            self._fh.flush()

    def close(self) -> None:
        with self._lock:
            self._fh.close()


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue


def write_source_result(data_dir: Path, source_id: str, result: dict[str, Any]) -> None:
    atomic_write(Path(data_dir) / "crawl" / "sources" / f"{_safe(source_id)}.json",
                 json.dumps(result, ensure_ascii=False, indent=1, default=str))


def read_source_result(data_dir: Path, source_id: str) -> Optional[dict[str, Any]]:
    path = Path(data_dir) / "crawl" / "sources" / f"{_safe(source_id)}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
