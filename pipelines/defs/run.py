"""Running the main job from the command line, on the project's Dagster instance."""
from typing import Optional

import dagster as dg

from pipelines.settings import Settings, dagster_home, settings

DEMO_SOURCE = "demo"


def run_main_job(source: str = DEMO_SOURCE, s: Optional[Settings] = None) -> tuple[bool, str]:
    """etl_fast for one source (the bundled demo portal by default), recorded in the project's
    instance (data/dagster, or $DAGSTER_HOME) so the run shows up in `zfxxgk ui`; the warehouse and
    data directory are `s`'s (the command line's settings)."""
    s = s or settings()
    from pipelines.definitions import defs

    with dg.DagsterInstance.from_config(str(dagster_home(s))) as instance:
        result = defs.resolve_job_def("etl_fast").execute_in_process(
            instance=instance, partition_key=source,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}},
                        "resources": {"warehouse": {"config": {"path": str(s.warehouse)}},
                                      "data_dir": {"config": {"path": str(s.data_dir)}}}})
    return result.success, run_summary(result)


def run_summary(result) -> str:
    """One line per stage from the materialisation metadata: what was crawled, parsed, loaded."""
    lines = []
    for node, keys in (("raw__source_crawl", ("list_pages", "documents", "downloaded", "not_modified", "errors")),
                       ("core__parsed_reports", ("parsed", "unchanged_skipped")),
                       ("core__warehouse_tables", ("loaded", "load_failures"))):
        for mat in result.asset_materializations_for_node(node):
            meta = {k: v.value for k, v in mat.metadata.items()}
            if not any(k in meta for k in keys):
                continue  # core__warehouse_tables: the other tables than core__reports
            lines.append(f"{node}: " + ", ".join(f"{k} {meta[k]}" for k in keys if k in meta))
    for check in result.get_asset_check_evaluations():
        lines.append(f"check {check.check_name}: {'passed' if check.passed else 'FAILED'}")
    return "\n".join(lines)
