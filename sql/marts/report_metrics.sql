-- report_metrics: one row per report, every metric of domain.md §4 with its numerator and denominator.
-- Columns: the report's facts from stg_reports (report_id, issuer, year, format_version, scope,
--   parse_status, numbers_complete, source_id, adcode, province, prefecture, county, province_group,
--   region_prefix, admin_level, body_kind); every column of stg_request_totals and of
--   stg_review_litigation (the counts); disputes = review_total + litigation_total; and the rates
--   (NULL when the denominator is 0 or a count is NULL):
--   disclosure_rate   公开率     = (granted + partially_granted) / total_handled   (R3+R4)/R24
--   granted_rate      予以公开率 = granted / total_handled                        R3/R24
--   denial_rate       不予公开率 = denied / total_handled                         Σ(R5..R12)/R24
--   denial_share_<reason>        = R<n> / denied, for the eight reasons R5..R12 (state_secret,
--                                  law_prohibited, security_stability, third_party, internal_affairs,
--                                  process_info, enforcement_file, query_matter)
--   unavailable_rate  无法提供率 = unavailable / total_handled                    Σ(R13..R15)/R24
--   rejected_rate     不予处理率 = rejected / total_handled                       Σ(R16..R20)/R24
--   other_rate        其他处理率 = other / total_handled                          Σ(R21..R23)/R24 (2019: 其他处理)
--   legal_person_share 法人申请占比 = new_received_legal_person / new_received    on R1
--   review_correction_rate        复议纠错率 = review_corrected / review_total
--   review_correction_rate_decided           = review_corrected / (review_total − review_pending)
--   litigation_correction_rate    诉讼纠错率 = litigation_corrected / litigation_total
--   litigation_correction_rate_decided       = litigation_corrected / (litigation_total − litigation_pending)
--   dispute_rate      争议率     = disputes / total_handled
SELECT
    r.report_id, r.issuer, r.year, r.format_version, r.scope, r.parse_status, r.numbers_complete, r.source_id,
    r.adcode, r.province, r.prefecture, r.county, r.province_group, r.region_prefix, r.admin_level, r.body_kind,
    t.* EXCLUDE (report_id),
    l.* EXCLUDE (report_id),
    l.review_total + l.litigation_total                                          AS disputes,
    (t.granted + t.partially_granted) / nullif(t.total_handled, 0)               AS disclosure_rate,
    t.granted / nullif(t.total_handled, 0)                                       AS granted_rate,
    t.denied / nullif(t.total_handled, 0)                                        AS denial_rate,
    t.denied_state_secret / nullif(t.denied, 0)                                  AS denial_share_state_secret,
    t.denied_law_prohibited / nullif(t.denied, 0)                                AS denial_share_law_prohibited,
    t.denied_security_stability / nullif(t.denied, 0)                            AS denial_share_security_stability,
    t.denied_third_party / nullif(t.denied, 0)                                   AS denial_share_third_party,
    t.denied_internal_affairs / nullif(t.denied, 0)                              AS denial_share_internal_affairs,
    t.denied_process_info / nullif(t.denied, 0)                                  AS denial_share_process_info,
    t.denied_enforcement_file / nullif(t.denied, 0)                              AS denial_share_enforcement_file,
    t.denied_query_matter / nullif(t.denied, 0)                                  AS denial_share_query_matter,
    t.unavailable / nullif(t.total_handled, 0)                                   AS unavailable_rate,
    t.rejected / nullif(t.total_handled, 0)                                      AS rejected_rate,
    t.other / nullif(t.total_handled, 0)                                         AS other_rate,
    t.new_received_legal_person / nullif(t.new_received, 0)                      AS legal_person_share,
    l.review_corrected / nullif(l.review_total, 0)                               AS review_correction_rate,
    l.review_corrected / nullif(l.review_total - l.review_pending, 0)            AS review_correction_rate_decided,
    l.litigation_corrected / nullif(l.litigation_total, 0)                       AS litigation_correction_rate,
    l.litigation_corrected / nullif(l.litigation_total - l.litigation_pending, 0) AS litigation_correction_rate_decided,
    (l.review_total + l.litigation_total) / nullif(t.total_handled, 0)           AS dispute_rate
FROM stg_reports r
LEFT JOIN stg_request_totals t USING (report_id)
LEFT JOIN stg_review_litigation l USING (report_id)
