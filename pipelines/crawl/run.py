"""The crawler, as plain functions (no Dagster): `crawl(sources_or_urls, data_dir, config)` fetches
the columns' list pages, report pages and attachments and stores them (raw bytes by hash, the
crawl state, the fetch log); it never parses and never opens DuckDB. Parsing and loading what it
found: `pipelines.pipeline.crawled`.
"""
from __future__ import annotations

import logging
import posixpath
import secrets
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Optional, TextIO
from urllib.parse import urlsplit

from pipelines import rules
from pipelines.crawl import browser
from pipelines.crawl.discover import (Link, column_prefix, discover_list, hanweb_record_urls, hanweb_records,
                                      is_attachment, is_js_shell, page_text, parse_detail)
from pipelines.crawl.http import NOT_MODIFIED, OK, FetchConfig, Fetcher, FetchResult, HostScope
from pipelines.crawl.listapi import find_list_apis, read_api_page
from pipelines.crawl.progress import Progress
from pipelines.crawl.store import CrawlState, RawStore, RunLog
from pipelines.settings import DEFAULTS

log = logging.getLogger(__name__)


@dataclass
class CrawlConfig(FetchConfig):
    max_pages_per_column: int = DEFAULTS.max_pages_per_column  # list pages per start URL (settings)
    max_subcolumn_depth: int = 2      # 2023n/ then 2023n/szfzcbm/
    host_workers: int = DEFAULTS.host_workers  # hosts crawled in parallel (settings)
    force_reparse: bool = False       # parse documents again even if their bytes were loaded before
    progress: bool = True             # progress lines on stderr
    render: str = "never"             # bare start URLs (not registry sources): never | auto | always
    render_timeout: float = 30.0      # seconds for the browser to load a list page or show the next one
    max_render_states: int = 20       # list states (first page + 下一页 clicks) rendered per list


RENDER_POLICIES = ("never", "auto", "always")


@dataclass
class Source:
    source_id: str
    name: str
    start_urls: list[str]
    adcode: Optional[str] = None
    admin_level: Optional[str] = None
    # the browser fallback: never; auto = only for a list still incomplete after its static pages
    # and any recognised list API; always = every list rendered (no API replay)
    render: str = "never"


def adhoc_source(url: str, render: str = "never") -> Source:
    parts = urlsplit(url)
    return Source(source_id=f"url:{parts.netloc}{column_prefix(url)}", name=url, start_urls=[url], render=render)


@dataclass
class ListGroup:
    """The pages of one list (a directory's index.html, index_1.html … or ?page=N, and what its
    APIs or the browser add): what it declares against what it links."""

    first_url: str
    declared: Optional[int] = None
    entries: set = field(default_factory=set)
    script_pager: bool = False
    data_urls: list = field(default_factory=list)
    html: Optional[str] = None         # the first page's HTML (its script holds the API parameters)
    api_total: Optional[int] = None
    recovered_by: list = field(default_factory=list)  # "api:trs", "browser" …

    @property
    def expected(self) -> Optional[int]:
        return self.declared if self.declared is not None else self.api_total

    def incomplete(self) -> bool:
        exp = self.expected
        if exp is not None:
            return len(self.entries) < exp
        # no count: a script pager or an empty container promises more than nothing found
        return (self.script_pager or bool(self.data_urls)) and not self.recovered_by


def _group_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.lower() + posixpath.dirname(parts.path or "/")


@dataclass
class CrawledDoc:
    url: str
    kind: str  # detail | attachment
    source_id: str
    sha256: str
    storage_path: str
    content_type: Optional[str]
    http_status: Optional[int]
    fetched_at: datetime
    size: int
    changed: bool
    title: Optional[str] = None          # the page's title (an attachment: the page that links it)
    page_url: Optional[str] = None        # the list or detail page that linked it
    charset: Optional[str] = None         # the charset the HTTP response declared
    attachments: list[str] = field(default_factory=list)  # detail pages: attachment URLs


