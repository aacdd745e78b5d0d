"""The loader's key map (`RunKeys`): a run's batches decide what they replace from it instead of scanning
the warehouse, so it must agree with the warehouse after every batch, change only when a batch commits,
and give exactly the tables the per-batch questions (`BatchKeys`) give."""
from __future__ import annotations

import copy
import hashlib

from pipelines import rules, warehouse
from pipelines.warehouse.frames import DocumentInfo
from pipelines.warehouse.keys import DIFFER, NO_COPIES, RunKeys
from tests.support.synth import random_report

NATURAL_KEYS = {"documents": ("document_id",), "reports": ("report_id",),
                "report_documents": ("report_id", "document_id"),
                "request_outcomes": ("report_id", "row_key", "applicant"),
                "review_litigation": ("report_id", "proceeding", "outcome"),
                "active_disclosure": ("report_id", "item", "metric"),
                "report_sections": ("report_id", "section"), "report_extra": ("report_id", "key")}
TABLES = (*NATURAL_KEYS, "findings")


def item(name: str, seed: int, issuer: str | None = "甲市人民政府办公室", year: int = 2021, status: str = "ok"):
    """A parsed record of document `name`: numbers drawn from `seed` (same seed, same numbers)."""
    report = random_report(seed, "2021")
    report.issuer, report.year, report.parse_status = issuer, year if issuer else None, status
    report.sections = {s: f"第{s}部分 {name}" for s in range(1, 7)}
    doc = hashlib.sha256(name.encode()).hexdigest()
    return report, DocumentInfo(document_id=doc, url=f"file:///corpus/{name}.html", bytes=len(name))


def rid(it) -> str:
    report, doc = it
    return f"{report.year}/{report.issuer}" if report.issuer else f"doc/{doc.document_id[:16]}"


A1, A2, A3 = item("a1", 1, "甲"), item("a2", 1, "甲"), item("a3", 9, "甲", status="inconsistent")
B1, B2 = item("b1", 2, "乙"), item("b2", 2, "乙", status="partial")
C_NO_ISSUER, C_REPARSED = item("c1", 3, None), item("c1", 3, "丙")
D1, D2, D3 = item("d1", 4, "丁"), item("d2", 5, "丁"), item("d3", 4, "丁")
E1 = item("e1", 6, "戊")
BATCHES = [
    [A1, B1, C_NO_ISSUER],
    [A2, A1, B2, C_REPARSED, D1, D2],  # a repost, a re-load, a worse copy, a changed id, copies that differ
    [D3, A3, E1],                      # a third copy of 丁 (as d1), a differing worse copy of 甲
]


def table(conn, name: str) -> list[tuple]:
    cols = [c for (c,) in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                       "AND column_name <> 'loaded_at' ORDER BY ordinal_position", [name]).fetchall()]
    return conn.execute(f"SELECT {', '.join(cols)} FROM {name} ORDER BY ALL").fetchall()


def assert_matches_warehouse(keys: RunKeys, conn) -> None:
    """The run's map against one read of the warehouse: the same reports and documents; findings and
    fingerprints at most a superset ("may"), never missing what the warehouse holds."""
    fresh = RunKeys.read(conn)
    assert {r: v[:3] for r, v in keys._reports.items() if v[0]} == {r: v[:3] for r, v in fresh._reports.items() if v[0]}
    assert keys._documents == fresh._documents
    for r, v in fresh._reports.items():
        assert keys._reports[r][3] in (v[3], DIFFER) or v[3] is NO_COPIES, r
    for rule, held in fresh._findings.items():
        assert held <= keys._findings[rule]


def unique_keys(conn) -> None:
    for t, key in NATURAL_KEYS.items():
        cols = ", ".join(key)
        assert conn.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {t} GROUP BY {cols} HAVING count(*) > 1)"
                            ).fetchone()[0] == 0, t


def load_both(conn, ref, batches) -> RunKeys:
    """The batches loaded into `conn` with a run's map and into `ref` asking per batch: the same outcomes, the
    map equal to a fresh read after each batch, the keys unique, and in the end the same tables."""
    keys = RunKeys.read(conn)
    for batch in batches:
        got = warehouse.load_reports(conn, batch, keys)
        want = warehouse.load_reports(ref, batch)
        assert (got.loaded, got.kept_other_copy, got.failed) == (want.loaded, want.kept_other_copy, want.failed)
        assert_matches_warehouse(keys, conn)
        unique_keys(conn)
    for t in TABLES:
        assert table(conn, t) == table(ref, t), t
    return keys


