"""A plan's audit trail, read from django-simple-history: who changed what, field by field.

A page of the history reads only what it shows. The records of the plan, its worksheets,
objectives, tactics and KPIs, and of every kind other features register (`register_kind`), are
merged newest first in one query that reads each kind's trail off an index starting from the
plan, (plan, history_date, history_id) (migration plans/0005), from where the page starts (a
keyset `Position`, never an offset) and no further than a page: other plans' trails and the
older part of the plan's own are never read. Its SQL is written once per shape of page (the
kinds and how many parts each reads), as building it with the ORM took longer than running it.
Then, per kind on the page, one query fetches those records with the one before each of them (to
say what changed), and one query each names the linked KPIs and objectives and finds which
deleted items are still gone.

Actuals hang off KPIs: their kind names the plan's KPIs as its owners (`HistoryKind.owners`),
and each KPI's trail is a part of the query, read off the index on (kpi, history_date,
history_id) (migration kpis/0009).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Value
from django.utils import timezone

from plans.models import KPI, Objective, Plan, StageWorksheet, Tactic
from plans.revisions import content_changed

RESTORABLE = frozenset({"objective", "tactic", "kpi"})
SKIPPED_FIELDS = frozenset({"version", "updated_at", "created_at", "position", "deleted_at"})
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
PAGE_SIZE = 50
# Records read past a page's last change: those that show nothing (only the order moved) are
# left out, and the page should still be full.
SPARE_RECORDS = 10
NEWEST_FIRST = ("-history_date", "-history_id")  # the order of the indexes that start from the plan
# Past this many owners of a kind (KPIs for actuals), one part reads them all and sorts
# their records, rather than one part each (SQLite takes at most 500 parts in a query).
MERGED_OWNERS = 100

Names = dict[str, dict[int, str]]  # names to show for links: "kpi" → {id: name}
NAMED = {"kpi": (KPI, "name"), "objective": (Objective, "title")}


@dataclass(frozen=True)
class HistoryKind:
    """A kind of row whose changes a plan's history shows."""

    key: str  # in URLs and templates: "objective"
    model: type[models.Model]
    title: Callable[[Any, Names], str]  # "Objective “Grow sign-ups” (Act)"
    # The link that never changes, so is never listed as a change; its column starts the index
    # the kind's trail is read off, newest first ("": the plan's own records, by their id).
    owner: str = "plan"
    # The owners whose trails are the plan's, when they are not the plan itself (the actuals:
    # the plan's KPIs), each read off the index on its own.
    owners: Callable[[Plan], Sequence[int]] | None = None
    skipped: frozenset[str] = frozenset()  # fields not worth listing as changes
    shows_created: bool = True  # False: new rows are listed on a page of their own


def _item_title(label: str, text: str) -> Callable[[Any, Names], str]:
    return lambda record, names: f"{label} “{getattr(record, text)}” ({record.get_stage_display()})"


@cache
def history_of(model: Any) -> Any:
    """The manager of a model's history records, which django-simple-history adds at run time.
    Kept: `model.history` makes a new manager class each time it is read (about a millisecond)."""
    return model.history.model._default_manager


KINDS: dict[str, HistoryKind] = {
    kind.key: kind
    for kind in (
        HistoryKind("plan", Plan, lambda record, names: f"Plan “{record.name}”", owner=""),
        HistoryKind(
            "worksheet",
            StageWorksheet,
            lambda record, names: f"{record.get_stage_display()} worksheet",
        ),
        HistoryKind("objective", Objective, _item_title("Objective", "title")),
        HistoryKind("tactic", Tactic, _item_title("Tactic", "title")),
        HistoryKind("kpi", KPI, _item_title("KPI", "name")),
    )
}


def register_kind(kind: HistoryKind) -> None:
    """Show another kind of row in every plan's history (the measuring side's actuals)."""
    KINDS[kind.key] = kind


def _rank(kind: str) -> int:
    """A kind's place among the kinds, which orders records of the same date and id."""
    return list(KINDS).index(kind)


