"""From a portal's home page (or its 政府信息公开 page) to its 年报 column(s): `zfxxgk discover`.

The home page's links to the 政府信息公开 section are followed (by link text and URL pattern),
then the links that name a 年报 / 年度报告 column; a column page that only lists sub-columns
(one per department or unit) is replaced by those sub-columns. Every page is fetched by the
crawler's fetcher (robots.txt, host scope, pacing). Nothing is written unless `--add`.
"""
from __future__ import annotations

import csv
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from pipelines.crawl.discover import (_NOT_REPORT, _YEAR, _anchor_title, _clean_url, discover_list, is_attachment,
                                      page_text)
from pipelines.crawl.http import OK, FetchConfig, Fetcher, HostScope
from pipelines.settings import DEFAULTS

# a 年报 column by its link text (no year: a year in the text is a report or a year sub-column)
_COLUMN_TEXT = re.compile(r"(?:信息公开|政务公开)(?:工作)?(?:年度报告|年报)|公开年报|^年度报告$|^年报$|年度报告$")
_COLUMN_PATH = re.compile(r"/(?:zfxxgk|xxgk|gk)?(?:nb|gknb|ndbg|nianbao|gzndbg|ndbgs?)(?:\d{4}n?)?(?:/|_|\.|$)", re.I)
# the 政府信息公开 section (a hub to look into), by link text or URL path
_HUB_TEXT = re.compile(r"^(?:政府)?信息公开$|^政务公开$|政府信息公开(?:目录|平台|专栏|网)?$|^信息公开目录$")
_HUB_PATH = re.compile(r"/(?:zfxxgk|xxgk|zwgk|gk|govinfo|zfxxgkpt)(?:/|_|\.|$)", re.I)
_NOT_COLUMN = re.compile(r"指南|制度|目录$|依申请|申请表|规定|办法|通知|解读")


@dataclass
class Column:
    url: str
    name: str
    evidence: str                     # why it was taken: the link text, the URL pattern, the parent
    reports_seen: int = 0             # report links on its first page
    declared: Optional[int] = None    # records its pager declares
    entries: int = 0                  # entries its first page links
    script_built: bool = False        # a script pager or an empty list container with a data URL
    subcolumns: list[str] = field(default_factory=list)

    @property
    def render(self) -> str:
        """The registry's render policy it needs: auto when its list is built or completed by script."""
        short = self.declared is not None and self.entries < self.declared
        return "auto" if (self.script_built or short) else "never"


@dataclass
class Discovery:
    start_url: str
    columns: list[Column] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"discover {self.start_url}: {len(self.visited)} pages read, {len(self.columns)} 年报 column(s)"]
        for c in self.columns:
            size = (f"{c.reports_seen} report links on its first page"
                    + (f", {c.declared} records declared" if c.declared is not None else "")
                    + ("; list built by script" if c.script_built else ""))
            lines.append(f"  {c.url}\n      {c.name} — {size}; render: {c.render}\n      found by {c.evidence}")
            for s in c.subcolumns:
                lines.append(f"      sub-column (crawled with it): {s}")
        for p in self.problems:
            lines.append(f"  [warning] {p}")
        return "\n".join(lines)


def _title(soup: BeautifulSoup) -> str:
    t = soup.title.get_text(" ", strip=True) if soup.title else ""
    return " ".join(t.split())


def _links(soup: BeautifulSoup, base: str) -> list[tuple[str, str]]:
    out, seen = [], set()
    for a in soup.find_all("a", href=True):
        url = _clean_url(a["href"], base)
        if url and url not in seen and not is_attachment(url):
            seen.add(url)
            out.append((url, re.sub(r"\s+", "", _anchor_title(a))))
    return out


def is_column_link(text: str, url: str) -> Optional[str]:
    """Why a link looks like a 年报 column (None if it does not)."""
    if _YEAR.search(text) or _NOT_REPORT.search(text) or _NOT_COLUMN.search(text):
        return None
    if _COLUMN_TEXT.search(text):
        return f"link text 「{text}」"
    path = urlsplit(url).path
    if _COLUMN_PATH.search(path) and not re.search(r"t\d{8}_\d+", path):
        return f"URL pattern {path}"
    return None


