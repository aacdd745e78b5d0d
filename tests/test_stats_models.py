"""The SQL models over a warehouse of hand-made reports with known answers, checked number by number.

The reports (numbers chosen here; each satisfies R1 + R2 = R24 + R25):
  2023 self  福州市人民政府办公厅 (source: 福州市 350100)   new 100, carried 10, handled 100, forward 10
  2023 self  鼓楼区人民政府       (source: 福州市鼓楼区 350102) new 40, carried 5, handled 35, forward 10
  2023 juris 福州市人民政府       (source: 福州市)          new 150 — the city's total, never summed
  2023 self  朝阳区人民政府       (source: 北京市 110000)   new 10, handled 10, status inconsistent
  2023 self  鼓楼区财政局         (source: none)            new 5, handled 5: ambiguous name -> NULL
  2023 self  福州市教育局         (source: 福州市)          status partial: found, not summed
  2022 self  鼓楼区人民政府                                  forward 4  (2023 carried 5: chain broken)
  2022 self  福州市人民政府办公厅                             forward 10 (2023 carried 10: chain holds)
"""
from __future__ import annotations

import hashlib

import pytest

from pipelines import warehouse
from pipelines.record import OUTCOME_ROWS, Active, Report
from pipelines.warehouse import transform
from pipelines.warehouse.frames import DocumentInfo

DENIED = ("state_secret", "law_prohibited", "security_stability", "third_party", "internal_affairs",
          "process_info", "enforcement_file", "query_matter")


def make_report(issuer, year, *, scope="self", status="ok", new=0, carried=0, legal=0, forward=0,
                cells=None, review=(0, 0, 0, 0, 0), direct=(0, 0, 0, 0, 0), after=(0, 0, 0, 0, 0), fee=None):
    """A 2021-format report: every outcome row 0 unless given in `cells` (row key -> 总计); the numbers
    sit in the 自然人 column, except `legal` new requests in 商业企业."""
    cells = cells or {}
    handled = sum(cells.values())

    def row(v, org=0):
        return [v - org, org, 0, 0, 0, 0, v]

    requests = {"new_received": row(new, legal), "carried_over": row(carried)}
    requests.update({k: row(cells.get(k, 0)) for k in OUTCOME_ROWS})
    requests.update({"total_handled": row(handled), "carried_forward": row(forward)})
    assert new + carried == handled + forward, issuer  # R1 + R2 = R24 + R25
    return Report(issuer=issuer, year=year, format_version="2021", scope=scope, parse_status=status,
                  requests=requests,
                  review_litigation={"review": list(review), "litigation_direct": list(direct),
                                     "litigation_after_review": list(after)},
                  active=Active(fees_10k_yuan=fee))


