"""The plan dashboard kept between views (kpis/dashboards/cache.py): a view after no change
reads none of the plan's content, and every change, by any door, shows at once to another
editor, a viewer and a share link; nothing of one reader reaches another."""

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpis.dashboards import board, cache
from plans.models import KPI, Plan, Tactic, Workspace
from tests.calls import calls_of
from tests.factories import make_kpi, make_measurement, make_plan, make_tactic
from tests.plans.worksheet.test_cache import (  # the same edits and the same second editor
    ANY_TOKEN,
    KPI_FORM,
    TACTIC,
    _form,
)
from tests.sharing.conftest import public_url, share

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')

Check = Callable[[str], bool]  # what a dashboard must show after the change
Look = Callable[[], None]


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shown(workspace: Workspace) -> Plan:
    """A plan with a KPI (target 10), a tactic with a budget, and a KPI without actuals."""
    plan = make_plan(workspace=workspace, name="Kept board")
    make_kpi(plan=plan, name="Zeta visits", baseline="0", target="10")
    make_kpi(plan=plan, name="Quiet one", stage="act", position=1)
    make_tactic(plan=plan, title="Spring reels", budget_planned="900", budget_spent="100")
    return plan


def _dashboard(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _kpi(plan: Plan, name: str = "Zeta visits") -> KPI:
    return KPI.objects.get(plan=plan, name=name)


def _latest(value: str) -> Check:
    return lambda html: f'<p class="kpi-figures"><strong>{value}</strong>' in html


# Each door: prepare, let the others look (`look`), change the plan as the editor, then say
# what every dashboard must show.


def actual_added(client: Client, plan: Plan, look: Look) -> Check:
    look()
    kpi = _kpi(plan)
    data = _form(f"m{kpi.pk}", date="2026-07-06", value="120", note="")
    url = reverse("kpis-measurement-add", args=[plan.pk, kpi.pk])
    assert client.post(url, data).status_code == 302
    return _latest("120")


def actual_checked_in(client: Client, plan: Plan, look: Look) -> Check:
    look()
    data = {"date": "2026-07-13", "note": "", f"kpi_{_kpi(plan).pk}": "150"}
    assert client.post(reverse("kpis-check-in", args=[plan.pk]), data).status_code == 302
    return _latest("150")


def actual_edited(client: Client, plan: Plan, look: Look) -> Check:
    actual = make_measurement(kpi=_kpi(plan), on=date(2026, 7, 6), value="120")
    look()
    data = _form(f"e{actual.pk}", date="2026-07-06", value="135", note="", version="1")
    url = reverse("kpis-measurement-edit", args=[plan.pk, actual.pk])
    assert client.post(url, data, **HX).status_code == 200
    return _latest("135")


def actual_deleted(client: Client, plan: Plan, look: Look) -> Check:
    kpi = _kpi(plan)
    actual = make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    look()
    url = reverse("kpis-measurement-delete", args=[plan.pk, actual.pk])
    assert client.post(url, **HX).status_code == 200
    return lambda html: f'class="card kpi-card kpi-empty" id="kpi-{kpi.pk}"' in html


def actuals_imported_from_csv(client: Client, plan: Plan, look: Look) -> Check:
    make_measurement(kpi=_kpi(plan), on=date(2026, 7, 6), value="120")
    look()
    text = "kpi,date,value,note\nZeta visits,2026-07-06,121,\nZeta visits,2026-07-13,777,\n"
    assert client.post(reverse("kpis-import", args=[plan.pk]), {"text": text}).status_code == 302
    return _latest("777")


def _kpi_edited(client: Client, plan: Plan, **changes: str) -> None:
    kpi = _kpi(plan)
    data = _form(f"kpi-{kpi.pk}", **{**KPI_FORM, "baseline": "0", **changes, "version": "1"})
    url = reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])
    assert client.post(url, data).status_code == 302


def kpi_renamed(client: Client, plan: Plan, look: Look) -> Check:
    look()
    _kpi_edited(client, plan, name="Sessions")
    return lambda html: "Sessions" in html and "Zeta visits" not in html


def target_changed(client: Client, plan: Plan, look: Look) -> Check:
    make_measurement(kpi=_kpi(plan), on=date(2026, 7, 6), value="5")
    look()
    _kpi_edited(client, plan, target="4321")
    return lambda html: '<strong>5</strong> <span class="muted">of 4,321</span>' in html


