-- The findings counted by rule, each with what the rule means (the catalogue, source rules).
WITH counted AS (
    SELECT
        stage, rule, severity,
        count(*)                    AS findings,
        count(DISTINCT report_id)   AS reports,
        count(DISTINCT document_id) AS documents,
        min(detail)                 AS example_detail
    FROM {{ source('core', 'findings') }}
    GROUP BY stage, rule, severity
)
SELECT
    c.stage, c.rule, c.severity,
    c.findings, c.reports, c.documents, c.example_detail,
    r.description,
    r.severity    AS rule_severity,
    r.leaves_null
FROM counted c
LEFT JOIN {{ source('core', 'rules') }} r USING (rule)
ORDER BY c.findings DESC, c.stage, c.rule
