"""Asset checks: the format's consistency rules, re-derived in SQL from the warehouse tables."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.parse.validate import ARITHMETIC, Balance

def rule_violations_sql() -> str:
    """The format's arithmetic (parse/validate.py's ARITHMETIC) as SQL over the long tables: one row
    per (report, rule, where) that breaks a rule. Independent of the parser's own validation, so it
    also catches a report that was loaded `ok` with numbers that do not add up (a silent error). A
    group with a NULL cell is not checked (the parser's findings say why). Rules over the same
    groups share one pass over their table."""
    groups: dict[tuple[str, str], list[Balance]] = {}
    for b in ARITHMETIC:
        groups.setdefault((b.table, b.per), []).append(b)
    ctes, checks = [], []
    for n, ((table, per), balances) in enumerate(groups.items()):
        sums = []
        for b in balances:
            for side in ("left", "right"):
                names = ", ".join(f"'{k}'" for k in getattr(b, side))
                sums.append(f"sum(value) FILTER (WHERE {b.along} IN ({names})) AS {b.rule.code}_{side}")
            checks.append(f"SELECT report_id, '{b.rule.code}' AS rule, {per} AS at FROM g{n} "
                          f"WHERE nulls = 0 AND {b.rule.code}_left <> {b.rule.code}_right")
        ctes.append(f"g{n} AS (\n    SELECT report_id, {per},\n           " + ",\n           ".join(sums)
                    + ",\n           count(*) FILTER (WHERE value IS NULL) AS nulls\n"
                    f"    FROM {table} GROUP BY ALL\n)")
    return ("WITH " + ", ".join(ctes) + ", v AS (\n    " + "\n    UNION ALL ".join(checks) + "\n)\n"
            "SELECT v.report_id, v.rule, v.at, r.parse_status, r.issuer, r.year\n"
            "FROM v JOIN reports r USING (report_id)\n"
            "ORDER BY v.report_id, v.rule, v.at\n")


RULE_VIOLATIONS_SQL = rule_violations_sql()


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