def kpi_deleted(client: Client, plan: Plan, look: Look) -> Check:
    kpi = _kpi(plan)
    look()
    url = reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk])
    assert client.post(url).status_code == 302
    return lambda html: f'id="kpi-{kpi.pk}"' not in html and "Quiet one" in html


def tactic_budget_changed(client: Client, plan: Plan, look: Look) -> Check:
    look()
    tactic = Tactic.objects.get(plan=plan, title="Spring reels")
    changes = {"budget_planned": "4567", "budget_spent": "100", "version": "1"}
    data = _form(f"tactic-{tactic.pk}", **{**TACTIC, **changes})
    url = reverse("plans-item-update", args=[plan.pk, "tactic", tactic.pk])
    assert client.post(url, data, **HX).status_code == 200
    return lambda html: '<td class="num">4,567</td>' in html


def primary_kpi_chosen(client: Client, plan: Plan, look: Look) -> Check:
    look()
    sheet, kpi = plan.worksheets.get(stage="reach"), _kpi(plan)
    data = _form(
        "ws-reach", opportunity="", strategy="", actions="", primary_kpi=str(kpi.pk), version="1"
    )
    url = reverse("plans-worksheet-update", args=[plan.pk, sheet.pk])
    assert client.post(url, data).status_code == 302
    return lambda html: '<span class="muted">Zeta visits</span></span>' in html  # the funnel


DOORS = [
    actual_added,
    actual_checked_in,
    actual_edited,
    actual_deleted,
    actuals_imported_from_csv,
    kpi_renamed,
    target_changed,
    kpi_deleted,
    tactic_budget_changed,
    primary_kpi_chosen,
]


@pytest.mark.parametrize("door", DOORS, ids=lambda door: door.__name__)
def test_every_change_shows_at_once_to_another_editor_a_viewer_and_a_share_link(
    door: Callable[[Client, Plan, Look], Check],
    editor: User,
    editor_client: Client,
    other_editor_client: Client,
    viewer_client: Client,
    shown: Plan,
) -> None:
    members_url = reverse("kpis-dashboard", args=[shown.pk])
    readers = {
        "other editor": (other_editor_client, members_url),
        "viewer": (viewer_client, members_url),
        "share link": (Client(), public_url(share(shown, by=editor))),
    }
    before: dict[str, str] = {}

    def look() -> None:  # twice: the second view is served from what the first one kept
        for name, (reader, url) in readers.items():
            _dashboard(reader, url)
            before[name] = _dashboard(reader, url)

    shows = door(editor_client, shown, look)
    for name, (reader, url) in readers.items():
        assert not shows(before[name]), f"{name} saw it before the change"
        assert shows(_dashboard(reader, url)), f"{name} does not see the change"


def test_a_plans_own_settings_show_at_once(viewer_client: Client, shown: Plan) -> None:
    """The currency of money KPIs' cards comes from the plan row (its `updated_at`)."""
    spend = make_kpi(plan=shown, name="Spend", unit="currency", baseline="0", target="500")
    make_measurement(kpi=spend, on=date(2026, 7, 6), value="120")
    url = reverse("kpis-dashboard", args=[shown.pk])
    for _ in range(2):
        assert "<strong>EUR 120.00</strong>" in _dashboard(viewer_client, url)
    shown.currency = "USD"
    shown.save()
    assert "<strong>USD 120.00</strong>" in _dashboard(viewer_client, url)


def test_an_archived_plan_stops_offering_to_add_actuals_at_once(
    editor_client: Client, shown: Plan
) -> None:
    url = reverse("kpis-dashboard", args=[shown.pk])
    assert ">Add an actual</a>" in _dashboard(editor_client, url)
    shown.status = "archived"
    shown.save()
    assert ">Add an actual</a>" not in _dashboard(editor_client, url)


def test_the_next_day_judges_again(viewer_client: Client, workspace: Workspace) -> None:
    """Statuses move with time: an actual dated tomorrow counts from tomorrow on."""
    today = timezone.localdate()
    plan = make_plan(workspace=workspace, period_start=today, period_end=today + timedelta(9))
    make_measurement(kpi=make_kpi(plan=plan), on=today + timedelta(days=1), value="321")
    url = reverse("kpis-dashboard", args=[plan.pk])
    assert "<strong>–</strong>" in _dashboard(viewer_client, url)
    with mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=1)):
        assert "<strong>321</strong>" in _dashboard(viewer_client, url)


