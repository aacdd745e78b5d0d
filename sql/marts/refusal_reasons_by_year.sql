{%- set denied = request_row_groups()["denied"] %}
{%- set labels = request_row_labels() %}
WITH y AS (SELECT * FROM {{ ref('metrics_by_year') }}),
long AS (
    UNPIVOT y ON {{ denied | join(", ") }}
    INTO NAME reason VALUE requests
)
SELECT
    year, reason,
    CASE reason
        {%- for key in denied %}
        WHEN '{{ key }}' THEN '{{ labels[key] }}'
        {%- endfor %}
    END AS label,
    requests,
    {{ ratio('requests', 'denied') }} AS share_of_denied,
    {{ ratio('requests', 'total_handled') }} AS share_of_handled,
    reports, reports_ok
FROM long
ORDER BY year, reason
