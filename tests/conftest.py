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
