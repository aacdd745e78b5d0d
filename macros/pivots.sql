{#- Tables 3 and 4 pivoted wide, one row per report: the bodies of stg_request_totals and
    stg_review_litigation, here so that report_metrics can pivot only the reports it rebuilds
    (`cells`: the long table, or a subquery of it). -#}

{% macro request_totals(cells) %}
-- Two pivots (the 总计 column; the 本年新收 row) joined. max(CASE …) rather than max(…) FILTER: one
-- pass of CASE expressions costs about half as much over 25 million cells.
{%- set groups = request_row_groups() %}
WITH totals AS (
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
SELECT
    t.*,
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
FROM totals t
LEFT JOIN first_row f USING (report_id)
{% endmacro %}

{% macro review_litigation_wide(cells) %}
{%- set proceedings = {"review": "review", "litigation_direct": "direct",
                       "litigation_after_review": "after_review"} %}
{%- set outcomes = ["upheld", "corrected", "other", "pending", "total"] %}
SELECT
    report_id,
    {%- for proceeding, prefix in proceedings.items() %}{% for outcome in outcomes %}
    max(CASE WHEN proceeding = '{{ proceeding }}' AND outcome = '{{ outcome }}' THEN value END)
        AS {{ prefix }}_{{ outcome }},
    {%- endfor %}{% endfor %}
    direct_total + after_review_total         AS litigation_total,
    direct_corrected + after_review_corrected AS litigation_corrected,
    direct_pending + after_review_pending     AS litigation_pending
FROM {{ cells }}
GROUP BY report_id
{% endmacro %}