@dataclass(frozen=True, order=True)
class Position:
    """A record's place in the history: newest first is the descending order of these."""

    when: datetime
    history_id: int
    after_kinds: int  # minus the kind's rank: of equal dates and ids, the plan's comes first

    @classmethod
    def of(cls, kind: str, when: datetime, history_id: int) -> Position:
        return cls(when, history_id, -_rank(kind))

    def token(self) -> str:
        """Opaque in a URL: microseconds since the epoch, the id and the kind."""
        micros = round(self.when.timestamp() * 1_000_000)
        text = f"{micros}.{self.history_id}.{-self.after_kinds}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> Position | None:
        """None for anything that is not a token made by `token()`."""
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            micros, history_id, rank = (int(part) for part in text.split("."))
            when = datetime.fromtimestamp(micros / 1_000_000, tz=timezone.get_fixed_timezone(0))
            return cls(when.replace(microsecond=micros % 1_000_000), history_id, -rank)
        except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError, OSError):
            return None


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

    @property
    def position(self) -> Position:
        return Position.of(self.kind, self.when, self.history_id)


@dataclass
class HistoryPage:
    changes: list[Change]  # newest first
    newer: Position | None  # where the page of newer changes starts; None on the newest
    older: Position | None  # where the page of older changes starts; None on the oldest


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


@cache
def _compared_fields(kind: HistoryKind) -> list[tuple[models.Field, str, str]]:
    """The fields whose changes are listed: (field, label, model name of a linked row)."""
    skipped = SKIPPED_FIELDS | kind.skipped | {kind.owner}
    tracked = {f.name for f in history_of(kind.model).model._meta.concrete_fields}
    fields = []
    for f in kind.model._meta.concrete_fields:
        if f.name in skipped or f.primary_key or f.name not in tracked:  # e.g. content_revision
            continue
        target: Any = f.related_model  # a model class once the app registry is ready
        fields.append(
            (f, str(f.verbose_name).capitalize(), target._meta.model_name if target else "")
        )
    return fields


def _field_changes(kind: HistoryKind, before: Any, record: Any, names: Names) -> list[FieldChange]:
    changes = []
    for f, label, linked in _compared_fields(kind):
        if getattr(before, f.attname) == getattr(record, f.attname):
            continue  # most fields of a record: nothing to show, nothing to format
        lookup = names.get(linked, {})
        old, new = _display(before, f, lookup), _display(record, f, lookup)
        if old != new:
            changes.append(FieldChange(label, old, new))
    return changes


# --- reading a page ---------------------------------------------------------------------------


def _table(kind: HistoryKind) -> str:
    return connection.ops.quote_name(history_of(kind.model).model._meta.db_table)


@lru_cache(maxsize=256)
def _nearest_sql(
    parts: tuple[tuple[str, int], ...], from_start: bool, older: bool, count: int
) -> str:
    """The SQL of `_nearest` for one shape of page: its parts as (kind, how many owners the
    part reads; one part an owner but past `MERGED_OWNERS`), from a position or the newest, in
    the direction read. Written once per shape, as the ORM took longer to build the query on
    every page than the database took to run it."""
    way, than = ("DESC", "<") if older else ("ASC", ">")
    selects = []
    for number, (key, owners) in enumerate(parts):
        kind = KINDS[key]
        column = f"{kind.owner}_id" if kind.owner else "id"
        owned = f"{column} = %s" if owners == 1 else f"{column} IN ({', '.join(['%s'] * owners)})"
        shown = "" if kind.shows_created else " AND history_type <> '+'"
        # A range of the index on (owner, history_date, history_id), cut to the id at the
        # start's date; the id bound comes with its kind's tie-break already applied.
        beyond = (
            f" AND history_date {than}= %s AND (history_date {than} %s OR history_id {than} %s)"
            if from_start
            else ""
        )
        columns = "history_date, history_id, kind_rank"
        selects.append(
            f"SELECT {columns} FROM (SELECT history_date, history_id, {_rank(key)} AS kind_rank"  # noqa: S608
            f" FROM {_table(kind)} WHERE {owned}{shown}{beyond}"
            f" ORDER BY history_date {way}, history_id {way} LIMIT {count}) AS part{number}"
        )
    # Of equal dates and ids, the plan's record comes first.
    tie = "ASC" if older else "DESC"
    return (
        " UNION ALL ".join(selects)
        + f" ORDER BY history_date {way}, history_id {way}, kind_rank {tie} LIMIT {count}"
    )


