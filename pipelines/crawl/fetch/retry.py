"""Trying one URL again: after a timeout or connection error, and after 429 / 5xx (Retry-After
honoured up to a cap), with exponential backoff."""
from __future__ import annotations

import email.utils
from datetime import datetime, timezone
from typing import Optional

from pipelines.crawl.fetch.result import FetchResult

RETRY_STATUSES = {429, 500, 502, 503, 504}
NETWORK_FAILURES = ("timeout", "connection_error")


class RetryPolicy:
    def __init__(self, retries: int, backoff: float, max_retry_after: float):
        self.retries = retries                   # extra attempts after the first
        self.backoff = backoff                   # 1, 2, 4 s …
        self.max_retry_after = max_retry_after   # a longer Retry-After is a failure, not a sleep

    def wait(self, res: FetchResult, attempt: int) -> Optional[float]:
        """Seconds to wait before trying again after attempt `attempt` (0-based), or None: `res` is
        final (an answer not worth retrying, or a Retry-After over the cap, said in `res.error`)."""
        if res.outcome in NETWORK_FAILURES:
            return self.backoff * 2 ** attempt
        if res.status not in RETRY_STATUSES:
            return None
        res.outcome, res.error = "http_error", f"HTTP {res.status}"
        retry_after = _retry_after(res.headers.get("Retry-After"))
        if retry_after is not None and retry_after > self.max_retry_after:
            res.error += f" with Retry-After {retry_after:.0f} s (over the {self.max_retry_after:.0f} s limit)"
            return None
        return retry_after if retry_after is not None else self.backoff * 2 ** attempt


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
