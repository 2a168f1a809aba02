"""Progress of a KPI against its plan: expected value, latest actual and a RAG status.

Plain values in, plain values out, so the rules are tested without a database and the
dashboard, the review PDF and the portfolio page all judge a KPI the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

# Thresholds live here and nowhere else.
#
# The shortfall is how far the latest actual is behind the expected value (mirrored for
# direction "down"), as a fraction of the planned change |target - baseline|. Measuring
# against the planned change rather than the expected value itself keeps a zero baseline
# from dividing by zero and makes "5 % behind" mean the same early and late in the period.
# When target == baseline there is no planned change, so |target| is the yardstick; when
# that is zero too, any shortfall at all is off track.
#
# Bounds are inclusive on the lenient side: a shortfall of exactly AT_RISK_GAP is still
# on track, exactly OFF_TRACK_GAP is still at risk.
AT_RISK_GAP = Decimal("0.05")
OFF_TRACK_GAP = Decimal("0.15")
# A latest actual more than this many days before min(today, period end) is stale;
# exactly STALE_AFTER_DAYS old is still fresh (three weekly check-ins may be skipped).
STALE_AFTER_DAYS = 21

DIRECTIONS = ("up", "down")


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    STALE = "stale"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: dict[Status, str] = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.NO_DATA: "No data",
    Status.STALE: "Stale",
}

# Worst first. A stage summary shows what needs attention most: a KPI measurably behind
# beats one we merely cannot judge; a stale KPI (reporting stopped) is ranked above one
# with no data yet, because silence after check-ins began is more likely a real problem.
SEVERITY: tuple[Status, ...] = (
    Status.OFF_TRACK,
    Status.AT_RISK,
    Status.STALE,
    Status.NO_DATA,
    Status.ON_TRACK,
)


@dataclass(frozen=True)
class Progress:
    # The value the latest actual was judged against, i.e. expected at latest_date.
    expected: Decimal | None
    latest: Decimal | None
    latest_date: date | None
    status: Status
    # latest - expected, positive = better than planned (mirrored for direction "down").
    gap: Decimal | None
    # Share of the planned change achieved so far (1 = target reached); not clamped, so
    # overshooting gives > 1 and going the wrong way gives < 0.
    pct_of_target: Decimal | None


def expected_value(baseline: Decimal, target: Decimal, start: date, end: date, on: date) -> Decimal:
    """Where the KPI should be on `on`, moving linearly from baseline at start to target at end."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    # A one-day (or zero-length) period has nowhere to interpolate: aim straight at target.
    if on >= end or start == end:
        return target
    if on <= start:
        return baseline
    elapsed = Decimal((on - start).days)
    total = Decimal((end - start).days)
    # Multiply before dividing so whole-day steps stay exact where they can.
    return baseline + (target - baseline) * elapsed / total


def progress(
    *,
    baseline: Decimal,
    target: Decimal,
    direction: str,
    start: date,
    end: date,
    measurements: Sequence[tuple[date, Decimal]],
    today: date,
) -> Progress:
    if direction not in DIRECTIONS:
        raise ValueError(f"Direction must be 'up' or 'down', not {direction!r}.")
    # Future-dated rows (typos, planned values) must not count as the current actual.
    known = [m for m in measurements if m[0] <= today]
    if not known:
        return Progress(None, None, None, Status.NO_DATA, None, None)

    latest_date, latest = max(known, key=lambda m: m[0])
    expected, gap = _expected_and_gap(baseline, target, direction, start, end, latest_date, latest)
    pct = None if target == baseline else (latest - baseline) / (target - baseline)
    status = _status(gap, latest_date, baseline=baseline, target=target, today=today, end=end)
    return Progress(expected, latest, latest_date, status, gap, pct)


