"""Bytes -> text, one chain for every reader (crawled pages, robots.txt, extracted documents):

1. a byte order mark (w3lib's `read_bom`, as Scrapy reads it);
2. the declared charset: the HTTP header's, else an HTML page's <meta> (`declared_charset`);
3. UTF-8 (a few broken bytes are replaced, not a reason to read the page as GB18030);
4. GB18030;
5. detection (charset-normalizer).

A declared GB2312 or GBK is read as GB18030, its superset: strict GB2312 decoding drops whole pages
over one character outside it, such as 镕. Any other label is tried as Python names it. w3lib's
`resolve_encoding` (and the header and <meta> readers built on it) is not used: its WHATWG table
would also read ISO-8859-1 as cp1252 and every GB2312 alias (EUC-CN, ...) as GB18030 — a UTF-8 page
mislabelled EUC-CN would then decode as GB18030 mojibake instead of failing over to UTF-8 — and its
<meta> scan stops at <body> and skips comments; pages would decode differently from before.

A bottom-layer module: the crawler and the extract stage both import it, it imports neither.
"""
from __future__ import annotations

import codecs
import re
from typing import Optional

from w3lib.encoding import read_bom

_GB_LABELS = frozenset({"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936"})  # read as gb18030
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


class UndecodableError(ValueError):
    """The bytes are in no encoding that could be recognised."""


def header_charset(content_type: Optional[str]) -> Optional[str]:
    """The charset label of a Content-Type header (`text/html; charset="GBK"` -> `GBK`), as sent."""
    for part in (content_type or "").split(";")[1:]:
        k, _, v = part.strip().partition("=")
        if k.lower() == "charset" and v:
            return v.strip("\"' ")
    return None


def meta_charset(data: bytes) -> Optional[str]:
    """The charset label a page's <meta> declares in its first 4 KiB, as written."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def declared_charset(data: bytes, header: Optional[str] = None) -> Optional[str]:
    """What an HTML page declares: the HTTP header's charset label, else its <meta> one."""
    return header or meta_charset(data)


def _codec(label: str) -> str:
    """The codec name a declared label is tried with: GB2312/GBK as gb18030, any other as written."""
    enc = label.strip().lower()
    return "gb18030" if enc in _GB_LABELS else enc


def decode(data: bytes, declared: Optional[str] = None) -> str:
    """Bytes -> text by the chain above. `declared`: a charset label (header or meta); an unknown
    one is skipped. Raises UndecodableError when not even detection finds an encoding."""
    bom_encoding, bom = read_bom(data)
    if bom_encoding is not None and bom is not None:
        return data[len(bom):].decode(bom_encoding, errors="replace")
    tried = [_codec(declared)] if declared else []
    for enc in [*tried, "utf-8", "gb18030"]:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            if enc == "utf-8" and utf8_damage(data) is not None:
                # UTF-8 but for a few broken bytes: GB18030 would "succeed" with mojibake everywhere
                return data.decode("utf-8", errors="replace")
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableError("the text is in no encoding that could be recognised")
    return str(best)


def decode_html(data: bytes, header: Optional[str] = None) -> str:
    """An HTML page's bytes -> text: `decode` with the header's charset, else the <meta> one."""
    return decode(data, declared_charset(data, header))


def utf8_first(data: bytes, declared: Optional[str] = None) -> bool:
    """Whether `decode(data, declared)` tries strict UTF-8 first (no BOM; no declared charset, or a
    UTF-8 or unknown one): a valid UTF-8 `data` then decodes to `data.decode("utf-8")` exactly."""
    if read_bom(data)[0] is not None:
        return False
    if not declared:
        return True
    enc = _codec(declared)
    try:
        return codecs.lookup(enc).name == "utf-8"
    except LookupError:  # decode skips an unknown name
        return True


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
