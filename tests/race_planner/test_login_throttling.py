"""Log-in throttling: real log-in forms posted over Django's test client, as a person would.

Failures for one username, or from one address, pause logging in for the cool-off; the right
password is refused until it ends; a successful log-in forgets that user's failures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

HOME = "192.0.2.10"  # the user's own address
ELSEWHERE = "198.51.100.20"
ADMIN_LOGIN = "/admin/login/?next=/admin/"  # where /admin/ sends a visitor


@pytest.fixture(autouse=True)
def quick_hashing(settings) -> None:
    """Every log-in checks a password; the default hasher takes a good part of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person(address: str = HOME, *, forwarded_for: str = "") -> Client:
    """A browser at an address; it sends the CSRF token the form gave it, like a real one."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    if forwarded_for:
        client.defaults["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def log_in(client: Client, username: str, password: str, url: str = "") -> Response:
    url = url or reverse("login")
    form = client.get(url)
    assert form.status_code == 200 and 'name="password"' in form.content.decode()
    token = client.cookies["csrftoken"].value
    data = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    return client.post(url, data)


def log_out(client: Client) -> None:
    client.get(reverse("plans-list"))
    client.post(reverse("logout"), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert client.get(reverse("plans-list")).status_code == 302


def fail_until_limit(client: Client, username: str, url: str = "") -> Response:
    """Wrong passwords up to the limit; every one before the last gets the usual form error."""
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = log_in(client, username, "wrong-password", url)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    return log_in(client, username, "wrong-password", url)


def text(response: Response) -> str:
    return response.content.decode().replace("&nbsp;", " ")


def assert_paused(response: Response) -> None:
    page = text(response)
    assert response.status_code == 429
    assert "Log-in paused for 15 minutes" in page
    assert "even the right password is refused" in page
    assert "wait 15 minutes, then log in again" in page
    assert response["Retry-After"] == "900"
    assert "default-src 'self'" in response["Content-Security-Policy"]  # the usual headers too
    assert 'name="password"' not in page  # no form to keep guessing in
    assert 'class="topbar"' in page and "/static/css/app.css" in page  # our page, our look


def assert_logged_in(client: Client, response: Response, to: str) -> None:
    assert response.status_code == 302 and response["Location"] == to
    assert client.get(to).status_code == 200


def end_cool_off(*, short_by: timedelta = timedelta(0)) -> None:
    """Time passes: every recorded failure moves back by the cool-off (less `short_by`)."""
    back = settings.AXES_COOLOFF_TIME - short_by + timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - back)


def test_wrong_passwords_up_to_the_limit_pause_logging_in_with_our_page(editor: User) -> None:
    assert settings.LOGIN_FAILURE_LIMIT == 5 and settings.LOGIN_COOLOFF_MINUTES == 15
    assert_paused(fail_until_limit(person(), editor.username))


def test_the_right_password_is_refused_while_paused_from_any_address(editor: User) -> None:
    client = person()
    fail_until_limit(client, editor.username)
    assert_paused(log_in(client, editor.username, PASSWORD))
    assert client.get(reverse("plans-list"))["Location"].startswith(reverse("login"))
    assert_paused(log_in(person(ELSEWHERE), editor.username, PASSWORD))


def test_the_right_password_works_once_the_cool_off_ends(editor: User) -> None:
    client = person()
    fail_until_limit(client, editor.username)
    end_cool_off(short_by=timedelta(minutes=1))  # 14 minutes later: still paused
    assert_paused(log_in(client, editor.username, PASSWORD))
    end_cool_off()  # that last try started the 15 minutes again; now they have passed
    assert_logged_in(client, log_in(client, editor.username, PASSWORD), reverse("plans-list"))


def test_a_successful_log_in_before_the_limit_starts_the_count_again(editor: User) -> None:
    client = person()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(client, editor.username, "wrong-password")
    assert_logged_in(client, log_in(client, editor.username, PASSWORD), reverse("plans-list"))
    log_out(client)
    again = person()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = log_in(again, editor.username, "wrong-password")
        assert response.status_code == 200 and "Please enter a correct" in response.content.decode()
    assert_logged_in(again, log_in(again, editor.username, PASSWORD), reverse("plans-list"))


def test_an_address_trying_many_usernames_is_paused_for_everyone_there(editor: User) -> None:
    attacker = person(ELSEWHERE)
    for n in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = log_in(attacker, f"guess-{n}", "password123")
        assert response.status_code == 200 and "Please enter a correct" in response.content.decode()
    assert_paused(log_in(attacker, "guess-last", "password123"))
    assert_paused(log_in(attacker, editor.username, PASSWORD))
    at_home = person(HOME)
    assert_logged_in(at_home, log_in(at_home, editor.username, PASSWORD), reverse("plans-list"))


def test_logging_in_as_yourself_does_not_clear_failures_against_a_colleague(
    editor: User, viewer: User
) -> None:
    """Axes' own reset forgets every failure from the address; ours only the user's own."""
    client = person()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(client, viewer.username, "wrong-password")
    assert_logged_in(client, log_in(client, editor.username, PASSWORD), reverse("plans-list"))
    log_out(client)
    assert_paused(log_in(client, viewer.username, "wrong-password"))
    assert_paused(log_in(person(ELSEWHERE), viewer.username, PASSWORD))


def test_admin_log_in_is_paused_the_same_way(db: None) -> None:
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = person()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = log_in(client, "root", "wrong-password", ADMIN_LOGIN)
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    paused = log_in(client, "root", "wrong-password", ADMIN_LOGIN)
    assert_paused(paused)
    assert f'href="{ADMIN_LOGIN}"' in paused.content.decode()  # back to the form they came from
    assert_paused(log_in(client, "root", PASSWORD, ADMIN_LOGIN))
    assert_paused(log_in(client, "root", PASSWORD))  # the app's own form is paused too
    end_cool_off()
    assert_logged_in(client, log_in(client, "root", PASSWORD, ADMIN_LOGIN), "/admin/")


def test_made_up_forwarded_addresses_do_not_escape_the_pause(editor: User) -> None:
    """Without a proxy the connection's address counts, whatever the headers say."""
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        response = log_in(person(ELSEWHERE, forwarded_for=f"203.0.113.{n}"), "x", "y")
    assert_paused(response)
    assert_paused(log_in(person(ELSEWHERE, forwarded_for=HOME), editor.username, PASSWORD))


def test_behind_a_proxy_the_address_it_saw_counts(settings, editor: User) -> None:
    """The proxy appends the address it saw to X-Forwarded-For; what comes before that is the
    client's own say. Everyone arrives from the proxy's address."""
    settings.BEHIND_PROXY = True
    proxy = "192.0.2.1"
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        spoofed = f"203.0.113.{n}, {ELSEWHERE}"
        response = log_in(person(proxy, forwarded_for=spoofed), f"guess-{n}", "y")
    assert_paused(response)
    colleague = person(proxy, forwarded_for=HOME)  # another person behind the same proxy
    assert_logged_in(colleague, log_in(colleague, editor.username, PASSWORD), reverse("plans-list"))


def test_the_page_says_how_long_for_a_shorter_cool_off(settings, editor: User) -> None:
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    response = fail_until_limit(person(), editor.username)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Log-in paused for 1 minute<" in text(response)
    end_cool_off()
    client = person()
    assert_logged_in(client, log_in(client, editor.username, PASSWORD), reverse("plans-list"))
