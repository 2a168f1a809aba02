"""Playwright drives Debian's Chromium; it never downloads a browser of its own."""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from demo.seeding import seed_demo
from plans.models import Plan

CHROMIUM = "/usr/bin/chromium"
GREENSTYLE = "GreenStyle – online boutique growth"

# The CI host is shared: give a swap 10 s instead of 5 before calling it missing.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test's screenshots go to be looked at: $SCREENSHOTS, else the test's own folder."""
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def greenstyle(transactional_db: None) -> Plan:
    """The demo, seeded as `make run` seeds it, and its B2C plan."""
    seed_demo()
    return Plan.objects.get(name=GREENSTYLE)
