"""The plan list and the read-only plan page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from plans.models import Plan, Workspace
from tests.factories import make_kpi, make_objective, make_plan, make_tactic


def test_plan_list_shows_only_my_workspaces(editor_client: Client, plan: Plan) -> None:
    hidden = make_plan(name="Someone else's plan")
    response = editor_client.get(reverse("plans-list"))
    assert response.status_code == 200
    assert plan.name in response.content.decode()
    assert hidden.name not in response.content.decode()
    assert "Acme" in response.content.decode()


def test_plan_list_empty_state_says_what_to_do(client: Client, outsider) -> None:
    client.force_login(outsider)
    response = client.get(reverse("plans-list"))
    assert "No plans yet" in response.content.decode()


def test_plan_list_paginates(editor_client: Client, workspace: Workspace) -> None:
    for i in range(30):
        make_plan(workspace=workspace, name=f"Plan {i:02}")
    first = editor_client.get(reverse("plans-list")).content.decode()
    second = editor_client.get(reverse("plans-list") + "?page=2").content.decode()
    assert "Page 1 of 2" in first and "Next page" in first
    assert first.count("<tr>") - 1 == 25 and second.count("<tr>") - 1 == 5


def test_plan_page_shows_every_stage_and_item(viewer_client: Client, plan: Plan) -> None:
    kpi = make_kpi(plan=plan, stage="convert", name="Orders <b>bold</b>")
    make_objective(plan=plan, stage="act", title="Double sign-ups", kpi=kpi)
    make_tactic(plan=plan, stage="reach", title="Spring reels", budget_planned="2500")
    response = viewer_client.get(reverse("plans-detail", args=[plan.pk]))
    html = response.content.decode()
    for heading in ("Plan", "Reach", "Act", "Convert", "Engage"):
        assert f">{heading}</h2>" in html
    assert "Double sign-ups" in html and "Spring reels" in html and "2,500" in html
    assert "Orders &lt;b&gt;bold&lt;/b&gt;" in html  # user text is escaped


def test_plan_page_query_count_is_flat(
    viewer_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    for i in range(20):
        make_tactic(plan=plan, stage="reach", title=f"T{i}")
        make_kpi(plan=plan, stage="act", name=f"K{i}")
    with django_assert_max_num_queries(12):
        viewer_client.get(reverse("plans-detail", args=[plan.pk]))


@pytest.mark.parametrize("url", ["/plans/999999/", "/plans/999999/dashboard/", "/no-such-page/"])
def test_unknown_address_is_404_in_app_look(editor_client: Client, url: str) -> None:
    response = editor_client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Back to your plans" in page and 'class="topbar"' in page


def test_login_page_in_app_look(client: Client, db: None) -> None:
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in html and "RACE Planner" in html
    assert "/static/css/app.css" in html


def test_login_then_logout(client: Client, editor) -> None:
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("plans-list")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "You are logged out" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("plans-list")).status_code == 302
    # Logging out again (an old tab) leads to the login page without claiming anything.
    again = client.post(reverse("logout"), follow=True)
    assert again.status_code == 200 and "You are logged out" not in again.content.decode()


def test_wrong_password_gives_a_clear_message(client: Client, editor) -> None:
    response = client.post(reverse("login"), {"username": editor.username, "password": "nope"})
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_change(client: Client, editor) -> None:
    from tests.factories import PASSWORD

    client.force_login(editor)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-pass-9281",
            "new_password2": "A-new-pass-9281",
        },
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password("A-new-pass-9281")


def test_htmx_and_csrf_wiring_in_base(editor_client: Client, plan: Plan) -> None:
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    # Every script and style sheet comes from our own static files, none from another host.
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources


def test_an_expired_security_token_is_explained_in_our_words(editor, plan: Plan) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("plans-item-create", args=[plan.pk, "reach", "tactic"])
    response = client.post(url, {"new-tactic-reach-title": "Ads"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 403 and "security token has expired" in html
    assert "data-reason" in html and "Reload the page" in html
    assert not plan.tactics.exists()


def test_logging_out_works_after_the_session_expired(db: None, client: Client) -> None:
    """A tab left open past the session: Log out still lands on the login page."""
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