def test_a_run_with_the_map_writes_what_per_batch_questions_write(tmp_path):
    with warehouse.connect(tmp_path / "map.duckdb") as conn, warehouse.connect(tmp_path / "batch.duckdb") as ref:
        load_both(conn, ref, BATCHES)
        reports = dict(conn.execute("SELECT report_id, document_id FROM reports").fetchall())
        # 甲 keeps its ok copy a1 (a2 is as good and came first in its batch; a1 re-loaded after it),
        # 乙 its ok copy b1 over the partial b2; c1's old id is gone; 丁 keeps d1 or an equal copy
        assert set(reports) == {rid(A1), rid(B1), rid(C_REPARSED), rid(D1), rid(E1)}
        assert reports[rid(B1)] == B1[1].document_id
        assert rid(C_NO_ISSUER) not in reports
        differ = {r for (r,) in conn.execute("SELECT report_id FROM findings WHERE rule = ?",
                                             [rules.D_COPIES_DIFFER.code]).fetchall()}
        assert differ == {rid(A1), rid(D1)}  # 甲: a3's numbers differ; 丁: d2's
        copies = conn.execute("SELECT count(*) FROM report_documents WHERE report_id = ?", [rid(D1)]).fetchone()[0]
        assert copies == 3


def test_reloading_the_run_in_the_same_run_gives_the_same_tables(tmp_path):
    """Every batch again, in the same run (the map now holds every key): the tables do not change."""
    with warehouse.connect(tmp_path / "w.duckdb") as conn:
        keys = RunKeys.read(conn)
        for batch in BATCHES:
            warehouse.load_reports(conn, batch, keys)
        before = {t: table(conn, t) for t in TABLES}
        for batch in BATCHES:
            warehouse.load_reports(conn, batch, keys)
            assert_matches_warehouse(keys, conn)
        assert {t: table(conn, t) for t in TABLES} == before


def test_a_first_load_deletes_nothing(tmp_path):
    """New reports and documents only: with the map, the batch only appends."""
    with warehouse.connect(tmp_path / "w.duckdb") as conn:
        keys = RunKeys.read(conn)
        warehouse.load_reports(conn, BATCHES[0], keys)
        statements: list[str] = []

        class Recording:
            def __getattr__(self, name):
                return getattr(conn, name)

            def execute(self, sql, *args):
                statements.append(sql)
                return conn.execute(sql, *args)

        new = [item(f"new{i}", 10 + i, f"新{i}") for i in range(5)]
        assert warehouse.load_reports(Recording(), new, keys).loaded == 5  # type: ignore[arg-type]
        assert [s for s in statements if "DELETE" in s.upper()] == []
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 3 + 5


def test_a_rolled_back_batch_leaves_the_map_as_it_was(tmp_path, monkeypatch):
    """Every write of the batch fails (the batch, then each report alone): nothing of it is in the
    warehouse or in the map, except the L-write findings of its reports; once fixed, it loads and
    those findings go."""
    with warehouse.connect(tmp_path / "w.duckdb") as conn:
        keys = RunKeys.read(conn)
        warehouse.load_reports(conn, BATCHES[0], keys)
        before = copy.deepcopy((keys._reports, keys._documents, keys._findings))
        real_insert = warehouse._insert

        def failing(conn, table, *args, **kw):
            if table == "report_documents":
                raise RuntimeError("disk full")
            return real_insert(conn, table, *args, **kw)

        monkeypatch.setattr(warehouse, "_insert", failing)
        result = warehouse.load_reports(conn, BATCHES[1], keys)
        assert result.loaded == 0 and len(result.failed) == len(BATCHES[1])
        assert (keys._reports, keys._documents) == before[:2]
        assert keys._findings[rules.L_WRITE.code] == {rid(it) for it in BATCHES[1]}
        assert keys._findings[rules.D_COPIES_DIFFER.code] == before[2][rules.D_COPIES_DIFFER.code]
        assert_matches_warehouse(keys, conn)
        monkeypatch.setattr(warehouse, "_insert", real_insert)
        result = warehouse.load_reports(conn, BATCHES[1], keys)
        # the reports now written lose their L-write finding; 乙 keeps its ok copy b1 (b2 is partial),
        # so b2 was not written as the report and its finding stays
        assert result.failed == [] and keys._findings[rules.L_WRITE.code] == {rid(B2)}
        assert conn.execute("SELECT report_id FROM findings WHERE rule = ?", [rules.L_WRITE.code]).fetchall() == [
            (rid(B2),)]
        assert_matches_warehouse(keys, conn)


