"""A crawl's documents parsed and loaded, without Dagster (the CLI's `crawl`/`run` and the Dagster
assets call these; the crawler itself, `pipelines.crawl.run`, never parses and never opens DuckDB).

- `parse_crawl(result)` parses the documents that are new or changed since they were last loaded,
  in batches through the loader's worker processes, and spools each batch to a file under the
  data directory (`crawl/parsed/<run id>/`): neither the parse step nor what it hands the load
  step holds the crawl's records (the Celery load worker reads them from the shared directory).
- `load_crawl(parsed, db_path)` writes them batch by batch through the one loader
  (`load.write_batches`), then the documents that only carry attachments, the crawl failures as
  findings, the fetch log and the crawl run, and marks the documents loaded in the crawl state.
- `crawl_and_load(...)` chains crawl, parse and load and returns a `CrawlSummary`.
"""
from __future__ import annotations

import json
import logging
import pickle
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Optional, TextIO

import polars as pl

from pipelines import rules, warehouse
from pipelines.crawl.discover import attachment_name
from pipelines.crawl.run import CrawlConfig, CrawledDoc, CrawlResult, Source, article_page, crawl
from pipelines.crawl.store import CrawlState, RawStore, atomic_write, read_jsonl, write_source_result
from pipelines.pipeline.documents import parse_document
from pipelines.pipeline.load import BATCH, build_and_publish, connect, default_workers, parsed_batches, write_batches
from pipelines.record import Report
from pipelines.settings import data_dir as default_data_dir
from pipelines.titles import find_title
from pipelines.warehouse.contract import polars_schema
from pipelines.warehouse.frames import DocumentInfo

log = logging.getLogger(__name__)

# the log holds fetched_at as ISO text: read as text, then parsed
FETCH_LOG_SCHEMA = {**polars_schema("fetch_log"), "fetched_at": pl.Utf8}


# ---------------------------------------------------------------- parse


@dataclass
class ParsedCrawl:
    """What the parse step hands the load step: the crawl, where its parsed batches are, and counts."""

    crawl: CrawlResult
    batch_files: list[str]  # pickled lists of (Report, DocumentInfo), in document order
    carriers: list[DocumentInfo]  # pages whose report is only in their attachments
    unchanged: int = 0
    reports: int = 0  # records in the batches
    statuses: dict[str, int] = field(default_factory=dict)
    reports_by_source: dict[str, int] = field(default_factory=dict)

    def batches(self) -> Iterator[list[tuple[Report, DocumentInfo]]]:
        for path in self.batch_files:
            try:
                with open(path, "rb") as fh:
                    yield pickle.load(fh)
            except FileNotFoundError:
                raise FileNotFoundError(f"{path}: the parsed batches of crawl {self.crawl.run_id} were loaded "
                                        "and removed; run the parse step again") from None


def spool_dir(data_dir: Path, run_id: str) -> Path:
    return Path(data_dir) / "crawl" / "parsed" / run_id


def document_info(doc: CrawledDoc) -> DocumentInfo:
    return DocumentInfo(document_id=doc.sha256, url=doc.url, source_id=doc.source_id, fetched_at=doc.fetched_at,
                        http_status=doc.http_status, content_type=doc.content_type, bytes=doc.size,
                        storage_path=doc.storage_path)


def _no_tables(r: Report) -> bool:
    return r.active is None and r.requests is None and r.review_litigation is None


def parse_crawled(task: tuple[CrawledDoc, str]) -> tuple[Report, DocumentInfo, bool]:
    """One fetched document parsed from its stored bytes: (report, document, whether the document is
    a page that only carries the report of its attachments). Run in the loader's worker processes."""
    doc, data_dir = task
    data = RawStore(Path(data_dir)).get(doc.sha256) or b""
    info = document_info(doc)
    if doc.kind == "detail":
        report = parse_document(article_page(doc, data), "page.html", source=doc.url)
        return report, info, bool(doc.attachments) and _no_tables(report)
    report = parse_document(data, attachment_name(doc.url), source=doc.url)
    if (report.issuer is None or report.year is None) and doc.title:
        issuer, year = find_title([[doc.title]])
        if issuer and year:
            report.issuer = report.issuer or issuer
            report.year = report.year or year
            report.add(rules.M_TITLE_FROM_PAGE,
                       f"issuer and year taken from the title of the page that links this attachment: "
                       f"{doc.title} ({doc.page_url})")
    return report, info, False


