from datetime import date, timedelta
from decimal import Decimal

import pytest

from kpis.dashboards.progress import (
    AT_RISK_GAP,
    OFF_TRACK_GAP,
    STALE_AFTER_DAYS,
    Progress,
    Status,
    expected_value,
    progress,
    summarise,
)

D = Decimal
# A 100-day period makes "day n" equal "n % of the way" and keeps expectations exact.
START = date(2025, 1, 1)
END = START + timedelta(days=100)


def day(n: int) -> date:
    return START + timedelta(days=n)


def judge(
    *,
    baseline: str = "100",
    target: str = "200",
    direction: str = "up",
    measurements: list[tuple[date, Decimal]],
    today: date | None = None,
) -> Progress:
    return progress(
        baseline=D(baseline),
        target=D(target),
        direction=direction,
        start=START,
        end=END,
        measurements=measurements,
        today=today if today is not None else max(m[0] for m in measurements),
    )


# --- labels and summary -------------------------------------------------------------


def test_status_values_and_labels() -> None:
    assert [(s.value, s.label) for s in Status] == [
        ("on_track", "On track"),
        ("at_risk", "At risk"),
        ("off_track", "Off track"),
        ("no_data", "No data"),
        ("stale", "Stale"),
    ]
    assert str(Status.AT_RISK) == "at_risk"
    assert Status("stale") is Status.STALE


def test_summarise_picks_the_worst_status() -> None:
    assert summarise([Status.ON_TRACK, Status.OFF_TRACK, Status.AT_RISK]) == Status.OFF_TRACK
    assert summarise([Status.ON_TRACK, Status.STALE, Status.AT_RISK]) == Status.AT_RISK
    assert summarise([Status.NO_DATA, Status.STALE, Status.ON_TRACK]) == Status.STALE
    assert summarise([Status.ON_TRACK, Status.NO_DATA]) == Status.NO_DATA
    assert summarise(iter([Status.ON_TRACK, Status.ON_TRACK])) == Status.ON_TRACK


def test_summarise_of_nothing_is_no_data() -> None:
    assert summarise([]) == Status.NO_DATA


# --- expected_value -----------------------------------------------------------------


def test_expected_value_is_linear_between_baseline_and_target() -> None:
    assert expected_value(D("100"), D("200"), START, END, day(0)) == D("100")
    assert expected_value(D("100"), D("200"), START, END, day(25)) == D("125")
    assert expected_value(D("100"), D("200"), START, END, day(100)) == D("200")


def test_expected_value_goes_down_for_a_falling_target() -> None:
    assert expected_value(D("50"), D("30"), START, END, day(50)) == D("40")


def test_expected_value_clamps_outside_the_period() -> None:
    assert expected_value(D("100"), D("200"), START, END, day(-10)) == D("100")
    assert expected_value(D("100"), D("200"), START, END, day(150)) == D("200")


def test_expected_value_of_a_zero_length_period_is_the_target() -> None:
    for on in (day(-1), day(0), day(1)):
        assert expected_value(D("100"), D("200"), START, START, on) == D("200")


def test_expected_value_from_zero_baseline() -> None:
    assert expected_value(D("0"), D("1000"), START, END, day(30)) == D("300")


def test_expected_value_rejects_a_period_ending_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        expected_value(D("1"), D("2"), END, START, START)


# --- status from the gap ------------------------------------------------------------


def test_no_measurements_is_no_data() -> None:
    result = judge(measurements=[], today=day(10))
    assert result == Progress(None, None, None, Status.NO_DATA, None, None)


def test_on_track_when_at_expected_value() -> None:
    result = judge(measurements=[(day(50), D("150"))])
    assert result.status == Status.ON_TRACK
    assert result.expected == D("150")
    assert result.gap == D("0")
    assert result.pct_of_target == D("0.5")


def test_ahead_of_plan_is_on_track_with_positive_gap() -> None:
    result = judge(measurements=[(day(50), D("180"))])
    assert result.status == Status.ON_TRACK
    assert result.gap == D("30")


