{#- The reports a build has not built before: the incremental models (stg_request_totals,
    stg_review_litigation, report_metrics) rebuild them, and the data tests of the per-cell tables
    (request_outcomes, review_litigation, active_disclosure: 175 rows a report, 166 M at a million
    reports) check only them. A load rewrites every row of a report it touches with a new loaded_at, so
    "not built before" is an anti-join: the reports whose (report_id, loaded_at) are missing from one of
    the incremental models' tables (each keeps a row per report with its loaded_at; exact whatever the
    clocks did). Taking the union keeps a model built without its parents (a Dagster subset, `dbt build
    -s report_metrics`) from leaving them stale: the next build rebuilds those reports everywhere. It is
    taken once, when the invocation starts (on-run-start, before any model is rebuilt), into
    zfxxgk_build.new_reports, which every such model and test reads and on-run-end drops. Each report is
    checked by the build that first builds it; a report loaded again is checked again. A first build (an
    incremental table missing, or without loaded_at) and --full-refresh take every report.

    The tests opt in with `config: {where: new_reports}` (pipelines/warehouse/contract.py writes it into
    sql/sources.yml). dbt calls get_where_subquery when it runs a test, so the filter is made from the
    warehouse's state then, not when the project is parsed. -#}

{% macro remember_new_reports() -%}
    {%- if execute -%}
        {%- set reports = adapter.get_relation(database=target.database, schema=target.schema,
                                               identifier='reports') -%}
        {%- set built = [] -%}
        {%- for node in graph.nodes.values()
                if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {%- do built.append(adapter.get_relation(database=target.database, schema=target.schema,
                                                     identifier=node.alias)) -%}
        {%- endfor -%}
        {#- an incremental table missing, or as SQL before its loaded_at column built it (it will be rebuilt
            whole): every report -#}
        {%- set unusable = [] -%}
        {%- for relation in built -%}
            {%- if relation is none or 'loaded_at' not in adapter.get_columns_in_relation(relation)
                                                       | map(attribute='name') | list -%}
                {%- do unusable.append(relation) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set comparable = reports is not none and not flags.FULL_REFRESH and built and not unusable -%}
        {%- do run_query(forget_new_reports()) -%}
        {%- if comparable -%}
            {#- set operations (NULL equals NULL): a union of EXCEPTs costs less than half of the NOT EXISTS
                joined by OR -#}
            {%- set missing = [] -%}
            {%- for relation in built -%}
                {%- do missing.append('(SELECT report_id, loaded_at FROM ' ~ reports ~ ' EXCEPT '
                                      ~ 'SELECT report_id, loaded_at FROM ' ~ relation ~ ')') -%}
            {%- endfor -%}
            {%- do run_query('CREATE SCHEMA zfxxgk_build') -%}
            {%- do run_query('CREATE TABLE zfxxgk_build.new_reports AS ' ~ missing | join(' UNION ')) -%}
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
    {%- set new = new_reports_relation() -%}
    {%- if new is none -%}
        {{- return('true') -}}
    {%- endif -%}
    {%- set times = run_query('SELECT DISTINCT loaded_at FROM ' ~ new ~ ' LIMIT 1001').columns[0].values() -%}
    {%- if times | length == 0 -%}
        {{- return('false') -}}
    {%- endif -%}
    {%- set ids = new_report_ids() -%}
    {%- if times | length > 1000 or none in times -%}
        {{- return(ids) -}}
    {%- endif -%}
    {%- set constants = [] -%}
    {%- for t in times -%}
        {%- do constants.append("TIMESTAMP '" ~ t ~ "'") -%}
    {%- endfor -%}
    {{- return('loaded_at IN (' ~ constants | join(', ') ~ ') AND ' ~ ids) -}}
{%- endmacro %}

{#- The condition on report_id alone (for a table whose loaded_at is a former load's): the report is one
    not built before; 'true' when there is no such list (a first build or --full-refresh). -#}
{% macro new_report_ids() -%}
    {%- set new = new_reports_relation() -%}
    {%- if new is none -%}
        {{- return('true') -}}
    {%- endif -%}
    {{- return('report_id IN (SELECT report_id FROM ' ~ new ~ ')') -}}
{%- endmacro %}

{#- An incremental model's pre-hook (inside its transaction): the rows it is about to rebuild (the reports not
    built before) and those of reports that no longer exist (a re-parse may give a document a new report_id)
    deleted; the model then appends the rebuilt rows. Nothing on a first build or --full-refresh. -#}
{% macro forget_rebuilt_reports() -%}
    {%- if is_incremental() -%}
        DELETE FROM {{ this }} WHERE {{ new_report_ids() }}
            OR report_id NOT IN (SELECT report_id FROM {{ source('core', 'reports') }})
    {%- endif -%}
{%- endmacro %}

{#- zfxxgk_build.new_reports, or none when this build takes every report (or is only being parsed). -#}
{% macro new_reports_relation() -%}
    {{- return(adapter.get_relation(database=target.database, schema='zfxxgk_build', identifier='new_reports')
               if execute else none) -}}
{%- endmacro %}

{#- What an incremental model reads of `relation` (reports or a per-cell table): on an incremental run only the
    rows of the reports not built before (filtered at the scan, so only their batches' row groups are read),
    else all of it. -#}
{% macro rows_to_build(relation) -%}
    {%- if is_incremental() -%}
        (SELECT * FROM {{ relation }} WHERE ({{ new_reports_filter() }})) AS to_build
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
