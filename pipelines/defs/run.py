"""Running the main job from the command line, on the project's Dagster instance."""
import os

import dagster as dg

from pipelines.settings import PROJECT_ROOT

DEMO_SOURCE = "demo"


def run_main_job(source: str = DEMO_SOURCE) -> tuple[bool, str]:
    """etl_fast for one source (the bundled demo portal by default), recorded in the project's
    instance so the run shows up in `zfxxgk ui`."""
    # the project's instance: dagster.yaml at the project root, storage under data/dagster
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    os.chdir(PROJECT_ROOT)  # dagster.yaml's storage paths are relative to the project root
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("etl_fast").execute_in_process(
            instance=instance, partition_key=source,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
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
