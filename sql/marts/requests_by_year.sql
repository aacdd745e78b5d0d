-- requests_by_year: one row per report year, nationwide — the headline totals.
-- Columns: year; reports (self-scope reports whose numbers are complete), reports_ok (of those,
--   how many pass every consistency rule); new_received, total_handled, granted,
--   partially_granted, denied, unavailable, rejected, other, carried_forward (sums of the 总计 column);
--   share_granted = (Σ granted + Σ partially_granted) / Σ total_handled  (公开率, domain.md §4), rounded
--   to 4 places (metrics_by_year has every metric unrounded).
-- Ratios are Σnumerator / Σdenominator, never a mean of per-report ratios.
SELECT
    year, reports, reports_ok, new_received, total_handled, granted, partially_granted, denied,
    unavailable, rejected, other, carried_forward,
    round(disclosure_rate, 4) AS share_granted
FROM metrics_by_year
ORDER BY year
