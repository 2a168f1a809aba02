"""Bytes on the wire: every page of a 40-KPI plan, and a first visit to its dashboard.

1. In-process (Django test client, DEBUG off): every page of the plan as an editor and as a
   viewer, asked as a browser asks (Accept-Encoding: gzip, deflate, br). Prints the HTML's raw
   size, what the app sends (compressed when it compresses), the goal beside it (40 KB
   compressed) and the page's query count.
2. On a real gunicorn with production settings after `collectstatic`: the dashboard's HTML and
   every static file it links (styles, scripts, icon), each fetched as a browser with an empty
   cache does (Accept-Encoding: br, gzip), with its encoding and cache headers, and their total
   on the wire against the goal (450 KB).

    python benchmarks/bytes.py
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from harness import (  # sets up Django on a throw-away database
    bench_settings,
    build,
    get_with_queries,
    kb,
)

from scripts.loopback import Browser, Reply
from scripts.scale import Processes, environment, wait_for
from scripts.throwaway_postgres import free_port

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

KPIS, WEEKS = 40, 13
PAGE_GOAL = 40 * 1024  # compressed HTML of any page
FIRST_VISIT_GOAL = 450 * 1024  # a first dashboard visit: HTML and every static file
BROWSER_ENCODINGS = "gzip, deflate, br"
PASSWORD = "bench-password-123"  # harness.build's user, on a throw-away database
# What a page links that a browser fetches on load.
LINKED = re.compile(rb'<(?:link[^>]*\bhref|script[^>]*\bsrc)="(/static/[^"]+)"')


@dataclass(frozen=True)
class Fetched:
    path: str
    status: int
    wire: int  # status line, headers and body as sent
    body: int
    encoding: str
    cache: str
    vary: str


def page_urls(plan: Plan, *, editor: bool) -> list[tuple[str, str]]:
    """Every page (not fragment) a person opens around a plan, by name; viewers are refused
    the pages that change a plan (403), so they are not asked for them."""
    from plans.models import KPI

    kpi = KPI.objects.filter(plan=plan).first()
    assert kpi is not None
    at = [plan.pk]
    for_viewers = [
        ("plan list", reverse("plans-list")),
        ("worksheet", reverse("plans-detail", args=at)),
        ("history", reverse("plans-history", args=at)),
        ("dashboard", reverse("kpis-dashboard", args=at)),
        ("actuals", reverse("kpis-actuals", args=at)),
        ("review options", reverse("kpis-review", args=at)),
        ("portfolio", reverse("kpis-portfolio")),
        ("reverse funnel", reverse("kpis-reverse-calculator")),
    ]
    for_editors = [
        ("new plan", reverse("plans-create")),
        ("edit a KPI", reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])),
        ("plan settings", reverse("plans-settings", args=at)),
        ("roll forward", reverse("plans-roll-forward", args=at)),
        ("check-in", reverse("kpis-check-in", args=at)),
        ("import actuals", reverse("kpis-import", args=at)),
    ]
    return for_viewers + (for_editors if editor else [])


def print_pages(plan: Plan, people: dict[str, User]) -> list[str]:
    """Prints every page's sizes for each person; returns the pages over the goal."""
    print(
        f"\nEvery page of a plan with {KPIS} KPIs x {WEEKS} weeks, asked with {BROWSER_ENCODINGS}"
    )
    print(f"  {'page':<16}{'who':<8}{'HTML':>10}{'gzipped':>10}{'sent':>10}  {'as':<6}queries")
    rows = [("login", "anyone", Client(HTTP_ACCEPT_ENCODING=BROWSER_ENCODINGS), reverse("login"))]
    for who, user in people.items():
        client = Client(HTTP_ACCEPT_ENCODING=BROWSER_ENCODINGS)
        client.force_login(user)
        rows += [(name, who, client, url) for name, url in page_urls(plan, editor=who == "editor")]
    over: list[str] = []
    for name, who, client, url in rows:
        client.get(url)  # warm up
        response, queries = get_with_queries(client, url)
        sent, encoding = response.content, response.get("Content-Encoding", "none")
        html = gzip.decompress(sent) if encoding == "gzip" else sent
        sizes = "".join(
            f"{size / 1024:>7.1f} KB"
            for size in (len(html), len(gzip.compress(html, compresslevel=6)), len(sent))
        )
        print(f"  {name:<16}{who:<8}{sizes}  {encoding:<6}{len(queries):>7}")
        if len(sent) > PAGE_GOAL:
            over.append(f"{name} ({who}): {kb(len(sent))} sent")
    print(f"  goal: at most {PAGE_GOAL // 1024} KB sent for every page; {len(over) or 'none'} over")
    return over


