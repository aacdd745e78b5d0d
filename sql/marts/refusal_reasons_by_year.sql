-- refusal_reasons_by_year: one row per report year × refusal reason (三、（三）不予公开, R5–R12),
--   nationwide, from self-scope reports with complete numbers.
-- Columns: year, reason (the row key: denied_state_secret … denied_query_matter), label (the row's
--   wording in the 2021 format), requests (Σ of the 总计 cell), share_of_denied = requests / Σ denied,
--   share_of_handled = requests / Σ total_handled, reports (behind the figures), reports_ok.
WITH y AS (SELECT * FROM metrics_by_year),
long AS (
    UNPIVOT y ON denied_state_secret, denied_law_prohibited, denied_security_stability, denied_third_party,
                 denied_internal_affairs, denied_process_info, denied_enforcement_file, denied_query_matter
    INTO NAME reason VALUE requests
)
SELECT
    year, reason,
    CASE reason
        WHEN 'denied_state_secret'       THEN '属于国家秘密'
        WHEN 'denied_law_prohibited'     THEN '其他法律行政法规禁止公开'
        WHEN 'denied_security_stability' THEN '危及“三安全一稳定”'
        WHEN 'denied_third_party'        THEN '保护第三方合法权益'
        WHEN 'denied_internal_affairs'   THEN '属于三类内部事务信息'
        WHEN 'denied_process_info'       THEN '属于四类过程性信息'
        WHEN 'denied_enforcement_file'   THEN '属于行政执法案卷'
        WHEN 'denied_query_matter'       THEN '属于行政查询事项'
    END AS label,
    requests,
    requests / nullif(denied, 0)        AS share_of_denied,
    requests / nullif(total_handled, 0) AS share_of_handled,
    reports, reports_ok
FROM long
ORDER BY year, reason
