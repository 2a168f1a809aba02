from decimal import Decimal

from kpis.advisor.actions.library import actions_for
from kpis.advisor.actions.suggestions import suggest
from kpis.advisor.areas import Area, Band

SCORES = {
    Area.PLAN: Decimal("3.0"),
    Area.REACH: Decimal("4.2"),
    Area.ACT: Decimal("2.0"),
    Area.CONVERT: Decimal("3.6"),
    Area.ENGAGE: Decimal("1.8"),
    Area.GOVERNANCE: Decimal("4.0"),
    Area.MEASUREMENT: Decimal("3.4"),
}


def keys(actions: tuple) -> list[str]:
    return [action.key for action in actions]


def test_the_three_weakest_areas_come_first_with_their_bands_actions() -> None:
    groups = suggest(SCORES, [], set(), audit_name="Q4 2026’s audit")

    assert [group.area for group in groups] == [Area.ENGAGE, Area.ACT, Area.PLAN]
    assert [group.band for group in groups] == [Band.LOW, Band.LOW, Band.MIDDLE]
    assert groups[0].reasons == ("Engage scored 1.8 in Q4 2026’s audit",)
    assert keys(groups[2].actions) == keys(tuple(actions_for(Area.PLAN, Band.MIDDLE)))


def test_health_findings_add_their_areas_after_the_weakest_and_give_reasons() -> None:
    findings = [Area.REACH, Area.ENGAGE, Area.MEASUREMENT, Area.MEASUREMENT]
    groups = suggest(SCORES, findings, set(), audit_name="Q4 2026’s audit")

    assert [group.area for group in groups] == [
        Area.ENGAGE,
        Area.ACT,
        Area.PLAN,
        Area.MEASUREMENT,  # two findings before one
        Area.REACH,
    ]
    assert groups[0].reasons == (
        "Engage scored 1.8 in Q4 2026’s audit",
        "The plan health check found 1 problem in Engage",
    )
    assert groups[3].reasons[-1] == "The plan health check found 2 problems in Measurement"
    assert groups[4].band is Band.HIGH  # Reach scored 4.2: its advanced actions


def test_without_an_audit_the_findings_alone_suggest_the_basics() -> None:
    groups = suggest(None, [Area.CONVERT], set())

    assert [group.area for group in groups] == [Area.CONVERT]
    assert groups[0].band is Band.LOW
    assert groups[0].reasons == ("The plan health check found 1 problem in Convert",)
    assert suggest(None, [], set()) == []


def test_actions_already_taken_are_left_out_and_the_next_band_steps_in() -> None:
    low = keys(tuple(actions_for(Area.ENGAGE, Band.LOW)))
    groups = suggest({Area.ENGAGE: Decimal("1.8")}, [], {low[0]})
    assert keys(groups[0].actions) == low[1:]

    everything_low = suggest({Area.ENGAGE: Decimal("1.8")}, [], set(low))
    assert everything_low[0].band is Band.MIDDLE
    assert keys(everything_low[0].actions) == keys(tuple(actions_for(Area.ENGAGE, Band.MIDDLE)))

    all_engage = {action.key for band in Band for action in actions_for(Area.ENGAGE, band)}
    assert suggest({Area.ENGAGE: Decimal("1.8")}, [], all_engage) == []
