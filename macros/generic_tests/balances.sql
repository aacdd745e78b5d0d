{#- R1, per applicant column, over the reports marked `status` (default 'ok'):
    本年新收 + 上年结转 = 办理结果总计 + 结转下年度 (new_received + carried_over = total_handled +
    carried_forward). One row per (report, column) that does not balance; a column with one of the
    four cells blank or missing cannot be checked and is not reported. -#}
{% test balances(model, value_column="value", status="ok") %}
WITH columns AS (
    SELECT m.report_id, m.applicant,
           max({{ value_column }}) FILTER (WHERE row_key = 'new_received')    AS new_received,
           max({{ value_column }}) FILTER (WHERE row_key = 'carried_over')    AS carried_over,
           max({{ value_column }}) FILTER (WHERE row_key = 'total_handled')   AS total_handled,
           max({{ value_column }}) FILTER (WHERE row_key = 'carried_forward') AS carried_forward
    FROM {{ model }} m
    JOIN {{ source('core', 'reports') }} r USING (report_id)
    WHERE r.parse_status = '{{ status }}'
      AND m.row_key IN ('new_received', 'carried_over', 'total_handled', 'carried_forward')
    GROUP BY m.report_id, m.applicant
)
SELECT * FROM columns
WHERE new_received + carried_over <> total_handled + carried_forward
{% endtest %}
