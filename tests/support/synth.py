"""Random valid report records and their rendering into the layouts portals publish.

Test and benchmark support, outside the shipped package: the round-trip and fuzz tests, the layout,
parse, load and end-to-end benchmarks. Everything is
deterministic given a seed: `random_report(seed)` draws a record that satisfies every
consistency rule of docs/formats.md §4, `render(report, layout, seed)` prints it as a
document (str) in one of `LAYOUTS`:

- "tab":       tab-separated text dump with merged-cell artefacts (seeds 000, 003)
- "pipe":      pipe-separated rows (seed 001)
- "cells":     one cell per line, vertical text split over lines (seeds 002, 004)
- "markdown":  markdown pipe tables with |---| separator rows
- "html":      a portal page: rowspan/colspan grid, Word-pasted <p><span> cells, &nbsp;,
               <br> inside labels, tables optionally split or merged, header rows optional
- "digits":    text with every table row's digits run together (「…申请数量7250007」)
- "pdf":       PDF-to-text output: space-separated cells, page numbers inside tables,
               a number split in two by a column boundary, OCR-like noise in one label

`mutate(report_rows, kind, rng)` corrupts a rendering in the ways the parser must notice.
"""
from __future__ import annotations

import copy
import random
import re
from typing import Optional

from pipelines.record import (OTHER_SUBROWS, OTHER_TOTAL, OUTCOME_ROWS, PROCEEDINGS, REQUEST_ROWS,
                              TABLE3_ROWS, Active, DocCounts, Report)

LAYOUTS = ("tab", "pipe", "cells", "markdown", "html", "digits", "pdf", "oneline", "mdfrag", "page")
# layouts whose digits run together: a number may come back null (several splits), never wrong
RUN_TOGETHER = ("digits", "oneline")

ISSUERS = ("阜新市人民政府办公室", "山海关区人民政府办公室", "阿城区人民政府", "义马市人民政府办公室",
           "温州市人民政府", "昆明市人力资源和社会保障局", "贵阳市生态环境局", "庆阳市外事办公室",
           "汉阳区人民政府办公室", "长春市体育局", "上海市人民政府参事室", "北京市大兴区黄村镇人民政府")

# (top-level cell, group cell, item cell) of each table-3 row; None where the row has no such cell
REQUEST_LABELS: dict[str, tuple[Optional[str], Optional[str], Optional[str]]] = {
    k: (top, group, item) for k, top, group, item in TABLE3_ROWS}
# Label variants a real report may print instead (the parser matches by prefix and keyword)
LABEL_VARIANTS = {
    "（一）予以公开": ["(一)予以公开", "（一） 予以公开"],
    "1.属于国家秘密": ["1、属于国家秘密", "１．属于国家秘密"],
    "3.危及“三安全一稳定”": ['3.危及"三安全一稳定"', "3.危及“三安全一稳定”"],
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请":
        ["1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请"],
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请":
        ["2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请"],
    "（七）总计": ["(七)总计"],
}
APPLICANT_HEAD = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
T4_HEAD = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
T2_LABELS = {"regulations": "规章", "normative_documents": "行政规范性文件", "licensing": "行政许可",
             "punishment": "行政处罚", "coercion": "行政强制", "fees_10k_yuan": "行政事业性收费"}


# ---------------------------------------------------------------- records
def _count(rng: random.Random, big: bool) -> int:
    """Mostly zeros and small counts, sometimes large ones (thousands separators, long digit runs)."""
    r = rng.random()
    if r < 0.45:
        return 0
    if r < 0.85 or not big:
        return rng.randint(1, 9)
    if r < 0.95:
        return rng.randint(10, 99)
    return rng.randint(100, 12000)


