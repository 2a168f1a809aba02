"""The audit pages: list, start, answer, result, delete; with who may do what."""

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpis.advisor.audits.forms import note_name
from kpis.advisor.audits.questions import QUESTIONS
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Role, Workspace
from plans.quarters import Quarter
from tests.factories import make_member, make_workspace
from tests.markup import page_figures

TOTAL = len(QUESTIONS)


def _audit(
    workspace: Workspace, *, quarter_start: date | None = None, scores: dict[str, int] | None = None
) -> CapabilityAudit:
    start = quarter_start or Quarter.containing(timezone.localdate()).start
    audit = CapabilityAudit.objects.create(workspace=workspace, quarter_start=start)
    AuditAnswer.objects.bulk_create(
        AuditAnswer(audit=audit, question=key, score=score) for key, score in (scores or {}).items()
    )
    return audit


def _every(score: int) -> dict[str, int]:
    return {question.key: score for question in QUESTIONS}


def _post(client: Client, audit: CapabilityAudit, answers: dict[str, Any]) -> Any:
    data = {"version": str(audit.version), **{k: str(v) for k, v in answers.items()}}
    return client.post(reverse("kpis-audit-edit", args=[audit.pk]), data)


# The list


def test_list_offers_editors_to_start_this_quarter(
    editor_client: Client, workspace: Workspace
) -> None:
    html = editor_client.get(reverse("kpis-audits")).content.decode()
    assert "No audit yet." in html and "Start this quarter's audit" in html
    assert reverse("kpis-audit-start", args=[workspace.pk]) in html
    assert 'aria-current="page">Capability audit</a>' in html  # the top navigation


def test_list_shows_audits_newest_first_with_progress(
    viewer_client: Client, workspace: Workspace
) -> None:
    _audit(workspace, quarter_start=date(2026, 4, 1), scores=_every(2))
    _audit(
        workspace, quarter_start=date(2026, 7, 1), scores={"reach.search": 4, "act.lead_capture": 3}
    )
    html = viewer_client.get(reverse("kpis-audits")).content.decode()
    assert html.index("Q3 2026") < html.index("Q2 2026")
    assert f"2 of {TOTAL} answered" in html and f"{TOTAL} of {TOTAL} answered" in html
    assert "3.5 <span" in html and "2.0 <span" in html  # overall: the mean of every answer
    assert "Start this quarter" not in html  # a viewer reads only


def test_list_query_count_is_fixed(
    editor: User, editor_client: Client, workspace: Workspace, django_assert_num_queries: Any
) -> None:
    """Session, user, memberships, audits and the header's unread count: the same for one
    workspace or three, one audit or seven."""
    _audit(workspace, quarter_start=date(2026, 1, 1), scores=_every(3))
    with django_assert_num_queries(5):
        editor_client.get(reverse("kpis-audits"))
    for n in range(2):
        other = make_workspace()
        from plans.models import Membership

        Membership.objects.create(workspace=other, user=editor, role=Role.VIEWER)
        for month in (1, 4, 7):
            _audit(other, quarter_start=date(2025 - n, month, 1), scores=_every(4))
    with django_assert_num_queries(5):
        html = editor_client.get(reverse("kpis-audits")).content.decode()
    assert html.count("of 5</span>") == 7


# Starting


def test_start_makes_one_audit_a_quarter(editor_client: Client, workspace: Workspace) -> None:
    url = reverse("kpis-audit-start", args=[workspace.pk])
    first = editor_client.post(url, follow=True)
    audit = CapabilityAudit.objects.get(workspace=workspace)
    assert first.redirect_chain[-1][0] == reverse("kpis-audit-edit", args=[audit.pk])
    assert "audit started" in first.content.decode()
    again = editor_client.post(url, follow=True)
    assert again.redirect_chain[-1][0] == reverse("kpis-audit-edit", args=[audit.pk])
    assert "already has a" in again.content.decode()
    assert CapabilityAudit.objects.filter(workspace=workspace).count() == 1
    assert audit.quarter_start == Quarter.containing(timezone.localdate()).start


def test_start_refuses_viewers_and_outsiders(
    viewer_client: Client, outsider_client: Client, workspace: Workspace
) -> None:
    url = reverse("kpis-audit-start", args=[workspace.pk])
    assert viewer_client.post(url).status_code == 403
    assert outsider_client.post(url).status_code == 404
    assert viewer_client.get(url).status_code == 405
    assert not CapabilityAudit.objects.exists()


# Answering


