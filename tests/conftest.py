"""Shared fixtures: a workspace with an admin, an editor and a viewer, an outsider, and a plan."""

import os

import pytest
from django.contrib.auth.models import User
from django.test import Client

from plans.models import Plan, Role, Workspace
from tests.factories import make_member, make_plan, make_user, make_workspace

# Sync Playwright runs an event loop in the test thread; the ORM calls in browser tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`postgres_only` tests run in make test's PostgreSQL pass and are skipped on SQLite."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: runs in the pass with a postgres DATABASE_URL")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture
def workspace(db: None) -> Workspace:
    return make_workspace(name="Acme")


@pytest.fixture
def admin_member(workspace: Workspace) -> User:
    return make_member(workspace=workspace, role=Role.ADMIN, username="alice-admin")


@pytest.fixture
def editor(workspace: Workspace) -> User:
    return make_member(workspace=workspace, role=Role.EDITOR, username="eddie-editor")


@pytest.fixture
def viewer(workspace: Workspace) -> User:
    return make_member(workspace=workspace, role=Role.VIEWER, username="vera-viewer")


@pytest.fixture
def outsider(db: None) -> User:
    other = make_workspace(name="Elsewhere")
    user = make_user(username="otto-outsider")
    # A member of another workspace, so "outsider" is not merely "has no workspace at all".
    from plans.models import Membership

    Membership.objects.create(workspace=other, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def plan(workspace: Workspace) -> Plan:
    return make_plan(workspace=workspace, name="Spring push")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor: User) -> Client:
    return _client_for(editor)


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    return _client_for(viewer)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return _client_for(outsider)


@pytest.fixture
def admin_client_member(admin_member: User) -> Client:
    return _client_for(admin_member)
