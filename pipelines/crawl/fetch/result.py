"""What a fetch returns: a FetchResult whose `outcome` says what happened (nothing raises for a
network or HTTP fault)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

from pipelines.encoding import header_charset

# outcomes
OK, NOT_MODIFIED = "ok", "not_modified"
REDIRECT = "redirect"  # within a fetch only: the hop's answer, before the redirect part follows it
FAILURES = ("http_error", "timeout", "connection_error", "blocked", "robots_disallowed", "too_large",
            "too_many_redirects", "out_of_scope", "robots_unavailable")


@dataclass
class FetchResult:
    url: str
    method: str = "GET"
    final_url: Optional[str] = None
    status: Optional[int] = None
    outcome: str = OK
    content: Optional[bytes] = None
    content_type: Optional[str] = None
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    error: Optional[str] = None
    attempts: int = 0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc).replace(tzinfo=None))
    elapsed: float = 0.0
    headers: dict = field(default_factory=dict, repr=False)

    @property
    def failed(self) -> bool:
        return self.outcome not in (OK, NOT_MODIFIED)

    @property
    def charset(self) -> Optional[str]:
        return header_charset(self.content_type)
