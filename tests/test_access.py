"""Every URL of the project, walked as anonymous, outsider and viewer.

The URL list is discovered from the resolver, so a new view is covered the day it is added:
give its URL kwargs a value in OBJECT_KWARGS and, if it is not about one plan, say so below.
"""

from collections.abc import Iterator
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api import tokens
from kpis.advisor.models import CapabilityAudit
from kpis.models import Measurement, ReviewExport
from plans import access
from plans.models import Plan, Role
from sharing import links
from tests.factories import (
    make_kpi,
    make_measurement,
    make_member,
    make_objective,
    make_plan,
    make_tactic,
    make_workspace,
)

# What a share link opens, to anyone who has it: tests/sharing/test_public.py.
SHARED = {
    "sharing-dashboard",
    "sharing-review-pdf",
    "sharing-review-export",
    "sharing-review-download",
}
# Pages that are not about one plan, with what a logged-in viewer may do there.
NOT_PLAN_SCOPED = {
    "home",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "plans-list",
    "plans-create",
    "kpis-portfolio",
    "kpis-reverse-calculator",
    "kpis-audits",  # each of the user's workspaces' audits: tests/kpis/advisor/audits
    "api-tokens",  # a user's own tokens: tests/api/test_tokens_page.py
    "api-token-revoke",
    *SHARED,
    # A user's own notifications and settings: tests/nudges/test_views.py
    "nudges-list",
    "nudges-mark-read",
    "nudges-mark-all-read",
    "nudges-preferences",
    "nudges-unsubscribe",
}
# home only redirects to the plan list; an unsubscribe link is signed for one user and kind
PUBLIC = {"login", "logout", "home", "nudges-unsubscribe", *SHARED}


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # Django's admin has its own staff-only rules
            if entry.namespace == "api-v1":
                continue  # tokens, not sessions: tests/api walk it with every kind of token
            yield from walk(entry, prefix + str(entry.pattern))
        else:
            yield entry.name or "", entry, prefix + str(entry.pattern)


def project_urls() -> list[str]:
    return sorted({name for name, _, _ in walk(get_resolver()) if name})


def kwargs_for(name: str, plan: Plan, objects: dict[str, object]) -> dict[str, object]:
    resolver = get_resolver()
    for _, pattern, _route in walk(resolver):
        if pattern.name == name:
            wanted = pattern.pattern.regex.groupindex.keys()
            missing = [k for k in wanted if k not in objects]
            assert not missing, f"{name}: add a test value for URL kwargs {missing}"
            return {k: objects[k] for k in wanted}
    raise AssertionError(name)


@pytest.fixture
def world(db: None) -> dict[str, object]:
    workspace = make_workspace(name="Owners")
    plan = make_plan(workspace=workspace)
    kpi = make_kpi(plan=plan, name="Visitors")
    measurement: Measurement = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    objective = make_objective(plan=plan, kpi=kpi)
    tactic = make_tactic(plan=plan, objective=objective)
    viewer = make_member(workspace=workspace, role=Role.VIEWER)
    export = ReviewExport.objects.create(
        plan=plan, fingerprint="0" * 64, options={}, as_of=date(2026, 7, 6)
    )
    audit = CapabilityAudit.objects.create(workspace=workspace, quarter_start=date(2026, 7, 1))
    shared = links.create_link(
        plan, created_by=viewer, label="shared", expires_on=date(2100, 1, 1), with_pdf=True
    )
    return {
        "workspace": workspace,
        "workspace_id": workspace.pk,
        "audit_id": audit.pk,
        "viewer": viewer,
        "plan_id": plan.pk,
        "kpi_id": kpi.pk,
        "objective_id": objective.pk,
        "tactic_id": tactic.pk,
        "item_id": tactic.pk,
        "measurement_id": measurement.pk,
        "export_id": export.pk,
        "token_id": tokens.create_token(viewer, label="viewer's", expires_on=None).token.pk,
        "link_id": shared.link.pk,
        "token": shared.secret,
        "worksheet_id": plan.worksheets.get(stage="reach").pk,
        "notification_id": 1,
        "signed": "not-a-signed-token",
        "stage": "reach",
        "history_id": 1,
        "kind": "tactic",
        "plan": plan,
    }


def test_url_list_is_not_empty() -> None:
    names = project_urls()
    assert "plans-detail" in names and "plans-list" in names


def test_every_url_needs_login(client: Client, world: dict[str, object]) -> None:
    """A page goes to the login page; an htmx request gets 401, so the page can say so and keep
    the user's input instead of swapping the login page into a row."""
    plan = world["plan"]
    assert isinstance(plan, Plan)
    for name in project_urls():
        if name in PUBLIC:
            continue
        url = reverse(name, kwargs=kwargs_for(name, plan, world))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 405), f"anonymous {method} {name}"
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), name
            htmx = getattr(client, method)(url, HTTP_HX_REQUEST="true")
            assert htmx.status_code in (401, 405), f"anonymous htmx {method} {name}"


def test_outsider_gets_404_on_every_plan_url(world: dict[str, object]) -> None:
    plan = world["plan"]
    assert isinstance(plan, Plan)
    outsider = make_member(workspace=make_workspace(), role=Role.ADMIN)
    client = Client()
    client.force_login(outsider)
    checked = 0
    for name in project_urls():
        if name in NOT_PLAN_SCOPED:
            continue
        url = reverse(name, kwargs=kwargs_for(name, plan, world))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (
                f"outsider {method} {name}: {response.status_code}"
            )
        checked += 1
    assert checked >= 1