def test_shortfall_exactly_at_risk_threshold_is_still_on_track() -> None:
    # Planned change is 100, so AT_RISK_GAP (5 %) is a shortfall of exactly 5.
    assert D("0.05") == AT_RISK_GAP
    result = judge(measurements=[(day(50), D("145"))])
    assert result.gap == D("-5")
    assert result.status == Status.ON_TRACK


def test_shortfall_just_past_risk_threshold_is_at_risk() -> None:
    assert judge(measurements=[(day(50), D("144.99"))]).status == Status.AT_RISK


def test_shortfall_exactly_at_off_track_threshold_is_still_at_risk() -> None:
    assert D("0.15") == OFF_TRACK_GAP
    result = judge(measurements=[(day(50), D("135"))])
    assert result.gap == D("-15")
    assert result.status == Status.AT_RISK


def test_shortfall_past_off_track_threshold_is_off_track() -> None:
    result = judge(measurements=[(day(50), D("134.99"))])
    assert result.status == Status.OFF_TRACK
    assert result.pct_of_target == D("0.3499")


def test_latest_measurement_is_the_one_judged() -> None:
    # Order of the input must not matter; the newest date wins.
    result = judge(measurements=[(day(60), D("100")), (day(20), D("500")), (day(40), D("140"))])
    assert (result.latest_date, result.latest) == (day(60), D("100"))
    assert result.status == Status.OFF_TRACK


def test_late_check_in_is_judged_against_its_own_date() -> None:
    # 130 is exactly on plan for day 30, even though today (day 45) expects 145.
    result = judge(measurements=[(day(30), D("130"))], today=day(45))
    assert result.expected == D("130")
    assert result.gap == D("0")
    assert result.status == Status.ON_TRACK


def test_future_dated_measurement_is_ignored() -> None:
    result = judge(
        measurements=[(day(40), D("120")), (day(41), D("999"))],
        today=day(40),
    )
    assert (result.latest_date, result.latest) == (day(40), D("120"))
    assert result.status == Status.OFF_TRACK


def test_only_future_measurements_is_no_data() -> None:
    assert judge(measurements=[(day(41), D("999"))], today=day(40)).status == Status.NO_DATA


# --- before and after the period ----------------------------------------------------


def test_actual_before_period_starts_is_judged_against_baseline() -> None:
    on_baseline = judge(measurements=[(day(-5), D("100"))])
    assert on_baseline.expected == D("100")
    assert on_baseline.status == Status.ON_TRACK
    below = judge(measurements=[(day(-5), D("90"))])
    assert below.gap == D("-10")
    assert below.status == Status.AT_RISK


def test_actual_after_period_ends_is_judged_against_target() -> None:
    result = judge(measurements=[(day(120), D("190"))], today=day(130))
    assert result.expected == D("200")
    assert result.gap == D("-10")
    assert result.status == Status.AT_RISK
    assert result.pct_of_target == D("0.9")


def test_overshooting_target_reports_more_than_whole() -> None:
    result = judge(measurements=[(day(100), D("250"))])
    assert result.status == Status.ON_TRACK
    assert result.pct_of_target == D("1.5")


# --- direction down -----------------------------------------------------------------


def test_direction_down_is_mirrored() -> None:
    # Cost per lead from 50 down to 30: expected 40 at half-way.
    on_plan = judge(baseline="50", target="30", direction="down", measurements=[(day(50), D("40"))])
    assert on_plan.status == Status.ON_TRACK
    assert on_plan.pct_of_target == D("0.5")

    better = judge(baseline="50", target="30", direction="down", measurements=[(day(50), D("35"))])
    assert better.gap == D("5")
    assert better.status == Status.ON_TRACK

    # Planned change is 20: shortfall 1 = 5 % (on track), 2 = 10 % (at risk), 4 = 20 % (off).
    def status_at(value: str) -> Status:
        return judge(
            baseline="50", target="30", direction="down", measurements=[(day(50), D(value))]
        ).status

    assert status_at("41") == Status.ON_TRACK
    assert status_at("42") == Status.AT_RISK
    assert status_at("43") == Status.AT_RISK
    assert status_at("44") == Status.OFF_TRACK


