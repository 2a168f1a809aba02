"""Check-in reminders: the day after a KPI's actual was due and is still missing, its owner
gets one email listing every such KPI of theirs, at most one a day (their day, in their time
zone), each due date reminded of once. Archived plans are not read at all."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from nudges.delivery import Draft, absolute, make
from nudges.facts import KpiFacts, RunFacts
from nudges.models import Kind, ReminderSent
from nudges.schedule import local_day, missed_due_date
from plans.models import Plan


def check_in_link(plan: Plan, kpis: list[KpiFacts]) -> str:
    """The weekly check-in opening with exactly these KPIs."""
    query = urlencode([("kpi", item.kpi.pk) for item in kpis])
    return f"{reverse('kpis-check-in', args=[plan.pk])}?{query}"


def due_for(facts: RunFacts) -> dict[int, list[tuple[KpiFacts, date]]]:
    """Each owner's KPIs with a missed due date, as of that owner's day."""
    found: dict[int, list[tuple[KpiFacts, date]]] = defaultdict(list)
    for plan_facts in facts.plans.values():
        plan = plan_facts.plan
        for item in plan_facts.kpis:
            if item.owner_id is None or not facts.preference(item.owner_id).reminders:
                continue
            today = local_day(facts.now, facts.preference(item.owner_id).zone)
            due = missed_due_date(
                item.kpi.cadence, plan.period_start, plan.period_end, item.checked_in, today
            )
            if due is not None:
                found[item.owner_id].append((item, due))
    return found


def remind(facts: RunFacts) -> int:
    candidates = due_for(facts)
    every = [(item.kpi.pk, due) for owed in candidates.values() for item, due in owed]
    done = set(
        ReminderSent.objects.filter(
            kpi_id__in={kpi for kpi, _ in every}, due__in={due for _, due in every}
        ).values_list("kpi_id", "due")
    )
    made = 0
    for user_id, owed in candidates.items():
        fresh = [(item, due) for item, due in owed if (item.kpi.pk, due) not in done]
        if not fresh:
            continue
        today = local_day(facts.now, facts.preference(user_id).zone)
        if facts.is_claimed(user_id, Kind.REMINDER, today.isoformat()):
            continue  # reminded today already: tomorrow's run will send these
        note = make(_draft(facts, user_id, today, fresh))
        if note is None:
            continue  # this user's reminder of today exists already
        ReminderSent.objects.bulk_create(
            [ReminderSent(kpi=item.kpi, due=due) for item, due in fresh], ignore_conflicts=True
        )
        made += 1
    return made


def _draft(facts: RunFacts, user_id: int, today: date, owed: list[tuple[KpiFacts, date]]) -> Draft:
    by_plan: dict[int, list[tuple[KpiFacts, date]]] = defaultdict(list)
    for item, due in owed:
        by_plan[item.kpi.plan_id].append((item, due))
    plans: list[dict[str, Any]] = []
    for plan_id, rows in by_plan.items():
        plan = facts.plans[plan_id].plan
        link = check_in_link(plan, [item for item, _ in rows])
        plans.append({"plan": plan, "rows": rows, "url": absolute(link), "path": link})
    count = len(owed)
    title = (
        f"{count} check-in{'s' if count != 1 else ''} due: "
        + ", ".join(item.kpi.name for item, _ in owed[:3])
        + ("…" if count > 3 else "")
    )
    return Draft(
        user_id=user_id,
        kind=Kind.REMINDER,
        period=today.isoformat(),
        title=title,
        template="nudges/email/reminder",
        context={"name": facts.name(user_id), "plans": plans},
        link=plans[0]["path"],
        plan_id=plans[0]["plan"].pk if len(plans) == 1 else None,
    )
