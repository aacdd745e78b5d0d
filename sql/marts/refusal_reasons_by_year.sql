WITH y AS (SELECT * FROM {{ ref('metrics_by_year') }}),
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
    {{ ratio('requests', 'denied') }} AS share_of_denied,
    {{ ratio('requests', 'total_handled') }} AS share_of_handled,
    reports, reports_ok
FROM long
ORDER BY year, reason
