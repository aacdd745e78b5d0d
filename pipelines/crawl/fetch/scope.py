"""Which hosts a crawl may touch."""
from __future__ import annotations

import ipaddress
from typing import Optional
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def gov_domain(host: str) -> Optional[str]:
    """The registrable gov.cn domain of a host: www.bjdx.gov.cn -> bjdx.gov.cn."""
    parts = host.lower().split(".")
    if len(parts) >= 3 and parts[-2:] == ["gov", "cn"]:
        return ".".join(parts[-3:])
    return None


class HostScope:
    """Hosts a crawl may touch: the start URLs' hosts, their parent .gov.cn domains, an allowlist.
    Loopback hosts only when a start URL is on them (the demo portal and the tests)."""

    def __init__(self, start_urls: list[str], extra_hosts: tuple[str, ...] = ()):
        self.netlocs = {urlsplit(u).netloc.lower() for u in start_urls}
        self.domains = {d for u in start_urls if (d := gov_domain(urlsplit(u).hostname or ""))}
        self.extra = {h.lower() for h in extra_hosts}

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        if parts.netloc.lower() in self.netlocs or host in self.extra or parts.netloc.lower() in self.extra:
            return True
        if is_loopback(host):
            return False
        return any(host == d or host.endswith("." + d) for d in self.domains)
