"""While the database is away, pages answer a short 503 "temporarily unavailable" page instead of
the 500 page, and the app serves again by itself once the database is back.

These tests break the database inside Django: any query raises, the connection reports itself
unusable.
"""

import logging
from typing import Any, cast

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from plans.models import Plan
from race_planner.middleware import NOTHING_SAVED, UNAVAILABLE
from race_planner.urls import urlpatterns as app_urlpatterns


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
