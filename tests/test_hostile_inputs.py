"""Hostile inputs, each stopped by a limit and recorded as a finding (never a crash, a hang or a silent loss):
a 1 GB response (served lazily, never materialised), a zip bomb, a redirect to a host outside the
crawl, file:// and internal-address links in a page, an absurdly deep HTML tree, a table whose spans
expand to millions of cells. The crawl runs against a copy of the demo portal on 127.0.0.1 with the
hostile pages added; nothing leaves 127.0.0.x.
"""
from __future__ import annotations

import io
import shutil
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from pipelines.crawl.demo_server import DEMO_SITE, Fault, demo_start_urls, serve_demo_portal
from pipelines.crawl.http import FetchConfig, Fetcher, HostScope
from pipelines.crawl.run import CrawlConfig
from pipelines.pipeline.crawled import crawl_and_load
from pipelines.pipeline.documents import parse_document

GB = 1 << 30
HOSTILE_LINKS = {  # list entry title -> href
    "演示县财政局2023年政府信息公开工作年度报告": "./202401/huge.html",
    "演示县教育局2023年政府信息公开工作年度报告": "./202401/moved.html",
    "演示县公安局2023年政府信息公开工作年度报告": "./202401/deep.html",
    "演示县交通运输局2023年政府信息公开工作年度报告": "./202401/P0_bomb.docx",
    "演示县水务局2023年政府信息公开工作年度报告": "file:///etc/passwd",
    "演示县商务局2023年政府信息公开工作年度报告": "http://169.254.169.254/latest/meta-data/",
    "演示县统计局2023年政府信息公开工作年度报告": "http://10.0.0.1/zfxxgk/nb2023.html",
}


