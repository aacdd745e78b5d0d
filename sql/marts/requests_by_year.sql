SELECT
    year, reports, reports_ok, new_received, total_handled, granted, partially_granted, denied,
    unavailable, rejected, other, carried_forward,
    round(disclosure_rate, 4) AS share_granted
FROM {{ ref('metrics_by_year') }}
ORDER BY year
