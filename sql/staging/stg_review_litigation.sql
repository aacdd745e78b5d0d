-- A table kept incrementally, as stg_request_totals (see there): table 4 wide, one row per report.
{{ config(materialized="incremental", incremental_strategy="append", on_schema_change="fail",
          pre_hook="{{ forget_rebuilt_reports() }}") }}
{%- set proceedings = {"review": "review", "litigation_direct": "direct",
                       "litigation_after_review": "after_review"} %}
{%- set outcomes = ["upheld", "corrected", "other", "pending", "total"] %}
WITH r AS (
    SELECT report_id, loaded_at FROM {{ rows_to_build(source('core', 'reports')) }}
),
wide AS (
    SELECT
        report_id,
        {%- for proceeding, prefix in proceedings.items() %}{% for outcome in outcomes %}
        max(CASE WHEN proceeding = '{{ proceeding }}' AND outcome = '{{ outcome }}' THEN value END)
            AS {{ prefix }}_{{ outcome }}{{ "," if not loop.last }}
        {%- endfor %}{{ "," if not loop.last }}{% endfor %}
    FROM {{ rows_to_build(source('core', 'review_litigation')) }}
    GROUP BY report_id
)
-- one row per report (NULL when its table 4 was not read), with the report's loaded_at
SELECT
    r.report_id,
    r.loaded_at,
    w.* EXCLUDE (report_id),
    direct_total + after_review_total         AS litigation_total,
    direct_corrected + after_review_corrected AS litigation_corrected,
    direct_pending + after_review_pending     AS litigation_pending
FROM r
LEFT JOIN wide w USING (report_id)
