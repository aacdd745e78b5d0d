WITH r AS (
    SELECT * FROM {{ ref('report_metrics') }}
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
    {{ ratio('sum(corrected)', 'sum(total)') }} AS correction_rate,
    {{ ratio('sum(corrected)', 'sum(total) - sum(pending)') }} AS correction_rate_decided,
    count(*) AS reports,
    count(*) FILTER (WHERE parse_status = 'ok') AS reports_ok
FROM long
GROUP BY year, proceeding
ORDER BY year, proceeding
