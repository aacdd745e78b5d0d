-- metrics_by_year_level: one row per report year × admin_level, from self-scope reports with complete numbers
--   (the 'level' grain of metrics_grouped).
-- Columns: those of metrics_grouped: reports / reports_ok behind each figure, the summed counts, and
--   every rate as Σ numerator / Σ denominator (formulas in report_metrics).
SELECT * EXCLUDE (grain, province)
FROM metrics_grouped
WHERE grain = 'level'
ORDER BY year, admin_level
