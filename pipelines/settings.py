"""Where things live and how politely to crawl: one settings object, each default declared once.

`Settings()` reads the ZFXXGK_* environment variables (ZFXXGK_DB, ZFXXGK_DATA_DIR, ZFXXGK_SOURCES,
ZFXXGK_MIN_INTERVAL, ...; an empty one counts as unset); the command line builds `Settings(**flags)`
(a flag overrides the environment) and passes it on; the Dagster resources take their defaults from
it. The plain stage functions take explicit arguments whose defaults are `DEFAULTS`, the declared
values without the environment.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
SAMPLES_DIR = PROJECT_ROOT / "data" / "samples"
DAGSTER_YAML = PROJECT_ROOT / "dagster.yaml"  # the one instance file users edit


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZFXXGK_", env_ignore_empty=True, extra="ignore",
                                      populate_by_name=True)

    # where things live
    data_dir: Path = PROJECT_ROOT / "data"     # raw documents, crawl state and logs, the default warehouse
    db: Optional[Path] = None                  # the warehouse file; None: <data_dir>/warehouse.duckdb
    sources: Path = PROJECT_ROOT / "data" / "sources.csv"  # the source registry
    # the Dagster instance: $DAGSTER_HOME (no prefix, Dagster's own variable), else data/dagster
    dagster_home: Path = Field(PROJECT_ROOT / "data" / "dagster", validation_alias="DAGSTER_HOME")

    # the crawler (pipelines.crawl.http.FetchConfig and pipelines.crawl.run.CrawlConfig have these names)
    min_interval: float = 1.0        # seconds between requests to one host (robots Crawl-delay may raise it)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3                 # extra attempts after the first (timeouts, 429, 5xx)
    max_bytes: int = 50 * 1024 * 1024  # one response
    max_redirects: int = 5
    max_pages_per_column: int = 200  # list pages (pagination, sub-columns, Hanweb POSTs) per start URL
    host_workers: int = 4            # hosts crawled in parallel (each host still one request at a time)

    # the loader
    workers: Optional[int] = None    # parse processes; None: the CPU count (1 for small inputs)
    load_batch: int = 500            # documents per transaction (the kill tests use small batches)
    duckdb_memory: str = "1GB"       # the loader's DuckDB memory cap for the models' build and the site
    # ... and while it writes the batches: DuckDB keeps the file's blocks it has read or written up to its
    # cap, which the batches never read again (at a million documents: 1 GB beside the key map, over 2 GiB)
    write_memory: str = "512MB"
    # ... and checkpoints itself every this many batches (DuckDB's own, in any COMMIT past 16 MB of WAL,
    # came every other batch; checkpointing every 8 saved 11–20 % of the loader's CPU: benchmarks/README.md § Loader)
    checkpoint_batches: int = 8

    @property
    def warehouse(self) -> Path:
        """The DuckDB file: `db`, else <data_dir>/warehouse.duckdb."""
        return self.db or self.data_dir / "warehouse.duckdb"

    def crawl_options(self) -> dict:
        """The crawler's settings, as keyword arguments of CrawlConfig / CrawlerResource."""
        return self.model_dump(include=CRAWL_FIELDS)


CRAWL_FIELDS = {"min_interval", "connect_timeout", "read_timeout", "retries", "max_bytes", "max_redirects",
                "max_pages_per_column", "host_workers"}
DEFAULTS = Settings.model_construct()  # the declared defaults, without the environment


def settings(**overrides) -> Settings:
    """The settings now: the environment, then `overrides` (None values ignored: an unset flag)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def data_dir() -> Path:
    """Raw documents, parsed records and the default warehouse (ZFXXGK_DATA_DIR)."""
    return settings().data_dir


def warehouse_path() -> Path:
    """The DuckDB file (ZFXXGK_DB, default data/warehouse.duckdb)."""
    return settings().warehouse


def dagster_home(s: Optional[Settings] = None) -> Path:
    """The project's Dagster instance directory, ready to open: $DAGSTER_HOME as it is, or data/dagster
    with the root dagster.yaml linked into it."""
    s = s or settings()
    home = s.dagster_home.resolve()
    if "dagster_home" in s.model_fields_set:
        return home  # the user's own instance ($DAGSTER_HOME): left as it is
    link_dagster_yaml(home)
    return home


def link_dagster_yaml(home: Path) -> None:
    """`home`/dagster.yaml as a relative link to the root dagster.yaml, so that editing the root file
    is editing the instance (a regular file already there is the user's, left alone). Run history
    kept under data/dagster/storage before the instance moved here is moved to where Dagster's
    defaults under DAGSTER_HOME look for it (data/dagster/history, schedules)."""
    home.mkdir(parents=True, exist_ok=True)
    link = home / "dagster.yaml"
    target = os.path.relpath(DAGSTER_YAML, home)
    if link.is_symlink() and os.readlink(link) != target:
        link.unlink()
    if not link.exists() and not link.is_symlink():
        link.symlink_to(target)
    old = home / "storage"
    for name in ("history", "schedules"):
        if (old / name).is_dir() and not (home / name).exists():
            (old / name).rename(home / name)
