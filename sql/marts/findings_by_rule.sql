SELECT
    stage, rule, severity,
    count(*)                    AS findings,
    count(DISTINCT report_id)   AS reports,
    count(DISTINCT document_id) AS documents,
    min(detail)                 AS example_detail
FROM {{ source('core', 'findings') }}
GROUP BY stage, rule, severity
ORDER BY findings DESC, stage, rule
