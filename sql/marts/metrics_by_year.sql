SELECT * EXCLUDE (grain, province, admin_level)
FROM {{ ref('metrics_grouped') }}
WHERE grain = 'nation'
ORDER BY year
