"""Resources: where the data directory and the warehouse are."""

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb

from pipelines import warehouse
from pipelines.settings import data_dir, warehouse_path


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
    """Raw documents, manifests and parsed records live under this directory."""

    path: str

    def file(self, *parts: str) -> Path:
        p = Path(self.path, *parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p


def default_resources() -> dict:
    return {"warehouse": WarehouseResource(path=str(warehouse_path())),
            "data_dir": DataDirResource(path=str(data_dir()))}
