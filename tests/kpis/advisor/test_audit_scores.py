from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError

from kpis.advisor.areas import Area, Band, area_of, band_of
from kpis.advisor.audit import area_scores, latest_area_scores, latest_audits
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from kpis.advisor.radar import radar_figure, radar_figure_data
from plans.models import Workspace


def test_a_key_names_its_area() -> None:
    assert area_of("reach.search") is Area.REACH
    assert area_of("measurement.tagging") is Area.MEASUREMENT
    with pytest.raises(ValueError):
        area_of("sales.cold_calls")


@pytest.mark.parametrize(
    ("score", "band"),
    [
        ("1", Band.LOW),
        ("2.4", Band.LOW),
        ("2.5", Band.MIDDLE),
        ("3.5", Band.MIDDLE),
        ("3.6", Band.HIGH),
    ],
)
def test_bands_split_the_scale(score: str, band: Band) -> None:
    assert band_of(Decimal(score)) is band


def _audit(workspace: Workspace, quarter_start: date, answers: dict[str, int]) -> CapabilityAudit:
    audit = CapabilityAudit.objects.create(workspace=workspace, quarter_start=quarter_start)
    AuditAnswer.objects.bulk_create(
        AuditAnswer(audit=audit, question=key, score=score) for key, score in answers.items()
    )
    return audit


@pytest.mark.django_db
def test_area_scores_are_means_of_the_newest_audit(workspace: Workspace) -> None:
    assert latest_area_scores(workspace) is None
    _audit(workspace, date(2026, 7, 1), {"reach.search": 5})
    newest = _audit(
        workspace, date(2026, 10, 1), {"reach.search": 2, "reach.social": 3, "act.landing": 4}
    )

    assert latest_audits(workspace)[0] == newest
    assert latest_area_scores(workspace) == {Area.REACH: Decimal("2.5"), Area.ACT: Decimal("4.0")}
    assert area_scores(latest_audits(workspace)[1]) == {Area.REACH: Decimal("5.0")}


@pytest.mark.django_db
def test_the_database_refuses_a_score_outside_1_to_5(workspace: Workspace) -> None:
    with pytest.raises(IntegrityError):
        _audit(workspace, date(2026, 10, 1), {"reach.search": 6})


def test_the_radar_closes_each_outline_and_overlays_the_previous_audit() -> None:
    latest = {Area.REACH: Decimal("2.5"), Area.ACT: Decimal("4.0"), Area.ENGAGE: Decimal("1.0")}
    previous = {Area.REACH: Decimal("2.0"), Area.ACT: Decimal("3.0"), Area.ENGAGE: Decimal("1.0")}

    alone = radar_figure_data(latest)
    both = radar_figure_data(latest, previous)

    assert [trace["name"] for trace in alone["data"]] == ["This audit"]
    assert [trace["name"] for trace in both["data"]] == ["Previous audit", "This audit"]
    assert both["data"][1]["r"] == [2.5, 4.0, 1.0, 2.5]
    assert both["data"][1]["theta"] == ["Reach", "Act", "Engage", "Reach"]
    assert radar_figure(latest, previous).data[0].type == "scatterpolar"
