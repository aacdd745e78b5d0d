"""Generic discovery on portal pages (no per-site code): report links, pagination, sub-columns,
Hanweb datastores on list pages; body, meta tags and attachments on detail pages."""
from __future__ import annotations

import html as html_mod
import posixpath
import re
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from pipelines.charset import decode, meta_charset

ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx")
_YEAR = re.compile(r"(?:19|20)\d\d")
_REPORT_WORDS = re.compile(r"年度报告|年报|信息公开工作年|公开工作报告|信息公开情况报告")
_TRUNCATED = re.compile(r"(?:\.\.\.?|…+)$")
# Items about reports that are not reports: notices on compiling them, graphic explainers, indexes.
_NOT_REPORT = re.compile(r"通知|印发|编制|解读|图解|指南|要点|目录|考核|评议|说明会")
_NEXT_WORDS = {"下一页", "下页", "后一页", "尾页", "末页", "最后一页", ">", ">>", "»"}
_LISTLIKE_FILE = re.compile(r"^(?:index|list|default)(?:_\d+)?\.(?:s?html?|jsp|aspx?|php)$", re.I)
_DETAIL_FILE = re.compile(r"^t\d{8}_\d+\.s?html?$|^art_\d+_\d+\.html$|^content_\d+|^post_\d+", re.I)
_BODY_SELECTORS = (".TRS_Editor", ".trs_editor_view", "#zoom", "#ivs_content", "#webeditorview",
                   ".Custom_UnionStyle", ".xxgk_content", ".article-content", ".article_content",
                   "#UCAP-CONTENT", ".view.TRS_UEDITOR", "#content", "article")


@dataclass
class Link:
    url: str
    title: str


@dataclass
class HanwebQuery:
    """A Hanweb (大汉 JCMS) column: further records come from POSTs to dataproxy.jsp."""

    proxy_url: str
    form: dict[str, str]
    total: Optional[int]
    perpage: int
    first_count: int

    def requests(self, cap: int) -> list[tuple[str, dict[str, str]]]:
        """(url, form) of the POSTs for the records after the embedded ones, at most `cap`."""
        out = []
        if not self.total or self.perpage <= 0:
            return out
        start = self.first_count + 1
        while start <= self.total and len(out) < cap:
            end = min(self.total, start + self.perpage - 1)
            url = _with_query(self.proxy_url, {"startrecord": str(start), "endrecord": str(end),
                                               "perpage": str(self.perpage)})
            out.append((url, dict(self.form)))
            start = end + 1
        return out


@dataclass
class ListPage:
    reports: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)        # pagination of this (sub-)column
    subcolumns: list[str] = field(default_factory=list)   # year / unit sub-columns
    hanweb: Optional[HanwebQuery] = None
    # what the list says of its own size, to tell a complete list from a short one
    entries: list[str] = field(default_factory=list)      # every list entry linked (reports or not)
    declared: Optional[int] = None                        # records the pager script or text declares
    script_pager: bool = False                            # a 下一页 that is a script call
    data_urls: list[str] = field(default_factory=list)    # empty list containers with a data URL


@dataclass
class Detail:
    title: Optional[str]
    pubdate: Optional[str]
    content_source: Optional[str]
    body_html: str
    body_text_len: int
    attachments: list[Link] = field(default_factory=list)

    def document_html(self) -> bytes:
        """The article alone, as a small UTF-8 page the extract stage reads (menus and footers
        of the portal are left out; the title travels as the ArticleTitle meta)."""
        title = html_mod.escape(self.title or "", quote=True)
        return (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
                f"<title>{title}</title></head><body>{self.body_html}</body></html>").encode("utf-8")


def page_text(data: bytes, content_type_charset: Optional[str] = None) -> str:
    """Bytes of a page -> text: the HTTP charset, else <meta charset>, then BOM/UTF-8/GB18030/detection
    (pipelines.charset.decode; gb2312/gbk read as gb18030)."""
    declared = content_type_charset or meta_charset(data)
    return decode(data, declared)


def column_prefix(start_url: str) -> str:
    """The column's path prefix: the directory of the start page."""
    path = urlsplit(start_url).path or "/"
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


