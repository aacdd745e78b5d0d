SELECT * EXCLUDE (grain, province)
FROM {{ ref('metrics_grouped') }}
WHERE grain = 'level'
ORDER BY year, admin_level
