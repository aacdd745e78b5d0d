SELECT
    year, province_group AS province, coalesce(admin_level, '(未解析)') AS admin_level, scope,
    count(*)                                             AS reports,
    count(*) FILTER (WHERE parse_status = 'ok')           AS ok,
    count(*) FILTER (WHERE parse_status = 'inconsistent') AS inconsistent,
    count(*) FILTER (WHERE parse_status = 'partial')      AS partial,
    count(*) FILTER (WHERE parse_status = 'unsupported')  AS unsupported,
    count(*) FILTER (WHERE parse_status = 'not_a_report') AS not_a_report,
    count(*) FILTER (WHERE parse_status = 'failed')       AS failed,
    count(*) FILTER (WHERE numbers_complete)              AS numbers_complete,
    count(*) FILTER (WHERE parse_status = 'ok') / count(*) AS share_ok
FROM {{ ref('stg_reports') }}
GROUP BY ALL
ORDER BY year, province, admin_level, scope