def fetch(browser: Browser, path: str) -> tuple[Fetched, Reply]:
    """One GET as a browser with an empty cache sends it."""
    reply = browser.send("GET", path, b"", {"Accept-Encoding": "br, gzip", "Accept": "*/*"})
    headers = "".join(f"{name}: {value}\r\n" for name, value in reply.headers.items())
    head = len(f"HTTP/1.1 {reply.status} OK\r\n{headers}\r\n".encode())
    fetched = Fetched(
        path,
        reply.status,
        head + len(reply.body),
        len(reply.body),
        reply.headers.get("content-encoding", "none"),
        reply.headers.get("cache-control", ""),
        reply.headers.get("vary", ""),
    )
    return fetched, reply


def production_env(folder: Path) -> dict[str, str]:
    """Production settings (hashed and compressed static files) on plain HTTP and loopback, on
    the in-process part's SQLite file; no Redis."""
    production = {"DJANGO_SETTINGS_MODULE": "race_planner.settings"}
    no_redis = {"REDIS_URL": "", "TASKS_BACKEND": "db"}
    return environment(folder, os.environ["DATABASE_URL"], 0) | production | no_redis


def answers(port: int) -> bool:
    try:
        return Browser(port).get("/accounts/login/").status == 200
    except (OSError, http.client.HTTPException):
        return False


def serve(processes: Processes, env: dict[str, str]) -> int:
    """collectstatic (hashed names, brotli and gzip copies), then gunicorn; returns its port."""
    began = time.monotonic()
    log = processes.start(
        "collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput"], env
    )
    if processes.running["collectstatic"].wait(timeout=600) != 0:
        raise AssertionError(f"collectstatic failed:\n{log.read_text()}")
    print(
        "\nFirst dashboard visit: gunicorn, production settings "
        f"(collectstatic {time.monotonic() - began:.0f} s)"
    )
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "race_planner.wsgi", "--no-control-socket"]
    processes.start("web", [*gunicorn, "--bind", f"127.0.0.1:{port}"], env)
    wait_for(partial(answers, port), "gunicorn answers", 60)
    return port


def visit(browser: Browser, url: str) -> list[Fetched]:
    """The page, then every static file it links, once each, as a browser with an empty cache."""
    page, reply = fetch(browser, url)
    html = gzip.decompress(reply.body) if page.encoding == "gzip" else reply.body
    return [
        page,
        *(fetch(browser, path.decode())[0] for path in dict.fromkeys(LINKED.findall(html))),
    ]


def misses(item: Fetched, *, page: bool) -> list[str]:
    """What this answer does wrong: compressible and sent plain, not negotiated, cached short."""
    found = [] if item.status == 200 else [f"answered {item.status}"]
    compressible = page or item.path.endswith((".js", ".css", ".svg"))
    if compressible and item.encoding not in ("br", "gzip"):
        found.append("sent uncompressed")
    if compressible and "accept-encoding" not in item.vary.lower():
        found.append("without Vary: Accept-Encoding")
    if not page and "immutable" not in item.cache:
        found.append("not cached as immutable")
    return [f"{item.path} {problem}" for problem in found]


def first_visit(plan: Plan, username: str) -> list[str]:
    """The dashboard's first visit through gunicorn and whitenoise; returns what misses a goal."""
    folder = Path(tempfile.mkdtemp(prefix="race-bytes-"))
    processes = Processes(folder)
    try:
        browser = Browser(serve(processes, production_env(folder)))
        browser.log_in(username, PASSWORD)
        fetched = visit(browser, reverse("kpis-dashboard", args=[plan.pk]))
    finally:
        processes.stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    problems: list[str] = []
    print(f"  {'what':<52}{'status':>6}{'on the wire':>13}  {'encoding':<9}cache; vary")
    for number, item in enumerate(fetched):
        size, cache = item.wire / 1024, f"{item.cache or '-'}; {item.vary or '-'}"
        print(f"  {item.path[-52:]:<52}{item.status:>6}{size:>10.1f} KB  {item.encoding:<9}{cache}")
        problems += misses(item, page=number == 0)
    total = sum(item.wire for item in fetched)
    verdict = "ok" if total <= FIRST_VISIT_GOAL else "OVER"
    print(f"  total on the wire: {kb(total)}; goal ≤ {FIRST_VISIT_GOAL // 1024} KB: {verdict}")
    return problems + ([f"first dashboard visit {kb(total)}"] if verdict == "OVER" else [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-only", action="store_true", help="skip the gunicorn visit")
    args = parser.parse_args()
    from django.contrib.auth.models import User

    from plans.models import Membership, Plan, Role

    call_command("migrate", verbosity=0)
    plan_id, viewer = build(KPIS, WEEKS)
    plan = Plan.objects.get(pk=plan_id)
    editor = User.objects.create_user("bench-editor", password=PASSWORD)
    Membership.objects.create(workspace=plan.workspace, user=editor, role=Role.EDITOR)
    with bench_settings():
        missed = print_pages(plan, {"editor": editor, "viewer": viewer})
    if not args.pages_only:
        missed += first_visit(plan, viewer.username)
    print("\n  every goal met" if not missed else "\n  MISSED: " + "; ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
