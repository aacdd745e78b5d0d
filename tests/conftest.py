"""Shared fixtures: the bundled samples, their expected records, a fresh warehouse file."""
from __future__ import annotations

import json
from pathlib import Path

import os

import pytest
from hypothesis import settings

# CI runs the property tests derandomised (the same examples every run): a red CI is then a
# reproducible failure. Locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from pipelines.settings import SAMPLES_DIR

EXPECTED_DIR = Path(__file__).parent / "expected"


def expected_record(stem: str) -> dict:
    """The hand-checked record of a bundled sample (tests/expected/<stem>.json)."""
    return json.loads((EXPECTED_DIR / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.fixture
def samples() -> list[Path]:
    return sorted(SAMPLES_DIR.glob("*.txt"))


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """A warehouse file in a temp dir; ZFXXGK_DB / ZFXXGK_DATA_DIR point there for the test."""
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("ZFXXGK_DB", str(path))
    monkeypatch.setenv("ZFXXGK_DATA_DIR", str(tmp_path / "data"))
    return path


# Test lanes (docs/design.md §6), one per test file. `pytest` alone (the whole suite, no -m) runs the
# fast lanes, unit and integration; `-m e2e`, `-m slow`, naming a file, or `scripts/test` (every lane)
# run the rest.
LANES = {
    # one module on in-memory inputs
    "unit": ("test_parse_formats", "test_parse_real_layouts", "test_parse_roundtrip", "test_fuzz_parser",
             "test_extract_formats", "test_extract_structure", "test_extract_bad_input", "test_geo_resolve",
             "test_parse_near_match", "test_parse_stream", "test_encoding", "test_settings", "test_crawl_fetch_parts",
             "test_layers"),
    # stages together, or with a real service on this machine: DuckDB and dbt, an HTTP server on
    # 127.0.0.1, converters and OCR engines, the CLI as a subprocess, headless Chromium
    "integration": ("test_warehouse", "test_dbt", "test_stats_models", "test_stats_page", "test_site", "test_cli",
                    "test_crawl_http", "test_crawl_discover", "test_crawl_demo", "test_crawl_js",
                    "test_hostile_inputs", "test_parse_converters", "test_ocr", "test_contract",
                    "test_rules", "test_load_keys"),
    # whole jobs: Dagster runs and its UI, Celery workers, kill -9 of loads and crawls
    "e2e": ("test_dagster", "test_dagster_parallel", "test_dagster_ui", "test_celery", "test_faults_crawl",
            "test_faults_load", "test_dagster_concurrency"),
}
LANE_OF = {stem: lane for lane, stems in LANES.items() for stem in stems}
FAST_LANES = ("unit", "integration")


def pytest_collection_modifyitems(config, items):
    unassigned = sorted({item.path.name for item in items if item.path.stem not in LANE_OF})
    if unassigned:
        raise pytest.UsageError(f"test files without a lane (add them to LANES in tests/conftest.py): {unassigned}")
    for item in items:
        item.add_marker(LANE_OF[item.path.stem])
    whole_suite = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    if whole_suite and not config.option.markexpr:
        keep, drop = [], []
        for item in items:
            fast = LANE_OF[item.path.stem] in FAST_LANES and item.get_closest_marker("slow") is None
            (keep if fast else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
