"""The Dagster code location: wiring only."""
import dagster as dg

from pipelines.defs.assets import core__parsed_reports, core__warehouse_tables, raw__report_documents, sql_model_assets
from pipelines.defs.checks import consistency_rules
from pipelines.defs.jobs import main_job, models_job
from pipelines.defs.resources import default_resources

defs = dg.Definitions(
    assets=[raw__report_documents, core__parsed_reports, core__warehouse_tables, *sql_model_assets()],
    asset_checks=[consistency_rules],
    jobs=[main_job, models_job],
    resources=default_resources(),
)
