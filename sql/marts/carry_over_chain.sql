-- carry_over_chain: one row per report with a year (a data-quality model, domain.md §5.11): does the
--   body's 上年结转 (R2, carried_over) of year Y equal the 结转下年度 (R25, carried_forward) of its
--   report for Y−1? The body is identified by its issuer name (the report_id is '<year>/<issuer>').
--   Breaks are reported, never fixed.
-- Columns: report_id, issuer, year, scope, parse_status, adcode, province, admin_level,
--   carried_over (R2 of year Y), previous_report_id, previous_carried_forward (R25 of year Y−1),
--   difference = carried_over − previous_carried_forward,
--   chain: 'match' | 'break' (both read, unequal) | 'no_previous_report' (no report of the same issuer
--   for Y−1) | 'unread' (one of the two cells was not read).
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
FROM report_metrics cur
LEFT JOIN report_metrics prev ON prev.issuer = cur.issuer AND prev.year = cur.year - 1
WHERE cur.year IS NOT NULL AND cur.issuer IS NOT NULL
ORDER BY cur.issuer, cur.year
