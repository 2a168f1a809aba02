"""How measured values read on the page: 4,500 · 12.5 % · 1,200 EUR."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value: Decimal | float | int | None, places: int = 2) -> str:
    """A number with thousands separators and no trailing zeros: 4500.0000 -> "4,500"."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    text = f"{number.normalize():,f}"
    return "0" if text in ("-0", "") else text


@register.filter
def with_unit(value: Decimal | None, unit: str) -> str:
    text = amount(value)
    if value is None:
        return text
    return f"{text} %" if unit == "percent" else text


@register.filter
def percent(rate: Decimal | None) -> str:
    if rate is None:
        return "–"
    return f"{amount(rate * 100, 1)} %"
