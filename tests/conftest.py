"""Shared fixtures: a workspace with an admin, an editor and a viewer, an outsider, and a plan."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings

from plans.models import Plan, Role, Workspace
from tests.factories import make_member, make_plan, make_user, make_workspace
from tests.review_helpers import database_url

ROOT = Path(__file__).resolve().parent.parent

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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On SQLite the test database is a file, not memory, so that a real worker process
    (tests/kpis/review/test_worker.py) can open it too. PostgreSQL's already can."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Review PDFs made by the tests go to a folder of the run's own, never to media/."""
    root = tmp_path_factory.mktemp("media")
    reviews = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root / "reviews")},
    }
    with override_settings(MEDIA_ROOT=root, STORAGES={**settings.STORAGES, "reviews": reviews}):
        yield root


@pytest.fixture
def export_worker(
    media_root: Path, tmp_path: Path, transactional_db: None
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `manage.py db_worker` on the test database, in a process group of its own (with
    the Chromium it starts); stopped, and its log printed, at the end of the test."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
        "TASKS_BACKEND": "db",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "-v1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        for sent in (signal.SIGTERM, signal.SIGKILL):  # ask, then insist
            try:
                os.killpg(process.pid, sent)
                process.wait(timeout=15)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        print(log_path.read_text(errors="replace"))


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
def other_editor(workspace: Workspace) -> User:
    """A second editor of the workspace: the one who sees another's change."""
    return make_member(workspace=workspace, role=Role.EDITOR, username="erin-editor")


@pytest.fixture
def other_editor_client(other_editor: User) -> Client:
    client = Client()
    client.force_login(other_editor)
    return client


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    return _client_for(viewer)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return _client_for(outsider)


@pytest.fixture
def admin_client_member(admin_member: User) -> Client:
    return _client_for(admin_member)
