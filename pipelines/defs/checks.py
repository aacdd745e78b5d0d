"""Asset checks: the format's consistency rules, re-derived in SQL from the warehouse tables."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.parse.validate import R1_ROWS

# Each rule of docs/formats.md §4 as SQL over the long tables: one row per (report, rule, where)
# that breaks it. Independent of the parser's own validation, so it also catches a report
# that was loaded `ok` with numbers that do not add up (a silent error).
RULE_VIOLATIONS_SQL = """
WITH w AS (
    SELECT report_id, applicant,
           max(value) FILTER (WHERE row_key = 'new_received') AS n,
           max(value) FILTER (WHERE row_key = 'carried_over') AS c,
           max(value) FILTER (WHERE row_key = 'total_handled') AS t,
           max(value) FILTER (WHERE row_key = 'carried_forward') AS f,
           sum(value) FILTER (WHERE row_key NOT IN (""" + ", ".join(f"'{k}'" for k in R1_ROWS) + """)) AS outcomes,
           count(*) FILTER (WHERE value IS NULL) AS nulls
    FROM request_outcomes GROUP BY ALL
), rows AS (
    SELECT report_id, row_key,
           sum(value) FILTER (WHERE applicant <> 'total') AS parts,
           max(value) FILTER (WHERE applicant = 'total') AS total,
           count(*) FILTER (WHERE value IS NULL) AS nulls
    FROM request_outcomes GROUP BY ALL
), rl AS (
    SELECT report_id, proceeding,
           sum(value) FILTER (WHERE outcome <> 'total') AS parts,
           max(value) FILTER (WHERE outcome = 'total') AS total,
           count(*) FILTER (WHERE value IS NULL) AS nulls
    FROM review_litigation GROUP BY ALL
), v AS (
    SELECT report_id, 'R1' AS rule, applicant AS at FROM w WHERE nulls = 0 AND n + c <> t + f
    UNION ALL SELECT report_id, 'R3', applicant FROM w WHERE nulls = 0 AND outcomes <> t
    UNION ALL SELECT report_id, 'R2', row_key FROM rows WHERE nulls = 0 AND parts <> total
    UNION ALL SELECT report_id, 'R4', proceeding FROM rl WHERE nulls = 0 AND parts <> total
)
SELECT v.report_id, v.rule, v.at, r.parse_status, r.issuer, r.year
FROM v JOIN reports r USING (report_id)
ORDER BY v.report_id, v.rule, v.at
"""


@dg.asset_check(asset="core__reports", blocking=False, description=
                "No report is `ok` while its numbers break a consistency rule (R1–R4, recomputed in SQL); "
                "metadata lists the reports that break rules and the share of reports not ok.")
def consistency_rules(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection(read_only=True) as conn:
        violations = conn.execute(RULE_VIOLATIONS_SQL).fetchall()
        total, not_ok = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE parse_status <> 'ok') FROM reports").fetchone()
        per_source = conn.execute(
            "SELECT coalesce(source_id, '?'), count(*), round(avg((parse_status <> 'ok')::INT), 4) AS share_not_ok "
            "FROM reports GROUP BY 1 ORDER BY share_not_ok DESC, 2 DESC LIMIT 20").fetchall()
    silent = sorted({(rid, rule) for rid, rule, _, status, _, _ in violations if status == "ok"})
    by_report: dict[str, set[str]] = {}
    for rid, rule, *_ in violations:
        by_report.setdefault(rid, set()).add(rule)
    worst = sorted(by_report.items(), key=lambda kv: -len(kv[1]))[:20]
    return dg.AssetCheckResult(
        passed=not silent,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "reports": total,
            "reports_not_ok": not_ok,
            "share_not_ok": round(not_ok / total, 4) if total else 0.0,
            "reports_breaking_rules": len(by_report),
            "ok_reports_breaking_rules": len({rid for rid, _ in silent}),
            "ok_reports_breaking_rules_detail": dg.MetadataValue.json([f"{rid}: {rule}" for rid, rule in silent][:50]),
            "worst_offenders": dg.MetadataValue.json({rid: sorted(rules) for rid, rules in worst}),
            "share_not_ok_by_source": dg.MetadataValue.json(
                {sid: {"reports": n, "share_not_ok": share} for sid, n, share in per_source}),
        },
    )


# Marts that must have rows as soon as one report's numbers were read. Others (fee outliers,
# the jurisdiction cross-check, ...) may rightly be empty; their row counts are in the metadata.
HEADLINE_MARTS = ("requests_by_year", "reports_by_status", "metrics_by_year", "report_metrics", "coverage")


@dg.asset_check(asset="out__published_warehouse", description=
                "The headline marts have rows once the warehouse holds reports whose numbers were read; "
                "row counts of every mart in metadata.")
def marts_have_rows(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from pipelines.warehouse.transform import mart_names

    marts = mart_names()
    with warehouse.get_connection(read_only=True) as conn:
        complete = conn.execute("SELECT count(*) FROM reports WHERE parse_status IN ('ok', 'inconsistent')").fetchone()[0]
        rows = {m: conn.execute(f"SELECT count(*) FROM {m}").fetchone()[0] for m in marts}
    empty = sorted(m for m, n in rows.items() if n == 0 and m in HEADLINE_MARTS)
    return dg.AssetCheckResult(passed=complete == 0 or not empty, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"reports_with_numbers": complete, "empty_marts": ", ".join(empty) or "none",
                                         **{f"rows_{m}": n for m, n in sorted(rows.items())}})
