"""Scale-out on Celery (dagster-celery, a Redis broker): the registry's sources crawled and parsed on
any number of workers, loaded by exactly one.

The job `crawl_sources_celery` fans out over the registry's reachable sources (or the ones its config
names): one `crawl_and_parse_source` step per source on the `crawl` queue — their state is files on
shared storage (raw bytes by hash, the crawl state appended under a file lock), so any worker may take
any source — then one `load_sources` step on the `load` queue writes DuckDB. Run exactly one worker,
with concurrency 1, on `load`: a .duckdb file has one writer process at a time.

This module is also the workers' Celery app: `scripts/celery-worker NAME QUEUES` runs
`celery -A pipelines.defs.celery worker -Q QUEUES`. The broker and the result backend come from
$ZFXXGK_CELERY_BROKER / $ZFXXGK_CELERY_BACKEND (default: Redis on 127.0.0.1:6379, databases 0 and 1),
read the same way by the run that submits steps and by the workers. The steps run the plain stage
functions (crawl, parse_crawl, load_crawl), the same the partitioned assets call.
"""

import os
import re
from pathlib import Path

import dagster as dg
from dagster_celery import celery_executor
from dagster_celery.config import DEFAULT_CONFIG, dict_wrapper
from dagster_celery.make_app import make_app
from dagster_celery.tags import DAGSTER_CELERY_QUEUE_TAG
from dagster_celery.tasks import create_task

from pipelines.crawl.registry import load_registry, resolved, select
from pipelines.crawl.run import crawl
from pipelines.defs.resources import CrawlerResource, DataDirResource, WarehouseResource, default_resources
from pipelines.pipeline.crawled import ParsedCrawl, load_crawl, parse_crawl

BROKER = os.environ.get("ZFXXGK_CELERY_BROKER") or "redis://127.0.0.1:6379/0"
BACKEND = os.environ.get("ZFXXGK_CELERY_BACKEND") or BROKER.rsplit("/", 1)[0] + "/1"
CRAWL_QUEUE = "crawl"  # any number of workers
LOAD_QUEUE = "load"    # one worker, concurrency 1: the only DuckDB writer

executor = celery_executor.configured({"broker": BROKER, "backend": BACKEND}, name="celery_redis")

# The workers' app: the executor's own task over the same broker and backend.
app = make_app({"broker": BROKER, "backend": BACKEND, "include": [], "config_source": dict_wrapper(dict(
    DEFAULT_CONFIG,  # what the executor's own app gets (prefetch 1: a worker takes one step at a time)
    broker_connection_retry_on_startup=True))})
execute_plan = create_task(app)


class SourcesConfig(dg.Config):
    sources: list[str] = []  # source ids; empty: every reachable source of the registry


def _mapping_key(source_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", source_id)


@dg.op(tags={DAGSTER_CELERY_QUEUE_TAG: CRAWL_QUEUE}, out=dg.DynamicOut(str))
def registry_sources(config: SourcesConfig):
    """One output per source to crawl, in registry order."""
    for entry in select(load_registry(), config.sources or None):
        yield dg.DynamicOutput(entry.source.source_id, mapping_key=_mapping_key(entry.source.source_id))


@dg.op(tags={DAGSTER_CELERY_QUEUE_TAG: CRAWL_QUEUE})
def crawl_and_parse_source(context: dg.OpExecutionContext, source_id: str, data_dir: DataDirResource,
                           crawler: CrawlerResource) -> ParsedCrawl:
    """One source crawled into the shared data directory and its new documents parsed (no DuckDB)."""
    with resolved(select(load_registry(), [source_id])) as sources:
        result = crawl(sources, Path(data_dir.path), crawler.config())
    parsed = parse_crawl(result)
    context.add_output_metadata({"documents": len(result.docs), "parsed": parsed.reports,
                                 "requests": result.requests_sent, "seconds": round(result.seconds, 2)})
    return parsed


@dg.op(tags={DAGSTER_CELERY_QUEUE_TAG: LOAD_QUEUE})
def load_sources(context: dg.OpExecutionContext, parsed: list[ParsedCrawl], warehouse: WarehouseResource) -> int:
    """Every source's parsed crawl written to the warehouse, one after another, in source order (the
    result does not depend on which crawl finished first). The models are rebuilt by
    `refresh_models` (or its sensor) afterwards, as after `crawl_source` runs."""
    loaded = 0
    for p in sorted(parsed, key=lambda p: [s.source_id for s in p.crawl.sources]):
        loaded += load_crawl(p, Path(warehouse.path), build_models=False).loaded
    context.add_output_metadata({"sources": len(parsed), "reports_loaded": loaded})
    return loaded


@dg.job(executor_def=executor, tags={"zfxxgk/kind": "crawl"},
        # bound here too: the workers rebuild the job from this module, not from the Definitions
        resource_defs={k: v for k, v in default_resources().items() if k in ("warehouse", "data_dir", "crawler")},
        description="Every reachable source crawled and parsed in parallel on Celery workers (queue `crawl`), "
                    "then loaded by the single `load` worker.")
def crawl_sources_celery():
    load_sources(registry_sources().map(crawl_and_parse_source).collect())