def doc(name: str, source: str | None) -> DocumentInfo:
    return DocumentInfo(document_id=hashlib.sha256(name.encode()).hexdigest(), url=f"http://127.0.0.1/{name}",
                        source_id=source)


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    conn = warehouse.connect(db)
    warehouse.upsert_sources(conn, [
        {"source_id": "fz", "name": "福州市人民政府", "start_url": "http://127.0.0.1/fz", "adcode": "350100",
         "admin_level": "prefecture"},
        {"source_id": "fz-gl", "name": "福州市鼓楼区人民政府", "start_url": "http://127.0.0.1/gl", "adcode": "350102",
         "admin_level": "county"},
        {"source_id": "bj", "name": "北京市人民政府", "start_url": "http://127.0.0.1/bj", "adcode": "110000",
         "admin_level": "province"}])
    items = [
        (make_report("福州市人民政府办公厅", 2023, new=100, carried=10, legal=20, forward=10,
                     cells={"granted": 50, "partially_granted": 10, "denied_third_party": 5, "denied_process_info": 5,
                            "unavailable_not_held": 20, "rejected_petition": 5, "other_other": 5},
                     review=(2, 1, 0, 1, 4), direct=(1, 1, 0, 0, 2)), doc("a23", "fz")),
        (make_report("鼓楼区人民政府", 2023, new=40, carried=5, legal=4, forward=10,
                     cells={"granted": 20, "partially_granted": 5, "denied_state_secret": 2,
                            "unavailable_needs_creation": 8},
                     review=(1, 0, 0, 0, 1), direct=(0, 1, 0, 1, 2)), doc("b23", "fz-gl")),
        (make_report("福州市人民政府", 2023, scope="jurisdiction", new=150, carried=15, forward=25,
                     cells={"granted": 75, "partially_granted": 15, "denied_third_party": 12,
                            "unavailable_not_held": 28, "rejected_petition": 5, "other_other": 5}), doc("c23", "fz")),
        (make_report("朝阳区人民政府", 2023, status="inconsistent", new=10,
                     cells={"granted": 4, "partially_granted": 1, "unavailable_not_held": 3,
                            "rejected_duplicate": 1, "other_no_fee": 1}), doc("f23", "bj")),
        (make_report("鼓楼区财政局", 2023, new=5, cells={"granted": 5}), doc("g23", None)),
        (Report(issuer="福州市教育局", year=2023, format_version="2021", parse_status="partial"), doc("h23", "fz")),
        (make_report("鼓楼区人民政府", 2022, new=30, forward=4, cells={"granted": 20, "unavailable_not_held": 6}),
         doc("d22", "fz-gl")),
        (make_report("福州市人民政府办公厅", 2022, new=80, forward=10,
                     cells={"granted": 60, "partially_granted": 5, "denied_law_prohibited": 5}), doc("e22", "fz")),
    ]
    result = warehouse.load_reports(conn, items)
    assert result.loaded == len(items) and not result.failed
    conn.close()
    transform.build_models(db)
    conn = warehouse.connect(db, read_only=True)
    yield conn
    conn.close()


def one(conn, sql, *params):
    rows = conn.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_divisions_are_resolved_with_the_sources_region(conn):
    got = dict(conn.execute("SELECT issuer, adcode FROM reports WHERE year = 2023").fetchall())
    assert got == {"福州市人民政府办公厅": "350100", "鼓楼区人民政府": "350102", "福州市人民政府": "350100",
                   "朝阳区人民政府": "110105", "鼓楼区财政局": None, "福州市教育局": "350100"}
    assert one(conn, "SELECT province, prefecture, county, admin_level, body_kind FROM reports "
                     "WHERE report_id = '2023/鼓楼区人民政府'") == ("福建省", "福州市", "鼓楼区", "county", "government")
    assert one(conn, "SELECT stage, rule, severity FROM findings WHERE report_id = '2023/鼓楼区财政局'") == \
        ("load", "G-ambiguous", "warning")
    assert one(conn, "SELECT n_findings FROM reports WHERE report_id = '2023/鼓楼区财政局'") == (1,)


def test_per_report_metrics(conn):
    r = conn.execute("SELECT * FROM report_metrics WHERE report_id = '2023/福州市人民政府办公厅'").fetchone()
    r = dict(zip([d[0] for d in conn.description], r))
    assert (r["new_received"], r["total_handled"], r["denied"], r["unavailable"], r["rejected"], r["other"]) == \
        (100, 100, 10, 20, 5, 5)
    assert r["disclosure_rate"] == pytest.approx(60 / 100)
    assert r["granted_rate"] == pytest.approx(50 / 100)
    assert r["denial_rate"] == pytest.approx(10 / 100)
    assert r["denial_share_third_party"] == pytest.approx(5 / 10)
    assert r["denial_share_state_secret"] == 0
    assert r["unavailable_rate"] == pytest.approx(20 / 100)
    assert r["rejected_rate"] == pytest.approx(5 / 100)
    assert r["other_rate"] == pytest.approx(5 / 100)
    assert r["legal_person_share"] == pytest.approx(20 / 100)
    assert r["review_correction_rate"] == pytest.approx(1 / 4)
    assert r["review_correction_rate_decided"] == pytest.approx(1 / 3)     # 4 − 1 pending
    assert r["litigation_correction_rate"] == pytest.approx(1 / 2)
    assert r["litigation_correction_rate_decided"] == pytest.approx(1 / 2)
    assert r["dispute_rate"] == pytest.approx((4 + 2) / 100)


