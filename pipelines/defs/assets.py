"""Assets by layer (PUDL naming): raw__ → core__ (one asset per warehouse table) → out__ (one asset
per dbt model of sql/) → the published copy.

Crawl, parse and load are partitioned by source; the dbt models and the published copy are built
over the whole warehouse. Each asset calls the plain stage functions and reports counts.
"""
import json
import re
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import (DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject,
                         dbt_assets)

from pipelines import warehouse as warehouse_mod
from pipelines.crawl.registry import load_registry, resolved, select
from pipelines.crawl.run import CrawlResult, crawl
from pipelines.pipeline.crawled import ParsedCrawl, load_crawl, parse_crawl
from pipelines.warehouse import contract, transform

from pipelines.defs.partitions import source_partitions
from pipelines.defs.resources import CrawlerResource, DataDirResource, WarehouseResource

@dg.asset(group_name="raw", partitions_def=source_partitions,
          freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=36),
                                                          warn_window=timedelta(hours=26)),
          description="One source's 年报 column crawled politely: list pages, report pages and attachments, "
                      "raw bytes content-addressed under data/raw/, conditional GETs for what is known.")
def raw__source_crawl(context: dg.AssetExecutionContext, data_dir: DataDirResource,
                      crawler: CrawlerResource) -> dg.Output[CrawlResult]:
    entries = select(load_registry(), [context.partition_key])
    with resolved(entries) as sources:
        result = crawl(sources, Path(data_dir.path), crawler.config())
    errors = Counter(f["outcome"] for f in result.errors)
    return dg.Output(result, metadata={
        "list_pages": result.list_pages, "documents": len(result.docs), "downloaded": result.downloaded,
        "not_modified": result.not_modified, "requests": result.requests_sent, "bytes": result.bytes_received,
        "errors": sum(errors.values()), **{f"error_{k}": v for k, v in sorted(errors.items())},
        "interrupted": result.interrupted, "seconds": round(result.seconds, 2),
        # lists built by script: pages read from list APIs, states rendered, lists still short
        "api_pages": result.api_pages, "rendered_list_pages": result.rendered_states,
        "lists_incomplete": len(result.list_incomplete)})


@dg.asset(group_name="core", partitions_def=source_partitions,
          description="The new or changed documents of the crawl parsed into canonical records "
                      "(unchanged documents are not parsed again).")
def core__parsed_reports(raw__source_crawl: CrawlResult) -> dg.Output[ParsedCrawl]:
    parsed = parse_crawl(raw__source_crawl)  # in the loader's worker processes, as `zfxxgk load`
    return dg.Output(parsed, metadata={"parsed": parsed.reports, "unchanged_skipped": parsed.unchanged,
                                       "attachment_carriers": len(parsed.carriers),
                                       **{f"status_{k}": v for k, v in sorted(parsed.statuses.items())}})


# ---------------------------------------------------------------- the dbt project and the core tables

DBT_PROJECT = DbtProject(project_dir=transform.PROJECT_DIR,
                         target_path=transform.TARGET_DIR.relative_to(transform.PROJECT_DIR))


class Translator(DagsterDbtTranslator):
    """dbt sources are the core tables (core__<table>, written by core__warehouse_tables); models are
    out__<model>, grouped by their folder of sql/ (out_staging, out_marts)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(f"core__{dbt_resource_props['name']}")
        return dg.AssetKey(f"out__{dbt_resource_props['name']}")

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        if dbt_resource_props["resource_type"] == "source":
            return "core"
        return f"out_{dbt_resource_props['fqn'][1]}"


TRANSLATOR = Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True,
                                                              enable_source_tests_as_checks=True))


def load_manifest() -> dict:
    """The manifest, each test of a source attached to the source it tests: dbt records the attached
    node of model tests only, and dagster-dbt needs it to make a test with two parents (a
    relationship, or a rule over the reports marked ok) an asset check of its table. The manifest is
    made again by `dbt parse` (no database, no network: no dbt packages) when the code location loads
    and a file of the dbt project is newer than it."""
    manifest = transform.manifest()
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and not node.get("attached_node"):
            tested = re.search(r"source\('(\w+)', '(\w+)'\)", node.get("test_metadata", {}).get("kwargs", {}).get("model", ""))
            if tested:
                node["attached_node"] = f"source.{node['package_name']}.{tested[1]}.{tested[2]}"
    return manifest


MANIFEST = load_manifest()


def column_schema(table: contract.Table) -> dg.TableSchema:
    """The table's columns as the contract declares them: type, nullability, allowed values, key."""
    def constraints(c: contract.Column) -> dg.TableColumnConstraints:
        return dg.TableColumnConstraints(nullable=not contract.never_null(table, c), unique=table.key == (c.name,),
                                         other=[f"one of: {', '.join(c.values)}"] if c.values else None)

    return dg.TableSchema(
        columns=[dg.TableColumn(c.name, c.type, c.description, constraints(c)) for c in table.columns],
        constraints=dg.TableConstraints(other=[f"key: {', '.join(table.key)}"] if table.key else []))


