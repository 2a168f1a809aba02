"""While the database is away, pages answer a short 503 "temporarily unavailable" page instead of
the 500 page, and the app serves again by itself once the database is back.

The first tests break the database inside Django (any query raises, the connection reports
itself unusable); the last one runs the app under gunicorn against its own PostgreSQL server and
stops and starts that server for real.
"""

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any, cast
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from plans.models import Plan
from race_planner.middleware import NOTHING_SAVED, UNAVAILABLE
from race_planner.urls import urlpatterns as app_urlpatterns
from scripts.throwaway_postgres import ThrowawayPostgres, free_port
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


# Views that fail in the ways a database can fail, served only by these tests (`mark.urls`).
@login_not_required
def lost_connection(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


@login_not_required
def duplicate_row(request: HttpRequest) -> HttpResponse:
    raise IntegrityError('duplicate key value violates unique constraint "plans_workspace_slug"')


@login_not_required
def missing_table(request: HttpRequest) -> HttpResponse:
    """A bug: SQLite calls it an OperationalError, PostgreSQL a ProgrammingError."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    return HttpResponse("unreachable")


urlpatterns = [
    path("lost/", lost_connection),
    path("duplicate/", duplicate_row),
    path("missing-table/", missing_table),
    *app_urlpatterns,
]
failing_views = pytest.mark.urls(__name__)


@pytest.fixture
def connection_lost(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database connection no longer works (what `is_usable()` finds after an outage)."""
    monkeypatch.setattr(type(connections["default"]), "is_usable", lambda self: False)


@pytest.fixture
def database_down(connection_lost: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """...and every query fails as the driver reports a refused connection."""
    wrapper = connections["default"]
    driver = cast(Any, wrapper).Database  # the DB-API module; every backend has one

    def refuse(self: object, name: str | None = None) -> None:
        raise driver.OperationalError("connection refused: is the server running?")

    monkeypatch.setattr(type(wrapper), "create_cursor", refuse)


def assert_unavailable_page(response) -> str:
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "<h1>Temporarily unavailable</h1>" in html
    assert UNAVAILABLE in html
    return html


def test_a_page_answers_503_while_the_database_is_down(
    editor_client: Client, plan: Plan, database_down: None
) -> None:
    """Loading the session fails first; the page still comes, styled, with every header."""
    url = reverse("plans-detail", args=[plan.pk])
    response = editor_client.get(url)
    html = assert_unavailable_page(response)
    assert "Try again in a minute." in html
    assert f'href="{url}" class="button primary">Try again' in html
    assert "css/app.css" in html and "Log out" not in html  # the app's look, no user menu
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"


def test_htmx_gets_a_short_text_for_the_banner(
    editor_client: Client, plan: Plan, database_down: None
) -> None:
    response = editor_client.post(
        reverse("plans-settings", args=[plan.pk]), {"name": "Renamed"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == f"{UNAVAILABLE} {NOTHING_SAVED}"


def test_the_login_form_shows_and_sending_it_answers_503(
    client: Client, database_down: None
) -> None:
    """The form itself needs no database; checking the password does."""
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "olive", "password": "secret"})
    html = assert_unavailable_page(response)
    assert "Nothing you typed was saved. Go back to keep what you typed" in html
    assert "Try again</a>" not in html


@failing_views
def test_a_view_that_loses_its_connection_answers_503(
    client: Client, connection_lost: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert_unavailable_page(client.get("/lost/"))
    # Once, as a warning: Django's own "Service Unavailable" error line is not added.
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "WARNING",
            "Service Unavailable: /lost/ (database unreachable: "
            "server closed the connection unexpectedly)",
        )
    ]


@failing_views
def test_an_integrity_error_is_still_a_500(connection_lost: None) -> None:
    response = Client(raise_request_exception=False).get("/duplicate/")
    assert response.status_code == 500
    assert "Temporarily unavailable" not in response.content.decode()


@failing_views
def test_a_bug_reported_as_operational_error_is_still_a_500(db: None) -> None:
    """The connection works, so it is not an outage: a 500 that someone has to fix."""
    response = Client(raise_request_exception=False).get("/missing-table/")
    assert response.status_code == 500
    assert "Temporarily unavailable" not in response.content.decode()


# The real thing: gunicorn against a PostgreSQL server that is stopped and started again.

on_loopback = {
    "DJANGO_SETTINGS_MODULE": "tests.race_planner.loopback_settings",
    "DEBUG": "0",
    "SECRET_KEY": "outage-test-key-outage-test-key-outage-test-key-outage-test-key",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
}

SEED = """
from django.core.management import call_command
from tests.factories import make_member, make_plan, make_workspace
call_command("migrate", verbosity=0)
workspace = make_workspace(name="Outage")
make_member(workspace=workspace, username="olive")
print(make_plan(workspace=workspace, name="Outage plan").pk)
"""


@dataclass
class Answer:
    status: int
    headers: Message
    text: str


class Visitor:
    """A browser without JavaScript: keeps cookies, sends forms with their CSRF token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, path: str, **headers: str) -> Answer:
        return self._open(Request(self.base_url + path, headers=headers))

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path).text)
        assert token, "the form has no CSRF token"
        data = urlencode({**fields, "csrfmiddlewaretoken": token[1]}).encode()
        return self._open(Request(self.base_url + path, data=data))

    def _open(self, request: Request) -> Answer:
        try:
            with self.opener.open(request, timeout=10) as response:
                return Answer(response.status, response.headers, response.read().decode())
        except HTTPError as error:
            return Answer(error.code, error.headers, error.read().decode())


def until(check: Callable[[], bool], *, within: float, pause: float = 0.2) -> float:
    """Seconds until `check()` holds; fails after `within` seconds."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > within:
            pytest.fail(f"still not the case after {within} s")
        time.sleep(pause)
    return time.monotonic() - start


def subprocess_env(database_url: str, folder: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    static_root = folder / "static"  # empty: the static files are served from their sources
    static_root.mkdir(exist_ok=True)
    return {
        **inherited,
        **on_loopback,
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
    }


@contextmanager
def gunicorn(env: dict[str, str], logs: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Two sync workers on a free loopback port; `logs/access` names the worker of each answer."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "race_planner.wsgi"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30"),
        "--no-control-socket",  # its default path in $HOME is shared by every gunicorn
        *("--access-logfile", str(logs / "access"), "--access-logformat", "%(p)s %(s)s %(U)s"),
    ]
    with open(logs / "errors", "wb") as errors:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=errors, stderr=errors)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def workers_of(server: subprocess.Popen[bytes]) -> set[str]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return {f"<{pid}>" for pid in children}


