-- findings_by_rule: one row per stage × rule × severity: how often each data-quality rule fired.
-- Columns: stage (crawl, extract, parse, validate, load), rule (e.g. R1, G-ambiguous, L-write),
--   severity (error, warning), findings (rows), reports (distinct reports concerned; findings made
--   before any report existed count under documents only), documents (distinct documents),
--   example_detail (one finding's detail, to read what the rule means).
SELECT
    stage, rule, severity,
    count(*)                    AS findings,
    count(DISTINCT report_id)   AS reports,
    count(DISTINCT document_id) AS documents,
    min(detail)                 AS example_detail
FROM findings
GROUP BY stage, rule, severity
ORDER BY findings DESC, stage, rule
