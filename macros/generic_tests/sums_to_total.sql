{#- The format's own arithmetic, over the reports marked `status` (default 'ok': a report the parser
    called consistent must be). One row per group_by whose parts do not add up to its total cell:
      R2  each row's 总计 = the six applicant columns     group_by [report_id, row_key], part_column applicant
      R3  办理结果总计 = the 21 outcome rows (per column)   group_by [report_id, applicant], part_column row_key
      R4  each proceeding's 总计 = its four outcomes       group_by [report_id, proceeding], part_column outcome
    The parts are the part_column values listed in `parts`, or every value but `total_value`. A group
    with a blank cell (NULL) cannot be checked and is not reported (the parser's findings say so). -#}
{% test sums_to_total(model, group_by, part_column, total_value, parts=none, value_column="value", status="ok") %}
{%- set is_part -%}
    {%- if parts -%}
        {{ part_column }} IN ({% for p in parts %}'{{ p }}'{{ ", " if not loop.last }}{% endfor %})
    {%- else -%}
        {{ part_column }} <> '{{ total_value }}'
    {%- endif -%}
{%- endset %}
WITH cells AS (
    SELECT m.*
    FROM (SELECT * FROM {{ model }}) m  -- (model may be a filtered subquery: its own alias)
    JOIN {{ source('core', 'reports') }} r USING (report_id)
    WHERE r.parse_status = '{{ status }}' AND ({{ is_part }} OR m.{{ part_column }} = '{{ total_value }}')
),
groups AS (
    SELECT {{ group_by | join(", ") }},
           sum({{ value_column }}) FILTER (WHERE {{ is_part }})                  AS parts,
           max({{ value_column }}) FILTER (WHERE {{ part_column }} = '{{ total_value }}') AS total,
           count(*) FILTER (WHERE {{ value_column }} IS NULL)                    AS blanks
    FROM cells
    GROUP BY {{ group_by | join(", ") }}
)
SELECT * FROM groups
WHERE blanks = 0 AND total IS NOT NULL AND parts IS DISTINCT FROM total
{% endtest %}
