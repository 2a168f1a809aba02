"""SQLite under a small team's real use: gunicorn with several worker processes on a database
file, and 21 people writing at once (weekly check-ins, inline adds, a CSV import updating some
5,000 values). Every request succeeds and every acknowledged value is in the database after.

`pytest -s` prints the figures: writers, requests, seconds, the slowest request, errors.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from scripts.loopback import Forms

# Its own SQLite file whatever DATABASE_URL says: the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4  # gunicorn processes
CHECK_INS, ADDERS = 10, 10  # writers of each kind, besides the one CSV import
WRITERS = 1 + CHECK_INS + ADDERS  # each a person of their own, logged in
CSV_DAYS = 230  # x 22 KPIs = 5,060 rows, every one an update of a value already there
MIN_WRITES, MAX_WRITES = 3, 40  # per writer: at least 3, and on until the import is done
REQUEST_TIMEOUT = 30  # seconds, for any one request
BUDGET = 120  # seconds for the whole run of writers
PASSWORD = "concurrent-writers-password"
CSV_START, CHECK_IN_START, ADD_START = date(2025, 1, 1), date(2026, 7, 1), date(2028, 1, 1)
LOCKED_DAY = date(2029, 1, 1)  # the check-in made while someone else holds the lock
DB_NAME = "team.sqlite3"

# Run by `manage.py shell`: the tables, a workspace of editors and a B2C plan with every
# suggested KPI (22), whose values for the CSV's days are already there: the import updates.
SEED = f"""
import json
from datetime import date, timedelta
from decimal import Decimal
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management import call_command
from kpis.actuals.recording import Actual, record_actuals
from kpis.models import Source
from plans.lifecycle import create_plan, preset_item_keys
from plans.models import Membership, Role, Workspace

call_command("migrate", verbosity=0)
workspace = Workspace.objects.create(name="Team", slug="team")
password = make_password({PASSWORD!r})  # hashed once for every user
users = [User.objects.create(username=f"editor{{n}}", password=password) for n in range({WRITERS})]
for user in users:
    Membership.objects.create(workspace=workspace, user=user, role=Role.EDITOR)
plan = create_plan(
    workspace=workspace, name="Busy week", audience="b2c", currency="EUR", status="active",
    period_start=date(2026, 7, 1), period_end=date(2026, 9, 30), created_by=users[0],
    preset_keys=preset_item_keys(["b2c"]),
)
kpis = list(plan.kpis.order_by("pk"))
start = date.fromisoformat({CSV_START.isoformat()!r})
days = [start + timedelta(days=n) for n in range({CSV_DAYS})]
record_actuals(
    [Actual(kpi=kpi, on=day, value=Decimal(1)) for kpi in kpis for day in days],
    source=Source.CSV, user=None,
)
print(json.dumps({{"plan": plan.pk, "kpis": [[k.pk, k.name] for k in kpis],
                  "users": [u.username for u in users]}}))
"""

DUMP = """
import json
from kpis.models import Measurement
def rows(queryset):
    return [[k, d.isoformat(), str(v)] for k, d, v in queryset.values_list("kpi_id", "date", "value")]
