"""What an htmx request gets when the session behind it has ended."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


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
