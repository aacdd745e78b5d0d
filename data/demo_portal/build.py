"""Build the bundled demo portal (data/demo_portal/site/) from the five samples in data/samples/.

Run from the project root: `.venv/bin/python data/demo_portal/build.py`. The output is committed,
so the demo needs no build step. Each report page renders a sample's cells exactly: a row of one
cell becomes a paragraph, consecutive rows of several cells a <table> (the parser reads the HTML
back into the same rows, so the demo's numbers are the gold numbers of tests/expected/).

Two columns, in the two CMS styles the crawler must handle:
- /gbk/zfxxgknb/  TRS WCM, GBK bytes under <meta charset=gb2312> (with 镕, outside GB2312),
  createPageHTML pagination (index.html, index_1.html, index_2.html), a year sub-column 2023n/;
- /utf8/xxgknb/   UTF-8, 下一页 links, one report only as a DOCX attachment, one repost.
Non-report items sit in both lists; robots.txt disallows a draft folder that a list links to.

Two columns whose lists are built by script (registry source `demo-js`), reached from the home page
(/index.html) through its 政府信息公开 page (/zfxxgk/index.html) and a 部门年报 page of department
sub-columns (/zfxxgk/bmnb/index.html):
- /zfxxgk/bmnb/fgw/  TRS style: 20 records declared, 10 in the static page, the rest from a POST to the
  site search API (/trsapi/search/doclist, answered by pipelines/crawl/demo_server.py from _api/);
- /zfxxgk/bmnb/jyj/  an empty list filled by script from a paged JSON endpoint (list.json?page=N).
Their reports are the samples again under other issuers and years (paragraphs rewritten, table
cells untouched, so every copy keeps its sample's gold numbers). The pages also reference an image,
a robots-disallowed counter script and an off-site tracker, none of which a crawler should fetch.
"""
from __future__ import annotations

import html
import shutil
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.parse.cells import text_to_rows  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402

SITE = Path(__file__).resolve().parent / "site"
SAMPLES = ROOT / "data" / "samples"

# sample stem -> (title, publish date)
REPORTS = {
    "000_39d38f3e5816487c": "阜新市人民政府办公室2023年政府信息公开工作年度报告",
    "001_efd3b52cb6a94797": "山海关区人民政府办公室2023年政府信息公开工作年度报告",
    "002_14635e754de52443": "阿城区2023年政府信息公开工作年度报告",
    "003_8c406ea192be78b9": "阜新市细河区玉龙街道2023年政府信息公开工作年度报告",
    "004_bc20cdde9b4efb67": "义马市人民政府办公室2023年政府信息公开工作年度报告",
}


def sample_rows(stem: str) -> list[list[str]]:
    return text_to_rows((SAMPLES / f"{stem}.txt").read_text(encoding="utf-8"))


def rows_html(rows: list[list[str]]) -> str:
    out, table = [], []

    def flush() -> None:
        if table:
            out.append('<table border="1" cellspacing="0" cellpadding="2">\n' + "\n".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in table) + "\n</table>")
            table.clear()

    for r in rows:
        if len(r) > 1:
            # the empty cells of a text dump are layout, not table positions
            table.append([c for c in r if c.strip()] or [""])
        else:
            flush()
            out.append(f"<p>{html.escape(r[0])}</p>")
    flush()
    return "\n".join(out)


