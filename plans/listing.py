"""The plan list: its search and filters, and what each row shows beyond the plan itself.

A page of plans costs the same number of queries whatever the number of plans: the newest change
of each is one query over the history indexes that start from the plan, and what other features
say of the plans (`extensions.plan_summaries`) is asked for the page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.html import escape

from plans import extensions, history
from plans.models import (
    KPI,
    Audience,
    Objective,
    Plan,
    PlanStatus,
    StageWorksheet,
    Tactic,
    Workspace,
)
from race_planner.forms import QuickSelect, WrittenInPython, widget_attributes


class QuickTextInput(WrittenInPython, forms.TextInput):
    """django/forms/widgets/input.html and its attrs.html, written in Python."""

    def html(self, name: str, widget: dict[str, Any]) -> str:
        value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        attributes = widget_attributes(widget["attrs"])
        return f'<input type="{escape(widget["type"])}" name="{name}"{value}{attributes}>'


class PlanListFilters(forms.Form):
    # The four widgets are drawn on every view of the list: written in Python, not by
    # Django's widget templates (an include per option and per attribute list).
    q = forms.CharField(label="Search plans", required=False, max_length=120, widget=QuickTextInput)
    workspace = forms.ModelChoiceField(
        label="Workspace",
        required=False,
        queryset=Workspace.objects.none(),  # the user's, given to __init__
        empty_label="Every workspace",
        widget=QuickSelect,
    )
    audience = forms.ChoiceField(
        label="Audience",
        required=False,
        choices=[("", "Any audience"), *Audience.choices],
        widget=QuickSelect,
    )
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Any state"), *PlanStatus.choices],
        widget=QuickSelect,
    )

    def __init__(self, *args: Any, workspaces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace_field = self.fields["workspace"]
        assert isinstance(workspace_field, forms.ModelChoiceField)
        workspace_field.queryset = workspaces

    def filter(self, plans: QuerySet[Plan]) -> QuerySet[Plan]:
        """The plans that pass; all of them when the filters are invalid."""
        if not self.is_valid():
            return plans
        data = self.cleaned_data
        if data["q"]:
            plans = plans.filter(name__icontains=data["q"].strip())
        if data["workspace"]:
            plans = plans.filter(workspace=data["workspace"])
        if data["audience"]:
            plans = plans.filter(audience=data["audience"])
        if data["state"]:
            plans = plans.filter(status=data["state"])
        return plans


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    summary: extensions.PlanSummary | None  # None: no feature says anything of it
    last_change: datetime | None
    elapsed: int  # percent of the plan's period gone by today

    @property
    def owner(self) -> str:
        user = self.plan.created_by
        return (user.get_full_name() or user.get_username()) if user else "—"


def elapsed_percent(plan: Plan, today: date) -> int:
    total = (plan.period_end - plan.period_start).days
    if today >= plan.period_end or total == 0:
        return 100 if today >= plan.period_start else 0
    return max(0, round(100 * (today - plan.period_start).days / total))


def _newest(model: Any, column: str) -> Subquery:
    newest = history.history_of(model).filter(**{column: OuterRef("pk")})
    return Subquery(newest.order_by(*history.NEWEST_FIRST).values("history_date")[:1])


def last_changes(plans: list[Plan]) -> dict[int, datetime]:
    """The newest history entry of each plan and everything in it, in one query: one probe of
    each kind's (plan, history_date) index a plan."""
    kinds = {
        "plan": _newest(Plan, "id"),
        **{
            name: _newest(model, "plan_id")
            for name, model in (
                ("worksheet", StageWorksheet),
                ("objective", Objective),
                ("tactic", Tactic),
                ("kpi", KPI),
            )
        },
    }
    found = Plan.objects.filter(pk__in=[plan.pk for plan in plans]).order_by()
    newest = {}
    for pk, *dates in found.annotate(**kinds).values_list("pk", *kinds):
        known = [when for when in dates if when is not None]
        if known:
            newest[pk] = max(known)
    return newest


def plan_rows(plans: list[Plan], *, today: date) -> list[PlanRow]:
    summaries = extensions.plan_summaries(plans)
    changes = last_changes(plans)
    rows = []
    for plan in plans:
        summary = summaries.get(plan.pk)
        times = [t for t in (changes.get(plan.pk), summary and summary.last_change) if t]
        rows.append(PlanRow(plan, summary, max(times, default=None), elapsed_percent(plan, today)))
    return rows
