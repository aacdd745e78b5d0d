"""The Dagster code location: wiring only."""
import dagster as dg

from pipelines.defs.assets import MODEL_ASSETS, SOURCE_ASSETS
from pipelines.defs.celery import crawl_sources_celery
from pipelines.defs.checks import consistency_rules, marts_have_rows
from pipelines.defs.jobs import crawl_source, etl_fast, refresh_models
from pipelines.defs.resources import default_resources
from pipelines.defs.schedules import nightly_crawl, refresh_models_after_loads
from pipelines.defs.site import SITE_ASSETS

defs = dg.Definitions(
    assets=[*SOURCE_ASSETS, *MODEL_ASSETS, *SITE_ASSETS],
    asset_checks=[consistency_rules, marts_have_rows],
    jobs=[crawl_source, refresh_models, etl_fast, crawl_sources_celery],
    schedules=[nightly_crawl],
    sensors=[refresh_models_after_loads],
    resources=default_resources(),
)
