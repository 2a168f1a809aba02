"""The plan list: its search and filters, and what each row shows beyond the plan itself.

A page of plans costs the same number of queries whatever the number of plans: the newest change
of each is one query over the history indexes that start from the plan, and what other features
say of the plans (`extensions.plan_summaries`) is asked for the page only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.utils.html import escape

from plans import access, extensions, history
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
from race_planner.prepared import USER_ID, Marker, Prepared


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


def _reader_workspaces(reader: int) -> QuerySet[Workspace, Any]:
    return access.workspaces_for(User(pk=reader)).values_list("pk", "name")


def _a_writable_workspace(reader: int) -> QuerySet[Workspace, Any]:
    return access.workspaces_for(User(pk=reader), writable=True).values_list("pk")[:1]


# Every view of the list asks both: their SQL is written once per process.
_READER_WORKSPACES = Prepared(Workspace, _reader_workspaces, reader=USER_ID)
_A_WRITABLE_WORKSPACE = Prepared(Workspace, _a_writable_workspace, reader=USER_ID)


def filters_for(data: Any, reader: User) -> PlanListFilters:
    """The list's filters; the workspace list's options read by SQL written once per process
    (its queryset still checks a chosen workspace)."""
    form = PlanListFilters(data, workspaces=access.workspaces_for(reader))
    workspace_field = form.fields["workspace"]
    assert isinstance(workspace_field, forms.ModelChoiceField)
    workspace_field.choices = [
        ("", workspace_field.empty_label),
        *[(pk, name) for pk, name in _READER_WORKSPACES.rows(reader=reader.pk)],
    ]
    return form


def can_create(reader: User) -> bool:
    """Whether the reader may create a plan in some workspace (`access.workspaces_for`)."""
    return bool(_A_WRITABLE_WORKSPACE.rows(reader=reader.pk))


LIST_ORDER = ("workspace__name", "-period_start", "name")


def listed(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """The plans in the list's order, with what each row shows of their workspace and owner."""
    return plans.select_related("workspace", "created_by").order_by(*LIST_ORDER)


@lru_cache(maxsize=64)
def _unfiltered_page(offset: int, size: int) -> Prepared[Plan]:
    """A page of every plan a reader can see, as the list first opens: its SQL written once
    per process and page (the database is given LIMIT and OFFSET in the text, not as values)."""

    def build(reader: int) -> QuerySet[Plan]:
        return listed(access.visible_plans(User(pk=reader)))[offset : offset + size]

    return Prepared(Plan, build, reader=USER_ID)


def _visible_count(reader: int) -> QuerySet[Plan, Any]:
    """How many plans the reader can see, as one row grouped by the reader: a count whose SQL
    can be written once (Paginator's `count()` is built anew on every view)."""
    visible = access.visible_plans(User(pk=reader)).order_by()
    return (
        visible.values("workspace__memberships__user")
        .annotate(plans=Count("pk"))
        .values_list("plans")
    )


_VISIBLE_COUNT = Prepared(Plan, _visible_count, reader=USER_ID)


def list_page(
    plans: QuerySet[Plan], reader: User, *, filtered: bool, number: str | None, size: int
) -> tuple[Page[Plan], list[Plan]]:
    """A page of the list and its plans; unfiltered, the count and the plans are read by SQL
    written once per process."""
    paginator = Paginator(plans, size)
    if filtered:
        page = paginator.get_page(number)
        return page, list(page.object_list)
    counted = _VISIBLE_COUNT.rows(reader=reader.pk)
    paginator.count = counted[0][0] if counted else 0  # known: the paginator counts no more
    page = paginator.get_page(number)
    if not paginator.count:
        return page, []
    return page, _unfiltered_page((page.number - 1) * size, size).objects(reader=reader.pk)


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


# A page of plans by id in a query of a fixed shape, so that its SQL is written once per
# process (`race_planner.prepared`): a slot a plan, the unused ones given an id no plan has.
PLAN_SLOTS = {
    f"plan_{n}": Marker(-7_350_000 - n, -7_360_000 - n, IntegerField()) for n in range(25)
}
NO_PLAN = 0


def in_slots(plans: list[Plan]) -> Iterator[dict[str, int]]:
    """The plans' ids, a slot each, in as many fills of the slots as they need (one a page)."""
    ids = [plan.pk for plan in plans]
    for start in range(0, len(ids), len(PLAN_SLOTS)):
        chunk = ids[start : start + len(PLAN_SLOTS)]
        yield {slot: chunk[n] if n < len(chunk) else NO_PLAN for n, slot in enumerate(PLAN_SLOTS)}


def _last_changes_query(**slots: int) -> QuerySet[Plan, Any]:
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
    found = Plan.objects.filter(pk__in=list(slots.values())).order_by()
    return found.annotate(**kinds).values_list("pk", *kinds)


_LAST_CHANGES = Prepared(Plan, _last_changes_query, **PLAN_SLOTS)


def last_changes(plans: list[Plan]) -> dict[int, datetime]:
    """The newest history entry of each plan and everything in it, in one query a page: one
    probe of each kind's (plan, history_date) index a plan."""
    newest = {}
    for slots in in_slots(plans):
        for pk, *dates in _LAST_CHANGES.rows(**slots):
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
