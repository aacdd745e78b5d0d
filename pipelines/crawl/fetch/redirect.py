"""Following redirects by hand (each hop goes through scope, robots and pacing again)."""
from __future__ import annotations

from typing import Optional
from urllib.parse import urljoin

from pipelines.crawl.fetch.result import REDIRECT, FetchResult
from pipelines.crawl.fetch.transport import REDIRECT_STATUSES


class RedirectPolicy:
    def __init__(self, max_redirects: int):
        self.max_redirects = max_redirects

    @staticmethod
    def is_redirect(res: FetchResult) -> bool:
        return res.status in REDIRECT_STATUSES and res.outcome == REDIRECT

    def follow(self, res: FetchResult, chain: list[str], method: str,
               data: Optional[dict | bytes]) -> Optional[tuple[str, str, Optional[dict | bytes]]]:
        """(url, method, data) of the hop after the redirect `res`, appended to `chain` (the URLs so
        far); None when the chain must stop (a loop, too many hops: `res` says which)."""
        target = urljoin(chain[-1], res.error or "")
        if target in chain:
            res.outcome, res.error = "too_many_redirects", f"redirect loop: {' -> '.join(chain + [target])}"
            return None
        if len(chain) > self.max_redirects:
            res.outcome, res.error = "too_many_redirects", f"more than {self.max_redirects} redirects"
            return None
        chain.append(target)
        if res.status == 303 or (res.status in (301, 302) and method == "POST"):
            method, data = "GET", None
        return target, method, data
