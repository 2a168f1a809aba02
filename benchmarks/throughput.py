"""Throughput per page: gunicorn, 3 sync workers, PostgreSQL, a bounded load on loopback.

Starts a throw-away PostgreSQL, migrates it, seeds the demo and adds the benchmarks' plan of
40 KPIs and 40 tactics (`harness.build`) to the demo workspace's people (marketer: editor,
manager: viewer); then starts gunicorn with production settings (3 sync workers, Django's
default cache, no Redis) and loads one page at a time. At each concurrency level, that many
client threads ask for the page back to back, each request on a new connection with the
headers a browser sends, until --seconds have passed or MAX_REQUESTS were sent. Prints req/s,
p50 and p99 latency, errors, the bytes of an answer as sent, and the gunicorn workers' CPU time
per answer (PostgreSQL's not counted), per page and level.

The client threads share the machine with the server: on 2 cores, the fast pages (login) are
partly limited by the client, and anything else running slows every figure but the CPU time per
answer, which is the one to compare between runs on a busy machine.

    python benchmarks/throughput.py [--seconds 5] [--levels 1,3,6]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.loopback import Browser  # noqa: E402
from scripts.scale import (  # noqa: E402
    PASSWORD,
    Processes,
    environment,
    manage,
    percentile,
    shell_json,
    wait_for,
)
from scripts.throwaway_postgres import ThrowawayPostgres, free_port  # noqa: E402

WORKERS = 3
MAX_REQUESTS = 3000  # per page and level
WARM_UP_SECONDS = 1.0  # per page, unreported: every worker compiles its templates
BROWSER_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
}

# The benchmarks' 40/40 plan in the demo workspace's reach; the URLs of every page measured.
LAYOUT = """
import sys
sys.path.insert(0, "benchmarks")
from harness import build
from django.contrib.auth.models import User
from django.urls import reverse
from plans.models import Membership, Plan, Role
plan_id, _ = build(40, 13)
forty = Plan.objects.get(pk=plan_id)
for name, role in (("marketer", Role.EDITOR), ("manager", Role.VIEWER)):
    person = User.objects.get(username=name)
    Membership.objects.create(workspace=forty.workspace, user=person, role=role)
green = Plan.objects.get(name__startswith="GreenStyle")
print(json.dumps([
    ["login page", "", reverse("login")],
    ["plan list", "marketer", reverse("plans-list")],
    ["worksheet 40/40", "marketer", reverse("plans-detail", args=[forty.pk])],
    ["worksheet GreenStyle", "marketer", reverse("plans-detail", args=[green.pk])],
    ["dashboard 40 KPIs", "manager", reverse("kpis-dashboard", args=[forty.pk])],
    ["portfolio", "manager", reverse("kpis-portfolio")],
]))
"""


@dataclass
class Load:
    """What the clients of one page and level saw, under one lock."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    size: int = 0  # bytes of the last answer's body, as sent
    seconds: float = 0.0  # from the first request to the last answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, status: int, size: int) -> None:
        with self.lock:
            if status == 200:
                self.latencies.append(seconds)
                self.size = size
            else:
                self.errors += 1


def client(
    port: int, path: str, cookies: dict[str, str], until: float, sent: count[int], load: Load
) -> None:
    """One browser asking for the page back to back until the time or the requests run out."""
    browser = Browser(port, timeout=60)
    browser.cookies = dict(cookies)
    while time.monotonic() < until and next(sent) < MAX_REQUESTS:
        started = time.monotonic()
        try:
            reply = browser.send("GET", path, b"", BROWSER_HEADERS)
            status, size = reply.status, len(reply.body)
        except (OSError, http.client.HTTPException):
            status, size = 0, 0
        load.record(time.monotonic() - started, status, size)


def drive(port: int, path: str, cookies: dict[str, str], clients: int, seconds: float) -> Load:
    """`clients` threads on one page for `seconds` (or MAX_REQUESTS); returns what they saw."""
    load, sent = Load(), count()
    began = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client, port, path, cookies, began + seconds, sent, load)
    load.seconds = time.monotonic() - began
    return load


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of gunicorn's master `pid` and its running workers."""
    workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ticks = 0
    for process in [pid, *map(int, workers)]:
        stat = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(stat[11]) + int(stat[12])  # utime and stime, fields 14 and 15 of stat
    return ticks / os.sysconf("SC_CLK_TCK")


def answers(port: int) -> bool:
    try:
        return Browser(port).get("/accounts/login/").status == 200
    except (OSError, http.client.HTTPException):
        return False


def start_server(processes: Processes, env: dict[str, str]) -> tuple[int, int]:
    """gunicorn with WORKERS sync workers; returns its port and its master's pid."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "race_planner.wsgi", "--bind", f"127.0.0.1:{port}"]
    options = ["--workers", str(WORKERS), "--timeout", "120", "--no-control-socket"]
    processes.start("web", [*command, *options], env)
    wait_for(partial(answers, port), "gunicorn answers", 60)
    return port, processes.running["web"].pid


def sessions(port: int) -> dict[str, dict[str, str]]:
    """The cookies of each demo person, logged in; "" for nobody."""
    cookies: dict[str, dict[str, str]] = {"": {}}
    for username in ("marketer", "manager"):
        browser = Browser(port)
        browser.log_in(username, PASSWORD)
        cookies[username] = browser.cookies
    return cookies


def measure(
    port: int, server: int, pages: list[list[str]], levels: list[int], seconds: float
) -> int:
    """Loads each page at each level and prints a line for each; returns the errors seen."""
    cookies = sessions(port)
    print(
        f"  {'page':<22}{'clients':>7}{'requests':>9}{'req/s':>8}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'errors':>7}{'bytes sent':>12}{'CPU ms/answer':>15}"
    )
    errors = 0
    for name, who, path in pages:
        drive(port, path, cookies[who], WORKERS, WARM_UP_SECONDS)
        for clients in levels:
            cpu = cpu_seconds(server)
            load = drive(port, path, cookies[who], clients, seconds)
            cpu_ms = (cpu_seconds(server) - cpu) * 1000
            done, errors = len(load.latencies), errors + load.errors
            p50, p99 = (percentile(load.latencies, share) * 1000 for share in (0.5, 0.99))
            print(
                f"  {name:<22}{clients:>7}{done + load.errors:>9}{done / load.seconds:>8.1f}"
                f"{p50:>8.0f}{p99:>8.0f}{load.errors:>7}{load.size:>12,}"
                f"{cpu_ms / max(done, 1):>15.1f}",
                flush=True,
            )
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and level")
    parser.add_argument("--levels", default="1,3,6", help="concurrent clients, comma-separated")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    began = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="race-throughput-"))
    processes = Processes(folder)
    try:
        with ThrowawayPostgres() as database:
            # One app server on its own: no Redis (Django's default cache in each worker).
            env = environment(folder, database.url, 0) | {"REDIS_URL": "", "TASKS_BACKEND": "db"}
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "seed_demo")
            pages = shell_json(env, LAYOUT)
            port, server = start_server(processes, env)
            print(
                f"Throughput: gunicorn ({WORKERS} sync workers), PostgreSQL, loopback; "
                f"{args.seconds:.0f} s or {MAX_REQUESTS} requests per page and level "
                f"(set-up {time.monotonic() - began:.0f} s)"
            )
            errors = measure(port, server, pages, levels, args.seconds)
    finally:
        processes.stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"  total {time.monotonic() - began:.0f} s")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
