-- requests_by_year: one row per report year, nationwide — the headline totals.
-- Columns: year; reports (self-scope reports whose numbers are complete), reports_ok (of those,
--   how many pass every consistency rule); new_received, total_handled, granted,
--   partially_granted, denied, unavailable, rejected, other, carried_forward (sums of the 总计 column);
--   share_granted = (Σ granted + Σ partially_granted) / Σ total_handled  (公开率, domain.md §4).
-- Ratios are Σnumerator / Σdenominator, never a mean of per-report ratios.
SELECT
    r.year,
    count(*)                                              AS reports,
    count(*) FILTER (WHERE r.parse_status = 'ok')         AS reports_ok,
    sum(t.new_received)                                   AS new_received,
    sum(t.total_handled)                                  AS total_handled,
    sum(t.granted)                                        AS granted,
    sum(t.partially_granted)                              AS partially_granted,
    sum(t.denied)                                         AS denied,
    sum(t.unavailable)                                    AS unavailable,
    sum(t.rejected)                                       AS rejected,
    sum(t.other)                                          AS other,
    sum(t.carried_forward)                                AS carried_forward,
    round((sum(t.granted) + sum(t.partially_granted)) / nullif(sum(t.total_handled), 0), 4) AS share_granted
FROM stg_reports r
JOIN stg_request_totals t USING (report_id)
WHERE r.numbers_complete AND r.scope = 'self' AND r.year IS NOT NULL
GROUP BY r.year
ORDER BY r.year
