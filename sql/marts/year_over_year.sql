WITH cur AS (
    SELECT year, CASE grain WHEN 'nation' THEN '全国' ELSE province END AS province,
           reports, new_received, disclosure_rate, denial_rate, dispute_rate
    FROM {{ ref('metrics_grouped') }} WHERE grain IN ('nation', 'province')
),
selfs AS (
    SELECT issuer, year, province_group, new_received FROM {{ ref('report_metrics') }}
    WHERE scope = 'self' AND numbers_complete AND year IS NOT NULL AND issuer IS NOT NULL
),
pairs AS (
    SELECT c.year, c.province_group, c.new_received, p.new_received AS previous_new_received
    FROM selfs c JOIN selfs p ON p.issuer = c.issuer AND p.year = c.year - 1
),
panel AS (
    SELECT year, coalesce(province_group, '全国') AS province,
           count(*) AS panel_bodies, sum(new_received)::BIGINT AS panel_new_received,
           sum(previous_new_received)::BIGINT AS panel_previous_new_received
    FROM pairs
    GROUP BY GROUPING SETS ((year), (year, province_group))
)
SELECT
    c.year, c.province, c.reports, p.reports AS previous_reports,
    c.new_received, p.new_received AS previous_new_received,
    {{ ratio('c.new_received', 'p.new_received') }} - 1 AS new_received_change,
    c.disclosure_rate, p.disclosure_rate AS previous_disclosure_rate,
    (c.disclosure_rate - p.disclosure_rate) * 100 AS disclosure_rate_change_pp,
    c.denial_rate, p.denial_rate AS previous_denial_rate,
    c.dispute_rate, p.dispute_rate AS previous_dispute_rate,
    coalesce(n.panel_bodies, 0) AS panel_bodies, n.panel_new_received, n.panel_previous_new_received,
    {{ ratio('n.panel_new_received', 'n.panel_previous_new_received') }} - 1 AS panel_new_received_change
FROM cur c
LEFT JOIN cur p ON p.province = c.province AND p.year = c.year - 1
LEFT JOIN panel n ON n.province = c.province AND n.year = c.year
ORDER BY c.province = '全国' DESC, c.province, c.year
