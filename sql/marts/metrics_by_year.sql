-- metrics_by_year: one row per report year, nationwide, from self-scope reports with complete numbers
--   (the 'nation' grain of metrics_grouped).
-- Columns: those of metrics_grouped: reports / reports_ok behind each figure, the summed counts, and
--   every rate as Σ numerator / Σ denominator (formulas in report_metrics).
SELECT * EXCLUDE (grain, province, admin_level)
FROM metrics_grouped
WHERE grain = 'nation'
ORDER BY year
