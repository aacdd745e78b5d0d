"""The `zfxxgk` command line, run as a real subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import expected_record

ZFXXGK = [sys.executable, "-m", "pipelines.cli"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ZFXXGK, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def numbers(rec: dict) -> dict:
    return {k: rec[k] for k in ("issuer", "year", "active", "requests", "review_litigation")}


def test_parse_json_matches_each_sample_exactly(samples):
    assert len(samples) == 5
    for path in samples:
        p = run("parse", str(path), "--json")
        assert p.returncode == 0, p.stderr
        got = json.loads(p.stdout)
        assert numbers(got) == expected_record(path.stem), path.name
        assert got["format_version"] == "2021"
        assert got["scope"] == "self"


def test_sample_001_is_inconsistent_with_r3_naming_the_cells(samples):
    path = next(p for p in samples if p.stem.startswith("001"))
    got = json.loads(run("parse", str(path), "--json").stdout)
    assert got["parse_status"] == "inconsistent"
    r3 = [f for f in got["findings"] if f["rule"] == "R3" and f["severity"] == "error"]
    # 总计 row prints 2 for 自然人 and 总计 while every outcome row is 0 (the report's own numbers)
    assert len(r3) == 2
    assert {c for f in r3 for c in f["cells"]} >= {"requests.total_handled.natural_person",
                                                   "requests.total_handled.total"}
    assert any("2" in f["detail"] and "0" in f["detail"] for f in r3)


def test_parse_jsonl_streams_one_record_per_file(samples):
    p = run("parse", str(samples[0].parent), "--jsonl")
    lines = p.stdout.splitlines()
    assert len(lines) == 5
    assert all(json.loads(line)["source"].endswith(".txt") for line in lines)


def test_a_directory_is_walked_for_readable_files_in_path_order(tmp_path):
    from pipelines.pipeline.files import expand_paths

    for rel in ["b.html", "a-b/y.pdf", "a/x.html", "a/b/z.txt", "a/skip.bin", "a/Q.HTML", "A/q.doc"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    got = [os.path.relpath(p, tmp_path) for p in expand_paths([tmp_path])]
    # by path parts, so all of a/ precedes a-b/ although "a-" < "a/" as strings; suffixes in any case
    assert got == ["A/q.doc", "a/Q.HTML", "a/b/z.txt", "a/x.html", "a-b/y.pdf", "b.html"]


@pytest.mark.parametrize("content,status", [
    (b"", "failed"),
    (b"\x00\x01\x02\x03binary\x00\xff\xfe\x00" * 50, "failed"),
    ("关于召开2023年度工作会议的通知\n各单位：请于下周一参加会议。".encode("utf-8"), "not_a_report"),
])
def test_bad_input_gives_one_line_error_and_nonzero_exit(tmp_path, content, status):
    f = tmp_path / "doc.txt"
    f.write_bytes(content)
    p = run("parse", str(f))
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and status in p.stderr
    p = run("parse", str(f), "--json")
    assert json.loads(p.stdout)["parse_status"] == status


def test_parse_missing_file_is_a_clear_error(tmp_path):
    p = run("parse", str(tmp_path / "nope.txt"))
    assert p.returncode == 2 and "no such file" in p.stderr and "Traceback" not in p.stderr


def test_load_stats_and_query_on_a_fresh_warehouse(tmp_path, samples):
    env = {"ZFXXGK_DB": str(tmp_path / "w.duckdb")}
    p = run("load", str(samples[0].parent), env=env)
    assert p.returncode == 0, p.stderr
    assert "loaded 5 reports" in p.stdout
    p = run("stats", env=env)
    assert p.returncode == 0, p.stderr
    assert "requests_by_year" not in p.stderr
    # 43 + 2 + 23 + 0 + 1 new requests in the five reports' 本年新收 总计 cells
    p = run("query", "SELECT sum(new_received) AS n FROM requests_by_year", env=env)
    assert p.returncode == 0 and "69" in p.stdout
    p = run("query", "SELECT nonsense FROM nowhere", env=env)
    assert p.returncode == 1 and "Traceback" not in p.stderr


def test_one_broken_byte_in_a_utf8_report_loses_one_cell_not_the_report(tmp_path, samples):
    """A single invalid byte (a truncated download, a bad copy) in a UTF-8 report: the report is still
    read; the damaged cell is null with findings, never a number that was not printed."""
    src = next(p for p in samples if p.stem.startswith("002")).read_bytes()
    marker = "\t58006\n".encode()  # 行政许可 本年处理决定数量 in the 阿城区 report
    assert src.count(marker) == 1
    broken = src.replace(marker, b"\t58\xff06\n")
    f = tmp_path / "broken.txt"
    f.write_bytes(broken)
    got = json.loads(run("parse", str(f), "--json").stdout)
    exp = expected_record("002_14635e754de52443")
    assert got["requests"] == exp["requests"] and got["review_litigation"] == exp["review_litigation"]
    assert got["active"]["licensing"] is None
    assert got["parse_status"] == "partial"
    rules = {x["rule"] for x in got["findings"]}
    assert "E-encoding-repaired" in rules
