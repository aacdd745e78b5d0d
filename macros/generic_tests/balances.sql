{#- R1, per applicant column, over the reports marked `status` (default 'ok'): the cells `left` add up
    to the cells `right` (values of `along`) in each group_by. For R1 (pipelines/parse/validate.py
    declares it; tests/test_rules.py checks these arguments against it): 本年新收 + 上年结转 = 办理结果总计 +
    结转下年度 (new_received + carried_over = total_handled + carried_forward). One row per group
    that does not balance; a group with one of its cells blank (NULL) or missing cannot be checked and
    is not reported. -#}
{% test balances(model, group_by, along, left, right, value_column="value", status="ok") %}
{%- set names -%}
    {%- for k in left + right %}'{{ k }}'{{ ", " if not loop.last }}{% endfor -%}
{%- endset %}
WITH groups AS (
    SELECT {% for g in group_by %}m.{{ g }}{{ ", " if not loop.last }}{% endfor %},
           sum({{ value_column }}) FILTER (WHERE {{ along }} IN ({% for k in left %}'{{ k }}'{{ ", " if not loop.last }}{% endfor %}))  AS left_sum,
           sum({{ value_column }}) FILTER (WHERE {{ along }} IN ({% for k in right %}'{{ k }}'{{ ", " if not loop.last }}{% endfor %})) AS right_sum,
           count(*) FILTER (WHERE {{ value_column }} IS NULL) AS blanks,
           count(*)                                           AS cells
    FROM (SELECT * FROM {{ model }}) m  -- (model may be a filtered subquery: its own alias)
    JOIN {{ source('core', 'reports') }} r USING (report_id)
    WHERE r.parse_status = '{{ status }}' AND m.{{ along }} IN ({{ names }})
    GROUP BY {% for g in group_by %}m.{{ g }}{{ ", " if not loop.last }}{% endfor %}
)
SELECT * FROM groups
WHERE blanks = 0 AND cells = {{ (left + right) | length }} AND left_sum <> right_sum
{% endtest %}
