"""The source registry (data/sources.csv): one row per portal column.

Columns: source_id, name, start_urls (space-separated), adcode (6-digit or empty), admin_level,
reachable_here (true/false: whether this machine can reach it; only the bundled demo can),
url_origin (where the URL comes from: `domain.md`, the domain notes the project started from (not
shipped; docs/formats.md holds what it reads), `pattern …` built from a documented URL pattern, or `bundled`),
hints, notes, render (the browser fallback: never | auto | always; empty = never — see README, Crawl). `zfxxgk run` crawls the reachable sources unless told otherwise, so tests and CI
never touch the real portals.
"""
from __future__ import annotations

import csv
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from pipelines.crawl.run import RENDER_POLICIES, Source
from pipelines.settings import DEFAULTS, settings

REGISTRY = DEFAULTS.sources  # the bundled registry
DEMO_PLACEHOLDER = "{demo}"
DEMO_PORT = 18345  # a stable port keeps the demo's URLs (and so its conditional GETs) the same across runs


@dataclass
class RegistryEntry:
    source: Source
    reachable_here: bool
    url_origin: str
    hints: str
    notes: str

    @property
    def needs_demo(self) -> bool:
        return any(DEMO_PLACEHOLDER in u for u in self.source.start_urls)


def registry_path() -> Path:
    """data/sources.csv, or the file named by ZFXXGK_SOURCES."""
    return settings().sources


def load_registry(path: Optional[Path] = None) -> list[RegistryEntry]:
    path = Path(path or registry_path())
    out, seen = [], set()
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            sid = (row.get("source_id") or "").strip()
            urls = (row.get("start_urls") or "").split()
            if not sid or not urls:
                raise ValueError(f"{path}:{i}: a source needs a source_id and at least one start URL")
            if sid in seen:
                raise ValueError(f"{path}:{i}: duplicate source_id {sid!r}")
            seen.add(sid)
            adcode = (row.get("adcode") or "").strip() or None
            if adcode is not None and not (adcode.isdigit() and len(adcode) == 6):
                raise ValueError(f"{path}:{i}: adcode {adcode!r} is not 6 digits")
            reach = (row.get("reachable_here") or "").strip().lower()
            if reach not in ("true", "false"):
                raise ValueError(f"{path}:{i}: reachable_here must be true or false, not {reach!r}")
            render = (row.get("render") or "").strip().lower() or "never"
            if render not in RENDER_POLICIES:
                raise ValueError(f"{path}:{i}: render must be one of {', '.join(RENDER_POLICIES)}, not {render!r}")
            out.append(RegistryEntry(
                Source(sid, row.get("name") or sid, urls, adcode, (row.get("admin_level") or "").strip() or None,
                       render),
                reach == "true", row.get("url_origin") or "", row.get("hints") or "", row.get("notes") or ""))
    return out


def select(entries: list[RegistryEntry], ids: Optional[list[str]] = None,
           include_unreachable: bool = False) -> list[RegistryEntry]:
    """By id (explicit ids are taken as asked, reachable or not), else every reachable source
    (or every source with include_unreachable)."""
    if ids:
        by_id = {e.source.source_id: e for e in entries}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise KeyError(f"unknown source(s): {', '.join(unknown)} (see `zfxxgk sources`)")
        return [by_id[i] for i in ids]
    return [e for e in entries if e.reachable_here or include_unreachable]


@contextmanager
def resolved(entries: list[RegistryEntry], demo_faults=None) -> Iterator[list[Source]]:
    """The entries' Sources with {demo} replaced by a running demo portal's URL (started only if
    a selected source needs it, stopped on exit)."""
    from pipelines.crawl.demo_server import serve_demo_portal

    with ExitStack() as stack:
        base = None
        if any(e.needs_demo for e in entries):
            try:
                base = stack.enter_context(serve_demo_portal(faults=demo_faults, port=DEMO_PORT))
            except OSError:  # the port is taken: any free one
                base = stack.enter_context(serve_demo_portal(faults=demo_faults))
        out = []
        for e in entries:
            s = e.source
            urls = [u.replace(DEMO_PLACEHOLDER, str(base)) for u in s.start_urls] if e.needs_demo else s.start_urls
            out.append(Source(s.source_id, s.name, urls, s.adcode, s.admin_level, s.render))
        yield out