def test_form_groups_questions_by_area_accessibly(
    editor_client: Client, workspace: Workspace
) -> None:
    audit = _audit(workspace, scores={"reach.search": 4})
    html = editor_client.get(reverse("kpis-audit-edit", args=[audit.pk])).content.decode()
    assert html.count('<fieldset class="card audit-area') == 7
    assert html.count('<fieldset class="audit-question') == TOTAL
    assert "<legend><h2>Planning and governance</h2></legend>" in html
    assert (
        'aria-describedby="id_reach.search-levels"' in html
        and 'id="id_reach.search-levels"' in html
    )
    assert 'name="reach.search" value="4" id="id_reach.search-4" checked' in html
    assert "How do you decide which search terms to rank for?" in html


def test_saving_part_of_the_audit(editor_client: Client, workspace: Workspace) -> None:
    audit = _audit(workspace)
    answers = {
        "reach.search": 4,
        note_name("reach.search"): "Keyword plan agreed",
        "engage.loyalty": 2,
    }
    response = _post(editor_client, audit, answers)
    assert response.status_code == 302 and response["Location"] == reverse(
        "kpis-audit", args=[audit.pk]
    )
    stored = {a.question: (a.score, a.note) for a in audit.answers.all()}
    assert stored == {"reach.search": (4, "Keyword plan agreed"), "engage.loyalty": (2, "")}
    audit.refresh_from_db()
    assert audit.version == 2
    page = editor_client.get(response["Location"]).content.decode()
    assert f"Audit saved: 2 of {TOTAL} answered." in page


