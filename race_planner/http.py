"""The requests our views see."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    """Any request, with htmx details: what a public view (`@login_not_required`) sees."""

    htmx: HtmxDetails


class AuthedRequest(HtmxRequest):
    """A request past `LoginRequiredMiddleware`: the user is logged in."""

    user: User
