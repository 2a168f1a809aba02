from decimal import Decimal

import pytest

from kpis.dashboards.funnel import (
    FUNNEL_STAGES,
    FunnelStep,
    ReverseResult,
    build_funnel,
    reverse_funnel,
)

D = Decimal


# --- build_funnel -------------------------------------------------------------------


def test_funnel_stages_are_in_race_order() -> None:
    assert FUNNEL_STAGES == ("reach", "act", "convert", "engage")


def test_full_funnel_rates_for_targets_and_actuals() -> None:
    steps = build_funnel(
        {
            "reach": ("Visitors", D("10000"), D("8000")),
            "act": ("Leads", D("500"), D("320")),
            "convert": ("Customers", D("50"), D("40")),
            "engage": ("Repeat customers", D("10"), D("12")),
        }
    )
    assert steps == [
        FunnelStep("reach", "Visitors", D("10000"), D("8000"), None, None),
        FunnelStep("act", "Leads", D("500"), D("320"), D("0.05"), D("0.04")),
        FunnelStep("convert", "Customers", D("50"), D("40"), D("0.1"), D("0.125")),
        FunnelStep("engage", "Repeat customers", D("10"), D("12"), D("0.2"), D("0.3")),
    ]


def test_input_order_does_not_matter() -> None:
    steps = build_funnel(
        {
            "convert": ("Customers", D("50"), None),
            "reach": ("Visitors", D("1000"), None),
            "act": ("Leads", D("100"), None),
        }
    )
    assert [s.stage for s in steps] == list(FUNNEL_STAGES)
    assert [s.target_rate for s in steps] == [None, D("0.1"), D("0.5"), None]


def test_missing_stage_gives_empty_step_and_breaks_next_rate() -> None:
    steps = build_funnel(
        {
            "reach": ("Visitors", D("1000"), D("900")),
            "convert": ("Customers", D("20"), D("18")),
        }
    )
    assert steps[1] == FunnelStep("act", None, None, None, None, None)
    # No leads volume, so visitors -> customers is not passed off as a lead conversion.
    assert (steps[2].target_rate, steps[2].actual_rate) == (None, None)
    assert steps[3] == FunnelStep("engage", None, None, None, None, None)


def test_zero_previous_volume_gives_no_rate() -> None:
    steps = build_funnel(
        {
            "reach": ("Visitors", D("0"), D("0")),
            "act": ("Leads", D("10"), D("0")),
        }
    )
    assert (steps[1].target_rate, steps[1].actual_rate) == (None, None)


def test_none_previous_actual_with_known_target() -> None:
    # Targets are set but no actuals yet: target rates show, actual rates do not.
    steps = build_funnel(
        {
            "reach": ("Visitors", D("2000"), None),
            "act": ("Leads", D("100"), D("30")),
        }
    )
    assert steps[1].target_rate == D("0.05")
    assert steps[1].actual_rate is None


def test_zero_volume_after_nonzero_is_a_zero_rate() -> None:
    steps = build_funnel(
        {"reach": ("Visitors", D("400"), D("400")), "act": ("Leads", D("20"), D("0"))}
    )
    assert steps[1].actual_rate == D("0")


def test_empty_input_gives_four_empty_steps() -> None:
    assert build_funnel({}) == [FunnelStep(s, None, None, None, None, None) for s in FUNNEL_STAGES]


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="Not funnel stages: plan, reech"):
        build_funnel({"reech": (None, None, None), "plan": (None, None, None)})


# --- reverse_funnel -----------------------------------------------------------------


def test_reverse_from_customers() -> None:
    result = reverse_funnel(
        customers=D("50"), lead_to_customer_rate=D("0.1"), visitor_to_lead_rate=D("0.05")
    )
    assert result == ReverseResult(customers=D("50"), leads=D("500"), visitors=D("10000"))
    # Whole numbers, not 1E+4.
    assert str(result.visitors) == "10000"


def test_reverse_rounds_up_at_every_step() -> None:
    # 10 / 0.3 = 33.3 -> 34 leads; 34 / 0.07 = 485.7 -> 486 visitors.
    result = reverse_funnel(
        customers=D("10"), lead_to_customer_rate=D("0.3"), visitor_to_lead_rate=D("0.07")
    )
    assert (result.customers, result.leads, result.visitors) == (D("10"), D("34"), D("486"))


