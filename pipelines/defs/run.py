"""Running the main job from the command line, on the project's Dagster instance."""
import os

import dagster as dg

from pipelines.settings import PROJECT_ROOT

DEMO_SOURCE = "demo"


def run_main_job(source: str = DEMO_SOURCE) -> bool:
    """etl_fast for one source (the bundled demo portal by default), recorded in the project's
    instance so the run shows up in `zfxxgk ui`."""
    from pipelines.cli import dagster_env

    for k, v in dagster_env().items():
        os.environ.setdefault(k, v)
    os.chdir(PROJECT_ROOT)  # dagster.yaml's storage paths are relative to the project root
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("etl_fast").execute_in_process(
            instance=instance, partition_key=source,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    return result.success
