"""The notifications page, the header's count, marking read, preferences, unsubscribing."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from nudges.delivery import unsubscribe_token
from nudges.models import Kind, Notification, Preference
from nudges.runner import run
from tests.nudges.conftest import at, owned_kpi

LIST = reverse("nudges-list")
SETTINGS = reverse("nudges-preferences")


@pytest.fixture
def reminded(team):
    """The owner has one unread reminder."""
    owned_kpi(team, name="Unique visitors")
    run(at(date(2026, 7, 8)))
    return Notification.objects.get(user=team.owner)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_my_notifications_and_the_header_counts_unread(team, reminded):
    html = _client(team.owner).get(LIST).content.decode()
    assert reminded.title in html and "Open the check-in" in html
    assert f'href="{reminded.link}"' in html
    assert '<span class="count-badge">1<span class="visually-hidden"> unread</span></span>' in html


def test_others_see_none_of_mine(team, reminded):
    html = _client(team.watcher).get(LIST).content.decode()
    assert reminded.title not in html and "count-badge" not in html
    # Marking someone else's notification read changes nothing.
    _client(team.watcher).post(reverse("nudges-mark-read", args=[reminded.pk]))
    reminded.refresh_from_db()
    assert reminded.read_at is None


def test_mark_read_and_mark_all_read(team, reminded):
    client = _client(team.owner)
    response = client.post(reverse("nudges-mark-read", args=[reminded.pk]))
    assert response.status_code == 302
    reminded.refresh_from_db()
    assert reminded.read_at is not None
    assert "count-badge" not in client.get(LIST).content.decode()
    Notification.objects.filter(pk=reminded.pk).update(read_at=None)
    client.post(reverse("nudges-mark-all-read"))
    assert not Notification.objects.filter(user=team.owner, read_at=None).exists()
    assert client.get(reverse("nudges-mark-read", args=[reminded.pk])).status_code == 405


def test_the_header_count_is_one_query(team, reminded, django_assert_num_queries):
    client = _client(team.owner)
    client.get(LIST)
    # Session, user, the page of notifications, its count for the paginator, the header's count.
    with django_assert_num_queries(5):
        client.get(LIST)


def test_the_header_count_follows_every_change_at_once(team, reminded):
    """The count is read afresh on each page (written SQL, not a cached number): a runner in
    another process adds notifications, and marking read takes them away, at once."""
    client = _client(team.owner)
    badge = '<span class="count-badge">{}<span class="visually-hidden"> unread</span></span>'
    assert badge.format(1) in client.get(SETTINGS).content.decode()
    Notification.objects.create(
        user=team.owner, kind=Kind.DIGEST, period="2026-W28", title="Your week", text="", html=""
    )
    Notification.objects.create(  # someone else's, or read already: not counted
        user=team.watcher, kind=Kind.DIGEST, period="2026-W28", title="Theirs", text="", html=""
    )
    assert badge.format(2) in client.get(SETTINGS).content.decode()
    Notification.objects.filter(pk=reminded.pk).update(read_at=reminded.created_at)
    assert badge.format(1) in client.get(SETTINGS).content.decode()
    client.post(reverse("nudges-mark-all-read"))
    assert "count-badge" not in client.get(SETTINGS).content.decode()


def test_preferences_are_saved_and_checked(team):
    client = _client(team.watcher)
    assert 'name="digest_weekday"' in client.get(SETTINGS).content.decode()
    data = {"reminders": "on", "digest": "on", "digest_weekday": "4", "time_zone": "Europe/Berlin"}
    assert client.post(SETTINGS, data).status_code == 302
    saved = Preference.objects.get(user=team.watcher)
    assert (saved.reminders, saved.alerts, saved.digest) == (True, False, True)
    assert saved.digest_weekday == 4 and saved.time_zone == "Europe/Berlin"
    bad = client.post(SETTINGS, {**data, "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_a_new_users_settings_page_shows_the_defaults(viewer_client):
    html = viewer_client.get(SETTINGS).content.decode()
    assert 'id="id_reminders" checked>' in html and 'id="id_digest" checked>' in html
    assert 'id="id_alerts">' in html  # alerts wait until asked for


def test_unsubscribe_works_without_logging_in_and_only_for_its_kind(team):
    url = reverse("nudges-unsubscribe", args=[unsubscribe_token(team.watcher.pk, Kind.ALERT)])
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Stop status alerts" in page.content.decode()
    assert Preference.objects.get(
        user=team.watcher
    ).alerts  # a GET (a mail scanner) changes nothing
    done = anonymous.post(url)
    assert done.status_code == 200 and "Unsubscribed" in done.content.decode()
    preference = Preference.objects.get(user=team.watcher)
    assert not preference.alerts


def test_a_forged_or_altered_unsubscribe_link_is_refused(team):
    token = unsubscribe_token(team.watcher.pk, Kind.DIGEST)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().post(reverse("nudges-unsubscribe", args=[forged])).status_code == 404
    assert Client().get(reverse("nudges-unsubscribe", args=["nonsense"])).status_code == 404


def test_pages_need_a_login(client):
    assert client.get(LIST).status_code == 302
    assert client.get(SETTINGS).status_code == 302
