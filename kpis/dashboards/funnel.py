"""Funnel maths: stage-to-stage conversion and the reverse calculator.

Each stage's primary KPI is its volume (visitors -> leads -> customers -> repeat customers).
Only a count is a volume: a stage whose primary KPI is a rate or an amount is named in the
funnel as having no volume, and no conversion is worked out to or from it (a rate "divided" by
visitors gave conversions of 530 %). Plain values in and out so the maths is tested without a
database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

FUNNEL_STAGES: tuple[str, ...] = ("reach", "act", "convert", "engage")

_WHOLE = Decimal(1)


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    kpi_name: str | None
    target: Decimal | None
    actual: Decimal | None
    # This stage's volume / the previous stage's volume; None for the first step or when
    # either volume is missing or the previous one is zero.
    target_rate: Decimal | None
    actual_rate: Decimal | None
    # The stage's primary KPI is not a count (a rate, an amount): it has no funnel volume.
    not_a_volume: bool = False


def _rate(volume: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if volume is None or previous is None or previous == 0:
        return None
    return volume / previous


def build_funnel(
    volumes: Mapping[str, tuple[str | None, Decimal | None, Decimal | None]],
    *,
    not_volumes: Mapping[str, str] | None = None,
) -> list[FunnelStep]:
    """One step per funnel stage, in order; `volumes` maps stage -> (kpi_name, target, actual),
    `not_volumes` stage -> the name of a primary KPI that is not a count."""
    not_volumes = not_volumes or {}
    unknown = (set(volumes) | set(not_volumes)) - set(FUNNEL_STAGES)
    if unknown:
        # A typo here would silently drop a stage from the chart; say so instead.
        raise ValueError(f"Not funnel stages: {', '.join(sorted(unknown))}.")
    steps: list[FunnelStep] = []
    prev_target: Decimal | None = None
    prev_actual: Decimal | None = None
    for stage in FUNNEL_STAGES:
        kpi_name, target, actual = volumes.get(stage, (None, None, None))
        if stage in not_volumes:
            kpi_name, target, actual = not_volumes[stage], None, None
        steps.append(
            FunnelStep(
                stage=stage,
                kpi_name=kpi_name,
                target=target,
                actual=actual,
                target_rate=_rate(target, prev_target),
                actual_rate=_rate(actual, prev_actual),
                not_a_volume=stage in not_volumes,
            )
        )
        prev_target, prev_actual = target, actual
    return steps


@dataclass(frozen=True)
class ReverseResult:
    # Whole people, rounded up: 0.3 of a visitor still has to be a visitor.
    customers: Decimal
    leads: Decimal
    visitors: Decimal
    revenue: Decimal | None = None
    average_order_value: Decimal | None = None


def _round_up(value: Decimal) -> Decimal:
    # quantize (not to_integral_value) so 1E+2 comes back as 100.
    return value.quantize(_WHOLE, rounding=ROUND_CEILING)


def _check_rate(value: Decimal, what: str) -> None:
    if not value.is_finite() or value <= 0 or value > 1:
        raise ValueError(
            f"The {what} rate must be more than 0 and at most 1 (for example 0.05 for 5 %)."
        )


def _check_amount(value: Decimal, what: str) -> None:
    if not value.is_finite() or value < 0:
        raise ValueError(f"The {what} cannot be negative.")


def reverse_funnel(
    *,
    customers: Decimal | None = None,
    revenue: Decimal | None = None,
    average_order_value: Decimal | None = None,
    lead_to_customer_rate: Decimal,
    visitor_to_lead_rate: Decimal,
) -> ReverseResult:
    """Work back from a customer (or revenue) target to the leads and visitors it needs."""
    if customers is not None and (revenue is not None or average_order_value is not None):
        raise ValueError(
            "Give either a customer target or a revenue target with an average order value, "
            "not both."
        )
    if customers is None:
        if revenue is None or average_order_value is None:
            raise ValueError(
                "Give a customer target, or a revenue target together with an average order value."
            )
        _check_amount(revenue, "revenue target")
        if not average_order_value.is_finite() or average_order_value <= 0:
            raise ValueError("The average order value must be more than 0.")
        customers = revenue / average_order_value
    else:
        _check_amount(customers, "customer target")
    _check_rate(lead_to_customer_rate, "lead-to-customer")
    _check_rate(visitor_to_lead_rate, "visitor-to-lead")

    # Round at every step: each stage needs whole people to feed the next one.
    needed_customers = _round_up(customers)
    leads = _round_up(needed_customers / lead_to_customer_rate)
    visitors = _round_up(leads / visitor_to_lead_rate)
    return ReverseResult(
        customers=needed_customers,
        leads=leads,
        visitors=visitors,
        revenue=revenue,
        average_order_value=average_order_value,
    )
