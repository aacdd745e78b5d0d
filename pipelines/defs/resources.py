"""Resources: where the data directory and the warehouse are, and how politely to crawl."""
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb

from pipelines import warehouse
from pipelines.settings import settings


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file. Unlike dagster-duckdb's resource, the connection is always closed
    (try/finally) and a reader can ask for read_only."""

    path: str

    @contextmanager
    def get_connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = warehouse.connect(self.path, read_only=read_only)
        try:
            yield conn
        finally:
            conn.close()


class DataDirResource(dg.ConfigurableResource):
    """Raw documents, crawl state and logs live under this directory."""

    path: str


# the environment when the code location loads (ZFXXGK_*), else the declared defaults
_SETTINGS = settings()


class CrawlerResource(dg.ConfigurableResource):
    """Politeness and limits of the crawler (pipelines.settings.Settings has what each one means)."""

    min_interval: float = _SETTINGS.min_interval
    read_timeout: float = _SETTINGS.read_timeout
    retries: int = _SETTINGS.retries
    max_pages_per_column: int = _SETTINGS.max_pages_per_column

    def config(self):
        from pipelines.crawl.run import CrawlConfig

        return CrawlConfig(**{**_SETTINGS.crawl_options(), **self.model_dump()}, progress=False)


def dbt_resource():
    """dbt on the project (dbt_project.yml at the root); the warehouse file is passed per run."""
    from dagster_dbt import DbtCliResource

    from pipelines.warehouse.transform import PROJECT_DIR

    # the dbt of this interpreter's environment: .venv/bin need not be on PATH
    return DbtCliResource(project_dir=str(PROJECT_DIR), profiles_dir=str(PROJECT_DIR),
                          dbt_executable=str(Path(sys.executable).with_name("dbt")))


def default_resources() -> dict:
    s = settings()
    return {"warehouse": WarehouseResource(path=str(s.warehouse)), "dbt": dbt_resource(),
            "data_dir": DataDirResource(path=str(s.data_dir)),
            "crawler": CrawlerResource()}
