-- Two steps: one pass over the reports to the finest grain (year × province × level), summing each
-- rate's numerator and denominator over the reports that have both; then the four grains
-- (GROUPING SETS) over those few thousand rows. Σ/Σ is additive, so this equals summing at each grain.
WITH finest AS (
    SELECT
        year, province_group, coalesce(admin_level, '(未解析)') AS level_group,
        count(*)                                    AS reports,
        count(*) FILTER (WHERE parse_status = 'ok') AS reports_ok,
        count(review_total)                         AS reports_with_table4,
        {%- for count in summed_counts() %}
        sum({{ count }}) AS {{ count }},
        {%- endfor %}
        {%- for name, numerator, denominator in rate_definitions() %}
        {%- set both = "(" ~ numerator ~ ") IS NOT NULL AND (" ~ denominator ~ ") IS NOT NULL" %}
        sum({{ numerator }}) FILTER (WHERE {{ both }})   AS {{ name }}__numerator,
        sum({{ denominator }}) FILTER (WHERE {{ both }}) AS {{ name }}__denominator{{ "," if not loop.last }}
        {%- endfor %}
    FROM {{ ref('report_metrics') }}
    WHERE scope = 'self' AND numbers_complete AND year IS NOT NULL
    GROUP BY ALL
)
SELECT
    CASE grouping(province_group, level_group) WHEN 3 THEN 'nation' WHEN 1 THEN 'province'
         WHEN 2 THEN 'level' ELSE 'province_level' END AS grain,
    year,
    province_group                   AS province,
    level_group                      AS admin_level,
    sum(reports)::BIGINT             AS reports,
    sum(reports_ok)::BIGINT          AS reports_ok,
    sum(reports_with_table4)::BIGINT AS reports_with_table4,
    {%- for count in summed_counts() %}
    sum({{ count }})::BIGINT AS {{ count }},
    {%- endfor %}
    {%- for name, numerator, denominator in rate_definitions() %}
    {{ ratio("sum(" ~ name ~ "__numerator)", "sum(" ~ name ~ "__denominator)") }} AS {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
FROM finest
GROUP BY GROUPING SETS ((year), (year, province_group), (year, level_group), (year, province_group, level_group))
