"""The rules behind a result: the weakest areas, the change per area, the previous audit."""

from datetime import date
from decimal import Decimal

from kpis.advisor.areas import Area
from kpis.advisor.audit import mean_score, previous_audit, score_changes, weakest_areas
from kpis.advisor.models import CapabilityAudit
from tests.factories import make_workspace


def _scores(**values: str) -> dict[Area, Decimal]:
    return {Area(area): Decimal(value) for area, value in values.items()}


def test_the_two_lowest_areas_are_the_weakest_lowest_first() -> None:
    scores = _scores(plan="3.0", reach="4.2", engage="1.8", measurement="2.0", act="3.4")
    assert weakest_areas(scores) == [Area.ENGAGE, Area.MEASUREMENT]


def test_a_tie_with_the_second_names_a_third_but_no_more() -> None:
    tied = _scores(plan="3.0", engage="1.8", measurement="2.0", act="2.0", reach="4.0")
    assert weakest_areas(tied) == [Area.ENGAGE, Area.ACT, Area.MEASUREMENT]
    level = {area: Decimal("3.0") for area in Area}
    assert len(weakest_areas(level)) == 3


def test_few_areas_are_all_weakest() -> None:
    assert weakest_areas(_scores(reach="4.0")) == [Area.REACH]
    assert weakest_areas({}) == []


def test_changes_only_for_areas_scored_both_times() -> None:
    changes = score_changes(_scores(reach="4.0", engage="1.8"), _scores(reach="3.4", act="2.0"))
    assert changes == {Area.REACH: Decimal("0.6")}


def test_mean_score_rounds_half_up() -> None:
    assert mean_score([3, 4]) == Decimal("3.5")
    assert mean_score([1, 2, 2]) == Decimal("1.7")
    assert mean_score([]) is None


def test_previous_audit_is_the_newest_earlier_one_of_the_same_workspace(db: None) -> None:
    workspace = make_workspace()
    older = CapabilityAudit.objects.create(workspace=workspace, quarter_start=date(2026, 1, 1))
    before = CapabilityAudit.objects.create(workspace=workspace, quarter_start=date(2026, 4, 1))
    latest = CapabilityAudit.objects.create(workspace=workspace, quarter_start=date(2026, 7, 1))
    CapabilityAudit.objects.create(workspace=make_workspace(), quarter_start=date(2026, 6, 1))
    assert previous_audit(latest) == before
    assert previous_audit(before) == older
    assert previous_audit(older) is None
