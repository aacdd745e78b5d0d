"""The SQL models of `sql/`: one model a file, built in dependency order.

A model is a SELECT in `sql/<layer>/<name>.sql`; `staging/` models become views and
`marts/` models tables (rebuilt after every load). Dependencies are read from the SQL:
a model depends on every other model whose name it mentions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from pipelines.settings import SQL_DIR


@dataclass(frozen=True)
class Model:
    name: str
    layer: str  # staging | marts
    path: Path
    sql: str
    deps: tuple[str, ...]

    @property
    def kind(self) -> str:
        return "VIEW" if self.layer == "staging" else "TABLE"

    @property
    def description(self) -> str:
        """The header comment: what a row is, the columns, the formula."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line[2:].strip())
        return "\n".join(lines)


def discover(sql_dir: Path = SQL_DIR) -> dict[str, Model]:
    files = sorted(p for p in sql_dir.glob("*/*.sql"))
    names = {p.stem for p in files}
    dup = [n for n in names if sum(p.stem == n for p in files) > 1]
    if dup:
        raise ValueError(f"model names must be unique: {dup}")
    models = {}
    for p in files:
        sql = p.read_text(encoding="utf-8")
        body = re.sub(r"--[^\n]*", "", sql)
        deps = tuple(sorted(n for n in names if n != p.stem and re.search(rf"\b{re.escape(n)}\b", body)))
        models[p.stem] = Model(p.stem, p.parent.name, p, sql, deps)
    return models


def build_order(models: dict[str, Model]) -> list[str]:
    return list(TopologicalSorter({n: m.deps for n, m in models.items()}).static_order())


def build_model(conn: duckdb.DuckDBPyConnection, model: Model) -> int:
    """(Re)build one model; returns its row count."""
    select = model.sql.strip().rstrip(";")
    conn.execute(f"CREATE OR REPLACE {model.kind} {model.name} AS\n{select}")
    return conn.execute(f"SELECT count(*) FROM {model.name}").fetchone()[0]


def build_all(conn: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> dict[str, int]:
    models = discover(sql_dir)
    return {name: build_model(conn, models[name]) for name in build_order(models)}
