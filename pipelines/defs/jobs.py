"""Jobs: the main job (every asset) and a job that rebuilds only the SQL models."""
from __future__ import annotations

import dagster as dg

main_job = dg.define_asset_job("etl_local", selection=dg.AssetSelection.all(),
                               description="Read the report documents, parse, load the warehouse, build every SQL model.")
models_job = dg.define_asset_job("refresh_models", selection=dg.AssetSelection.key_prefixes("out__")
                                 | dg.AssetSelection.groups("out_staging", "out_marts"),
                                 description="Rebuild the SQL models from the warehouse tables as they are.")
