"""Assets by layer (PUDL naming): raw__ → core__ → out__ (one asset per SQL model)."""

import json
import time
from collections import Counter
from pathlib import Path

import dagster as dg

from pipelines import warehouse as warehouse_mod
from pipelines.crawl.local import expand_paths, local_document
from pipelines.parse import parse_document
from pipelines.parsed_store import read_parsed, write_parsed
from pipelines.settings import SAMPLES_DIR
from pipelines.warehouse import models as sql_models
from pipelines.warehouse.frames import DocumentInfo

from pipelines.defs.resources import DataDirResource, WarehouseResource

MANIFEST = ("staging", "raw_documents.jsonl")
PARSED = ("staging", "parsed_reports.jsonl")


class LocalDocumentsConfig(dg.Config):
    """Files or directories of report documents (default: the bundled samples)."""

    paths: list[str] = [str(SAMPLES_DIR)]


@dg.asset(group_name="raw", description="Report documents read from local files: one manifest line each "
          "(sha256, path, size). The crawler replaces this input with portal pages.")
def raw__report_documents(config: LocalDocumentsConfig, data_dir: DataDirResource) -> dg.MaterializeResult:
    docs = []
    for path in expand_paths(Path(p) for p in config.paths):
        docs.append(local_document(path, path.read_bytes()))
    out = data_dir.file(*MANIFEST)
    out.write_text("".join(json.dumps({**vars(d), "fetched_at": d.fetched_at.isoformat()}, ensure_ascii=False)
                           + "\n" for d in docs), encoding="utf-8")
    return dg.MaterializeResult(metadata={"documents": len(docs), "bytes": sum(d.bytes or 0 for d in docs),
                                          "manifest": str(out)})


@dg.asset(group_name="core", deps=[raw__report_documents],
          description="Every document parsed into the canonical record (JSON Lines), with findings and status.")
def core__parsed_reports(data_dir: DataDirResource) -> dg.MaterializeResult:
    from datetime import datetime

    t0 = time.perf_counter()
    items = []
    for line in data_dir.file(*MANIFEST).read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        d["fetched_at"] = datetime.fromisoformat(d["fetched_at"]) if d.get("fetched_at") else None
        doc = DocumentInfo(**d)
        items.append((parse_document(Path(doc.storage_path).read_bytes(), Path(doc.storage_path).name,
                                     source=doc.url), doc))
    n = write_parsed(data_dir.file(*PARSED), items)
    statuses = Counter(r.parse_status for r, _ in items)
    return dg.MaterializeResult(metadata={"reports": n, **{f"status_{k}": v for k, v in sorted(statuses.items())},
                                          "seconds": round(time.perf_counter() - t0, 3)})


@dg.asset(group_name="core", deps=[core__parsed_reports], pool="duckdb",
          description="The warehouse tables of spec/warehouse.md, each report written in one transaction.")
def core__warehouse_tables(data_dir: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    items = list(read_parsed(data_dir.file(*PARSED)))
    with warehouse.get_connection() as conn:
        result = warehouse_mod.load_reports(conn, items)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("documents", "reports", "request_outcomes", "findings")}
    return dg.MaterializeResult(metadata={"loaded": result.loaded, "load_failures": len(result.failed),
                                          **{f"rows_{k}": v for k, v in counts.items()}})


def model_asset(model: sql_models.Model) -> dg.AssetsDefinition:
    deps = [dg.AssetKey(f"out__{d}") for d in model.deps] or [dg.AssetKey("core__warehouse_tables")]

    @dg.asset(name=f"out__{model.name}", group_name=f"out_{model.layer}", deps=deps, pool="duckdb",
              description=model.description or model.name, metadata={"sql": str(model.path)})
    def _asset(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            rows = sql_models.build_model(conn, model)
        return dg.MaterializeResult(metadata={"rows": rows, "kind": model.kind})

    return _asset


def sql_model_assets() -> list[dg.AssetsDefinition]:
    """One asset per SQL model, then the published copy that depends on all of them."""
    models = sql_models.discover()
    assets = [model_asset(models[n]) for n in sql_models.build_order(models)]
    return [*assets, published_warehouse_asset([a.key for a in assets])]


def published_warehouse_asset(model_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(name="out__published_warehouse", group_name="out_marts", deps=model_keys, pool="duckdb",
              description="A read-only copy of the warehouse, swapped in atomically, that users query "
                          "(zfxxgk query/stats) while the next load writes the live file.")
    def _asset(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            path = warehouse_mod.publish(conn, warehouse.path)
        return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})

    return _asset