def test_one_failing_report_updates_the_map_for_the_others_only(tmp_path):
    """The batch fails on one report: the others are retried one by one and each enters the map as it
    commits; the failing one is not in it (only its L-write finding)."""
    bad = item("bad", 2, "坏")
    bad[0].requests["granted"] = ["x"] * 7  # not numbers: the insert into BIGINT fails
    with warehouse.connect(tmp_path / "w.duckdb") as conn:
        keys = RunKeys.read(conn)
        result = warehouse.load_reports(conn, [*BATCHES[0], bad], keys)
        assert result.loaded == len(BATCHES[0]) and [d for d, _ in result.failed] == [bad[1].document_id]
        assert set(keys._reports) == {rid(it) for it in BATCHES[0]}
        assert keys._findings[rules.L_WRITE.code] == {rid(bad)}
        assert_matches_warehouse(keys, conn)


def test_document_ids_other_than_digests_and_odd_fingerprints_are_kept_as_they_are(tmp_path):
    """The map holds a SHA-256 hex document id as its bytes and a 16-hex fingerprint as its integer;
    any other id (upper case, not hex, another length) or fingerprint stays a string, one-to-one, so a
    run with such ids writes what the per-batch questions write."""
    from pipelines.warehouse.keys import _doc, _doc_str, _fp

    digest = hashlib.sha256(b"x").hexdigest()
    odd = [digest.upper(), digest[:63] + "g", digest + "0", " " + digest[1:], "c1", ""]
    assert isinstance(_doc(digest), bytes) and _doc_str(_doc(digest)) == digest
    assert [_doc(d) for d in odd] == odd and len({_doc(d) for d in [digest, *odd]}) == len(odd) + 1
    assert _fp(digest[:16]) == int(digest[:16], 16) and [_fp(h) for h in (None, "ABCDEF0123456789", "0x12")] == [
        None, "ABCDEF0123456789", "0x12"]

    def renamed(it, i):
        report, doc = it
        d = doc.document_id
        new = (d.upper(), "doc:" + d[:10], d[:63] + "g", d)[i % 4]
        return report, DocumentInfo(document_id=new, url=doc.url, bytes=doc.bytes)

    batches = [[renamed(it, i) for i, it in enumerate(b)] for b in BATCHES]
    with warehouse.connect(tmp_path / "map.duckdb") as conn, warehouse.connect(tmp_path / "batch.duckdb") as ref:
        keys = load_both(conn, ref, [*batches, *batches])
        assert any(isinstance(d, str) for d in keys._documents) and any(isinstance(d, bytes) for d in keys._documents)
        assert keys.nbytes() > 0


def test_a_run_checkpoints_every_few_batches_not_at_each_commit(tmp_path, monkeypatch):
    """`load.write_batches` writes the WAL into the file every CHECKPOINT_BATCHES batches; between two,
    the committed batches stay in the WAL (DuckDB's own checkpoint in COMMIT is off on the loader's
    connection), and what they wrote is there either way."""
    from pipelines.pipeline import load

    monkeypatch.setattr(load, "CHECKPOINT_BATCHES", 2)
    db = tmp_path / "w.duckdb"
    wal = tmp_path / "w.duckdb.wal"
    wal_after: list[int] = []  # the WAL's size after each batch, seen when the run asks for the next one

    def batches():
        for n, batch in enumerate(BATCHES):
            if n:
                wal_after.append(wal.stat().st_size if wal.exists() else 0)
            yield batch
        wal_after.append(wal.stat().st_size if wal.exists() else 0)

    with load.connect(db) as conn:
        load.write_batches(conn, batches(), warehouse.LoadResult())
    assert wal_after[0] > 0 and wal_after[1] == 0 and wal_after[2] > 0
    assert not wal.exists() or wal.stat().st_size == 0  # closing the connection checkpointed the rest
    with warehouse.connect(tmp_path / "ref.duckdb") as ref:  # DuckDB's own checkpoints
        for batch in BATCHES:
            warehouse.load_reports(ref, batch)
        with warehouse.connect(db, read_only=True) as conn:
            assert all(table(conn, t) == table(ref, t) for t in TABLES)
