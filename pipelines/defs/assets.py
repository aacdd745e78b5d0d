"""Assets by layer (PUDL naming): raw__ → core__ → out__ (one asset per SQL model).

Crawl, parse and load are partitioned by source; the SQL models and the published copy are
built over the whole warehouse. Each asset calls the plain stage functions and reports counts.
"""
from collections import Counter
from datetime import timedelta
from pathlib import Path

import dagster as dg

from pipelines import warehouse as warehouse_mod
from pipelines.crawl.registry import load_registry, resolved, select
from pipelines.crawl.run import CrawlResult, ParsedCrawl, crawl, load_crawl, parse_crawl
from pipelines.warehouse import models as sql_models

from pipelines.defs.partitions import source_partitions
from pipelines.defs.resources import CrawlerResource, DataDirResource, WarehouseResource


@dg.asset(group_name="raw", partitions_def=source_partitions, pool="crawl",
          freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=36),
                                                          warn_window=timedelta(hours=26)),
          description="One source's 年报 column crawled politely: list pages, report pages and attachments, "
                      "raw bytes content-addressed under data/raw/, conditional GETs for what is known.")
def raw__source_crawl(context: dg.AssetExecutionContext, data_dir: DataDirResource,
                      crawler: CrawlerResource) -> dg.Output[CrawlResult]:
    entries = select(load_registry(), [context.partition_key])
    with resolved(entries) as sources:
        result = crawl(sources, Path(data_dir.path), crawler.config())
    errors = Counter(f["outcome"] for f in result.failures if f["severity"] == "error")
    return dg.Output(result, metadata={
        "list_pages": result.list_pages, "documents": len(result.docs), "downloaded": result.downloaded,
        "not_modified": result.not_modified, "requests": result.requests_sent, "bytes": result.bytes_received,
        "errors": sum(errors.values()), **{f"error_{k}": v for k, v in sorted(errors.items())},
        "interrupted": result.interrupted, "seconds": round(result.seconds, 2)})


@dg.asset(group_name="core", partitions_def=source_partitions,
          description="The new or changed documents of the crawl parsed into canonical records "
                      "(unchanged documents are not parsed again).")
def core__parsed_reports(raw__source_crawl: CrawlResult) -> dg.Output[ParsedCrawl]:
    parsed = parse_crawl(raw__source_crawl)
    statuses = Counter(r.parse_status for r, _ in parsed.items)
    return dg.Output(parsed, metadata={"parsed": len(parsed.items), "unchanged_skipped": parsed.unchanged,
                                       "attachment_carriers": len(parsed.carriers),
                                       **{f"status_{k}": v for k, v in sorted(statuses.items())}})


@dg.asset(group_name="core", partitions_def=source_partitions, pool="duckdb",
          description="The warehouse tables of spec/warehouse.md for this source's reports, each report "
                      "written in one transaction; crawl failures as findings; the fetch log.")
def core__warehouse_tables(core__parsed_reports: ParsedCrawl, warehouse: WarehouseResource) -> dg.MaterializeResult:
    result = load_crawl(core__parsed_reports, Path(warehouse.path), build_models=False)
    return dg.MaterializeResult(metadata={"loaded": result.loaded, "load_failures": len(result.failed),
                                          "kept_other_copy": result.kept_other_copy})


def model_asset(model: sql_models.Model) -> dg.AssetsDefinition:
    deps = [dg.AssetKey(f"out__{d}") for d in model.deps] or [core__warehouse_tables.key]

    @dg.asset(name=f"out__{model.name}", group_name=f"out_{model.layer}", deps=deps, pool="duckdb",
              description=model.description or model.name, metadata={"sql": str(model.path)})
    def _asset(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            rows = sql_models.build_model(conn, model)
        return dg.MaterializeResult(metadata={"rows": rows, "kind": model.kind})

    return _asset


def published_warehouse_asset(model_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(name="out__published_warehouse", group_name="out_published", deps=model_keys, pool="duckdb",
              description="A read-only copy of the warehouse, swapped in atomically, that users query "
                          "(zfxxgk query/stats) while the next load writes the live file.")
    def _asset(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            path = warehouse_mod.publish(conn, warehouse.path)
        return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})

    return _asset


def sql_model_assets() -> list[dg.AssetsDefinition]:
    """One asset per SQL model, then the published copy that depends on all of them."""
    models = sql_models.discover()
    assets = [model_asset(models[n]) for n in sql_models.build_order(models)]
    return [*assets, published_warehouse_asset([a.key for a in assets])]


SOURCE_ASSETS = [raw__source_crawl, core__parsed_reports, core__warehouse_tables]
MODEL_ASSETS = sql_model_assets()
