"""Notifications made once and emailed once, whoever else runs at the same moment.

Making one is an INSERT that the unique (user, kind, period) refuses to a second runner;
emailing one is an UPDATE ... WHERE email_claimed_at IS NULL that only one runner wins, then
the send. A runner that dies between the claim and the send loses that email (at most once,
never twice); the notification still shows in the app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from nudges.models import Kind, Notification

log = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "nudges.unsubscribe"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a link of ours, or None for anything else. No expiry: an old
    email's link must still work."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (user_id, kind) if kind in Kind.values else None


def unsubscribe_url(user_id: int, kind: str) -> str:
    return absolute(reverse("nudges-unsubscribe", args=[unsubscribe_token(user_id, kind)]))


@dataclass(frozen=True)
class Draft:
    """A notification about to be made: the template renders both parts of the email."""

    user_id: int
    kind: str
    period: str
    title: str
    template: str  # "nudges/email/reminder" -> .txt and .html
    context: dict[str, Any]
    link: str = ""
    plan_id: int | None = None


def make(draft: Draft) -> Notification | None:
    """Create the notification, or None when another run (or an earlier one) already did."""
    context = {
        **draft.context,
        "title": draft.title,
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": absolute(reverse("nudges-preferences")),
        "unsubscribe_url": unsubscribe_url(draft.user_id, draft.kind),
        "kind_label": Kind(draft.kind).label.lower(),
    }
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user_id=draft.user_id,
                kind=draft.kind,
                period=draft.period,
                plan_id=draft.plan_id,
                title=draft.title[:200],
                text=render_to_string(f"{draft.template}.txt", context),
                html=render_to_string(f"{draft.template}.html", context),
                link=draft.link,
            )
    except IntegrityError:  # the claim is someone else's
        return None


def send_unsent(now: datetime) -> int:
    """Email every notification no runner has claimed yet; returns how many this run sent."""
    waiting = list(
        Notification.objects.filter(email_claimed_at__isnull=True)
        .select_related("user")
        .order_by("created_at", "id")
    )
    sent = 0
    connection = None
    for note in waiting:
        if not Notification.objects.filter(pk=note.pk, email_claimed_at__isnull=True).update(
            email_claimed_at=now
        ):
            continue  # another runner has it
        if not note.user.email:
            continue  # shown in the app only
        connection = connection or get_connection()
        message = EmailMultiAlternatives(
            subject=note.title,
            body=note.text,
            to=[note.user.email],
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url(note.user_id, note.kind)}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(note.html, "text/html")
        try:
            message.send()
        except OSError:
            log.exception("Could not send notification %s to %s", note.pk, note.user.email)
            continue
        Notification.objects.filter(pk=note.pk).update(emailed_at=now)
        sent += 1
    return sent
