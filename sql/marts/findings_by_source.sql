WITH f AS (
    SELECT coalesce(r.source_id, d.source_id) AS source_id, f.report_id, f.rule, f.severity
    FROM {{ source('core', 'findings') }} f
    LEFT JOIN {{ source('core', 'reports') }} r ON r.report_id = f.report_id
    LEFT JOIN {{ source('core', 'documents') }} d ON d.document_id = f.document_id
),
by_source AS (
    SELECT source_id, count(*) AS findings,
           count(*) FILTER (WHERE severity = 'error')   AS errors,
           count(*) FILTER (WHERE severity = 'warning') AS warnings,
           count(DISTINCT report_id) FILTER (WHERE severity = 'error') AS reports_with_errors,
           mode(rule) AS top_rule
    FROM f GROUP BY source_id
),
rep AS (
    SELECT source_id, count(*) AS reports, count(*) FILTER (WHERE parse_status = 'ok') AS reports_ok
    FROM {{ source('core', 'reports') }} GROUP BY source_id
)
SELECT
    coalesce(rep.source_id, b.source_id) AS source_id, s.name,
    coalesce(rep.reports, 0) AS reports, coalesce(rep.reports_ok, 0) AS reports_ok,
    coalesce(b.reports_with_errors, 0) AS reports_with_errors,
    coalesce(b.findings, 0) AS findings, coalesce(b.errors, 0) AS errors, coalesce(b.warnings, 0) AS warnings,
    b.top_rule
FROM rep
FULL JOIN by_source b ON b.source_id IS NOT DISTINCT FROM rep.source_id
LEFT JOIN {{ source('core', 'sources') }} s ON s.source_id = coalesce(rep.source_id, b.source_id)
ORDER BY findings DESC, source_id
