SELECT
    report_id, issuer, year, format_version, scope, parse_status, source_id,
    adcode, province, prefecture, county, admin_level, body_kind, loaded_at,
    coalesce(province, CASE WHEN admin_level = 'central' THEN '中央' END, '(未解析)') AS province_group,
    CASE WHEN adcode LIKE '__0000' THEN substr(adcode, 1, 2)
         WHEN adcode LIKE '____00' THEN substr(adcode, 1, 4)
         ELSE adcode END                                                    AS region_prefix,
    parse_status IN ('ok', 'inconsistent') AS numbers_complete
FROM {{ source('core', 'reports') }}