def random_report(seed: int, fmt: str = "2021", blanks: bool = False) -> Report:
    """A record satisfying R1–R4, drawn deterministically from `seed`.

    `blanks`: print a few zero cells blank (null), as many reports do; the rules hold with blanks
    read as 0, so the report is still `ok`."""
    rng = random.Random(seed)
    big = rng.random() < 0.5
    outcome_keys = [k for k in OUTCOME_ROWS if not (fmt == "2019" and k in OTHER_SUBROWS)]
    if fmt == "2019":
        outcome_keys.append(OTHER_TOTAL)
    rows: dict[str, list] = {}
    active_cols = [c for c in range(6) if rng.random() < 0.6] or [0]
    for k in outcome_keys:
        rows[k] = [(_count(rng, big) if c in active_cols and rng.random() < 0.4 else 0) for c in range(6)]
    handled = [sum(rows[k][c] for k in outcome_keys) for c in range(6)]
    carried_over = [(_count(rng, False) if c in active_cols and rng.random() < 0.3 else 0) for c in range(6)]
    forward = [rng.randint(0, handled[c] + carried_over[c]) if rng.random() < 0.3 else 0 for c in range(6)]
    # R1 fixes the new requests: new + carried_over = handled + forward
    new = [handled[c] + forward[c] - carried_over[c] for c in range(6)]
    for c in range(6):
        if new[c] < 0:
            carried_over[c] += new[c]
            new[c] = 0
    rows.update(new_received=new, carried_over=carried_over, total_handled=handled, carried_forward=forward)
    requests: dict = {}
    for k in REQUEST_ROWS[:REQUEST_ROWS.index("total_handled")]:
        requests[k] = None if (fmt == "2019" and k in OTHER_SUBROWS) else rows[k]
    if fmt == "2019":
        requests[OTHER_TOTAL] = rows[OTHER_TOTAL]
    requests["total_handled"] = rows["total_handled"]
    requests["carried_forward"] = rows["carried_forward"]
    for k, row in requests.items():
        if row is not None:
            requests[k] = row + [sum(row)]
    review = {}
    for p in PROCEEDINGS:
        parts = [_count(rng, big) if rng.random() < 0.35 else 0 for _ in range(4)]
        review[p] = parts + [sum(parts)]
    if fmt == "2021":
        fee = rng.choice([0, 0, 0, rng.randint(1, 900), round(rng.uniform(0, 2000), 3)])
        active = Active(
            regulations=DocCounts(*[_count(rng, False) for _ in range(3)]),
            normative_documents=DocCounts(*[_count(rng, big) for _ in range(3)]),
            licensing=_count(rng, big), punishment=_count(rng, big), coercion=_count(rng, big),
            fees_10k_yuan=fee)
        extra: dict = {}
    else:
        made = [_count(rng, False) for _ in range(3)], [_count(rng, big) for _ in range(3)]
        dec = {k: [_count(rng, big), rng.randint(-9, 9), _count(rng, big)]
               for k in ("licensing", "other_services", "punishment", "coercion")}
        fee_items = [_count(rng, False), rng.randint(-3, 3)]
        active = Active(regulations=DocCounts(issued=made[0][0]), normative_documents=DocCounts(issued=made[1][0]),
                        licensing=dec["licensing"][2], punishment=dec["punishment"][2],
                        coercion=dec["coercion"][2])
        extra = {"regulations_2019": dict(zip(("new_made", "new_published", "total_published"), made[0])),
                 "normative_documents_2019": dict(zip(("new_made", "new_published", "total_published"), made[1]))}
        for k, v in dec.items():
            extra[f"{k}_2019"] = dict(zip(("previous_items", "change", "decisions"), v))
        extra["fee_items_2019"] = dict(zip(("previous_items", "change"), fee_items))
        extra["procurement"] = [str(rng.randint(0, 30)), f"{rng.randint(0, 900) * 1000}元"]
    report = Report(issuer=rng.choice(ISSUERS), year=rng.randint(2021, 2025) if fmt == "2021" else rng.choice((2019, 2020)),
                    active=active, requests=requests, review_litigation=review, format_version=fmt,
                    scope="jurisdiction" if rng.random() < 0.2 else "self", parse_status="ok", extra=extra)
    if blanks:
        # blank cells: one zero cell of table 3 and the table-2 cell 行政许可
        key, col = rng.choice([(k, c) for k, v in requests.items() if v is not None for c in range(7) if v[c] == 0])
        requests[key][col] = None
        report.active.licensing = None
    return report


# ---------------------------------------------------------------- values
def fmt_value(v, style: str = "plain") -> str:
    if v is None:
        return ""
    if isinstance(v, float) and not v.is_integer():
        s = repr(v)
    else:
        s = str(int(v))
        if style == "thousands" and abs(int(v)) >= 1000:
            s = f"{int(v):,}"
    if style == "fullwidth":
        s = s.translate({ord(str(i)): chr(0xFF10 + i) for i in range(10)})
    return s


