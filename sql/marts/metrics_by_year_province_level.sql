-- metrics_by_year_province_level: one row per report year × province × admin_level, from self-scope reports with complete numbers
--   (the 'province_level' grain of metrics_grouped).
-- Columns: those of metrics_grouped: reports / reports_ok behind each figure, the summed counts, and
--   every rate as Σ numerator / Σ denominator (formulas in report_metrics).
SELECT * EXCLUDE (grain)
FROM metrics_grouped
WHERE grain = 'province_level'
ORDER BY year, province, admin_level
