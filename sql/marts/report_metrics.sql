-- Incremental: a rebuild re-computes only the reports not built before — loaded since the last build
-- (a load rewrites every row of a report it touches, with a new loaded_at): macros/new_reports.sql
-- takes them once per build — then drops the rows of reports that no longer exist (a re-parse may
-- give a document a new report_id). After a change to this file, rebuild it whole:
-- `dbt build --full-refresh -s report_metrics`.
{{ config(
    materialized="incremental",
    unique_key="report_id",
    incremental_strategy="delete+insert",
    on_schema_change="fail",
    post_hook="DELETE FROM {{ this }} WHERE report_id NOT IN (SELECT report_id FROM {{ source('core', 'reports') }})",
) }}
-- depends_on: {{ source('core', 'request_outcomes') }}, {{ source('core', 'review_litigation') }} (the incremental branch)
WITH r AS (
    SELECT * FROM {{ ref('stg_reports') }}
    {%- if is_incremental() %}
    WHERE {{ new_reports_filter() }}
    {%- endif %}
),
{%- if is_incremental() %}
-- The pivots of only those reports, filtered at the scan of the long tables (by their batches' times,
-- so only those row groups are read): a filter on the staging views' output would not reach below
-- their GROUP BY (the whole of table 3 would be pivoted).
t AS (
    {{ request_totals("(SELECT * FROM " ~ source('core', 'request_outcomes') ~ " WHERE " ~ new_reports_filter()
                      ~ ") AS cells") }}
),
l AS (
    {{ review_litigation_wide("(SELECT * FROM " ~ source('core', 'review_litigation') ~ " WHERE "
                              ~ new_reports_filter() ~ ") AS cells") }}
),
{%- else %}
t AS (SELECT * FROM {{ ref('stg_request_totals') }}),
l AS (SELECT * FROM {{ ref('stg_review_litigation') }}),
{%- endif %}
counts AS (
    SELECT
        r.report_id, r.issuer, r.year, r.format_version, r.scope, r.parse_status, r.numbers_complete,
        r.source_id, r.adcode, r.province, r.prefecture, r.county, r.province_group, r.region_prefix,
        r.admin_level, r.body_kind, r.loaded_at,
        t.* EXCLUDE (report_id),
        l.* EXCLUDE (report_id),
        l.review_total + l.litigation_total AS disputes
    FROM r
    LEFT JOIN t USING (report_id)
    LEFT JOIN l USING (report_id)
)
SELECT
    *,
    {%- for name, numerator, denominator in rate_definitions() %}
    {{ ratio(numerator, denominator) }} AS {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
FROM counts
