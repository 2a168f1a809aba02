"""One numeric policy for every way a number comes in: forms, CSV files, the admin, commands.

Numbers are `Decimal`s. PostgreSQL stores them exactly; SQLite stores them as 8-byte floats,
which hold 15 significant digits exactly and no more. So a stored number has at most 15 digits:

- KPI baselines, targets and actuals: 11 before the point and 4 after, so below 100 billion
  in size (-99,999,999,999.9999 to 99,999,999,999.9999);
- budgets: 12 before the point and 2 after, never negative.

Within these bounds both databases give back exactly what was saved. Outside them, a form field
or a CSV row gets an error that states the bound; nothing is rounded or cut silently.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

VALUE_DIGITS, VALUE_PLACES = 15, 4
MONEY_DIGITS, MONEY_PLACES = 14, 2
VALUE_LIMIT = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES)  # values stay below this in size

NUMBER_MESSAGE = "Enter a number, such as 1500 or 12.5, without letters or units."


def _largest(digits: int, places: int) -> str:
    whole = "9" * (digits - places)
    return f"{int(whole):,}.{'9' * places}" if places else f"{int(whole):,}"


def explain_limits(field: forms.Field) -> None:
    """A decimal form field's errors in our words, with the bound the policy sets."""
    if not isinstance(field, forms.DecimalField):
        return
    digits, places = field.max_digits, field.decimal_places
    field.error_messages["invalid"] = NUMBER_MESSAGE
    if digits is not None and places is not None:
        largest = _largest(digits, places)
        field.error_messages["max_whole_digits"] = f"Enter a number no larger than {largest}."
        field.error_messages["max_digits"] = f"Enter a number no larger than {largest}."
    if places is not None:
        field.error_messages["max_decimal_places"] = f"Use at most {places} decimal places."


def parse_value(raw: str) -> tuple[Decimal | None, str | None]:
    """A KPI value typed as text (a CSV cell): the number, or the error a person can act on."""
    if not raw:
        return None, "The value is missing."
    try:
        value = Decimal(raw)
    except InvalidOperation:
        hint = " Use a point for decimals, without thousands separators." if "," in raw else ""
        return None, f"“{raw}” is not a number.{hint}"
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        return None, f"“{raw}” is not a number."
    if exponent < -VALUE_PLACES:
        return None, f"“{raw}” has more than {VALUE_PLACES} decimal places."
    if abs(value) >= VALUE_LIMIT:
        return None, f"“{raw}” is too large: {_largest(VALUE_DIGITS, VALUE_PLACES)} at most."
    return value, None
