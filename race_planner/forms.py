"""Form pieces shared by both sides of the app."""

from typing import Any

from django import forms


def set_choices(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def whole_number(text: str) -> int | None:
    """A whole number typed or sent by a browser (a query parameter, a hidden field); None
    for anything else, "①" and "²" included, which `str.isdigit()` would let through."""
    try:
        return int(text) if text.isascii() else None
    except ValueError:
        return None


def end_not_before_start(form: forms.BaseForm, start: str, end: str, message: str) -> None:
    """After cleaning: an error on the `end` field when both dates are given and it comes first."""
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, message)
