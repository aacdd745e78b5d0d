"""Issuer name + source region -> administrative division, level and kind (pipelines.geo).

Expected codes are the official 行政区划代码 of the places named (GB/T 2260 / 民政部 list), not the
resolver's output: 阜新市 210900, 细河区 210911, 秦皇岛市山海关区 130303, 哈尔滨市阿城区 230112,
三门峡市义马市 411281, 福州市鼓楼区 350102, 南京市鼓楼区 320106, 北京市朝阳区 110105,
长春市朝阳区 220104, 济源市 419001 (省直辖), 仙桃市 429004 (省直辖), 东莞市 441900 (no counties).
"""
from __future__ import annotations

import pytest

from pipelines.geo import resolve


def rules(geo) -> list[str]:
    return [f.rule for f in geo.findings]


@pytest.mark.parametrize("issuer, adcode, province, prefecture, county, level, kind", [
    # the issuers of the five bundled samples
    ("阜新市人民政府办公室", "210900", "辽宁省", "阜新市", None, "prefecture", "government"),
    ("山海关区人民政府办公室", "130303", "河北省", "秦皇岛市", "山海关区", "county", "government"),
    ("阿城区", "230112", "黑龙江省", "哈尔滨市", "阿城区", "county", "government"),
    ("义马市人民政府办公室", "411281", "河南省", "三门峡市", "义马市", "county", "government"),
    # provinces, departments, 直辖市 districts (no prefecture), 省直辖县级 units (no prefecture)
    ("辽宁省人民政府办公厅", "210000", "辽宁省", None, None, "province", "government"),
    ("吉林省教育厅", "220000", "吉林省", None, None, "province", "department"),
    ("吉林市人民政府", "220200", "吉林省", "吉林市", None, "prefecture", "government"),
    ("北京市海淀区住房和城乡建设委员会", "110108", "北京市", None, "海淀区", "county", "department"),
    ("上海市人民政府", "310000", "上海市", None, None, "province", "government"),
    ("济源市人民政府", "419001", "河南省", None, "济源市", "county", "government"),
    ("仙桃市人民政府办公室", "429004", "湖北省", None, "仙桃市", "county", "government"),
    ("广西壮族自治区人民政府", "450000", "广西壮族自治区", None, None, "province", "government"),
    ("延边州人民政府", "222400", "吉林省", "延边朝鲜族自治州", None, "prefecture", "government"),
    # development zone: one level below the city that contains it
    ("郑州高新技术产业开发区管理委员会", "410100", "河南省", "郑州市", None, "county", "zone"),
    # vertically managed branches take the place they name
    ("国家税务总局北京市税务局", "110000", "北京市", None, None, "province", "vertical"),
    ("南京海关", "320100", "江苏省", "南京市", None, "prefecture", "vertical"),
])
def test_names_resolve_to_their_official_division(issuer, adcode, province, prefecture, county, level, kind):
    geo = resolve(issuer)
    assert (geo.adcode, geo.province, geo.prefecture, geo.county, geo.admin_level, geo.body_kind) == \
        (adcode, province, prefecture, county, level, kind)
    assert geo.findings == []


def test_towns_keep_their_county_or_city_code_and_say_the_town_is_not_coded():
    geo = resolve("阜新市细河区玉龙街道")
    assert (geo.adcode, geo.county, geo.admin_level) == ("210911", "细河区", "township")
    assert rules(geo) == ["G-town-unresolved"]
    geo = resolve("东莞市虎门镇人民政府")  # 东莞 has no counties: its towns report directly
    assert (geo.adcode, geo.prefecture, geo.county, geo.admin_level) == ("441900", "东莞市", None, "township")


def test_an_ambiguous_district_is_resolved_by_its_source_never_silently():
    nobody = resolve("鼓楼区人民政府")
    assert nobody.adcode is None and nobody.province is None and rules(nobody) == ["G-ambiguous"]
    assert "350102" in nobody.findings[0].detail and "320106" in nobody.findings[0].detail
    assert resolve("鼓楼区人民政府", "350100").adcode == "350102"   # source: 福州市
    assert resolve("鼓楼区人民政府", "320100").adcode == "320106"   # source: 南京市
    assert resolve("朝阳区人民政府", "110000").adcode == "110105"   # source: 北京市
    assert resolve("朝阳区人民政府", "220104").adcode == "220104"   # source: 长春市朝阳区 itself
    # 江苏 has two 鼓楼区 (南京 320106, 徐州 320302): the province alone does not decide
    jiangsu = resolve("鼓楼区人民政府", "320000")
    assert jiangsu.adcode is None and rules(jiangsu) == ["G-ambiguous"]
    assert "320106" in jiangsu.findings[0].detail and "320302" in jiangsu.findings[0].detail


def test_the_name_wins_over_the_source_with_a_warning():
    geo = resolve("长春市朝阳区人民政府", "110000")
    assert geo.adcode == "220104" and rules(geo) == ["G-source-mismatch"]


def test_a_name_without_a_place_takes_the_sources_region_only_when_the_level_fits():
    geo = resolve("区教育委员会", "110105")
    assert (geo.adcode, geo.county, geo.admin_level, geo.body_kind) == ("110105", "朝阳区", "county", "department")
    geo = resolve("县教育局", "350100")  # a county body on a city's portal: which county?
    assert geo.adcode is None and rules(geo) == ["G-unresolved"]
    geo = resolve("财政局")
    assert geo.adcode is None and rules(geo) == ["G-unresolved"]


def test_central_bodies_have_a_level_and_no_region():
    for name in ("国家发展和改革委员会", "教育部", "中国人民银行", "国家税务总局", "国务院办公厅"):
        geo = resolve(name)
        assert (geo.adcode, geo.admin_level) == (None, "central"), name
        assert geo.findings == []
    assert resolve("国务院办公厅").body_kind == "government"


def test_special_zones_without_codes():
    geo = resolve("雄安新区管理委员会")
    assert (geo.adcode, geo.province, geo.admin_level, geo.body_kind) == ("130000", "河北省", "prefecture", "zone")


def test_unknown_places_and_missing_issuers():
    geo = resolve("莱芜市人民政府")  # merged into 济南市 in 2019: not guessed
    assert geo.adcode is None and rules(geo) == ["G-unresolved"]
    assert resolve(None).findings == [] and resolve(None).adcode is None
    geo = resolve("阿城区", "999999")
    assert geo.adcode == "230112" and rules(geo) == ["G-source-unknown"]
