"""`zfxxgk site --serve`: the site folder over HTTP on 127.0.0.1 (the standard library's file server)."""
from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import Callable, Optional


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript; charset=utf-8", ".html": "text/html; charset=utf-8",
                      ".css": "text/css; charset=utf-8"}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


def serve(directory: Path | str, port: int = 8000, ready: Optional[Callable[[str], None]] = None) -> None:
    """Serve `directory` on 127.0.0.1:`port` (0: any free port) until interrupted; `ready(url)` is
    called once the socket listens."""
    handler = functools.partial(_Quiet, directory=str(Path(directory).resolve()))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        if ready:
            ready(url)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
