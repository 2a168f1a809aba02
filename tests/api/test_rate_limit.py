"""The per-token rate limit: a fixed window a minute, counted on the token's row."""

from datetime import UTC, datetime, timedelta

from django.test import override_settings

from api import tokens
from api.models import ApiToken

NOON = datetime(2026, 7, 8, 12, 0, 10, tzinfo=UTC)


def test_the_limit_holds_within_a_minute_and_a_new_minute_starts_afresh(editor):
    token = tokens.create_token(editor, label="t", expires_on=None).token
    admitted = [tokens.admit(token, now=NOON, limit=3) for _ in range(4)]
    assert admitted == [None, None, None, 50]  # 50 s to the next minute
    assert tokens.admit(token, now=NOON + timedelta(seconds=49), limit=3) == 1
    assert tokens.admit(token, now=NOON + timedelta(seconds=50), limit=3) is None
    token.refresh_from_db()
    assert token.last_used_at == NOON + timedelta(seconds=50)


def test_two_servers_share_the_count(editor):
    """Each app server has its own copy of the token row; the count is the database's."""
    token = tokens.create_token(editor, label="t", expires_on=None).token
    server_a, server_b = ApiToken.objects.get(pk=token.pk), ApiToken.objects.get(pk=token.pk)
    assert tokens.admit(server_a, now=NOON, limit=2) is None
    assert tokens.admit(server_b, now=NOON, limit=2) is None
    assert tokens.admit(server_a, now=NOON, limit=2) is not None


def test_tokens_are_limited_one_by_one(editor):
    first = tokens.create_token(editor, label="a", expires_on=None).token
    second = tokens.create_token(editor, label="b", expires_on=None).token
    assert tokens.admit(first, now=NOON, limit=1) is None
    assert tokens.admit(first, now=NOON, limit=1) is not None
    assert tokens.admit(second, now=NOON, limit=1) is None


@override_settings(API_RATE_LIMIT=2)
def test_over_the_limit_is_429_with_retry_after_and_a_message(api_as, editor, plan):
    client = api_as(editor)
    assert [client.get("/api/v1/workspaces").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/workspaces")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "2 a minute" in response.json()["message"]
    other_token = api_as(editor)
    assert other_token.get("/api/v1/workspaces").status_code == 200
