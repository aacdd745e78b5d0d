"""Discovery on list and detail pages, and whole crawls of small sites in the other CMS styles
(query-string pages, Hanweb datastore + dataproxy.jsp POSTs, year/unit sub-columns, a page cap,
JS-only shells, GBK pages with characters outside GB2312), served on 127.0.0.1."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import duckdb

from pipelines.crawl.demo_server import DEMO_SITE, Fault, serve_demo_portal
from pipelines.crawl.discover import discover_list, is_report_title, page_text, parse_detail, trs_pages
from pipelines.crawl.run import CrawlConfig, crawl
from pipelines.pipeline.crawled import crawl_and_load

FAST = dict(min_interval=0.01, backoff=0.01, connect_timeout=2, read_timeout=2, progress=False)
REPORT_BODY = (DEMO_SITE / "utf8/xxgknb/202401/t20240131_2002.html").read_text(encoding="utf-8")


def test_report_titles():
    assert is_report_title("阜新市人民政府办公室2023年政府信息公开工作年度报告")
    assert is_report_title("2022年政府信息公开年报")
    assert is_report_title("阜新市人民政府办公室2023年政府信息公…")  # truncated anchor text
    assert not is_report_title("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知")
    assert not is_report_title("图解：2023年政府信息公开工作年度报告")
    assert not is_report_title("政府信息公开工作年度报告")  # no year
    assert not is_report_title("2024年部门预算公开")


def test_gbk_page_declared_gb2312_keeps_characters_outside_gb2312():
    data = (DEMO_SITE / "gbk/zfxxgknb/index_1.html").read_bytes()
    text = page_text(data)  # <meta charset=gb2312>, bytes GBK: read as gb18030
    assert "王镕同志" in text and "\ufffd" not in text
    page = discover_list(text, "http://h/gbk/zfxxgknb/index_1.html", "http://h/gbk/zfxxgknb/index.html")
    assert [l.title for l in page.reports] == ["山海关区人民政府办公室2023年政府信息公开工作年度报告"]
    assert page.pages == ["http://h/gbk/zfxxgknb/index.html", "http://h/gbk/zfxxgknb/index_2.html"]


def test_truncated_anchor_uses_title_attribute_and_year_subcolumn():
    text = page_text((DEMO_SITE / "gbk/zfxxgknb/index.html").read_bytes())
    page = discover_list(text, "http://h/gbk/zfxxgknb/index.html", "http://h/gbk/zfxxgknb/index.html")
    assert [l.title for l in page.reports] == ["阜新市人民政府办公室2023年政府信息公开工作年度报告",
                                                "山海关区2023年政府信息公开工作年度报告（征求意见稿）"]
    assert page.subcolumns == ["http://h/gbk/zfxxgknb/2023n/"]


def test_trs_count_page_variants():
    html = '<script>var countPage = 3;createPageHTML(countPage, 0, "index", "shtml");</script>'
    assert trs_pages(html, "http://h/c/") == ["http://h/c/", "http://h/c/index_1.shtml", "http://h/c/index_2.shtml"]
    html = '<script>createPageHTML(2, 1, "index", "htm");</script>'
    assert trs_pages(html, "http://h/c/index_1.htm") == ["http://h/c/index.htm", "http://h/c/index_1.htm"]


def test_detail_page_body_meta_and_attachments():
    html = ('<html><head><meta name="ArticleTitle" content="某局2023年政府信息公开工作年度报告">'
            '<meta name="PubDate" content="2024-01-20 10:00"><meta name="ContentSource" content="某局"></head>'
            '<body><ul class="nav"><li><a href="/">首页</a></li></ul><div id="zoom"><p>正文</p></div>'
            '<p>附件：<a href="/u/P0202401.pdf">年报.pdf</a> <a href="/module/download/downfile.jsp?filename=a.docx">'
            'a</a> <a href="/x.html">x</a></p></body></html>')
    d = parse_detail(html, "http://h/c/t.html")
    assert d.title == "某局2023年政府信息公开工作年度报告" and d.pubdate == "2024-01-20 10:00" and d.content_source == "某局"
    assert "正文" in d.body_html and "首页" not in d.body_html
    assert [a.url for a in d.attachments] == ["http://h/u/P0202401.pdf",
                                              "http://h/module/download/downfile.jsp?filename=a.docx"]
    # no known container: the largest text block, not the menu
    plain = ('<html><body><ul><li><a href="/1">菜单一</a></li><li><a href="/2">菜单二</a></li></ul>'
             '<div class="x"><div class="main"><p>第一段很长的正文内容。</p><p>第二段正文。</p></div></div></body></html>')
    d = parse_detail(plain, "http://h/")
    assert 'class="main"' in d.body_html and "菜单" not in d.body_html


def _list_page(items, nav=""):
    lis = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in items)
    return f'<html><head><meta charset="utf-8"></head><body><ul>{lis}</ul>{nav}</body></html>'.encode()


def test_query_string_pages_subcolumns_and_page_cap(tmp_path):
    (tmp_path / "robots.txt").write_text("")

    def listing(handler, body):
        q = parse_qs(urlsplit(handler.path).query)
        page = int(q.get("page", ["1"])[0])
        items = [(f"/c/detail.aspx?id={page}", f"某区{2020 + page}年政府信息公开工作年度报告"),
                 (f"/c/detail.aspx?id=9{page}", "关于开展政务公开检查的通知")]
        nav = "".join(f'<a href="/c/InfoPublic.aspx?cid=7&page={i}">{i}</a>' for i in range(1, 4))
        if page < 3:
            nav += f'<a href="/c/InfoPublic.aspx?cid=7&page={page + 1}">下一页</a>'
        if page == 1:
            nav += '<a href="/c/nb_2022n/">2022年</a><a href="/c/szfzcbm/index.html">市政府组成部门</a>'
        return 200, {"Content-Type": "text/html; charset=utf-8"}, _list_page(items, nav)

    def sub(handler, body):
        name = urlsplit(handler.path).path.split("/")[2]
        return 200, {"Content-Type": "text/html"}, _list_page([(f"/c/{name}/t1.html", f"{name}2022年政府信息公开年报")])

    def detail(handler, body):
        return 200, {"Content-Type": "text/html; charset=utf-8"}, REPORT_BODY.encode()

    routes = {"/c/InfoPublic.aspx": listing, "/c/nb_2022n/": sub, "/c/szfzcbm/index.html": sub,
              "/c/detail.aspx": detail, "/c/nb_2022n/t1.html": detail, "/c/szfzcbm/t1.html": detail}
    with serve_demo_portal(tmp_path, faults={}, routes=routes) as base:
        res = crawl([base.url("/c/InfoPublic.aspx?cid=7&page=1")], tmp_path / "d", CrawlConfig(**FAST))
        capped = crawl([base.url("/c/InfoPublic.aspx?cid=7&page=1")], tmp_path / "d2",
                       CrawlConfig(**FAST, max_pages_per_column=2))
    got = sorted(d.url.split("/", 3)[3] for d in res.docs)
    assert got == ["c/detail.aspx?id=1", "c/detail.aspx?id=2", "c/detail.aspx?id=3",
                   "c/nb_2022n/t1.html", "c/szfzcbm/t1.html"]
    assert res.list_pages == 5 and not res.cap_hits
    assert capped.list_pages == 2 and capped.cap_hits and capped.cap_hits[0]["left"] >= 1
    assert [f["outcome"] for f in capped.failures] == ["page_cap"]


def test_hanweb_datastore_and_dataproxy_posts(tmp_path):
    (tmp_path / "robots.txt").write_text("")
    records = [f'<li><a href="/art/2024/3/{i}/art_1229_{i}.html" title="某县单位{i}2023年度政府信息公开工作年度报告">'
               f"某县单位{i}2023年度政府信…</a></li>" for i in range(1, 8)]
    records.insert(2, '<li><a href="/art/2024/1/1/art_1229_99.html">2024年政务公开工作要点</a></li>')
    cdata = lambda rs: "".join(f"<record><![CDATA[{r}]]></record>" for r in rs)  # noqa: E731
    col = (f'<html><head><meta charset="utf-8"></head><body><div id="4821"><script type="text/xml"><datastore>'
           '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229'
           '&unitid=4821&webname=%E6%9F%90%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>'
           f'<recordset>{cdata(records[:3])}</recordset></datastore></script></div>'
           '<script>$(function(){ $("#4821").jpage({ dataStore: null, perPage: 3, totalRecord: 8 }); });</script>'
           '</body></html>')
    posts = []

    def proxy(handler, body):
        q = parse_qs(urlsplit(handler.path).query)
        posts.append((q, parse_qs(body.decode())))
        s, e = int(q["startrecord"][0]), int(q["endrecord"][0])
        xml = f"<datastore><totalrecord>8</totalrecord><recordset>{cdata(records[s - 1:e])}</recordset></datastore>"
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode()

    def article(handler, body):
        return 200, {"Content-Type": "text/html; charset=utf-8"}, REPORT_BODY.encode()

    routes = {"/module/web/jpage/dataproxy.jsp": proxy, "/col/col1229/index.html": lambda h, b: (200, {}, col.encode())}
    routes.update({f"/art/2024/3/{i}/art_1229_{i}.html": article for i in range(1, 8)})
    with serve_demo_portal(tmp_path, faults={}, routes=routes) as base:
        res = crawl([base.url("/col/col1229/index.html")], tmp_path / "d", CrawlConfig(**FAST))
    assert sorted(re.sub(r".*art_1229_", "", d.url) for d in res.docs) == [f"{i}.html" for i in range(1, 8)]
    assert [(q["startrecord"], q["endrecord"], q["perpage"]) for q, _ in posts] == [
        (["4"], ["6"], ["3"]), (["7"], ["8"], ["3"])]
    form = posts[0][1]
    assert form["columnid"] == ["1229"] and form["unitid"] == ["4821"] and form["webid"] == ["3"]
    assert form["col"] == ["1"] and form["appid"] == ["1"]


def test_blocked_and_failed_fetches_become_crawl_findings(tmp_path):
    (tmp_path / "robots.txt").write_text("")
    shell = b"<html><head><script>document.cookie='x=1';location.reload();</script></head><body></body></html>"
    items = [("/c/a.html", "某局2023年政府信息公开工作年度报告"), ("/c/b.html", "某委2023年政府信息公开工作年度报告"),
             ("/c/gone.html", "某办2023年政府信息公开工作年度报告")]
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "index.html").write_bytes(_list_page(items))
    (tmp_path / "c" / "b.html").write_bytes(shell)
    faults = {"/c/a.html": [Fault(521, body=b"<script>var _0x=1;document.cookie='__jsl_clearance=1'</script>",
                                  times=None)]}
    with serve_demo_portal(tmp_path, faults=faults) as base:
        summary = crawl_and_load([base.url("/c/index.html")], tmp_path / "d", tmp_path / "w.duckdb",
                                 CrawlConfig(**FAST))
    assert summary.reports_loaded == 0
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT split_part(url, '/', 5), rule, severity, document_id IS NOT NULL, detail "
                            "FROM findings WHERE stage = 'crawl' AND report_id IS NULL ORDER BY 1").fetchall()
        log = conn.execute("SELECT split_part(url, '/', 5), outcome, http_status FROM fetch_log "
                           "WHERE kind = 'detail' ORDER BY 1").fetchall()
    assert [r[:4] for r in rows] == [("a.html", "C-blocked", "error", True), ("b.html", "C-blocked", "error", True),
                                     ("gone.html", "C-http-error", "error", False)]
    assert "521" in rows[0][4] and "JS-only" in rows[1][4]
    assert log == [("a.html", "blocked", 521), ("b.html", "ok", 200), ("gone.html", "http_error", 404)]


def test_discover_from_the_home_page_finds_the_columns_and_add_appends_them(tmp_path, monkeypatch, capsys):
    """`zfxxgk discover` on the demo portal's home page: through its 政府信息公开 page to the two 年报
    columns it links by name, and through the 部门年度报告 page to the departments' sub-columns."""
    from pipelines.cli import main
    from pipelines.crawl.registry import REGISTRY, load_registry

    registry = tmp_path / "sources.csv"
    registry.write_bytes(REGISTRY.read_bytes())
    monkeypatch.setenv("ZFXXGK_SOURCES", str(registry))
    before = len(load_registry(registry))
    with serve_demo_portal(faults={}) as base:
        assert main(["discover", base.url("/index.html"), "--interval", "0.01", "--add"]) == 0
        out = capsys.readouterr().out
        assert main(["discover", base.url("/zfxxgk/index.html"), "--interval", "0.01", "--add"]) == 0
        again = capsys.readouterr().out
        paths = [r.path for r in base.requests]
    columns = ["/gbk/zfxxgknb/index.html", "/utf8/xxgknb/index.html", "/zfxxgk/bmnb/fgw/index.shtml",
               "/zfxxgk/bmnb/jyj/index.html"]
    assert re.findall(r"^  (http://\S+)$", out, re.M) == [base.url(c) for c in columns]
    assert "sub-column 「演示市发展和改革委员会」" in out and "20 records declared" in out
    # the guide, the notice about compiling reports and the other sections are not columns
    assert "zfxxgkzn" not in out.split("added")[0] and "t20240120_0901" not in out
    assert "/gbk/zfxxgknb/202401/t20240120_0901.html" not in paths and "/zwdt/index.html" not in paths
    entries = load_registry(registry)
    new = entries[before:]
    assert [e.source.start_urls for e in new] == [[base.url(c)] for c in columns]
    assert [e.source.render for e in new] == ["never", "never", "auto", "auto"]
    assert new[2].source.name == "演示市发展和改革委员会 政府信息公开年报" and all(e.reachable_here for e in new)
    # from the 政府信息公开 page itself: the same columns, none added twice
    assert "added 0 source(s)" in again and len(load_registry(registry)) == before + 4


def test_column_and_section_links():
    from pipelines.crawl.portal import is_column_link, is_hub_link

    assert is_column_link("政府信息公开年报", "http://h/x/") and is_column_link("政府信息公开年度报告", "http://h/y/")
    assert is_column_link("部门政府信息公开年度报告", "http://h/bmnb/index.html")
    assert is_column_link("", "http://h/zwgk/zfxxgknb/") == "URL pattern /zwgk/zfxxgknb/"  # an image link
    assert not is_column_link("政府信息公开指南", "http://h/zfxxgkzn/")
    assert not is_column_link("2023年度", "http://h/zfxxgknb/2023n/")  # a year: a sub-column or a report
    assert not is_column_link("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", "http://h/t20240120_1.html")
    assert is_hub_link("政府信息公开", "http://h/zfxxgk/") and is_hub_link("政务公开", "http://h/zwgk/")
    assert not is_hub_link("政务动态", "http://h/zwdt/") and not is_hub_link("政府信息公开指南", "http://h/zn/")
