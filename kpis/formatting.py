"""How measured values read on pages and in messages: 4,500 · 12.5 % · 1,200."""

from decimal import Decimal

_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(5)}


def amount(value: Decimal | float | int | None, places: int = 2) -> str:
    """A number with thousands separators and no trailing zeros: 4500.0000 -> "4,500"."""
    if value is None or value == "":
        return "–"
    # A dashboard formats a thousand values: no text round trip for a Decimal (it changes
    # nothing), and the quantum of each precision made once.
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    number = number.quantize(_QUANTUM.get(places) or Decimal(1).scaleb(-places))
    text = f"{number.normalize():,f}"
    return "0" if text in ("-0", "") else text


def with_unit(value: Decimal | None, unit: str) -> str:
    """Counts, and values of a thousand or more, read as whole numbers: 41 customers expected by
    now, not 41.33; 51,067, not 51,066.67, so columns fit."""
    if value is None:
        return amount(value)
    places = 0 if unit == "count" or abs(value) >= 1000 else 2
    text = amount(value, places)
    return f"{text} %" if unit == "percent" else text


def percent(rate: Decimal | None) -> str:
    """A conversion rate: 0.0253 -> "2.5 %"."""
    if rate is None:
        return "–"
    return f"{amount(rate * 100, 1)} %"


def kpi_value(value: Decimal | None, unit: str, currency: str) -> str:
    """A KPI's value as the dashboard and the PDF show it, money with its currency and cents:
    4,500 · 12.5 % · EUR 0.50 · EUR 52,495."""
    if value is None:
        return amount(value)
    if unit != "currency":
        return with_unit(value, unit)
    # Money below a thousand keeps its cents, so 0.5 and 0.51 line up as 0.50 and 0.51.
    text = with_unit(value, unit) if abs(value) >= 1000 else f"{value:,.2f}"
    return f"{currency} {text}"