def article_page(doc: CrawledDoc, page: bytes) -> bytes:
    """A detail page's article alone, as the small UTF-8 page the extract stage reads (menus and
    footers left out, the title as its ArticleTitle meta), from the page's stored bytes: a crawl
    keeps no page in memory."""
    detail = parse_detail(page_text(page, doc.charset), doc.url)
    detail.title = doc.title
    return detail.document_html()


@dataclass
class CrawlResult:
    run_id: str
    data_dir: Path
    sources: list[Source]
    docs: list[CrawledDoc] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)   # url, outcome, status, error, document_id
    cap_hits: list[dict] = field(default_factory=list)
    attempted_urls: set[str] = field(default_factory=set)
    list_pages: int = 0
    not_modified: int = 0
    downloaded: int = 0
    requests_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    per_source: dict = field(default_factory=dict)
    api_pages: int = 0                 # list pages read from a list API
    api_seconds: float = 0.0           # reading them (the reports they link not included)
    rendered_states: int = 0           # list states rendered in the browser
    render_seconds: float = 0.0
    render_launch_seconds: float = 0.0  # of render_seconds: starting the browser
    render_launches: int = 0           # browsers started (one per crawl thread that renders)
    list_incomplete: list = field(default_factory=list)  # source_id, url, declared, linked

    @property
    def errors(self) -> list[dict]:
        return crawl_errors(self.failures)


def crawl_errors(failures: Iterable[dict]) -> list[dict]:
    """The crawl's errors: its failures of severity error. A robots.txt refusal, a page cap or a list
    left short is a warning, not an error. The one definition behind every `errors` figure: the crawl
    summary, crawl_runs.errors, each source's result and the Dagster asset's metadata."""
    return [f for f in failures if f["severity"] == "error"]


class Interrupted(Exception):
    pass


