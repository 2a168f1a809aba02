"""Saving edits without losing anyone else's.

Every editable row carries `version`. A form remembers the version it was opened at; saving
writes the row only if the version in the database is still that one (a conditional UPDATE, so
two saves racing each other cannot both win). A refused save leaves the row untouched and the
caller shows the current values next to the user's input: `edit()` is that whole flow, for
every form of an editable row.
"""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import F, Model
from django.db.models.signals import post_save
from django.forms.models import construct_instance
from django.http import Http404, QueryDict
from django.utils import timezone

from plans.models import Versioned
from race_planner.forms import WholeNumberField
from race_planner.numbers import explain_limits

V = TypeVar("V", bound=Versioned)


def attname(row: Model, name: str) -> str:
    """The attribute that holds a field's value on a row ("kpi" → "kpi_id")."""
    return next((f.attname for f in row._meta.concrete_fields if f.name == name), name)


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
    with transaction.atomic(using=using, savepoint=False):  # the change and its audit record
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


class VersionedForm(forms.ModelForm):
    """A model form that remembers which version of the row it was built from."""

    version = WholeNumberField(widget=forms.HiddenInput, min_value=1)
    # Links chosen from rows the caller loaded for the select, all of this plan: the model's
    # own check that they exist would cost one more query each.
    picked_links: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False
        for form_field in self.fields.values():
            explain_limits(form_field)

    @property
    def expected_version(self) -> int:
        return int(self.cleaned_data["version"])

    def _post_clean(self) -> None:
        """ModelForm's own, without the model's constraint checks: Django runs one query per
        check constraint there. The forms check the same rules in Python (choices, budgets,
        dates, KPI names); the database constraints stay as the last line."""
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]
        try:
            exclude = self._get_validation_exclusions()  # type: ignore[attr-defined]
            self.instance.full_clean(
                exclude={*exclude, *self.picked_links},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]

    def model_fields(self) -> list[str]:
        return [name for name in self._meta.fields or [] if name != "version"]

    def show_current_version(self, version: int) -> None:
        """After a conflict: keep the user's input, but let a second save replace the newer row."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix("version")] = str(version)
        self.data = data


def _shown(row: Versioned, name: str) -> str:
    value = getattr(row, name)
    if getattr(value, "deleted_at", None):  # a link to a KPI deleted from the worksheet
        value = None
    display = getattr(row, f"get_{name}_display", None)
    if callable(display):
        value = display()
    if isinstance(value, Decimal):
        value = f"{value.normalize():f}"  # 130, not 130.0000
    return "—" if value is None or value == "" else str(value)


def conflict_rows(current: Versioned, form: VersionedForm) -> list[tuple[str, str]]:
    """Label and current value of each field someone else changed from what this form holds."""
    mine = form.instance
    rows = []
    for name in form.model_fields():
        if name not in form.fields:
            continue  # set by the form itself (e.g. a value's source), not typed by anyone
        field = attname(current, name)
        if getattr(current, field) != getattr(mine, field):
            rows.append((str(form.fields[name].label or name), _shown(current, name)))
    return rows


def read_again(row: Model) -> None:
    """The row as the save that won left it; 404 when that was a delete."""
    try:
        row.refresh_from_db()
    except ObjectDoesNotExist:
        raise Http404("It was deleted meanwhile") from None
    if getattr(row, "deleted_at", None):
        raise Http404("It was deleted meanwhile")


@dataclass
class Edit(Generic[V]):
    """What became of an edit: saved, refused as invalid, or refused as a conflict."""

    form: VersionedForm
    row: V  # as saved; or as it is in the database now (the form holds the user's input)
    saved: bool = False
    conflict: list[tuple[str, str]] | None = None  # someone else's values, when they won

    @property
    def context(self) -> dict[str, Any]:
        """What the conflict box and the form show."""
        conflicted = self.conflict is not None
        return {"form": self.form, "conflict": self.conflict or [], "conflicted": conflicted}


CLASHED = (
    "Not saved: someone saved something with the same name or on the same day a moment ago. "
    "Your input is still here; check it and save again."
)


def edit(row: V, make_form: Callable[[Any, V], VersionedForm], data: Any) -> Edit[V]:
    """Validate `data` against `row` and save it, unless someone saved the row since the form
    was opened. Then nothing is written: the result has their values and a form with the
    user's input, whose next save may replace theirs. 404 when the row was deleted meanwhile.
    """
    before = copy.copy(row)  # the row as loaded: validating writes the input into `row`
    form = make_form(data, row)
    if not form.is_valid():
        return Edit(form, before)
    try:
        fields = form.model_fields()
        if save_if_unchanged(row, expected_version=form.expected_version, fields=fields):
            return Edit(form, row, saved=True)
    except IntegrityError:  # the form's checks passed, then someone took the name or the day
        form.add_error(None, CLASHED)
        return Edit(form, before)
    if before.version == form.expected_version:  # lost a race: read the row that won
        read_again(before)
    conflict = conflict_rows(before, form)
    form = make_form(data, copy.copy(before))  # validating writes the input into its row
    form.show_current_version(before.version)
    form.full_clean()
    return Edit(form, before, conflict=conflict)
