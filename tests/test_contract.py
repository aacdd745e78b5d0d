"""The data contract (pipelines/warehouse/contract.py) is the warehouse: a database migrated from empty by
the project's DDL has exactly its tables, columns, types, nullability and primary keys; the files generated
from it are the committed ones; the loader's and the crawler's frames and the Dagster core assets use it."""
from __future__ import annotations

import duckdb

from pipelines import warehouse
from pipelines.warehouse import contract
from pipelines.warehouse.frames import SCHEMAS


def migrated() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    warehouse.migrate(conn)
    return conn


def test_a_database_migrated_from_empty_is_the_contract():
    with migrated() as conn:
        columns: dict[str, list[tuple[str, str, bool]]] = {}
        for table, column, type_, nullable in conn.execute(
                "SELECT table_name, column_name, data_type, is_nullable = 'YES' FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name <> 'schema_migrations' "
                "ORDER BY table_name, ordinal_position").fetchall():
            columns.setdefault(table, []).append((column, type_, nullable))
        keys = {table: tuple(cols) for table, cols in conn.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY' AND table_name <> 'schema_migrations'").fetchall()}
    assert set(columns) == set(contract.TABLES)
    for name, table in contract.TABLES.items():
        enforced = set(table.key) if table.key_enforced else set()
        assert columns[name] == [(c.name, c.type, c.name not in enforced) for c in table.columns], name
    assert keys == {name: t.key for name, t in contract.TABLES.items() if t.key_enforced}


def test_the_committed_generated_files_are_current():
    for path, text in contract.generated_files().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: python -m pipelines.warehouse.generate"


def test_contract_declarations_are_consistent():
    for table in contract.TABLES.values():
        names = table.column_names
        assert len(set(names)) == len(names), table.name
        assert set(table.key) <= set(names), table.name
        for c in table.columns:
            assert c.description.strip(), (table.name, c.name)
            assert c.references is None or c.references in contract.TABLES
            assert c.values is None or len(set(c.values)) == len(c.values)


def test_the_loaders_frames_have_the_contracts_columns_and_types():
    import polars as pl

    for name, schema in SCHEMAS.items():
        assert list(schema) == contract.TABLES[name].column_names
    assert contract.polars_schema("findings")["cells"] == pl.List(pl.Utf8)
    assert contract.polars_schema("fetch_log")["fetched_at"] == pl.Datetime("us")


def test_the_core_assets_column_schema_is_the_contract():
    from pipelines.defs.assets import CORE_TABLE_SPECS

    specs = {s.key.path[-1].removeprefix("core__"): s for s in CORE_TABLE_SPECS}
    assert specs.keys() == contract.TABLES.keys()
    for name, spec in specs.items():
        schema = spec.metadata["dagster/column_schema"]
        table = contract.TABLES[name]
        assert [(c.name, c.type, c.description) for c in schema.columns] == \
            [(c.name, c.type, c.description) for c in table.columns]
    parse_status = next(c for c in specs["reports"].metadata["dagster/column_schema"].columns
                        if c.name == "parse_status")
    assert not parse_status.constraints.nullable
    assert parse_status.constraints.other == ["one of: ok, inconsistent, partial, unsupported, not_a_report, failed"]


def test_rows_are_inserted_by_the_contracts_column_names():
    import pytest

    with migrated() as conn:
        warehouse.insert_rows(conn, "crawl_runs", [{"run_id": "r1", "seconds": 1.5, "interrupted": True,
                                                    "reports_loaded": 3}])
        warehouse.insert_rows(conn, "crawl_runs", [{"run_id": "r1", "seconds": 2.0, "sources": "a b"}], replace=True)
        assert conn.execute("SELECT run_id, seconds, sources, reports_loaded, interrupted FROM crawl_runs").fetchall() \
            == [("r1", 2.0, "a b", None, None)]
        with pytest.raises(ValueError, match="no column secs"):
            warehouse.insert_rows(conn, "crawl_runs", [{"run_id": "r2", "secs": 1.0}])
