WITH selfs AS (
    SELECT year, adcode, parse_status, new_received, total_handled, granted + partially_granted AS disclosed
    FROM {{ ref('report_metrics') }}
    WHERE scope = 'self' AND numbers_complete AND adcode IS NOT NULL AND year IS NOT NULL
),
-- Each self report under its three possible region prefixes, so that the join below is an equi-join.
by_region AS (
    SELECT year, prefix AS region_prefix,
           count(*) AS self_reports,
           count(*) FILTER (WHERE parse_status = 'ok') AS self_reports_ok,
           sum(new_received)::BIGINT AS self_new_received,
           sum(total_handled)::BIGINT AS self_total_handled,
           {{ summed_ratio('disclosed', 'total_handled') }}
               AS self_disclosure_rate
    FROM (SELECT *, substr(adcode, 1, 2) AS prefix FROM selfs
          UNION ALL SELECT *, substr(adcode, 1, 4) FROM selfs
          UNION ALL SELECT *, adcode FROM selfs)
    GROUP BY year, prefix
)
SELECT
    j.report_id, j.issuer, j.year, j.adcode, j.province, j.prefecture, j.county, j.admin_level,
    j.parse_status, j.numbers_complete,
    j.new_received, j.total_handled, j.disclosure_rate,
    coalesce(s.self_reports, 0)    AS self_reports,
    coalesce(s.self_reports_ok, 0) AS self_reports_ok,
    s.self_new_received, s.self_total_handled, s.self_disclosure_rate,
    {{ ratio('s.self_new_received', 'j.new_received') }} AS new_received_covered,
    j.new_received - s.self_new_received          AS difference_new_received
FROM {{ ref('report_metrics') }} j
LEFT JOIN by_region s ON s.year = j.year AND s.region_prefix = j.region_prefix
WHERE j.scope = 'jurisdiction' AND j.adcode IS NOT NULL AND j.year IS NOT NULL
ORDER BY j.year, j.adcode