def answered(logs: Path, *, status: str, path: str, after: int) -> set[str]:
    """The workers whose access-log lines after line `after` show this status for this path."""
    lines = (logs / "access").read_text().splitlines()[after:]
    return {line.split()[0] for line in lines if line.split()[1:] == [status, path]}


def log_length(logs: Path) -> int:
    return len((logs / "access").read_text().splitlines())


@pytest.mark.postgres_only
def test_pages_answer_503_while_postgresql_is_down_and_200_once_it_is_back(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    with ThrowawayPostgres() as database:
        env = subprocess_env(database.url, tmp_path)
        seeded = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SEED],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr
        plan_url = f"/plans/{seeded.stdout.split()[-1]}/"
        login_url = "/accounts/login/"

        with gunicorn(env, tmp_path) as (base_url, server):
            olive, stranger = Visitor(base_url), Visitor(base_url)

            def up() -> bool:
                if server.poll() is not None:
                    pytest.fail("gunicorn stopped:\n" + (tmp_path / "errors").read_text())
                try:
                    return olive.get(login_url).status == 200 and len(workers_of(server)) == 2
                except OSError:  # not listening yet
                    return False

            until(up, within=30)
            signed_in = olive.post(login_url, {"username": "olive", "password": PASSWORD})
            assert signed_in.status == 200 and "Outage plan" in signed_in.text

            def both(path: str) -> list[int]:
                """Two requests at once, so that both sync workers take one."""
                with ThreadPoolExecutor(2) as pool:
                    return [a.status for a in pool.map(lambda _: olive.get(path), range(2))]

            # Both workers hold a connection to the server before it goes away.
            workers = workers_of(server)
            mark = log_length(tmp_path)
            until(
                lambda: (
                    both(plan_url) == [200, 200]
                    and answered(tmp_path, status="200", path=plan_url, after=mark) == workers
                ),
                within=20,
            )

            database.stop()
            seen_down: list[int] = []

            def unavailable() -> bool:
                seen_down.append(olive.get(plan_url).status)
                return seen_down[-1] == 503

            to_503 = until(unavailable, within=10)
            page = olive.get(plan_url)
            assert page.status == 503 and page.headers["Retry-After"] == "60"
            assert UNAVAILABLE in page.text and "Try again in a minute." in page.text
            assert "Server Error" not in page.text
            (tmp_path / "503.html").write_text(page.text)
            assert olive.get(login_url).status == 503  # her session cannot be read
            banner = olive.get(plan_url, **{"HX-Request": "true"})
            assert banner.status == 503 and banner.text == f"{UNAVAILABLE} {NOTHING_SAVED}"
            # Someone logging in meanwhile gets the form, and a 503 when they send it.
            assert stranger.get(login_url).status == 200
            attempt = stranger.post(login_url, {"username": "olive", "password": "x"})
            assert attempt.status == 503 and "Nothing you typed was saved." in attempt.text

            mark = log_length(tmp_path)
            database.start()
            seen_up: list[int] = []

            def serving() -> bool:
                seen_up.extend(both(plan_url))
                return answered(tmp_path, status="200", path=plan_url, after=mark) == workers

            # Each worker drops its dead connection and connects again: no restart, no 500.
            to_200 = until(serving, within=20)
            assert workers_of(server) == workers
            assert 500 not in seen_down + seen_up, (seen_down, seen_up)

            # A restart between two requests: both workers hold a dead connection, and the
            # health check (CONN_HEALTH_CHECKS) replaces it before the request needs it.
            database.stop()
            database.start()
            mark = log_length(tmp_path)
            seen_after_restart: list[int] = []

            def served_at_once() -> bool:
                seen_after_restart.extend(both(plan_url))
                return answered(tmp_path, status="200", path=plan_url, after=mark) == workers

            until(served_at_once, within=20)
            assert set(seen_after_restart) == {200}, seen_after_restart
            errors = (tmp_path / "errors").read_text()
            assert "database unreachable" in errors and "Internal Server Error" not in errors

    print(
        f"\noutage: 503 {to_503:.2f} s after the stop (statuses {seen_down}); "
        f"both workers 200 {to_200:.2f} s after the start (statuses {seen_up}); "
        f"after a quick restart {seen_after_restart}; "
        f"whole test {time.monotonic() - started:.1f} s"
    )