def test_reverse_rounds_a_fractional_customer_target_up() -> None:
    result = reverse_funnel(
        customers=D("10.2"), lead_to_customer_rate=D("1"), visitor_to_lead_rate=D("1")
    )
    assert (result.customers, result.leads, result.visitors) == (D("11"), D("11"), D("11"))


def test_reverse_from_revenue() -> None:
    # 100 000 / 75 = 1333.3 -> 1334 customers; / 0.02 = 66 700 leads; / 0.1 = 667 000 visitors.
    result = reverse_funnel(
        revenue=D("100000"),
        average_order_value=D("75"),
        lead_to_customer_rate=D("0.02"),
        visitor_to_lead_rate=D("0.1"),
    )
    assert result == ReverseResult(
        customers=D("1334"),
        leads=D("66700"),
        visitors=D("667000"),
        revenue=D("100000"),
        average_order_value=D("75"),
    )


def test_reverse_of_zero_target_needs_nobody() -> None:
    result = reverse_funnel(
        customers=D("0"), lead_to_customer_rate=D("0.5"), visitor_to_lead_rate=D("0.5")
    )
    assert (result.customers, result.leads, result.visitors) == (D("0"), D("0"), D("0"))


def test_reverse_needs_customers_or_revenue() -> None:
    with pytest.raises(ValueError, match="Give a customer target, or a revenue target"):
        reverse_funnel(lead_to_customer_rate=D("0.1"), visitor_to_lead_rate=D("0.1"))


def test_reverse_revenue_needs_average_order_value() -> None:
    with pytest.raises(ValueError, match="together with an average order value"):
        reverse_funnel(
            revenue=D("1000"), lead_to_customer_rate=D("0.1"), visitor_to_lead_rate=D("0.1")
        )
    with pytest.raises(ValueError, match="together with an average order value"):
        reverse_funnel(
            average_order_value=D("10"),
            lead_to_customer_rate=D("0.1"),
            visitor_to_lead_rate=D("0.1"),
        )


def test_reverse_refuses_both_customers_and_revenue() -> None:
    with pytest.raises(ValueError, match="not both"):
        reverse_funnel(
            customers=D("10"),
            revenue=D("1000"),
            average_order_value=D("100"),
            lead_to_customer_rate=D("0.1"),
            visitor_to_lead_rate=D("0.1"),
        )


@pytest.mark.parametrize("rate", ["0", "-0.1", "1.01", "5", "NaN"])
def test_reverse_refuses_bad_lead_to_customer_rate(rate: str) -> None:
    with pytest.raises(ValueError, match="lead-to-customer rate must be more than 0 and at most 1"):
        reverse_funnel(
            customers=D("10"), lead_to_customer_rate=D(rate), visitor_to_lead_rate=D("0.1")
        )


@pytest.mark.parametrize("rate", ["0", "-0.5", "1.5"])
def test_reverse_refuses_bad_visitor_to_lead_rate(rate: str) -> None:
    with pytest.raises(ValueError, match="visitor-to-lead rate must be more than 0 and at most 1"):
        reverse_funnel(
            customers=D("10"), lead_to_customer_rate=D("0.1"), visitor_to_lead_rate=D(rate)
        )


def test_reverse_accepts_a_rate_of_exactly_one() -> None:
    result = reverse_funnel(
        customers=D("7"), lead_to_customer_rate=D("1"), visitor_to_lead_rate=D("1")
    )
    assert result.visitors == D("7")


def test_reverse_refuses_negative_customer_target() -> None:
    with pytest.raises(ValueError, match="customer target cannot be negative"):
        reverse_funnel(
            customers=D("-1"), lead_to_customer_rate=D("0.1"), visitor_to_lead_rate=D("0.1")
        )


def test_reverse_refuses_negative_revenue_target() -> None:
    with pytest.raises(ValueError, match="revenue target cannot be negative"):
        reverse_funnel(
            revenue=D("-100"),
            average_order_value=D("10"),
            lead_to_customer_rate=D("0.1"),
            visitor_to_lead_rate=D("0.1"),
        )


@pytest.mark.parametrize("aov", ["0", "-20"])
def test_reverse_refuses_non_positive_average_order_value(aov: str) -> None:
    with pytest.raises(ValueError, match="average order value must be more than 0"):
        reverse_funnel(
            revenue=D("1000"),
            average_order_value=D(aov),
            lead_to_customer_rate=D("0.1"),
            visitor_to_lead_rate=D("0.1"),
        )
