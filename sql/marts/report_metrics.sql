-- Incremental: a rebuild re-computes only the reports not built before — loaded since the last build
-- (a load rewrites every row of a report it touches, with a new loaded_at): macros/new_reports.sql
-- takes them once per build; the pre-hook deletes their old rows and those of reports that no longer
-- exist (a re-parse may give a document a new report_id). After a change to this file, rebuild it
-- whole: `dbt build --full-refresh -s report_metrics`.
{{ config(
    materialized="incremental",
    incremental_strategy="append",
    on_schema_change="fail",
    pre_hook="{{ forget_rebuilt_reports() }}",
) }}
WITH r AS (
    SELECT * FROM {{ rows_to_build(ref('stg_reports')) }}
),
counts AS (
    SELECT
        r.report_id, r.issuer, r.year, r.format_version, r.scope, r.parse_status, r.numbers_complete,
        r.source_id, r.adcode, r.province, r.prefecture, r.county, r.province_group, r.region_prefix,
        r.admin_level, r.body_kind, r.loaded_at,
        t.* EXCLUDE (report_id, loaded_at),
        l.* EXCLUDE (report_id, loaded_at),
        l.review_total + l.litigation_total AS disputes
    FROM r
    -- the tables' rows of the report's current load (a table built before its parents were rebuilt
    -- gives NULLs rather than another load's numbers; the next build rebuilds the report)
    LEFT JOIN {{ ref('stg_request_totals') }} t
           ON t.report_id = r.report_id AND t.loaded_at IS NOT DISTINCT FROM r.loaded_at
    LEFT JOIN {{ ref('stg_review_litigation') }} l
           ON l.report_id = r.report_id AND l.loaded_at IS NOT DISTINCT FROM r.loaded_at
)
SELECT
    *,
    {%- for name, numerator, denominator in rate_definitions() %}
    {{ ratio(numerator, denominator) }} AS {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
FROM counts
