"""What is sent to whom: in-app notifications (each one also an email, once), each user's
preferences, and the claims that let several runners work at once without sending twice."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from plans.models import KPI, Plan


class Kind(models.TextChoices):
    REMINDER = "reminder", "Check-in reminders"
    ALERT = "alert", "Status alerts"
    DIGEST = "digest", "Weekly digest"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


# Which preference turns each kind on or off.
SWITCHES = {Kind.REMINDER: "reminders", Kind.ALERT: "alerts", Kind.DIGEST: "digest"}


def check_time_zone(name: str) -> None:
    if name and name not in zoneinfo.available_timezones():
        raise ValidationError(f"“{name}” is not a time zone name such as Europe/Berlin.")


class Preference(models.Model):
    """A user's choices; a user without a row has the defaults (reminders and the digest on,
    alerts off until asked for)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="nudge_preference",
    )
    reminders = models.BooleanField("Check-in reminders", default=True)
    alerts = models.BooleanField("Status alerts", default=False)
    digest = models.BooleanField("Weekly digest", default=True)
    digest_weekday = models.PositiveSmallIntegerField(
        "Digest day", choices=Weekday.choices, default=Weekday.MONDAY
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[check_time_zone])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_weekday__lte=6), name="preference_weekday_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user}"

    def turn_off(self, kind: str) -> None:
        """What an unsubscribe link does: no more notifications of that kind."""
        setattr(self, SWITCHES[Kind(kind)], False)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)


class Notification(models.Model):
    """One event for one user, shown in the app and sent by email once.

    (user, kind, period) is unique: the row is the claim. "period" is what may happen only once:
    a user's day for reminders ("2026-12-01"), an ISO week for the digest ("2026-W49"), a KPI's
    crossing into off track for alerts ("kpi-12@2026-12-01T09:05:00")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    period = models.CharField(max_length=60)
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()  # the email's plain text; the page shows it too
    html = models.TextField()  # the email's HTML part
    link = models.CharField(max_length=300, blank=True)  # where "Open" goes in the app
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The email's own claim: set by the runner that sends it (UPDATE ... WHERE IS NULL).
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], name="notification_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notification_kind_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(email_claimed_at__isnull=True),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """A KPI's due check-in already reminded of: one reminder per due date, ever."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="+")
    due = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kpi", "due"], name="reminder_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} due {self.due}"


class AlertState(models.Model):
    """Whether a KPI's editors have been told it is off track; cleared when it recovers, so the
    next crossing alerts again. Set with UPDATE ... WHERE off_track_since IS NULL: one winner."""

    kpi = models.OneToOneField(KPI, on_delete=models.CASCADE, primary_key=True, related_name="+")
    off_track_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kpi_id}: {'off track' if self.off_track_since else 'fine'}"


class Tick(models.Model):
    """A slot of the worker's periodic job (every few minutes) taken by one chain of jobs; a
    second chain that finds its slot taken ends (nudges/tasks.py)."""

    slot = models.DateTimeField(unique=True)

    def __str__(self) -> str:
        return f"{self.slot:%Y-%m-%d %H:%M}"
