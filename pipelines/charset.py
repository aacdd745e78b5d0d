"""Bytes -> text, whatever the charset a page or document was written in.

Below the crawler (list pages, robots.txt) and the extract stage (HTML and text documents): both
read Chinese portals' GBK, GB18030 and UTF-8 the same way.
"""
from __future__ import annotations

import re
from typing import Optional

# gb2312/gbk are decoded as gb18030, their superset (strict gb2312 decoding drops whole
# pages over one character outside it, such as 镕)
GB_ALIASES = frozenset({"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


class UndecodableText(ValueError):
    """No encoding could be recognised (the extract stage records it as E-encoding)."""


def decode(data: bytes, declared: Optional[str] = None) -> str:
    """Bytes -> text: BOM, then the declared charset, then UTF-8, then GB18030, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    tried = []
    if declared:
        enc = declared.strip().lower()
        enc = "gb18030" if enc in GB_ALIASES else enc
        tried.append(enc)
    for enc in [*tried, "utf-8", "gb18030"]:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            if enc == "utf-8" and utf8_damage(data) is not None:
                # UTF-8 but for a few broken bytes: GB18030 would "succeed" with mojibake everywhere
                return data.decode("utf-8", errors="replace")
            continue
    from charset_normalizer import from_bytes  # lazily: its import costs ~50 ms, few documents need it

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableText("the text is in no encoding that could be recognised")
    return str(best)


def utf8_damage(data: bytes) -> Optional[int]:
    """How many byte sequences are not UTF-8, when the document is UTF-8 but for a few of them
    (at most 1 in 2,000 bytes; real GBK text breaks UTF-8 at nearly every character); else None."""
    try:
        data.decode("utf-8")
        return 0
    except UnicodeDecodeError:
        pass
    bad = data.decode("utf-8", errors="replace").count("\ufffd") - data.count(b"\xef\xbf\xbd")
    return bad if bad <= max(2, len(data) // 2000) else None


def meta_charset(data: bytes) -> Optional[str]:
    """The charset a page's <meta> declares, in its first 4 KB."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None
