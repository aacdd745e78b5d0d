{#- Rates, defined once: the per-report rate, and the same rate over a group of reports. -#}

{#- numerator / denominator; NULL (not 0, not an error) when the denominator is 0 or a side is NULL. -#}
{% macro ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- Σ numerator / Σ denominator over the rows that have both sides (a report missing one side counts
    on neither), never a mean of per-report rates. -#}
{% macro summed_ratio(numerator, denominator) -%}
    {%- set both = "(" ~ numerator ~ ") IS NOT NULL AND (" ~ denominator ~ ") IS NOT NULL" -%}
    sum({{ numerator }}) FILTER (WHERE {{ both }})
        / nullif(sum({{ denominator }}) FILTER (WHERE {{ both }}), 0)
{%- endmacro %}
