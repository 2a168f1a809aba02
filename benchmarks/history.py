"""Plan history server time: a small plan beside a plan whose trail has 100k history rows.

Prints, for the small plan and for the large one (its first, 10th and 500th page, reached by
the page's "Older changes" links), the ratio to a trivial logged-in view measured in the same
run and the SQL query count, then the query plans of the small plan's history queries (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
Goal: at most 10x the trivial view at 100k rows, on both databases.

    python benchmarks/history.py [--runs 20] [--rows 100000]
    bash scripts/with-postgres.sh python benchmarks/history.py   # the same on PostgreSQL
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from harness import (  # sets up Django on a throw-away database
    STAGES,
    bench_settings,
    get_with_queries,
    interleaved,
    kb,
)

GOAL = 10.0
QUERY_BUDGET = 14  # at most, for every plan and page; times are printed, never asserted
BEGAN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def build_plan(workspace: Any, name: str, *, kpis: int, corrections: int, tactics: int) -> int:
    """A plan with `kpis` KPIs, one actual a KPI a week corrected `corrections` times in all
    (spread over its KPIs), and `tactics` renamed tactics: its trail, written straight into the
    history tables (as a long-lived plan's would have grown)."""
    from kpis.models import Measurement
    from plans.models import KPI, Plan, Tactic

    plan = Plan.objects.create(
        workspace=workspace,
        name=name,
        audience="b2c",
        period_start=date(2026, 1, 5),
        period_end=date(2026, 12, 27),
        status="active",
    )
    made = KPI.objects.bulk_create(
        KPI(plan=plan, stage=STAGES[n % 5], name=f"KPI {n}", target=Decimal(1000), position=n)
        for n in range(kpis)
    )
    KPI.history.bulk_history_create(made, default_date=BEGAN)
    weeks = 50
    actuals = Measurement.objects.bulk_create(
        Measurement(kpi=kpi, date=date(2026, 1, 5) + timedelta(weeks=w), value=Decimal(w))
        for kpi in made
        for w in range(weeks)
    )
    Measurement.history.bulk_history_create(actuals, default_date=BEGAN)
    record = Measurement.history.model
    trail = []
    for n in range(corrections):
        actual = actuals[n % len(actuals)]
        trail.append(
            record(
                id=actual.pk,
                kpi_id=actual.kpi_id,
                date=actual.date,
                value=Decimal(n),
                note="corrected",
                source="manual",
                recorded_at=BEGAN,
                version=2 + n // len(actuals),
                history_type="~",
                history_date=BEGAN + timedelta(minutes=n + 1),
            )
        )
    record.objects.bulk_create(trail, batch_size=5000)
    made_tactics = Tactic.objects.bulk_create(
        Tactic(plan=plan, stage=STAGES[n % 5], title=f"Tactic {n}", position=n)
        for n in range(tactics)
    )
    Tactic.history.bulk_history_create(made_tactics, default_date=BEGAN)
    for tactic in made_tactics:
        tactic.title += " (renamed)"
    Tactic.history.bulk_history_create(
        made_tactics, update=True, default_date=BEGAN + timedelta(days=400)
    )
    return plan.pk


def history_rows(plan_id: int) -> int:
    from kpis.models import Measurement
    from plans.models import KPI, Plan, StageWorksheet, Tactic

    kpis = KPI.history.filter(plan_id=plan_id).values("id")
    return (
        Plan.history.filter(id=plan_id).count()
        + sum(m.history.filter(plan_id=plan_id).count() for m in (KPI, StageWorksheet, Tactic))
        + Measurement.history.filter(kpi_id__in=kpis).count()
    )


def page_url(plan_id: int, number: int) -> str:
    """The URL of the plan's history page `number`, as reached by following "Older changes"."""
    from plans.history import history_page
    from plans.models import Plan

    plan = Plan.objects.get(pk=plan_id)
    start = None
    for _ in range(number - 1):
        start = history_page(plan, start=start).older
    assert start is not None, f"the history has fewer than {number} pages"
    return f"{reverse('plans-history', args=[plan_id])}?older={start.token()}"


def statements(client: Client, url: str) -> list[tuple[str, Any]]:
    """The SQL of one GET with its parameters, to EXPLAIN afterwards."""
    ran: list[tuple[str, Any]] = []

    def keep(run: Any, sql: str, params: Any, *rest: Any) -> Any:
        ran.append((sql, params))
        return run(sql, params, *rest)

    with connection.execute_wrapper(keep):
        client.get(url)
    return ran


def explain(sql: str, params: Any) -> list[str]:
    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, COSTS OFF) "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return [" | ".join(str(col) for col in row) for row in cursor.fetchall()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from plans.models import Membership, Role, Workspace

    workspace = Workspace.objects.create(name="History", slug="history")
    user = User.objects.create_user("historian", password="bench-password-123")
    Membership.objects.create(workspace=workspace, user=user, role=Role.VIEWER)
    # The large plan's trail: 20 KPIs x 50 weekly actuals, corrected until it has `rows` rows.
    large = build_plan(workspace, "Large", kpis=20, corrections=args.rows - 3_020, tactics=1_000)
    small = build_plan(workspace, "Small", kpis=5, corrections=20, tactics=10)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    with bench_settings():
        urls = {
            "small plan": reverse("plans-history", args=[small]),
            "large plan, page 1": reverse("plans-history", args=[large]),
            "large plan, page 10": page_url(large, 10),
            "large plan, page 500": page_url(large, 500),
        }
        found = {}
        for label, url in urls.items():
            page, queries = get_with_queries(client, url)
            found[label] = (len(page.content), queries)
        ratio = interleaved(client, list(urls.values()), args.runs)
        small_statements = statements(client, urls["small plan"])
    print(f"Plan history on {connection.vendor}")
    print(f"  history rows: large plan {history_rows(large):,}, small plan {history_rows(small):,}")
    met = True
    for label, url in urls.items():
        size, queries = found[label]
        print(
            f"  {label + ':':22} {ratio.of(url):5.1f}x trivial ({ratio.median(url):.1f} ms; "
            f"fastest runs {ratio.fastest(url):.1f}x), {len(queries)} queries, {kb(size)}"
        )
        met = met and ratio.of(url) <= GOAL
    print(f"  trivial logged-in view: {ratio.floor:.2f} ms")
    print(f"  goal <= {GOAL:.0f}x: {'met' if met else 'NOT MET'}")
    print("Query plans of the small plan's history queries:")
    for sql, params in small_statements:
        if "historical" not in sql.lower():
            continue
        print(f"  {sql[:160]}{' ...' if len(sql) > 160 else ''}")
        for line in explain(sql, params):
            print(f"      {line}")
    return 0 if all(len(queries) <= QUERY_BUDGET for _, queries in found.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
