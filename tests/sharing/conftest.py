"""A share link of the `plan` fixture, made the way the Share page makes one."""

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from plans.models import Plan
from sharing import links


def share(
    plan: Plan,
    *,
    by: User,
    label: str = "Board review",
    with_pdf: bool = False,
    expires_on: date | None = None,
) -> links.NewLink:
    return links.create_link(
        plan,
        created_by=by,
        label=label,
        expires_on=expires_on or timezone.localdate() + timedelta(days=30),
        with_pdf=with_pdf,
    )


def public_url(new: links.NewLink, rest: str = "") -> str:
    return f"/s/{new.secret}/{rest}"