print(json.dumps({"values": rows(Measurement.objects), "history": rows(Measurement.history)}))
"""

Key = tuple[int, date]


@dataclass
class Reply:
    status: int
    location: str
    text: str


@dataclass
class Figures:
    """What every thread saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[Key, Decimal] = field(default_factory=dict)

    def timed(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def acknowledge(self, values: dict[Key, Decimal]) -> None:
        with self.lock:
            self.acknowledged.update(values)


def _multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = f"race-{time.monotonic_ns()}"
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, data in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{name}.csv"\r\nContent-Type: text/csv\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """One person's browser: cookies, the CSRF token of the last form page, no redirects."""

    def __init__(self, port: int, figures: Figures) -> None:
        self.origin = f"http://127.0.0.1:{port}"
        self.port, self.figures = port, figures
        self.cookies: dict[str, str] = {}
        self.token = ""

    def get(self, path: str) -> Reply:
        reply = self._send("GET", path, b"", {})
        if 'name="csrfmiddlewaretoken"' in reply.text:
            self.token = Forms(reply.text).having("csrfmiddlewaretoken")["csrfmiddlewaretoken"]
        return reply

    def post(
        self,
        path: str,
        fields: dict[str, str],
        *,
        files: dict[str, bytes] | None = None,
        multipart: bool = False,
        htmx: bool = False,
    ) -> Reply:
        fields = {"csrfmiddlewaretoken": self.token, **fields}
        if files is not None or multipart:
            body, content_type = _multipart(fields, files or {})
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "Origin": self.origin}
        if htmx:
            headers |= {"HX-Request": "true", "X-CSRFToken": self.token}
        return self._send("POST", path, body, headers)

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        started = time.monotonic()
        try:
            connection.request(method, path, body or None, {**headers, "Cookie": cookie})
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
            self.figures.timed(time.monotonic() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Reply(response.status, response.getheader("Location") or "", text)

    def log_in(self, username: str) -> None:
        """Through the login form, then the page it leads to (whose forms hold the new token)."""
        self.get("/accounts/login/")
        reply = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise AssertionError(f"login of {username}: {reply.status}")
        self.get(reply.location)


def _environ(tmp_path: Path) -> dict[str, str]:
    """DEBUG off and plain HTTP on loopback; a database file of this test's own."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    for folder in ("static", "run"):
        (tmp_path / folder).mkdir()
    return environ | {
        "DJANGO_SETTINGS_MODULE": "tests.race_planner.server_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / DB_NAME}",
        "DEBUG": "0",
        "SECRET_KEY": "concurrent-writers-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),  # gunicorn's control socket, not in $HOME
        "LOG_LEVEL": "WARNING",
    }


def _manage(environ: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _start_server(environ: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    options = f"--bind 127.0.0.1:0 --workers {WORKERS} --timeout 90 --graceful-timeout 5"
    command = [sys.executable, "-m", "gunicorn", "race_planner.wsgi", *options.split()]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
        if found and log.read_text().count("Booting worker") >= WORKERS:
            return server, int(found.group(1))
        time.sleep(0.1)
    server.kill()
    raise AssertionError(f"gunicorn did not start:\n{log.read_text()}")


def _warm_up(port: int) -> None:
    """A worker's first request imports the views, seconds on a busy machine: more requests at
    once than there are workers, so every worker has made its first before anything is timed."""
    figures = Figures()
    pages = [partial(Browser(port, figures).get, "/accounts/login/") for _ in range(2 * WORKERS)]
    _run_all(pages, figures, "warm-up")
    assert not figures.errors, figures.errors


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def _thread(job: Callable[[], object], figures: Figures, what: str) -> threading.Thread:
    """A started thread running `job`; an exception in it is an error, not a crash."""

    def guarded() -> None:
        try:
            job()
        except Exception as error:
            figures.error(f"{what}: {error!r}")

    thread = threading.Thread(target=guarded)
    thread.start()
    return thread


def _run_all(jobs: Sequence[Callable[[], object]], figures: Figures, what: str) -> float:
    """Run every job in a thread of its own, all at once; the seconds until all are done."""
    started = time.monotonic()
    threads = [_thread(job, figures, f"{what} {n}") for n, job in enumerate(jobs)]
    for thread in threads:
        thread.join(timeout=max(0.0, started + BUDGET - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        figures.error(f"{what}: still running after {BUDGET} s")
    return time.monotonic() - started


@dataclass
class Team:
    """The plan the writers share, and when the CSV import is done."""

    plan: int
    kpis: list[int]
    figures: Figures
    imported: threading.Event = field(default_factory=threading.Event)

    def more(self, done: int) -> bool:
        return done < MIN_WRITES or (done < MAX_WRITES and not self.imported.is_set())

    def check(self, ok: bool, what: str, reply: Reply) -> bool:
        if not ok:
            self.figures.error(f"{what}: {reply.status} {reply.text[:200]!r}")
        return ok


def _check_in(team: Team, browser: Browser, day: date, what: str, base: int) -> None:
    """One weekly check-in: a value for every KPI on `day`."""
    values = {(kpi, day): Decimal(base + i) + Decimal("0.25") for i, kpi in enumerate(team.kpis)}
    fields = {"date": day.isoformat(), "note": what}
    fields |= {f"kpi_{kpi}": str(value) for (kpi, _), value in values.items()}
    reply = browser.post(f"/plans/{team.plan}/actuals/check-in/", fields)
    ok = reply.status == 302 and reply.location.endswith(f"/plans/{team.plan}/dashboard/")
    if team.check(ok, what, reply):
        team.figures.acknowledge(values)


def check_in_writer(team: Team, browser: Browser, n: int) -> None:
    """Weekly check-ins, each on a day no one else writes."""
    browser.get(f"/plans/{team.plan}/actuals/check-in/")  # as a person opens the form
    done = 0
    while team.more(done):
        day = CHECK_IN_START + timedelta(days=n * MAX_WRITES + done)
        _check_in(team, browser, day, f"check-in {n}.{done}", n * 100_000 + done * 100)
        done += 1


def adder(team: Team, browser: Browser, n: int) -> None:
    """Inline adds of one value, every other one through htmx, each KPI and day its own."""
    done = 0
    while team.more(done):
        kpi = team.kpis[(n + done) % len(team.kpis)]
        day = ADD_START + timedelta(days=n * MAX_WRITES + done)
        value = Decimal(n * 1000 + done) + Decimal("0.5")
        fields = {f"m{kpi}-date": day.isoformat(), f"m{kpi}-value": str(value), f"m{kpi}-note": ""}
        htmx = (n + done) % 2 == 0
        reply = browser.post(f"/plans/{team.plan}/actuals/kpis/{kpi}/add/", fields, htmx=htmx)
        if htmx:
            ok = reply.status == 200 and "Added " in reply.text
        else:
            ok = reply.status == 302 and f"/plans/{team.plan}/actuals/" in reply.location
        if team.check(ok, f"add {n}.{done}", reply):
            team.figures.acknowledge({(kpi, day): value})
        done += 1


def importer(team: Team, browser: Browser, names: dict[int, str]) -> None:
    """Upload a CSV updating every value of the CSV's days, then confirm it as a browser does."""
    try:
        path = f"/plans/{team.plan}/actuals/import/"
        browser.get(path)
        values = {
            (kpi, CSV_START + timedelta(days=d)): Decimal(2 + d)
            for kpi in team.kpis
            for d in range(CSV_DAYS)
        }
        lines = ["kpi,date,value,note"]
        lines += [
            f'"{names[kpi]}",{day.isoformat()},{value},' for (kpi, day), value in values.items()
        ]
        upload = browser.post(path, {}, files={"file": "\n".join(lines).encode()})
        summary = f"{len(values)} rows read: 0 new, {len(values)} to update"
        if not team.check(upload.status == 200 and summary in upload.text, "CSV preview", upload):
            return
        # The confirmation form as the browser sends it: its fields, line breaks as CRLF.
        confirm = Forms(upload.text).having("text")
        confirm["text"] = re.sub(r"\r?\n", "\r\n", confirm["text"])
        browser.token = confirm.pop("csrfmiddlewaretoken")
        reply = browser.post(path, confirm, multipart=True)
        ok = reply.status == 302 and reply.location.endswith(f"/plans/{team.plan}/dashboard/")
        if team.check(ok, "CSV import", reply):
            team.figures.acknowledge(values)
            shown = browser.get(reply.location)
            message = f"Imported 0 new and {len(values)} updated value(s)."
            team.check(message in shown.text, "CSV import's message", shown)
    finally:
        team.imported.set()


def _while_the_lock_is_held(db: Path, team: Team, browser: Browser) -> float:
    """Someone holds SQLite's write lock: pages still answer, a check-in waits for the lock
    (instead of failing) and is saved once it is free. The seconds the check-in took."""
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        assert holder.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE kpis_measurement SET note = 'held' WHERE id = 1")
        for path in (
            "/plans/",
            f"/plans/{team.plan}/dashboard/",
            f"/plans/{team.plan}/actuals/check-in/",
        ):
            reply = browser.get(path)
            team.check(reply.status == 200, f"GET {path} while the lock is held", reply)
        started = time.monotonic()
        job = partial(_check_in, team, browser, LOCKED_DAY, "check-in while locked", 900_000)
        waiting = _thread(job, team.figures, "check-in while locked")
        waiting.join(timeout=2)
        assert waiting.is_alive(), f"the check-in did not wait for the lock: {team.figures.errors}"
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    waiting.join(timeout=REQUEST_TIMEOUT)
    return time.monotonic() - started


def test_twenty_one_writers_at_once_on_sqlite_all_succeed_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    environ = _environ(tmp_path)
    seeded = json.loads(_manage(environ, "shell", "-c", SEED).strip().splitlines()[-1])
    names = dict(map(tuple, seeded["kpis"]))
    figures = Figures()
    team = Team(plan=seeded["plan"], kpis=list(names), figures=figures)
    log = tmp_path / "gunicorn.log"
    server, port = _start_server(environ, log)
    try:
        _warm_up(port)
        browsers = [Browser(port, figures) for _ in seeded["users"]]
        logins = [partial(b.log_in, u) for b, u in zip(browsers, seeded["users"], strict=True)]
        login_seconds = _run_all(logins, figures, "login")
        assert not figures.errors, figures.errors
        waited = _while_the_lock_is_held(tmp_path / DB_NAME, team, browsers[0])
        assert not figures.errors, figures.errors
        figures.latencies.clear()

        writers = [partial(importer, team, browsers[0], names)]
        writers += [partial(check_in_writer, team, browsers[1 + n], n) for n in range(CHECK_INS)]
        writers += [partial(adder, team, browsers[1 + CHECK_INS + n], n) for n in range(ADDERS)]
        seconds = _run_all(writers, figures, "writer")
    finally:
        _stop(server)
    server_log = log.read_text()
    print(
        f"\nSQLite, gunicorn with {WORKERS} worker processes: {len(writers)} writers at once "
        f"({CHECK_INS} check-ins, {ADDERS} inline adds, 1 CSV import of "
        f"{len(team.kpis) * CSV_DAYS} rows), {len(figures.latencies)} requests in {seconds:.1f} s, "
        f"slowest {max(figures.latencies):.2f} s, {len(figures.errors)} errors, "
        f"{len(figures.acknowledged)} values acknowledged; "
        f"{len(browsers)} logins at once in {login_seconds:.1f} s; with the write lock held "
        f"elsewhere pages answered and a check-in waited, saved {waited:.1f} s after it began"
    )
    for error in figures.errors[:10]:
        print("  ", error)
    assert not figures.errors, f"{len(figures.errors)} errors; server log:\n{server_log[-3000:]}"
    assert "Traceback" not in server_log and "database is locked" not in server_log, server_log

    stored = json.loads(_manage(environ, "shell", "-c", DUMP).strip().splitlines()[-1])
    values = {(k, date.fromisoformat(d)): Decimal(v) for k, d, v in stored["values"]}
    history = {(k, date.fromisoformat(d), Decimal(v)) for k, d, v in stored["history"]}
    lost = {key: value for key, value in figures.acknowledged.items() if values.get(key) != value}
    assert not lost, f"{len(lost)} acknowledged values not stored as acknowledged"
    unrecorded = [
        key for key, value in figures.acknowledged.items() if (*key, value) not in history
    ]
    assert not unrecorded, f"{len(unrecorded)} acknowledged values missing from the history"
    assert len(values) == len(figures.acknowledged)  # and nothing else: the seeded days all updated
