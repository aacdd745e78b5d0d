-- review_litigation_by_year: one row per report year × proceeding, nationwide (table 4), from
--   self-scope reports with complete numbers whose table 4 was read.
-- Columns: year, proceeding ('review' 行政复议, 'litigation_direct' 未经复议直接起诉,
--   'litigation_after_review' 复议后起诉), upheld, corrected, other, pending, total (Σ of the cells),
--   correction_rate = Σ corrected / Σ total, correction_rate_decided = Σ corrected / Σ (total − pending),
--   reports, reports_ok.
WITH r AS (
    SELECT * FROM report_metrics
    WHERE scope = 'self' AND numbers_complete AND year IS NOT NULL AND review_total IS NOT NULL
),
long AS (
    SELECT year, parse_status, 'review' AS proceeding, review_upheld AS upheld, review_corrected AS corrected,
           review_other AS other, review_pending AS pending, review_total AS total FROM r
    UNION ALL
    SELECT year, parse_status, 'litigation_direct', direct_upheld, direct_corrected, direct_other,
           direct_pending, direct_total FROM r
    UNION ALL
    SELECT year, parse_status, 'litigation_after_review', after_review_upheld, after_review_corrected,
           after_review_other, after_review_pending, after_review_total FROM r
)
SELECT
    year, proceeding,
    sum(upheld)::BIGINT AS upheld, sum(corrected)::BIGINT AS corrected, sum(other)::BIGINT AS other,
    sum(pending)::BIGINT AS pending, sum(total)::BIGINT AS total,
    sum(corrected) / nullif(sum(total), 0)                AS correction_rate,
    sum(corrected) / nullif(sum(total) - sum(pending), 0) AS correction_rate_decided,
    count(*) AS reports,
    count(*) FILTER (WHERE parse_status = 'ok') AS reports_ok
FROM long
GROUP BY year, proceeding
ORDER BY year, proceeding
