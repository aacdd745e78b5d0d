"""The warehouse: DDL, the loader's transactions and idempotence, the SQL models."""
from __future__ import annotations

import duckdb
import pytest

from pipelines import warehouse
from pipelines.pipeline.documents import parse_document
from pipelines.pipeline.files import local_document
from pipelines.pipeline.load import load_local
from tests.conftest import expected_record

TABLES = ("sources", "documents", "reports", "active_disclosure", "request_outcomes", "review_litigation",
          "findings")


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_every_contract_table_exists_with_its_columns(db_path):
    with warehouse.connect(db_path) as conn:
        cols = {t: {c for (c,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [t]).fetchall()}
            for t in TABLES}
    assert {"report_id", "document_id", "url", "issuer", "year", "format_version", "scope", "parse_status",
            "adcode", "province", "prefecture", "county", "admin_level"} <= cols["reports"]
    assert {"report_id", "row_key", "applicant", "value"} <= cols["request_outcomes"]
    assert {"report_id", "item", "metric", "value"} <= cols["active_disclosure"]
    assert {"report_id", "proceeding", "outcome", "value"} <= cols["review_litigation"]
    assert {"report_id", "stage", "rule", "detail", "severity"} <= cols["findings"]
    assert {"document_id", "url", "source_id", "fetched_at", "http_status", "content_type", "bytes",
            "storage_path"} <= cols["documents"]


def test_migrations_apply_once(db_path):
    with warehouse.connect(db_path) as conn:
        first = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    with warehouse.connect(db_path) as conn:
        assert warehouse.migrate(conn) == []
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == first


def test_load_samples_long_form_and_reload_is_idempotent(db_path, samples):
    load_local([samples[0].parent], db_path)
    with warehouse.connect(db_path) as conn:
        before = counts(conn)
        assert before["reports"] == 5
        assert before["request_outcomes"] == 5 * 25 * 7
        assert before["review_litigation"] == 5 * 3 * 5
        assert before["active_disclosure"] == 5 * 10
    load_local([samples[0].parent], db_path)
    with warehouse.connect(db_path) as conn:
        assert counts(conn) == before


def test_a_load_reports_its_progress_and_its_error_from_the_writing_process(db_path, samples, tmp_path):
    """load_local writes in a process of its own: its progress and its failure reach the caller."""
    seen = []
    result = load_local([samples[0].parent], db_path, on_progress=lambda done, n: seen.append((done, n)))
    assert result.loaded == 5 and result.files == 5 and seen[-1] == (5, 5)
    not_a_dir = tmp_path / "a_file"
    not_a_dir.write_text("")
    with pytest.raises(OSError):  # the warehouse's directory cannot be made under a file
        load_local([samples[0].parent], not_a_dir / "warehouse.duckdb")


def test_long_rows_hold_the_printed_numbers(db_path, samples):
    load_local([samples[0].parent], db_path)
    exp = expected_record("002_14635e754de52443")
    with warehouse.connect(db_path, read_only=True) as conn:
        rid = conn.execute("SELECT report_id FROM reports WHERE issuer = '阿城区'").fetchone()[0]
        row = conn.execute("SELECT value FROM request_outcomes WHERE report_id = ? AND row_key = 'new_received' "
                           "ORDER BY list_position(['natural_person','commercial_enterprise','research_institution',"
                           "'social_welfare_org','legal_service_org','other_org','total'], applicant)",
                           [rid]).fetchall()
        assert [v for (v,) in row] == exp["requests"]["new_received"]
        fee = conn.execute("SELECT value FROM active_disclosure WHERE report_id = ? AND item = 'fees_10k_yuan'",
                           [rid]).fetchone()[0]
        assert fee == pytest.approx(1012.922)
        lit = conn.execute("SELECT value FROM review_litigation WHERE report_id = ? AND proceeding = "
                           "'litigation_direct' AND outcome = 'total'", [rid]).fetchone()[0]
        assert lit == 99


def test_inconsistent_report_is_flagged_in_the_warehouse(db_path, samples):
    load_local([samples[0].parent], db_path)
    with warehouse.connect(db_path, read_only=True) as conn:
        status, = conn.execute("SELECT parse_status FROM reports WHERE issuer = '山海关区人民政府办公室'").fetchone()
        assert status == "inconsistent"
        cells = conn.execute("SELECT cells FROM findings f JOIN reports r USING (report_id) "
                             "WHERE r.issuer = '山海关区人民政府办公室' AND f.rule = 'R3'").fetchall()
        assert ["requests.total_handled.total"] in [[c for c in cs if c.endswith("total_handled.total")]
                                                     for (cs,) in cells]


