-- metrics_grouped: the metrics of report_metrics summed over self-scope reports whose numbers are
--   complete, at four grains (GROUPING SETS): one row per year (grain 'nation'), per year × province
--   ('province'), per year × admin_level ('level'), per year × province × admin_level ('province_level').
--   The marts metrics_by_year, metrics_by_year_province, metrics_by_year_level and
--   metrics_by_year_province_level are its slices.
-- Columns: grain, year, province (stg_reports.province_group: a province, '中央' for central bodies,
--   '(未解析)' for reports whose division is unresolved; NULL when the grain sums over provinces),
--   admin_level (NULL when the grain sums over levels; '(未解析)' for an unresolved level),
--   reports (the self-scope reports with complete numbers behind the figures), reports_ok (of those,
--   how many pass every consistency rule: status 'ok'), reports_with_table4 (those whose table 4 was read);
--   the sums of the counts of report_metrics (new_received … disputes);
--   the rates of report_metrics (same names and formulas), each Σ numerator / Σ denominator over the
--   reports that have both — never a mean of per-report rates.
-- Jurisdiction reports are left out: they contain the self reports of the bodies beneath them
--   (jurisdiction_crosscheck compares the two).
SELECT
    CASE grouping(province_group, level_group) WHEN 3 THEN 'nation' WHEN 1 THEN 'province'
         WHEN 2 THEN 'level' ELSE 'province_level' END AS grain,
    year,
    province_group                          AS province,
    level_group                             AS admin_level,
    count(*)                                AS reports,
    count(*) FILTER (WHERE parse_status = 'ok') AS reports_ok,
    count(review_total)                     AS reports_with_table4,
    sum(new_received)::BIGINT        AS new_received,
    sum(carried_over)::BIGINT        AS carried_over,
    sum(granted)::BIGINT             AS granted,
    sum(partially_granted)::BIGINT   AS partially_granted,
    sum(denied)::BIGINT              AS denied,
    sum(denied_state_secret)::BIGINT AS denied_state_secret,
    sum(denied_law_prohibited)::BIGINT AS denied_law_prohibited,
    sum(denied_security_stability)::BIGINT AS denied_security_stability,
    sum(denied_third_party)::BIGINT  AS denied_third_party,
    sum(denied_internal_affairs)::BIGINT AS denied_internal_affairs,
    sum(denied_process_info)::BIGINT AS denied_process_info,
    sum(denied_enforcement_file)::BIGINT AS denied_enforcement_file,
    sum(denied_query_matter)::BIGINT AS denied_query_matter,
    sum(unavailable)::BIGINT         AS unavailable,
    sum(rejected)::BIGINT            AS rejected,
    sum(other)::BIGINT               AS other,
    sum(total_handled)::BIGINT       AS total_handled,
    sum(carried_forward)::BIGINT     AS carried_forward,
    sum(new_received_legal_person)::BIGINT AS new_received_legal_person,
    sum(review_total)::BIGINT        AS review_total,
    sum(review_corrected)::BIGINT    AS review_corrected,
    sum(review_pending)::BIGINT      AS review_pending,
    sum(litigation_total)::BIGINT    AS litigation_total,
    sum(litigation_corrected)::BIGINT AS litigation_corrected,
    sum(litigation_pending)::BIGINT  AS litigation_pending,
    sum(disputes)::BIGINT            AS disputes,
    sum(granted + partially_granted) FILTER (WHERE (granted + partially_granted) IS NOT NULL AND (total_handled) IS NOT NULL)
        / nullif(sum(total_handled) FILTER (WHERE (granted + partially_granted) IS NOT NULL AND (total_handled) IS NOT NULL), 0) AS disclosure_rate,
    sum(granted) FILTER (WHERE (granted) IS NOT NULL AND (total_handled) IS NOT NULL)
        / nullif(sum(total_handled) FILTER (WHERE (granted) IS NOT NULL AND (total_handled) IS NOT NULL), 0) AS granted_rate,
    sum(denied) FILTER (WHERE (denied) IS NOT NULL AND (total_handled) IS NOT NULL)
        / nullif(sum(total_handled) FILTER (WHERE (denied) IS NOT NULL AND (total_handled) IS NOT NULL), 0) AS denial_rate,
    sum(denied_state_secret) FILTER (WHERE (denied_state_secret) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_state_secret) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_state_secret,
    sum(denied_law_prohibited) FILTER (WHERE (denied_law_prohibited) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_law_prohibited) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_law_prohibited,
    sum(denied_security_stability) FILTER (WHERE (denied_security_stability) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_security_stability) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_security_stability,
    sum(denied_third_party) FILTER (WHERE (denied_third_party) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_third_party) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_third_party,
    sum(denied_internal_affairs) FILTER (WHERE (denied_internal_affairs) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_internal_affairs) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_internal_affairs,
    sum(denied_process_info) FILTER (WHERE (denied_process_info) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_process_info) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_process_info,
    sum(denied_enforcement_file) FILTER (WHERE (denied_enforcement_file) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_enforcement_file) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_enforcement_file,
    sum(denied_query_matter) FILTER (WHERE (denied_query_matter) IS NOT NULL AND (denied) IS NOT NULL)
        / nullif(sum(denied) FILTER (WHERE (denied_query_matter) IS NOT NULL AND (denied) IS NOT NULL), 0) AS denial_share_query_matter,
    sum(unavailable) FILTER (WHERE (unavailable) IS NOT NULL AND (total_handled) IS NOT NULL)
        / nullif(sum(total_handled) FILTER (WHERE (unavailable) IS NOT NULL AND (total_handled) IS NOT NULL), 0) AS unavailable_rate,
    sum(rejected) FILTER (WHERE (rejected) IS NOT NULL AND (total_handled) IS NOT NULL)
        / nullif(sum(total_handled) FILTER (WHERE (rejected) IS NOT NULL AND (total_handled) IS NOT NULL), 0) AS rejected_rate,
    sum(other) FILTER (WHERE (other) IS NOT NULL AND (total_handled) IS NOT NULL)
        / nullif(sum(total_handled) FILTER (WHERE (other) IS NOT NULL AND (total_handled) IS NOT NULL), 0) AS other_rate,
    sum(new_received_legal_person) FILTER (WHERE (new_received_legal_person) IS NOT NULL AND (new_received) IS NOT NULL)
        / nullif(sum(new_received) FILTER (WHERE (new_received_legal_person) IS NOT NULL AND (new_received) IS NOT NULL), 0) AS legal_person_share,
    sum(review_corrected) FILTER (WHERE (review_corrected) IS NOT NULL AND (review_total) IS NOT NULL)
        / nullif(sum(review_total) FILTER (WHERE (review_corrected) IS NOT NULL AND (review_total) IS NOT NULL), 0) AS review_correction_rate,
    sum(review_corrected) FILTER (WHERE (review_corrected) IS NOT NULL AND (review_total - review_pending) IS NOT NULL)
        / nullif(sum(review_total - review_pending) FILTER (WHERE (review_corrected) IS NOT NULL AND (review_total - review_pending) IS NOT NULL), 0) AS review_correction_rate_decided,
    sum(litigation_corrected) FILTER (WHERE (litigation_corrected) IS NOT NULL AND (litigation_total) IS NOT NULL)
        / nullif(sum(litigation_total) FILTER (WHERE (litigation_corrected) IS NOT NULL AND (litigation_total) IS NOT NULL), 0) AS litigation_correction_rate,
    sum(litigation_corrected) FILTER (WHERE (litigation_corrected) IS NOT NULL AND (litigation_total - litigation_pending) IS NOT NULL)
        / nullif(sum(litigation_total - litigation_pending) FILTER (WHERE (litigation_corrected) IS NOT NULL AND (litigation_total - litigation_pending) IS NOT NULL), 0) AS litigation_correction_rate_decided,
    sum(disputes) FILTER (WHERE (disputes) IS NOT NULL AND (total_handled) IS NOT NULL)
        / nullif(sum(total_handled) FILTER (WHERE (disputes) IS NOT NULL AND (total_handled) IS NOT NULL), 0) AS dispute_rate
FROM (SELECT *, coalesce(admin_level, '(未解析)') AS level_group FROM report_metrics
      WHERE scope = 'self' AND numbers_complete AND year IS NOT NULL)
GROUP BY GROUPING SETS ((year), (year, province_group), (year, level_group), (year, province_group, level_group))
