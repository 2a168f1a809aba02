"""Share links: read-only access to one plan's dashboard for people who do not log in."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plans.models import Plan


class ShareLink(models.Model):
    """Only a digest of the link's secret is kept; the whole link is shown once, at creation.

    `uses` is counted by an UPDATE with F() (sharing/links.py `record_use`), so two visits at
    once both count.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the secret in the URL
    with_pdf = models.BooleanField(default=False)  # may the holder download the review PDF?
    expires_on = models.DateField()  # the last day the link works
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    uses = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label
