{#- GENERATED from pipelines/record.py (TABLE3_ROWS) by `python -m pipelines.warehouse.generate`: do not
    edit (tests/test_contract.py checks it is current). Table 3's rows, for the SQL models. -#}

{#- The row keys of table 3 (docs/formats.md §3.2) as stg_request_totals pivots them: the 总计 cell of each. -#}
{% macro request_row_keys() %}
    {{ return([
        "new_received",
        "carried_over",
        "granted",
        "partially_granted",
        "denied_state_secret",
        "denied_law_prohibited",
        "denied_security_stability",
        "denied_third_party",
        "denied_internal_affairs",
        "denied_process_info",
        "denied_enforcement_file",
        "denied_query_matter",
        "unavailable_not_held",
        "unavailable_needs_creation",
        "unavailable_unclear",
        "rejected_petition",
        "rejected_duplicate",
        "rejected_publication",
        "rejected_excessive",
        "rejected_confirmation",
        "other_no_correction",
        "other_no_fee",
        "other_other",
        "total_handled",
        "carried_forward",
        "other_total",
    ]) }}
{% endmacro %}

{#- The rows of each printed group with sub-rows (（三）不予公开 … （六）其他处理): summed into one count each. -#}
{% macro request_row_groups() %}
    {{ return({
        "denied": [
            "denied_state_secret", "denied_law_prohibited", "denied_security_stability", "denied_third_party",
            "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_query_matter"],
        "unavailable": [
            "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"],
        "rejected": [
            "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive",
            "rejected_confirmation"],
        "other": [
            "other_no_correction", "other_no_fee", "other_other"],
    }) }}
{% endmacro %}

{#- Each row's own label as the 2021 format prints it, without its numbering. -#}
{% macro request_row_labels() %}
    {{ return({
        "new_received": "本年新收政府信息公开申请数量",
        "carried_over": "上年结转政府信息公开申请数量",
        "granted": "予以公开",
        "partially_granted": "部分公开（区分处理的，只计这一情形，不计其他情形）",
        "denied_state_secret": "属于国家秘密",
        "denied_law_prohibited": "其他法律行政法规禁止公开",
        "denied_security_stability": "危及“三安全一稳定”",
        "denied_third_party": "保护第三方合法权益",
        "denied_internal_affairs": "属于三类内部事务信息",
        "denied_process_info": "属于四类过程性信息",
        "denied_enforcement_file": "属于行政执法案卷",
        "denied_query_matter": "属于行政查询事项",
        "unavailable_not_held": "本机关不掌握相关政府信息",
        "unavailable_needs_creation": "没有现成信息需要另行制作",
        "unavailable_unclear": "补正后申请内容仍不明确",
        "rejected_petition": "信访举报投诉类申请",
        "rejected_duplicate": "重复申请",
        "rejected_publication": "要求提供公开出版物",
        "rejected_excessive": "无正当理由大量反复申请",
        "rejected_confirmation": "要求行政机关确认或重新出具已获取信息",
        "other_no_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other_no_fee": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other_other": "其他",
        "other_total": "其他处理",
        "total_handled": "总计",
        "carried_forward": "结转下年度继续办理",
    }) }}
{% endmacro %}
