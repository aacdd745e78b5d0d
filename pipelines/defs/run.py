"""Running the main job from the command line, on the project's Dagster instance."""
from __future__ import annotations

import os

import dagster as dg

from pipelines.settings import PROJECT_ROOT


def run_main_job() -> bool:
    from pipelines.cli import dagster_env

    for k, v in dagster_env().items():
        os.environ.setdefault(k, v)
    os.chdir(PROJECT_ROOT)  # dagster.yaml's storage paths are relative to the project root
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("etl_local").execute_in_process(
            instance=instance, run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    return result.success
