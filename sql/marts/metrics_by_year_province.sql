-- metrics_by_year_province: one row per report year × province, from self-scope reports with complete numbers
--   (the 'province' grain of metrics_grouped).
-- Columns: those of metrics_grouped: reports / reports_ok behind each figure, the summed counts, and
--   every rate as Σ numerator / Σ denominator (formulas in report_metrics).
SELECT * EXCLUDE (grain, admin_level)
FROM metrics_grouped
WHERE grain = 'province'
ORDER BY year, province
