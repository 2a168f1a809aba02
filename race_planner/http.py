"""Small shared helpers for views."""

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as our views see it: logged in (views require it) and with htmx details."""

    htmx: HtmxDetails
    user: User | AnonymousUser
