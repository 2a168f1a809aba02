"""The review's Advisor section and slides: the health score and findings, the latest audit's
radar over the one before, the 90-day actions' progress; each with its empty state, and a
fingerprint that moves when any of them changes."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from pptx import Presentation

from kpis.advisor.models import AuditAnswer, CapabilityAudit, ImprovementAction
from kpis.review import jobs
from kpis.review.advisor import advisor_review
from kpis.review.errors import Deadline
from kpis.review.export import ReviewOptions, build_context, export_review
from kpis.review.slides import export_slides
from plans.models import Plan, Tactic
from tests.factories import make_kpi, make_objective, make_plan, make_tactic, make_workspace
from tests.review_helpers import pdf_text

TODAY = date(2026, 8, 3)
OPTIONS = ReviewOptions(stages=("reach",))


def _audit(plan: Plan, quarter: date, scores: dict[str, int]) -> CapabilityAudit:
    audit = CapabilityAudit.objects.create(workspace=plan.workspace, quarter_start=quarter)
    for question, score in scores.items():
        AuditAnswer.objects.create(audit=audit, question=question, score=score)
    return audit


def _action(plan: Plan, *, title: str, end: date, status: str = "running") -> ImprovementAction:
    tactic = make_tactic(plan=plan, stage="reach", title=title)
    Tactic.objects.filter(pk=tactic.pk).update(
        start_date=end - timedelta(60), end_date=end, status=status
    )
    return ImprovementAction.objects.create(
        plan=plan, action=f"reach.{title[:8]}", area="reach", band="low", title=title, tactic=tactic
    )


@pytest.fixture
def advised(db: None) -> Plan:
    """A plan with findings, two audits and two 90-day actions, one of them overdue."""
    plan = make_plan(workspace=make_workspace(name="Acme"), name="Autumn push")
    make_kpi(plan=plan, name="Visitors", stage="reach")
    make_objective(plan=plan, title="Win the search results")
    _audit(plan, date(2026, 4, 1), {"reach.search": 2, "act.forms": 3, "measurement.tags": 2})
    _audit(plan, date(2026, 7, 1), {"reach.search": 3, "act.forms": 3, "measurement.tags": 1})
    _action(plan, title="Search audit", end=TODAY - timedelta(days=3))
    _action(plan, title="Keyword map", end=TODAY + timedelta(days=40), status="planned")
    return Plan.objects.select_related("workspace").get(pk=plan.pk)


def test_the_advisor_reads_the_latest_audit_over_the_one_before(advised: Plan) -> None:
    advisor = advisor_review(advised, today=TODAY)
    assert advisor.audit is not None and advisor.audit.quarter_start == date(2026, 7, 1)
    rows = {row.area.value: (row.latest, row.previous, row.change) for row in advisor.areas}
    assert rows["reach"] == (3, 2, 1)
    assert rows["measurement"] == (1, 2, -1)
    assert [row.area.value for row in advisor.lowest] == ["measurement"]
    assert [(a.title, a.overdue) for a in advisor.actions] == [
        ("Keyword map", False),
        ("Search audit", True),
    ]
    assert advisor.health.findings and advisor.health.score < 100


def test_the_review_pdf_has_the_advisor_section_with_its_radar(advised: Plan) -> None:
    review = export_review(advised, OPTIONS, today=TODAY)
    text = " ".join(pdf_text(review.pdf).split())
    assert "Advisor: plan health and capability" in text
    score = advisor_review(advised, today=TODAY).health.score
    assert f"{score} / 100" in text and "plan health score" in text
    assert "Objective “Win the search results” is not measured by a KPI" in text
    assert "Lowest: Measurement." in text
    assert "Search audit" in text and "Overdue" in text and "Running" in text
    assert "Keyword map" in text and "Planned" in text


def test_the_radar_is_drawn_as_vector_with_the_previous_audit(advised: Plan) -> None:
    context = build_context(advised, OPTIONS, today=TODAY, deadline=Deadline(90))
    uri = context["radar_chart"]
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.partition(",")[2]).decode()
    assert "Previous audit" in svg and "This audit" in svg and "Measurement" in svg


def test_empty_states_when_nothing_was_audited_or_added(db: None) -> None:
    plan = make_plan(name="Bare plan")
    review = export_review(plan, OPTIONS, today=TODAY)
    text = " ".join(pdf_text(review.pdf).split())
    assert "No capability audit yet" in text
    assert "No 90-day actions added to this plan yet." in text
    assert "Reach has no KPI" in text  # an empty plan still gets its findings


def test_many_findings_show_the_first_twelve_and_count_the_rest(db: None) -> None:
    plan = make_plan(name="Busy plan")
    for i in range(15):
        make_objective(plan=plan, stage="act", title=f"Idea number {i}")
    found = len(advisor_review(plan, today=TODAY).health.findings)
    text = " ".join(pdf_text(export_review(plan, OPTIONS, today=TODAY).pdf).split())
    assert f"and {found - 12} more, listed on the plan’s health check page." in text


def test_a_review_of_some_stages_says_the_health_check_covers_the_whole_plan(
    advised: Plan,
) -> None:
    note = "the health check judges the whole plan, so its score and findings include the stages"
    some = " ".join(pdf_text(export_review(advised, OPTIONS, today=TODAY).pdf).split())
    every = " ".join(pdf_text(export_review(advised, ReviewOptions(), today=TODAY).pdf).split())
    assert note in some
    assert note not in every
    assert "Advisor: plan health and capability" in every


def test_the_slides_gain_health_audit_and_actions(advised: Plan) -> None:
    slides = export_slides(advised, ReviewOptions(stages=("reach",), format="pptx"), today=TODAY)
    deck = Presentation(io.BytesIO(slides.pptx))
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title]
    score = advisor_review(advised, today=TODAY).health.score
    assert titles[-3:] == [
        f"Plan health (the whole plan): {score} / 100",  # a review of Reach alone
        "Capability audit",
        "90-day improvement actions",
    ]
    audit_slide = deck.slides[len(deck.slides) - 2]
    assert any(shape.shape_type == 13 for shape in audit_slide.shapes)  # the radar picture
    texts = " ".join(shape.text_frame.text for shape in audit_slide.shapes if shape.has_text_frame)
    assert "Measurement: 1.0 (-1.0)" in texts and "Lowest: Measurement" in texts


def _key(plan: Plan) -> str:
    return jobs.fingerprint(
        Plan.objects.select_related("workspace").get(pk=plan.pk), OPTIONS, TODAY
    )


def _new_audit(plan: Plan) -> None:
    _audit(plan, date(2026, 10, 1), {"reach.search": 4})


def _rescore(plan: Plan) -> None:
    answer = AuditAnswer.objects.get(audit__quarter_start=date(2026, 7, 1), question="act.forms")
    AuditAnswer.objects.filter(pk=answer.pk).update(score=4)


def _add_action(plan: Plan) -> None:
    _action(plan, title="Content calendar", end=TODAY)


def _tactic_deleted(plan: Plan) -> None:
    ImprovementAction.objects.get(title="Keyword map").tactic.delete()  # type: ignore[union-attr]


def _tactic_done(plan: Plan) -> None:
    action = ImprovementAction.objects.get(title="Search audit")
    assert action.tactic is not None
    Tactic.objects.filter(pk=action.tactic.pk).update(status="done", version=9)


@pytest.mark.parametrize(
    "change",
    [_new_audit, _rescore, _add_action, _tactic_deleted, _tactic_done],
    ids=lambda change: change.__name__.strip("_"),
)
def test_the_fingerprint_moves_with_the_advisor(
    advised: Plan, change: Callable[[Plan], None]
) -> None:
    before = _key(advised)
    change(advised)
    assert _key(advised) != before
