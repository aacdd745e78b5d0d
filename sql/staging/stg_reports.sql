-- stg_reports: one row per report, with the facts every mart filters and groups on.
-- Columns: report_id, issuer, year, format_version, scope ('self' | 'jurisdiction'), parse_status,
--   source_id, adcode (6-digit 行政区划代码 of the issuer's division, NULL when unresolved: see the
--   G-* findings), province, prefecture, county (names), admin_level (central, province, prefecture,
--   county, township), body_kind (government, department, zone, vertical),
--   province_group = province, or '中央' for central bodies, or '(未解析)' when no division was found;
--   region_prefix = the significant digits of adcode (2 for a province, 4 for a prefecture, 6 for a
--   county): every division inside this one starts with them;
--   numbers_complete (TRUE when every number was read: status ok or inconsistent).
-- Statistics use reports whose numbers are complete and whose scope is 'self' (a jurisdiction
-- report repeats the numbers of the bodies beneath it).
SELECT
    report_id, issuer, year, format_version, scope, parse_status, source_id,
    adcode, province, prefecture, county, admin_level, body_kind,
    coalesce(province, CASE WHEN admin_level = 'central' THEN '中央' END, '(未解析)') AS province_group,
    CASE WHEN adcode LIKE '__0000' THEN substr(adcode, 1, 2)
         WHEN adcode LIKE '____00' THEN substr(adcode, 1, 4)
         ELSE adcode END                                                    AS region_prefix,
    parse_status IN ('ok', 'inconsistent') AS numbers_complete
FROM reports
