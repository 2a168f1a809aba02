"""What a request gets when the session behind it has ended, or when the database is away."""

from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.log import log_response


def htmx_logged_out(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """401 instead of a redirect to the login page, which htmx would follow and swap into the
    row being edited. The page then says so and the user's input stays in the form."""
    login_url = resolve_url(settings.LOGIN_URL)

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        redirected_to_login = response.status_code == 302 and response.get(
            "Location", ""
        ).startswith(login_url)
        if getattr(request, "htmx", False) and redirected_to_login:
            return HttpResponse("Logged out", status=401, content_type="text/plain")
        return response

    return middleware


UNAVAILABLE = "RACE Planner is temporarily unavailable: it cannot reach its database just now."
NOTHING_SAVED = "Nothing you typed was saved. Try again in a minute."
RETRY_AFTER_SECONDS = 60


def database_unreachable(error: BaseException) -> bool:
    """A refused or lost database connection, not a bug. SQLite also raises OperationalError for
    a missing table and PostgreSQL for a lock timeout; their connection still works, so those
    stay 500s."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    return any(
        db.connection is None or not db.is_usable() for db in connections.all(initialized_only=True)
    )


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer, built without the database: no session, user or messages."""
    if request.headers.get("HX-Request") == "true":
        # Short enough for the page's banner (static/js/requests.js).
        body = f"{UNAVAILABLE} {NOTHING_SAVED}"
        response = HttpResponse(body, status=503, content_type="text/plain; charset=utf-8")
    else:
        retry_url = request.get_full_path() if request.method == "GET" else ""
        context = {"message": UNAVAILABLE, "retry_url": retry_url}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A short 503 "temporarily unavailable" page while the database cannot be reached, instead
    of the 500 page; the next request after it is back is served as usual.

    Django turns an exception into a 500 response inside every middleware layer, so no
    middleware sees what a layer inside it raised. This one sits last in MIDDLEWARE: it loads
    the session and the user first (the queries LoginRequiredMiddleware would make), and its
    `process_exception` gets what a view or its template raises. Its answer passes back out
    through all the other middleware, so it carries the same headers as any page. Django closes
    the broken connection at the end of the request (`close_if_unusable_or_obsolete`) and, with
    CONN_HEALTH_CHECKS, checks a kept one before reusing it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _ = request.user.is_authenticated  # loads the session and the user now
        except (OperationalError, InterfaceError) as error:
            if not database_unreachable(error):
                raise
            return self._answer(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return self._answer(request, exception) if database_unreachable(exception) else None

    def _answer(self, request: HttpRequest, error: Exception) -> HttpResponse:
        response = unavailable(request)
        # Logged once, as a warning: Django would log the 503 again as an error, and a
        # traceback per request while the database is down says nothing new.
        log_response(
            "%s: %s (database unreachable: %s)",
            response.reason_phrase,
            request.path,
            " ".join(str(error).split()),
            response=response,
            request=request,
            level="warning",
        )
        return response