def test_viewer_cannot_write_anywhere(world: dict[str, object]) -> None:
    """A viewer's POST is refused (403) wherever POST is allowed; GET pages still open."""
    plan = world["plan"]
    viewer = world["viewer"]
    assert isinstance(plan, Plan) and isinstance(viewer, User)
    client = Client()
    client.force_login(viewer)
    before = plan.version
    for name in project_urls():
        if name in PUBLIC or name in {
            "password_change",
            "kpis-reverse-calculator",
            "api-tokens",
            "api-token-revoke",
            # Everyone reads and sets their own notifications: tests/nudges/test_views.py
            "nudges-mark-read",
            "nudges-mark-all-read",
            "nudges-preferences",
        }:
            continue
        url = reverse(name, kwargs=kwargs_for(name, plan, world))
        response = client.post(url, {"name": "Hijacked", "title": "Hijacked", "value": "1"})
        assert response.status_code in (403, 405), f"viewer POST {name}: {response.status_code}"
    plan.refresh_from_db()
    assert plan.name != "Hijacked" and plan.version == before


def test_access_helper_roles(world: dict[str, object]) -> None:
    plan = world["plan"]
    workspace = world["workspace"]
    assert isinstance(plan, Plan)
    editor = make_member(workspace=workspace, role=Role.EDITOR)  # type: ignore[arg-type]
    viewer = world["viewer"]
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    assert access.plan_for_editor(editor, plan.pk) == plan
    assert access.can_edit(access.plan_for_viewer(editor, plan.pk))
    assert not access.can_edit(access.plan_for_viewer(viewer, plan.pk))  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        access.plan_for_editor(viewer, plan.pk)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        access.plan_for_admin(editor, plan.pk)
    with pytest.raises(Http404):
        access.plan_for_viewer(make_member(workspace=make_workspace()), plan.pk)
    with pytest.raises(Http404):
        access.plan_for_viewer(editor, 999_999)
    assert list(access.visible_plans(editor)) == [plan]


# Writes still open on an archived plan: reopening it, starting next quarter from it, and
# sharing it read-only (creating and revoking links changes nothing of the plan).
OPEN_WHEN_ARCHIVED = {"plans-settings", "plans-roll-forward", "sharing-links", "sharing-revoke"}
# A workspace's capability audits belong to no plan: archiving one leaves them open.
WORKSPACE_LEVEL = {"kpis-audit-start", "kpis-audit", "kpis-audit-edit", "kpis-audit-delete"}


def test_archived_plan_is_frozen_for_editors(world: dict[str, object]) -> None:
    """An editor's POST to an archived plan is refused with the reason, except where it reopens."""
    plan = world["plan"]
    assert isinstance(plan, Plan)
    Plan.objects.filter(pk=plan.pk).update(status="archived")
    editor = make_member(workspace=world["workspace"], role=Role.EDITOR)  # type: ignore[arg-type]
    client = Client()
    client.force_login(editor)
    refused = 0
    for name in project_urls():
        if name in PUBLIC | NOT_PLAN_SCOPED | OPEN_WHEN_ARCHIVED | WORKSPACE_LEVEL:
            continue
        url = reverse(name, kwargs=kwargs_for(name, plan, world))
        response = client.post(url, {"name": "Changed", "title": "Changed", "value": "1"})
        assert response.status_code in (403, 405), f"editor POST {name}: {response.status_code}"
        if response.status_code == 403 and name != "plans-delete":
            assert access.ARCHIVED_MESSAGE in response.content.decode(), name
            refused += 1
    assert refused >= 10
    assert Measurement.objects.filter(value=1).count() == 0
    page = client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert "archived and read-only" in page
    assert reverse("plans-settings", args=[plan.pk]) in page
    assert reverse("plans-item-create", args=[plan.pk, "reach", "tactic"]) not in page


def test_archived_plan_can_be_reopened(world: dict[str, object]) -> None:
    plan = world["plan"]
    assert isinstance(plan, Plan)
    Plan.objects.filter(pk=plan.pk).update(status="archived")
    plan.refresh_from_db()
    editor = make_member(workspace=world["workspace"], role=Role.EDITOR)  # type: ignore[arg-type]
    client = Client()
    client.force_login(editor)
    form = client.get(reverse("plans-settings", args=[plan.pk])).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(status="active", version=plan.version)
    response = client.post(reverse("plans-settings", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "active"
    assert access.can_edit(access.plan_for_editor(editor, plan.pk))


@pytest.mark.parametrize(
    "plan_id", [10**6, 10**18 - 1], ids=["unknown", "the largest id a URL takes"]
)
@pytest.mark.parametrize("page", ["plans-detail", "kpis-dashboard", "plans-history"])
def test_a_plan_id_that_is_no_plan_is_a_404(
    world: dict[str, object], plan_id: int, page: str
) -> None:
    viewer = world["viewer"]
    assert isinstance(viewer, User)
    client = Client()
    client.force_login(viewer)
    assert client.get(reverse(page, args=[plan_id])).status_code == 404
    nineteen_digits = reverse(page, args=[1]).replace("/1/", f"/{10**18}/")  # past what URLs take
    assert client.get(nineteen_digits).status_code == 404
