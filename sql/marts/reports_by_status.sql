SELECT year, format_version, scope, parse_status, count(*) AS reports
FROM {{ ref('stg_reports') }}
GROUP BY ALL
ORDER BY year, format_version, scope, parse_status
