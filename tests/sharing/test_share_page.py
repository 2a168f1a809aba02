"""The Share page: editors create (shown once, stored hashed), list and revoke links."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from plans.models import Plan
from sharing import links
from sharing.models import ShareLink
from tests.sharing.conftest import public_url, share

NEW_LINK = 'id="new-link" class="token-secret" type="text" readonly value="'


def _create(client: Client, plan: Plan, **data: object) -> str:
    expiry = timezone.localdate() + timedelta(days=14)
    fields = {"label": "Board, Q3", "expires_on": expiry.isoformat(), **data}
    response = client.post(f"/plans/{plan.pk}/share/", fields, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_an_editor_creates_a_link_shown_once_and_stored_hashed(editor_client, editor, plan):
    page = _create(editor_client, plan, with_pdf="on")
    url = page.split(NEW_LINK)[1].split('"')[0]
    assert url.startswith("http://testserver/s/")
    secret = url.removeprefix("http://testserver/s/").rstrip("/")
    assert len(secret) >= 43  # 32 random bytes, URL-safe
    path = url.removeprefix("http://testserver")
    assert re.fullmatch(r"/s/[A-Za-z0-9_-]{43}/", path)  # the token alone: no plan id
    link = ShareLink.objects.get()
    assert link.digest == links.digest_of(secret) and secret not in link.digest
    assert (link.plan, link.created_by, link.label) == (plan, editor, "Board, Q3")
    assert link.with_pdf
    assert "Copy it now" in page and 'data-copy="new-link"' in page
    again = editor_client.get(f"/plans/{plan.pk}/share/").content.decode()
    assert secret not in again and "Board, Q3" in again
    assert Client().get(url).status_code == 200  # the link works for anyone


def test_the_list_says_who_made_each_link_and_how_it_is_used(editor_client, editor, plan):
    used = share(plan, by=editor, label="Agency")
    share(plan, by=editor, label="Old board")
    ShareLink.objects.filter(label="Old board").update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    for _ in range(3):
        Client().get(public_url(used))
    page = editor_client.get(f"/plans/{plan.pk}/share/").content.decode()
    row = page.split("<td>Agency</td>")[1].split("</tr>")[0]
    assert "eddie-editor" in row and '<td class="num">3</td>' in row
    assert "Not yet" not in row and "Active" in row and "Revoke “Agency”" in row
    old = page.split("<td>Old board</td>")[1].split("</tr>")[0]
    assert "Expired" in old and "Not yet" in old


def test_a_link_needs_a_label_and_an_expiry_within_a_year(editor_client, plan):
    today = timezone.localdate()
    page = _create(
        editor_client, plan, label="", expires_on=(today - timedelta(days=1)).isoformat()
    )
    assert "This field is required." in page and "Choose today or a later day." in page
    page = _create(editor_client, plan, expires_on=(today + timedelta(days=400)).isoformat())
    assert "Choose a day before" in page
    page = _create(editor_client, plan, expires_on="")
    assert "This field is required." in page
    assert not ShareLink.objects.exists()


def test_revoking_asks_first_and_the_link_stops_at_once(editor_client, editor, plan):
    new = share(plan, by=editor, label="Client")
    anyone = Client()
    assert anyone.get(public_url(new)).status_code == 200
    confirm = editor_client.get(f"/plans/{plan.pk}/share/{new.link.pk}/revoke/").content.decode()
    assert "Revoke “Client”?" in confirm and "stops working at once" in confirm
    assert anyone.get(public_url(new)).status_code == 200  # asking is not revoking
    response = editor_client.post(f"/plans/{plan.pk}/share/{new.link.pk}/revoke/", follow=True)
    assert "revoked: it no longer opens the plan" in response.content.decode()
    assert anyone.get(public_url(new)).status_code == 404
    assert "Revoked" in editor_client.get(f"/plans/{plan.pk}/share/").content.decode()


@pytest.mark.parametrize("path", ["share/", "share/{link}/revoke/"])
def test_viewers_are_refused_and_outsiders_find_nothing(
    viewer_client, outsider_client, editor, plan, path
):
    new = share(plan, by=editor)
    url = f"/plans/{plan.pk}/" + path.format(link=new.link.pk)
    for method in ("get", "post"):
        assert getattr(viewer_client, method)(url).status_code == 403
        assert getattr(outsider_client, method)(url).status_code == 404
    assert ShareLink.objects.get().revoked_at is None
    assert ShareLink.objects.count() == 1


def test_a_link_of_another_plan_is_404_here(editor_client, editor, plan, workspace):
    from tests.factories import make_plan

    other = share(make_plan(workspace=workspace), by=editor)
    response = editor_client.post(f"/plans/{plan.pk}/share/{other.link.pk}/revoke/")
    assert response.status_code == 404
    assert ShareLink.objects.get().revoked_at is None


def test_the_share_button_is_for_editors(editor_client, viewer_client, plan):
    share_button = f'href="/plans/{plan.pk}/share/">Share</a>'
    assert share_button in editor_client.get(f"/plans/{plan.pk}/").content.decode()
    assert share_button not in viewer_client.get(f"/plans/{plan.pk}/").content.decode()


def test_an_archived_plan_can_still_be_shared_and_its_links_revoked(editor_client, editor, plan):
    Plan.objects.filter(pk=plan.pk).update(status="archived")
    new = share(plan, by=editor)
    assert "Create link" in editor_client.get(f"/plans/{plan.pk}/share/").content.decode()
    editor_client.post(f"/plans/{plan.pk}/share/{new.link.pk}/revoke/")
    assert ShareLink.objects.get().revoked_at is not None
