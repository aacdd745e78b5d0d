"""Lists built by script (issue 15), on the bundled demo portal's `demo-js` columns served on 127.0.0.1:
a TRS-style column with page 1 static and the rest behind a POST search API, and a list filled from a
JSON endpoint. Every report is found by the API replay and, separately, by the browser (headless
Chromium whose every request goes through the crawler's gate); robots.txt and per-host pacing hold for
the browser's requests; a short list that neither path can complete is a C-list-incomplete finding."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import duckdb
import pytest

from conftest import expected_record
from pipelines import warehouse
from pipelines.crawl import browser
from pipelines.crawl.demo_server import DEMO_SCRIPT_COLUMNS, DEMO_SITE, serve_demo_portal
from pipelines.crawl.discover import discover_list
from pipelines.crawl.listapi import find_list_apis, read_api_page
from pipelines.crawl.run import CrawlConfig, Source, crawl
from pipelines.pipeline.crawled import load_crawl, parse_crawl
from pipelines.record import APPLICANTS

FAST = dict(backoff=0.01, connect_timeout=2, read_timeout=5, progress=False)
NO_BROWSER = browser.unavailable()
needs_browser = pytest.mark.skipif(NO_BROWSER is not None, reason=f"browser fallback unavailable: {NO_BROWSER}")

# the demo columns' reports, as their pages title them (data/demo_portal/build.py)
FGW = ("演示市发展和改革委员会", "演示市粮食和物资储备局", "演示市能源局", "演示市价格认证中心", "演示市重点项目服务中心",
       "演示市经济信息中心", "演示市节能监察中心", "演示市以工代赈办公室", "演示市国防动员办公室", "演示市口岸服务中心")
JYJ = ("演示市教育局", "演示市教育考试院", "演示市招生考试办公室")
REPORT_IDS = {f"{y}/{i}" for y in (2023, 2022) for i in FGW + JYJ}
MADE_FROM = json.loads((DEMO_SITE / "_api" / "made_from.json").read_text(encoding="utf-8"))


def _page(path: str) -> str:
    return (DEMO_SITE / path.lstrip("/")).read_text(encoding="utf-8")


def test_static_pages_say_they_are_short_and_name_their_apis():
    fgw_url, jyj_url = (f"http://h{p}" for p in DEMO_SCRIPT_COLUMNS)
    fgw = discover_list(_page(DEMO_SCRIPT_COLUMNS[0]), fgw_url, fgw_url)
    # the page's script: `var recordCount = 20;`, ten <li> links, 下一页 is onclick="loadPage(2)"
    assert fgw.declared == 20 and len(fgw.entries) == 10 and len(fgw.reports) == 10 and fgw.script_pager
    [api] = find_list_apis(_page(DEMO_SCRIPT_COLUMNS[0]), fgw_url, fgw.data_urls)
    assert (api.family, api.method, api.url) == ("trs", "POST", "http://h/trsapi/search/doclist")
    assert (api.page_key, api.size_key, api.size, api.first_page) == ("page", "pagesize", 10, 1)
    assert api.params == {"channelid": "34567", "siteid": "12", "pagesize": "10", "order": "-docreltime"}
    assert api.request(2) == ("http://h/trsapi/search/doclist", "POST", {**api.params, "page": "2"}, None)

    jyj = discover_list(_page(DEMO_SCRIPT_COLUMNS[1]), jyj_url, jyj_url)
    # an empty <ul data-url="/zfxxgk/bmnb/jyj/list.json">, fetched with "?page=" + p + "&size=4"
    assert jyj.entries == [] and jyj.declared is None
    assert jyj.data_urls == ["http://h/zfxxgk/bmnb/jyj/list.json"]
    [api] = find_list_apis(_page(DEMO_SCRIPT_COLUMNS[1]), jyj_url, jyj.data_urls)
    assert (api.family, api.method, api.page_key, api.size) == ("json", "GET", "page", 4)
    assert api.request(2)[0] == "http://h/zfxxgk/bmnb/jyj/list.json?size=4&page=2"


def test_trsapi_call_with_a_json_body(tmp_path):
    """`$.ajax({url, type: "post", contentType: "application/json", data: JSON.stringify({...})})`: the
    replay POSTs the same JSON object, page by page, through the crawler."""
    page = ("<html><body><ul>" + "".join(f'<li><a href="/c/t2024011{i}_{i}.html">某局{2024 - i}年政府信息公开工作年度报告'
                                         f"</a></li>" for i in range(1, 3)) + "</ul><span>共 5 条</span>"
            '<script>var cid = "88"; function more(p) { $.ajax({url: "/trsapi/gov/list", type: "post", '
            'contentType: "application/json", data: JSON.stringify({channelId: cid, pageNo: p, pageSize: 2}), '
            "success: draw}); }</script></body></html>")
    [api] = find_list_apis(page, "http://h/c/index.html", [])
    assert (api.family, api.method, api.json_body, api.page_key, api.size) == ("trs", "POST", True, "pageNo", 2)
    assert api.params == {"channelId": "88", "pageSize": "2"}
    assert api.request(3)[2:] == (b'{"channelId": "88", "pageSize": 2, "pageNo": 3}', "application/json")
    bodies = []

    def trsapi(handler, body):
        bodies.append((handler.headers.get("Content-Type"), json.loads(body)))
        n = json.loads(body)["pageNo"]
        rows = [{"title": f"某局{2024 - i}年政府信息公开工作年度报告", "url": f"/c/t2024011{i}_{i}.html"}
                for i in range(1, 6)][(n - 1) * 2: n * 2]
        return 200, {"Content-Type": "application/json"}, json.dumps({"data": {"total": 5, "rows": rows}}).encode()

    (tmp_path / "robots.txt").write_text("")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "index.html").write_text(page, encoding="utf-8")
    for i in range(1, 6):
        (tmp_path / "c" / f"t2024011{i}_{i}.html").write_text(f"<html><body><div id='zoom'><p>某局{2024 - i}年"
                                                             "政府信息公开工作年度报告</p></div></body></html>",
                                                             encoding="utf-8")
    with serve_demo_portal(tmp_path, faults={}, routes={"/trsapi/gov/list": trsapi}) as portal:
        res = crawl([portal.url("/c/index.html")], tmp_path / "d", CrawlConfig(min_interval=0.01, **FAST))
    assert not res.failures and len(res.docs) == 5
    assert [(t, b["pageNo"]) for t, b in bodies] == [("application/json", 1), ("application/json", 2),
                                                      ("application/json", 3)]


def test_script_pagers():
    u = "http://h/c/index.html"
    assert not discover_list('<a href="index_1.html" onclick="track()">下一页</a>', u, u).script_pager  # a real link
    assert discover_list('<a href="#" onclick="go(2)">下一页</a>', u, u).script_pager
    assert discover_list('<span class="next" onclick="go(2)">下一页</span>', u, u).script_pager


def test_hanweb_datastore_without_its_proxy_url_is_short():
    # a jpage list declaring 8 records, 3 in the page's datastore, and no dataproxy.jsp URL to ask
    records = "".join(f'<record><![CDATA[<li><a href="/art/2024/1/{i}/art_9_{i}.html">某县单位{i}2023年政府信息公开'
                      f'工作年度报告</a></li>]]></record>' for i in range(1, 4))
    html = (f'<html><body><div id="9"><script type="text/xml"><datastore><recordset>{records}</recordset>'
            '</datastore></script></div><script>$("#9").jpage({perPage: 3, totalRecord: 8});</script></body></html>')
    page = discover_list(html, "http://h/col/col9/index.html", "http://h/col/col9/index.html")
    assert page.declared == 8 and len(page.entries) == 3 and len(page.reports) == 3
    assert page.hanweb is not None and page.hanweb.requests(10) == []


def test_api_answers_read_back_into_links():
    got = read_api_page(json.dumps({"code": 200, "data": {"total": 20, "list": [
        {"doctitle": "某局2022年政府信息公开工作年度报告", "docpuburl": "/a/t20230110_1.html"},
        {"doctitle": "关于开展2022年度政务公开考核的通知", "docpuburl": "/a/t20230111_2.html"}]}}), "http://h/a/")
    assert got.total == 20 and got.entries == ["http://h/a/t20230110_1.html", "http://h/a/t20230111_2.html"]
    assert [link.title for link in got.links] == ["某局2022年政府信息公开工作年度报告"]  # the notice is no report
    # JSONP around an HTML fragment
    got = read_api_page('cb({"html": "<li><a href=\\"t1.html\\">某县2021年政府信息公开年报</a></li>", "count": 7})',
                        "http://h/c/")
    assert got.total == 7 and [link.url for link in got.links] == ["http://h/c/t1.html"]


def _load(res, tmp_path):
    db = tmp_path / "w.duckdb"
    load_crawl(parse_crawl(res), db, build_models=False)
    return duckdb.connect(str(db), read_only=True)


def _gold_numbers_hold(conn) -> None:
    titles = dict(conn.execute("SELECT report_id, url FROM report_documents").fetchall())
    assert set(titles) == REPORT_IDS
    for rid in REPORT_IDS:
        year, issuer = rid.split("/")
        exp = expected_record(MADE_FROM[f"{issuer}{year}年政府信息公开工作年度报告"])["requests"]
        got: dict = {}
        for key, applicant, value in conn.execute(
                "SELECT row_key, applicant, value FROM request_outcomes WHERE report_id = ?", [rid]).fetchall():
            got.setdefault(key, [None] * 7)[APPLICANTS.index(applicant)] = value
        assert got == {k: v for k, v in exp.items() if v is not None}, rid


def _demo_js(portal, render: str) -> Source:
    return Source("demo-js", "demo-js", [portal.url(p) for p in DEMO_SCRIPT_COLUMNS], render=render)


def test_api_path_finds_every_report(tmp_path):
    with serve_demo_portal(faults={}) as portal:
        res = crawl([_demo_js(portal, "never")], tmp_path / "d", CrawlConfig(min_interval=0.02, **FAST))
        log = [(r.method, r.path) for r in portal.requests]
        n = len(portal.requests)
        again = crawl([_demo_js(portal, "never")], tmp_path / "d", CrawlConfig(min_interval=0.02, **FAST))
        json_again = [r for r in portal.requests[n:] if "list.json" in r.path]
    # a re-crawl asks the JSON list conditionally (its ETag) and reads the stored copy on 304
    assert [r.status for r in json_again] == [304, 304] and all("If-None-Match" in r.headers for r in json_again)
    assert len(again.docs) == 26 and not again.failures and again.downloaded == 2  # the two POST answers
    assert not res.failures and not res.list_incomplete and res.rendered_states == 0
    # the TRS API from page 1 (ten already static) to page 2; the JSON list's two pages
    assert [p for m, p in log if m == "POST"] == ["/trsapi/search/doclist"] * 2
    assert [p for _, p in log if "list.json" in p] == ["/zfxxgk/bmnb/jyj/list.json?size=4&page=1",
                                                        "/zfxxgk/bmnb/jyj/list.json?size=4&page=2"]
    assert res.api_pages == 4 and len(res.docs) == 26
    with _load(res, tmp_path) as conn:
        _gold_numbers_hold(conn)
        api_log = conn.execute("SELECT method, outcome, count(*) FROM fetch_log WHERE kind = 'list' AND (url LIKE "
                               "'%trsapi%' OR url LIKE '%list.json%') GROUP BY ALL ORDER BY ALL").fetchall()
        assert api_log == [("GET", "not_modified", 2), ("GET", "ok", 2), ("POST", "ok", 4)]  # both runs
        assert conn.execute("SELECT count(*) FROM findings WHERE rule = 'C-list-incomplete'").fetchone()[0] == 0


@needs_browser
def test_browser_path_finds_every_report_through_the_crawlers_gate(tmp_path):
    interval = 0.2
    with serve_demo_portal(faults={}) as portal:
        res = crawl([_demo_js(portal, "always")], tmp_path / "d", CrawlConfig(min_interval=interval, **FAST))
        requests = list(portal.requests)
    assert not res.failures and res.api_pages == 0 and res.rendered_states == 4  # 2 states per column
    assert len(res.docs) == 26
    # robots.txt: the counter script (/zfxxgk/tj/) and the API data (/_api/) were never asked for; no images
    paths = [r.path for r in requests]
    assert not [p for p in paths if p.startswith(("/zfxxgk/tj/", "/_api/")) or p.endswith(".png")]
    # one host, paced: no two requests closer than the interval (arrival times at the server)
    gaps = [b.at - a.at for a, b in zip(requests, requests[1:])]
    assert min(gaps) >= interval * 0.95, min(gaps)
    # the browser's own requests: its POST to the search API and the JSON pages, fetched by the crawler
    assert [p for p in paths if "trsapi" in p or "list.json" in p] == [
        "/trsapi/search/doclist", "/zfxxgk/bmnb/jyj/list.json?page=1&size=4",
        "/zfxxgk/bmnb/jyj/list.json?page=2&size=4"]
    with _load(res, tmp_path) as conn:
        _gold_numbers_hold(conn)
        rows = conn.execute("SELECT method, outcome, url, error FROM fetch_log WHERE kind = 'render'").fetchall()
    by_url = {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else ""): (m, o, e) for m, o, u, e in rows}
    assert by_url["/trsapi/search/doclist"][:2] == ("POST", "ok")
    assert by_url["/zfxxgk/tj/visit.js"][1] == "robots_disallowed"
    assert by_url["/zfxxgk/images/banner.png"][1:] == ("skipped", "image not fetched")
    assert by_url["/hm.js?demo"][1:] == ("skipped", "tracker not fetched")  # hm.tracker.example


# a list whose script builds its API's URL in a way no pattern reads: only a browser completes it
SHORT_LIST = """<html><head><meta charset="utf-8"><title>某区 政府信息公开年报</title></head><body>
<script src="/c/private/stat.js"></script>
<ul id="list">{items}</ul>
<div id="nav"><span>共12条</span> <a href="javascript:void(0)" onclick="go(2)">下一页</a></div>
<script>
var recordCount = 12;
function go(p) {{
  var x = new XMLHttpRequest();
  x.open("GET", ["", "c", "rows"].join("/") + "-" + p + ".htm");
  x.onload = function () {{
    document.getElementById("list").innerHTML = x.responseText;
    document.getElementById("nav").innerHTML = '<span>共12条</span>' +
      (p < 3 ? ' <a href="javascript:void(0)" onclick="go(' + (p + 1) + ')">下一页</a>' : '');
  }};
  x.send();
}}
</script></body></html>"""


def _short_list_site(root):
    def items(ids):
        return "".join(f'<li><a href="/c/t2024010{i // 10}_{i}.html">某区单位{i}2023年政府信息公开工作年度报告</a></li>'
                       for i in ids)
    (root / "c").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /c/private/\n")
    (root / "c" / "index.html").write_text(SHORT_LIST.format(items=items(range(1, 6))), encoding="utf-8")
    (root / "c" / "rows-2.htm").write_text(items(range(6, 11)), encoding="utf-8")
    (root / "c" / "rows-3.htm").write_text(items(range(11, 13)), encoding="utf-8")
    for i in range(1, 13):
        (root / "c" / f"t2024010{i // 10}_{i}.html").write_text(
            f"<html><head><meta charset='utf-8'></head><body><div id='zoom'><p>某区单位{i}2023年政府信息公开工作年度报告"
            "</p><p>正文</p></div></body></html>", encoding="utf-8")


def test_short_list_without_api_or_browser_is_a_finding_on_the_source(tmp_path, monkeypatch, capsys):
    from pipelines.cli import main

    _short_list_site(tmp_path)
    with serve_demo_portal(tmp_path, faults={}) as portal:
        registry = tmp_path / "sources.csv"
        registry.write_text("source_id,name,start_urls,adcode,admin_level,reachable_here,url_origin,hints,notes,render\n"
                            f"short,某区年报,{portal.url('/c/index.html')},,county,true,test,,,never\n", encoding="utf-8")
        monkeypatch.setenv("ZFXXGK_SOURCES", str(registry))
        rc = main(["run", "--sources", "short", "--data-dir", str(tmp_path / "d"), "--db", str(tmp_path / "w.duckdb"),
                   "--interval", "0.01", "--quiet"])
        fetched = [r.path for r in portal.requests]
    out = capsys.readouterr().out
    assert rc == 0  # a warning: the five reports linked are loaded
    assert "list_incomplete" in out and "declares 12 records but links 5" in out
    assert len([p for p in fetched if re.search(r"/c/t\d+_\d+\.html$", p)]) == 5
    with warehouse.connect_reader(tmp_path / "w.duckdb") as conn:  # the published copy users query
        [(url, severity, detail)] = conn.execute("SELECT url, severity, detail FROM findings "
                                                 "WHERE rule = 'C-list-incomplete'").fetchall()
    assert url.endswith("/c/index.html") and severity == "warning"
    assert "declares 12 records but links 5" in detail and "render: never" in detail
    assert main(["sources", "--data-dir", str(tmp_path / "d")]) == 0
    listing = capsys.readouterr().out
    assert "C-list-incomplete: " in listing and "declares 12 records, links 5 (render: never)" in listing


@needs_browser
def test_render_auto_completes_a_list_no_api_pattern_reads(tmp_path):
    _short_list_site(tmp_path)
    with serve_demo_portal(tmp_path, faults={}) as portal:
        res = crawl([Source("short", "s", [portal.url("/c/index.html")], render="auto")], tmp_path / "d",
                    CrawlConfig(min_interval=0.05, **FAST))
        fetched = [r.path for r in portal.requests]
    assert not res.list_incomplete and not res.failures and res.rendered_states == 3
    assert sorted(int(re.search(r"_(\d+)\.html", d.url).group(1)) for d in res.docs) == list(range(1, 13))
    assert "/c/private/stat.js" not in fetched  # robots.txt holds for the browser's script requests


def test_browser_missing_is_a_clear_finding(tmp_path, monkeypatch):
    monkeypatch.setenv("ZFXXGK_CHROMIUM", str(tmp_path / "no-chromium"))  # as on a machine without it
    _short_list_site(tmp_path)
    with serve_demo_portal(tmp_path, faults={}) as portal:
        res = crawl([Source("short", "s", [portal.url("/c/index.html")], render="auto")], tmp_path / "d",
                    CrawlConfig(min_interval=0.01, **FAST))
    outcomes = sorted(f["outcome"] for f in res.failures)
    assert outcomes == ["list_incomplete", "render_unavailable"]
    assert "chromium is not installed" in next(f["error"] for f in res.failures if f["outcome"] == "render_unavailable")


def test_registry_source_demo_js_through_the_dagster_crawl_asset(tmp_path):
    """The registry row (render: auto) reaches the crawler through the partitioned Dagster asset."""
    import dagster as dg

    from pipelines.crawl.registry import load_registry
    from pipelines.defs.assets import raw__source_crawl
    from pipelines.defs.resources import CrawlerResource, DataDirResource

    assert {e.source.source_id: e.source.render for e in load_registry()}["demo-js"] == "auto"
    result = dg.materialize([raw__source_crawl], partition_key="demo-js",
                            resources={"data_dir": DataDirResource(path=str(tmp_path / "data")),
                                       "crawler": CrawlerResource(min_interval=0.01, read_timeout=5)})
    assert result.success
    [mat] = result.asset_materializations_for_node("raw__source_crawl")
    meta = {k: v.value for k, v in mat.metadata.items()}
    assert (meta["documents"], meta["api_pages"], meta["rendered_list_pages"], meta["lists_incomplete"],
            meta["errors"]) == (26, 4, 0, 0, 0)