def parse_crawl(result: CrawlResult, force: bool = False, workers: Optional[int] = None,
                batch: int = BATCH) -> ParsedCrawl:
    """Parse the new or changed documents (their bytes were never loaded), `workers` processes
    (default as for `zfxxgk load`: $ZFXXGK_WORKERS, else the CPU count for 200 documents or more)."""
    state = CrawlState(result.data_dir)
    todo: list[CrawledDoc] = []
    done: set[str] = set()
    unchanged = 0
    for doc in result.docs:
        if doc.sha256 in done:
            continue
        done.add(doc.sha256)
        if not force and state.loaded(doc.sha256):
            unchanged += 1
            continue
        todo.append(doc)
    state.close()
    spool = spool_dir(result.data_dir, result.run_id)
    shutil.rmtree(spool, ignore_errors=True)  # a parse step run again replaces its batches
    out = ParsedCrawl(crawl=result, batch_files=[], carriers=[], unchanged=unchanged)
    statuses: Counter = Counter()
    by_source: Counter = Counter()
    workers = default_workers(len(todo)) if workers is None else workers
    tasks = [(doc, str(result.data_dir)) for doc in todo]
    for results in parsed_batches(tasks, parse_crawled, workers, batch):
        items = []
        for report, info, carrier in results:
            if carrier:
                out.carriers.append(info)  # the report is the attachment's
                continue
            items.append((report, info))
            statuses[report.parse_status] += 1
            by_source[info.source_id] += 1
        if not items:
            continue
        spool.mkdir(parents=True, exist_ok=True)
        path = spool / f"{len(out.batch_files):05d}.pickle"
        with open(path, "wb") as fh:
            pickle.dump(items, fh, protocol=pickle.HIGHEST_PROTOCOL)
        out.batch_files.append(str(path))
        out.reports += len(items)
    out.statuses, out.reports_by_source = dict(statuses), dict(by_source)
    log.info("crawl %s: parsed %d documents in %d batch(es) (%s), %d pages carrying attachments; %d unchanged skipped",
             result.run_id, out.reports, len(out.batch_files),
             ", ".join(f"{k} {v}" for k, v in sorted(out.statuses.items())) or "none", len(out.carriers), unchanged)
    return out


# ---------------------------------------------------------------- load


def load_crawl(parsed: ParsedCrawl, db_path: Optional[Path] = None, build_models: bool = True) -> warehouse.LoadResult:
    """Write one crawl into the warehouse (the only step that opens DuckDB), batch by batch, then
    mark its documents as loaded in the crawl state and remove its parsed batches."""
    result = parsed.crawl
    written: list[tuple[str, str]] = []  # (url, document_id) of every record handed to the loader

    def batches() -> Iterator[list[tuple[Report, DocumentInfo]]]:
        for items in parsed.batches():
            written.extend((info.url, info.document_id) for _, info in items)
            yield items

    lr = warehouse.LoadResult()
    with connect(db_path) as conn:
        warehouse.upsert_sources(conn, [{"source_id": s.source_id, "name": s.name, "start_url": " ".join(s.start_urls),
                                         "adcode": s.adcode, "admin_level": s.admin_level} for s in result.sources])
        write_batches(conn, batches(), lr)
        warehouse.upsert_documents(conn, parsed.carriers)  # pages whose report is their attachment
        _write_crawl_findings(conn, result)
        _write_fetch_logs(conn, result.data_dir)
        warehouse.insert_rows(conn, "crawl_runs", [{
            "run_id": result.run_id, "started_at": datetime.now(timezone.utc).replace(tzinfo=None),
            "seconds": result.seconds, "sources": " ".join(s.source_id for s in result.sources),
            "list_pages": result.list_pages, "documents": len(result.docs), "downloaded": result.downloaded,
            "not_modified": result.not_modified, "requests_sent": result.requests_sent,
            "bytes_received": result.bytes_received, "errors": len(result.errors), "reports_loaded": lr.loaded,
            "interrupted": result.interrupted}], replace=True)
    if build_models:
        build_and_publish(db_path, lr)
    failed = {d for d, _ in lr.failed}
    state = CrawlState(result.data_dir)
    for url, document_id in written:
        if document_id not in failed:
            state.update(url, loaded_sha=document_id)
    for info in parsed.carriers:
        state.update(info.url, loaded_sha=info.document_id)
    state.compact()
    shutil.rmtree(spool_dir(result.data_dir, result.run_id), ignore_errors=True)
    for document_id, error in lr.failed:
        log.warning("crawl %s: document %s not loaded: %s", result.run_id, document_id, error)
    log.info("crawl %s: loaded %d reports (%d kept another copy's numbers, %d failed)", result.run_id, lr.loaded,
             lr.kept_other_copy, len(lr.failed))
    return lr