def test_an_invalid_score_keeps_the_rest(editor_client: Client, workspace: Workspace) -> None:
    audit = _audit(workspace, scores={"act.lead_capture": 3})
    answers = {
        "reach.search": 7,
        "engage.loyalty": 2,
        note_name("engage.loyalty"): "Top 50 unknown",
    }
    response = _post(editor_client, audit, answers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a score from 1 to 5." in html and "Not saved: 1 question needs a look." in html
    assert 'name="engage.loyalty" value="2" id="id_engage.loyalty-2" checked' in html
    assert 'value="Top 50 unknown"' in html
    assert list(audit.answers.values_list("question", "score")) == [("act.lead_capture", 3)]


def test_a_note_without_a_score_is_not_dropped(editor_client: Client, workspace: Workspace) -> None:
    audit = _audit(workspace)
    response = _post(editor_client, audit, {note_name("plan.goals"): "Board sets them in January"})
    html = response.content.decode()
    assert response.status_code == 200 and "Choose a score to keep this note." in html
    assert 'value="Board sets them in January"' in html and 'aria-invalid="true"' in html
    assert not audit.answers.exists()


def test_a_stale_save_is_refused_and_keeps_the_input(
    editor_client: Client, workspace: Workspace
) -> None:
    audit = _audit(workspace)
    stale_version = audit.version
    assert _post(editor_client, audit, {"reach.search": 5}).status_code == 302  # someone else
    data = {"version": str(stale_version), "reach.search": "2", "act.lead_capture": "3"}
    response = editor_client.post(reverse("kpis-audit-edit", args=[audit.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "someone else saved this" in html
    assert "How do you decide which search terms to rank for?</dt><dd>5</dd>" in html
    assert 'name="act.lead_capture" value="3" id="id_act.lead_capture-3" checked' in html
    assert list(audit.answers.values_list("question", "score")) == [("reach.search", 5)]
    # The form now carries the current version: saving again replaces theirs.
    audit.refresh_from_db()
    assert f'name="version" value="{audit.version}"' in html
    assert _post(editor_client, audit, {"reach.search": 2}).status_code == 302
    assert list(audit.answers.values_list("score", flat=True)) == [2]


def test_answers_refuse_viewers_and_outsiders(
    viewer_client: Client, outsider_client: Client, workspace: Workspace
) -> None:
    audit = _audit(workspace)
    url = reverse("kpis-audit-edit", args=[audit.pk])
    assert viewer_client.get(url).status_code == 403
    assert _post(viewer_client, audit, {"reach.search": 1}).status_code == 403
    assert outsider_client.get(url).status_code == 404
    assert _post(outsider_client, audit, {"reach.search": 1}).status_code == 404
    assert not audit.answers.exists()


# The result


def test_result_draws_the_radar_with_the_previous_audit(
    viewer_client: Client, workspace: Workspace
) -> None:
    _audit(workspace, quarter_start=date(2026, 4, 1), scores={**_every(3), "engage.loyalty": 1})
    latest = _audit(
        workspace,
        quarter_start=date(2026, 7, 1),
        scores={**_every(4), "engage.loyalty": 1, "measurement.tracking": 1},
    )
    html = viewer_client.get(reverse("kpis-audit", args=[latest.pk])).content.decode()
    radar = page_figures(html)["radar"]
    assert [trace["name"] for trace in radar["data"]] == ["Q2 2026", "Q3 2026"]
    assert all(trace["type"] == "scatterpolar" for trace in radar["data"])
    assert 'src="/static/vendor/plotly-polar.min.js"' in html and "plotly-basic" not in html
    assert "Your weakest areas: Engage and Measurement." in html
    assert '<td class="num">3.4</td>' in html and '<span class="change-up">+0.8</span>' in html
    assert f"{TOTAL} of {TOTAL} answered" in html
    assert f"?workspace={workspace.pk}" in html  # to the plans, where the 90-day plan lives
    assert "Delete audit" not in html  # viewers read


def test_first_audit_has_no_overlay(editor_client: Client, workspace: Workspace) -> None:
    audit = _audit(workspace, scores={"reach.search": 5, "plan.goals": 2})
    html = editor_client.get(reverse("kpis-audit", args=[audit.pk])).content.decode()
    assert [trace["type"] for trace in page_figures(html)["radar"]["data"]] == ["scatterpolar"]
    assert "first audit" in html and "Continue the audit" in html


def test_result_without_answers_says_what_to_do(
    editor_client: Client, workspace: Workspace
) -> None:
    audit = _audit(workspace)
    html = editor_client.get(reverse("kpis-audit", args=[audit.pk])).content.decode()
    assert "No answers yet" in html and "Answer the questions" in html
    assert "plotly" not in html  # nothing to draw: no script to fetch either


@pytest.mark.parametrize(("earlier_audits", "expected"), [(0, 6), (1, 7), (4, 7)])
def test_result_query_count_is_fixed(
    editor_client: Client,
    workspace: Workspace,
    earlier_audits: int,
    expected: int,
    django_assert_num_queries: Any,
) -> None:
    """Session, user, the audit with its role, the previous audit, each audit's answers and the
    header's unread count; the same whatever the number of earlier audits."""
    for year in range(2022, 2022 + earlier_audits):
        _audit(workspace, quarter_start=date(year, 1, 1), scores=_every(2))
    audit = _audit(workspace, quarter_start=date(2026, 7, 1), scores=_every(4))
    with django_assert_num_queries(expected):
        assert editor_client.get(reverse("kpis-audit", args=[audit.pk])).status_code == 200


def test_another_workspaces_audit_is_not_found(
    editor_client: Client, viewer_client: Client, outsider_client: Client, workspace: Workspace
) -> None:
    elsewhere = _audit(make_workspace(), scores=_every(3))
    for client in (editor_client, viewer_client):
        for name in ("kpis-audit", "kpis-audit-edit", "kpis-audit-delete"):
            assert client.get(reverse(name, args=[elsewhere.pk])).status_code == 404
    mine = _audit(workspace)
    assert outsider_client.get(reverse("kpis-audit", args=[mine.pk])).status_code == 404
    assert editor_client.get(reverse("kpis-audit", args=[999_999])).status_code == 404


# Deleting


def test_delete_asks_first_then_deletes(editor_client: Client, workspace: Workspace) -> None:
    audit = _audit(workspace, scores={"reach.search": 3})
    url = reverse("kpis-audit-delete", args=[audit.pk])
    page = editor_client.get(url).content.decode()
    assert "Delete the Q" in page and "with its 1 answer and" in page and "Keep it" in page
    assert CapabilityAudit.objects.filter(pk=audit.pk).exists()
    response = editor_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("kpis-audits")
    assert "was deleted" in response.content.decode()
    assert not CapabilityAudit.objects.filter(pk=audit.pk).exists()
    assert not AuditAnswer.objects.exists()


def test_delete_refuses_viewers(viewer_client: Client, workspace: Workspace) -> None:
    audit = _audit(workspace)
    assert viewer_client.post(reverse("kpis-audit-delete", args=[audit.pk])).status_code == 403
    assert CapabilityAudit.objects.filter(pk=audit.pk).exists()


def test_the_foundations_member_roles(workspace: Workspace) -> None:
    admin = make_member(workspace=workspace, role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    assert client.post(reverse("kpis-audit-start", args=[workspace.pk])).status_code == 302
