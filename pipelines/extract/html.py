"""HTML pages -> rows: paragraphs as one-cell rows, tables expanded to a rectangular grid.

lxml directly (a tree walk in C-backed calls) keeps this within a small factor of parsing
the page at all; BeautifulSoup is only the fallback for markup lxml cannot parse.
Tables that contain other tables are page layout: their text is read as paragraphs and
only the innermost tables become grids (`GridRow`, exact column positions).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from lxml import etree

from pipelines import encoding, rules
from pipelines.cells import GridRow, Row, is_value
from pipelines.extract import ExtractError
from pipelines.titles import find_title

_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
                     "article", "table", "tbody", "thead", "tfoot", "blockquote", "pre", "dd", "dt", "dl", "hr",
                     "header", "footer", "center", "form", "caption"})
_BLOCK_CELLS = _BLOCKS | {"td", "th"}  # elements that end the line before and after them
_SKIP = frozenset({"script", "style", "noscript", "head", "title", "meta", "link", "iframe", "select", "option",
                   "textarea", "button", "svg"})
_WS = re.compile(r"\s+")
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_PARSER_UTF8 = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")
# Limit (hostile input): positions one table's row/colspans may expand to. A report table has a few
# hundred; without a cap 1000 cells of rowspan=100 colspan=100 (43 KB) expand to 10 M positions.
MAX_SPANNED_CELLS = 200_000


def cell_text(td) -> str:
    # <br> and <p> inside a label break its text, not the label
    return _WS.sub("", _tostring(td, method="text", encoding=str, with_tail=False))


_tostring = etree.tostring


def table_grid(table) -> list[Row]:
    """Expand rowspan/colspan into a grid. A spanned label is repeated into every position
    it covers; a spanned value is not (its column would be a guess): those positions are blank."""
    grid: list[Row] = []
    pending: dict[int, dict[int, str]] = {}  # row -> {col: text carried down by a rowspan}
    spanned = 0
    tostring = _tostring
    for r, tr in enumerate(_own_rows(table)):
        out: Row = GridRow()
        append = out.append
        carried = pending.pop(r, None)  # this row's positions taken by rowspans from above
        col = 0
        for td in tr:
            tag = td.tag
            if tag != "td" and tag != "th":
                continue
            if carried:
                while col in carried:
                    append(carried.pop(col))
                    col += 1
            if len(td):
                text = "".join(tostring(td, method="text", encoding=str, with_tail=False).split())
            else:
                text = td.text
                text = "".join(text.split()) if text else ""
            get = td.get
            colspan, rowspan = get("colspan"), get("rowspan")
            if colspan is None and rowspan is None:
                append(text)
                col += 1
                continue
            colspan, rowspan = _span(colspan), _span(rowspan)
            spanned += colspan * rowspan
            if spanned > MAX_SPANNED_CELLS:
                raise ExtractError(f"a table whose row/colspans expand to over {MAX_SPANNED_CELLS:,} cells "
                                   "(no report table has this many)", rules.E_HTML_TABLE_TOO_LARGE)
            spread = "" if is_value(text) else text
            if not spread and colspan > 1 and text:  # one number, whatever its span
                out.mark_span(len(out) + 1, colspan - 1)
            for dc in range(colspan):
                append(text if dc == 0 else spread)
                for dr in range(1, rowspan):
                    below = pending.get(r + dr)
                    if below is None:
                        below = pending[r + dr] = {}
                    below[col + dc] = spread
            col += colspan
        if carried:
            while col in carried:
                append(carried.pop(col))
                col += 1
        grid.append(out)
    return grid


def _own_rows(table):
    """The table's rows, through thead/tbody/tfoot, not those of nested tables."""
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            for tr in child:
                if isinstance(tr.tag, str) and tr.tag == "tr":
                    yield tr


@lru_cache(maxsize=256)
def _span(v: Optional[str]) -> int:
    if v is None:
        return 1
    try:
        return max(1, min(int(str(v).strip()), 100))
    except (TypeError, ValueError):
        return 1


def _meta(metas: list, name: str) -> Optional[str]:
    for m in metas:
        if (m.get("name") or "").lower() == name.lower() and (m.get("content") or "").strip():
            return m.get("content").strip()
    return None


def page_title(doc) -> Optional[str]:
    """The page's report title: ArticleTitle meta, else <title>. When the title names no
    issuer (「2023年政府信息公开工作年度报告」), the ContentSource meta is put before it."""
    # one pass over the page for the <meta>s and the first <title>
    metas = []
    t = None
    for el in doc.iterdescendants("meta", "title"):
        if el.tag == "meta":
            metas.append(el)
        elif t is None:
            t = el
    title = _meta(metas, "ArticleTitle")
    if title is None:
        text = "".join(t.itertext()).strip() if t is not None else ""
        title = text or None
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
    if body is None:
        body = doc
    rows: list[Row] = []
    line: list[str] = []

    def flush() -> None:
        if line:
            text = "".join(line).replace("\xa0", " ").strip()
            line.clear()
            for part in text.split("\n"):
                part = part.strip()
                if part:
                    rows.append([part])

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment or processing instruction
            if el.tail:
                line.append(el.tail)
            return
        if tag in _SKIP:
            if el.tail:
                line.append(el.tail)
            return
        if tag == "table" and next(el.iterdescendants("table"), None) is None:
            flush()
            rows.extend(r for r in table_grid(el) if any(r))
            if el.tail:
                line.append(el.tail)
            return
        if tag == "p" and (not len(el) or next(el.iterdescendants("br", "table"), None) is None):
            # a paragraph (no block can nest in <p>): its text in one call (without children: its .text)
            flush()
            text = (_tostring(el, method="text", encoding=str, with_tail=False) if len(el) else el.text or "") \
                .replace("\xa0", " ").strip()
            if text:
                rows.extend([part.strip()] for part in text.split("\n") if part.strip())
            if el.tail:
                line.append(el.tail)
            return
        block = tag in _BLOCK_CELLS
        if block:
            flush()
        if el.text:
            line.append(el.text)
        for child in el:
            ctag = child.tag
            if isinstance(ctag, str) and not len(child) and ctag not in _BLOCK_CELLS and ctag not in _SKIP:
                # an inline element without children (a link, a span): what walk() does with it, inline
                if child.text:
                    line.append(child.text)
                if child.tail:
                    line.append(child.tail)
                continue
            walk(child)
        if block:
            flush()
        if el.tail:
            line.append(el.tail)

    walk(body)
    flush()
    return rows, title


def _bs4_rows(html: str) -> tuple[list[Row], Optional[str]]:
    """Markup lxml refuses (an empty or broken document): BeautifulSoup's lenient parser,
    its text as paragraphs (no table survives markup this broken as a grid anyway)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text().strip() if soup.title else None
    return [[t.strip()] for t in soup.get_text("\n").split("\n") if t.strip()], title or None
