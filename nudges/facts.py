"""Everything one run needs, read in a fixed number of queries whatever the number of plans
and KPIs: the plans not archived, their KPIs judged now and a week ago, their members and
those members' preferences, and each plan's budget."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DateField, DecimalField, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from kpis.dashboards.progress import Status, progress
from kpis.dashboards.status_query import latest_actual
from kpis.models import Measurement
from nudges.models import Kind, Notification, Preference
from plans.models import KPI, Membership, Plan, PlanStatus, Role, Tactic, person
from race_planner.numbers import VALUE_DIGITS, VALUE_PLACES

EDITING_ROLES = (Role.ADMIN, Role.EDITOR)
# A reminder's period is a day and a digest's a week: eight days of claims cover both.
CLAIMS_KEPT_DAYS = 8


@dataclass(frozen=True)
class KpiFacts:
    kpi: KPI
    status: Status  # now, by kpis.dashboards.progress
    week_ago: Status  # seven days ago, by the same rules
    checked_in: date | None  # its newest actual up to tomorrow (the earliest zone's today)
    owner_id: int | None  # who is reminded: its owner, else the plan's creator, if a member


@dataclass
class PlanFacts:
    plan: Plan
    kpis: list[KpiFacts] = field(default_factory=list)
    members: dict[int, str] = field(default_factory=dict)  # user id -> role
    budget_planned: Decimal = Decimal(0)
    budget_spent: Decimal = Decimal(0)

    def editors(self) -> list[int]:
        return [user for user, role in self.members.items() if role in EDITING_ROLES]


@dataclass
class RunFacts:
    now: datetime
    today: date  # the site's day: statuses are judged on it
    plans: dict[int, PlanFacts]
    users: dict[int, Any]
    preferences: dict[int, Preference]
    # (user, kind, period) of the notifications of the last weeks: a run skips what exists
    # without trying (the unique constraint still decides between runners at the same moment).
    claimed: set[tuple[int, str, str]] = field(default_factory=set)

    def is_claimed(self, user_id: int, kind: str, period: str) -> bool:
        return (user_id, kind, period) in self.claimed

    def preference(self, user_id: int) -> Preference:
        return self.preferences.get(user_id) or Preference(user_id=user_id)

    def name(self, user_id: int | None) -> str:
        user = self.users.get(user_id or 0)
        return person(user) if user else "nobody"


def _judged(
    baseline: Decimal, target: Decimal, direction: str, plan: Plan, on: Any, value: Any, today: date
) -> Status:
    return progress(
        baseline=baseline,
        target=target,
        direction=direction,
        start=plan.period_start,
        end=plan.period_end,
        measurements=[(on, value)] if on is not None else [],
        today=today,
    ).status


def _with_week_ago(kpis: Any, week_ago: date, horizon: date) -> Any:
    older = Measurement.objects.filter(kpi=OuterRef("pk"), date__lte=week_ago).order_by("-date")
    newest = (
        Measurement.objects.filter(kpi=OuterRef("pk"), date__lte=horizon)
        .order_by()
        .values("kpi")
        .annotate(newest=Max("date"))
        .values("newest")
    )
    return kpis.annotate(
        week_ago_date=Subquery(older.values("date")[:1], output_field=DateField()),
        week_ago_value=Subquery(
            older.values("value")[:1],
            output_field=DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES),
        ),
        checked_in=Subquery(newest, output_field=DateField()),
    )


def gather(now: datetime) -> RunFacts:
    today = timezone.localdate(now)
    plans = {
        plan.pk: PlanFacts(plan)
        for plan in Plan.objects.exclude(status=PlanStatus.ARCHIVED).order_by("name", "id")
    }
    users: dict[int, Any] = {}
    workspaces: dict[int, list[PlanFacts]] = defaultdict(list)
    for facts in plans.values():
        workspaces[facts.plan.workspace_id].append(facts)
    for membership in Membership.objects.filter(workspace_id__in=list(workspaces)).select_related(
        "user"
    ):
        users[membership.user_id] = membership.user
        for facts in workspaces[membership.workspace_id]:
            facts.members[membership.user_id] = membership.role

    kpis = _with_week_ago(
        latest_actual(KPI.objects.filter(plan_id__in=list(plans)), today),
        today - timedelta(days=7),
        today + timedelta(days=1),
    ).order_by("plan_id", "stage", "position", "id")
    for kpi in kpis:
        facts = plans[kpi.plan_id]
        plan = facts.plan
        responsible = kpi.owner_id or plan.created_by_id
        facts.kpis.append(
            KpiFacts(
                kpi=kpi,
                status=_judged(
                    kpi.baseline,
                    kpi.target,
                    kpi.direction,
                    plan,
                    kpi.latest_date,
                    kpi.latest_value,
                    today,
                ),
                week_ago=_judged(
                    kpi.baseline,
                    kpi.target,
                    kpi.direction,
                    plan,
                    kpi.week_ago_date,
                    kpi.week_ago_value,
                    today - timedelta(days=7),
                ),
                checked_in=kpi.checked_in,
                owner_id=responsible if responsible in facts.members else None,
            )
        )
    for row in (
        Tactic.objects.filter(plan_id__in=list(plans))
        .values("plan_id")
        .annotate(planned=Sum("budget_planned"), spent=Sum("budget_spent"))
        .order_by()
    ):
        plans[row["plan_id"]].budget_planned = row["planned"] or Decimal(0)
        plans[row["plan_id"]].budget_spent = row["spent"] or Decimal(0)
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(users))}
    claimed = set(
        Notification.objects.filter(
            created_at__gte=now - timedelta(days=CLAIMS_KEPT_DAYS),
            kind__in=(Kind.REMINDER, Kind.DIGEST),
        ).values_list("user_id", "kind", "period")
    )
    return RunFacts(now, today, plans, users, preferences, claimed)
