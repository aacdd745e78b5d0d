{#- The reports a build has not built before: report_metrics' incremental branch recomputes them, and the
    data tests of the per-cell tables (request_outcomes, review_litigation, active_disclosure: 175 rows
    a report, 166 M at a million reports) check only them. A load
    rewrites every row of a report it touches with a new loaded_at, so "not built before" is the
    anti-join: the reports whose (report_id, loaded_at) are not in report_metrics (exact whatever the
    clocks did). It is taken once, when the invocation starts (on-run-start, before any model is
    rebuilt), into zfxxgk_build.new_reports, which every such test reads and on-run-end drops. Each
    report is checked by the build that first builds it; a report loaded again is checked again. A
    first build (no report_metrics yet, or one without loaded_at) and --full-refresh check every report.

    The tests opt in with `config: {where: new_reports}` (pipelines/warehouse/contract.py writes it into
    sql/sources.yml). dbt calls get_where_subquery when it runs a test, so the filter is made from the
    warehouse's state then, not when the project is parsed. -#}

{% macro remember_new_reports() -%}
    {%- if execute -%}
        {%- set built = adapter.get_relation(database=target.database, schema=target.schema,
                                             identifier='report_metrics') -%}
        {%- set reports = adapter.get_relation(database=target.database, schema=target.schema,
                                               identifier='reports') -%}
        {#- report_metrics as SQL before its loaded_at column built it (it will be rebuilt whole): every report -#}
        {%- set comparable = built is not none and reports is not none and not flags.FULL_REFRESH and
                             'loaded_at' in adapter.get_columns_in_relation(built) | map(attribute='name') | list -%}
        {%- do run_query(forget_new_reports()) -%}
        {%- if comparable -%}
            {%- do run_query('CREATE SCHEMA zfxxgk_build') -%}
            {%- do run_query('CREATE TABLE zfxxgk_build.new_reports AS SELECT r.report_id, r.loaded_at FROM '
                             ~ reports ~ ' r WHERE NOT EXISTS (SELECT 1 FROM ' ~ built ~ ' b WHERE b.report_id = '
                             ~ 'r.report_id AND b.loaded_at IS NOT DISTINCT FROM r.loaded_at)') -%}
        {%- endif -%}
        {#- the queries above ran in the hook's transaction (dbt opens one for them): committed, so that
            the tests' connections see the table -#}
        {%- do adapter.ensure_transaction() -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
{%- endmacro %}

{% macro forget_new_reports() -%}
    DROP SCHEMA IF EXISTS zfxxgk_build CASCADE
{%- endmacro %}

{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == 'new_reports' -%}
        {%- set where = new_reports_filter() -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The SQL condition on the rows of `reports` or of a per-cell table (both have report_id and their
    batch's loaded_at): their report is one not built before. The batches' loaded_at go in as constants, so that DuckDB reads only the row groups those batches appended (its
    min/max per row group), not 166 M rows; past 1,000 batches the report ids alone select. -#}
{% macro new_reports_filter() -%}
    {%- set new = adapter.get_relation(database=target.database, schema='zfxxgk_build', identifier='new_reports')
                  if execute else none -%}
    {%- if new is none -%}
        {{- return('true') -}}
    {%- endif -%}
    {%- set times = run_query('SELECT DISTINCT loaded_at FROM ' ~ new ~ ' LIMIT 1001').columns[0].values() -%}
    {%- if times | length == 0 -%}
        {{- return('false') -}}
    {%- endif -%}
    {%- set ids = 'report_id IN (SELECT report_id FROM ' ~ new ~ ')' -%}
    {%- if times | length > 1000 or none in times -%}
        {{- return(ids) -}}
    {%- endif -%}
    {%- set constants = [] -%}
    {%- for t in times -%}
        {%- do constants.append("TIMESTAMP '" ~ t ~ "'") -%}
    {%- endfor -%}
    {{- return('loaded_at IN (' ~ constants | join(', ') ~ ') AND ' ~ ids) -}}
{%- endmacro %}