def test_nationwide_sums_self_reports_only(conn):
    # 2023 self reports with complete numbers: 办公厅, 鼓楼区, 朝阳区 (inconsistent), 鼓楼区财政局;
    # the jurisdiction report (福州市) and the partial one (教育局) are left out.
    r = conn.execute("SELECT * FROM metrics_by_year WHERE year = 2023").fetchone()
    r = dict(zip([d[0] for d in conn.description], r))
    assert (r["reports"], r["reports_ok"]) == (4, 3)
    assert r["new_received"] == 100 + 40 + 10 + 5
    assert r["total_handled"] == 100 + 35 + 10 + 5
    assert r["disclosure_rate"] == pytest.approx((60 + 25 + 5 + 5) / 150)
    assert r["denial_rate"] == pytest.approx((10 + 2) / 150)
    assert r["denial_share_third_party"] == pytest.approx(5 / 12)
    assert r["denial_share_state_secret"] == pytest.approx(2 / 12)
    assert r["unavailable_rate"] == pytest.approx((20 + 8 + 3) / 150)
    assert r["rejected_rate"] == pytest.approx((5 + 1) / 150)
    assert r["other_rate"] == pytest.approx((5 + 1) / 150)
    assert r["legal_person_share"] == pytest.approx((20 + 4) / 155)
    assert r["review_correction_rate"] == pytest.approx(1 / (4 + 1))
    assert r["review_correction_rate_decided"] == pytest.approx(1 / (5 - 1))
    assert r["litigation_correction_rate"] == pytest.approx((1 + 1) / (2 + 2))
    assert r["litigation_correction_rate_decided"] == pytest.approx(2 / (4 - 1))
    assert r["dispute_rate"] == pytest.approx((5 + 4) / 150)
    assert one(conn, "SELECT reports, new_received, total_handled, share_granted FROM requests_by_year "
                     "WHERE year = 2022") == (2, 110, 96, round(85 / 96, 4))


def test_by_province_and_level(conn):
    prov = {p: (n, ok, new, rate) for p, n, ok, new, rate in conn.execute(
        "SELECT province, reports, reports_ok, new_received, disclosure_rate FROM metrics_by_year_province "
        "WHERE year = 2023").fetchall()}
    assert prov.keys() == {"福建省", "北京市", "(未解析)"}
    assert prov["福建省"][:3] == (2, 2, 140) and prov["福建省"][3] == pytest.approx(85 / 135)
    assert prov["北京市"][:3] == (1, 0, 10) and prov["北京市"][3] == pytest.approx(5 / 10)
    assert prov["(未解析)"][:3] == (1, 1, 5)
    level = {lv: (n, new, rate) for lv, n, new, rate in conn.execute(
        "SELECT admin_level, reports, new_received, disclosure_rate FROM metrics_by_year_level "
        "WHERE year = 2023").fetchall()}
    assert level["county"][:2] == (2, 50) and level["county"][2] == pytest.approx(30 / 45)
    assert level["prefecture"][:2] == (1, 100)
    both = one(conn, "SELECT reports, new_received FROM metrics_by_year_province_level "
                     "WHERE year = 2023 AND province = '福建省' AND admin_level = 'county'")
    assert both == (1, 40)


def test_jurisdiction_report_is_a_cross_check(conn):
    r = one(conn, "SELECT report_id, new_received, self_reports, self_new_received, new_received_covered, "
                  "difference_new_received FROM jurisdiction_crosscheck")
    assert r[:4] == ("2023/福州市人民政府", 150, 2, 140)
    assert r[4] == pytest.approx(140 / 150) and r[5] == 10