class _Crawler:
    def __init__(self, sources: list[Source], data_dir: Path, config: CrawlConfig, run_id: str,
                 stop: threading.Event, progress: Progress):
        self.config = config
        self.data_dir = Path(data_dir)
        self.raw = RawStore(self.data_dir)
        self.state = CrawlState(self.data_dir)
        self.log = RunLog(self.data_dir, run_id)
        self.run_id = run_id
        self.stop = stop
        self.progress = progress
        all_urls = [u for s in sources for u in s.start_urls]
        self.fetcher = Fetcher(config, HostScope(all_urls, config.extra_hosts))
        self.fetcher.on_robots = lambda res: self._log(res, "robots", None, None)
        self.result = CrawlResult(run_id=run_id, data_dir=self.data_dir, sources=sources)
        self.lock = threading.Lock()
        self.claimed: set[str] = set()
        self._browsers = threading.local()  # one browser per crawl thread, started when first needed

    # -- bookkeeping
    def _log(self, res: FetchResult, kind: str, source_id: Optional[str], sha: Optional[str]) -> None:
        self.log.write({"run_id": self.run_id, "source_id": source_id, "url": res.url, "final_url": res.final_url,
                        "method": res.method, "kind": kind, "http_status": res.status, "outcome": res.outcome,
                        "etag": res.etag, "last_modified": res.last_modified, "document_id": sha,
                        "bytes": len(res.content) if res.content is not None and res.outcome == OK else 0,
                        "error": res.error, "attempts": res.attempts, "elapsed_ms": int(res.elapsed * 1000),
                        "fetched_at": res.fetched_at.isoformat()})

    def _fail(self, source_id: str, url: str, outcome: str, status: Optional[int], error: str,
              sha: Optional[str] = None) -> None:
        failure = {"source_id": source_id, "url": url, "outcome": outcome, "http_status": status, "error": error,
                   "document_id": sha, "severity": rules.for_fetch_outcome(outcome).severity}
        with self.lock:
            self.result.failures.append(failure)
        self.progress.add("errors", len(crawl_errors([failure])))
        log.debug("%s: %s %s: %s", source_id, outcome, url, error)

    def claim(self, url: str) -> bool:
        with self.lock:
            if url in self.claimed:
                return False
            self.claimed.add(url)
            return True

    def get(self, url: str, kind: str, source: Source, method: str = "GET", form: Optional[dict | bytes] = None,
            content_type: Optional[str] = None, record_failure: bool = True
            ) -> tuple[FetchResult, Optional[str], Optional[bytes], bool]:
        """Fetch with the validators of the last copy; (result, sha256, bytes, changed).
        `record_failure=False`: a failure is logged but is no finding (a browser's subrequest)."""
        if self.stop.is_set():
            raise Interrupted()
        host = urlsplit(url).netloc.lower()
        prev = self.state.get(url) if method == "GET" else {}
        have = prev.get("sha256") and self.raw.path(prev["sha256"]).exists()
        res = self.fetcher.fetch(url, method, form, etag=prev.get("etag") if have else None,
                                 last_modified=prev.get("last_modified") if have else None,
                                 content_type=content_type)
        self.progress.queued(host, -1, max(self.fetcher.interval(host), res.elapsed))
        with self.lock:
            self.result.attempted_urls.add(url)
        sha, data, changed = None, None, False
        if res.content is not None and res.outcome in (OK, "blocked"):
            sha, _ = self.raw.put(res.content)
        if res.outcome == OK:
            data, changed = res.content, sha != prev.get("sha256")
            if method == "GET":
                self.state.update(url, kind=kind, source_id=source.source_id, etag=res.etag,
                                  last_modified=res.last_modified, sha256=sha, content_type=res.content_type,
                                  http_status=res.status, final_url=res.final_url,
                                  fetched_at=res.fetched_at.isoformat(), error=None)
            with self.lock:
                self.result.downloaded += 1
        elif res.outcome == NOT_MODIFIED:
            sha = prev["sha256"]
            data = self.raw.get(sha)
            # a 304 carries no Content-Type: the stored copy's (and its charset) still describe the bytes
            res.content_type = res.content_type or prev.get("content_type")
            self.state.update(url, checked_at=res.fetched_at.isoformat(), error=None)
            with self.lock:
                self.result.not_modified += 1
        else:
            if method == "GET":
                self.state.update(url, error=f"{res.outcome}: {res.error}", checked_at=res.fetched_at.isoformat())
            if record_failure:
                self._fail(source.source_id, url, res.outcome, res.status, res.error or res.outcome, sha)
        self._log(res, kind, source.source_id, sha)
        return res, sha, data, changed

    def _html(self, res: FetchResult, data: bytes, source: Source, sha: str) -> Optional[str]:
        text = page_text(data, res.charset)
        if is_js_shell(text):
            self._fail(source.source_id, res.url, "blocked", res.status,
                       "JS-only page (a script challenge or a script-rendered shell): not worked around", sha)
            return None
        return text

    # -- columns
    def crawl_column(self, source: Source, start_url: str) -> None:
        cfg = self.config
        host = urlsplit(start_url).netloc.lower()
        queue = deque([(start_url, 0)])
        seen = {start_url}
        self.progress.queued(host, 1, cfg.min_interval)
        pages = 0
        groups: dict[str, ListGroup] = {}
        html_of: dict[str, str] = {}  # list pages of this column as fetched (the browser is served these)

        def enqueue(url: str, depth: int) -> None:
            if url not in seen:
                seen.add(url)
                queue.append((url, depth))
                self.progress.queued(host, 1, cfg.min_interval)

        while queue:
            if pages >= cfg.max_pages_per_column:
                with self.lock:
                    self.result.cap_hits.append({"source_id": source.source_id, "start_url": start_url,
                                                 "cap": cfg.max_pages_per_column, "left": len(queue)})
                self._fail(source.source_id, start_url, "page_cap", None,
                           f"page cap of {cfg.max_pages_per_column} list pages reached; {len(queue)} pages "
                           "not crawled")
                self.progress.queued(host, -len(queue), cfg.min_interval)
                break
            url, depth = queue.popleft()
            pages += 1
            res, sha, data, _ = self.get(url, "list", source)
            self._count_page(source)
            if data is None:
                continue
            text = self._html(res, data, source, sha)
            if text is None:
                continue
            page = discover_list(text, res.final_url or url, start_url)
            html_of[url] = text
            group = groups.setdefault(_group_key(res.final_url or url), ListGroup(url, html=text))
            group.entries.update(page.entries)
            if page.declared is not None:
                group.declared = max(group.declared or 0, page.declared)
            group.script_pager |= page.script_pager
            group.data_urls += [u for u in page.data_urls if u not in group.data_urls]
            for p in page.pages:
                enqueue(p, depth)
            if depth < cfg.max_subcolumn_depth:
                for s in page.subcolumns:
                    enqueue(s, depth + 1)
            links = list(page.reports)
            if page.hanweb is not None:
                for purl, form in page.hanweb.requests(max(0, cfg.max_pages_per_column - pages)):
                    pages += 1
                    r, psha, pdata, _ = self.get(purl, "list", source, method="POST", form=form)
                    self._count_page(source)
                    if pdata is not None:
                        ptext = page_text(pdata, r.charset)
                        links += hanweb_records(ptext, url)
                        group.entries.update(hanweb_record_urls(ptext, url))
            self._follow(source, links, url)
        pages = self._complete_lists(source, start_url, groups, html_of, pages)

    def _follow(self, source: Source, links: list[Link], parent: str) -> None:
        for link in links:
            if self.claim(link.url):
                self.progress.add("report_links")
                self.progress.queued(urlsplit(link.url).netloc.lower(), 1, self.config.min_interval)
                self.report(source, link.url, link.title, parent)

    # -- lists built by script
    def _complete_lists(self, source: Source, start_url: str, groups: dict[str, ListGroup],
                        html_of: dict[str, str], pages: int) -> int:
        """Lists that declare more than they link: their API replayed, else (render: auto) the page
        rendered; what stays short is a C-list-incomplete finding with both numbers."""
        policy = source.render if source.render in RENDER_POLICIES else "never"
        for group in groups.values():
            if policy == "always" or group.incomplete():
                if policy != "always":
                    pages = self._replay_apis(source, start_url, group, pages)
                if policy == "always" or (policy == "auto" and group.incomplete()):
                    self._render(source, start_url, group, html_of)
            if group.incomplete():
                self._list_incomplete(source, group, policy)
        return pages

    def _replay_apis(self, source: Source, start_url: str, group: ListGroup, pages: int) -> int:
        cap = self.config.max_pages_per_column
        for api in find_list_apis(group.html or "", group.first_url, group.data_urls):
            page_no, idle = api.first_page, 0
            while pages < cap:
                url, method, body, body_type = api.request(page_no)
                pages += 1
                t0 = time.monotonic()
                res, _, data, _ = self.get(url, "list", source, method=method, form=body, content_type=body_type)
                self._count_page(source)
                with self.lock:
                    self.result.api_pages += 1
                    self.result.api_seconds += time.monotonic() - t0
                if data is None:
                    break
                got = read_api_page(page_text(data, res.charset), group.first_url)
                if got.total is not None:
                    group.api_total = got.total
                new = [u for u in got.entries if u not in group.entries]
                group.entries.update(got.entries)
                if got.entries and f"api:{api.family}" not in group.recovered_by:
                    group.recovered_by.append(f"api:{api.family}")
                self._follow(source, got.links, group.first_url)
                last = api.last_page(got.total or group.expected)
                idle = idle + 1 if not new else 0
                if (not got.entries or api.page_key is None or (last is not None and page_no >= last)
                        or idle >= 2 or (group.expected is not None and len(group.entries) >= group.expected)):
                    break
                page_no += 1
            if not group.incomplete():
                break
        return pages

    def _render(self, source: Source, start_url: str, group: ListGroup, html_of: dict[str, str]) -> None:
        why = browser.unavailable()
        if why:
            self._fail(source.source_id, group.first_url, "render_unavailable", None,
                       f"the list needs the browser fallback (render: {source.render}) but {why}")
            return
        session = getattr(self._browsers, "session", None)
        if session is None:
            session = self._browsers.session = browser.BrowserSession(timeout=self.config.render_timeout)
        rendered = session.render_list(group.first_url, _BrowserGate(self, source, html_of),
                                       max_states=self.config.max_render_states)
        with self.lock:
            self.result.rendered_states += len(rendered.states)
            self.result.render_seconds += rendered.seconds
            self.result.render_launch_seconds += rendered.launch_seconds
            self.result.render_launches += rendered.launch_seconds > 0
        if rendered.error and not rendered.states:
            self._fail(source.source_id, group.first_url, "render_failed", None, rendered.error)
            return
        links: list[Link] = []
        for html in rendered.states:
            page = discover_list(html, group.first_url, start_url)
            group.entries.update(page.entries)
            links += page.reports
        if rendered.states and "browser" not in group.recovered_by:
            group.recovered_by.append("browser")
        self._follow(source, links, group.first_url)

    def _list_incomplete(self, source: Source, group: ListGroup, policy: str) -> None:
        exp = group.expected
        linked = len(group.entries)
        tried = ", ".join(group.recovered_by) or "no list API recognised" + (
            "" if policy != "never" else "; render: never")
        what = (f"the list declares {exp} records but links {linked}" if exp is not None else
                f"the list is built by script ({'a 下一页 script call' if group.script_pager else 'an empty container with a data URL'}) "
                f"and links {linked}")
        with self.lock:
            self.result.list_incomplete.append({"source_id": source.source_id, "url": group.first_url,
                                                "declared": exp, "linked": linked})
        self._fail(source.source_id, group.first_url, "list_incomplete", None,
                   f"{what} ({tried}): reports behind it are not crawled")

    def _count_page(self, source: Source) -> None:
        with self.lock:
            self.result.list_pages += 1
            self.result.per_source[source.source_id]["pages"] += 1
        self.progress.add("pages")

    def _doc(self, res: FetchResult, sha: str, kind: str, source: Source, changed: bool, **kw) -> CrawledDoc:
        doc = CrawledDoc(url=res.final_url or res.url, kind=kind, source_id=source.source_id, sha256=sha,
                         storage_path=str(self.raw.path(sha)), content_type=res.content_type,
                         http_status=200, fetched_at=res.fetched_at,
                         size=self.raw.path(sha).stat().st_size, changed=changed, charset=res.charset, **kw)
        with self.lock:
            self.result.docs.append(doc)
            self.result.per_source[source.source_id]["documents"] += 1
        self.progress.add("documents")
        self.progress.add("new" if changed else "unchanged")
        return doc

    def report(self, source: Source, url: str, title: str, parent: str) -> None:
        if is_attachment(url):
            self.attachment(source, url, title, parent)
            return
        res, sha, data, changed = self.get(url, "detail", source)
        if data is None:
            return
        text = self._html(res, data, source, sha)
        if text is None:
            return
        detail = parse_detail(text, res.final_url or url)
        detail.title = detail.title or title
        doc = self._doc(res, sha, "detail", source, changed, title=detail.title, page_url=parent)
        for att in detail.attachments:
            if self.claim(att.url):
                self.progress.queued(urlsplit(att.url).netloc.lower(), 1, self.config.min_interval)
                if self.attachment(source, att.url, detail.title, url):
                    doc.attachments.append(att.url)

    def attachment(self, source: Source, url: str, title: Optional[str], page_url: str) -> bool:
        res, sha, data, changed = self.get(url, "attachment", source)
        if data is None:
            return False
        self._doc(res, sha, "attachment", source, changed, title=title, page_url=page_url)
        return True

    def crawl_host(self, columns: list[tuple[Source, str]]) -> None:
        try:
            for source, url in columns:
                self.crawl_column(source, url)
        finally:
            session = getattr(self._browsers, "session", None)
            if session is not None:  # closed by the thread that started it
                session.close()
                self._browsers.session = None