def status_of_latest(
    *,
    baseline: Decimal,
    target: Decimal,
    direction: str,
    start: date,
    end: date,
    latest_date: date,
    latest: Decimal,
    today: date,
) -> Status:
    """`progress(...).status` of a KPI whose latest actual up to `today` is known, and nothing
    else of Progress: the portfolio's filter judges thousands of KPIs a request with it."""
    _, gap = _expected_and_gap(baseline, target, direction, start, end, latest_date, latest)
    return _status(gap, latest_date, baseline=baseline, target=target, today=today, end=end)


def _expected_and_gap(
    baseline: Decimal,
    target: Decimal,
    direction: str,
    start: date,
    end: date,
    latest_date: date,
    latest: Decimal,
) -> tuple[Decimal, Decimal]:
    """The expected value and the gap (positive = better than planned) of the latest actual:
    a late check-in is judged against where the KPI should have been on its own date."""
    expected = expected_value(baseline, target, start, end, latest_date)
    sign = 1 if direction == "up" else -1
    return expected, (latest - expected) * sign


def _status(
    gap: Decimal, latest_date: date, *, baseline: Decimal, target: Decimal, today: date, end: date
) -> Status:
    if is_stale(latest_date, today=today, end=end):
        return Status.STALE
    return _status_for_gap(gap, baseline=baseline, target=target)


def is_stale(latest_date: date, *, today: date, end: date) -> bool:
    """Whether the latest actual is too old to judge by. After the period ends nobody is
    expected to keep measuring, so its age counts up to the end."""
    return (min(today, end) - latest_date).days > STALE_AFTER_DAYS


def _status_for_gap(gap: Decimal, *, baseline: Decimal, target: Decimal) -> Status:
    if gap >= 0:
        return Status.ON_TRACK
    scale = abs(target - baseline) or abs(target)
    if scale == 0:
        return Status.OFF_TRACK
    shortfall = -gap / scale
    if shortfall <= AT_RISK_GAP:
        return Status.ON_TRACK
    if shortfall <= OFF_TRACK_GAP:
        return Status.AT_RISK
    return Status.OFF_TRACK


def summarise(statuses: Iterable[Status]) -> Status:
    """The worst status among a stage's KPIs; a stage without KPIs has no data."""
    present = set(statuses)
    for status in SEVERITY:
        if status in present:
            return status
    return Status.NO_DATA


# The roll-up of many KPIs (a plan, a portfolio row) counts how many are on track. Its colour:
# on track when at least ROLLUP_ON_TRACK_SHARE of the KPIs are, at risk when at least
# ROLLUP_AT_RISK_SHARE are, off track below that; "no data" while no KPI has an actual yet.
# A single late KPI no longer paints a whole plan red (a stage still shows its worst KPI).
ROLLUP_ON_TRACK_SHARE = Decimal("0.8")
ROLLUP_AT_RISK_SHARE = Decimal("0.5")


@dataclass(frozen=True)
class Rollup:
    on_track: int
    total: int
    status: Status

    @property
    def label(self) -> str:
        """ "14 of 17 on track"; "No KPIs" for a plan without any."""
        return f"{self.on_track} of {self.total} on track" if self.total else "No KPIs"


def rollup(statuses: Iterable[Status]) -> Rollup:
    """How many KPIs are on track, coloured by the rule above (the plan dashboard, the
    portfolio and the plan list all call this)."""
    found = list(statuses)
    return rollup_of_counts(
        on_track=found.count(Status.ON_TRACK),
        no_data=found.count(Status.NO_DATA),
        total=len(found),
    )


def rollup_of_counts(*, on_track: int, no_data: int, total: int) -> Rollup:
    """The same roll-up from counts, as a database query returns them."""
    if no_data == total:  # no KPIs, or none measured yet
        return Rollup(on_track, total, Status.NO_DATA)
    share = Decimal(on_track) / total
    if share >= ROLLUP_ON_TRACK_SHARE:
        return Rollup(on_track, total, Status.ON_TRACK)
    if share >= ROLLUP_AT_RISK_SHARE:
        return Rollup(on_track, total, Status.AT_RISK)
    return Rollup(on_track, total, Status.OFF_TRACK)