def test_a_kpi_owner_renamed_shows_at_once(
    viewer_client: Client, shown: Plan, other_editor: User
) -> None:
    KPI.objects.filter(pk=_kpi(shown).pk).update(owner=other_editor)  # then renamed, below
    url = reverse("kpis-dashboard", args=[shown.pk])
    for _ in range(2):
        assert "Owner erin-editor, weekly" in _dashboard(viewer_client, url)
    other_editor.first_name, other_editor.last_name = "Erin", "Ames"
    other_editor.save()
    assert "Owner Erin Ames, weekly" in _dashboard(viewer_client, url)


def test_a_change_builds_again_only_the_cards_it_touches(
    editor_client: Client, viewer_client: Client, shown: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = calls_of(monkeypatch, board, "_built_card", lambda item: item.kpi.name)
    url = reverse("kpis-dashboard", args=[shown.pk])
    _dashboard(editor_client, url)
    assert sorted(built) == ["Quiet one", "Zeta visits"]
    kpi = _kpi(shown)
    data = _form(f"m{kpi.pk}", date="2026-07-06", value="120", note="")
    assert editor_client.post(reverse("kpis-measurement-add", args=[shown.pk, kpi.pk]), data)
    built.clear()
    assert _latest("120")(_dashboard(editor_client, url)) and built == ["Zeta visits"]
    # A viewer's cards (no "Add an actual") are their own, built once and then kept alike.
    assert _latest("120")(_dashboard(viewer_client, url)) and len(built) == 3


def test_each_period_and_audience_is_kept_apart(viewer_client: Client, shown: Plan) -> None:
    make_measurement(kpi=_kpi(shown), on=date(2026, 7, 6), value="120")
    url = reverse("kpis-dashboard", args=[shown.pk])
    later = f"{url}?start=2026-08-01&end=2026-09-30"
    for _ in range(2):  # the second round is served from what the first one kept
        assert "<strong>120</strong>" in _dashboard(viewer_client, url)
        assert "<strong>120</strong>" not in _dashboard(viewer_client, later)


@pytest.mark.parametrize("weeks", [2, 13])
def test_a_view_after_no_change_reads_no_content(
    editor_client: Client, shown: Plan, django_assert_num_queries: Any, weeks: int
) -> None:
    for week in range(weeks):
        make_measurement(kpi=_kpi(shown), on=date(2026, 7, 6) + timedelta(weeks=week), value="5")
    url = reverse("kpis-dashboard", args=[shown.pk])
    # session, user, plan and role, KPIs, actuals, tactics, worksheets, the unread count
    with django_assert_num_queries(8):
        first = _dashboard(editor_client, url)
    # then: session, user, plan and role (its content revision), the unread count
    with django_assert_num_queries(4):
        again = _dashboard(editor_client, url)
    assert ANY_TOKEN.sub("", again) == ANY_TOKEN.sub("", first)


def test_nothing_of_one_reader_reaches_another(
    editor: User, editor_client: Client, viewer_client: Client, shown: Plan
) -> None:
    """Editors are offered to add an actual, viewers and share links are not; each page
    carries its own reader's name and CSRF token, and a share link no way into the app."""
    url = reverse("kpis-dashboard", args=[shown.pk])
    link = public_url(share(shown, by=editor))
    for _ in range(2):  # the second round is served from what the first one kept
        as_editor = _dashboard(editor_client, url)
        as_viewer = _dashboard(viewer_client, url)
        shared = _dashboard(Client(), link)
        assert ">Add an actual</a>" in as_editor
        assert ">Add an actual</a>" not in as_viewer + shared
        assert "eddie-editor" in as_editor and "vera-viewer" in as_viewer
        assert "eddie-editor" not in as_viewer + shared and "vera-viewer" not in shared
        assert reverse("plans-detail", args=[shown.pk]) not in shared
        tokens = [CSRF.findall(page) for page in (as_editor, as_viewer, shared)]
        assert all(len(found) == 1 for found in tokens)
        assert len({found[0] for found in tokens}) == 3


def test_the_least_recently_viewed_boards_go_first(
    viewer_client: Client,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    monkeypatch.setattr(cache, "MAX_BOARDS", 2)
    urls = [reverse("kpis-dashboard", args=[make_plan(workspace=workspace).pk]) for _ in range(3)]
    for url in urls:
        _dashboard(viewer_client, url)
    with django_assert_num_queries(4):  # still kept
        _dashboard(viewer_client, urls[2])
    with django_assert_num_queries(8):  # gone: built again
        _dashboard(viewer_client, urls[0])
