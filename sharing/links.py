"""Creating, finding, counting and revoking share links.

A link's secret is 32 random bytes (`secrets.token_urlsafe(32)`, 43 characters): guessing one
is hopeless at any request rate, so the public pages need no rate limit of their own. Only its
SHA-256 is stored, as for API tokens: a copy of the database opens no plan, and a link is found
by its digest in one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from plans.models import Plan
from sharing.models import ShareLink


@dataclass(frozen=True)
class NewLink:
    link: ShareLink
    secret: str  # the token in the URL: shown to the editor once, never stored


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_link(
    plan: Plan, *, created_by: User, label: str, expires_on: date, with_pdf: bool
) -> NewLink:
    secret = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        plan=plan,
        label=label,
        digest=digest_of(secret),
        expires_on=expires_on,
        with_pdf=with_pdf,
        created_by=created_by,
    )
    return NewLink(link, secret)


def usable_link(secret: str, *, today: date) -> ShareLink | None:
    """The link with this secret and its plan, unless it is revoked, expired or unknown."""
    return (
        ShareLink.objects.select_related("plan")
        .filter(digest=digest_of(secret), revoked_at__isnull=True, expires_on__gte=today)
        .first()
    )


def record_use(link: ShareLink, *, now: datetime) -> None:
    """One more use, counted in the database (never read, added to and written back)."""
    ShareLink.objects.filter(pk=link.pk).update(uses=F("uses") + 1, last_used_at=now)


def links_of(plan: Plan) -> list[ShareLink]:
    return list(ShareLink.objects.filter(plan=plan).select_related("created_by"))


def revoke(link: ShareLink) -> None:
    """At once: the next request with the link finds nothing."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=link.revoked_at
        )
