"""Reconstructable job handles for tests that run Dagster jobs in other processes."""


def crawl_source_job():
    from pipelines.definitions import defs

    return defs.resolve_job_def("crawl_source")
