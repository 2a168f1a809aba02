"""Tokens for the shared fixtures' users, and a client that sends them."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from api import tokens
from plans.models import KPI, Plan
from tests.factories import make_kpi


class ApiClient:
    """Django's test client with `Authorization: Bearer <secret>` on every request."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, payload: Any) -> Any:
        return self.client.post(
            path, payload, content_type="application/json", headers=self.headers
        )


def secret_for(user: User, *, state: str = "active") -> str:
    """A token of `user`: active, revoked or expired (yesterday was its last day)."""
    expires_on = timezone.localdate() - timedelta(days=1) if state == "expired" else None
    new = tokens.create_token(user, label=f"{state} token", expires_on=expires_on)
    if state == "revoked":
        tokens.revoke(new.token)
    return new.secret


@pytest.fixture
def api_as() -> Callable[..., ApiClient]:
    def client_for(user: User | None, *, state: str = "active") -> ApiClient:
        return ApiClient(secret_for(user, state=state) if user else None)

    return client_for


@pytest.fixture
def kpi(plan: Plan) -> KPI:
    return make_kpi(plan=plan, name="Visitors", stage="reach", baseline="100", target="200")
