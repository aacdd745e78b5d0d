"""What a response is: ok, not modified, a redirect, an anti-bot challenge (recorded as `blocked`,
never worked around) or an HTTP error."""
from __future__ import annotations

from pipelines.crawl.fetch.result import NOT_MODIFIED, OK, REDIRECT, FetchResult
from pipelines.crawl.fetch.transport import REDIRECT_STATUSES

CHALLENGE_STATUSES = {412, 521}  # 瑞数 WAF / cookie challenges (docs/design.md §4)


def classify(res: FetchResult) -> None:
    """Set `res.outcome` (and `error`) from the response `transport.send` filled in."""
    st = res.status
    if st in REDIRECT_STATUSES:
        res.outcome, res.error = REDIRECT, _header(res, "Location") or ""  # the target, for `redirect`
    elif st == 304:
        res.outcome, res.error = NOT_MODIFIED, None
    elif st in CHALLENGE_STATUSES:
        res.outcome = "blocked"
        res.error = f"HTTP {st} anti-bot challenge: {challenge_evidence(res.content or b'')}"
    elif st is not None and 200 <= st < 300:
        res.outcome, res.error = OK, None
    else:
        res.outcome, res.error = "http_error", f"HTTP {st}"


def _header(res: FetchResult, name: str):
    """A response header by its case-insensitive name (res.headers is a plain dict)."""
    return next((v for k, v in res.headers.items() if k.lower() == name.lower()), None)


def challenge_evidence(body: bytes) -> str:
    """A short, quotable sign of the challenge (never used to solve it)."""
    text = body[:4000].decode("utf-8", errors="replace")
    for marker in ("$_ts", "document.cookie", "_$", "challenge", "__jsl_clearance"):
        if marker in text:
            return f"body contains {marker!r}"
    return repr(" ".join(text.split())[:120])
