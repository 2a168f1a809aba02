"""The count beside "Notifications" in the header: one query, on pages that draw the header.

Every logged-in page asks it, so its SQL is written once per process and only run: the ORM
spent ten times the query's own time (a probe of the `notification_unread` index) building
the same statement again for every page.
"""

from functools import cache
from typing import Any

from django.db import connections, router

from nudges.models import Notification


@cache
def _unread_sql(alias: str) -> str:
    """The COUNT the ORM writes for `filter(user=..., read_at=None).count()`, with the table
    and column names taken from the model and quoted as that database quotes them."""
    quote = connections[alias].ops.quote_name
    fields = Notification._meta
    user, read_at = fields.get_field("user").column, fields.get_field("read_at").column
    # Only the model's own names go into the text, quoted; the user's id is a parameter.
    return (
        f"SELECT COUNT(*) FROM {quote(fields.db_table)} "  # noqa: S608
        f"WHERE {quote(user)} = %s AND {quote(read_at)} IS NULL"
    )


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    alias = router.db_for_read(Notification)
    with connections[alias].cursor() as cursor:
        cursor.execute(_unread_sql(alias), [user.pk])
        (count,) = cursor.fetchone()
    return int(count)
