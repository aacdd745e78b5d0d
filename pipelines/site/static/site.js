/* zfxxgk static site: draws every page from its own data file (data/<path>.js calls zfx.put).
   No network: the data files, the layout, the map geometry and ECharts all ship in the site folder. */
"use strict";
(function () {
  const zfx = (window.zfx = window.zfx || {});
  const store = {}, waiting = {};

  // --- data files ----------------------------------------------------------------------------
  zfx.put = function (path, data) {
    store[path] = data;
    (waiting[path] || []).forEach((w) => w.resolve(data));
    delete waiting[path];
  };
  zfx.load = function (path) {
    if (path in store) return Promise.resolve(store[path]);
    return new Promise((resolve, reject) => {
      const first = !waiting[path];
      (waiting[path] = waiting[path] || []).push({ resolve, reject });
      if (!first) return;
      const s = document.createElement("script");
      s.src = "data/" + path + ".js";
      s.onerror = () => {
        (waiting[path] || []).forEach((w) => w.reject(new Error("no data file data/" + path + ".js")));
        delete waiting[path];
      };
      document.head.appendChild(s);
    });
  };
  zfx.geo = function (json) { zfx.geojson = json; };

  // --- small helpers -------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  const rows = (t) => t.rows.map((r) => Object.fromEntries(t.cols.map((c, i) => [c, r[i]])));
  const num = (v) => (v === null || v === undefined ? "—" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 }));
  const pct = (v) => (v === null || v === undefined ? "—" : (100 * v).toFixed(1) + "%");
  const signed = (v, f) => (v === null || v === undefined ? "—" : (v > 0 ? "+" : "") + f(v));
  const hashArgs = () => decodeURIComponent(location.hash.replace(/^#/, "")).split("/");
  const link = (href, text) => el("a", { href }, text);
  const reportHref = (key) => "report.html#" + key;
  const issuerHref = (key) => "issuer.html#" + key;
  const provinceHref = (key) => "province.html#" + key;
  const safeUrl = (u) => /^https?:\/\//i.test(u || "");
  const PALETTE = ["#3b6ea8", "#d9822b", "#5a9a55", "#c0504d", "#8064a2", "#4bacc6", "#9b8b3a", "#7f7f7f"];
  const STATUS_LABELS = { ok: "ok", inconsistent: "inconsistent 不一致", partial: "partial 部分读取",
    unsupported: "unsupported 格式不支持", not_a_report: "not a report 非年报", failed: "failed 读取失败" };
  const LEVELS = { central: "中央", province: "省级", prefecture: "市级", county: "县级", township: "乡镇" };

  function table(cols, body, attrs) {
    return el("table", attrs || {},
      el("thead", {}, el("tr", {}, cols.map((c) => el("th", {}, c)))),
      el("tbody", {}, body.map((r) => el("tr", {}, r.map((v) => (v instanceof Node ? el("td", {}, v) : el("td", {}, v === null || v === undefined ? "—" : String(v))))))));
  }

  function section(title, ...children) {
    return el("section", {}, el("h2", {}, title), ...children);
  }

  // "Reports behind this figure": used, and left out by reason. `e` is one row of an exclusions table.
  function behindText(e) {
    if (!e) return "No reports.";
    const out = [];
    if (e.jurisdiction) out.push(`${num(e.jurisdiction)} jurisdiction-wide (本行政区域) reports, which repeat the numbers of the bodies beneath them`);
    const unread = [["partial", "partial"], ["unsupported", "unsupported"], ["failed", "failed"]]
      .filter(([k]) => e[k]).map(([k, lb]) => `${num(e[k])} ${lb}`);
    if (unread.length) out.push(unread.join(", ") + " (not every number was read)");
    if (e.not_a_report) out.push(`${num(e.not_a_report)} documents that are not annual reports`);
    return `${num(e.used)} reports behind this figure (${num(e.ok)} pass every consistency rule, ${num(e.inconsistent)} inconsistent, kept as printed) of ${num(e.found)} found. ` +
      (out.length ? "Left out: " + out.join("; ") + "." : "None left out.");
  }
  function behind(exclRows, label) {
    const total = exclRows.reduce((a, e) => {
      for (const k of ["found", "used", "ok", "inconsistent", "jurisdiction", "partial", "unsupported", "not_a_report", "failed"]) a[k] = (a[k] || 0) + (e[k] || 0);
      return a;
    }, {});
    const box = el("div", { class: "behind", "data-behind": total.used || 0 }, el("p", {}, (label ? label + ": " : "") + behindText(total)));
    if (exclRows.length > 1) {
      box.appendChild(el("details", {}, el("summary", {}, "By year"),
        table(["year", "used", "ok", "inconsistent", "left out: jurisdiction", "partial", "unsupported", "failed", "not a report"],
          exclRows.map((e) => [e.year, num(e.used), num(e.ok), num(e.inconsistent), num(e.jurisdiction), num(e.partial), num(e.unsupported), num(e.failed), num(e.not_a_report)]))));
    }
    return box;
  }

  function chart(option, height) {
    const div = el("div", { class: "chart", style: `height:${height || 320}px` });
    requestAnimationFrame(() => {
      const c = echarts.init(div, null, { renderer: "svg" });
      c.setOption(Object.assign({ animation: false, color: PALETTE, tooltip: { trigger: "axis" } }, option));
      window.addEventListener("resize", () => c.resize());
    });
    return div;
  }
  function figure(name, title, chartEl, behindEl, ...rest) {
    return el("figure", { "data-figure": name }, el("figcaption", {}, title), chartEl, behindEl, ...rest);
  }
  function yearSelect(years, value, onchange) {
    return el("label", {}, "Year ", el("select", { onchange: (ev) => onchange(Number(ev.target.value)) },
      years.map((y) => el("option", { value: y, selected: y === value }, y))));
  }

  // --- overview --------------------------------------------------------------------------------
  async function overview(app) {
    const d = await zfx.load("overview");
    const years = rows(d.years), excl = rows(d.excl), xs = years.map((r) => String(r.year));
    app.append(el("h1", {}, "全国概览 · Nationwide, by report year"));
    if (!years.length) { app.append(el("p", {}, "No report with complete numbers yet.")); }
    app.append(figure("requests", "新收申请 and 公开率 by year (self-scope reports)", chart({
      legend: {}, xAxis: { type: "category", data: xs },
      yAxis: [{ type: "value", name: "requests" }, { type: "value", name: "公开率", max: 1, axisLabel: { formatter: (v) => Math.round(v * 100) + "%" } }],
      series: [{ name: "本年新收 new", type: "bar", data: years.map((r) => r.new_received) },
        { name: "办理结果总计 handled", type: "bar", data: years.map((r) => r.total_handled) },
        { name: "公开率 disclosure rate", type: "line", yAxisIndex: 1, data: years.map((r) => r.disclosure_rate) }],
    }), behind(excl)));
    const parts = [["予以公开", (r) => r.granted_rate], ["部分公开", (r) => r.disclosure_rate === null || r.granted_rate === null ? null : r.disclosure_rate - r.granted_rate],
      ["不予公开", (r) => r.denial_rate], ["无法提供", (r) => r.unavailable_rate], ["不予处理", (r) => r.rejected_rate], ["其他处理", (r) => r.other_rate]];
    app.append(figure("outcomes", "How requests were answered (share of 办理结果总计)", chart({
      legend: {}, xAxis: { type: "category", data: xs }, yAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => Math.round(v * 100) + "%" } },
      tooltip: { trigger: "axis", valueFormatter: pct },
      series: parts.map(([n, f]) => ({ name: n, type: "bar", stack: "share", data: years.map(f) })),
    }), behind(excl)));

    const reasons = rows(d.reasons);
    const ryears = [...new Set(reasons.map((r) => r.year))];
    const refusal = el("div");
    const drawRefusal = (y) => {
      const rs = reasons.filter((r) => r.year === y);
      refusal.replaceChildren(yearSelect(ryears, y, drawRefusal), chart({
        grid: { left: 200 }, tooltip: { trigger: "axis" }, xAxis: { type: "value" },
        yAxis: { type: "category", data: rs.map((r) => r.label), inverse: true },
        series: [{ name: "requests", type: "bar", data: rs.map((r) => r.requests),
          label: { show: true, position: "right", formatter: (p) => num(p.value) + " (" + pct(rs[p.dataIndex].share_of_denied) + ")" } }],
      }, 300), behind(excl.filter((e) => e.year === y), String(y)));
    };
    if (ryears.length) drawRefusal(ryears[ryears.length - 1]);
    app.append(figure("refusal", "Why requests were refused (不予公开, by reason)", refusal));

    const review = rows(d.review), LAB = zfx.layout.outcome_labels, PL = zfx.layout.proceeding_labels;
    const vyears = [...new Set(review.map((r) => r.year))];
    const ry = review.length ? review.reduce((a, r) => Math.max(a, r.reports), 0) : 0;
    app.append(figure("review", "行政复议 and 行政诉讼 outcomes by year", chart({
      legend: { top: 0 }, grid: { bottom: 90 }, tooltip: { trigger: "item" },
      xAxis: { type: "category", data: vyears.flatMap((y) => zfx.layout.proceedings.map((p) => y + " " + PL[p])), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", name: "cases" },
      series: ["upheld", "corrected", "other", "pending"].map((o) => ({ name: LAB[o], type: "bar", stack: "x",
        data: vyears.flatMap((y) => zfx.layout.proceedings.map((p) => { const r = review.find((x) => x.year === y && x.proceeding === p); return r ? r[o] : null; })) })),
    }, 340), behind(excl), el("p", { class: "note" }, `Only reports whose table 4 was read: up to ${num(ry)} a year.`)));

    const cov = rows(d.coverage), cyears = [...new Set(cov.map((r) => r.year))];
    const statuses = ["ok", "inconsistent", "partial", "unsupported", "not_a_report", "failed"];
    app.append(figure("coverage", "Reports found, by what became of them", chart({
      legend: {}, xAxis: { type: "category", data: cyears.map((y) => (y === null ? "no year" : String(y))) }, yAxis: { type: "value", name: "reports" },
      series: statuses.map((s) => ({ name: STATUS_LABELS[s], type: "bar", stack: "s", data: cyears.map((y) => cov.filter((r) => r.year === y).reduce((a, r) => a + (r[s] || 0), 0)) })),
    }), el("div", { class: "behind", "data-behind": cov.reduce((a, r) => a + r.reports, 0) },
      el("p", {}, `Every report found: ${num(cov.reduce((a, r) => a + r.reports, 0))}, of which ${num(cov.filter((r) => r.scope === "jurisdiction").reduce((a, r) => a + r.reports, 0))} jurisdiction-wide; ${num(d.no_year)} without a readable year (shown as "no year", in no yearly figure).`))));

    app.append(section("The figures", table(["year", "reports used", "ok", "新收", "办理总计", "予以公开", "部分公开", "公开率", "不予公开率", "复议纠错率", "诉讼纠错率", "结转下年"],
      years.map((r) => [r.year, num(r.reports), num(r.reports_ok), num(r.new_received), num(r.total_handled), num(r.granted), num(r.partially_granted), pct(r.disclosure_rate), pct(r.denial_rate), pct(r.review_correction_rate), pct(r.litigation_correction_rate), num(r.carried_forward)]))));
    const yoy = rows(d.yoy);
    app.append(section("Year over year", el("p", { class: "note" }, "The set of reports changes between years; the panel compares the same bodies (by issuer) in both years."),
      table(["year", "reports", "previous", "新收 change", "公开率 change (pp)", "panel bodies", "panel 新收 change"],
        yoy.map((r) => [r.year, num(r.reports), num(r.previous_reports), signed(r.new_received_change, pct), signed(r.disclosure_rate_change_pp, (v) => v.toFixed(1)), num(r.panel_bodies), signed(r.panel_new_received_change, pct)]))));
  }

  // --- map -------------------------------------------------------------------------------------
  const MAP_METRICS = { disclosure_rate: ["公开率 disclosure rate", pct], new_received: ["本年新收 new requests", num],
    denial_rate: ["不予公开率 denial rate", pct], review_correction_rate: ["复议纠错率 review correction rate", pct],
    litigation_correction_rate: ["诉讼纠错率 litigation correction rate", pct], dispute_rate: ["争议率 dispute rate", pct],
    reports: ["reports used", num] };

  async function mapPage(app) {
    const d = await zfx.load("map");
    echarts.registerMap("china", zfx.geojson);
    const metrics = rows(d.metrics), excl = rows(d.excl);
    const years = [...new Set(metrics.map((r) => r.year))];
    const state = { year: years[years.length - 1], metric: "disclosure_rate" };
    app.append(el("h1", {}, "分省地图 · Provinces"));
    const controls = el("div", { class: "controls" }), body = el("div");
    app.append(controls, body);
    const draw = () => {
      const [label, f] = MAP_METRICS[state.metric];
      const here = metrics.filter((r) => r.year === state.year);
      const byName = Object.fromEntries(here.map((r) => [r.province, r]));
      const data = d.provinces.filter((p) => p.geo).map((p) => ({ name: p.geo, value: byName[p.name] ? byName[p.name][state.metric] : null, province: p.name }));
      const vals = data.map((x) => x.value).filter((v) => v !== null && v !== undefined);
      const rate = f === pct;
      controls.replaceChildren(yearSelect(years, state.year, (y) => { state.year = y; draw(); }), " ",
        el("label", {}, "Metric ", el("select", { onchange: (ev) => { state.metric = ev.target.value; draw(); } },
          Object.entries(MAP_METRICS).map(([k, [lb]]) => el("option", { value: k, selected: k === state.metric }, lb)))));
      const yearExcl = excl.filter((e) => e.year === state.year && e.province === null);
      const offMap = d.provinces.filter((p) => !p.geo).map((p) => p.name);
      body.replaceChildren(figure("map", `${label}, ${state.year}`, chart({
        tooltip: { trigger: "item", formatter: (p) => { const r = byName[(p.data || {}).province]; const e = excl.find((x) => x.year === state.year && x.province === (p.data || {}).province);
          return `${p.name}: ${r ? f(r[state.metric]) : "no report"}<br>${e ? num(e.used) + " reports used, " + num(e.found - e.used) + " left out" : ""}`; } },
        // the colour scale spans this year's values, so provinces can be told apart at a glance
        visualMap: { min: vals.length ? Math.min(...vals) : 0, max: vals.length && Math.max(...vals) > Math.min(...vals) ? Math.max(...vals) : (vals[0] || 0) + (rate ? 0.01 : 1),
          calculable: true, left: 10, bottom: 20, formatter: (v) => f(v), inRange: { color: ["#e8eef6", "#3b6ea8", "#1d3d66"] } },
        series: [{ type: "map", map: "china", roam: false, data, emphasis: { label: { show: true } } }],
      }, 560), behind(yearExcl, String(state.year)),
        el("p", { class: "note" }, (offMap.length ? `Not on the map: ${offMap.join(", ")} (central bodies, or reports whose division was not resolved). ` : "") +
          "Provinces in grey have no report with complete numbers that year. The map geometry is illustrative (ECharts 4.9 map data), not an approved map.")),
      section("Provinces, " + state.year, table(["province", "reports used", "left out", label, "新收", "公开率"],
        d.provinces.map((p) => { const r = byName[p.name], e = excl.find((x) => x.year === state.year && x.province === p.name);
          return [link(provinceHref(p.key), p.name), e ? num(e.used) : "0", e ? num(e.found - e.used) : "0", r ? f(r[state.metric]) : "—", r ? num(r.new_received) : "—", r ? pct(r.disclosure_rate) : "—"]; }))));
    };
    draw();
  }

  // --- province --------------------------------------------------------------------------------
  async function provincePage(app) {
    const [key] = hashArgs();
    const d = await zfx.load("province/" + key);
    const excl = rows(d.excl), totals = rows(d.totals), levels = rows(d.levels), bodies = rows(d.bodies);
    app.append(el("h1", {}, d.name), el("p", { class: "meta" }, `${num(bodies.length)} bodies with reports. `, link("map.html", "All provinces")));
    const yex = excl.filter((e) => e.admin_level === null);
    app.append(figure("province-years", "新收申请 and 公开率 by year", chart({
      legend: {}, xAxis: { type: "category", data: totals.map((r) => String(r.year)) },
      yAxis: [{ type: "value", name: "requests" }, { type: "value", max: 1, axisLabel: { formatter: (v) => Math.round(v * 100) + "%" } }],
      series: [{ name: "本年新收", type: "bar", data: totals.map((r) => r.new_received) }, { name: "公开率", type: "line", yAxisIndex: 1, data: totals.map((r) => r.disclosure_rate) }],
    }), behind(yex)));
    const years = [...new Set(levels.map((r) => r.year))];
    const byLevel = el("div");
    const drawLevels = (y) => {
      const ls = levels.filter((r) => r.year === y);
      byLevel.replaceChildren(yearSelect(years, y, drawLevels), chart({
        legend: {}, xAxis: { type: "category", data: ls.map((r) => LEVELS[r.admin_level] || r.admin_level) },
        yAxis: [{ type: "value", name: "requests" }, { type: "value", max: 1, axisLabel: { formatter: (v) => Math.round(v * 100) + "%" } }],
        series: [{ name: "本年新收", type: "bar", data: ls.map((r) => r.new_received) }, { name: "公开率", type: "line", yAxisIndex: 1, data: ls.map((r) => r.disclosure_rate) }],
      }, 280), behind(excl.filter((e) => e.year === y && e.admin_level === null), String(y)),
      table(["level", "reports used", "left out", "新收", "公开率", "不予公开率"], ls.map((r) => { const e = excl.find((x) => x.year === y && x.admin_level === r.admin_level);
        return [LEVELS[r.admin_level] || r.admin_level, num(r.reports), e ? num(e.found - e.used) : "—", num(r.new_received), pct(r.disclosure_rate), pct(r.denial_rate)]; })));
    };
    if (years.length) drawLevels(years[years.length - 1]);
    app.append(figure("province-levels", "By level of government", byLevel));
    app.append(section("Coverage by year and level", table(["year", "level", "found", "used", "ok", "inconsistent", "jurisdiction", "partial", "unsupported", "failed", "not a report"],
      excl.filter((e) => e.admin_level !== null).map((e) => [e.year, LEVELS[e.admin_level] || e.admin_level, num(e.found), num(e.used), num(e.ok), num(e.inconsistent), num(e.jurisdiction), num(e.partial), num(e.unsupported), num(e.failed), num(e.not_a_report)]))));
    app.append(section("Bodies", table(["issuer", "level", "prefecture", "county", "reports", "latest year", "statuses"],
      bodies.map((b) => [link(issuerHref(b.key), b.issuer), LEVELS[b.admin_level] || b.admin_level || "—", b.prefecture, b.county, b.years, b.latest, b.statuses]))));
  }

  // --- cells named by findings -----------------------------------------------------------------
  function flaggedCells(findings) {
    const cells = {};
    findings.forEach((f, i) => (f.cells || []).forEach((c) => { (cells[c] = cells[c] || []).push(i); }));
    return cells;
  }
  function cell(name, value, flags, findings) {
    const idx = flags[name] || [];
    const sev = idx.some((i) => findings[i].severity === "error") ? "error" : "warning";
    return el("td", { "data-cell": name, class: idx.length ? "flagged " + sev : (value === null || value === undefined ? "blank" : null),
      title: idx.length ? idx.map((i) => `[${i + 1}] ${findings[i].rule}: ${findings[i].detail}`).join("\n") : null },
      value === null || value === undefined ? "—" : num(value), idx.length ? el("sup", {}, idx.map((i) => i + 1).join(",")) : null);
  }

  function activeTable(r, flags, findings) {
    const L = zfx.layout, a = r.active;
    if (!a) return el("p", { class: "unread" }, "Table 2 was not read.");
    const body = [];
    for (const row of L.active) {
      if (row.section) {
        body.push(el("tr", {}, el("th", { colspan: 4, class: "section" }, row.section)));
        body.push(el("tr", {}, el("th", {}, "信息内容"), row.metrics.map(([, h]) => el("th", { colspan: row.metrics.length === 1 ? 3 : 1 }, h))));
      }
      body.push(el("tr", {}, el("th", {}, row.label), row.metrics.map(([m]) => {
        const td = cell(`active.${row.item}.${m}`, a[`${row.item}.${m}`], flags, findings);
        if (row.metrics.length === 1) td.setAttribute("colspan", 3);
        return td;
      })));
    }
    return el("table", { class: "printed", "data-table": "active" }, el("tbody", {}, body));
  }

  function requestsTable(r, flags, findings) {
    const L = zfx.layout, q = r.requests;
    if (!q) return el("p", { class: "unread" }, "Table 3 was not read.");
    const shown = L.requests.filter((row) => row.key in q ||
      (row.key.startsWith("other_") && row.key !== "other_total" ? !("other_total" in q) : row.key !== "other_total"));
    const head = [
      el("tr", {}, el("th", { colspan: 3, rowspan: 3, class: "corner" }, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), el("th", { colspan: 7 }, "申请人情况")),
      el("tr", {}, L.applicant_groups.map(([g, n]) => el("th", n === 1 ? { rowspan: 2 } : { colspan: n }, g))),
      el("tr", {}, L.applicant_labels.slice(1, 6).map((lb) => el("th", {}, lb))),
    ];
    const count = (f) => shown.filter(f).length;
    const body = shown.map((row, i) => {
      const tr = el("tr", { "data-row": row.key });
      const prev = shown[i - 1];
      if (!row.group) tr.appendChild(el("th", { colspan: 3 }, row.top));
      else {
        if (!prev || prev.top !== row.top) tr.appendChild(el("th", { rowspan: count((x) => x.top === row.top), class: "top" }, row.top));
        if (!row.label) tr.appendChild(el("th", { colspan: 2 }, row.group));
        else {
          if (!prev || prev.group !== row.group) tr.appendChild(el("th", { rowspan: count((x) => x.group === row.group && x.label), class: "group" }, row.group));
          tr.appendChild(el("th", {}, row.label));
        }
      }
      const vals = q[row.key] || [];
      L.applicants.forEach((ap, j) => tr.appendChild(cell(`requests.${row.key}.${ap}`, vals[j], flags, findings)));
      return tr;
    });
    return el("table", { class: "printed", "data-table": "requests" }, el("thead", {}, head), el("tbody", {}, body));
  }

  function reviewTable(r, flags, findings) {
    const L = zfx.layout, v = r.review;
    if (!v) return el("p", { class: "unread" }, "Table 4 was not read.");
    const outs = L.outcomes.map((o) => L.outcome_labels[o]);
    return el("table", { class: "printed", "data-table": "review" }, el("thead", {},
      el("tr", {}, el("th", { colspan: 5, rowspan: 2 }, L.proceeding_labels.review), el("th", { colspan: 10 }, "行政诉讼")),
      el("tr", {}, el("th", { colspan: 5 }, L.proceeding_labels.litigation_direct), el("th", { colspan: 5 }, L.proceeding_labels.litigation_after_review)),
      el("tr", {}, L.proceedings.flatMap(() => outs.map((o) => el("th", {}, o))))),
      el("tbody", {}, el("tr", {}, L.proceedings.flatMap((p) => L.outcomes.map((o, j) => cell(`review_litigation.${p}.${o}`, (v[p] || [])[j], flags, findings))))));
  }

  function findingsList(findings) {
    if (!findings.length) return el("p", {}, "No findings: every consistency rule holds.");
    return el("ol", { class: "findings" }, findings.map((f, i) => el("li", { class: f.severity, "data-finding": i + 1 },
      el("strong", {}, `[${i + 1}] ${f.rule}`), ` ${f.severity} · ${f.stage}: `, el("span", { class: "detail" }, f.detail),
      f.cells && f.cells.length ? el("div", { class: "cells" }, `${f.cells.length} cell${f.cells.length > 1 ? "s" : ""}: ` + f.cells.slice(0, 4).join(", ") + (f.cells.length > 4 ? " …" : "")) : null)));
  }

  // --- report ----------------------------------------------------------------------------------
  async function reportPage(app) {
    const [key] = hashArgs();
    const r = await zfx.load(`report/${key.slice(0, 2)}/${key}`);
    const m = r.meta, flags = flaggedCells(r.findings);
    app.append(el("h1", {}, `${m.issuer || "(issuer not read)"} · ${m.year || "(year not read)"}`),
      el("p", { class: "meta" }, el("span", { class: "status " + m.status }, STATUS_LABELS[m.status] || m.status), ` · scope ${m.scope} · format ${m.format || "—"} · `,
        m.province_key ? link(provinceHref(m.province_key), m.province_group) : "", m.prefecture ? " " + m.prefecture : "", m.county ? " " + m.county : "",
        m.admin_level ? ` · ${LEVELS[m.admin_level] || m.admin_level}` : "", " · ", m.issuer_key ? link(issuerHref(m.issuer_key), "every year of this body") : "", ` · report_id ${m.report_id}`));
    const flagged = Object.keys(flags).length;
    app.append(el("div", { class: "report" },
      el("div", { class: "tables" },
        section("二、主动公开政府信息情况", activeTable(r, flags, r.findings)),
        section("三、收到和处理政府信息公开申请情况", requestsTable(r, flags, r.findings)),
        section("四、政府信息公开行政复议、行政诉讼情况", reviewTable(r, flags, r.findings))),
      el("aside", {}, el("h2", {}, "Findings"), el("p", { class: "note" }, flagged ? `${flagged} cells named by the findings are highlighted; the numbers are as printed.` : ""), findingsList(r.findings))));
    if (r.extra) {
      const show = (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? Object.entries(v).map(([k, x]) => `${k} ${num(x)}`).join(" · ") : Array.isArray(v) ? v.join(" · ") : String(v));
      app.append(section("2019-format cells with no 2021 counterpart (as read)", table(["cell", "value"], Object.entries(r.extra).map(([k, v]) => [k, show(v)]))));
    }
    app.append(section("Stored copies", el("ul", { class: "copies" }, r.copies.map((c) => el("li", {},
      c.href ? link(c.href, "stored copy") : el("span", { class: "note" }, "(no stored copy in this site)"), " · ",
      safeUrl(c.url) ? el("a", { href: c.url, rel: "nofollow noopener" }, c.url) : (c.url || "—"),
      ` · ${c.content_type || "?"} · ${num(c.bytes)} bytes · parsed ${c.status || "—"}`,
      c.document_id === m.document_id ? el("strong", {}, " · numbers kept from this copy") : "",
      c.fetched_at ? ` · fetched ${c.fetched_at}` : "")))));
  }

  // --- issuer ----------------------------------------------------------------------------------
  async function issuerPage(app) {
    const [key] = hashArgs();
    const d = await zfx.load(`issuer/${key.slice(0, 2)}/${key}`);
    const reps = await Promise.all(d.reports.map((r) => zfx.load(`report/${r.key.slice(0, 2)}/${r.key}`)));
    app.append(el("h1", {}, d.issuer), el("p", { class: "meta" }, d.province_key ? link(provinceHref(d.province_key), d.province) : "", d.prefecture ? " " + d.prefecture : "", d.county ? " " + d.county : "",
      d.admin_level ? ` · ${LEVELS[d.admin_level] || d.admin_level}` : "", ` · ${d.reports.length} report${d.reports.length > 1 ? "s" : ""}`));
    const used = d.reports.filter((r) => r.numbers_complete && r.scope === "self");
    const left = d.reports.filter((r) => !(r.numbers_complete && r.scope === "self"));
    app.append(figure("issuer-years", "新收申请, 办理结果 and 公开率 by year", chart({
      legend: {}, xAxis: { type: "category", data: used.map((r) => String(r.year)) },
      yAxis: [{ type: "value", name: "requests" }, { type: "value", max: 1, axisLabel: { formatter: (v) => Math.round(v * 100) + "%" } }],
      series: [{ name: "本年新收", type: "bar", data: used.map((r) => r.new_received) }, { name: "办理结果总计", type: "bar", data: used.map((r) => r.total_handled) },
        { name: "公开率", type: "line", yAxisIndex: 1, data: used.map((r) => r.disclosure_rate) }],
    }, 280), el("div", { class: "behind", "data-behind": used.length }, el("p", {}, `${used.length} reports behind this figure` +
      (left.length ? "; left out: " + left.map((r) => `${r.year} (${r.scope === "jurisdiction" ? "jurisdiction-wide" : r.status})`).join(", ") + "." : "; none left out.")))));
    const chain = Object.fromEntries((d.chain || []).map((c) => [c.year, c]));
    app.append(section("Year over year", table(["year", "status", "本年新收", "change", "办理总计", "公开率", "change (pp)", "上年结转", "previous 结转下年", "carry-over chain"],
      d.reports.map((r, i) => { const p = i > 0 && d.reports[i - 1].year === r.year - 1 ? d.reports[i - 1] : null; const c = chain[r.year];
        return [link(reportHref(r.key), String(r.year)), r.status, num(r.new_received), p && p.new_received ? signed(r.new_received / p.new_received - 1, pct) : "—", num(r.total_handled), pct(r.disclosure_rate),
          p && p.disclosure_rate !== null && r.disclosure_rate !== null ? signed(100 * (r.disclosure_rate - p.disclosure_rate), (v) => v.toFixed(1)) : "—",
          num(r.carried_over), c ? num(c.previous_carried_forward) : "—", c ? el("span", { class: "chain " + c.chain }, c.chain + (c.chain === "break" ? ` (${signed(c.difference, num)})` : "")) : "—"]; }))));
    // every year's tables side by side: one column per year
    const L = zfx.layout;
    const heads = () => ["", ...reps.map((r, i) => link(reportHref(d.reports[i].key), String(r.meta.year)))];
    const side = (title, names) => section(title, el("table", { class: "side" }, el("thead", {}, el("tr", {}, heads().map((h) => el("th", {}, h)))),
      el("tbody", {}, names.map(([name, label, get]) => el("tr", {}, el("th", {}, label), reps.map((r) => cell(name, get(r), flaggedCells(r.findings), r.findings)))))));
    app.append(side("二、主动公开 (every year)", L.active.flatMap((row) => row.metrics.map(([m, h]) => [`active.${row.item}.${m}`, `${row.label} · ${h}`, (r) => (r.active || {})[`${row.item}.${m}`]]))));
    app.append(side("三、申请 — 总计 column (every year; the report pages have every column)", L.requests.filter((row) => reps.some((r) => r.requests && row.key in r.requests))
      .map((row) => [`requests.${row.key}.total`, [row.group, row.label].filter(Boolean).join(" ") || row.top, (r) => ((r.requests || {})[row.key] || [])[6]])));
    app.append(side("四、复议 / 诉讼 (every year)", L.proceedings.flatMap((p) => L.outcomes.map((o, j) => [`review_litigation.${p}.${o}`, `${L.proceeding_labels[p]} · ${L.outcome_labels[o]}`, (r) => ((r.review || {})[p] || [])[j]]))));
  }

  // --- findings browser ------------------------------------------------------------------------
  async function findingsPage(app) {
    const d = await zfx.load("findings");
    app.append(el("h1", {}, "问题浏览 · Findings by rule"), el("p", { class: "note" }, "R1–R4 are the format's own arithmetic (本年新收 + 上年结转 = 办理结果总计 + 结转下年度; each row's 总计; the outcome rows; table 4's 总计). A finding names the cells it is about."),
      table(["severity", "stage", "rule", "findings", "reports", "documents", "example"], rows(d.rules).map((r) => [r.severity, r.stage, link("rule.html#" + r.key + "/0", r.rule), num(r.findings), num(r.reports), num(r.documents), r.example_detail])));
  }
  async function rulePage(app) {
    const [key, page] = hashArgs(), n = Number(page || 0);
    const idx = await zfx.load("findings"), rule = rows(idx.rules).find((r) => r.key === key);
    const list = await zfx.load(`rule/${key}/${n}`);
    app.append(el("h1", {}, `${rule.rule} · ${rule.severity} · ${rule.stage}`), el("p", { class: "meta" }, `${num(rule.findings)} findings on ${num(rule.reports)} reports; page ${n + 1} of ${rule.pages}. `,
      n > 0 ? link(`rule.html#${key}/${n - 1}`, "← previous") : "", " ", n + 1 < rule.pages ? link(`rule.html#${key}/${n + 1}`, "next →") : ""),
      table(["report", "issuer", "year", "province", "detail"], list.map(([rk, issuer, year, province, detail, url]) => [rk ? link(reportHref(rk), "report") : (safeUrl(url) ? el("a", { href: url }, "document") : url || "—"), issuer, year, province, detail])));
  }

  // --- search ----------------------------------------------------------------------------------
  const BUCKETS = 256;
  const bucket = (pair) => (pair[0].codePointAt(0) * 1009 + pair[1].codePointAt(0)) % BUCKETS;
  async function searchPage(app) {
    const input = el("input", { type: "search", placeholder: "机关名称, e.g. 公安局", autofocus: true, size: 40 });
    const out = el("div", { class: "results" });
    app.append(el("h1", {}, "搜索机关 · Search issuers"), input, out);
    let seq = 0;
    const run = async () => {
      const q = input.value.trim().toLowerCase(), chars = Array.from(q), my = ++seq;
      history.replaceState(null, "", "#" + encodeURIComponent(input.value.trim()));
      if (chars.length < 2) { out.replaceChildren(el("p", { class: "note" }, "Type at least two characters of the name.")); return; }
      const b = await zfx.load("search/" + bucket(chars.slice(0, 2))).catch(() => ({ names: [], pieces: {} }));
      if (my !== seq) return;
      const hits = (b.pieces[chars.slice(0, 2).join("")] || []).map((i) => b.names[i]).filter((n) => n[0].toLowerCase().includes(q));
      out.replaceChildren(el("p", { class: "meta" }, `${hits.length} issuer${hits.length === 1 ? "" : "s"}` + (hits.length > 300 ? " (first 300 shown)" : "")),
        table(["issuer", "province", "reports", "latest year"], hits.slice(0, 300).map(([name, k, prov, years, latest]) => [link(issuerHref(k), name), prov, years, latest])));
    };
    input.addEventListener("input", run);
    const q0 = decodeURIComponent(location.hash.replace(/^#/, ""));
    if (q0) { input.value = q0; run(); }
  }

  const PAGES = { index: overview, map: mapPage, province: provincePage, issuer: issuerPage, report: reportPage, findings: findingsPage, rule: rulePage, search: searchPage };
  async function start() {
    const app = document.getElementById("app"), page = document.body.dataset.page;
    app.replaceChildren();
    try {
      await PAGES[page](app);
      document.body.setAttribute("data-ready", "1");
    } catch (e) {
      app.append(el("p", { class: "error" }, "Could not draw this page: " + e.message));
      document.body.setAttribute("data-ready", "error");
    }
    zfx.load("meta").then((m) => { const b = document.getElementById("built"); if (b) b.textContent = `${m.built_at} from ${num(m.reports)} reports`; }).catch(() => {});
  }
  window.addEventListener("DOMContentLoaded", start);
  window.addEventListener("hashchange", start);
})();
