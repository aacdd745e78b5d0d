-- stg_reports: one row per report, with the facts every mart filters on.
-- Columns: report_id, issuer, year, format_version, scope, parse_status, province, admin_level,
--   numbers_complete (TRUE when every number was read: status ok or inconsistent).
-- Statistics use reports whose numbers are complete and whose scope is 'self' (a jurisdiction
-- report repeats the numbers of the bodies beneath it).
SELECT
    report_id, issuer, year, format_version, scope, parse_status, province, admin_level,
    parse_status IN ('ok', 'inconsistent') AS numbers_complete
FROM reports