def _write_crawl_findings(conn, result: CrawlResult) -> None:
    """Fetch failures as findings (stage 'crawl', no report). A URL fetched again this run loses
    its old crawl findings first, so a fixed fault disappears and a persisting one is not doubled."""
    urls = sorted(result.attempted_urls | {f["url"] for f in result.failures})
    conn.execute("BEGIN")
    try:
        if urls:
            conn.execute("DELETE FROM findings WHERE stage = 'crawl' AND report_id IS NULL AND url IN "
                         "(SELECT unnest(?))", [urls])
        for f in result.failures:
            conn.execute("INSERT INTO findings (report_id, document_id, url, stage, rule, severity, detail) "
                         "VALUES (NULL, ?, ?, 'crawl', ?, ?, ?)",
                         [f["document_id"], f["url"], rules.for_fetch_outcome(f["outcome"]).code, f["severity"],
                          f["error"]])
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def _write_fetch_logs(conn, data_dir: Path) -> None:
    """Every run's fetch log not yet in the warehouse (an interrupted run's too)."""
    runs = Path(data_dir) / "crawl" / "runs"
    for path in sorted(runs.glob("*.fetch_log.jsonl")):
        marker = path.with_name(path.name.replace(".fetch_log.jsonl", ".loaded"))
        if marker.exists():
            continue
        rows = list(read_jsonl(path))
        run_id = path.name.split(".")[0]
        conn.execute("BEGIN")
        conn.execute("DELETE FROM fetch_log WHERE run_id = ?", [run_id])
        if rows:
            df = pl.DataFrame(rows, schema=FETCH_LOG_SCHEMA, strict=False).with_columns(
                pl.col("fetched_at").str.to_datetime(strict=False))
            conn.register("_fetch_log", df.to_arrow())
            conn.execute("INSERT INTO fetch_log BY NAME SELECT * FROM _fetch_log")
            conn.unregister("_fetch_log")
        conn.execute("COMMIT")
        marker.write_text("", encoding="utf-8")


# ---------------------------------------------------------------- together


@dataclass
class CrawlSummary:
    run_id: str
    sources: int
    list_pages: int
    documents: int
    downloaded: int
    not_modified: int
    parsed: int
    unchanged_skipped: int
    reports_loaded: int
    errors: int
    requests_sent: int
    bytes_received: int
    seconds: float
    interrupted: bool
    cap_hits: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    api_pages: int = 0
    rendered_states: int = 0
    render_seconds: float = 0.0

    def text(self) -> str:
        lines = [f"crawl {self.run_id}: {self.sources} source(s), {self.list_pages} list pages, "
                 f"{self.documents} report documents; {self.downloaded} fetches downloaded, {self.not_modified} "
                 f"not modified (304); {self.requests_sent} HTTP requests, {self.bytes_received:,} bytes, "
                 f"{self.seconds:.1f} s",
                 f"parsed {self.parsed} new or changed documents ({self.unchanged_skipped} unchanged skipped); "
                 f"loaded {self.reports_loaded} reports"
                 + (f" — status {', '.join(f'{k} {v}' for k, v in sorted(self.statuses.items()))}" if self.statuses else ""),
                 f"errors {self.errors}" + (" (interrupted: the next run resumes)" if self.interrupted else "")]
        if self.api_pages or self.rendered_states:
            lines.insert(1, f"lists built by script: {self.api_pages} pages read from list APIs, "
                            f"{self.rendered_states} list states rendered in the browser ({self.render_seconds:.1f} s)")
        for f in self.failures[:20]:
            lines.append(f"  [{f['severity']}] {f['outcome']}: {f['url']} — {f['error']}")
        if len(self.failures) > 20:
            lines.append(f"  … {len(self.failures) - 20} more: SELECT * FROM findings WHERE stage = 'crawl'")
        return "\n".join(lines)


def crawl_and_load(start_urls: Iterable[Source | str], data_dir: Optional[Path] = None,
                   db_path: Optional[Path] = None, config: Optional[CrawlConfig] = None,
                   progress_stream: Optional[TextIO] = None) -> CrawlSummary:
    """Crawl the given column pages (or registry Sources), parse what is new, load it."""
    config = config or CrawlConfig()
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    result = crawl(start_urls, data_dir, config, progress_stream)
    parsed = parse_crawl(result, force=config.force_reparse)
    lr = load_crawl(parsed, db_path)
    summary = CrawlSummary(
        run_id=result.run_id, sources=len(result.sources), list_pages=result.list_pages, documents=len(result.docs),
        downloaded=result.downloaded, not_modified=result.not_modified, parsed=parsed.reports + len(parsed.carriers),
        unchanged_skipped=parsed.unchanged, reports_loaded=lr.loaded, errors=len(result.errors),
        requests_sent=result.requests_sent, bytes_received=result.bytes_received, seconds=result.seconds,
        interrupted=result.interrupted, cap_hits=result.cap_hits, failures=result.failures,
        statuses=dict(parsed.statuses), api_pages=result.api_pages,
        rendered_states=result.rendered_states, render_seconds=result.render_seconds)
    for s in result.sources:
        per = result.per_source.get(s.source_id, {})
        write_source_result(data_dir, s.source_id, {
            "run_id": result.run_id, "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "pages": per.get("pages", 0), "documents": per.get("documents", 0),
            "errors": len([f for f in result.errors if f["source_id"] == s.source_id]),
            "reports_loaded": parsed.reports_by_source.get(s.source_id, 0),
            "interrupted": result.interrupted,
            "list_incomplete": [{k: v for k, v in li.items() if k != "source_id"} for li in result.list_incomplete
                                if li["source_id"] == s.source_id]})
    atomic_write(data_dir / "crawl" / "runs" / f"{result.run_id}.summary.json",
                 json.dumps(asdict(summary), ensure_ascii=False, indent=1, default=str))
    return summary
