"""The nightly crawl and the model refresh that follows loads.

Both start STOPPED (Dagster's default): switch them on in the UI (Automation) or with
`dagster schedule start nightly_crawl` / `dagster sensor start refresh_models_after_loads`
while `zfxxgk ui` runs (its daemon evaluates them).
"""
import dagster as dg

from pipelines.crawl.registry import load_registry
from pipelines.defs.jobs import crawl_source, refresh_models


@dg.schedule(job=crawl_source, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
             description="Every night at 02:00 Beijing time, one run per source reachable from here.")
def nightly_crawl(context: dg.ScheduleEvaluationContext):
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    for entry in load_registry():
        if entry.reachable_here:
            sid = entry.source.source_id
            yield dg.RunRequest(run_key=f"{sid}-{day}", partition_key=sid)


@dg.sensor(job=refresh_models, minimum_interval_seconds=300,
           description="After loads: rebuild the models and publish once the warehouse has newer data than "
                       "the last refresh (debounced, so a night of source runs costs a few refreshes).")
def refresh_models_after_loads(context: dg.SensorEvaluationContext):
    # every load writes core__reports (with the other core tables)
    latest = context.instance.get_latest_materialization_event(dg.AssetKey("core__reports"))
    if latest is None:
        return dg.SkipReason("nothing loaded yet")
    stamp = str(int(latest.timestamp))
    if context.cursor == stamp:
        return dg.SkipReason("no load since the last refresh")
    context.update_cursor(stamp)
    return dg.RunRequest(run_key=f"models-after-{stamp}")
