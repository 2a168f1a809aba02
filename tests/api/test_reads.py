"""The read endpoints with each kind of token: editor (owner), admin (teammate), viewer,
outsider, revoked, expired and none."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kpis.dashboards.snapshot import plan_snapshot
from tests.factories import make_kpi, make_measurement, make_objective, make_plan, make_tactic

UNAUTHORISED = ("revoked", "expired")


def _paths(plan, kpi):
    return [
        f"/api/v1/plans/{plan.pk}",
        f"/api/v1/plans/{plan.pk}/kpis/{kpi.pk}",
    ]


@pytest.mark.parametrize("member", ["editor", "admin_member", "viewer"])
def test_members_read_the_plan_and_its_kpi(request, api_as, plan, kpi, member):
    client = api_as(request.getfixturevalue(member))
    for path in _paths(plan, kpi):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/json")


def test_an_outsider_gets_404_for_another_workspace_s_plan_and_kpi(api_as, plan, kpi, outsider):
    client = api_as(outsider)
    for path in _paths(plan, kpi):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Spring push" not in response.content.decode()
        assert "no such plan" in response.json()["message"]
    assert client.get("/api/v1/plans").json()["count"] == 0
    assert plan.workspace.name not in str(client.get("/api/v1/workspaces").json())


@pytest.mark.parametrize("state", UNAUTHORISED)
def test_revoked_and_expired_tokens_get_401_with_what_to_do(api_as, editor, plan, kpi, state):
    client = api_as(editor, state=state)
    for path in ["/api/v1/workspaces", "/api/v1/plans", *_paths(plan, kpi)]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert "API tokens page" in response.json()["message"]
        assert response["WWW-Authenticate"] == "Bearer"


def test_no_token_or_a_session_login_gets_401_not_a_login_page(client, editor, plan):
    client.force_login(editor)
    response = client.get(f"/api/v1/plans/{plan.pk}")
    assert response.status_code == 401
    assert response.json()["message"].startswith("Send a valid API token")


def test_workspaces_list_the_user_s_roles(api_as, viewer, workspace, outsider):
    assert api_as(viewer).get("/api/v1/workspaces").json() == [
        {"id": workspace.pk, "name": "Acme", "slug": workspace.slug, "role": "viewer"}
    ]


def test_plans_are_paged_and_filtered_by_workspace(
    api_as, editor, workspace, django_assert_num_queries
):
    for n in range(53):
        make_plan(
            workspace=workspace,
            name=f"Plan {n}",
            period_start=date(2026, 1, 1) if n == 0 else date(2026, 7, 1),
        )
    make_plan(name="Someone else's")
    client = api_as(editor)
    first = client.get("/api/v1/plans").json()
    assert first["count"] == 53 and len(first["items"]) == 50
    second = client.get("/api/v1/plans", page=2).json()
    assert [p["name"] for p in second["items"]][-1] == "Plan 0"  # oldest period last
    assert client.get("/api/v1/plans", workspace=workspace.pk + 1000).json()["count"] == 0
    # token, rate limit and last use, count, page, writable workspaces: the same at any size
    with django_assert_num_queries(5):
        client.get("/api/v1/plans")


def test_viewers_see_they_cannot_write(api_as, viewer, editor, plan):
    assert api_as(viewer).get(f"/api/v1/plans/{plan.pk}").json()["can_write"] is False
    assert api_as(editor).get(f"/api/v1/plans/{plan.pk}").json()["can_write"] is True


def test_a_plan_comes_with_its_stages_objectives_tactics_and_kpis(
    api_as, editor, plan, kpi, django_assert_num_queries
):
    make_objective(plan=plan, stage="reach", title="Be found", kpi=kpi)
    make_tactic(plan=plan, stage="act", title="Blog posts")
    client = api_as(editor)
    client.get("/api/v1/workspaces")  # the token's first request opens its rate window
    with django_assert_num_queries(7):  # token, limit, plan, objectives, tactics, KPIs, sheets
        body = client.get(f"/api/v1/plans/{plan.pk}").json()
    stages = {stage["stage"]: stage for stage in body["stages"]}
    assert list(stages) == ["plan", "reach", "act", "convert", "engage"]
    assert stages["reach"]["objectives"][0]["title"] == "Be found"
    assert stages["reach"]["objectives"][0]["kpi_id"] == kpi.pk
    assert stages["reach"]["kpis"][0]["name"] == "Visitors"
    assert stages["act"]["tactics"][0]["title"] == "Blog posts"


def test_a_kpi_s_status_is_the_dashboard_s(api_as, editor, workspace):
    today = timezone.localdate()
    plan = make_plan(
        workspace=workspace,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=60),
    )
    kpi = make_kpi(plan=plan, baseline="100", target="200")
    make_measurement(kpi=kpi, on=today - timedelta(days=2), value="101")  # expected ~130: behind
    make_measurement(kpi=kpi, on=today - timedelta(days=40), value="500")  # before the period
    body = api_as(editor).get(f"/api/v1/plans/{plan.pk}/kpis/{kpi.pk}").json()
    dashboard = {item.kpi.pk: item for item in plan_snapshot(plan).kpis}[kpi.pk].progress
    assert body["status"]["status"] == dashboard.status.value == "off_track"
    assert body["status"]["latest"] == "101"
    assert len(body["actuals"]) == 2


def test_a_kpi_of_another_plan_is_404(api_as, editor, plan, workspace):
    other_plan = make_plan(workspace=workspace)
    other = make_kpi(plan=other_plan)
    assert api_as(editor).get(f"/api/v1/plans/{plan.pk}/kpis/{other.pk}").status_code == 404


def test_unknown_paths_and_ids_answer_json(api_as, editor):
    client = api_as(editor)
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and "endpoints are listed" in missing.json()["message"]
    assert client.get("/api/v1/plans/999999").status_code == 404
    assert client.get("/api/v1/plans/12345678901234567890123").status_code == 422