def test_bad_document_becomes_a_failed_report_with_a_finding(db_path, tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01binary junk\x00" * 20)
    result = load_local([bad], db_path)
    assert result.loaded == 1
    with warehouse.connect(db_path, read_only=True) as conn:
        status, rid = conn.execute("SELECT parse_status, report_id FROM reports").fetchone()
        assert status == "failed" and rid.startswith("doc/")
        assert conn.execute("SELECT count(*) FROM request_outcomes").fetchone()[0] == 0
        rule, stage = conn.execute("SELECT rule, stage FROM findings WHERE report_id = ?", [rid]).fetchone()
        assert stage == "extract" and rule == "E-binary"


def test_a_failed_write_rolls_back_that_report_only(db_path, samples, monkeypatch):
    """A report whose rows cannot be written leaves no half-written rows; the others load."""
    items = []
    for p in samples[:2]:
        data = p.read_bytes()
        items.append((parse_document(data, p.name), local_document(p, data)))
    # A fractional count cannot be stored as BIGINT: the parser flags it (V-fraction) and the
    # frame keeps NULL; to force a write error we break the row key type for one report.
    bad_report = items[1][0]
    bad_report.requests["granted"] = ["x"] * 7  # not numbers: the insert into BIGINT fails
    with warehouse.connect(db_path) as conn:
        result = warehouse.load_reports(conn, items)
        assert result.loaded == 1 and len(result.failed) == 1
        rids = [r for (r,) in conn.execute("SELECT report_id FROM reports").fetchall()]
        assert len(rids) == 1
        assert conn.execute("SELECT count(DISTINCT report_id) FROM request_outcomes").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM findings WHERE stage = 'load'").fetchone()[0] == 1


def test_models_are_built_by_dbt_after_a_load(db_path, samples):
    load_local([samples[0].parent], db_path)
    with warehouse.connect(db_path, read_only=True) as conn:
        year, reports, ok, new, handled, share = conn.execute(
            "SELECT year, reports, reports_ok, new_received, total_handled, share_granted FROM requests_by_year"
        ).fetchone()
    # From the five documents: 本年新收 总计 43, 2, 23, 0, 1; (七)总计 43, 2, 23, 0, 1;
    # 予以公开 6+0+13+0+1 = 20 and 部分公开 1+0+0+0+0 = 1, so 21 / 69.
    assert (year, reports, ok, new, handled) == (2023, 5, 4, 69, 69)
    assert share == pytest.approx(round(21 / 69, 4))


def test_readers_do_not_need_the_writer(db_path, samples):
    load_local([samples[0].parent], db_path)
    with warehouse.connect(db_path, read_only=True) as conn:
        with pytest.raises(duckdb.Error):
            conn.execute("DELETE FROM reports")


def test_published_copy_serves_readers_while_the_writer_holds_the_file(db_path, samples):
    load_local([samples[0].parent], db_path)
    writer = warehouse.connect(db_path)  # a load in progress holds the only writer lock
    try:
        with warehouse.connect_reader(db_path) as reader:
            assert reader.execute("SELECT count(*) FROM reports").fetchone()[0] == 5
            assert reader.execute("SELECT new_received FROM requests_by_year").fetchone()[0] == 69
        # and the live file itself cannot be opened by another process's reader meanwhile
        import subprocess, sys
        p = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(db_path)!r}, read_only=True)"],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode != 0 and "lock" in p.stderr.lower()
        # a reader in another process opens the published copy without waiting
        pub = warehouse.published_path(db_path)
        p = subprocess.run([sys.executable, "-c", f"import duckdb; print(duckdb.connect({str(pub)!r}, "
                            "read_only=True).execute('SELECT count(*) FROM reports').fetchone()[0])"],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0 and p.stdout.strip() == "5"
    finally:
        writer.close()


def test_copies_of_one_report_with_different_numbers_are_flagged(db_path, samples):
    """A repost (or a corrected re-issue) printing other numbers must not let one copy win silently."""
    path = next(p for p in samples if p.stem.startswith("000"))
    data = path.read_bytes()
    # the same 阜新 report, but its 予以公开 row reads 7 instead of 6 for 自然人 (and 总计 7 not 6)
    altered = data.replace("(一) 予以公开\t6\t0\t0\t0\t0\t0\t6".encode(), "(一) 予以公开\t7\t0\t0\t0\t0\t0\t7".encode())
    assert altered != data
    items = []
    for name, b in ((path.name, data), ("repost.txt", altered)):
        doc = local_document(path, b)
        doc.url = f"https://example.gov.cn/{name}"
        items.append((parse_document(b, name), doc))
    with warehouse.connect(db_path) as conn:
        warehouse.load_reports(conn, items[:1])
        assert conn.execute("SELECT count(*) FROM findings WHERE rule = 'D-copies-differ'").fetchone()[0] == 0
        warehouse.load_reports(conn, items[1:])  # the altered copy breaks R1/R3, so the ok copy is kept
        assert conn.execute("SELECT count(*) FROM report_documents").fetchone()[0] == 2
        detail, = conn.execute("SELECT detail FROM findings WHERE rule = 'D-copies-differ'").fetchone()
        assert "2 copies" in detail and "000_39d38f3e5816487c.txt" in detail
        # loading the same copies again does not duplicate the finding
        warehouse.load_reports(conn, items)
        assert conn.execute("SELECT count(*) FROM findings WHERE rule = 'D-copies-differ'").fetchone()[0] == 1
