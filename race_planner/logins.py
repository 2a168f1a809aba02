"""Logging in and out. Log-in throttling with django-axes: who is asking, what a successful
log-in forgets, and the page a locked-out person sees. Settings name these
(AXES_CLIENT_IP_CALLABLE, AXES_HANDLER, AXES_LOCKOUT_CALLABLE); axes counts the failures and
decides. Logging out says so on the page it leads to."""

import ipaddress
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted against. Without a proxy: the connection's own address;
    anything the client says in headers is ignored. With BEHIND_PROXY: the last address in
    X-Forwarded-For, the one our proxy appended; earlier ones come from the client and could be
    anything, so rotating them gains an attacker nothing."""
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        from_proxy = _valid_address(forwarded[-1])
        if from_proxy:
            return from_proxy
    return _valid_address(remote)


class LoginAttempts(AxesDatabaseHandler):
    """Axes' database handler, except what a successful log-in forgets: only that user's failures
    from that address. Axes' own reset also clears every failure from the address, so a member
    could guess at a colleague's password four times, log in as themselves, and start again."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]  # set by axes per request
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return int(count)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """Our page, status 429, instead of axes' one line of text; also for /admin/login/."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "login_url": request.get_full_path()},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


@require_POST
@login_not_required  # a browser whose session expired still gets to the login page
def log_out(request: HttpRequest) -> HttpResponse:
    """Log out, and say so on the login page it leads to (the message outlives the session in
    its cookie)."""
    was_in = request.user.is_authenticated
    logout(request)
    if was_in:
        messages.info(request, "You are logged out. Log in again below.")
    return redirect(settings.LOGOUT_REDIRECT_URL)
