{#- No two rows share the values of `columns` (NULLs compare equal, as in GROUP BY): the grain of a
    mart. Written here because dbt_utils.unique_combination_of_columns needs `dbt deps` (no network). -#}
{% test unique_combination(model, columns) %}
SELECT {{ columns | join(", ") }}, count(*) AS rows
FROM {{ model }}
GROUP BY {{ columns | join(", ") }}
HAVING count(*) > 1
{% endtest %}