class _BrowserGate:
    """The browser's requests through the crawler: list pages of this run from memory, the rest
    through the fetcher (scope, robots, pacing, size caps, conditional GETs), each in the fetch
    log as kind `render`; refusals are logged, not findings (the list's completeness is judged)."""

    def __init__(self, crawler: "_Crawler", source: Source, html_of: dict[str, str]):
        self.crawler, self.source, self.html_of = crawler, source, html_of
        self.user_agent = crawler.config.user_agent

    def fetch(self, url: str, method: str, body: Optional[bytes], content_type: Optional[str]):
        if method == "GET" and url in self.html_of:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self.html_of[url].encode("utf-8")
        res, _, data, _ = self.crawler.get(url, "render", self.source, method=method, form=body,
                                           content_type=content_type, record_failure=False)
        if data is None:
            if res.status is None or res.content is None:
                return None
            data = res.content
        headers = {"Content-Type": res.content_type or "application/octet-stream"}
        return (200 if res.outcome == NOT_MODIFIED else res.status or 200), headers, data

    def skipped(self, url: str, method: str, why: str) -> None:
        self.crawler._log(FetchResult(url=url, method=method, outcome="skipped", error=why, attempts=0),
                          "render", self.source.source_id, None)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def crawl(sources: Iterable[Source | str], data_dir: Path, config: Optional[CrawlConfig] = None,
          progress_stream: Optional[TextIO] = None, stop: Optional[threading.Event] = None) -> CrawlResult:
    """Fetch the columns of `sources` (Source objects or bare start URLs) into `data_dir`.

    Hosts are crawled in parallel, each host one request at a time. Ctrl-C (or `stop`) ends the
    crawl after the requests in flight; everything fetched is on disk and the next run resumes.
    """
    config = config or CrawlConfig()
    srcs = [s if isinstance(s, Source) else adhoc_source(s, config.render) for s in sources]
    run_id = new_run_id()
    stop = stop or threading.Event()
    progress = Progress(config.progress, progress_stream)
    c = _Crawler(srcs, Path(data_dir), config, run_id, stop, progress)
    for s in srcs:
        c.result.per_source[s.source_id] = defaultdict(int)
    by_host: dict[str, list[tuple[Source, str]]] = defaultdict(list)
    for s in srcs:
        for u in s.start_urls:
            by_host[urlsplit(u).netloc.lower()].append((s, u))
    t0 = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=max(1, min(config.host_workers, len(by_host) or 1)))
    futures = [pool.submit(c.crawl_host, cols) for cols in by_host.values()]
    try:
        for f in futures:
            try:
                f.result()
            except Interrupted:
                c.result.interrupted = True
    except KeyboardInterrupt:
        stop.set()
        c.result.interrupted = True
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        c.result.seconds = time.monotonic() - t0
        c.result.requests_sent = c.fetcher.requests_sent
        c.result.bytes_received = c.fetcher.bytes_received
        c.state.compact()
        c.log.close()
        progress.show(force=True)
        progress.done()
    r = c.result
    log.info("crawl %s%s: %d list pages, %d documents (%d downloaded, %d not modified), %d failures (%d errors)",
             r.run_id, " (interrupted)" if r.interrupted else "", r.list_pages, len(r.docs), r.downloaded,
             r.not_modified, len(r.failures), len(r.errors))
    return r
