-- A table kept incrementally (not a view): its tests and report_metrics read a row per report instead of
-- pivoting table 3's 166 M cells (at a million reports) again at every build. A build pivots only the
-- reports it has not built before (macros/new_reports.sql; the cells filtered at the scan, by their
-- batches' times, so only those row groups are read); the pre-hook deletes their old rows first.
-- After a change to this file, rebuild it whole: `dbt build --full-refresh -s stg_request_totals+`.
{{ config(materialized="incremental", incremental_strategy="append", on_schema_change="fail",
          pre_hook="{{ forget_rebuilt_reports() }}") }}
{%- set cells = rows_to_build(source('core', 'request_outcomes')) %}
{%- set groups = request_row_groups() %}
-- Two pivots (the 总计 column; the 本年新收 row) joined. max(CASE …) rather than max(…) FILTER: one
-- pass of CASE expressions costs about half as much over 25 million cells.
WITH r AS (
    SELECT report_id, loaded_at FROM {{ rows_to_build(source('core', 'reports')) }}
),
totals AS (
    SELECT
        report_id,
        {%- for key in request_row_keys() %}
        max(CASE WHEN row_key = '{{ key }}' THEN value END) AS {{ key }}{{ "," if not loop.last }}
        {%- endfor %}
    FROM {{ cells }}
    WHERE applicant = 'total'
    GROUP BY report_id
),
first_row AS (
    SELECT
        report_id,
        max(CASE WHEN applicant = 'natural_person' THEN value END) AS new_received_natural_person,
        CASE WHEN count(value) FILTER (WHERE applicant NOT IN ('natural_person', 'total')) = 5
             THEN sum(value) FILTER (WHERE applicant NOT IN ('natural_person', 'total'))::BIGINT END
                                                               AS new_received_legal_person
    FROM {{ cells }}
    WHERE row_key = 'new_received'
    GROUP BY report_id
)
-- one row per report (NULL when its table 3 was not read), with the report's loaded_at: the rows a
-- rebuild replaces are found by it
SELECT
    r.report_id,
    r.loaded_at,
    t.* EXCLUDE (report_id),
    -- a sum is NULL when one of its cells is (no silent zero)
    {{ groups.denied | join(" + ") }} AS denied,
    {{ groups.unavailable | join(" + ") }} AS unavailable,
    {{ groups.rejected | join(" + ") }} AS rejected,
    -- 2021 format: the three sub-rows; 2019 format: the single other_total row (never both added).
    CASE WHEN {{ groups.other | join(" IS NULL AND ") }} IS NULL
         THEN other_total
         ELSE {{ groups.other | join(" + ") }} END AS other,
    f.new_received_natural_person,
    f.new_received_legal_person
FROM r
LEFT JOIN totals t USING (report_id)
LEFT JOIN first_row f USING (report_id)
