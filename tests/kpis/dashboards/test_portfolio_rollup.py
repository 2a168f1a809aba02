"""The roll-up of many KPIs (the portfolio's Overall, the plan list's KPIs column): how many
are on track, and the colour rule documented on both pages and in docs/ARCHITECTURE.md."""

from __future__ import annotations

import pytest

from kpis.dashboards.progress import Rollup, Status, rollup

ON, RISK, OFF, NONE, STALE = (
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.OFF_TRACK,
    Status.NO_DATA,
    Status.STALE,
)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([ON] * 14 + [RISK, OFF, OFF], Rollup(14, 17, ON)),  # GreenStyle: 82 %
        ([ON] * 4 + [OFF], Rollup(4, 5, ON)),  # exactly 80 % is on track
        ([ON] * 3 + [OFF], Rollup(3, 4, RISK)),  # 75 %
        ([ON, STALE], Rollup(1, 2, RISK)),  # exactly 50 % is at risk; stale is not on track
        ([ON, OFF, OFF], Rollup(1, 3, OFF)),
        ([ON, NONE, NONE], Rollup(1, 3, OFF)),  # unmeasured KPIs count against the plan
        ([NONE, NONE], Rollup(0, 2, NONE)),  # nothing measured yet: no colour to give
        ([], Rollup(0, 0, NONE)),
    ],
)
def test_the_colour_follows_the_share_of_kpis_on_track(
    statuses: list[Status], expected: Rollup
) -> None:
    assert rollup(statuses) == expected


def test_the_label_says_how_many_are_on_track() -> None:
    assert rollup([ON] * 14 + [OFF] * 3).label == "14 of 17 on track"
    assert rollup([]).label == "No KPIs"
