"""Personal access tokens: a user's key to the API, acting with that user's roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """Only a digest of the secret is kept; the secret itself is shown once, at creation.

    `window_start` and `window_count` are the rate limit's fixed-window counter, kept on the
    row so every app server counts the same requests (api/tokens.py `admit`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    label = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16)  # the first characters, to recognise a token by
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the whole secret
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"