def _beyond(kind: str, start: Position, older: bool) -> list[Any]:
    """The parameters that cut a kind's part to the records past `start` in the direction read:
    of the same date and id as `start`, a record of another kind is past it when its kind comes
    later among the kinds (reading older) or earlier (reading newer)."""
    when = connection.ops.adapt_datetimefield_value(start.when)
    if older:
        equal_too = -_rank(kind) < start.after_kinds
        return [when, when, start.history_id + 1 if equal_too else start.history_id]
    equal_too = -_rank(kind) > start.after_kinds
    return [when, when, start.history_id - 1 if equal_too else start.history_id]


def _nearest(plan: Plan, start: Position | None, older: bool, count: int) -> list[tuple[str, int]]:
    """The `count` records of every kind nearest `start` in the direction read, nearest first,
    as (kind, history id): one query, each part a range of an index that starts from the plan
    (or one of its KPIs), cut to `count`."""
    parts: list[tuple[str, int]] = []
    params: list[Any] = []
    for key, kind in KINDS.items():
        owners = [plan.pk] if kind.owners is None else list(kind.owners(plan))
        beyond = [] if start is None else _beyond(key, start, older)
        groups = [owners] if len(owners) > MERGED_OWNERS else [[owner] for owner in owners]
        for group in groups:
            parts.append((key, len(group)))
            params += [*group, *beyond]
    with connection.cursor() as cursor:
        cursor.execute(_nearest_sql(tuple(parts), start is not None, older, count), params)
        merged = cursor.fetchall()
    kinds = list(KINDS)
    return [(kinds[rank], history_id) for _when, history_id, rank in merged]


@cache
def _with_previous_sql(model: type[models.Model]) -> str:
    """The SQL of `_with_previous` for a kind: written once, as the ORM took longer to build
    it on every page than the database took to run it."""
    history = history_of(model).model
    table = connection.ops.quote_name(history._meta.db_table)
    users = connection.ops.quote_name(get_user_model()._meta.db_table)  # who made each record

    def previous(of: str) -> str:  # the record of the same row just before record `of`
        return (
            f"SELECT p.history_id FROM {table} p WHERE p.id = {of}.id"  # noqa: S608
            f" AND p.history_date <= {of}.history_date AND (p.history_date < {of}.history_date"
            f" OR p.history_id < {of}.history_id)"
            " ORDER BY p.history_date DESC, p.history_id DESC LIMIT 1"
        )

    return (
        f"SELECT r.*, u.username AS made_by, ({previous('r')}) AS previous_id"  # noqa: S608
        f" FROM {table} r LEFT JOIN {users} u ON u.id = r.history_user_id"
        f" WHERE r.history_id IN (SELECT s.history_id FROM {table} s WHERE s.history_id IN (IDS)"
        f" UNION ALL SELECT ({previous('s')}) FROM {table} s WHERE s.history_id IN (IDS))"
    )


def _with_previous(kind: HistoryKind, history_ids: list[int]) -> dict[int, Any]:
    """The records `history_ids` of a kind and the record of the same row before each of them,
    by history id, in one query; each knows the one before it by `previous_id`, and its
    author by `made_by`."""
    sql = _with_previous_sql(kind.model).replace("IDS", ", ".join(["%s"] * len(history_ids)))
    records = history_of(kind.model).raw(sql, [*history_ids, *history_ids])
    return {record.history_id: record for record in records}


@cache
def _links(kind: HistoryKind) -> list[tuple[str, str]]:
    """The fields of a kind that link to named rows: (attname, "kpi" or "objective")."""
    links = []
    for f in kind.model._meta.concrete_fields:
        target: Any = f.related_model
        if target is not None and target._meta.model_name in NAMED:
            links.append((f.attname, str(target._meta.model_name)))
    return links


