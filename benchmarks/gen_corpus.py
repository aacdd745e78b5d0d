"""A realistic corpus on disk: N portals × M report documents in every layout the parser reads.

    .venv/bin/python benchmarks/gen_corpus.py OUT_DIR [--portals 200] [--reports 50] [--seed 0]

Each portal is one real division of data/divisions.csv (a county or a prefecture); its bodies (the
government office and departments) publish one report a year, 2019–2025 (2019 format for 2019 and
2020). Records come from `tests.support.synth.random_report` (valid: R1–R4 hold) with the portal's issuer
and year, printed by `tests.support.synth.render` in a layout drawn per document (half HTML pages, the rest
the text layouts: tab, pipe, cells, markdown, digits, pdf-to-text). The usual noise, drawn per document:

- ~3 % non-reports: notices about the reports (关于做好…年度报告工作的通知), which must end `not_a_report`;
- ~3 % reposts: a report already in the corpus again, in another layout, on the same or a neighbouring
  portal (same issuer and year: one report, two documents);
- ~5 % inconsistent reports: a 总计 cell changed or two applicant columns swapped (`synth.mutate`).

Files go to OUT_DIR/pNNNNN_<adcode>/<body>_<year>.<ext>; OUT_DIR/manifest.jsonl has one line per
file (path, kind, report_id), so a test or benchmark knows what the warehouse must hold. Deterministic
given the arguments; nothing is held in memory beyond one document.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.settings import PROJECT_ROOT  # noqa: E402
from tests.support.synth import file_name, mutate, random_report, render  # noqa: E402

YEARS = (2019, 2020, 2021, 2022, 2023, 2024, 2025)
BODIES = ("人民政府办公室", "教育局", "公安局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
          "住房和城乡建设局", "交通运输局", "农业农村局", "水务局", "商务局", "文化和旅游局", "卫生健康委员会",
          "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "民政局", "司法局", "退役军人事务局",
          # enough bodies for a million documents over every division (3,185 × 46 bodies × 7 years)
          "发展和改革委员会", "科学技术局", "工业和信息化局", "民族宗教事务局", "林业局", "城市管理局", "体育局",
          "档案局", "信访局", "人民防空办公室", "机关事务管理局", "粮食和物资储备局", "地方金融监督管理局",
          "行政审批局", "数据资源管理局", "乡村振兴局", "投资促进局", "供销合作社联合社", "气象局", "税务局",
          "消防救援大队", "公共资源交易中心", "住房公积金管理中心", "残疾人联合会")
# text layouts and their share among the non-HTML documents
TEXT_LAYOUTS = ("tab", "pipe", "cells", "markdown", "digits", "pdf")
P_NOTICE, P_REPOST, P_INCONSISTENT = 0.03, 0.03, 0.05


@dataclass
class CorpusStats:
    files: int = 0
    bytes: int = 0
    reports: int = 0            # distinct (issuer, year) printed as reports
    notices: int = 0
    reposts: int = 0
    inconsistent: int = 0
    layouts: dict = field(default_factory=dict)
    seconds: float = 0.0


def max_portals() -> int:
    """One portal per county or prefecture of data/divisions.csv."""
    with open(PROJECT_ROOT / "data" / "divisions.csv", encoding="utf-8") as f:
        return sum(1 for r in csv.DictReader(f) if r["level"] in ("county", "prefecture"))


def portal_places(n: int, seed: int) -> list[tuple[str, str]]:
    """(adcode, full place name) of n divisions (counties and prefectures), e.g. 南京市鼓楼区."""
    with open(PROJECT_ROOT / "data" / "divisions.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code = {r["adcode"]: r for r in rows}

    def full(r: dict) -> str:
        # the prefecture (or, in a municipality, the province) before the county: unambiguous names
        parent = by_code.get(r["parent_adcode"] or "")
        return (parent["name"] if parent and r["level"] == "county" else "") + r["name"]

    pool = [r for r in rows if r["level"] in ("county", "prefecture")]
    random.Random(seed).shuffle(pool)
    if n > len(pool):
        raise ValueError(f"at most {len(pool)} portals (one per division)")
    return [(r["adcode"], full(r)) for r in pool[:n]]


def notice_html(place: str, year: int) -> str:
    title = f"关于做好{place}{year}年政府信息公开工作年度报告编制和发布工作的通知"
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="TRS_Editor"><p>{title}</p><p>各部门：</p><p>请于{year + 1}年1月31日前向社会公布本机关'
            f'{year}年政府信息公开工作年度报告。</p><p>{place}人民政府办公室</p></div></body></html>')


def generate(out: Path, portals: int, reports_per_portal: int, seed: int = 0) -> CorpusStats:
    """Write the corpus to `out` (created); returns what was written."""
    t0 = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    stats = CorpusStats()
    n_bodies = -(-reports_per_portal // len(YEARS))
    if n_bodies > len(BODIES):
        raise ValueError(f"at most {len(BODIES) * len(YEARS)} reports per portal")
    recent: list[tuple[int, str, int]] = []  # (record seed, issuer, year) for reposts
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        def write(folder: Path, name: str, text: str, kind: str, report_id: str | None, layout: str) -> None:
            path = folder / name
            data = text.encode("utf-8")
            path.write_bytes(data)
            stats.files += 1
            stats.bytes += len(data)
            stats.layouts[layout] = stats.layouts.get(layout, 0) + 1
            manifest.write(json.dumps({"path": str(path.relative_to(out)), "kind": kind, "report_id": report_id},
                                      ensure_ascii=False) + "\n")

        for p, (adcode, place) in enumerate(portal_places(portals, seed)):
            folder = out / f"p{p:05d}_{adcode}"
            folder.mkdir(exist_ok=True)
            slots = [(b, y) for b in range(n_bodies) for y in YEARS][:reports_per_portal]
            for i, (b, year) in enumerate(slots):
                doc_seed = seed * 10_000_000 + p * 1000 + i
                draw = rng.random()
                if draw < P_NOTICE:
                    write(folder, f"notice_{b:02d}_{year}.html", notice_html(place, year), "notice", None, "notice")
                    stats.notices += 1
                    continue
                layout = "html" if rng.random() < 0.5 else rng.choice(TEXT_LAYOUTS)
                if draw < P_NOTICE + P_REPOST and recent:
                    rec_seed, issuer, ryear = rng.choice(recent[-200:])
                    kind = "repost"
                    stats.reposts += 1
                else:
                    rec_seed, issuer, ryear = doc_seed, place + BODIES[b], year
                    kind = "report"
                    recent.append((rec_seed, issuer, ryear))
                    stats.reports += 1
                report = random_report(rec_seed, "2019" if ryear <= 2020 else "2021")
                report.issuer, report.year = issuer, ryear
                if kind == "report" and rng.random() < P_INCONSISTENT / (1 - P_NOTICE - P_REPOST):
                    bad, detectable = mutate(report, rng.choice(("change_total", "swap_columns")), rng)
                    if detectable:  # not a swap of two equal cells
                        report, kind = bad, "inconsistent"
                        stats.inconsistent += 1
                name = f"{b:02d}_{ryear}_{i:03d}_" + file_name(layout, doc_seed)
                write(folder, name, render(report, layout, doc_seed), kind, f"{ryear}/{issuer}", layout)
    stats.seconds = time.monotonic() - t0
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--portals", type=int, default=200)
    ap.add_argument("--reports", type=int, default=50, help="documents per portal")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    s = generate(args.out, args.portals, args.reports, args.seed)
    print(f"wrote {s.files} files ({s.bytes / 2**20:.1f} MiB) to {args.out} in {s.seconds:.1f} s: "
          f"{s.reports} reports ({s.inconsistent} made inconsistent), {s.reposts} reposts, {s.notices} notices")
    print("layouts " + ", ".join(f"{k} {v}" for k, v in sorted(s.layouts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
