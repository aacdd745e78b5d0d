-- stg_review_litigation: one row per report, table 4 wide (政府信息公开行政复议、行政诉讼情况).
-- Columns: report_id; review_upheld, review_corrected, review_other, review_pending, review_total
--   (行政复议: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计); direct_* (行政诉讼 未经复议直接起诉, same five);
--   after_review_* (行政诉讼 复议后起诉, same five);
--   litigation_total = direct_total + after_review_total, litigation_corrected = direct_corrected +
--   after_review_corrected, litigation_pending = direct_pending + after_review_pending.
SELECT
    report_id,
    max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'upheld')                     AS review_upheld,
    max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'corrected')                  AS review_corrected,
    max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'other')                      AS review_other,
    max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'pending')                    AS review_pending,
    max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'total')                      AS review_total,
    max(value) FILTER (WHERE proceeding = 'litigation_direct' AND outcome = 'upheld')          AS direct_upheld,
    max(value) FILTER (WHERE proceeding = 'litigation_direct' AND outcome = 'corrected')       AS direct_corrected,
    max(value) FILTER (WHERE proceeding = 'litigation_direct' AND outcome = 'other')           AS direct_other,
    max(value) FILTER (WHERE proceeding = 'litigation_direct' AND outcome = 'pending')         AS direct_pending,
    max(value) FILTER (WHERE proceeding = 'litigation_direct' AND outcome = 'total')           AS direct_total,
    max(value) FILTER (WHERE proceeding = 'litigation_after_review' AND outcome = 'upheld')    AS after_review_upheld,
    max(value) FILTER (WHERE proceeding = 'litigation_after_review' AND outcome = 'corrected') AS after_review_corrected,
    max(value) FILTER (WHERE proceeding = 'litigation_after_review' AND outcome = 'other')     AS after_review_other,
    max(value) FILTER (WHERE proceeding = 'litigation_after_review' AND outcome = 'pending')   AS after_review_pending,
    max(value) FILTER (WHERE proceeding = 'litigation_after_review' AND outcome = 'total')     AS after_review_total,
    direct_total + after_review_total                                                          AS litigation_total,
    direct_corrected + after_review_corrected                                                  AS litigation_corrected,
    direct_pending + after_review_pending                                                      AS litigation_pending
FROM review_litigation
GROUP BY report_id