def in_column(url: str, start_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(start_url)
    return a.netloc.lower() == b.netloc.lower() and (a.path or "/").startswith(column_prefix(start_url))


def is_report_title(title: str) -> bool:
    t = re.sub(r"\s+", "", title)
    if not _YEAR.search(t) or _NOT_REPORT.search(t):
        return False
    if _REPORT_WORDS.search(t):
        return True
    # truncated anchor text: 「阜新市人民政府办公室2023年政府信息公…」
    return bool(_TRUNCATED.search(t) and "信息公" in t)


def is_attachment(url: str) -> bool:
    parts = urlsplit(url)
    if parts.path.lower().endswith(ATTACHMENT_EXTS):
        return True
    # download scripts: /module/download/downfile.jsp?filename=xxx.pdf
    return any(v.lower().endswith(ATTACHMENT_EXTS) for _, v in parse_qsl(parts.query))


def attachment_name(url: str) -> str:
    parts = urlsplit(url)
    for _, v in parse_qsl(parts.query):
        if v.lower().endswith(ATTACHMENT_EXTS):
            return posixpath.basename(v)
    return unquote(posixpath.basename(parts.path)) or "attachment"


def _anchor_title(a: Tag) -> str:
    text = " ".join(a.get_text(" ", strip=True).split())
    attr = (a.get("title") or "").strip()
    # the title attribute holds the full title when the text is truncated
    return attr if len(attr) >= len(text) else text


def _clean_url(href: str, base: str) -> Optional[str]:
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme in ("data", "about", "blob"):
        return None
    # other schemes (file://, ftp://) are kept: a report-titled one is then refused by the fetcher's
    # scope check with an out-of-scope finding instead of vanishing silently
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _is_listlike(url: str) -> bool:
    name = posixpath.basename(urlsplit(url).path)
    return name == "" or bool(_LISTLIKE_FILE.match(name))


def discover_list(html: str, page_url: str, start_url: str) -> ListPage:
    soup = BeautifulSoup(html, "lxml")
    out = ListPage()
    seen: set[str] = set()

    def add_report(url: str, title: str) -> None:
        if url not in seen:
            seen.add(url)
            out.reports.append(Link(url, title))

    def add(lst: list[str], url: str) -> None:
        if url not in lst and url != page_url:
            lst.append(url)

    entries: list[str] = []
    for a in soup.find_all("a"):
        plain = re.sub(r"\s+", "", a.get_text("", strip=True))
        href = (a.get("href") or "").strip()
        if plain in _NEXT_WORDS and (not href or href.startswith(("javascript:", "#"))):
            out.script_pager = True
        if not href:
            continue
        url = _clean_url(href, page_url)
        if url is None:
            continue
        title = _anchor_title(a)
        if plain in _NEXT_WORDS or (plain.isdigit() and len(plain) <= 4):
            if in_column(url, start_url):
                add(out.pages, url)
            continue
        if _is_listlike(url) and in_column(url, start_url) and not is_attachment(url):
            if urlsplit(url).path != urlsplit(page_url).path and not _same_column_page(url, page_url):
                add(out.subcolumns, url)
            continue
        if is_report_title(title):
            add_report(url, title)
        if (is_report_title(title) or is_attachment(url) or _DETAIL_FILE.match(posixpath.basename(urlsplit(url).path))
                or (in_column(url, start_url) and not _is_listlike(url))):
            add(entries, url)
    # a 下一页 button or span with a click handler is a script pager too
    out.script_pager = out.script_pager or any(
        re.sub(r"\s+", "", el.get_text("", strip=True)) in _NEXT_WORDS
        for el in soup.find_all(["button", "span", "li", "div", "input"], onclick=True))
    out.entries = entries
    out.declared = declared_records(soup)
    out.data_urls = empty_list_data_urls(soup, page_url)

    for url in trs_pages(html, page_url):
        add(out.pages, url)

    hanweb = _hanweb(soup, html, page_url)
    if hanweb is not None:
        links, out.hanweb = hanweb
        for link in links:
            add_report(link.url, link.title)
        for url in hanweb_record_urls("\n".join(s.string or "" for s in soup.find_all("script", attrs={"type": "text/xml"})),
                                      page_url):
            add(out.entries, url)
    return out


# record counts a pager script declares (TRS `var recordCount = 20`, Hanweb jpage `totalRecord: 8`, …)
_DECLARED_VAR = re.compile(r"\b(?:recordCount|record_count|totalRecords?|total_record|totalCount|total_count|"
                           r"allRecordCount|totalNum|m_nRecordCount|itemCount)\s*[:=]\s*[\"']?(\d+)", re.I)
_DECLARED_TEXT = re.compile(r"共\s*(\d+)\s*(?:条|篇)")
_DATA_URL_ATTRS = ("data-url", "data-src", "data-api", "data-source", "data-list-url", "data-href")


def declared_records(soup: BeautifulSoup) -> Optional[int]:
    """The number of records the list says it has: a pager script's count, else a 「共 N 条」 text."""
    for s in soup.find_all("script"):
        if s.get("type") == "text/xml":
            continue
        m = _DECLARED_VAR.search(s.string or "")
        if m:
            return int(m.group(1))
    body = soup.body or soup
    m = _DECLARED_TEXT.search(body.get_text(" ", strip=True))
    return int(m.group(1)) if m else None


def empty_list_data_urls(soup: BeautifulSoup, page_url: str) -> list[str]:
    """Data URLs of list containers that hold no link yet (a script fills them)."""
    out = []
    for el in soup.find_all(["ul", "ol", "div", "table", "tbody", "section", "dl"]):
        if el.find("a", href=True) is not None:
            continue
        for attr in _DATA_URL_ATTRS:
            v = (el.get(attr) or "").strip()
            if v and not v.startswith(("javascript:", "#")):
                out.append(urljoin(page_url, v))
                break
    return out


def _same_column_page(url: str, page_url: str) -> bool:
    """index_3.html beside index.html is a page of this column, not a sub-column."""
    return posixpath.dirname(urlsplit(url).path) == posixpath.dirname(urlsplit(page_url).path)


_CREATE_PAGE = re.compile(r"createPageHTML\(\s*([\w.]+)\s*,\s*([\w.]+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*[\"']?(\d+)")


def trs_pages(html: str, page_url: str) -> list[str]:
    """TRS WCM: `createPageHTML(countPage, currentPage, "index", "shtml")` -> index.shtml,
    index_1.shtml … index_{n-1}.shtml beside the page."""
    m = _CREATE_PAGE.search(html)
    count_m = _COUNT_PAGE.search(html)
    count = None
    if m and m.group(1).isdigit():
        count = int(m.group(1))
    elif count_m:
        count = int(count_m.group(1))
    if not count:
        return []
    if m:
        prefix, ext = m.group(3), m.group(4)
    else:
        name = posixpath.basename(urlsplit(page_url).path) or "index.html"
        stem, _, ext = name.partition(".")
        prefix, ext = re.sub(r"_\d+$", "", stem), ext or "html"
    pages = [urljoin(page_url, f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}") for i in range(count)]
    if urlsplit(page_url).path.endswith("/"):
        pages[0] = page_url  # the directory URL is page 0: do not fetch it twice
    return pages


_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
_PROXY = re.compile(r"""(/module/web/jpage/dataproxy\.jsp[^"'<>\s]*)""")
_TOTAL = re.compile(r"(?:<totalrecord>\s*|totalRecord\s*[:=]\s*[\"']?)(\d+)", re.I)
_PERPAGE = re.compile(r"(?:<perpage>\s*|perPage\s*[:=]\s*[\"']?)(\d+)", re.I)


def hanweb_records(xml_text: str, base_url: str) -> list[Link]:
    """Report links inside a Hanweb datastore (`<record><![CDATA[<li><a …>]]></record>`)."""
    links = []
    for frag in _RECORD.findall(xml_text):
        for a in BeautifulSoup(frag, "lxml").find_all("a", href=True):
            url = _clean_url(a["href"], base_url)
            title = _anchor_title(a)
            if url and is_report_title(title):
                links.append(Link(url, title))
    return links


def hanweb_record_urls(xml_text: str, base_url: str) -> list[str]:
    """Every record's link in a Hanweb datastore (reports or not): what the list counts."""
    out = []
    for frag in _RECORD.findall(xml_text):
        a = BeautifulSoup(frag, "lxml").find("a", href=True)
        url = _clean_url(a["href"], base_url) if a else None
        if url and url not in out:
            out.append(url)
    return out


def _hanweb(soup: BeautifulSoup, html: str, page_url: str) -> Optional[tuple[list[Link], HanwebQuery]]:
    stores = [s.string or "" for s in soup.find_all("script", attrs={"type": "text/xml"})]
    stores = [s for s in stores if "<datastore" in s]
    if not stores:
        return None
    xml = "\n".join(stores)
    links = hanweb_records(xml, page_url)
    first_count = len(_RECORD.findall(xml))
    proxy = None
    ng = _NEXTGROUP.search(xml)
    if ng:
        a = BeautifulSoup(ng.group(1), "lxml").find("a", href=True)
        proxy = a["href"] if a else None
    if proxy is None:
        m = _PROXY.search(html)
        proxy = html_mod.unescape(m.group(1)) if m else None
    if proxy is None:
        return links, HanwebQuery("", {}, None, 0, first_count)
    proxy_url = urljoin(page_url, proxy)
    parts = urlsplit(proxy_url)
    form = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in ("startrecord", "endrecord", "perpage", "page")}
    form.setdefault("col", "1")
    form.setdefault("appid", "1")
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    total = _TOTAL.search(html)
    perpage = _PERPAGE.search(html)
    return links, HanwebQuery(base, form, int(total.group(1)) if total else None,
                              int(perpage.group(1)) if perpage else max(first_count, 1), first_count)


def _with_query(url: str, params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    parts = urlsplit(url)
    q = dict(parse_qsl(parts.query, keep_blank_values=True))
    q.update(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), ""))


