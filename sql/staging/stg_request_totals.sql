-- stg_request_totals: one row per report, table 3 wide: the 总计 (total) column of every row, the
--   row groups, and the applicant split of new requests.
-- Columns: report_id; one column per row key of report-schema.md (the 总计 cell): new_received (R1),
--   carried_over (R2), granted (R3), partially_granted (R4), denied_state_secret … denied_query_matter
--   (R5–R12), unavailable_not_held … unavailable_unclear (R13–R15), rejected_petition …
--   rejected_confirmation (R16–R20), other_no_correction, other_no_fee, other_other (R21–R23),
--   other_total (2019 format: the single （六）其他处理 row), total_handled (R24), carried_forward (R25);
--   the groups denied = Σ R5..R12, unavailable = Σ R13..R15, rejected = Σ R16..R20,
--   other = Σ R21..R23 (2019 format: other_total);
--   new_received_natural_person (R1 自然人), new_received_legal_person (R1: 商业企业 + 科研机构 +
--   社会公益组织 + 法律服务机构 + 其他).
-- A sum is NULL when one of its cells is NULL (no silent zero).
SELECT
    report_id,
    max(value) FILTER (WHERE row_key = 'new_received'              AND applicant = 'total') AS new_received,
    max(value) FILTER (WHERE row_key = 'carried_over'              AND applicant = 'total') AS carried_over,
    max(value) FILTER (WHERE row_key = 'granted'                   AND applicant = 'total') AS granted,
    max(value) FILTER (WHERE row_key = 'partially_granted'         AND applicant = 'total') AS partially_granted,
    max(value) FILTER (WHERE row_key = 'denied_state_secret'       AND applicant = 'total') AS denied_state_secret,
    max(value) FILTER (WHERE row_key = 'denied_law_prohibited'     AND applicant = 'total') AS denied_law_prohibited,
    max(value) FILTER (WHERE row_key = 'denied_security_stability' AND applicant = 'total') AS denied_security_stability,
    max(value) FILTER (WHERE row_key = 'denied_third_party'        AND applicant = 'total') AS denied_third_party,
    max(value) FILTER (WHERE row_key = 'denied_internal_affairs'   AND applicant = 'total') AS denied_internal_affairs,
    max(value) FILTER (WHERE row_key = 'denied_process_info'       AND applicant = 'total') AS denied_process_info,
    max(value) FILTER (WHERE row_key = 'denied_enforcement_file'   AND applicant = 'total') AS denied_enforcement_file,
    max(value) FILTER (WHERE row_key = 'denied_query_matter'       AND applicant = 'total') AS denied_query_matter,
    max(value) FILTER (WHERE row_key = 'unavailable_not_held'      AND applicant = 'total') AS unavailable_not_held,
    max(value) FILTER (WHERE row_key = 'unavailable_needs_creation' AND applicant = 'total') AS unavailable_needs_creation,
    max(value) FILTER (WHERE row_key = 'unavailable_unclear'       AND applicant = 'total') AS unavailable_unclear,
    max(value) FILTER (WHERE row_key = 'rejected_petition'         AND applicant = 'total') AS rejected_petition,
    max(value) FILTER (WHERE row_key = 'rejected_duplicate'        AND applicant = 'total') AS rejected_duplicate,
    max(value) FILTER (WHERE row_key = 'rejected_publication'      AND applicant = 'total') AS rejected_publication,
    max(value) FILTER (WHERE row_key = 'rejected_excessive'        AND applicant = 'total') AS rejected_excessive,
    max(value) FILTER (WHERE row_key = 'rejected_confirmation'     AND applicant = 'total') AS rejected_confirmation,
    max(value) FILTER (WHERE row_key = 'other_no_correction'       AND applicant = 'total') AS other_no_correction,
    max(value) FILTER (WHERE row_key = 'other_no_fee'              AND applicant = 'total') AS other_no_fee,
    max(value) FILTER (WHERE row_key = 'other_other'               AND applicant = 'total') AS other_other,
    max(value) FILTER (WHERE row_key = 'other_total'               AND applicant = 'total') AS other_total,
    max(value) FILTER (WHERE row_key = 'total_handled'             AND applicant = 'total') AS total_handled,
    max(value) FILTER (WHERE row_key = 'carried_forward'           AND applicant = 'total') AS carried_forward,
    CASE WHEN count(*) FILTER (WHERE row_key LIKE 'denied_%' AND applicant = 'total' AND value IS NULL) = 0
         THEN sum(value) FILTER (WHERE row_key LIKE 'denied_%' AND applicant = 'total')::BIGINT END      AS denied,
    CASE WHEN count(*) FILTER (WHERE row_key LIKE 'unavailable_%' AND applicant = 'total' AND value IS NULL) = 0
         THEN sum(value) FILTER (WHERE row_key LIKE 'unavailable_%' AND applicant = 'total')::BIGINT END AS unavailable,
    CASE WHEN count(*) FILTER (WHERE row_key LIKE 'rejected_%' AND applicant = 'total' AND value IS NULL) = 0
         THEN sum(value) FILTER (WHERE row_key LIKE 'rejected_%' AND applicant = 'total')::BIGINT END    AS rejected,
    -- 2021 format: the three sub-rows; 2019 format: the single other_total row (never both added).
    CASE WHEN count(*) FILTER (WHERE row_key IN ('other_no_correction', 'other_no_fee', 'other_other')
                                 AND applicant = 'total') > 0
         THEN CASE WHEN count(*) FILTER (WHERE row_key IN ('other_no_correction', 'other_no_fee', 'other_other')
                                           AND applicant = 'total' AND value IS NULL) = 0
                   THEN sum(value) FILTER (WHERE row_key IN ('other_no_correction', 'other_no_fee', 'other_other')
                                             AND applicant = 'total')::BIGINT END
         ELSE max(value) FILTER (WHERE row_key = 'other_total' AND applicant = 'total') END      AS other,
    max(value) FILTER (WHERE row_key = 'new_received' AND applicant = 'natural_person')      AS new_received_natural_person,
    CASE WHEN count(*) FILTER (WHERE row_key = 'new_received' AND applicant NOT IN ('natural_person', 'total')
                                 AND value IS NOT NULL) = 5
         THEN sum(value) FILTER (WHERE row_key = 'new_received'
                                   AND applicant NOT IN ('natural_person', 'total'))::BIGINT END         AS new_received_legal_person
FROM request_outcomes
WHERE applicant = 'total' OR row_key = 'new_received'
GROUP BY report_id
