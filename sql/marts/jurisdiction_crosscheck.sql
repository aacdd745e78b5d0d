-- jurisdiction_crosscheck: one row per jurisdiction report (「汇总全市数据」, 全区 totals) with a year and
--   a resolved division: its own totals beside the sums of the self-scope reports found inside its
--   region for the same year. Jurisdiction reports never enter the nationwide sums (metrics_grouped);
--   this model is their use: a cross-check of coverage and consistency.
-- Columns: report_id, issuer, year, adcode, province, prefecture, county, admin_level, parse_status,
--   numbers_complete; new_received, total_handled, disclosure_rate (the jurisdiction report's own);
--   self_reports (self-scope reports with complete numbers whose adcode lies inside the region, i.e.
--   starts with its region_prefix), self_reports_ok, self_new_received, self_total_handled,
--   self_disclosure_rate = Σ(granted + partially_granted) / Σ total_handled over those reports;
--   new_received_covered = self_new_received / new_received (1.0: the self reports found add up to the
--   jurisdiction's total; below 1: reports missing or not yet found; above 1: double counting or an
--   inconsistent report), difference_new_received = new_received − self_new_received.
WITH selfs AS (
    SELECT year, adcode, parse_status, new_received, total_handled, granted + partially_granted AS disclosed
    FROM report_metrics
    WHERE scope = 'self' AND numbers_complete AND adcode IS NOT NULL AND year IS NOT NULL
),
-- Each self report under its three possible region prefixes, so that the join below is an equi-join.
by_region AS (
    SELECT year, prefix AS region_prefix,
           count(*) AS self_reports,
           count(*) FILTER (WHERE parse_status = 'ok') AS self_reports_ok,
           sum(new_received)::BIGINT AS self_new_received,
           sum(total_handled)::BIGINT AS self_total_handled,
           sum(disclosed) FILTER (WHERE disclosed IS NOT NULL AND total_handled IS NOT NULL)
               / nullif(sum(total_handled) FILTER (WHERE disclosed IS NOT NULL AND total_handled IS NOT NULL), 0)
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
    s.self_new_received / nullif(j.new_received, 0) AS new_received_covered,
    j.new_received - s.self_new_received          AS difference_new_received
FROM report_metrics j
LEFT JOIN by_region s ON s.year = j.year AND s.region_prefix = j.region_prefix
WHERE j.scope = 'jurisdiction' AND j.adcode IS NOT NULL AND j.year IS NOT NULL
ORDER BY j.year, j.adcode