def page(title: str, body: str, charset: str, meta: dict[str, str] | None = None) -> str:
    metas = "".join(f'<meta name="{k}" content="{html.escape(v, quote=True)}">\n' for k, v in (meta or {}).items())
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
{metas}<title>{html.escape(title)}</title></head>
<body>
<div class="header"><a href="/index.html">演示市人民政府门户网站</a> | <a href="/gbk/zfxxgknb/index.html">政府信息公开年报</a>
| <a href="/utf8/xxgknb/index.html">信息公开年报（新）</a> | <a href="/gbk/zfxxgkzn/index.html">政府信息公开指南</a></div>
{body}
<div class="footer">主办：演示市人民政府办公室　技术支持：演示网络公司　本站为 zfxxgk 演示门户，内容取自真实年报样本</div>
</body></html>
"""


def write(path: str, text: str, encoding: str = "utf-8") -> None:
    p = SITE / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode(encoding))


def li(href: str, text: str, date: str, title: str | None = None) -> str:
    t = f' title="{html.escape(title, quote=True)}"' if title else ""
    return f'<li><a href="{href}"{t} target="_blank">{html.escape(text)}</a><span>{date}</span></li>'


def trs_list(items: list[str], current: int, count: int, heading: str) -> str:
    return (f'<div class="list"><h2>{heading}</h2><ul class="overview_right">\n' + "\n".join(items) +
            '\n</ul>\n<div class="page"><script type="text/javascript">\n'
            f"var countPage = {count};//共多少页\nvar currentPage = {current};//当前页\n"
            'createPageHTML(countPage, currentPage, "index", "html");\n</script></div></div>')


def detail(title: str, date: str, source: str, article: str, charset: str) -> str:
    body = (f'<div class="xl"><h1>{html.escape(title)}</h1><div class="info">发布日期：{date}　来源：{source}</div>\n'
            f'<div class="TRS_Editor">\n{article}\n</div>\n<div class="editor">责任编辑：王镕</div></div>')
    return page(title, body, charset, {"ArticleTitle": title, "PubDate": date, "ContentSource": source})


def build_docx(stem: str, path: Path) -> None:
    import docx

    # paragraphs and tables in document order
    d = docx.Document()
    d.core_properties.created = d.core_properties.modified = datetime(2024, 1, 30)
    rows = sample_rows(stem)
    i = 0
    while i < len(rows):
        if len(rows[i]) == 1:
            d.add_paragraph(rows[i][0])
            i += 1
            continue
        group = []
        while i < len(rows) and len(rows[i]) > 1:
            group.append(rows[i])
            i += 1
        width = max(len(r) for r in group)
        t = d.add_table(rows=len(group), cols=width)
        t.style = "Table Grid"
        for ri, r in enumerate(group):
            for ci, c in enumerate(r):
                t.cell(ri, ci).text = c
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))


def main() -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    gbk, utf8 = "gb2312", "utf-8"  # GBK bytes declared as gb2312, as many old portals do

    write("robots.txt", "User-agent: *\nDisallow: /gbk/zfxxgknb/draft/\nDisallow: /*.bak$\n"
          "Disallow: /zfxxgk/tj/\nDisallow: /_api/\n")
    build_script_columns()

    # -- GBK TRS column
    art = {s: rows_html(sample_rows(s)) for s in REPORTS}
    pages = {
        "000": ("./202401/t20240125_1001.html", "2024-01-25"),
        "001": ("./202401/t20240123_1002.html", "2024-01-23"),
        "002": ("./2023n/202401/t20240129_1003.html", "2024-01-29"),
        "004": ("./202401/t20240130_1005.html", "2024-01-30"),
    }
    stems = {k[:3]: k for k in REPORTS}
    for key, (href, date) in pages.items():
        stem = stems[key]
        write(f"/gbk/zfxxgknb/{href[2:]}", detail(REPORTS[stem], date, "演示市人民政府办公室", art[stem], gbk), "gbk")
    p0 = [li(pages["000"][0], "阜新市人民政府办公室2023年政府信息公…", "2024-01-25", REPORTS[stems["000"]]),
          li("./202401/t20240120_0901.html", "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", "2024-01-20"),
          li("./202401/t20240118_0900.html", "图解：2023年政府信息公开工作年度报告", "2024-01-18"),
          li("./draft/t20240110_0800.html", "山海关区2023年政府信息公开工作年度报告（征求意见稿）", "2024-01-10"),
          li("./2023n/", "2023年度", "")]
    p1 = [li(pages["001"][0], REPORTS[stems["001"]], "2024-01-23"),
          li("./202312/t20231201_0700.html", "王镕同志在全市政务公开工作会议上的讲话", "2023-12-01"),
          li("./202311/t20231120_0600.html", "演示市2024年部门预算公开", "2023-11-20")]
    p2 = [li(pages["004"][0], REPORTS[stems["004"]], "2024-01-30"),
          li("/gbk/zfxxgkzn/index.html", "政府信息公开指南", "2023-06-01")]
    for i, items in enumerate((p0, p1, p2)):
        name = "index.html" if i == 0 else f"index_{i}.html"
        write(f"/gbk/zfxxgknb/{name}", page("政府信息公开年报", trs_list(items, i, 3, "政府信息公开年报"), gbk), "gbk")
    write("/gbk/zfxxgknb/2023n/index.html",
          page("2023年度", trs_list([li("./202401/t20240129_1003.html", REPORTS[stems["002"]], "2024-01-29")],
                                   0, 1, "2023年度"), gbk), "gbk")
    # the non-reports exist too (a crawler that fetched them would be seen in the server log)
    for href, title in (("202401/t20240120_0901.html", "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知"),
                        ("202401/t20240118_0900.html", "图解：2023年政府信息公开工作年度报告"),
                        ("draft/t20240110_0800.html", "山海关区2023年政府信息公开工作年度报告（征求意见稿）"),
                        ("202312/t20231201_0700.html", "王镕同志在全市政务公开工作会议上的讲话"),
                        ("202311/t20231120_0600.html", "演示市2024年部门预算公开")):
        write(f"/gbk/zfxxgknb/{href}", detail(title, "2024-01-01", "演示市人民政府办公室", "<p>（非年报内容）</p>", gbk), "gbk")
    write("/gbk/zfxxgkzn/index.html", page("政府信息公开指南", "<p>政府信息公开指南（非年报）</p>", gbk), "gbk")

    # -- UTF-8 column with 下一页 links
    docx_name = "/utf8/xxgknb/202401/P020240130_义马市2023年报.docx"
    build_docx(stems["004"], SITE / docx_name.lstrip("/"))
    write("/utf8/xxgknb/202401/t20240130_2001.html", detail(
        REPORTS[stems["004"]], "2024-01-30", "义马市人民政府办公室",
        f'<p>{REPORTS[stems["004"]]}全文详见附件。</p><p>附件：<a href="{docx_name}">义马市人民政府办公室2023年政府信息公开工作年度报告.docx</a></p>',
        utf8))
    write("/utf8/xxgknb/202401/t20240131_2002.html", detail(REPORTS[stems["003"]], "2024-01-31",
                                                             "细河区玉龙街道办事处", art[stems["003"]], utf8))
    write("/utf8/xxgknb/202402/t20240201_2003.html", detail(REPORTS[stems["000"]], "2024-02-01",
                                                             "阜新市人民政府办公室（转载）", art[stems["000"]], utf8))
    write("/utf8/xxgknb/202401/t20240105_2000.html", detail("2023年度政府信息公开工作考核结果", "2024-01-05",
                                                             "演示市政务公开办", "<p>（非年报内容）</p>", utf8))
    u1 = [li("./202401/t20240130_2001.html", REPORTS[stems["004"]], "2024-01-30"),
          li("./202401/t20240131_2002.html", REPORTS[stems["003"]], "2024-01-31"),
          li("./202401/t20240105_2000.html", "2023年度政府信息公开工作考核结果", "2024-01-05")]
    u2 = [li("./202402/t20240201_2003.html", REPORTS[stems["000"]] + "（转载）", "2024-02-01"),
          li("./report.xls.bak", "2023年报数据备份", "2024-02-02")]
    nav1 = '<div class="page"><span>1</span> <a href="page2.html">下一页</a> <a href="page2.html">尾页</a></div>'
    nav2 = '<div class="page"><a href="index.html">上一页</a> <span>2</span></div>'
    write("/utf8/xxgknb/index.html", page("信息公开年报", '<ul class="list">' + "\n".join(u1) + "</ul>" + nav1, utf8))
    write("/utf8/xxgknb/page2.html", page("信息公开年报", '<ul class="list">' + "\n".join(u2) + "</ul>" + nav2, utf8))
    print(f"built {sum(1 for p in SITE.rglob('*') if p.is_file())} files under {SITE}")


# -- the portal's home, its 政府信息公开 page, and the two script-built columns (source demo-js)

# the issuer of each sample as its title names it (replaced in paragraphs to make other issuers' reports)
SAMPLE_ISSUERS = {
    "000_39d38f3e5816487c": "阜新市人民政府办公室", "001_efd3b52cb6a94797": "山海关区人民政府办公室",
    "002_14635e754de52443": "阿城区", "003_8c406ea192be78b9": "阜新市细河区玉龙街道",
    "004_bc20cdde9b4efb67": "义马市人民政府办公室",
}
FGW_ISSUERS = ("演示市发展和改革委员会", "演示市粮食和物资储备局", "演示市能源局", "演示市价格认证中心",
               "演示市重点项目服务中心", "演示市经济信息中心", "演示市节能监察中心", "演示市以工代赈办公室",
               "演示市国防动员办公室", "演示市口岸服务中心")
JYJ_ISSUERS = ("演示市教育局", "演示市教育考试院", "演示市招生考试办公室")
TRS_PAGE_SIZE, JSON_PAGE_SIZE = 10, 4
ASSETS = ('<img src="/zfxxgk/images/banner.png" alt="">\n<script src="/zfxxgk/tj/visit.js"></script>\n'
          '<script src="http://hm.tracker.example/hm.js?demo"></script>')


def derived_rows(stem: str, issuer: str, year: int) -> list[list[str]]:
    """The sample's rows as `issuer`'s report for `year`: paragraphs rewritten, table cells as printed."""
    old = SAMPLE_ISSUERS[stem]
    out = []
    for r in sample_rows(stem):
        if len(r) == 1:
            t = r[0].replace(old, issuer)
            t = re.sub(r"2023(\s*年)", lambda m: f"{year}{m.group(1)}", t)
            r = [t]
        out.append(r)
    return out


def portal_page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body>
<div class="header"><a href="/index.html">首页</a> | <a href="/zfxxgk/index.html">政府信息公开</a>
| <a href="/zwdt/index.html">政务动态</a> | <a href="/zwfw/index.html">政务服务</a></div>
{body}
<div class="footer">主办：演示市人民政府办公室　本站为 zfxxgk 演示门户</div>
</body></html>
"""


