"""The weekly digest: for each member who wants it, on their chosen day (in their time zone),
per plan: what changed status since a week ago, what is off track or at risk and whose it is,
which check-ins are missing, and the budget spent against planned. Once per ISO week: a run
that misses the chosen day sends it on the next run of the same week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse

from kpis.dashboards.progress import Status
from nudges.delivery import Draft, absolute, make
from nudges.facts import KpiFacts, PlanFacts, RunFacts
from nudges.models import Kind
from nudges.schedule import local_day, missed_due_date
from plans.models import Plan


@dataclass(frozen=True)
class PlanDigest:
    plan: Plan
    url: str
    changes: list[tuple[KpiFacts, Status, Status]]  # (kpi, a week ago, now)
    behind: list[tuple[KpiFacts, str]]  # off track first, then at risk; with the owner's name
    missing: list[tuple[KpiFacts, date, str]]  # (kpi, due date, owner)
    budget_planned: Decimal
    budget_spent: Decimal
    currency: str

    @property
    def budget_share(self) -> int | None:
        if not self.budget_planned:
            return None
        return round(self.budget_spent * 100 / self.budget_planned)


def plan_digest(facts: RunFacts, plan: PlanFacts, today: date) -> PlanDigest:
    behind = [
        (item, facts.name(item.owner_id))
        for status in (Status.OFF_TRACK, Status.AT_RISK)
        for item in plan.kpis
        if item.status == status
    ]
    missing = []
    for item in plan.kpis:
        due = missed_due_date(
            item.kpi.cadence,
            plan.plan.period_start,
            plan.plan.period_end,
            item.checked_in,
            today,
        )
        if due is not None:
            missing.append((item, due, facts.name(item.owner_id)))
    return PlanDigest(
        plan=plan.plan,
        url=absolute(reverse("kpis-dashboard", args=[plan.plan.pk])),
        changes=[
            (item, item.week_ago, item.status) for item in plan.kpis if item.week_ago != item.status
        ],
        behind=behind,
        missing=missing,
        budget_planned=plan.budget_planned,
        budget_spent=plan.budget_spent,
        currency=plan.plan.currency,
    )


def send_digests(facts: RunFacts) -> int:
    readers: dict[int, list[PlanFacts]] = {}
    for plan in facts.plans.values():
        for user_id in plan.members:
            readers.setdefault(user_id, []).append(plan)
    made = 0
    for user_id, plans in readers.items():
        preference = facts.preference(user_id)
        today = local_day(facts.now, preference.zone)
        if not preference.digest or today.weekday() < preference.digest_weekday:
            continue
        year, week, _ = today.isocalendar()
        if facts.is_claimed(user_id, Kind.DIGEST, f"{year}-W{week:02d}"):
            continue
        digests = [plan_digest(facts, plan, today) for plan in plans]
        draft = Draft(
            user_id=user_id,
            kind=Kind.DIGEST,
            period=f"{year}-W{week:02d}",
            title=f"Your weekly RACE digest, week {week}: {len(digests)} plan{'s' if len(digests) != 1 else ''}",
            template="nudges/email/digest",
            context={"name": facts.name(user_id), "digests": digests, "today": today},
            link=reverse("nudges-list"),
        )
        made += make(draft) is not None
    return made
