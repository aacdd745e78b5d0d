WITH fees AS (
    SELECT r.report_id, r.issuer, r.year, coalesce(r.admin_level, '(未解析)') AS admin_level, r.province,
           r.parse_status, a.value AS fees_10k_yuan
    FROM {{ source('core', 'active_disclosure') }} a JOIN {{ ref('stg_reports') }} r USING (report_id)
    WHERE a.item = 'fees_10k_yuan' AND a.metric = 'amount' AND a.value > 0 AND r.year IS NOT NULL
),
levels AS (
    SELECT year, admin_level, median(fees_10k_yuan) AS level_median, count(*) AS level_reports
    FROM fees GROUP BY year, admin_level
    HAVING count(*) >= 5
)
SELECT
    f.report_id, f.issuer, f.year, f.admin_level, f.province, f.parse_status, f.fees_10k_yuan,
    l.level_median, l.level_reports,
    f.fees_10k_yuan / l.level_median AS ratio_to_median,
    f.fees_10k_yuan / 10000          AS fees_if_yuan
FROM fees f JOIN levels l USING (year, admin_level)
WHERE f.fees_10k_yuan >= 1000 * l.level_median
ORDER BY ratio_to_median DESC