def zip_bomb() -> bytes:
    """A .docx-shaped zip whose document part inflates 50 MB of zeros from ~50 KB (ratio ~1000)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", b"\0" * (50 << 20))
    return buf.getvalue()


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    site = tmp / "site"
    shutil.copytree(DEMO_SITE, site)
    index = site / "utf8" / "xxgknb" / "index.html"
    items = "".join(f'<li><a href="{href}">{title}</a></li>' for title, href in HOSTILE_LINKS.items())
    index.write_text(index.read_text(encoding="utf-8").replace("</ul>", items + "</ul>"), encoding="utf-8")
    depth = 5000  # libxml2 stops at 256
    (site / "utf8" / "xxgknb" / "202401" / "deep.html").write_text(
        '<html><head><meta charset="utf-8"><title>演示县公安局2023年政府信息公开工作年度报告</title></head><body>'
        '<div class="TRS_Editor"><p>演示县公安局2023年政府信息公开工作年度报告</p>' + "<div>" * depth
        + "一、总体情况" + "</div>" * depth + "</div></body></html>", encoding="utf-8")
    (site / "utf8" / "xxgknb" / "202401" / "P0_bomb.docx").write_bytes(zip_bomb())
    with serve_demo_portal(host="127.0.0.2", faults={}) as elsewhere, serve_demo_portal(root=site, faults={
            # 1 GB with its Content-Length, written 64 KB at a time as the client reads (never in memory)
            "/utf8/xxgknb/202401/huge.html": [Fault(size=GB, times=None)],
            "/utf8/xxgknb/202401/moved.html": [Fault(302, {"Location": elsewhere.url("/utf8/xxgknb/index.html")},
                                                     times=None)]}) as portal:
        cfg = CrawlConfig(min_interval=0.01, backoff=0.01, retries=1, progress=False)
        t = time.monotonic()
        summary = crawl_and_load(demo_start_urls(portal), tmp / "data", tmp / "w.duckdb", cfg)
        seconds = time.monotonic() - t
        elsewhere_requests = list(elsewhere.requests)
    with duckdb.connect(str(tmp / "w.duckdb"), read_only=True) as conn:
        findings = conn.execute("SELECT url, stage, rule, detail FROM findings").fetchall()
        statuses = dict(conn.execute("SELECT url, parse_status FROM reports").fetchall())
    return summary, findings, statuses, elsewhere_requests, seconds


def finding(findings, url_end: str, rule: str) -> str:
    hits = [d for u, _, r, d in findings if (u or "").endswith(url_end) and r == rule]
    assert hits, f"no {rule} finding for …{url_end}; have {[(u, r) for u, _, r, _ in findings]}"
    return hits[0]


def test_hostile_crawl_finishes_and_keeps_the_real_reports(hostile_crawl):
    summary, findings, statuses, _, seconds = hostile_crawl
    assert not summary.interrupted and seconds < 120
    assert summary.statuses.get("ok", 0) >= 4  # the demo's real reports are still read


def test_a_1_gb_response_is_refused_by_its_declared_length(hostile_crawl):
    summary, findings, *_ = hostile_crawl
    assert "over the 52428800-byte limit" in finding(findings, "/202401/huge.html", "C-too-large")
    assert summary.bytes_received < 10 << 20  # the crawl downloaded nothing of it


def test_a_zip_bomb_is_refused_before_inflating(hostile_crawl):
    _, findings, statuses, *_ = hostile_crawl
    assert "zip bomb" in finding(findings, "P0_bomb.docx", "E-zip-bomb")
    assert [s for u, s in statuses.items() if u.endswith("P0_bomb.docx")] == ["failed"]


def test_a_redirect_to_another_host_is_not_followed(hostile_crawl):
    _, findings, _, elsewhere_requests, _ = hostile_crawl
    assert "127.0.0.2" in finding(findings, "/202401/moved.html", "C-out-of-scope")
    assert elsewhere_requests == []  # not even its robots.txt


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/",
                                 "http://10.0.0.1/zfxxgk/nb2023.html"])
def test_file_and_internal_links_in_a_page_are_refused(hostile_crawl, url):
    _, findings, *_ = hostile_crawl
    assert "outside the crawl's scope" in finding(findings, url, "C-out-of-scope")


def test_an_absurdly_deep_page_fails_with_a_finding(hostile_crawl):
    _, findings, statuses, *_ = hostile_crawl
    assert "Excessive depth" in finding(findings, "/202401/deep.html", "E-html-too-deep")
    assert [s for u, s in statuses.items() if u.endswith("deep.html")] == ["failed"]


def test_spans_that_expand_to_millions_of_cells_are_refused_quickly():
    # 43 KB: 1000 cells of rowspan=100 colspan=100 would be 10 M grid positions
    html = ("<html><body><table><tr>" + '<td rowspan="100" colspan="100">x</td>' * 1000 + "</tr>"
            + "<tr></tr>" * 99 + "</table></body></html>").encode()
    t = time.monotonic()
    report = parse_document(html, "span.html")
    assert time.monotonic() - t < 5
    assert report.parse_status == "failed"
    assert [f.rule for f in report.findings] == ["E-html-table-too-large"]


class _Endless(BaseHTTPRequestHandler):
    """Streams zeros with no Content-Length (the length is unknown until the connection closes)."""

    protocol_version = "HTTP/1.0"
    sent = 0

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.end_headers()
        chunk = b"\0" * 65536
        try:
            while type(self).sent < GB:
                self.wfile.write(chunk)
                type(self).sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass


def test_a_1_gb_response_without_length_is_cut_at_the_size_limit():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endless)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        cfg = FetchConfig(min_interval=0, retries=0)
        res = Fetcher(cfg, HostScope([base])).fetch(base + "/report.pdf")
    finally:
        server.shutdown()
        server.server_close()
    assert res.outcome == "too_large" and res.content is None
    assert f"over the {cfg.max_bytes}-byte limit" in res.error
    # the server stopped soon after the limit: the client closed the connection, it never read 1 GB
    assert _Endless.sent < cfg.max_bytes + (64 << 20)
