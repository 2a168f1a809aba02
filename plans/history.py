"""A plan's audit trail, read from django-simple-history: who changed what, field by field.

The records of the plan, its worksheets, its objectives, tactics and KPIs, and of every kind
other features register (`register_kind`) are fetched in one query per kind; old → new values come from
pairing each record with the one before it in Python, so the page costs the same whatever the
length of the trail.

Each kind starts from the plan: an index on (plan, history_date, history_id) (migration
plans/0005) gives its newest records without reading other plans' trails, or more of the plan's
own than the page lists. Actuals hang off KPIs: their kind first reads the plan's KPI ids, then
their records by KPI, so a small plan beside a plan with a long trail reads only its own rows
(a plan with a long trail of actuals reads and sorts all of them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from plans.models import KPI, Objective, Plan, StageWorksheet, Tactic
from plans.revisions import content_changed

RESTORABLE = frozenset({"objective", "tactic", "kpi"})
SKIPPED_FIELDS = frozenset({"version", "updated_at", "created_at", "position", "deleted_at"})
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
MAX_RECORDS = 500  # per kind; the page shows the newest changes
MAX_CHANGES = 500
NEWEST_FIRST = ("-history_date", "-history_id")

Names = dict[str, dict[int, str]]  # names to show for links: "kpi" → {id: name}


@dataclass(frozen=True)
class HistoryKind:
    """A kind of row whose changes a plan's history shows."""

    key: str  # in URLs and templates: "objective"
    model: type[models.Model]
    records: Callable[[Plan], models.QuerySet[Any]]  # the plan's history records of this kind
    title: Callable[[Any, Names], str]  # "Objective “Grow sign-ups” (Act)"
    owner: str = "plan"  # the link that never changes, so is never listed as a change
    skipped: frozenset[str] = frozenset()  # fields not worth listing as changes
    shows_created: bool = True  # False: new rows are listed on a page of their own


def _item_title(label: str, text: str) -> Callable[[Any, Names], str]:
    return lambda record, names: f"{label} “{getattr(record, text)}” ({record.get_stage_display()})"


def history_of(model: Any) -> Any:
    """A model's history manager, which django-simple-history adds at run time."""
    return model.history


def _of_plan(model: Any) -> Callable[[Plan], models.QuerySet[Any]]:
    return lambda plan: history_of(model).filter(plan_id=plan.pk)


KINDS: dict[str, HistoryKind] = {
    kind.key: kind
    for kind in (
        HistoryKind(
            "plan",
            Plan,
            lambda plan: history_of(Plan).filter(id=plan.pk),
            lambda record, names: f"Plan “{record.name}”",
            owner="",
        ),
        HistoryKind(
            "worksheet",
            StageWorksheet,
            _of_plan(StageWorksheet),
            lambda record, names: f"{record.get_stage_display()} worksheet",
        ),
        HistoryKind("objective", Objective, _of_plan(Objective), _item_title("Objective", "title")),
        HistoryKind("tactic", Tactic, _of_plan(Tactic), _item_title("Tactic", "title")),
        HistoryKind("kpi", KPI, _of_plan(KPI), _item_title("KPI", "name")),
    )
}


def register_kind(kind: HistoryKind) -> None:
    """Show another kind of row in every plan's history (the measuring side's actuals)."""
    KINDS[kind.key] = kind


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    kind: str
    history_id: int
    object_id: int
    when: datetime
    who: str
    action: str
    title: str
    changes: list[FieldChange] = field(default_factory=list)
    restorable: bool = False
    no_baseline: bool = False  # a change whose earlier state was never recorded


def _display(record: Any, model_field: models.Field, names: dict[int, str]) -> str:
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return names.get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 250.0000 → 250
    return str(value)


def _records(kind: HistoryKind, plan: Plan) -> list[Any]:
    records = kind.records(plan).select_related("history_user")
    return list(records.order_by(*NEWEST_FIRST)[:MAX_RECORDS])


def _field_changes(kind: HistoryKind, before: Any, record: Any, names: Names) -> list[FieldChange]:
    changes = []
    skipped = SKIPPED_FIELDS | kind.skipped | {kind.owner}
    for f in kind.model._meta.concrete_fields:
        if f.name in skipped or f.primary_key:
            continue
        target = getattr(f, "related_model", None)
        lookup = names.get(target._meta.model_name, {}) if target else {}
        old, new = _display(before, f, lookup), _display(record, f, lookup)
        if old != new:
            changes.append(FieldChange(str(f.verbose_name).capitalize(), old, new))
    return changes


def _changes_of(
    kind: HistoryKind, records: list[Any], names: Names, alive: set[int]
) -> list[Change]:
    out = []
    previous: dict[int, Any] = {}
    for record in reversed(records):  # oldest first, so each meets the one before it
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "+" and not kind.shows_created:
            continue
        restored = record.history_type == "+" and before is not None  # created again
        change = Change(
            kind=kind.key,
            history_id=record.history_id,
            object_id=record.id,
            when=record.history_date,
            who=str(record.history_user or "system"),
            action="restored" if restored else ACTIONS.get(record.history_type, "changed"),
            title=kind.title(record, names),
        )
        if record.history_type == "~" and before is not None:
            change.changes = _field_changes(kind, before, record, names)
            if not change.changes:
                continue  # only the version or the order moved
        change.no_baseline = record.history_type == "~" and before is None
        change.restorable = (
            record.history_type == "-" and kind.key in RESTORABLE and record.id not in alive
        )
        out.append(change)
    return out


