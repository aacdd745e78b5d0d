"""The bundled demo portal (data/demo_portal/site/) served on 127.0.0.1, a free port.

Static files plus the few dynamic behaviours a crawler must meet: ETag / Last-Modified and 304
answers to conditional GETs, and switchable faults for tests (a status with headers, a delay,
a redirect, a huge body) and routes (a Python function answering a path, e.g. Hanweb's POST
dataproxy.jsp). Every request is logged in `portal.requests`.

By default the demo answers the first GET of its second UTF-8 list page with 503 + Retry-After: 1,
so `zfxxgk demo` shows the retry, and serves the two list APIs of its script-built columns
(`demo_routes`): a TRS-style search API (POST) and a paged JSON list, both from the site's _api/ files.
"""
from __future__ import annotations

import hashlib
import json
import math
import mimetypes
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from pipelines.settings import PROJECT_ROOT

DEMO_SITE = PROJECT_ROOT / "data" / "demo_portal" / "site"
# the demo's columns (start URLs relative to the server): registry source `demo` ...
DEMO_COLUMNS = ("/gbk/zfxxgknb/index.html", "/utf8/xxgknb/index.html")
# ... and `demo-js`, whose lists are built by script (a TRS search API, a JSON endpoint)
DEMO_SCRIPT_COLUMNS = ("/zfxxgk/bmnb/fgw/index.shtml", "/zfxxgk/bmnb/jyj/index.html")


@dataclass
class Fault:
    """One scripted answer. `times`: how many requests it answers (None: all)."""

    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0            # seconds before answering (a timeout in the client)
    times: Optional[int] = 1
    size: int = 0                 # > 0: stream this many bytes (an oversized response)


Route = Callable[["Handler", bytes], tuple[int, dict, bytes]]


def default_faults() -> dict[str, list[Fault]]:
    return {"/utf8/xxgknb/page2.html": [Fault(503, {"Retry-After": "1"}, b"busy", times=1)]}


def _api_records(handler: "Handler", name: str) -> Optional[list[dict]]:
    path = handler.server.portal.root / "_api" / name  # type: ignore[attr-defined]
    return json.loads(path.read_text(encoding="utf-8"))["records"] if path.is_file() else None


def _json_answer(handler: "Handler", payload: dict) -> tuple[int, dict, bytes]:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
    if handler.command == "GET" and handler.headers.get("If-None-Match") == etag:
        return 304, {"ETag": etag, "Content-Length": "0"}, b""
    return 200, {"Content-Type": "application/json; charset=utf-8", "ETag": etag}, data


def _page_args(values: dict, page_key: str, size_key: str, default_size: int) -> tuple[int, int]:
    try:
        return max(1, int(values.get(page_key, ["1"])[0])), max(1, min(100, int(values.get(size_key, [default_size])[0])))
    except ValueError:
        return 1, default_size


def trs_search(handler: "Handler", body: bytes) -> tuple[int, dict, bytes]:
    """TRS-style site search: POST channelid, page, pagesize -> {"data": {"total", "list": [...]}}."""
    if handler.command != "POST":
        return 405, {"Allow": "POST", "Content-Type": "text/plain"}, b"POST only"
    form = parse_qs(body.decode("utf-8", errors="replace"))
    records = _api_records(handler, "fgw_doclist.json")
    if records is None or form.get("channelid", [""])[0] != "34567":
        return _json_answer(handler, {"code": 404, "msg": "no such channel", "data": None})
    page, size = _page_args(form, "page", "pagesize", 10)
    chunk = records[(page - 1) * size: page * size]
    return _json_answer(handler, {"code": 200, "data": {"total": len(records), "page": page, "pagesize": size,
                                                        "pages": math.ceil(len(records) / size), "list": chunk}})


def json_list(handler: "Handler", body: bytes) -> tuple[int, dict, bytes]:
    """A paged JSON list: GET ?page=N&size=M -> {"total", "page", "size", "records": [...]}."""
    records = _api_records(handler, "jyj_list.json")
    if records is None:
        return 404, {"Content-Type": "text/plain"}, b"not found"
    page, size = _page_args(parse_qs(urlsplit(handler.path).query), "page", "size", 4)
    return _json_answer(handler, {"total": len(records), "page": page, "size": size,
                                  "records": records[(page - 1) * size: page * size]})


def demo_routes() -> dict[str, "Route"]:
    return {"/trsapi/search/doclist": trs_search, "/zfxxgk/bmnb/jyj/list.json": json_list}


