SELECT * EXCLUDE (grain)
FROM {{ ref('metrics_grouped') }}
WHERE grain = 'province_level'
ORDER BY year, province, admin_level