def plan_changes(plan: Plan, *, limit: int = MAX_CHANGES) -> list[Change]:
    """The newest changes to the plan and everything in it, newest first."""
    per_kind = {key: _records(kind, plan) for key, kind in KINDS.items()}
    # Names to show for links between rows (an objective's KPI, a tactic's objective ...).
    names: Names = {
        "kpi": {r.id: r.name for r in per_kind["kpi"]},
        "objective": {r.id: r.title for r in per_kind["objective"]},
    }
    alive = _alive(plan)
    out: list[Change] = []
    for key, records in per_kind.items():
        out.extend(_changes_of(KINDS[key], records, names, alive.get(key, set())))
    out.sort(key=lambda c: (c.when, c.history_id), reverse=True)
    return out[:limit]


def _alive(plan: Plan) -> dict[str, set[int]]:
    """The plan's objectives, tactics and KPIs still there (the others can be restored), in
    one query."""
    kinds: list[tuple[str, models.Manager[Any]]] = [
        ("objective", plan.objectives),
        ("tactic", plan.tactics),
        ("kpi", plan.kpis),
    ]
    rows = [
        manager.order_by().annotate(kind=models.Value(key)).values_list("kind", "pk")
        for key, manager in kinds
    ]
    alive: dict[str, set[int]] = {key: set() for key, _ in kinds}
    for key, pk in rows[0].union(*rows[1:], all=True):
        alive[key].add(pk)
    return alive


class RestoreError(Exception):
    """The deleted row cannot come back as it was; the message says why."""


def restore(plan: Plan, kind: str, history_id: int) -> KPI | Objective | Tactic:
    """Bring back a deleted objective, tactic or KPI of `plan` from its deletion record.

    A KPI deleted from the worksheet comes back with its actuals and the links to it, which
    stayed in place. Links from a restored objective or tactic to rows that are gone since are
    left empty. LookupError when there is no such deletion record in this plan; RestoreError
    when it cannot be restored.
    """
    if kind not in RESTORABLE:
        raise LookupError(kind)
    model = KINDS[kind].model
    record = (
        history_of(model).filter(history_id=history_id, plan_id=plan.pk, history_type="-").first()
    )
    if record is None:
        raise LookupError(history_id)
    if model._default_manager.filter(pk=record.id).exists():
        raise RestoreError("It has been restored already.")
    item: Any = record.instance
    # A KPI deleted from the worksheet is still there, hidden: the link waits for its restore.
    kpi_id = item.kpi_id if kind == "objective" else None
    if kpi_id and not KPI.with_deleted.filter(plan=plan, pk=kpi_id).exists():
        item.kpi = None
    objective_id = item.objective_id if kind == "tactic" else None
    if objective_id and not plan.objectives.filter(pk=objective_id).exists():
        item.objective = None
    if kind == "kpi" and plan.kpis.filter(name=item.name).exists():
        raise RestoreError(
            f"The plan has another KPI named “{item.name}” now; rename that one first."
        )
    marked_deleted = None
    if kind == "kpi":
        marked_deleted = KPI.with_deleted.filter(pk=item.pk).first()
        item.deleted_at = None
    try:
        with transaction.atomic():
            if marked_deleted is None:
                item.version += 1
                item.save(force_insert=True)
            else:  # the row is still there: write the recorded values back, unmarked
                item.version = marked_deleted.version + 1
                item.save_without_historical_record(force_update=True)
                _write_record(item, "+", when=timezone.now())
    except IntegrityError as error:  # a race with another restore or a new KPI of that name
        raise RestoreError("It could not be restored; reload the history and try again.") from error
    return item


def delete_item(item: models.Model) -> None:
    """Delete an objective, tactic or KPI from the worksheet.

    A KPI is only marked deleted: its actuals, the objectives measured by it and the stage's
    funnel volume keep pointing at it, unseen, since `KPI.objects` leaves it out. So deleting
    costs one UPDATE and one history record however much hangs on the KPI, and a restore
    brings all of it back.
    """
    if not isinstance(item, KPI):
        item.delete()
        return
    item.deleted_at = timezone.now()
    item.version += 1
    with transaction.atomic(savepoint=False):
        KPI.with_deleted.filter(pk=item.pk).update(deleted_at=item.deleted_at, version=item.version)
        _write_record(item, "-", when=item.deleted_at)
        content_changed([item.plan_id])  # update() sends no signals


def _write_record(row: models.Model, history_type: str, *, when: datetime) -> None:
    """The audit record of a change made without Model.save() or delete()."""
    record = row.history.model  # type: ignore[attr-defined]
    record.objects.create(
        history_type=history_type,
        history_date=when,
        history_user=record.get_default_history_user(row),
        **{f.attname: getattr(row, f.attname) for f in record.tracked_fields},
    )
