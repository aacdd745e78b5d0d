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
FROM {{ source('core', 'review_litigation') }}
GROUP BY report_id
