"""Partitions: one per source of the registry (data/sources.csv), never one per report.

The registry is a file in the repository, so its ids are static partitions: a new row shows up
as a new partition when the code location is (re)loaded — no code change.
"""
import dagster as dg

from pipelines.crawl.registry import load_registry


def source_ids() -> list[str]:
    return [e.source.source_id for e in load_registry()]


source_partitions = dg.StaticPartitionsDefinition(source_ids())
