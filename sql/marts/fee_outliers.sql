-- fee_outliers: one row per report whose 行政事业性收费 amount (table 2, 本年收费金额, unit 万元) looks
--   like 元 typed into the 万元 cell (domain.md §5.5): at least 1,000 times the median of the positive
--   amounts reported by bodies of the same admin_level in the same year (a 元 figure is 10,000 times
--   the 万元 one). Only levels with at least 5 positive amounts that year are judged. Flags, never fixes.
-- Columns: report_id, issuer, year, admin_level, province, parse_status, fees_10k_yuan (as printed),
--   level_median (median positive amount at the level that year), level_reports (positive amounts
--   behind the median), ratio_to_median, fees_if_yuan = fees_10k_yuan / 10000 (the amount in 万元 if
--   the cell held 元).
WITH fees AS (
    SELECT r.report_id, r.issuer, r.year, coalesce(r.admin_level, '(未解析)') AS admin_level, r.province,
           r.parse_status, a.value AS fees_10k_yuan
    FROM active_disclosure a JOIN stg_reports r USING (report_id)
    WHERE a.item = 'fees_10k_yuan' AND a.metric = 'amount' AND a.value > 0 AND r.year IS NOT NULL
),
levels AS (
    SELECT year, admin_level, median(fees_10k_yuan) AS level_median, count(*) AS level_reports
    FROM fees GROUP BY year, admin_level
    HAVING count(*) >= 5
)
SELECT
    f.report_id, f.issuer, f.year, f.admin_level, f.province, f.parse_status, f.fees_10k_yuan,
    l.level_median, l.level_reports,
    f.fees_10k_yuan / l.level_median AS ratio_to_median,
    f.fees_10k_yuan / 10000          AS fees_if_yuan
FROM fees f JOIN levels l USING (year, admin_level)
WHERE f.fees_10k_yuan >= 1000 * l.level_median
ORDER BY ratio_to_median DESC
