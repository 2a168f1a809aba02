"""Form pieces shared by both sides of the app."""

from typing import Any

from django import forms

# The browser's date picker; ISO values so it shows the initial date in every locale.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
