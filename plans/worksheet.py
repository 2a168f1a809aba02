"""What the worksheet shows and how its rows move: audience groups, forms, order, counts.

The page builds everything from the lists `plans.content.load_stages` fetched; the fragments
fetch only the one list they need.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from plans.content import StageContent
from plans.forms import ITEM_FORMS, StageItemForm, VersionedForm, WorksheetForm
from plans.models import KPI, Audience, ItemAudience, Objective, Plan, Stage, Tactic, Versioned
from plans.versioning import attname

Item = KPI | Objective | Tactic


@dataclass(frozen=True)
class ItemKind:
    key: str
    model: type[KPI] | type[Objective] | type[Tactic]
    title: str  # "Objective"
    plural: str  # "objectives"
    related: tuple[str, ...]  # what a row shows of other rows

    @property
    def form_class(self) -> type[StageItemForm]:
        return ITEM_FORMS[self.key]

    @property
    def label(self) -> str:
        return self.title if self.key == "kpi" else self.title.lower()

    def queryset(self, plan: Plan | None) -> QuerySet[Any]:
        rows = self.model._default_manager.select_related(*self.related)
        return rows.filter(plan=plan) if plan is not None else rows

    def copy(self, item: Item) -> Item:
        """The row as loaded, kept aside before a form writes the user's input into it."""
        return copy.copy(item)

    def siblings(self, plan: Plan, stage: str, group: str) -> list[Item]:
        rows = self.queryset(plan).filter(stage=stage)
        if plan.audience == Audience.BOTH:
            rows = rows.filter(audience=group)
        return list(rows.order_by("position", "id"))

    def move(self, item: Item, *, up: bool, plan: Plan) -> None:
        """Swap the row with its neighbour above or below; the list is numbered 0, 1, 2 … again.

        Only `position` changes: the row's version stays, so open edit forms are not made stale.
        """
        rows = self.siblings(plan, item.stage, group_of(plan, item))
        index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            row.position = position
        self.model._default_manager.bulk_update(rows, ["position"])  # type: ignore[arg-type]

    def group_lists(self, plan: Plan, stage: str, groups: list[str]) -> list[ItemGroup]:
        rows = self.queryset(plan).filter(stage=stage).order_by("position", "id")
        if plan.audience == Audience.BOTH:
            rows = rows.filter(audience__in=groups)
        out = {key: ItemGroup(key, GROUP_LABELS[key]) for key in dict.fromkeys(groups)}
        for row in rows:
            out[group_of(plan, row)].items.append(row)
        return list(out.values())


KINDS: dict[str, ItemKind] = {
    "objective": ItemKind("objective", Objective, "Objective", "objectives", ("kpi",)),
    "tactic": ItemKind("tactic", Tactic, "Tactic", "tactics", ("objective",)),
    "kpi": ItemKind("kpi", KPI, "KPI", "KPIs", ()),
}

GROUP_LABELS = {
    ItemAudience.ALL.value: "Both audiences",
    ItemAudience.B2C.value: "B2C",
    ItemAudience.B2B.value: "B2B",
}


def group_keys(plan: Plan) -> list[str]:
    """Plans for both audiences show B2C and B2B side by side, under what serves both."""
    if plan.audience == Audience.BOTH:
        return [ItemAudience.ALL.value, ItemAudience.B2C.value, ItemAudience.B2B.value]
    return [ItemAudience.ALL.value]


def group_of(plan: Plan, item: Any) -> str:
    return str(item.audience) if plan.audience == Audience.BOTH else ItemAudience.ALL.value


@dataclass
class ItemGroup:
    key: str
    label: str
    items: list[Any] = field(default_factory=list)


@dataclass
class KindSection:
    kind: ItemKind
    groups: list[ItemGroup]
    next_position: int  # where an added row goes; the add form is fetched when opened

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def groups_for(plan: Plan, items: list[Any]) -> list[ItemGroup]:
    groups = {key: ItemGroup(key, GROUP_LABELS[key]) for key in group_keys(plan)}
    for item in items:
        groups[group_of(plan, item)].items.append(item)
    return list(groups.values())


def choices_for(plan: Plan, kind: str, stage: str) -> dict[str, Any]:
    """The rows a kind's form offers to link to, from the same stage (one query at most)."""
    if kind == "objective":
        return {"kpis": list(plan.kpis.filter(stage=stage))}
    if kind == "tactic":
        return {"objectives": list(plan.objectives.filter(stage=stage))}
    return {}


def item_form(
    plan: Plan,
    kind: str,
    stage: str,
    data: Any = None,
    *,
    choices: dict[str, Any],
    instance: Item | None = None,
    position: int | None = None,
) -> StageItemForm:
    prefix = f"{kind}-{instance.pk}" if instance is not None else f"new-{kind}-{stage}"
    form = KINDS[kind].form_class(data, plan=plan, instance=instance, prefix=prefix, **choices)
    if instance is None and position is not None:
        form.fields["position"].initial = position
    return form


def next_position(items: list[Any]) -> int:
    return max((item.position for item in items), default=-1) + 1


def build_sections(plan: Plan, content: StageContent) -> list[KindSection]:
    lists: dict[str, list[Any]] = {
        "objective": content.objectives,
        "tactic": content.tactics,
        "kpi": content.kpis,
    }
    return [
        KindSection(kind, groups_for(plan, lists[key]), next_position(lists[key]))
        for key, kind in KINDS.items()
    ]


def worksheet_form(content: StageContent) -> WorksheetForm:
    return WorksheetForm(
        instance=content.worksheet, kpis=content.kpis, prefix=f"ws-{content.stage.value}"
    )


def stage_counts(plan: Plan) -> list[tuple[Stage, int]]:
    """Objectives, tactics and KPIs per stage, for the stage navigation (three queries)."""
    counts = dict.fromkeys(Stage.values, 0)
    for rows in (plan.objectives, plan.tactics, plan.kpis):
        for row in rows.order_by().values("stage").annotate(n=Count("id")):
            counts[row["stage"]] += row["n"]
    return [(stage, counts[stage.value]) for stage in Stage]


def _shown(row: Versioned, name: str) -> str:
    value = getattr(row, name)
    if getattr(value, "deleted_at", None):  # a link to a KPI deleted from the worksheet
        value = None
    display = getattr(row, f"get_{name}_display", None)
    if callable(display):
        value = display()
    return "—" if value is None or value == "" else str(value)


def conflict_rows(current: Versioned, form: VersionedForm) -> list[tuple[str, str]]:
    """Label and current value of each field someone else changed from what this form holds."""
    mine = form.instance
    rows = []
    for name in form.model_fields():
        field = attname(current, name)
        if getattr(current, field) != getattr(mine, field):
            rows.append((str(form.fields[name].label or name), _shown(current, name)))
    return rows
