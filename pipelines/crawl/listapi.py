"""List APIs read from a list page's own script, and their answers read back into links.

Recognised (the parameters must be in the page; nothing is guessed from the CMS's name alone):
- TRS search / trsapi calls written as an object literal, as `$.ajax` takes one:
  `{url: "/trsapi/search/doclist", type: "POST", data: {channelid: "34567", page: 1, pagesize: 10}}`
  (a form), or with `contentType: "application/json", data: JSON.stringify({...})` (a JSON body),
  and `$.post(url, {...})` / `$.getJSON(url, {...})`;
- JSON list endpoints: an empty list container's `data-url` (or a literal `.json` / `/api/` URL)
  that the script fetches with a page parameter appended (`url + "?page=" + p + "&size=4"`).
Hanweb's datastore + dataproxy.jsp is read in discover.py (its parameters are in the page's XML).

Answers: JSON (or JSONP) whose largest list of objects with a title and a URL is the list, with
a total from the usual keys; HTML fragments (in JSON strings or bare) are read for their anchors.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from pipelines.crawl.discover import Link, _anchor_title, _clean_url, _with_query, is_report_title

PAGE_KEYS = ("page", "pageno", "pagenum", "pageindex", "curpage", "currentpage", "pn", "p", "cp")
SIZE_KEYS = ("pagesize", "size", "perpage", "rows", "limit", "pagecount", "num", "ps")
_URL_KEYS = ("url", "docpuburl", "puburl", "docurl", "detailurl", "linkurl", "link", "href", "art_url", "path")
_TITLE_KEYS = ("title", "doctitle", "docname", "name", "maintitle", "subject", "标题")
_TOTAL_KEYS = ("total", "totalcount", "recordcount", "totalrecord", "totalrecords", "total_count", "count",
               "totalelements", "totalnum", "recordstotal", "totalsize")
# endpoints that are not lists (counters, statistics, search suggestions)
_NOT_LIST = re.compile(r"count|visit|hits|/tj/|stat|suggest|login|captcha", re.I)

_OBJ_URL = re.compile(r"""\burl\s*:\s*(["'])([^"']+)\1""")
_OBJ_METHOD = re.compile(r"""\b(?:type|method)\s*:\s*["'](post|get)["']""", re.I)
_OBJ_DATA = re.compile(r"""\bdata\s*:\s*(JSON\.stringify\(\s*)?\{([^{}]*)\}""")
_OBJ_JSON_TYPE = re.compile(r"""\bcontentType\s*:\s*["']application/json""", re.I)
_JQ_CALL = re.compile(r"""\$\.(post|getJSON|get)\(\s*(["'])([^"']+)\2\s*(?:,\s*\{([^{}]*)\})?""")
_PAIR = re.compile(r"""["']?([A-Za-z_$][\w$]*)["']?\s*:\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|[A-Za-z_$][\w$.]*)""")
_VAR = re.compile(r"""\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*("[^"]*"|'[^']*'|-?\d+)""")
_CONCAT_PARAM = re.compile(r"""["'][^"']*[?&]([A-Za-z_]\w*)=["']\s*\+""")
_LITERAL_PARAMS = re.compile(r"""[?&]([A-Za-z_]\w*)=([\w%.-]+)""")
_LITERAL_URL = re.compile(r"""(["'])((?:https?://[^"'\s]+|/[^"'\s]*|[\w./-]+)(?:\.json|/api/[^"'\s]*)[^"'\s]*)\1""")


@dataclass
class ListApi:
    family: str                      # trs | json
    url: str                         # the endpoint, without its paging parameters
    method: str                      # GET | POST
    params: dict[str, str] = field(default_factory=dict)  # the fixed parameters (a form for POST)
    page_key: Optional[str] = None
    size_key: Optional[str] = None
    size: Optional[int] = None
    first_page: int = 1
    json_body: bool = False          # POST the parameters as a JSON object, not a form
    evidence: str = ""               # what in the page it was read from

    def request(self, page: int) -> tuple[str, str, Optional[dict[str, str] | bytes], Optional[str]]:
        """(url, method, body, content type) of one page of the list: a form (dict) or JSON bytes."""
        params: dict = dict(self.params)
        if self.page_key:
            params[self.page_key] = str(page)
        if self.method == "POST" and self.json_body:
            typed = {k: int(v) if isinstance(v, str) and v.isdigit() and (k == self.page_key or k == self.size_key)
                     else v for k, v in params.items()}
            return self.url, "POST", json.dumps(typed, ensure_ascii=False).encode("utf-8"), "application/json"
        if self.method == "POST":
            return self.url, "POST", params, None
        return (_with_query(self.url, params) if params else self.url), "GET", None, None

    def last_page(self, total: Optional[int]) -> Optional[int]:
        if total is None or not self.size:
            return None
        return self.first_page + max(0, math.ceil(total / self.size) - 1)


def _literal(value: str, variables: dict[str, str]) -> Optional[str]:
    if value[:1] in "\"'":
        return value[1:-1]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", value):
        return value
    return variables.get(value)


def _key_in(key: str, names: tuple[str, ...]) -> bool:
    return key.lower() in names


def _from_params(family: str, url: str, method: str, pairs: list[tuple[str, str]], variables: dict[str, str],
                 evidence: str) -> ListApi:
    api = ListApi(family, url, method.upper(), evidence=evidence)
    for key, raw in pairs:
        value = _literal(raw, variables)
        if _key_in(key, PAGE_KEYS) and api.page_key is None:
            api.page_key = key
            if value is not None and value.isdigit():
                api.first_page = min(int(value), 1)
            continue
        if _key_in(key, SIZE_KEYS) and api.size_key is None:
            api.size_key = key
            if value is not None and value.isdigit():
                api.size = int(value)
        if value is not None:
            api.params[key] = value
    return api


def _split_url(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return (urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
            [(k, repr(v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)])


def _family(url: str, params: dict[str, str]) -> str:
    u = url.lower()
    return "trs" if ("trsapi" in u or "/was5/" in u or "/trs" in u or "channelid" in {k.lower() for k in params}) else "json"


def find_list_apis(html: str, page_url: str, data_urls: list[str]) -> list[ListApi]:
    """The paged list APIs a list page's script calls, with the parameters it passes."""
    soup = BeautifulSoup(html, "lxml")
    scripts = "\n".join(s.string or "" for s in soup.find_all("script")
                        if s.get("type") not in ("text/xml", "application/json"))
    variables = {m.group(1): _literal(m.group(2), {}) or "" for m in _VAR.finditer(scripts)}
    out: list[ListApi] = []

    def keep(api: ListApi) -> None:
        if _NOT_LIST.search(urlsplit(api.url).path):
            return
        if api.page_key is None and api.family == "trs" and api.method == "POST":
            return  # a search box, not a list
        if all((a.url, a.method) != (api.url, api.method) for a in out):
            out.append(api)

    for m in _OBJ_URL.finditer(scripts):
        window = scripts[m.end(): m.end() + 800]
        head = scripts[max(0, m.start() - 200): m.start()]
        method = _OBJ_METHOD.search(window) or _OBJ_METHOD.search(head)
        data = _OBJ_DATA.search(window)
        if data is None:
            continue
        base, query = _split_url(urljoin(page_url, m.group(2)))
        pairs = query + _PAIR.findall(data.group(2))
        api = _from_params("", base, method.group(1) if method else "GET", pairs, variables, f"url: {m.group(2)!r} + data")
        api.family = _family(base, api.params)
        api.json_body = api.method == "POST" and bool(data.group(1) or _OBJ_JSON_TYPE.search(window))
        keep(api)
    for m in _JQ_CALL.finditer(scripts):
        base, query = _split_url(urljoin(page_url, m.group(3)))
        pairs = query + (_PAIR.findall(m.group(4)) if m.group(4) else [])
        api = _from_params("", base, "POST" if m.group(1) == "post" else "GET", pairs, variables,
                           f"$.{m.group(1)}({m.group(3)!r})")
        api.family = _family(base, api.params)
        keep(api)
    # JSON endpoints: a data URL (or a literal .json / /api/ URL) fetched with parameters appended
    urls = list(data_urls) + [urljoin(page_url, m.group(2)) for m in _LITERAL_URL.finditer(scripts)]
    if urls:
        concat = _CONCAT_PARAM.findall(scripts)
        literal = [(k, repr(v)) for k, v in _LITERAL_PARAMS.findall(" ".join(re.findall(r"""["']([^"']*)["']""", scripts)))]
        for url in urls:
            base, query = _split_url(url)
            pairs = query + [(k, "page") for k in concat if _key_in(k, PAGE_KEYS)] + \
                [(k, v) for k, v in literal if not _key_in(k, PAGE_KEYS)]
            api = _from_params("json", base, "GET", pairs, {}, f"data URL {url}")
            keep(api)
    return out


# ---------------------------------------------------------------- answers


@dataclass
class ApiPage:
    links: list[Link]          # the report-titled ones (discover.is_report_title)
    entries: list[str]         # every record's URL
    total: Optional[int]


def _records(node: Any) -> list[list[dict]]:
    found = []
    if isinstance(node, list):
        dicts = [x for x in node if isinstance(x, dict)]
        if dicts:
            found.append(dicts)
        for x in node:
            found += _records(x)
    elif isinstance(node, dict):
        for v in node.values():
            found += _records(v)
    return found


def _field(d: dict, names: tuple[str, ...]) -> Optional[str]:
    low = {str(k).lower(): v for k, v in d.items()}
    for n in names:
        v = low.get(n)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _total(node: Any, depth: int = 0) -> Optional[int]:
    if depth > 4:
        return None
    if isinstance(node, dict):
        for k, v in node.items():
            if str(k).lower() in _TOTAL_KEYS and isinstance(v, (int, str)) and str(v).isdigit():
                return int(v)
        for v in node.values():
            if isinstance(v, dict):
                t = _total(v, depth + 1)
                if t is not None:
                    return t
    return None


def _html_links(fragment: str, base_url: str) -> list[tuple[str, str]]:
    out = []
    for a in BeautifulSoup(fragment, "lxml").find_all("a", href=True):
        url = _clean_url(a["href"], base_url)
        if url:
            out.append((url, _anchor_title(a)))
    return out


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for x in node for s in _strings(x)]
    if isinstance(node, dict):
        return [s for x in node.values() for s in _strings(x)]
    return []


def read_api_page(text: str, base_url: str) -> ApiPage:
    """Links and the declared total in one answer of a list API."""
    body = text.strip().lstrip("\ufeff")
    jsonp = re.fullmatch(r"[\w$.]+\s*\((.*)\)\s*;?", body, re.S)
    try:
        doc = json.loads(jsonp.group(1) if jsonp else body)
    except (json.JSONDecodeError, ValueError):
        doc = None
    pairs: list[tuple[str, str]] = []
    total = None
    if doc is not None:
        total = _total(doc)
        best: list[tuple[str, str]] = []
        for recs in _records(doc):
            got = [(u, t) for d in recs if (u := _field(d, _URL_KEYS)) and (t := _field(d, _TITLE_KEYS))]
            if len(got) > len(best):
                best = got
        pairs = [(urljoin(base_url, u), t) for u, t in best]
        if not pairs:
            for s in _strings(doc):
                if "<a" in s:
                    pairs += _html_links(s, base_url)
    elif "<a" in body:
        pairs = _html_links(body, base_url)
    entries, links = [], []
    for url, title in pairs:
        url = _clean_url(url, base_url) or url
        if url not in entries:
            entries.append(url)
            if is_report_title(title):
                links.append(Link(url, title))
    return ApiPage(links, entries, total)
