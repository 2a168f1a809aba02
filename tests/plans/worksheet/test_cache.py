"""The worksheet's stages kept as HTML between views (plans/worksheet/cache.py): a view after
no change reads no content, and every change, by any door, shows at once to everyone else."""

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api import tokens
from plans.models import KPI, Plan, Tactic, Workspace
from plans.worksheet import cache, stage_html
from tests.calls import calls_of
from tests.factories import (
    fill_worksheet,
    make_kpi,
    make_measurement,
    make_objective,
    make_plan,
    make_tactic,
)

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
ANY_TOKEN = re.compile(r"[A-Za-z0-9]{64}")  # a masked CSRF token, in fields and hx-headers

Check = Callable[[str], bool]  # what a page must show after the change


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def both(workspace: Workspace) -> Plan:
    """A plan for both audiences: a KPI, the objective it measures, two tactics."""
    plan = make_plan(workspace=workspace, name="Both ways", audience="both")
    kpi = make_kpi(plan=plan, name="Zeta visits")
    make_objective(plan=plan, title="Grow reach", kpi=kpi)
    make_tactic(plan=plan, title="Spring reels", position=0)
    make_tactic(plan=plan, title="Autumn ads", position=1)
    return plan


def _page(client: Client, plan: Plan) -> str:
    response = client.get(reverse("plans-detail", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _item(plan: Plan, model: Any, **lookup: str) -> Any:
    return model._default_manager.get(plan=plan, **lookup)


def _form(prefix: str, **values: str) -> dict[str, str]:
    return {f"{prefix}-{name}": value for name, value in values.items()}


TACTIC = {
    "title": "Spring reels",
    "audience": "all",
    "channel": "",
    "media": "owned",
    "owner": "",
    "budget_planned": "0",
    "budget_spent": "0",
    "start_date": "",
    "end_date": "",
    "status": "planned",
    "objective": "",
    "description": "",
}
KPI_FORM = {
    "name": "Zeta visits",
    "audience": "all",
    "unit": "count",
    "direction": "up",
    "baseline": "0",
    "target": "10",
    "definition": "",
    "description": "",
    "owner": "",
    "cadence": "weekly",
}


def _latest(value: str) -> Check:
    return lambda html: f"Latest <strong>{value}</strong>" in html


# Each door: prepare, let the others look (`look`), change the plan as the editor, then say
# what every page must show.


def notes_edited(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    sheet = plan.worksheets.get(stage="reach")
    data = _form(
        "ws-reach",
        opportunity="Untapped short-video audience",
        strategy="",
        actions="",
        primary_kpi="",
        version=str(sheet.version),
    )
    url = reverse("plans-worksheet-update", args=[plan.pk, sheet.pk])
    assert client.post(url, data, **HX).status_code == 200
    return lambda html: "Untapped short-video audience" in html


def primary_kpi_chosen(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    sheet, kpi = plan.worksheets.get(stage="reach"), _item(plan, KPI, name="Zeta visits")
    data = _form(
        "ws-reach", opportunity="", strategy="", actions="", primary_kpi=str(kpi.pk), version="1"
    )
    url = reverse("plans-worksheet-update", args=[plan.pk, sheet.pk])
    assert client.post(url, data).status_code == 302
    return lambda html: (
        f'<option value="{kpi.pk}" selected>Zeta visits</option>' in html  # editors: the select
        if 'id="ws-form-reach"' in html
        else "<strong>Primary KPI (funnel volume):</strong> Zeta visits" in html
    )


def objective_added(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    data = _form(
        "new-objective-reach",
        title="Win back lapsed buyers",
        audience="b2c",
        kpi="",
        target_date="",
        description="",
        position="1",
    )
    url = reverse("plans-item-create", args=[plan.pk, "reach", "objective"])
    assert client.post(url, data, **HX).status_code == 200
    return lambda html: (
        "Win back lapsed buyers" in html and 'id="count-reach-objective">(2)' in html
    )


def tactic_renamed(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    tactic = _item(plan, Tactic, title="Spring reels")
    data = _form(f"tactic-{tactic.pk}", **{**TACTIC, "title": "Summer reels", "version": "1"})
    url = reverse("plans-item-update", args=[plan.pk, "tactic", tactic.pk])
    assert client.post(url, data, **HX).status_code == 200
    return lambda html: "Summer reels" in html and "Spring reels" not in html


def kpi_renamed(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    kpi = _item(plan, KPI, name="Zeta visits")
    data = _form(f"kpi-{kpi.pk}", **{**KPI_FORM, "name": "Sessions", "version": "1"})
    url = reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])
    assert client.post(url, data).status_code == 302
    # the objective it measures says so too
    return lambda html: (
        f'kpi-name-{kpi.pk}">Sessions</strong>' in html and "Zeta visits" not in html
    )


def tactic_deleted(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    tactic = _item(plan, Tactic, title="Spring reels")
    url = reverse("plans-item-delete", args=[plan.pk, "tactic", tactic.pk])
    assert client.post(url, **HX).status_code == 200
    return lambda html: "Spring reels" not in html and "Autumn ads" in html


def kpi_deleted(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    kpi = _item(plan, KPI, name="Zeta visits")
    url = reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk])
    assert client.post(url).status_code == 302
    return lambda html: f'id="kpi-{kpi.pk}"' not in html and "No KPI linked" in html


def tactic_moved_up(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    tactic = _item(plan, Tactic, title="Autumn ads")
    url = reverse("plans-item-move", args=[plan.pk, "tactic", tactic.pk])
    assert client.post(url, {"direction": "up"}, **HX).status_code == 200
    return lambda html: html.index("Autumn ads") < html.index("Spring reels")


def tactic_moved_to_b2b(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    tactic = _item(plan, Tactic, title="Spring reels")
    url = reverse("plans-item-move", args=[plan.pk, "tactic", tactic.pk])
    assert client.post(url, {"audience": "b2b"}).status_code == 302
    return lambda html: html.index('id="list-reach-tactic-b2b"') < html.index("Spring reels")


def tactic_restored(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    tactic = _item(plan, Tactic, title="Spring reels")
    client.post(reverse("plans-item-delete", args=[plan.pk, "tactic", tactic.pk]))
    look()
    record = Tactic.history.get(id=tactic.pk, history_type="-")
    url = reverse("plans-history-restore", args=[plan.pk, "tactic", record.pk])
    assert client.post(url).status_code == 302
    return lambda html: "Spring reels" in html


def kpi_restored(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    kpi = _item(plan, KPI, name="Zeta visits")
    client.post(reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk]))
    look()
    record = KPI.history.get(id=kpi.pk, history_type="-")
    url = reverse("plans-history-restore", args=[plan.pk, "kpi", record.pk])
    assert client.post(url).status_code == 302
    return lambda html: f'kpi-name-{kpi.pk}">Zeta visits</strong>' in html


def actual_added_by_form(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    kpi = _item(plan, KPI, name="Zeta visits")
    data = _form(f"m{kpi.pk}", date="2026-07-06", value="120", note="")
    url = reverse("kpis-measurement-add", args=[plan.pk, kpi.pk])
    assert client.post(url, data).status_code == 302
    return _latest("120")


def actual_checked_in(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    look()
    kpi = _item(plan, KPI, name="Zeta visits")
    data = {"date": "2026-07-13", "note": "", f"kpi_{kpi.pk}": "150"}
    assert client.post(reverse("kpis-check-in", args=[plan.pk]), data).status_code == 302
    return _latest("150")


def actual_corrected(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    kpi = _item(plan, KPI, name="Zeta visits")
    actual = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    look()
    data = _form(f"e{actual.pk}", date="2026-07-06", value="135", note="", version="1")
    url = reverse("kpis-measurement-edit", args=[plan.pk, actual.pk])
    assert client.post(url, data, **HX).status_code == 200
    return _latest("135")


def actual_deleted(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    kpi = _item(plan, KPI, name="Zeta visits")
    actual = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    look()
    url = reverse("kpis-measurement-delete", args=[plan.pk, actual.pk])
    assert client.post(url, **HX).status_code == 200
    return lambda html: "No actuals yet" in html and "Latest <strong>" not in html


def actuals_imported_from_csv(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    make_measurement(kpi=_item(plan, KPI, name="Zeta visits"), on=date(2026, 7, 6), value="120")
    look()
    text = "kpi,date,value,note\nZeta visits,2026-07-06,121,\nZeta visits,2026-07-13,777,\n"
    assert client.post(reverse("kpis-import", args=[plan.pk]), {"text": text}).status_code == 302
    return _latest("777")


def actual_sent_by_api(client: Client, plan: Plan, look: Callable[[], None]) -> Check:
    kpi = _item(plan, KPI, name="Zeta visits")
    writer = User.objects.get(username="eddie-editor")
    secret = tokens.create_token(writer, label="sync", expires_on=None).secret
    look()
    response = Client().post(
        f"/api/v1/plans/{plan.pk}/kpis/{kpi.pk}/actuals",
        {"date": "2026-07-20", "value": 555},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201
    return _latest("555")


DOORS = [
    notes_edited,
    primary_kpi_chosen,
    objective_added,
    tactic_renamed,
    kpi_renamed,
    tactic_deleted,
    kpi_deleted,
    tactic_moved_up,
    tactic_moved_to_b2b,
    tactic_restored,
    kpi_restored,
    actual_added_by_form,
    actual_checked_in,
    actual_corrected,
    actual_deleted,
    actuals_imported_from_csv,
    actual_sent_by_api,
]


@pytest.mark.parametrize("door", DOORS, ids=lambda door: door.__name__)
def test_every_change_shows_at_once_to_another_editor_and_to_a_viewer(
    door: Callable[[Client, Plan, Callable[[], None]], Check],
    editor_client: Client,
    other_editor_client: Client,
    viewer_client: Client,
    both: Plan,
) -> None:
    readers = {"editor": editor_client, "other editor": other_editor_client}
    readers["viewer"] = viewer_client
    before: dict[str, str] = {}

    def look() -> None:  # twice: the second view is served from what the first one kept
        for name, reader in readers.items():
            _page(reader, both)
            before[name] = _page(reader, both)

    shows = door(editor_client, both, look)
    for name, reader in readers.items():
        assert not shows(before[name]), f"{name} saw it before the change"
        assert shows(_page(reader, both)), f"{name} does not see the change"


def test_a_plans_own_settings_show_at_once(
    editor_client: Client, viewer_client: Client, plan: Plan
) -> None:
    """Currency, audience and period come from the plan row (its `updated_at`)."""
    make_tactic(plan=plan, budget_planned="900")
    for reader in (editor_client, viewer_client):
        assert "900 EUR" in _page(reader, plan)
    plan.currency = "USD"
    plan.save()
    for reader in (editor_client, viewer_client):
        assert "900 USD" in _page(reader, plan)


def test_an_archived_plan_loses_its_forms_at_once(editor_client: Client, plan: Plan) -> None:
    make_tactic(plan=plan, title="Spring reels")
    assert 'id="ws-form-reach"' in _page(editor_client, plan)
    plan.status = "archived"
    plan.save()
    html = _page(editor_client, plan)
    assert 'id="ws-form-reach"' not in html and "Spring reels" in html


def test_a_kpi_owner_renamed_shows_at_once(
    editor_client: Client, viewer_client: Client, plan: Plan, other_editor: User
) -> None:
    kpi = make_kpi(plan=plan, name="Zeta visits")
    kpi.owner = other_editor
    kpi.save()
    for reader in (editor_client, viewer_client):
        assert "Owner erin-editor, weekly" in _page(reader, plan)
    other_editor.first_name, other_editor.last_name = "Erin", "Ames"
    other_editor.save()
    for reader in (editor_client, viewer_client):
        assert "Owner Erin Ames, weekly" in _page(reader, plan)
    other_editor.delete()
    for reader in (editor_client, viewer_client):
        assert "Owner the plan&#x27;s creator, weekly" in _page(reader, plan)


def test_the_next_day_judges_again(editor_client: Client, plan: Plan) -> None:
    """Statuses move with time: an actual dated tomorrow shows from tomorrow on."""
    today = timezone.localdate()
    make_measurement(kpi=make_kpi(plan=plan), on=today + timedelta(days=1), value="321")
    assert "No actuals yet" in _page(editor_client, plan)
    with mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=1)):
        assert "Latest <strong>321</strong>" in _page(editor_client, plan)


# --- what a view costs -------------------------------------------------------------------------


@pytest.mark.parametrize("per_stage", [5, 50])
def test_a_view_after_no_change_reads_no_content(
    editor_client: Client,
    viewer_client: Client,
    plan: Plan,
    per_stage: int,
    django_assert_num_queries: Any,
) -> None:
    fill_worksheet(plan, per_stage=per_stage)
    make_measurement(kpi=plan.kpis.all()[0], on=date(2026, 7, 6), value="5")
    for reader in (editor_client, viewer_client):
        # the first view after a change: session, user, plan + role, worksheets, objectives,
        # tactics, KPIs, the KPIs' readings, the header's unread count
        with django_assert_num_queries(9):
            first = _page(reader, plan)
        # then: session, user, plan + role (its content revision), unread count
        with django_assert_num_queries(4):
            again = _page(reader, plan)
        assert ANY_TOKEN.sub("", again) == ANY_TOKEN.sub("", first)
        assert again.count('class="item-row item-tactic"') == 5 * per_stage


def test_a_change_writes_again_only_the_stages_it_touches(
    editor_client: Client, viewer_client: Client, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_worksheet(plan, per_stage=2)
    written = calls_of(monkeypatch, stage_html, "stage_section", lambda page: page.stage.value)
    _page(editor_client, plan)
    assert written == ["plan", "reach", "act", "convert", "engage"]
    tactic = plan.tactics.get(stage="act", position=1)
    url = reverse("plans-item-update", args=[plan.pk, "tactic", tactic.pk])
    data = _form(f"tactic-{tactic.pk}", **{**TACTIC, "title": "Act reels", "version": "1"})
    assert editor_client.post(url, data, **HX).status_code == 200
    written.clear()
    assert "Act reels" in _page(editor_client, plan)
    assert written == ["act"]
    # Each reader kind its own stages: a viewer's are written once, then kept alike.
    assert "Act reels" in _page(viewer_client, plan) and len(written) == 6
    make_measurement(kpi=plan.kpis.get(stage="convert", position=0), on=date(2026, 7, 6), value="5")
    written.clear()
    assert "Latest <strong>" in _page(viewer_client, plan)
    assert written == ["convert"]


# --- CSRF ---------------------------------------------------------------------------------------


def test_kept_html_carries_each_readers_own_csrf_token(
    editor: User, other_editor: User, plan: Plan
) -> None:
    tactic = make_tactic(plan=plan, title="Spring reels")
    make_tactic(plan=plan, title="Autumn ads", position=1)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(editor)
    second.force_login(other_editor)
    pages = {"first": _page(first, plan), "second": _page(second, plan)}  # built, then kept
    secrets = {
        "first": first.cookies["csrftoken"].value,
        "second": second.cookies["csrftoken"].value,
    }
    assert secrets["first"] != secrets["second"]
    for name, html in pages.items():
        found = TOKEN.findall(html)
        assert len(found) > 5 and "csrf-slot" not in html  # move forms, notes, log out
        assert {_unmask_cipher_token(token) for token in found} == {secrets[name]}
    # A form without JavaScript posts with the token its page gave; another's is refused.
    move = reverse("plans-item-move", args=[plan.pk, "tactic", tactic.pk])
    theirs = TOKEN.findall(pages["first"])[0]
    refused = second.post(move, {"direction": "down", "csrfmiddlewaretoken": theirs})
    assert refused.status_code == 403
    own = TOKEN.findall(pages["second"])[0]
    moved = second.post(move, {"direction": "down", "csrfmiddlewaretoken": own})
    assert moved.status_code == 302
    assert _page(first, plan).index("Autumn ads") < _page(first, plan).index("Spring reels")


# --- what a process keeps ------------------------------------------------------------------------


def test_the_least_recently_viewed_plans_go_first(
    editor_client: Client, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = [make_plan(workspace=workspace, name=f"Plan {n}") for n in range(3)]
    html = [_page(editor_client, plan) for plan in plans]
    size = max(cache.stage_sections(plan, can_edit=True).size for plan in plans)
    monkeypatch.setattr(cache._kept, "max_bytes", size * 2)
    cache.clear()
    for plan in (plans[0], plans[1], plans[0], plans[2]):  # plan 1 is the least recent
        cache.stage_sections(plan, can_edit=True)
    kept = {plan.pk for plan in plans if cache._kept.get((plan.pk, True), cache.stamp(plan))}
    assert kept == {plans[0].pk, plans[2].pk} and len(html) == 3
