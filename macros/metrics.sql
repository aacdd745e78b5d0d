{#- The metrics of docs/formats.md §5, declared once: report_metrics computes each per report with
    ratio(), metrics_grouped over groups of reports with summed_ratio(). -#}

{#- (name, numerator, denominator) over the count columns of report_metrics. -#}
{% macro rate_definitions() %}
    {{ return([
        ("disclosure_rate", "granted + partially_granted", "total_handled"),
        ("granted_rate", "granted", "total_handled"),
        ("denial_rate", "denied", "total_handled"),
        ("denial_share_state_secret", "denied_state_secret", "denied"),
        ("denial_share_law_prohibited", "denied_law_prohibited", "denied"),
        ("denial_share_security_stability", "denied_security_stability", "denied"),
        ("denial_share_third_party", "denied_third_party", "denied"),
        ("denial_share_internal_affairs", "denied_internal_affairs", "denied"),
        ("denial_share_process_info", "denied_process_info", "denied"),
        ("denial_share_enforcement_file", "denied_enforcement_file", "denied"),
        ("denial_share_query_matter", "denied_query_matter", "denied"),
        ("unavailable_rate", "unavailable", "total_handled"),
        ("rejected_rate", "rejected", "total_handled"),
        ("other_rate", "other", "total_handled"),
        ("legal_person_share", "new_received_legal_person", "new_received"),
        ("review_correction_rate", "review_corrected", "review_total"),
        ("review_correction_rate_decided", "review_corrected", "review_total - review_pending"),
        ("litigation_correction_rate", "litigation_corrected", "litigation_total"),
        ("litigation_correction_rate_decided", "litigation_corrected", "litigation_total - litigation_pending"),
        ("dispute_rate", "disputes", "total_handled"),
    ]) }}
{% endmacro %}

{#- The counts of report_metrics that metrics_grouped sums. -#}
{% macro summed_counts() %}
    {{ return([
        "new_received", "carried_over", "granted", "partially_granted", "denied",
        "denied_state_secret", "denied_law_prohibited", "denied_security_stability", "denied_third_party",
        "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_query_matter",
        "unavailable", "rejected", "other", "total_handled", "carried_forward", "new_received_legal_person",
        "review_total", "review_corrected", "review_pending", "litigation_total", "litigation_corrected",
        "litigation_pending", "disputes",
    ]) }}
{% endmacro %}
