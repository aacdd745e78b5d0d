"""`zfxxgk report`: one self-contained HTML statistics page, charts as inline SVG.

No script, no stylesheet or font from elsewhere: the file opens in a browser with no server and no
network. Every chart is an `<svg class="chart" data-chart="<name>">` drawn here from a mart, and
each has a table of the same figures beneath it (the numbers, not only their picture).
"""
from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Sequence

import duckdb

from pipelines.record import STATUSES

WIDTH = 760
PALETTE = ("#3b6ea8", "#d9822b", "#5a9a55", "#c0504d", "#8064a2", "#4bacc6", "#9b8b3a", "#7f7f7f")
CHARTS = ("trend", "rates", "province", "refusal", "review", "coverage")


def _e(v) -> str:
    return html.escape(str(v), quote=True)


def _pct(v: Optional[float]) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def _num(v) -> str:
    return "—" if v is None else f"{v:,}"


def _text_width(s: str) -> int:
    """Approximate width in px at 12px: CJK characters are square, others about half."""
    return sum(12 if ord(c) > 0x2e80 else 7 for c in s)


def _svg(name: str, height: int, body: list[str], title: str) -> str:
    return (f'<svg class="chart" data-chart="{name}" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
            f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{_e(title)}">'
            f'<title>{_e(title)}</title>' + "".join(body) + "</svg>")


def _empty(name: str, title: str) -> str:
    return _svg(name, 40, ['<text x="10" y="25" class="empty">no data yet</text>'], title)


def bar_chart(name: str, title: str, labels: Sequence[str], values: Sequence[Optional[float]],
              fmt=_num, notes: Optional[Sequence[str]] = None, vmax: Optional[float] = None) -> str:
    """Horizontal bars, one per label; `notes` are printed after the value (e.g. the report count)."""
    if not labels:
        return _empty(name, title)
    row, left, right = 22, 150, 190
    top = max([v for v in values if v is not None] + [0])
    vmax = vmax or top or 1
    body = []
    for i, (label, v) in enumerate(zip(labels, values)):
        y = 10 + i * row
        w = 0 if v is None else (WIDTH - left - right) * v / vmax
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_e(label)}</text>')
        body.append(f'<rect class="bar" x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
                    f'fill="{PALETTE[0]}"><title>{_e(label)}: {_e(fmt(v))}</title></rect>')
        note = f"  ({notes[i]})" if notes else ""
        body.append(f'<text x="{left + w + 4:.1f}" y="{y + 14}">{_e(fmt(v) + note)}</text>')
    return _svg(name, 20 + row * len(labels), body, title)


def stacked_chart(name: str, title: str, labels: Sequence[str], parts: Sequence[str],
                  values: Sequence[Sequence[Optional[float]]]) -> str:
    """Horizontal 100% stacked bars: one row per label, one segment per part, with a legend."""
    if not labels:
        return _empty(name, title)
    row, left, right, legend = 24, 150, 20, 28
    body = []
    x = left
    for j, part in enumerate(parts):
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>'
                    f'<text x="{x + 16}" y="16">{_e(part)}</text>')
        x += 30 + _text_width(part)
    span = WIDTH - left - right
    for i, (label, vals) in enumerate(zip(labels, values)):
        y = legend + i * row
        total = sum(v or 0 for v in vals)
        body.append(f'<text x="{left - 6}" y="{y + 16}" text-anchor="end">{_e(label)} ({total:,})</text>')
        x = float(left)
        for j, v in enumerate(vals):
            w = 0 if not total else span * (v or 0) / total
            if w > 0:
                body.append(f'<rect class="bar" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                            f'fill="{PALETTE[j % len(PALETTE)]}"><title>{_e(label)} {_e(parts[j])}: '
                            f'{_e(_num(v))}</title></rect>')
            x += w
    return _svg(name, legend + 10 + row * len(labels), body, title)


