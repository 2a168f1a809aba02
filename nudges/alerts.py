"""Status alerts: when a KPI's status (kpis.dashboards.progress, judged now) is off track and
its editors have not been told since it last recovered, each editor who opted in gets one
alert. Any way in counts, because the status is judged afresh each run: an actual typed in,
imported or sent through the API, or just days passing while the expected value moves on.
On track or at risk again counts as recovered; stale or no data neither alerts nor recovers."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.urls import reverse

from kpis.dashboards.progress import Status
from nudges.delivery import Draft, absolute, make
from nudges.facts import KpiFacts, PlanFacts, RunFacts
from nudges.models import AlertState, Kind

RECOVERED = (Status.ON_TRACK, Status.AT_RISK)


def alert(facts: RunFacts) -> int:
    every = [(plan, item) for plan in facts.plans.values() for item in plan.kpis]
    told = dict(
        AlertState.objects.filter(kpi_id__in=[item.kpi.pk for _, item in every]).values_list(
            "kpi_id", "off_track_since"
        )
    )
    recovered = [
        item.kpi.pk for _, item in every if item.status in RECOVERED and told.get(item.kpi.pk)
    ]
    if recovered:
        AlertState.objects.filter(kpi_id__in=recovered).update(off_track_since=None)
    crossed = [
        (plan, item)
        for plan, item in every
        if item.status == Status.OFF_TRACK and told.get(item.kpi.pk) is None
    ]
    if crossed:
        AlertState.objects.bulk_create(
            [AlertState(kpi_id=item.kpi.pk) for _, item in crossed], ignore_conflicts=True
        )
    won: dict[int, list[tuple[PlanFacts, KpiFacts]]] = defaultdict(list)
    for plan, item in crossed:
        # The claim: of all runners, one turns the mark on, and only it tells the editors.
        if AlertState.objects.filter(kpi_id=item.kpi.pk, off_track_since=None).update(
            off_track_since=facts.now
        ):
            for user_id in plan.editors():
                if facts.preference(user_id).alerts:
                    won[user_id].append((plan, item))
    # One email per editor and run, however many KPIs crossed.
    return sum(make(_draft(facts, user_id, items)) is not None for user_id, items in won.items())


def _draft(facts: RunFacts, user_id: int, items: list[tuple[PlanFacts, KpiFacts]]) -> Draft:
    rows: list[dict[str, Any]] = []
    for plan, item in items:
        link = reverse("kpis-dashboard", args=[plan.plan.pk]) + f"#kpi-{item.kpi.pk}"
        rows.append(
            {
                "plan": plan.plan,
                "kpi": item.kpi,
                "owner": facts.name(item.owner_id),
                "url": absolute(link),
                "path": link,
            }
        )
    first = rows[0]
    if len(rows) == 1:
        title = f"Off track: {first['kpi'].name} ({first['plan'].name})"
    else:
        title = (
            f"{len(rows)} KPIs off track: "
            + ", ".join(row["kpi"].name for row in rows[:3])
            + ("…" if len(rows) > 3 else "")
        )
    single_plan = len({row["plan"].pk for row in rows}) == 1
    return Draft(
        user_id=user_id,
        kind=Kind.ALERT,
        # Each KPI's crossing is claimed by one runner, so its first KPI makes the period unique.
        period=f"kpi-{first['kpi'].pk}@{facts.now:%Y-%m-%dT%H:%M:%S}",
        title=title,
        template="nudges/email/alert",
        context={"name": facts.name(user_id), "rows": rows, "today": facts.today},
        link=first["path"],
        plan_id=first["plan"].pk if single_plan else None,
    )
