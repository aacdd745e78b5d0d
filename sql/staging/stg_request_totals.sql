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
-- A sum is NULL when one of its cells is NULL or missing (no silent zero).
-- Built as two pivots (the 总计 column; the 本年新收 row) joined: one filter per aggregate keeps it fast.
WITH totals AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE row_key = 'new_received')               AS new_received,
        max(value) FILTER (WHERE row_key = 'carried_over')               AS carried_over,
        max(value) FILTER (WHERE row_key = 'granted')                    AS granted,
        max(value) FILTER (WHERE row_key = 'partially_granted')          AS partially_granted,
        max(value) FILTER (WHERE row_key = 'denied_state_secret')        AS denied_state_secret,
        max(value) FILTER (WHERE row_key = 'denied_law_prohibited')      AS denied_law_prohibited,
        max(value) FILTER (WHERE row_key = 'denied_security_stability')  AS denied_security_stability,
        max(value) FILTER (WHERE row_key = 'denied_third_party')         AS denied_third_party,
        max(value) FILTER (WHERE row_key = 'denied_internal_affairs')    AS denied_internal_affairs,
        max(value) FILTER (WHERE row_key = 'denied_process_info')        AS denied_process_info,
        max(value) FILTER (WHERE row_key = 'denied_enforcement_file')    AS denied_enforcement_file,
        max(value) FILTER (WHERE row_key = 'denied_query_matter')        AS denied_query_matter,
        max(value) FILTER (WHERE row_key = 'unavailable_not_held')       AS unavailable_not_held,
        max(value) FILTER (WHERE row_key = 'unavailable_needs_creation') AS unavailable_needs_creation,
        max(value) FILTER (WHERE row_key = 'unavailable_unclear')        AS unavailable_unclear,
        max(value) FILTER (WHERE row_key = 'rejected_petition')          AS rejected_petition,
        max(value) FILTER (WHERE row_key = 'rejected_duplicate')         AS rejected_duplicate,
        max(value) FILTER (WHERE row_key = 'rejected_publication')       AS rejected_publication,
        max(value) FILTER (WHERE row_key = 'rejected_excessive')         AS rejected_excessive,
        max(value) FILTER (WHERE row_key = 'rejected_confirmation')      AS rejected_confirmation,
        max(value) FILTER (WHERE row_key = 'other_no_correction')        AS other_no_correction,
        max(value) FILTER (WHERE row_key = 'other_no_fee')               AS other_no_fee,
        max(value) FILTER (WHERE row_key = 'other_other')                AS other_other,
        max(value) FILTER (WHERE row_key = 'total_handled')              AS total_handled,
        max(value) FILTER (WHERE row_key = 'carried_forward')            AS carried_forward,
        max(value) FILTER (WHERE row_key = 'other_total')                AS other_total
    FROM request_outcomes
    WHERE applicant = 'total'
    GROUP BY report_id
),
first_row AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE applicant = 'natural_person') AS new_received_natural_person,
        CASE WHEN count(value) FILTER (WHERE applicant NOT IN ('natural_person', 'total')) = 5
             THEN sum(value) FILTER (WHERE applicant NOT IN ('natural_person', 'total'))::BIGINT END
                                                               AS new_received_legal_person
    FROM request_outcomes
    WHERE row_key = 'new_received'
    GROUP BY report_id
)
SELECT
    t.*,
    t.denied_state_secret + t.denied_law_prohibited + t.denied_security_stability + t.denied_third_party + t.denied_internal_affairs
        + t.denied_process_info + t.denied_enforcement_file + t.denied_query_matter AS denied,
    t.unavailable_not_held + t.unavailable_needs_creation + t.unavailable_unclear AS unavailable,
    t.rejected_petition + t.rejected_duplicate + t.rejected_publication + t.rejected_excessive
        + t.rejected_confirmation                                                 AS rejected,
    -- 2021 format: the three sub-rows; 2019 format: the single other_total row (never both added).
    CASE WHEN t.other_no_correction IS NULL AND t.other_no_fee IS NULL AND t.other_other IS NULL
         THEN t.other_total
         ELSE t.other_no_correction + t.other_no_fee + t.other_other END          AS other,
    f.new_received_natural_person,
    f.new_received_legal_person
FROM totals t
LEFT JOIN first_row f USING (report_id)