@dataclass
class Logged:
    method: str
    path: str
    headers: dict
    status: int = 0
    at: float = field(default_factory=time.monotonic)  # when the request arrived


class DemoPortal(str):
    """The base URL (a str), with the server's request log and fault table attached."""

    requests: list[Logged]
    faults: dict[str, list[Fault]]
    routes: dict[str, Route]
    root: Path

    def url(self, path: str) -> str:
        return str(self) + path

    def paths(self, method: str = "GET") -> list[str]:
        return [r.path for r in self.requests if r.method == method]


class Handler(BaseHTTPRequestHandler):
    server_version = "zfxxgk-demo/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._answer(b"")

    def do_HEAD(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        self._answer(self.rfile.read(n) if n else b"")

    def _answer(self, body: bytes) -> None:
        portal: DemoPortal = self.server.portal  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        entry = Logged(self.command, path + (f"?{parts.query}" if parts.query else ""), dict(self.headers))
        with self.server.lock:  # type: ignore[attr-defined]
            portal.requests.append(entry)
            fault = self._take_fault(portal, entry.path) or self._take_fault(portal, path)
        try:
            if fault is not None:
                entry.status = fault.status
                return self._fault(fault)
            route = portal.routes.get(path)
            if route is not None:
                status, headers, data = route(self, body)
                entry.status = status
                return self._send(status, headers, data)
            entry.status = self._static(portal.root, path)
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _take_fault(portal: DemoPortal, key: str) -> Optional[Fault]:
        queue = portal.faults.get(key)
        if not queue:
            return None
        f = queue[0]
        if f.times is not None:
            f.times -= 1
            if f.times <= 0:
                queue.pop(0)
        return f

    def _fault(self, f: Fault) -> None:
        if f.delay:
            time.sleep(f.delay)
        if f.size:
            self.send_response(f.status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(f.size))
            for k, v in f.headers.items():
                self.send_header(k, v)
            self.end_headers()
            chunk = b"0" * 65536
            sent = 0
            while sent < f.size:
                self.wfile.write(chunk[: f.size - sent])
                sent += len(chunk)
            return
        self._send(f.status, f.headers, f.body)

    def _send(self, status: int, headers: dict, data: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _static(self, root: Path, path: str) -> int:
        target = (root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            self._send(404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>")
            return 404
        data = target.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        mtime = int(target.stat().st_mtime)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True),
                   "Content-Type": _content_type(target)}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            fresh = etag in [t.strip() for t in inm.split(",")]
        elif ims is not None:
            try:
                fresh = parsedate_to_datetime(ims).timestamp() >= mtime
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh:
            self._send(304, {"ETag": etag, "Content-Length": "0"}, b"")
            return 304
        self._send(200, headers, data)
        return 200


def _content_type(path: Path) -> str:
    if path.suffix in (".html", ".htm", ".shtml"):
        return "text/html"  # no charset: the page's <meta> says it, as on many portals
    if path.suffix == ".docx":
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@contextmanager
def serve_demo_portal(root: Optional[Path] = None, faults: Optional[dict[str, list[Fault]]] = None,
                      routes: Optional[dict[str, Route]] = None, host: str = "127.0.0.1",
                      port: int = 0) -> Iterator[DemoPortal]:
    """Serve `root` (default: the bundled demo portal) on host:free port; yields the base URL
    (`http://127.0.0.1:PORT`, a str with .requests, .faults, .routes). `faults=None` uses the
    demo's default (one 503 + Retry-After); pass {} for none. `routes` are added to the demo's
    list APIs (which answer 404 when `root` has no _api/ data)."""
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    portal = DemoPortal(f"http://{host}:{server.server_address[1]}")
    portal.requests = []
    portal.faults = default_faults() if faults is None else faults
    portal.routes = {**demo_routes(), **(routes or {})}
    portal.root = Path(root or DEMO_SITE)
    server.portal = portal  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def demo_start_urls(base: str) -> list[str]:
    return [base + p for p in DEMO_COLUMNS]


if __name__ == "__main__":  # serve the demo portal until Ctrl-C: `python -m pipelines.crawl.demo_server`
    import argparse

    from pipelines.crawl.registry import DEMO_PORT

    ap = argparse.ArgumentParser(description="serve the bundled demo portal on 127.0.0.1")
    ap.add_argument("--port", type=int, default=DEMO_PORT)
    args = ap.parse_args()
    with serve_demo_portal(port=args.port) as base:
        print(f"demo portal on {base}/index.html (Ctrl-C stops it)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