def is_hub_link(text: str, url: str) -> bool:
    if _NOT_COLUMN.search(text) or _YEAR.search(text):
        return False
    return bool(_HUB_TEXT.search(text)) or (not text and bool(_HUB_PATH.search(urlsplit(url).path)))


def discover_portal(url: str, interval: float = DEFAULTS.min_interval, max_pages: int = 30,
                    timeout: float = DEFAULTS.read_timeout) -> Discovery:
    fetcher = Fetcher(FetchConfig(min_interval=interval, read_timeout=timeout, retries=1), HostScope([url]))
    out = Discovery(url)

    def get(u: str) -> Optional[BeautifulSoup]:
        if u in out.visited or len(out.visited) >= max_pages:
            return None
        out.visited.append(u)
        res = fetcher.fetch(u)
        if res.outcome != OK or res.content is None:
            out.problems.append(f"{u}: {res.outcome} {res.error or ''}".strip())
            return None
        return BeautifulSoup(page_text(res.content, res.charset), "lxml")

    start = get(url)
    if start is None:
        return out
    # the start page and the 政府信息公开 pages it links: where columns are linked from
    hubs = [(url, start)]
    for link, text in _links(start, url):
        if is_hub_link(text, link) and link != url and fetcher.scope.allows(link):
            soup = get(link)
            if soup is not None:
                hubs.append((link, soup))
    candidates: list[tuple[str, str, str]] = []  # url, link text, evidence
    for hub_url, soup in hubs:
        for link, text in _links(soup, hub_url):
            why = is_column_link(text, link)
            if why and not fetcher.scope.allows(link):
                note = f"a column on another site, not followed (run discover on it): {link} ({why} on {hub_url})"
                if note not in out.problems:
                    out.problems.append(note)
            elif why and all(link != c[0] for c in candidates):
                candidates.append((link, text, f"{why} on {hub_url}"))
    seen: set[str] = set()
    while candidates:
        link, text, why = candidates.pop(0)
        if link in seen:
            continue
        seen.add(link)
        soup = get(link)
        if soup is None:
            continue
        html = str(soup)
        page = discover_list(html, link, link)
        title = _title(soup)
        script_built = page.script_pager or bool(page.data_urls)
        if page.reports or page.declared or script_built:
            name = title if re.search(r"年报|年度报告", title) else f"{text} {title}".strip()
            out.columns.append(Column(link, name, why, len(page.reports), page.declared, len(page.entries),
                                      script_built, page.subcolumns))
            continue
        # a page of sub-columns (one per department or unit): each is a column of its own
        subs = {u: t for u, t in _links(soup, link) if u in page.subcolumns}
        for sub in page.subcolumns:
            candidates.append((sub, subs.get(sub, ""), f"sub-column 「{subs.get(sub, '')}」 of {link} ({why})"))
    return out


# ---------------------------------------------------------------- the registry


def source_id_for(url: str, taken: set[str]) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    label = host.removesuffix(".gov.cn").removeprefix("www.").replace(".", "-") or "portal"
    dirs = [d for d in posixpath.dirname(parts.path).split("/") if d]
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join([label, *dirs[-3:]])).strip("-")[:60]
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def add_to_registry(columns: list[Column], path: Path, origin: str) -> list[str]:
    """Append the columns not yet in the registry (by start URL); returns the new source ids."""
    from pipelines.crawl.registry import load_registry

    entries = load_registry(path)
    taken = {e.source.source_id for e in entries}
    known = {u for e in entries for u in e.source.start_urls}
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    text = path.read_text(encoding="utf-8")
    added, rows = [], []
    for c in columns:
        if c.url in known:
            continue
        sid = source_id_for(c.url, taken)
        taken.add(sid)
        known.add(c.url)
        row = {"source_id": sid, "name": c.name, "start_urls": c.url, "adcode": "", "admin_level": "",
               "reachable_here": "true", "url_origin": f"discover {origin}", "hints": "",
               "notes": f"found by {c.evidence}", "render": c.render}
        rows.append([row.get(h, "") for h in header])
        added.append(sid)
    if rows:
        with path.open("a", encoding="utf-8", newline="") as fh:
            if text and not text.endswith("\n"):
                fh.write("\n")
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return added