def core_table_specs() -> list[dg.AssetSpec]:
    """One spec per dbt source of sql/sources.yml (generated from the contract), with its description; the
    column schema straight from the contract (dbt's would have no constraints)."""
    manifest = MANIFEST
    specs = []
    for uid, props in sorted(manifest["sources"].items()):
        spec = TRANSLATOR.get_asset_spec(manifest, uid, DBT_PROJECT)
        metadata = {k: v for k, v in spec.metadata.items() if not k.startswith("dagster_dbt")}
        metadata["dagster/column_schema"] = column_schema(contract.TABLES[props["name"]])
        specs.append(dg.AssetSpec(spec.key, group_name="core", description=spec.description, metadata=metadata,
                                  partitions_def=source_partitions, kinds={"duckdb"},
                                  deps=[core__parsed_reports.key]))
    return specs


CORE_TABLE_SPECS = core_table_specs()


@dg.multi_asset(name="core__warehouse_tables", specs=CORE_TABLE_SPECS, pool="duckdb",
                ins={"core__parsed_reports": dg.AssetIn()},
                description="This source's reports loaded into the warehouse tables, a transaction per "
                            "batch of reports; crawl failures as findings; the fetch log and the crawl run.")
def core__warehouse_tables(core__parsed_reports: ParsedCrawl, warehouse: WarehouseResource):
    result = load_crawl(core__parsed_reports, Path(warehouse.path), build_models=False)
    with warehouse.get_connection(read_only=True) as conn:
        for spec in CORE_TABLE_SPECS:
            table = spec.key.path[-1].removeprefix("core__")
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            extra = {"loaded": result.loaded, "load_failures": len(result.failed),
                     "kept_other_copy": result.kept_other_copy} if table == "reports" else {}
            yield dg.MaterializeResult(asset_key=spec.key, metadata={"rows": rows, **extra})


# ---------------------------------------------------------------- the dbt models


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models (report_metrics) from scratch


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR,
            name="sql_models", pool="duckdb")
def sql_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
               config: DbtBuildConfig):
    """`dbt build` of the selected models and their tests (as asset checks), on this run's warehouse."""
    warehouse_mod.connect(warehouse.path).close()  # waits for a writer outside Dagster; applies pending DDL
    # Each run's artefacts in their own folder, seeded with the project's partial parse (speed), removed after.
    run_dir = transform.DBT_DIR / "runs" / context.run.run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    partial_parse = transform.artefacts_dir(Path(warehouse.path)) / "target" / "partial_parse.msgpack"
    if partial_parse.exists():
        shutil.copy(partial_parse, run_dir)
    args = ["build", "--exclude-resource-type", "unit_test",  # they test the SQL, not the data: tests/test_dbt.py
            "--vars", json.dumps(transform.dbt_vars(Path(warehouse.path))),
            *(["--full-refresh"] if config.full_refresh else [])]
    try:
        yield from dbt.cli(args, context=context, target_path=run_dir).stream()
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


@dg.asset(name="out__published_warehouse", group_name="out_published", deps=list(sql_models.keys),
          pool="duckdb",
          description="A read-only copy of the warehouse, swapped in atomically, that users query "
                      "(zfxxgk query/stats) while the next load writes the live file.")
def out__published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as conn:
        path = warehouse_mod.publish(conn, warehouse.path)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})


SOURCE_ASSETS = [raw__source_crawl, core__parsed_reports, core__warehouse_tables]
MODEL_ASSETS = [sql_models, out__published_warehouse]
# The dbt tests of the core tables (R1–R4 among them): run by dbt with the models, not by each crawl run.
DBT_SOURCE_CHECKS = [k for k in sql_models.check_keys if k.asset_key not in sql_models.keys]
