"""The count beside "Notifications" in the header: one query, on pages that draw the header."""

from typing import Any

from nudges.models import Notification


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
