"""HTML pages -> rows: paragraphs as one-cell rows, tables expanded to a rectangular grid.

lxml (libxml2) parses the page; the walk of its tree into rows is compiled
(`html_tree.pyx`: libxml2's nodes read as C structs), so that reading a page costs little more
than parsing it. BeautifulSoup is only the fallback for markup lxml cannot parse.
Tables that contain other tables are page layout: their text is read as paragraphs and
only the innermost tables become grids (`GridRow`, exact column positions).
"""
from __future__ import annotations

from typing import Optional

from lxml import etree

from pipelines import encoding, rules
from pipelines.cells import Row
from pipelines.extract import ExtractError
from pipelines.extract.html_tree import body_rows, page_heads
from pipelines.titles import find_title

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_PARSER_UTF8 = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")


def _meta(metas: list[tuple[Optional[str], Optional[str]]], name: str) -> Optional[str]:
    for m_name, content in metas:
        if (m_name or "").lower() == name.lower() and (content or "").strip():
            return content.strip()
    return None


def page_title(doc) -> Optional[str]:
    """The page's report title: ArticleTitle meta, else <title>. When the title names no
    issuer (「2023年政府信息公开工作年度报告」), the ContentSource meta is put before it."""
    metas, text = page_heads(doc)  # one pass over the page for the <meta>s and the first <title>
    title = _meta(metas, "ArticleTitle")
    if title is None:
        title = (text or "").strip() or None
    source = _meta(metas, "ContentSource")
    if source and (title is None or find_title([[title]])[0] is None):
        candidate = source + (title or "")
        if title is None or find_title([[candidate]])[0] is not None:
            return candidate
    return title


def read_html(data: bytes, declared: Optional[str] = None) -> tuple[list[Row], Optional[str]]:
    """`html_to_rows` of a page's bytes decoded by `pipelines.encoding.decode`. When decode's first
    choice is UTF-8 and the bytes are valid UTF-8 (what decode would return), libxml2 gets the
    bytes as they are instead of a re-encoding of the text."""
    if encoding.utf8_first(data, declared):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            return html_to_rows(text, utf8=data)
    return html_to_rows(encoding.decode(data, declared))


def html_to_rows(html: str, utf8: Optional[bytes] = None) -> tuple[list[Row], Optional[str]]:
    """(rows, page title) of an HTML page; table rows are `GridRow`s. `utf8`: the page's bytes
    when `html` is exactly their UTF-8 decoding (see `read_html`)."""
    parser = _PARSER
    try:
        # plain etree elements: lxml.html's per-element class lookup costs more than the parse
        if not html or html.isspace():  # (not strip(): that copies the page)
            doc = None
        elif html.startswith("<?xml"):  # lxml refuses a str with an encoding declaration: bs4 reads it
            doc = etree.fromstring(html, parser)
        else:
            # UTF-8 bytes parse faster than a str (which libxml2 reads as UTF-16); same tree
            try:
                data = utf8 if utf8 is not None else html.encode("utf-8")
                parser = _PARSER_UTF8
            except UnicodeEncodeError:  # a lone surrogate
                data = html
            doc = etree.fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        doc = None
    if doc is None:
        return _bs4_rows(html)
    # Limit (hostile input): libxml2 stops at nesting depth 256 and drops what lies deeper; a page
    # read only in part must say so, not become a report without its tables.
    cut = next((e.message for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"), None)
    if cut:
        raise ExtractError(f"the HTML exceeds the parser's limits and would be read only in part: {cut}",
                           rules.E_HTML_TOO_DEEP)
    title = page_title(doc)
    body = doc.find("body")
    return body_rows(doc if body is None else body), title


def _bs4_rows(html: str) -> tuple[list[Row], Optional[str]]:
    """Markup lxml refuses (an empty or broken document): BeautifulSoup's lenient parser,
    its text as paragraphs (no table survives markup this broken as a grid anyway)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text().strip() if soup.title else None
    return [[t.strip()] for t in soup.get_text("\n").split("\n") if t.strip()], title or None
