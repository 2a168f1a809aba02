"""A plan's audit trail, read from django-simple-history: who changed what, field by field.

The records of the plan, its worksheets, its objectives, tactics and KPIs, and the corrections
and deletions of its actuals are fetched in one query per model; old → new values come from
pairing each record with the one before it in Python, so the page costs the same whatever the
length of the trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from plans.models import KPI, Objective, Plan, StageWorksheet, Tactic, measurement_model

# Models whose history the page shows, by the `kind` used in URLs.
TRACKED: dict[str, type[models.Model]] = {
    "plan": Plan,
    "worksheet": StageWorksheet,
    "objective": Objective,
    "tactic": Tactic,
    "kpi": KPI,
}
RESTORABLE = frozenset({"objective", "tactic", "kpi"})
SKIPPED_FIELDS = frozenset(
    {"version", "updated_at", "created_at", "position", "recorded_at", "recorded_by", "deleted_at"}
)
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
MAX_RECORDS = 500  # per model; the page shows the newest changes
MAX_CHANGES = 500


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


def _title(kind: str, record: Any, names: dict[str, dict[int, str]]) -> str:
    if kind == "actual":
        kpi = names["kpi"].get(record.kpi_id, "a KPI")
        return f"Actual of “{kpi}” for {record.date:%-d %b %Y}"
    if kind == "plan":
        return f"Plan “{record.name}”"
    if kind == "worksheet":
        return f"{record.get_stage_display()} worksheet"
    label = {"objective": "Objective", "tactic": "Tactic", "kpi": "KPI"}[kind]
    text = record.name if kind == "kpi" else record.title
    return f"{label} “{text}” ({record.get_stage_display()})"


def plan_changes(plan: Plan, *, limit: int = MAX_CHANGES) -> list[Change]:
    """The newest changes to the plan and everything in it, newest first."""
    shown = {**TRACKED, "actual": measurement_model()}
    per_kind: dict[str, list[Any]] = {}
    for kind, model in shown.items():
        manager = model.history
        if kind == "plan":
            records = manager.filter(id=plan.pk)
        elif kind == "actual":  # by way of the plan's KPIs, deleted ones included
            records = manager.filter(kpi_id__in=KPI.history.filter(plan_id=plan.pk).values("id"))
        else:
            records = manager.filter(plan_id=plan.pk)
        per_kind[kind] = list(
            records.select_related("history_user").order_by("-history_date", "-history_id")[
                :MAX_RECORDS
            ]
        )
    # Names to show for links between rows (an objective's KPI, a tactic's objective ...).
    names: dict[str, dict[int, str]] = {
        "kpi": {r.id: r.name for r in per_kind["kpi"]},
        "objective": {r.id: r.title for r in per_kind["objective"]},
    }
    alive = {
        "objective": set(plan.objectives.values_list("pk", flat=True)),
        "tactic": set(plan.tactics.values_list("pk", flat=True)),
        "kpi": set(plan.kpis.values_list("pk", flat=True)),
    }
    # New actuals are listed on the actuals page; here only their corrections and deletions.
    out: list[Change] = []
    for kind, records in per_kind.items():
        model = shown[kind]
        owner = "kpi" if kind == "actual" else "plan"  # the link that never changes
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.name not in SKIPPED_FIELDS and not f.primary_key and f.name != owner
        ]
        previous: dict[int, Any] = {}
        for record in reversed(records):  # oldest first, so each meets the one before it
            before = previous.get(record.id)
            previous[record.id] = record
            if kind == "actual" and record.history_type == "+":
                continue
            change = Change(
                kind=kind,
                history_id=record.history_id,
                object_id=record.id,
                when=record.history_date,
                who=str(record.history_user or "system"),
                # created again after a deletion: a restore
                action="restored"
                if record.history_type == "+" and before is not None
                else ACTIONS.get(record.history_type, record.history_type),
                title=_title(kind, record, names),
            )
            if record.history_type == "~" and before is not None:
                for f in fields:
                    target = getattr(f, "related_model", None)
                    lookup = names.get(target._meta.model_name, {}) if target else {}
                    old, new = _display(before, f, lookup), _display(record, f, lookup)
                    if old != new:
                        change.changes.append(
                            FieldChange(str(f.verbose_name).capitalize(), old, new)
                        )
                if not change.changes:
                    continue  # only the version or the order moved
            change.no_baseline = record.history_type == "~" and before is None
            change.restorable = (
                record.history_type == "-" and kind in RESTORABLE and record.id not in alive[kind]
            )
            out.append(change)
    out.sort(key=lambda c: (c.when, c.history_id), reverse=True)
    return out[:limit]


class RestoreError(Exception):
    """The deleted row cannot come back as it was; the message says why."""


def restore(plan: Plan, kind: str, history_id: int) -> models.Model:
    """Bring back a deleted objective, tactic or KPI of `plan` from its deletion record.

    A KPI deleted from the worksheet comes back with its actuals and the links to it, which
    stayed in place. Links from a restored objective or tactic to rows that are gone since are
    left empty. LookupError when there is no such deletion record in this plan; RestoreError
    when it cannot be restored.
    """
    if kind not in RESTORABLE:
        raise LookupError(kind)
    model = TRACKED[kind]
    record = model.history.filter(  # type: ignore[attr-defined]
        history_id=history_id, plan_id=plan.pk, history_type="-"
    ).first()
    if record is None:
        raise LookupError(history_id)
    if model._default_manager.filter(pk=record.id).exists():
        raise RestoreError("It has been restored already.")
    item = record.instance
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


def _write_record(row: models.Model, history_type: str, *, when: datetime) -> None:
    """The audit record of a change made without Model.save() or delete()."""
    record = row.history.model  # type: ignore[attr-defined]
    record.objects.create(
        history_type=history_type,
        history_date=when,
        history_user=record.get_default_history_user(row),
        **{f.attname: getattr(row, f.attname) for f in record.tracked_fields},
    )
