"""A team to nudge: an owner (editor) of a plan's KPIs, an editor who wants alerts, a viewer;
a real SMTP server on loopback that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.test import override_settings

from nudges.models import Preference
from plans.models import Plan, Role, Workspace
from tests.factories import make_kpi, make_member, make_plan
from tests.test_run_script import free_port

UTC = ZoneInfo("UTC")
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command


def at(day: date, hour: int = 9, zone: ZoneInfo = UTC) -> datetime:
    """An instant on a day: what the tests pass as `now`."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


@dataclass
class Inbox:
    """What the loopback SMTP server received, as parsed messages."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()).replace("\r\n", "\n"), str(html.get_content())


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Iterator[Inbox]:
    """The project's SMTP backend pointed at the loopback server, for this test."""
    box, port = smtp
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        SITE_URL="https://race.example",
    ):
        yield box


@dataclass
class Team:
    workspace: Workspace
    plan: Plan
    owner: User
    watcher: User  # an editor who asked for alerts
    viewer: User


def make_team(workspace: Workspace, *, name: str = "Autumn push") -> Team:
    owner = make_member(workspace=workspace, role=Role.EDITOR)
    owner.email, owner.first_name, owner.last_name = (
        f"{owner.username}@example.com",
        "Olivia",
        "Owner",
    )
    owner.save()
    # The owner's mail is reminders unless a test turns more on.
    Preference.objects.create(user=owner, reminders=True, alerts=False, digest=False)
    watcher = make_member(workspace=workspace, role=Role.EDITOR)
    watcher.email = f"{watcher.username}@example.com"
    watcher.save()
    Preference.objects.create(user=watcher, alerts=True, reminders=False, digest=False)
    viewer = make_member(workspace=workspace, role=Role.VIEWER)
    viewer.email = f"{viewer.username}@example.com"
    viewer.save()
    Preference.objects.create(user=viewer, alerts=True, reminders=False, digest=False)
    plan = make_plan(workspace=workspace, name=name)
    plan.created_by = owner
    plan.save()
    return Team(workspace, plan, owner, watcher, viewer)


@pytest.fixture
def team(workspace: Workspace) -> Team:
    return make_team(workspace)


def owned_kpi(team: Team, **kwargs: Any) -> Any:
    kpi = make_kpi(plan=team.plan, **kwargs)
    kpi.owner = team.owner
    kpi.save()
    return kpi