def _meta(soup: BeautifulSoup, name: str) -> Optional[str]:
    tag = soup.find("meta", attrs={"name": re.compile(f"^{name}$", re.I)})
    return tag["content"].strip() if tag and tag.get("content") else None


def parse_detail(html: str, page_url: str) -> Detail:
    soup = BeautifulSoup(html, "lxml")
    title = _meta(soup, "ArticleTitle")
    if not title:
        h = soup.find(["h1", "h2"])
        title = h.get_text("", strip=True) if h else (soup.title.get_text(strip=True) if soup.title else None)
    attachments, seen = [], set()
    for a in soup.find_all("a", href=True):
        url = _clean_url(a["href"], page_url)
        if url and is_attachment(url) and url not in seen:
            seen.add(url)
            attachments.append(Link(url, _anchor_title(a) or attachment_name(url)))
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    body = None
    for sel in _BODY_SELECTORS:
        body = soup.select_one(sel)
        if body is not None and body.get_text(strip=True):
            break
        body = None
    if body is None:
        body = largest_text_block(soup)
    text_len = len(body.get_text("", strip=True)) if body is not None else 0
    return Detail(title=title, pubdate=_meta(soup, "PubDate"), content_source=_meta(soup, "ContentSource"),
                  body_html=str(body) if body is not None else "", body_text_len=text_len,
                  attachments=attachments)


def largest_text_block(soup: BeautifulSoup) -> Optional[Tag]:
    """The element holding the most text in its own paragraphs and tables (not in nested blocks,
    links or lists: menus are lists of links)."""
    best, best_score = None, 0
    for el in soup.find_all(["div", "td", "article", "section", "body"]):
        score = 0
        for child in el.children:
            if isinstance(child, Tag):
                if child.name in ("div", "section", "article", "ul", "ol", "nav", "a", "header", "footer"):
                    continue
                score += len(child.get_text("", strip=True)) - sum(
                    len(a.get_text("", strip=True)) for a in child.find_all("a"))
            else:
                score += len(str(child).strip())
        if score > best_score:
            best, best_score = el, score
    return best


def is_js_shell(html: str) -> bool:
    """A page that is only a script (a JS challenge or a JS-rendered shell): no text, no links."""
    soup = BeautifulSoup(html, "lxml")
    scripts = soup.find_all("script")
    if not scripts:
        return False
    has_data = any(s.get("type") == "text/xml" for s in scripts)
    for s in scripts:
        s.decompose()
    text = soup.get_text("", strip=True)
    return not has_data and len(text) < 40 and not soup.find("a", href=True)
