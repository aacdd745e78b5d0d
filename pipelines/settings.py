"""Where things live. Every path can be overridden by an environment variable."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
SAMPLES_DIR = PROJECT_ROOT / "data" / "samples"


def data_dir() -> Path:
    """Raw documents, parsed records and the default warehouse (ZFXXGK_DATA_DIR)."""
    return Path(os.environ.get("ZFXXGK_DATA_DIR") or PROJECT_ROOT / "data")


def warehouse_path() -> Path:
    """The DuckDB file (ZFXXGK_DB, default data/warehouse.duckdb)."""
    return Path(os.environ.get("ZFXXGK_DB") or data_dir() / "warehouse.duckdb")