def test_carry_over_chain(conn):
    chain = {(i, y): (c, d) for i, y, c, d in conn.execute(
        "SELECT issuer, year, chain, difference FROM carry_over_chain").fetchall()}
    assert chain[("鼓楼区人民政府", 2023)] == ("break", 1)       # carried 5, previous forward 4
    assert chain[("福州市人民政府办公厅", 2023)] == ("match", 0)
    assert chain[("鼓楼区人民政府", 2022)] == ("no_previous_report", None)


def test_year_over_year(conn):
    r = one(conn, "SELECT reports, previous_reports, new_received, previous_new_received, new_received_change, "
                  "panel_bodies, panel_new_received, panel_previous_new_received "
                  "FROM year_over_year WHERE province = '全国' AND year = 2023")
    assert r[:4] == (4, 2, 155, 110) and r[4] == pytest.approx(155 / 110 - 1)
    assert r[5:] == (2, 140, 110)
    r = one(conn, "SELECT disclosure_rate_change_pp FROM year_over_year WHERE province = '全国' AND year = 2023")
    assert r[0] == pytest.approx((95 / 150 - 85 / 96) * 100)


def test_refusal_reasons_and_review_outcomes(conn):
    reasons = {k: (n, s) for k, n, s in conn.execute(
        "SELECT reason, requests, share_of_denied FROM refusal_reasons_by_year WHERE year = 2023").fetchall()}
    assert len(reasons) == 8
    assert reasons["denied_third_party"][0] == 5 and reasons["denied_third_party"][1] == pytest.approx(5 / 12)
    assert reasons["denied_process_info"][0] == 5 and reasons["denied_query_matter"][0] == 0
    r = one(conn, "SELECT upheld, corrected, pending, total, correction_rate FROM review_litigation_by_year "
                  "WHERE year = 2023 AND proceeding = 'litigation_direct'")
    assert r[:4] == (1, 2, 1, 4) and r[4] == pytest.approx(2 / 4)


def test_coverage_and_quality(conn):
    r = one(conn, "SELECT reports, ok, partial FROM coverage WHERE year = 2023 AND province = '福建省' "
                  "AND admin_level = 'prefecture' AND scope = 'self'")
    assert r == (2, 1, 1)  # 办公厅 ok, 教育局 partial
    assert one(conn, "SELECT sum(reports) FROM coverage")[0] == 8
    assert one(conn, "SELECT findings, reports FROM findings_by_rule WHERE rule = 'G-ambiguous'") == (1, 1)
    by_source = {s: (n, f) for s, n, f in conn.execute(
        "SELECT source_id, reports, findings FROM findings_by_source").fetchall()}
    assert by_source["fz"] == (4, 0) and by_source[None] == (1, 1)


def test_fee_outliers_flag_yuan_typed_into_wan_yuan(tmp_path):
    db = tmp_path / "fees.duckdb"
    conn = warehouse.connect(db)
    fees = {"山海关区人民政府": 1.5, "阿城区人民政府": 2.0, "义马市人民政府": 3.0, "细河区人民政府": 2.5,
            "海淀区人民政府": 4.0, "浦东新区人民政府": 25000.0}  # the last: 2.5 万元 typed as 元
    warehouse.load_reports(conn, [(make_report(n, 2021, fee=v), doc(n, None)) for n, v in fees.items()])
    conn.close()
    transform.build_models(db)
    conn = warehouse.connect(db, read_only=True)
    rows = conn.execute("SELECT issuer, fees_10k_yuan, level_median, level_reports, fees_if_yuan "
                        "FROM fee_outliers").fetchall()
    assert rows == [("浦东新区人民政府", 25000.0, 2.75, 6, 2.5)]  # median of 1.5 2 2.5 3 4 25000
    conn.close()
