"""The request our views see."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthedRequest(HttpRequest):
    """A request past `LoginRequiredMiddleware`: the user is logged in. With htmx details."""

    htmx: HtmxDetails
    user: User
