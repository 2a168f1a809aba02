"""The API tokens page: create (shown once, stored hashed), list, revoke with confirmation."""

from datetime import timedelta

from django.utils import timezone

from api import tokens
from api.models import ApiToken


def test_the_page_explains_the_api_when_there_are_no_tokens(editor_client):
    page = editor_client.get("/api/tokens/").content.decode()
    assert "No tokens yet" in page
    assert "analytics or ad exports can send KPI actuals" in page
    assert 'href="/api/v1/docs"' in page
    assert 'href="/api/tokens/">API tokens</a>' in page  # the header link


def test_creating_a_token_shows_it_once_and_stores_only_its_digest(editor_client, editor):
    expiry = timezone.localdate() + timedelta(days=30)
    response = editor_client.post(
        "/api/tokens/", {"label": "Ads export", "expires_on": expiry.isoformat()}, follow=True
    )
    page = response.content.decode()
    token = ApiToken.objects.get(user=editor)
    secret = page.split('id="new-token" class="token-secret" type="text" readonly value="')[
        1
    ].split('"')[0]
    assert secret.startswith(token.prefix) and len(secret) > 40
    assert token.digest == tokens.digest_of(secret) and secret not in token.digest
    assert "Copy it now" in page and "Ads export" in page
    assert tokens.usable_token(secret, today=timezone.localdate()) == token
    again = editor_client.get("/api/tokens/").content.decode()
    assert secret not in again and token.prefix in again


def test_a_token_needs_a_label_and_an_expiry_not_in_the_past(editor_client, editor):
    yesterday = timezone.localdate() - timedelta(days=1)
    page = editor_client.post(
        "/api/tokens/", {"label": "", "expires_on": yesterday.isoformat()}
    ).content.decode()
    assert "This field is required." in page and "Choose today or a later day." in page
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_and_then_the_token_stops_working(editor_client, editor):
    new = tokens.create_token(editor, label="Old script", expires_on=None)
    confirm = editor_client.get(f"/api/tokens/{new.token.pk}/revoke/").content.decode()
    assert "Revoke “Old script”?" in confirm and "stops working at once" in confirm
    assert tokens.usable_token(new.secret, today=timezone.localdate()) is not None
    response = editor_client.post(f"/api/tokens/{new.token.pk}/revoke/", follow=True)
    assert "revoked: it no longer works" in response.content.decode()
    assert tokens.usable_token(new.secret, today=timezone.localdate()) is None
    assert "Revoked" in editor_client.get("/api/tokens/").content.decode()


def test_another_user_s_token_is_404_and_not_listed(viewer_client, editor):
    new = tokens.create_token(editor, label="Eddie's", expires_on=None)
    assert viewer_client.get(f"/api/tokens/{new.token.pk}/revoke/").status_code == 404
    assert viewer_client.post(f"/api/tokens/{new.token.pk}/revoke/").status_code == 404
    assert "Eddie's" not in viewer_client.get("/api/tokens/").content.decode()
    assert tokens.usable_token(new.secret, today=timezone.localdate()) is not None


def test_the_token_pages_need_a_login(client):
    assert client.get("/api/tokens/").status_code == 302
