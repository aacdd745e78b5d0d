-- year_over_year: one row per year × area (the nation, '全国', and every province group) that has
--   self-scope reports with complete numbers in that year: changes in volume and rates against the
--   previous year.
-- Columns: year, province ('全国' for the nation, else as in metrics_grouped), reports,
--   previous_reports (Y−1), new_received, previous_new_received,
--   new_received_change = new_received / previous_new_received − 1,
--   disclosure_rate, previous_disclosure_rate, disclosure_rate_change_pp (percentage points),
--   denial_rate, previous_denial_rate, dispute_rate, previous_dispute_rate;
--   the like-for-like panel (bodies, by issuer, with a complete self-scope report in both years):
--   panel_bodies, panel_new_received, panel_previous_new_received,
--   panel_new_received_change = panel_new_received / panel_previous_new_received − 1.
-- The report population changes from year to year (more bodies found); the panel columns compare
--   the same bodies.
WITH cur AS (
    SELECT year, CASE grain WHEN 'nation' THEN '全国' ELSE province END AS province,
           reports, new_received, disclosure_rate, denial_rate, dispute_rate
    FROM metrics_grouped WHERE grain IN ('nation', 'province')
),
selfs AS (
    SELECT issuer, year, province_group, new_received FROM report_metrics
    WHERE scope = 'self' AND numbers_complete AND year IS NOT NULL AND issuer IS NOT NULL
),
pairs AS (
    SELECT c.year, c.province_group, c.new_received, p.new_received AS previous_new_received
    FROM selfs c JOIN selfs p ON p.issuer = c.issuer AND p.year = c.year - 1
),
panel AS (
    SELECT year, coalesce(province_group, '全国') AS province,
           count(*) AS panel_bodies, sum(new_received)::BIGINT AS panel_new_received,
           sum(previous_new_received)::BIGINT AS panel_previous_new_received
    FROM pairs
    GROUP BY GROUPING SETS ((year), (year, province_group))
)
SELECT
    c.year, c.province, c.reports, p.reports AS previous_reports,
    c.new_received, p.new_received AS previous_new_received,
    c.new_received / nullif(p.new_received, 0) - 1 AS new_received_change,
    c.disclosure_rate, p.disclosure_rate AS previous_disclosure_rate,
    (c.disclosure_rate - p.disclosure_rate) * 100 AS disclosure_rate_change_pp,
    c.denial_rate, p.denial_rate AS previous_denial_rate,
    c.dispute_rate, p.dispute_rate AS previous_dispute_rate,
    coalesce(n.panel_bodies, 0) AS panel_bodies, n.panel_new_received, n.panel_previous_new_received,
    n.panel_new_received / nullif(n.panel_previous_new_received, 0) - 1 AS panel_new_received_change
FROM cur c
LEFT JOIN cur p ON p.province = c.province AND p.year = c.year - 1
LEFT JOIN panel n ON n.province = c.province AND n.year = c.year
ORDER BY c.province = '全国' DESC, c.province, c.year
