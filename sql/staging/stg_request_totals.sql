-- stg_request_totals: one row per report, the 总计 (total) column of table 3, wide.
-- Columns: report_id, then one column per row group:
--   new_received (R1), carried_over (R2), granted (R3), partially_granted (R4),
--   denied = Σ 8 不予公开 rows, unavailable = Σ 3 无法提供 rows, rejected = Σ 5 不予处理 rows,
--   other = Σ 其他处理 rows (2019 format: the single other_total row),
--   total_handled (R24), carried_forward (R25).
-- A sum over rows is NULL when one of its cells is NULL (no silent zero).
SELECT
    report_id,
    max(value) FILTER (WHERE row_key = 'new_received')      AS new_received,
    max(value) FILTER (WHERE row_key = 'carried_over')      AS carried_over,
    max(value) FILTER (WHERE row_key = 'granted')           AS granted,
    max(value) FILTER (WHERE row_key = 'partially_granted') AS partially_granted,
    CASE WHEN count(*) FILTER (WHERE row_key LIKE 'denied_%' AND value IS NULL) = 0
         THEN sum(value) FILTER (WHERE row_key LIKE 'denied_%') END          AS denied,
    CASE WHEN count(*) FILTER (WHERE row_key LIKE 'unavailable_%' AND value IS NULL) = 0
         THEN sum(value) FILTER (WHERE row_key LIKE 'unavailable_%') END     AS unavailable,
    CASE WHEN count(*) FILTER (WHERE row_key LIKE 'rejected_%' AND value IS NULL) = 0
         THEN sum(value) FILTER (WHERE row_key LIKE 'rejected_%') END        AS rejected,
    CASE WHEN count(*) FILTER (WHERE row_key LIKE 'other_%' AND value IS NULL) = 0
         THEN sum(value) FILTER (WHERE row_key LIKE 'other_%') END           AS other,
    max(value) FILTER (WHERE row_key = 'total_handled')     AS total_handled,
    max(value) FILTER (WHERE row_key = 'carried_forward')   AS carried_forward
FROM request_outcomes
WHERE applicant = 'total'
GROUP BY report_id