def line_chart(name: str, title: str, xs: Sequence[int], series: dict[str, Sequence[Optional[float]]],
               fmt=_pct, bars: Optional[Sequence[Optional[float]]] = None) -> str:
    """Lines over the years (one per series); `bars` draws volume bars behind them on their own scale."""
    if not xs:
        return _empty(name, title)
    height, left, right, top, bottom = 260, 60, 150, 20, 40
    pw, ph = WIDTH - left - right, height - top - bottom
    step = pw / max(len(xs), 1)

    def px(i: int) -> float:
        return left + step * (i + 0.5)

    vals = [v for s in series.values() for v in s if v is not None]
    vmax = max(vals + [0]) or 1
    body = [f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#999"/>']
    if bars:
        bmax = max([b for b in bars if b is not None] + [0]) or 1
        for i, b in enumerate(bars):
            h = 0 if b is None else ph * b / bmax
            body.append(f'<rect class="bar" x="{px(i) - step * 0.3:.1f}" y="{top + ph - h:.1f}" '
                        f'width="{step * 0.6:.1f}" height="{h:.1f}" fill="#dde6f0"><title>{xs[i]}: '
                        f'{_e(_num(b))}</title></rect>')
            body.append(f'<text x="{px(i):.1f}" y="{top + ph - h - 4:.1f}" text-anchor="middle" '
                        f'class="small">{_e(_num(b))}</text>')
    for i, x in enumerate(xs):
        body.append(f'<text x="{px(i):.1f}" y="{top + ph + 18}" text-anchor="middle">{x}</text>')
    for k in range(5):
        v = vmax * k / 4
        y = top + ph - ph * k / 4
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="small">{_e(fmt(v))}</text>')
    for j, (label, s) in enumerate(series.items()):
        color = PALETTE[j % len(PALETTE)]
        pts = [(px(i), top + ph - ph * v / vmax) for i, v in enumerate(s) if v is not None]
        if len(pts) > 1:
            body.append(f'<polyline class="line" fill="none" stroke="{color}" stroke-width="2" points="'
                        + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
        for (a, b), v in zip(pts, [v for v in s if v is not None]):
            body.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{color}"><title>{_e(label)}: '
                        f'{_e(fmt(v))}</title></circle>')
        body.append(f'<rect x="{left + pw + 12}" y="{top + j * 20}" width="12" height="12" fill="{color}"/>'
                    f'<text x="{left + pw + 28}" y="{top + j * 20 + 11}">{_e(label)}</text>')
    return _svg(name, height, body, title)


def table(columns: Sequence[str], rows: Sequence[Sequence]) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f'<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: Optional[list] = None) -> list[dict]:
    cur = conn.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


REASON_ORDER = ("denied_state_secret", "denied_law_prohibited", "denied_security_stability", "denied_third_party",
                "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_query_matter")
PROCEEDING_LABELS = {"review": "行政复议", "litigation_direct": "直接起诉", "litigation_after_review": "复议后起诉"}


def render_page(conn: duckdb.DuckDBPyConnection, year: Optional[int] = None) -> str:
    """The page; the by-year sections show every year, the others `year` (default: the latest year)."""
    years = _rows(conn, "SELECT * FROM metrics_by_year ORDER BY year")
    if year is None and years:
        year = years[-1]["year"]
    sections = []

    xs = [r["year"] for r in years]
    sections.append(("Requests by year (nationwide)", "trend", line_chart(
        "trend", "新收申请 and 公开率 by year", xs, {"公开率": [r["disclosure_rate"] for r in years]},
        bars=[r["new_received"] for r in years]),
        table(["year", "reports", "ok", "新收", "办理总计", "予以公开", "部分公开", "公开率", "结转下年"],
              [(r["year"], r["reports"], r["reports_ok"], _num(r["new_received"]), _num(r["total_handled"]),
                _num(r["granted"]), _num(r["partially_granted"]), _pct(r["disclosure_rate"]),
                _num(r["carried_forward"])) for r in years])))
    sections.append(("How requests were answered, by year", "rates", line_chart(
        "rates", "Outcome rates by year", xs,
        {"公开率": [r["disclosure_rate"] for r in years], "不予公开率": [r["denial_rate"] for r in years],
         "无法提供率": [r["unavailable_rate"] for r in years], "不予处理率": [r["rejected_rate"] for r in years],
         "其他处理率": [r["other_rate"] for r in years]}),
        table(["year", "公开率", "不予公开率", "无法提供率", "不予处理率", "其他处理率", "法人申请占比", "争议率"],
              [(r["year"], _pct(r["disclosure_rate"]), _pct(r["denial_rate"]), _pct(r["unavailable_rate"]),
                _pct(r["rejected_rate"]), _pct(r["other_rate"]), _pct(r["legal_person_share"]),
                _pct(r["dispute_rate"])) for r in years])))

    prov = _rows(conn, "SELECT * FROM metrics_by_year_province WHERE year = ? "
                       "ORDER BY disclosure_rate DESC NULLS LAST, province", [year])
    sections.append((f"公开率 by province, {year}", "province", bar_chart(
        "province", f"公开率 by province {year}", [r["province"] for r in prov],
        [r["disclosure_rate"] for r in prov], fmt=_pct, vmax=1.0,
        notes=[f"{r['reports']} reports, {r['reports_ok']} ok" for r in prov]),
        table(["province", "reports", "ok", "新收", "办理总计", "公开率", "不予公开率", "复议纠错率", "诉讼纠错率"],
              [(r["province"], r["reports"], r["reports_ok"], _num(r["new_received"]), _num(r["total_handled"]),
                _pct(r["disclosure_rate"]), _pct(r["denial_rate"]), _pct(r["review_correction_rate"]),
                _pct(r["litigation_correction_rate"])) for r in prov])))

    reasons = {r["reason"]: r for r in _rows(conn, "SELECT * FROM refusal_reasons_by_year WHERE year = ?", [year])}
    ordered = [reasons[k] for k in REASON_ORDER if k in reasons]
    sections.append((f"Why requests were refused (不予公开), {year}", "refusal", bar_chart(
        "refusal", f"不予公开 reasons {year}", [r["label"] for r in ordered], [r["requests"] for r in ordered],
        notes=[_pct(r["share_of_denied"]) for r in ordered]),
        table(["reason", "requests", "share of 不予公开", "share of 办理总计"],
              [(r["label"], _num(r["requests"]), _pct(r["share_of_denied"]), _pct(r["share_of_handled"]))
               for r in ordered])))

    rl = _rows(conn, "SELECT * FROM review_litigation_by_year WHERE year = ? ORDER BY proceeding DESC", [year])
    sections.append((f"Administrative review and litigation outcomes, {year}", "review", stacked_chart(
        "review", f"复议 and 诉讼 outcomes {year}", [PROCEEDING_LABELS.get(r["proceeding"], r["proceeding"]) for r in rl],
        ["维持", "纠正", "其他", "尚未审结"], [[r["upheld"], r["corrected"], r["other"], r["pending"]] for r in rl]),
        table(["proceeding", "维持", "纠正", "其他", "尚未审结", "总计", "纠错率", "纠错率 (已审结)", "reports"],
              [(PROCEEDING_LABELS.get(r["proceeding"], r["proceeding"]), _num(r["upheld"]), _num(r["corrected"]),
                _num(r["other"]), _num(r["pending"]), _num(r["total"]), _pct(r["correction_rate"]),
                _pct(r["correction_rate_decided"]), r["reports"]) for r in rl])))

    parts = list(STATUSES)  # the coverage mart has a count column per status
    cov = _rows(conn, "SELECT coalesce(year::VARCHAR, '(no year)') AS year, "
                      + ", ".join(f"sum({p})::BIGINT AS {p}" for p in parts)
                      + " FROM coverage GROUP BY ALL ORDER BY year")
    sections.append(("Coverage: reports found and what became of them", "coverage", stacked_chart(
        "coverage", "Reports by year and parse status", [r["year"] for r in cov], parts,
        [[r[p] for p in parts] for r in cov]),
        table(["year", *parts], [(r["year"], *(r[p] for p in parts)) for r in cov])))

    total = conn.execute("SELECT count(*), count(*) FILTER (WHERE scope = 'jurisdiction'), "
                         "count(*) FILTER (WHERE adcode IS NULL) FROM reports").fetchone()
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = "".join(f'<section id="{key}"><h2>{_e(title)}</h2>{chart}{tbl}</section>'
                   for title, key, chart, tbl in sections)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>政府信息公开工作年度报告 — statistics</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 820px; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }}
svg.chart text {{ font-size: 12px; fill: #222; }} svg.chart text.small {{ font-size: 10px; fill: #555; }}
table {{ border-collapse: collapse; margin: .8em 0; font-size: 12px; }}
td, th {{ border: 1px solid #ddd; padding: 2px 6px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
p.note {{ font-size: 12px; color: #555; }}
</style></head>
<body>
<h1>政府信息公开工作年度报告: nationwide statistics</h1>
<p class="note">{total[0]:,} reports in the warehouse ({total[1]:,} jurisdiction-wide, left out of the sums;
{total[2]:,} without a resolved division). Figures come from self-scope reports whose every number was read
(parse status ok or inconsistent); every rate is Σ numerator / Σ denominator, and each table gives the number
of reports behind its figures. Generated {generated}.</p>
{body}
</body></html>
"""


def write_page(conn: duckdb.DuckDBPyConnection, path: Path, year: Optional[int] = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_page(conn, year), encoding="utf-8")
    return path
