"""What the worksheet shows and how its rows move: audience groups, forms, order, counts.

The page builds everything from the lists `load_stages` fetched; the fragments fetch only the
one list they need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from plans.extensions import KPIReading
from plans.models import KPI, Audience, ItemAudience, Objective, Plan, Stage, StageWorksheet, Tactic
from plans.presets import StagePreset
from plans.revisions import content_changed
from plans.versioning import CLASHED
from plans.worksheet.content import StageContent
from plans.worksheet.forms import ITEM_FORMS, StageItemForm, WorksheetForm

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
        if self.model is KPI:  # whether objectives show its name (in the same query)
            rows = rows.annotate(measures=Exists(Objective.objects.filter(kpi=OuterRef("pk"))))
        return rows.filter(plan=plan) if plan is not None else rows

    def siblings(self, plan: Plan, stage: str, group: str) -> list[Item]:
        rows = self.queryset(plan).filter(stage=stage)
        if plan.audience == Audience.BOTH:
            rows = rows.filter(audience=group)
        return list(rows.order_by("position", "id"))

    def move(self, item: Item, *, up: bool, plan: Plan) -> None:
        """Swap the row with its neighbour above or below; the list is numbered 0, 1, 2 … again.

        Only `position` changes: the row's version stays, so open edit forms are not made stale.
        """
        with transaction.atomic(savepoint=False):  # no other move in between read and write
            rows = self.siblings(plan, item.stage, group_of(plan, item))
            index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
            other = index - 1 if up else index + 1
            if 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
            for position, row in enumerate(rows):
                row.position = position
            self.model._default_manager.bulk_update(rows, ["position"])  # type: ignore[arg-type]
            content_changed([plan.pk])  # bulk_update sends no signals

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
    on_track: int | None = None  # of the KPIs, when something reads them

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


def add_item(form: StageItemForm, plan: Plan, stage: str) -> Item | None:
    """Save the form's new row in the stage, where the form says (the end of its list); None,
    with the form's error, when a KPI of that name was added a moment before."""
    item: Item = form.save(commit=False)
    item.plan, item.stage, item.position = plan, stage, form.cleaned_data.get("position") or 0
    try:
        with transaction.atomic(savepoint=False):  # the row and its audit record
            item.save()
    except IntegrityError:
        form.add_error(None, CLASHED)
        return None
    return item


def edit_form_for(plan: Plan, item: Item) -> Callable[[Any, Item], StageItemForm]:
    """What `versioning.edit` builds the form of an existing row with (its choices loaded once)."""
    kind = item_kind_of(item).key
    choices = choices_for(plan, kind, item.stage)
    return lambda data, row: item_form(plan, kind, row.stage, data, choices=choices, instance=row)


def item_kind_of(item: Item) -> ItemKind:
    return next(kind for kind in KINDS.values() if isinstance(item, kind.model))


def stage_notes_form(
    worksheet: StageWorksheet, data: Any = None, *, kpis: list[KPI]
) -> WorksheetForm:
    return WorksheetForm(data, instance=worksheet, kpis=kpis, prefix=f"ws-{worksheet.stage}")


def next_position(items: list[Any]) -> int:
    return max((item.position for item in items), default=-1) + 1


@dataclass
class StagePage:
    """A stage as the worksheet shows it: its notes (a form for editors) and its item lists."""

    stage: Stage
    worksheet: StageWorksheet
    presets: list[tuple[str, StagePreset]]
    sections: list[KindSection]
    form: WorksheetForm | None


def on_track(kpi_ids: list[int], readings: dict[int, KPIReading]) -> int | None:
    """How many of the KPIs are on track; None when nothing reads KPIs (no status to count)."""
    if not readings:
        return None
    return sum(1 for pk in kpi_ids if (found := readings.get(pk)) and found.on_track)


def stage_page(
    plan: Plan, content: StageContent, *, editable: bool, readings: dict[int, KPIReading]
) -> StagePage:
    lists: dict[str, list[Any]] = {
        "objective": content.objectives,
        "tactic": content.tactics,
        "kpi": content.kpis,
    }
    sections = [
        KindSection(kind, groups_for(plan, lists[key]), next_position(lists[key]))
        for key, kind in KINDS.items()
    ]
    sections[-1].on_track = on_track([kpi.pk for kpi in content.kpis], readings)
    form = stage_notes_form(content.worksheet, kpis=content.kpis) if editable else None
    return StagePage(content.stage, content.worksheet, content.presets, sections, form)


@dataclass(frozen=True)
class SectionCount:
    stage: str
    kind: ItemKind
    count: int
    on_track: int | None = None


def stage_counts(
    plan: Plan, readings: dict[int, KPIReading]
) -> tuple[list[tuple[Stage, int]], list[SectionCount]]:
    """Items per stage for the stage navigation, and per stage and kind for the section
    headings, with the KPIs on track (three queries)."""
    counts = {(stage, key): 0 for stage in Stage.values for key in KINDS}
    for key in ("objective", "tactic"):
        rows = KINDS[key].model._default_manager.filter(plan=plan).order_by()
        for row in rows.values("stage").annotate(n=Count("id")):
            counts[row["stage"], key] = row["n"]
    kpis: dict[str, list[int]] = {stage: [] for stage in Stage.values}
    for pk, stage in plan.kpis.order_by().values_list("pk", "stage"):
        kpis[stage].append(pk)
        counts[stage, "kpi"] += 1
    nav = [(stage, sum(counts[stage.value, key] for key in KINDS)) for stage in Stage]
    sections = [
        SectionCount(
            stage, KINDS[key], n, on_track(kpis[stage], readings) if key == "kpi" else None
        )
        for (stage, key), n in counts.items()
    ]
    return nav, sections
