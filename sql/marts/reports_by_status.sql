-- reports_by_status: one row per (year, format_version, scope, parse_status): how many reports.
-- Columns: year (NULL when no year could be read), format_version, scope, parse_status, reports.
SELECT year, format_version, scope, parse_status, count(*) AS reports
FROM stg_reports
GROUP BY ALL
ORDER BY year, format_version, scope, parse_status