def script_column_reports(prefix: str, issuers: tuple[str, ...], years: tuple[int, ...], first_id: int,
                          source: str) -> list[dict]:
    """Detail pages of one column, newest first: [{title, url, date, stem}]."""
    stems = list(SAMPLE_ISSUERS)
    records, n = [], 0
    for year in years:
        for issuer in issuers:
            stem = stems[n % len(stems)]
            title = f"{issuer}{year}年政府信息公开工作年度报告"
            date = f"{year + 1}-01-{10 + n % 18:02d}"
            href = f"{prefix}{year + 1}01/t{year + 1}01{10 + n % 18:02d}_{first_id + n}.html"
            write(href, detail(title, date, source, rows_html(derived_rows(stem, issuer, year)), "utf-8"))
            records.append({"title": title, "url": href, "date": date, "stem": stem})
            n += 1
    return records


def build_script_columns() -> None:
    write("index.html", portal_page("演示市人民政府", '<div class="banner"><img src="/zfxxgk/images/banner.png" '
                                    'alt="演示市"></div>\n<ul class="nav"><li><a href="/zwdt/index.html">政务动态</a></li>'
                                    '<li><a href="/zfxxgk/index.html">政府信息公开</a></li>'
                                    '<li><a href="/zwfw/index.html">政务服务</a></li>'
                                    '<li><a href="/hdjl/index.html">互动交流</a></li></ul>'))
    for path, title in (("/zwdt/index.html", "政务动态"), ("/zwfw/index.html", "政务服务"),
                        ("/hdjl/index.html", "互动交流"), ("/zfxxgk/ysqgk/index.html", "依申请公开"),
                        ("/zfxxgk/fdzdgknr/index.html", "法定主动公开内容")):
        write(path, portal_page(title, f"<h2>{title}</h2><p>（演示页面）</p>"))
    write("/zfxxgk/index.html", portal_page("政府信息公开", """<h2>政府信息公开</h2>
<ul class="xxgk-nav">
<li><a href="/gbk/zfxxgkzn/index.html">政府信息公开指南</a></li>
<li><a href="/zfxxgk/fdzdgknr/index.html">法定主动公开内容</a></li>
<li><a href="/zfxxgk/ysqgk/index.html">依申请公开</a></li>
<li><a href="/gbk/zfxxgknb/index.html">政府信息公开年报</a></li>
<li><a href="/utf8/xxgknb/index.html">信息公开年报（新）</a></li>
<li><a href="/zfxxgk/bmnb/index.html">部门政府信息公开年度报告</a></li>
<li><a href="/gbk/zfxxgknb/202401/t20240120_0901.html">关于做好2023年度政府信息公开工作年度报告编制发布工作的通知</a></li>
</ul>"""))
    write("/zfxxgk/bmnb/index.html", portal_page("部门政府信息公开年度报告", """<h2>部门政府信息公开年度报告</h2>
<ul class="bm-list">
<li><a href="/zfxxgk/bmnb/fgw/index.shtml">演示市发展和改革委员会</a></li>
<li><a href="/zfxxgk/bmnb/jyj/index.html">演示市教育局</a></li>
</ul>"""))

    # TRS: 20 records, page 1 static, the rest from the search API (POST); newest year first
    fgw = script_column_reports("/zfxxgk/bmnb/fgw/", FGW_ISSUERS, (2023, 2022), 3001, "演示市发展和改革委员会")
    items = "\n".join(li(r["url"], r["title"], r["date"]) for r in fgw[:TRS_PAGE_SIZE])
    pages = -(-len(fgw) // TRS_PAGE_SIZE)
    write("/zfxxgk/bmnb/fgw/index.shtml", portal_page("演示市发展和改革委员会 政府信息公开年报", f"""{ASSETS}
<div class="list"><h2>政府信息公开年报</h2><ul class="overview_right" id="doclist">
{items}
</ul>
<div class="page" id="pagenav"><span>共{len(fgw)}条 第1/{pages}页</span>
<a href="javascript:void(0)" onclick="loadPage(2)">下一页</a></div>
<script type="text/javascript">
var countPage = 1;//静态页数
var currentPage = 0;
var recordCount = {len(fgw)};//记录总数
createPageHTML(countPage, currentPage, "index", "shtml");
</script>
<script type="text/javascript">
// 第 2 页起的记录由站内检索接口提供
var trsSearch = {{url: "/trsapi/search/doclist", type: "POST",
                 data: {{channelid: "34567", siteid: "12", page: 1, pagesize: {TRS_PAGE_SIZE}, order: "-docreltime"}}}};
function createPageHTML(count, current, name, ext) {{}}
function loadPage(page) {{
  var form = new URLSearchParams();
  for (var k in trsSearch.data) form.append(k, trsSearch.data[k]);
  form.set("page", String(page));
  fetch(trsSearch.url, {{method: trsSearch.type, body: form}}).then(function (r) {{ return r.json(); }})
    .then(function (res) {{
      var ul = document.getElementById("doclist"), d = res.data, html = "";
      d.list.forEach(function (x) {{
        html += '<li><a href="' + x.docpuburl + '" target="_blank">' + x.doctitle + '</a><span>' + x.docreltime + '</span></li>';
      }});
      ul.innerHTML = html;
      var n = Math.ceil(d.total / d.pagesize), nav = '<span>共' + d.total + '条 第' + page + '/' + n + '页</span>';
      if (page > 1) nav += ' <a href="javascript:void(0)" onclick="loadPage(' + (page - 1) + ')">上一页</a>';
      if (page < n) nav += ' <a href="javascript:void(0)" onclick="loadPage(' + (page + 1) + ')">下一页</a>';
      document.getElementById("pagenav").innerHTML = nav;
    }});
}}
</script></div>"""))
    api = [{"doctitle": r["title"], "docpuburl": r["url"], "docreltime": r["date"]} for r in fgw]
    write("/_api/fgw_doclist.json", json.dumps({"channelid": "34567", "records": api}, ensure_ascii=False, indent=1))

    # JSON: an empty list container filled from list.json?page=N
    jyj = script_column_reports("/zfxxgk/bmnb/jyj/", JYJ_ISSUERS, (2023, 2022), 4001, "演示市教育局")
    write("/zfxxgk/bmnb/jyj/index.html", portal_page("演示市教育局 政府信息公开年度报告", f"""{ASSETS}
<div class="list"><h2>政府信息公开年度报告</h2>
<ul class="list" id="nblist" data-url="/zfxxgk/bmnb/jyj/list.json"></ul>
<div class="page" id="pager"></div>
<script type="text/javascript">
(function () {{
  var ul = document.getElementById("nblist");
  function load(p) {{
    fetch(ul.dataset.url + "?page=" + p + "&size={JSON_PAGE_SIZE}").then(function (r) {{ return r.json(); }})
      .then(function (d) {{
        ul.innerHTML = d.records.map(function (x) {{
          return '<li><a href="' + x.url + '">' + x.title + '</a><span>' + x.date + '</span></li>';
        }}).join("");
        var pager = document.getElementById("pager"), n = Math.ceil(d.total / d.size);
        pager.innerHTML = '<span>第' + p + '/' + n + '页</span>';
        if (p < n) {{
          var a = document.createElement("a"); a.href = "javascript:;"; a.textContent = "下一页";
          a.onclick = function () {{ load(p + 1); }}; pager.appendChild(a);
        }}
      }});
  }}
  load(1);
}})();
</script></div>"""))
    records = [{"title": r["title"], "url": r["url"], "date": r["date"]} for r in jyj]
    write("/_api/jyj_list.json", json.dumps({"records": records}, ensure_ascii=False, indent=1))
    write("/zfxxgk/tj/visit.js", "/* visit counter: robots.txt disallows it */\n")
    # which sample each script-column report was made from (tests check the gold numbers per copy)
    write("/_api/made_from.json", json.dumps({r["title"]: r["stem"] for r in fgw + jyj}, ensure_ascii=False,
                                             indent=1))


if __name__ == "__main__":
    main()
