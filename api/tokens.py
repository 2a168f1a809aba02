"""Creating, finding and revoking personal access tokens, and the per-token rate limit.

A secret is 32 random bytes, so a plain SHA-256 of it is enough to store: nothing to guess
from the digest, and a token is found by its digest in one indexed query.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import F, Q
from django.utils import timezone

from api.models import ApiToken

SECRET_START = "rpat_"  # noqa: S105 -- "RACE Planner access token": recognisable in logs and secret scanners
PREFIX_LENGTH = len(SECRET_START) + 6
WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, *, label: str, expires_on: date | None) -> NewToken:
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        label=label,
        prefix=secret[:PREFIX_LENGTH],
        digest=digest_of(secret),
        expires_on=expires_on,
    )
    return NewToken(token, secret)


def usable_token(secret: str, *, today: date) -> ApiToken | None:
    """The token with this secret, with its user, unless it is revoked, expired or unknown."""
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .first()
    )


def tokens_of(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def admit(token: ApiToken, *, now: datetime, limit: int) -> int | None:
    """Count a request against the token's limit per minute: None when it may go ahead, else
    the seconds until the next minute starts (for Retry-After).

    The counter is a fixed window on the token's row, moved by conditional UPDATEs, so several
    app servers on one database never let more than `limit` through in a minute. The same
    UPDATE records when the token was last used: one query a request.
    """
    start = now.replace(second=0, microsecond=0)
    tokens = ApiToken.objects.filter(pk=token.pk)
    in_window = tokens.filter(window_start__gte=start, window_count__lt=limit)
    for _ in range(2):
        if in_window.update(window_count=F("window_count") + 1, last_used_at=now):
            return None
        new_window = Q(window_start__lt=start) | Q(window_start__isnull=True)
        if tokens.filter(new_window).update(window_start=start, window_count=1, last_used_at=now):
            return None
        # Either the window is full, or another server opened it between the two: look again.
    return max(1, math.ceil((start + WINDOW - now).total_seconds()))