# ---------------------------------------------------------------- logical document
def _prose(report: Report, rng: random.Random) -> dict[str, list[str]]:
    total = report.requests["new_received"][6] if report.requests else 0
    intro = (f"{report.year}年，{report.issuer}认真贯彻《中华人民共和国政府信息公开条例》。"
             f"本报告中所列数据统计期限从{report.year}年1月1日到12月31日止。")
    if report.scope == "jurisdiction":
        intro += "本报告汇总全市数据。"
    return {
        "intro": [intro],
        "1": ["（一）主动公开", f"全年主动公开政府信息{rng.randint(100, 9000)}条。",
              "（二）依申请公开", f"全年共收到政府信息公开申请{fmt_value(total)}件，均按时答复。"],
        "5": ["一是公开内容不够全面。下一步将加强培训。"],
        "6": [f"{report.year}年未收取信息处理费。"],
    }


SECTION_TITLES = {"1": "一、总体情况", "2": "二、主动公开政府信息情况", "3": "三、收到和处理政府信息公开申请情况",
                  "4": "四、政府信息公开行政复议、行政诉讼情况", "5": "五、存在的主要问题及改进情况",
                  "6": "六、其他需要报告的事项"}


def table2_rows(report: Report, style: str = "plain") -> list[list[str]]:
    """Table 2 as rows of cells (2021 or 2019 layout); header rows have no values."""
    a = report.active
    v = lambda x: fmt_value(x, style)  # noqa: E731
    if report.format_version == "2019":
        e = report.extra
        rows = [["第二十条第（一）项"], ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]]
        for k, label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
            d = e[f"{k}_2019"]
            rows.append([label, v(d["new_made"]), v(d["new_published"]), v(d["total_published"])])
        for head, items in (("第二十条第（五）项", (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
                            ("第二十条第（六）项", (("punishment", "行政处罚"), ("coercion", "行政强制")))):
            rows += [[head], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]]
            for k, label in items:
                d = e[f"{k}_2019"]
                rows.append([label, v(d["previous_items"]), v(d["change"]), v(d["decisions"])])
        d = e["fee_items_2019"]
        rows += [["第二十条第（八）项"], ["信息内容", "上一年项目数量", "本年增/减"],
                 ["行政事业性收费", v(d["previous_items"]), v(d["change"])],
                 ["第二十条第（九）项"], ["信息内容", "采购项目数量", "采购总金额"],
                 ["政府集中采购", *e["procurement"]]]
        return rows
    return [
        ["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", v(a.regulations.issued), v(a.regulations.repealed), v(a.regulations.in_force)],
        ["行政规范性文件", v(a.normative_documents.issued), v(a.normative_documents.repealed),
         v(a.normative_documents.in_force)],
        ["第二十条第（五）项"], ["信息内容", "本年处理决定数量"], ["行政许可", v(a.licensing)],
        ["第二十条第（六）项"], ["信息内容", "本年处理决定数量"], ["行政处罚", v(a.punishment)],
        ["行政强制", v(a.coercion)],
        ["第二十条第（八）项"], ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", v(a.fees_10k_yuan)],
    ]


def request_keys(report: Report) -> list[str]:
    return [k for k, row in report.requests.items() if row is not None]


def _label(text: Optional[str], rng: Optional[random.Random]) -> Optional[str]:
    if text is None or rng is None or text not in LABEL_VARIANTS or rng.random() < 0.5:
        return text
    return rng.choice(LABEL_VARIANTS[text])


def table3_rows(report: Report, style: str = "plain", rng: Optional[random.Random] = None,
                repeat_groups: bool = False) -> list[tuple[str, list[Optional[str]], list[str]]]:
    """(row key, [top, group, item] label cells, 7 value strings); a group label is printed on the
    first row of its group only unless `repeat_groups`."""
    out = []
    prev: list[Optional[str]] = [None, None, None]
    for k in request_keys(report):
        labels = list(REQUEST_LABELS[k])
        shown = [(_label(c, rng) if (repeat_groups or c != prev[i] or i == 2) else "") if c is not None else None
                 for i, c in enumerate(labels)]
        prev = labels
        out.append((k, shown, row_values(report, k, style)))
    return out


def row_values(report: Report, key: str, style: str = "plain") -> list[str]:
    """A table-3 row's printed values (without the cell a `delete_cell` mutation removed)."""
    values = [fmt_value(x, style) for x in report.requests[key]]
    deleted = report.extra.get("_deleted")
    if deleted and deleted[0] == key:
        del values[deleted[1]]
    return values


def table4_values(report: Report, style: str = "plain") -> list[str]:
    return [fmt_value(x, style) for p in PROCEEDINGS for x in report.review_litigation[p]]


T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


# ---------------------------------------------------------------- text layouts
def _text_doc(report: Report, rng: random.Random, table_lines) -> str:
    prose = _prose(report, rng)
    lines = [f"{report.issuer}{report.year}年政府信息公开工作年度报告", ""] + prose["intro"] + [""]
    for key in "123456":
        lines += [SECTION_TITLES[key], ""]
        if key in prose:
            lines += [p for para in prose[key] for p in (para, "")]
        if key in "234":
            lines += table_lines(key) + [""]
    return "\n".join(lines) + "\n"


def render_tab(report: Report, rng: random.Random, sep: str = "\t", markdown: bool = False) -> str:
    style = rng.choice(["plain", "plain", "fullwidth", "thousands"])

    def row(cells: list[str]) -> str:
        if markdown:
            return "| " + " | ".join(cells) + " |"
        return sep.join(cells)

    def table(key: str) -> list[str]:
        if key == "2":
            out = []
            for i, r in enumerate(table2_rows(report, style)):
                out.append(row(r + [""] * (4 - len(r)) if sep == "\t" else r))
                if markdown and i == 0:
                    out.append("|---|---|---|---|")
            return out
        if key == "3":
            out = [row([T3_CORNER, "申请人情况"] + [""] * 7)]
            if markdown:
                out.append("|" + "---|" * 9)
            out += [row(["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]),
                    row(["", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""])]
            for _, labels, values in table3_rows(report, style, rng):
                cells = [c for c in labels if c is not None]
                # merged-cell artefacts: a row's lost leading tabs, a trailing empty cell
                if sep == "\t" and rng.random() < 0.1:
                    cells = [c for c in cells if c]
                out.append(row(cells + values + ([""] if sep == "\t" and rng.random() < 0.3 else [])))
            return out
        head = row(["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9)
        out = [head]
        if markdown:
            out.append("|" + "---|" * 15)
        out += [row(list(T4_HEAD) + ["未经复议直接起诉", "", "", "", "", "复议后起诉"]),
                row([""] * 5 + list(T4_HEAD) * 2), row(table4_values(report, style))]
        return out

    return _text_doc(report, rng, table)


def render_cells(report: Report, rng: random.Random) -> str:
    """One cell per line: each cell a tab-prefixed line, a blank line ends a table row;
    vertical header text broken over lines."""
    style = rng.choice(["plain", "fullwidth"])

    def block(cells: list[str]) -> list[str]:
        out = []
        for c in cells:
            if len(c) == 4 and not any(ch.isdigit() for ch in c) and rng.random() < 0.5:
                out += ["\t" + c[0]] + list(c[1:])  # vertical text
            else:
                out.append("\t" + c)
        return out + [""]

    def table(key: str) -> list[str]:
        out: list[str] = []
        if key == "2":
            for r in table2_rows(report, style):
                out += block(r)
        elif key == "3":
            out += block([T3_CORNER, "申请人情况"]) + block(["", "自然人", "法人或其他组织", "总计"])
            out += block(["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""])
            for _, labels, values in table3_rows(report, style, rng):
                out += block([c for c in labels if c] + values)
        else:
            out += block(["行政复议", "行政诉讼"]) + block(list(T4_HEAD) + ["未经复议直接起诉", "复议后起诉"])
            out += block(list(T4_HEAD) * 2) + block(table4_values(report, style))
        return out

    return _text_doc(report, rng, table)


def render_digits(report: Report, rng: random.Random) -> str:
    """Every table row's label followed by its digits with no delimiter (markup stripped)."""
    def table(key: str) -> list[str]:
        if key == "2":
            return ["".join(r) for r in table2_rows(report)]
        if key == "3":
            out = [T3_CORNER + "申请人情况", "自然人法人或其他组织总计", "商业企业科研机构社会公益组织法律服务机构其他"]
            for _, labels, values in table3_rows(report, "plain", None, repeat_groups=False):
                out.append("".join(c for c in labels if c) + "".join(values))
            return out
        return ["行政复议行政诉讼", "".join(T4_HEAD) + "未经复议直接起诉复议后起诉", "".join(T4_HEAD) * 2,
                "".join(table4_values(report))]

    return _text_doc(report, rng, table)


def one_line(text: str) -> str:
    """A page body stripped of its markup: every line break, tab, pipe and run of spaces gone."""
    return re.sub(r"[\s|\u3000]+", "", text)


def stray_spaces(text: str, rng: random.Random, share: float = 0.03) -> str:
    """Spaces dropped in between characters at random: inside labels (「社会公益 组织」) and inside
    or between numbers (「500000 5」)."""
    return "".join(ch + (" " if rng.random() < share else "") for ch in text)


def render_oneline(report: Report, rng: random.Random) -> str:
    """The whole report on one line, labels and digits run together, a few stray spaces."""
    text = one_line(render_tab(report, rng))
    return stray_spaces(text, rng) if rng.random() < 0.5 else text


def render_mdfrag(report: Report, rng: random.Random) -> str:
    """A PDF converted to markdown: table 2 as loose lines (notes in brackets), table 3 cut into
    several markdown tables at page breaks with page footers, its header lost (数据1…数据6/总计),
    some labels detached from their numbers (a label row, then a bare row of numbers), a row
    missing its 总计 cell with that number on a line of its own; table 4 as three 5-column
    tables or one row of 15."""
    page = [rng.randint(2, 5)]

    def footer() -> list[str]:
        page[0] += 1
        return ["", f"— {page[0] - 1} —", ""]

    def table(key: str) -> list[str]:
        if key == "2":
            out = []
            for row in table2_rows(report):
                if len(row) > 1 and any(c and c[0].isdigit() for c in row[1:]):
                    note = "（其中修订1件）" if rng.random() < 0.3 and row[1].isdigit() else ""
                    out.append(f"{row[0]} {row[1]}{note} " + " ".join(row[2:]))
                else:
                    out.append(" ".join(row))
            return out
        if key == "3":
            header = ["| 项目 | " + " | ".join(f"数据{i}" for i in range(1, 7)) + " | 总计 |", "|" + "---|" * 8]
            rows = table3_rows(report, "plain", rng)
            cuts = set(rng.sample(range(2, len(rows) - 1), 2))
            detached = set(rng.sample(range(1, len(rows) - 1), 3))
            displaced = rng.choice([i for i in range(len(rows)) if i not in detached])
            out = list(header)
            for i, (_, labels, values) in enumerate(rows):
                if i in cuts:
                    out += footer() + header
                label = " ".join(c for c in labels if c)
                if i in detached:
                    out += [f"| {label} |" + " |" * 7, "| | " + " | ".join(values) + " |"]
                elif i == displaced and values:  # the last cell on a line of its own
                    out += [f"| {label} | " + " | ".join(values[:-1]) + " | |", values[-1]]
                else:
                    out.append(f"| {label} | " + " | ".join(values) + " |")
            return out
        vals = table4_values(report)
        if rng.random() < 0.5:
            out = []
            for i, name in enumerate(("行政复议", "未经复议直接起诉", "复议后起诉")):
                out += [name, "", "| " + " | ".join(T4_HEAD) + " |", "|---|---|---|---|---|",
                        "| " + " | ".join(vals[5 * i:5 * i + 5]) + " |", ""]
            return out
        return ["| 行政复议 | | | | | 行政诉讼 |", "|" + "---|" * 15, "| " + " | ".join(vals) + " |"]

    return _text_doc(report, rng, table)


def _noisy(label: str, rng: random.Random) -> str:
    """OCR-like noise: one character of the label replaced."""
    idx = [i for i, ch in enumerate(label) if "\u4e00" <= ch <= "\u9fff"]
    if not idx:
        return label
    i = rng.choice(idx)
    return label[:i] + rng.choice("□囗口") + label[i + 1:]


def render_pdf(report: Report, rng: random.Random) -> str:
    """PDF-to-text: space-separated cells, page numbers inside the tables, one number split in
    two by a column boundary, OCR noise in one table-3 label."""
    page = [rng.randint(2, 5)]

    def page_break() -> list[str]:
        page[0] += 1
        return ["", f"- {page[0] - 1} -", "", ""]

    def table(key: str) -> list[str]:
        out: list[str] = []
        if key == "2":
            for r in table2_rows(report):
                out.append(" ".join(r))
            return out
        if key == "3":
            out += [T3_CORNER + " 申请人情况", "自然人 法人或其他组织 总计", "商业企业 科研机构 社会公益组织 法律服务机构 其他"]
            rows = table3_rows(report, "plain", None)
            noisy_row = rng.randrange(len(rows))
            split_row = rng.randrange(len(rows))
            brk = rng.randrange(len(rows))
            for i, (_, labels, values) in enumerate(rows):
                label = " ".join(c for c in labels if c)
                if i == noisy_row:
                    label = _noisy(label, rng)
                if i == split_row:
                    long = [j for j, s in enumerate(values) if len(s) >= 2]
                    if long:
                        j = rng.choice(long)
                        cut = rng.randint(1, len(values[j]) - 1)
                        values = values[:j] + [values[j][:cut] + " " + values[j][cut:]] + values[j + 1:]
                out.append(label + " " + " ".join(values))
                if i == brk:
                    out += page_break()
            return out
        out += ["行政复议 行政诉讼", " ".join(T4_HEAD) + " 未经复议直接起诉 复议后起诉", " ".join(T4_HEAD * 2)]
        vals = table4_values(report)
        out += [" ".join(vals[:10])] + page_break() + [" ".join(vals[10:])]
        return out

    return _text_doc(report, rng, table)


# ---------------------------------------------------------------- HTML
def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Html:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.word = rng.random() < 0.5  # Word-pasted markup

    def cell(self, text: str, rowspan: int = 1, colspan: int = 1, label: bool = False) -> str:
        attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
        if not text:
            body = "&nbsp;" if self.word or self.rng.random() < 0.5 else ""
        else:
            body = _esc(text)
            if label and len(text) > 6 and self.rng.random() < 0.3:
                cut = self.rng.randint(2, len(text) - 2)
                body = _esc(text[:cut]) + "<br/>" + _esc(text[cut:])
        if self.word:
            body = (f'<p class="MsoNormal" align="center" style="text-align:center"><span style="font-size:'
                    f'10.5pt;font-family:宋体">{body}</span></p>')
        return f'<td{attrs} valign="center" style="border:solid windowtext 1.0pt">{body}</td>'


def render_html(report: Report, rng: random.Random) -> str:
    h = _Html(rng)
    style = rng.choice(["plain", "plain", "fullwidth", "thousands"])
    headers = rng.random() < 0.8
    one_table = rng.random() < 0.25
    split3 = rng.random() < 0.3
    prose = _prose(report, rng)
    title = f"{report.issuer}{report.year}年政府信息公开工作年度报告"
    meta_title = title if rng.random() < 0.7 else f"{report.year}年政府信息公开工作年度报告"
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8">',
             f'<meta name="ArticleTitle" content="{meta_title}">',
             f'<meta name="ContentSource" content="{report.issuer}">',
             f"<title>{title}</title><script>var countPage = 3;</script>",
             '<style>td{border:1px solid}</style></head><body><div class="nav"><a href="/">首页</a> &gt; '
             '<a href="/zfxxgk/">政府信息公开</a> &gt; 政府信息公开年报</div>',
             '<div class="TRS_Editor">', f'<p style="text-align:center"><strong>{title}</strong></p>']
    parts += [f"<p>{_esc(p)}</p>" for p in prose["intro"]]

    def p(text: str) -> str:
        return f'<p><span style="font-family:黑体">{_esc(text)}</span></p>' if h.word else f"<p>{_esc(text)}</p>"

    def t2() -> list[str]:
        rows = []
        for r in table2_rows(report, style):
            if len(r) == 1:
                rows.append("<tr>" + h.cell(r[0], colspan=4, label=True) + "</tr>")
            else:
                cells = [h.cell(r[0], label=True)] + [h.cell(c) for c in r[1:-1]]
                cells.append(h.cell(r[-1], colspan=5 - len(r)))
                rows.append("<tr>" + "".join(cells) + "</tr>")
        return rows

    def t3() -> list[str]:
        rows = []
        if headers:
            rows.append("<tr>" + h.cell(T3_CORNER, rowspan=3, colspan=3) + h.cell("申请人情况", colspan=7) + "</tr>")
            rows.append("<tr>" + h.cell("自然人", rowspan=2) + h.cell("法人或其他组织", colspan=5)
                        + h.cell("总计", rowspan=2) + "</tr>")
            rows.append("<tr>" + "".join(h.cell(c) for c in APPLICANT_HEAD[1:6]) + "</tr>")
        keys = request_keys(report)
        top_span = sum(1 for k in keys if REQUEST_LABELS[k][0] == "三、本年度办理结果")
        group_span = {}
        for k in keys:
            g = REQUEST_LABELS[k][1]
            if REQUEST_LABELS[k][2] is not None:
                group_span[g] = group_span.get(g, 0) + 1
        seen: set = set()
        for k in keys:
            top, group, item = REQUEST_LABELS[k]
            cells = []
            if group is None:
                cells.append(h.cell(_label(top, rng), colspan=3, label=True))
            else:
                if top not in seen:
                    cells.append(h.cell(top, rowspan=top_span, label=True))
                    seen.add(top)
                if item is None:
                    cells.append(h.cell(_label(group, rng), colspan=2, label=True))
                else:
                    if group not in seen:
                        cells.append(h.cell(group, rowspan=group_span[group], label=True))
                        seen.add(group)
                    cells.append(h.cell(_label(item, rng), label=True))
            cells += [h.cell(v) for v in row_values(report, k, style)]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return rows

    def t4() -> list[str]:
        rows = []
        if headers:
            rows.append("<tr>" + h.cell("行政复议", colspan=5) + h.cell("行政诉讼", colspan=10) + "</tr>")
            rows.append("<tr>" + "".join(h.cell(c, rowspan=2) for c in T4_HEAD) + h.cell("未经复议直接起诉", colspan=5)
                        + h.cell("复议后起诉", colspan=5) + "</tr>")
            rows.append("<tr>" + "".join(h.cell(c) for c in T4_HEAD * 2) + "</tr>")
        rows.append("<tr>" + "".join(h.cell(v) for v in table4_values(report, style)) + "</tr>")
        return rows

    table_open = '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse"><tbody>'
    tables = {"2": t2(), "3": t3(), "4": t4()}
    body: list[str] = []
    if one_table:
        body.append(p(SECTION_TITLES["1"]))
        body += [p(x) for x in prose["1"]]
        body.append(table_open)
        for key in "234":
            body.append("<tr>" + h.cell(SECTION_TITLES[key], colspan=10) + "</tr>")
            body += tables[key]
        body.append("</tbody></table>")
        keys = "56"
    else:
        keys = "123456"
    for key in keys:
        body.append(p(SECTION_TITLES[key]))
        body += [p(x) for x in prose.get(key, [])]
        if key in "234":
            rows = tables[key]
            if key == "3" and split3:
                cut = rng.randint(len(rows) // 3, len(rows) - 2)
                body += [table_open, *rows[:cut], "</tbody></table>", "<p>&nbsp;</p>", table_open, *rows[cut:],
                         "</tbody></table>"]
            else:
                body += [table_open, *rows, "</tbody></table>"]
    parts += body
    parts += ['</div><div class="footer">主办单位：' + report.issuer + "</div></body></html>"]
    return "\n".join(parts)


# What real portal pages add around a report (the parse benchmark's corpus, the `page` layout)
_NAV = "".join(f'<li><a href="/col{i}/">{name}</a></li>' for i, name in enumerate(
    ("首页", "政务公开", "政府信息公开", "政策文件", "政策解读", "新闻中心", "办事服务", "互动交流", "数据开放", "专题专栏",
     "机构概况", "领导信息", "规划计划", "财政信息", "人事信息", "应急管理", "建议提案", "统计信息")))
_CHROME_HEAD = ('<div class="top"><div class="logo"><img src="/images/logo.png" alt="logo"></div>'
                '<form action="/search"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>'
                f'<ul class="menu">{_NAV}</ul><script src="/js/jquery.min.js"></script>'
                '<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");})();</script>')
_CHROME_FOOT = ('<div class="share">分享到：<a>微信</a><a>微博</a></div><div class="related"><h3>相关链接</h3><ul>'
                + "".join(f'<li><a href="/xxgk/{y}/">{y}年政府信息公开工作年度报告</a></li>' for y in range(2015, 2024))
                + '</ul></div><div class="foot"><p>主办单位：人民政府办公室 承办：大数据中心</p>'
                '<p>网站标识码：1100000001 <a href="https://beian.miit.gov.cn">京ICP备05000000号</a></p>'
                '<p>京公网安备 11010502000001号</p></div>')
# Label variants of real pages: a note (table 2), a space, a misread character (one per label, which
# the parser's near match reads)
_T2_NOTES = {"规章": "规章（设区的市级以上人民政府填报）", "行政规范性文件": "行政规范性文件（含部门文件）"}


def render_page(report: Report, rng: random.Random) -> str:
    """A real portal page: the HTML layout inside site chrome (menus, search, scripts, related
    links, footer), label variants (notes, spaces, a misread character) and Word markup."""
    html = render_html(report, rng)
    for plain, noted in _T2_NOTES.items():
        if rng.random() < 0.5:
            html = html.replace(f">{plain}<", f">{noted}<", 1)
    for label in ("社会公益组织", "法律服务机构", "本年度办理结果"):
        if rng.random() < 0.5:
            cut = rng.randint(1, len(label) - 1)
            html = html.replace(label, label[:cut] + " " + label[cut:], 1)
    if rng.random() < 0.5:
        html = html.replace("没有现成信息需要另行制作", "没有现成信息需要另形制作", 1)  # one character misread
    return html.replace("<body>", "<body>" + _CHROME_HEAD, 1).replace("</body>", _CHROME_FOOT + "</body>", 1)


def render(report: Report, layout: str, seed: int = 0) -> str:
    """The report printed in `layout` (see LAYOUTS); deterministic given `seed`."""
    rng = random.Random(seed * 7919 + LAYOUTS.index(layout))
    if layout == "tab":
        return render_tab(report, rng)
    if layout == "pipe":
        return render_tab(report, rng, sep=" | ")
    if layout == "markdown":
        return render_tab(report, rng, sep=" | ", markdown=True)
    if layout == "cells":
        return render_cells(report, rng)
    if layout == "html":
        return render_html(report, rng)
    if layout == "digits":
        return render_digits(report, rng)
    if layout == "pdf":
        return render_pdf(report, rng)
    if layout == "oneline":
        return render_oneline(report, rng)
    if layout == "mdfrag":
        return render_mdfrag(report, rng)
    if layout == "page":
        return render_page(report, rng)
    raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")


def file_name(layout: str, seed: int) -> str:
    return f"synth_{seed:06d}.{ {'html': 'html', 'page': 'html', 'markdown': 'md', 'mdfrag': 'md'}.get(layout, 'txt') }"


# ---------------------------------------------------------------- mutations
MUTATIONS = ("delete_cell", "swap_columns", "change_total")


def mutate(report: Report, kind: str, rng: random.Random) -> tuple[Report, bool]:
    """A corrupted copy of `report` as a mutated document would print it, and whether the
    corruption is one the parser must detect (not a no-op such as swapping two equal cells).

    - delete_cell: a table-3 cell is removed, the row's later cells shift left (the printed
      row has 6 values); the returned record is the original (no reading of it is right).
    - swap_columns: two applicant columns of one table-3 row are swapped.
    - change_total: one 总计 cell of table 3 is changed.
    """
    bad = copy.deepcopy(report)
    keys = [k for k, v in bad.requests.items() if v is not None]
    key = rng.choice(keys)
    row = bad.requests[key]
    if kind == "delete_cell":
        col = rng.randrange(7)
        bad.extra = dict(bad.extra, _deleted=(key, col))
        return bad, True
    if kind == "swap_columns":
        a, b = rng.sample(range(6), 2)
        row[a], row[b] = row[b], row[a]
        return bad, row[a] != row[b]
    if kind == "change_total":
        row[6] = (row[6] or 0) + rng.randint(1, 5)
        return bad, True
    raise ValueError(kind)