def test_direction_down_gap_is_negative_when_value_rises() -> None:
    result = judge(baseline="50", target="30", direction="down", measurements=[(day(50), D("44"))])
    assert result.gap == D("-4")
    assert result.pct_of_target == D("0.3")


def test_unknown_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="'sideways'"):
        judge(direction="sideways", measurements=[(day(1), D("1"))])


# --- zero baseline and target equal to baseline -------------------------------------


def test_zero_baseline_does_not_divide_by_zero() -> None:
    result = judge(baseline="0", target="1000", measurements=[(day(50), D("400"))])
    assert result.expected == D("500")
    assert result.gap == D("-100")
    assert result.pct_of_target == D("0.4")
    assert result.status == Status.AT_RISK


def test_zero_baseline_at_start_is_on_track() -> None:
    result = judge(baseline="0", target="1000", measurements=[(day(0), D("0"))])
    assert result.status == Status.ON_TRACK
    assert result.pct_of_target == D("0")


def test_target_equal_to_baseline_uses_target_as_yardstick() -> None:
    def status_at(value: str, direction: str = "up") -> Status:
        return judge(
            baseline="80", target="80", direction=direction, measurements=[(day(50), D(value))]
        ).status

    # Hold 80 %: 4 below is 5 % of 80 (on track), 12 below is 15 % (at risk).
    assert status_at("80") == Status.ON_TRACK
    assert status_at("90") == Status.ON_TRACK
    assert status_at("76") == Status.ON_TRACK
    assert status_at("75") == Status.AT_RISK
    assert status_at("68") == Status.AT_RISK
    assert status_at("67") == Status.OFF_TRACK
    # Mirrored: keep a bounce rate at 80 or lower.
    assert status_at("70", "down") == Status.ON_TRACK
    assert status_at("84", "down") == Status.ON_TRACK
    assert status_at("85", "down") == Status.AT_RISK


def test_target_equal_to_baseline_has_no_pct_of_target() -> None:
    result = judge(baseline="80", target="80", measurements=[(day(50), D("80"))])
    assert result.pct_of_target is None
    assert result.expected == D("80")


def test_zero_target_equal_to_zero_baseline() -> None:
    def status_at(value: str) -> Status:
        return judge(
            baseline="0", target="0", direction="down", measurements=[(day(50), D(value))]
        ).status

    # Zero complaints wanted: any complaint is off track, none is on track.
    assert status_at("0") == Status.ON_TRACK
    assert status_at("0.01") == Status.OFF_TRACK


# --- stale --------------------------------------------------------------------------


def test_measurement_exactly_stale_after_days_old_is_fresh() -> None:
    assert STALE_AFTER_DAYS == 21
    result = judge(measurements=[(day(50), D("150"))], today=day(50 + STALE_AFTER_DAYS))
    assert result.status == Status.ON_TRACK


def test_measurement_one_day_older_is_stale() -> None:
    result = judge(measurements=[(day(50), D("150"))], today=day(51 + STALE_AFTER_DAYS))
    assert result.status == Status.STALE
    # Still reports what it knows, so the dashboard can show the last value.
    assert result.latest == D("150")
    assert result.gap == D("0")


def test_staleness_counts_only_up_to_period_end() -> None:
    # Last check-in 10 days before the end, looked at long after: not stale.
    result = judge(measurements=[(day(90), D("190"))], today=day(400))
    assert result.status == Status.ON_TRACK
    # But a period that went quiet well before its end stays stale.
    quiet = judge(measurements=[(day(70), D("170"))], today=day(400))
    assert quiet.status == Status.STALE


def test_stale_wins_over_off_track() -> None:
    result = judge(measurements=[(day(10), D("0"))], today=day(60))
    assert result.status == Status.STALE
