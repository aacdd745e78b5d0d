SELECT * EXCLUDE (grain, admin_level)
FROM {{ ref('metrics_grouped') }}
WHERE grain = 'province'
ORDER BY year, province
