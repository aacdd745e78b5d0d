"""Jobs.

- crawl_source: crawl → parse → load for one source partition (nightly, backfills from the UI);
- refresh_models: rebuild every SQL model and publish the read-only copy;
- etl_fast: both for one source in one run (`zfxxgk demo` runs it on the demo portal).
"""
import dagster as dg

from pipelines.defs.assets import DBT_SOURCE_CHECKS, MODEL_ASSETS, SOURCE_ASSETS

CRAWL_TAGS = {"zfxxgk/kind": "crawl", "dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"}

# Three sequential steps: a process per step would only cost time, so runs default to the in-process
# executor; run config can still choose `multiprocess` (a test does, to show the steps are process-safe).
IN_PROCESS: dict = {"execution": {"config": {"in_process": {}}}}

crawl_source = dg.define_asset_job(
    "crawl_source", selection=dg.AssetSelection.assets(*SOURCE_ASSETS) - dg.AssetSelection.checks(*DBT_SOURCE_CHECKS),
    tags=CRAWL_TAGS, config=IN_PROCESS,
    description="Crawl one source (partition), parse what is new or changed, load it into the warehouse.")
refresh_models = dg.define_asset_job(
    "refresh_models", selection=dg.AssetSelection.assets(*MODEL_ASSETS) | dg.AssetSelection.checks(*DBT_SOURCE_CHECKS),
    description="Rebuild the SQL models from the warehouse tables and publish the read-only copy.")
etl_fast = dg.define_asset_job(
    "etl_fast", selection=dg.AssetSelection.assets(*SOURCE_ASSETS, *MODEL_ASSETS), tags={"zfxxgk/kind": "crawl"}, config=IN_PROCESS,
    description="One source end to end in one run: crawl, parse, load, every model, publish.")
