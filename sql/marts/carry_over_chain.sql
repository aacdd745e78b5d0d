-- A view: one row per report (a million at scale) that only data-quality queries read; materialising
-- it cost a tenth of the whole build.
{{ config(materialized="view") }}
SELECT
    cur.report_id, cur.issuer, cur.year, cur.scope, cur.parse_status, cur.adcode, cur.province,
    cur.admin_level,
    cur.carried_over,
    prev.report_id        AS previous_report_id,
    prev.carried_forward  AS previous_carried_forward,
    cur.carried_over - prev.carried_forward AS difference,
    CASE WHEN prev.report_id IS NULL THEN 'no_previous_report'
         WHEN cur.carried_over IS NULL OR prev.carried_forward IS NULL THEN 'unread'
         WHEN cur.carried_over = prev.carried_forward THEN 'match'
         ELSE 'break' END AS chain
FROM {{ ref('report_metrics') }} cur
LEFT JOIN {{ ref('report_metrics') }} prev ON prev.issuer = cur.issuer AND prev.year = cur.year - 1
WHERE cur.year IS NOT NULL AND cur.issuer IS NOT NULL
ORDER BY cur.issuer, cur.year