def _names(records: dict[str, dict[int, Any]]) -> Names:
    """The names of the KPIs and objectives the records link to, as each was first recorded,
    in one query."""
    wanted: dict[str, set[int]] = {key: set() for key in NAMED}
    for key, of_kind in records.items():
        for attname, linked in _links(KINDS[key]):
            wanted[linked].update(getattr(record, attname) for record in of_kind.values())
    selects: list[str] = []
    params: list[Any] = []
    for key, (model, attribute) in NAMED.items():
        ids = sorted(wanted[key] - {None})
        if ids:
            table = connection.ops.quote_name(history_of(model).model._meta.db_table)
            marks = ", ".join(["%s"] * len(ids))
            first = f"SELECT MIN(history_id) FROM {table} WHERE id IN ({marks}) GROUP BY id"  # noqa: S608
            named = f"SELECT %s, id, {attribute} FROM {table}"  # noqa: S608
            selects.append(f"{named} WHERE history_id IN ({first})")
            params += [key, *ids]
    names: Names = {key: {} for key in NAMED}
    if selects:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for key, pk, name in cursor.fetchall():
                names[key][pk] = name
    return names


def _still_there(plan: Plan, deleted: dict[str, set[int]]) -> dict[str, set[int]]:
    """Which of the deleted objectives, tactics and KPIs are back (or were never gone), in one
    query: the others can be restored."""
    managers: dict[str, models.Manager[Any]] = {
        "objective": plan.objectives,
        "tactic": plan.tactics,
        "kpi": plan.kpis,
    }
    rows = [
        managers[key]
        .filter(pk__in=ids)
        .order_by()
        .annotate(kind=Value(key))
        .values_list("kind", "pk")
        for key, ids in deleted.items()
        if key in managers and ids
    ]
    alive: dict[str, set[int]] = {key: set() for key in managers}
    for key, pk in rows[0].union(*rows[1:], all=True) if rows else []:
        alive[key].add(pk)
    return alive


def _change(kind: HistoryKind, record: Any, before: Any, names: Names) -> Change | None:
    """What a record shows, or None when nothing worth listing changed."""
    restored = record.history_type == "+" and before is not None  # created again
    change = Change(
        kind=kind.key,
        history_id=record.history_id,
        object_id=record.id,
        when=record.history_date,
        who=record.made_by or "system",
        action="restored" if restored else ACTIONS.get(record.history_type, "changed"),
        title=kind.title(record, names),
    )
    if record.history_type == "~" and before is not None:
        change.changes = _field_changes(kind, before, record, names)
        if not change.changes:
            return None  # only the version or the order moved
    change.no_baseline = record.history_type == "~" and before is None
    return change


def history_page(
    plan: Plan, *, start: Position | None = None, older: bool = True, size: int = PAGE_SIZE
) -> HistoryPage:
    """A page of the changes to the plan and everything in it, newest first: the newest, or
    the `size` changes just older (or newer) than `start`."""
    count = size + SPARE_RECORDS
    nearest = _nearest(plan, start, older, count)
    wanted: dict[str, list[int]] = {}
    for key, history_id in nearest:
        wanted.setdefault(key, []).append(history_id)
    records = {key: _with_previous(KINDS[key], ids) for key, ids in wanted.items()}
    names = _names(records)
    changes = []
    for key, history_id in nearest:
        record = records[key][history_id]
        change = _change(KINDS[key], record, records[key].get(record.previous_id), names)
        if change is not None:
            changes.append(change)
    shown = changes[:size]
    deleted: dict[str, set[int]] = {}
    for change in shown:
        if change.action == "deleted" and change.kind in RESTORABLE:
            deleted.setdefault(change.kind, set()).add(change.object_id)
    alive = _still_there(plan, deleted)
    for change in shown:
        gone = change.object_id not in alive.get(change.kind, set())
        change.restorable = change.action == "deleted" and change.kind in RESTORABLE and gone
    # Onward: past the last change shown, or past the records read when a page's worth of
    # them showed fewer changes than a page; none when nothing lies beyond.
    onward = None
    if len(changes) > size:
        onward = shown[-1].position
    elif len(nearest) == count:
        key, history_id = nearest[-1]
        onward = Position.of(key, records[key][history_id].history_date, history_id)
    back = None if start is None else (shown[0].position if shown else start)
    if older:
        return HistoryPage(shown, newer=back, older=onward)
    return HistoryPage(shown[::-1], newer=onward, older=back)


def plan_changes(plan: Plan, *, size: int = PAGE_SIZE) -> list[Change]:
    """The newest changes to the plan and everything in it, newest first."""
    return history_page(plan, size=size).changes


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
