"""The static exploration site as an asset after the published copy, so *Materialize* refreshes it."""
from pathlib import Path

import dagster as dg

from pipelines import warehouse as warehouse_mod
from pipelines.site import build_site

from pipelines.defs.resources import DataDirResource, WarehouseResource

# by key, not by import: the SQL-model assets (and the published copy) are defined elsewhere
PUBLISHED_WAREHOUSE = dg.AssetKey("out__published_warehouse")


@dg.asset(group_name="out_published", deps=[PUBLISHED_WAREHOUSE],
          description="The static site (zfxxgk site) written from the published copy into <data dir>/site: "
                      "overview, province map, province, issuer and report pages, findings, search.")
def out__site(warehouse: WarehouseResource, data_dir: DataDirResource) -> dg.MaterializeResult:
    out = Path(data_dir.path) / "site"
    with warehouse_mod.connect_reader(warehouse.path) as conn:
        r = build_site(conn, out)
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(r.path / "index.html")), "reports": r.reports, "issuers": r.issuers,
        "findings": r.findings, "data_files": r.files, "data_bytes": r.bytes, "stored_copies": r.copies,
        "stored_copies_missing": r.copies_missing, "seconds": r.seconds})


SITE_ASSETS = [out__site]
