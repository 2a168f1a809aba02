"""Saving edits without losing anyone else's.

Every editable row carries `version`. A form remembers the version it was opened at; saving
writes the row only if the version in the database is still that one (a conditional UPDATE, so
two saves racing each other cannot both win). A refused save leaves the row untouched and the
caller shows the current values next to the user's input.
"""

from collections.abc import Iterable
from typing import TypeVar

from django.db import router
from django.db.models import F, Field, Model
from django.db.models.signals import post_save
from django.utils import timezone

from plans.models import Versioned

V = TypeVar("V", bound=Versioned)


def attname(row: Model, name: str) -> str:
    """The attribute that holds a field's value on a row ("kpi" → "kpi_id")."""
    field = row._meta.get_field(name)
    return field.attname if isinstance(field, Field) else name


def save_if_unchanged(obj: Versioned, *, expected_version: int, fields: Iterable[str]) -> bool:
    """Write `fields` of `obj` if its row is still at `expected_version`; False when it is not.

    On success `obj.version` is the new version and the audit trail has a record of the change.
    """
    if obj.version != expected_version:
        return False  # the row we loaded is already newer than the form: no need to try
    model = type(obj)
    values = {name: getattr(obj, attname(obj, name)) for name in fields}
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            setattr(obj, field.attname, timezone.now())
            values[field.name] = getattr(obj, field.attname)
    using = router.db_for_write(model, instance=obj)
    updated = (
        model._default_manager.using(using)
        .filter(pk=obj.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if not updated:
        return False
    obj.version = expected_version + 1
    # The row was written by an UPDATE statement, not Model.save(): tell the receivers (the
    # audit trail among them) that it was saved, exactly as save() would have.
    post_save.send(
        sender=model,
        instance=obj,
        created=False,
        update_fields=frozenset(values) | {"version"},
        raw=False,
        using=using,
    )
    return True


def changed_fields(current: Versioned, mine: Versioned, fields: Iterable[str]) -> list[str]:
    """The fields whose value differs between the row as it is now and the user's edit."""
    return [
        name
        for name in fields
        if getattr(current, attname(current, name)) != getattr(mine, attname(mine, name))
    ]
