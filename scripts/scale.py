"""Two app servers and two export workers on one PostgreSQL and one Redis, under load, losing
a worker and a server on the way (`make test-scale`, run by CI).

Starts a throw-away PostgreSQL, Debian's redis-server, two gunicorn servers (2 sync workers each,
production settings on loopback) and two RQ workers (TASKS_BACKEND=rq), then drives a bounded
mixed load through both servers: managers read the plan list, dashboards and the portfolio,
marketers add actuals inline (plain forms and htmx), and 20 export requests ask for review PDFs
as scripts do (review.pdf, then its Location until the PDF comes), several for the same plan and
options. Mid-run it kills one worker and one app server (SIGKILL, the whole process group); the
clients of that server move to the other one, as behind a load balancer.

Asserts: no error responses except requests in flight on the killed server (and connections it
refused afterwards); every acknowledged write is in the database afterwards; every export
finished (its PDF downloaded, every export row ready); each fingerprint rendered once (counted
from the RQ jobs that made a PDF). Prints its figures; exits 1 when an assertion fails.

    .venv/bin/python scripts/scale.py
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.loopback import Browser, Reply  # noqa: E402
from scripts.throwaway_postgres import ThrowawayPostgres, free_port  # noqa: E402

PASSWORD = "scale-demo-password"  # noqa: S105 -- a throw-away database
MANAGERS, MARKETERS = 4, 4  # people, each a thread of their own
EXPORTS = 20  # export requests, one every EXPORT_EVERY seconds
EXPORT_EVERY = 2.5
KILL_WORKER_AT, KILL_SERVER_AT = 15.0, 22.0  # seconds into the load
LOAD_AT_LEAST = 45.0  # seconds of reading and writing, whatever the exports do
REQUEST_TIMEOUT = 60.0  # seconds for any one request (a slow, shared machine)
EXPORT_TIMEOUT = 40  # REVIEW_EXPORT_TIMEOUT: a killed worker's export is lost 30 s after it
EXPORT_DEADLINE = 200.0  # seconds for one export request to end with its PDF
BUDGET = 330.0  # seconds for the whole run, setup included
ADD_DAYS_FROM = date(2031, 1, 1)
LOST_WORDS = "the worker making it stopped"  # kpis.review.jobs.LOST: the export is tried again  # inline adds: days of their own, far from the demo's values


# --- processes ---------------------------------------------------------------------------------


class Processes:
    """Every process started here, each in a session of its own (so that a kill reaches its
    children too); `stop_all()` ends whatever is still running."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Path:
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            self.running[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
            )
        return log

    def kill(self, name: str) -> None:
        """SIGKILL to the process and every child: no goodbye, as when a machine dies."""
        process = self.running[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def alive(self, name: str) -> bool:
        return self.running[name].poll() is None

    def stop_all(self) -> None:
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def wait_for(check: Callable[[], bool], what: str, within: float) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {within:.0f} s")
        time.sleep(0.2)


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def shell_json(env: dict[str, str], code: str, data: Any = None) -> Any:
    """Run `code` in `manage.py shell` with `DATA` (JSON) at hand; it prints one JSON line."""
    prelude = f"import json\nDATA = json.loads({json.dumps(json.dumps(data))})\n"
    return json.loads(manage(env, "shell", "-c", prelude + code).strip().splitlines()[-1])


# --- what the shell tells and checks ---------------------------------------------------------------

LAYOUT = """
from django.urls import reverse
from plans.models import Plan
plans = {p.name.split(" ")[0]: p for p in Plan.objects.all()}
green, fin = plans["GreenStyle"], plans["FinTrack"]
print(json.dumps({
    "list": reverse("plans-list"),
    "portfolio": reverse("kpis-portfolio"),
    "green": green.pk,
    "fin": fin.pk,
    "dashboards": [reverse("kpis-dashboard", args=[p.pk]) for p in (green, fin)],
    "green_kpis": list(green.kpis.values_list("pk", flat=True)),
}))
"""

CHECK = """
from datetime import date
from decimal import Decimal
from functools import partial
import django_rq
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry
from kpis.models import Measurement, ReviewExport
from kpis.review.jobs import storage

missing = []
for kpi, day, value in DATA:
    found = Measurement.objects.filter(kpi_id=kpi, date=date.fromisoformat(day)).first()
    if found is None or found.value != Decimal(value):
        missing.append([kpi, day, value, None if found is None else str(found.value)])
exports = [
    {"id": e.pk, "fingerprint": e.fingerprint, "state": e.state, "stored": bool(e.file) and storage().exists(e.file)}
    for e in ReviewExport.objects.order_by("pk")
]
queue = django_rq.get_queue("default")
ids = set(queue.job_ids)
for registry in (FinishedJobRegistry, FailedJobRegistry, StartedJobRegistry):
    ids.update(registry(queue=queue).get_job_ids())
jobs = []
for job in Job.fetch_many(sorted(ids), connection=queue.connection):
    if job is not None:
        jobs.append({"export": job.args[0], "status": str(job.get_status()), "result": str(job.return_value() or "")})
print(json.dumps({"missing": missing, "exports": exports, "jobs": jobs}))
"""


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    who: str
    server: int  # index of the server asked
    started: float
    seconds: float
    status: int  # 0: no answer (refused, cut off, timed out)
    what: str
    said: str = ""  # the start of an error response


@dataclass
class Run:
    """What every thread saw, under one lock."""

    ports: list[int]
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: list[tuple[int, str, str]] = field(default_factory=list)
    killed_server: int | None = None
    killed_at: float | None = None
    downloads: dict[int, int] = field(default_factory=dict)  # export request -> export id
    export_retries: int = 0
    export_failures: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def excused(self, outcome: Outcome) -> bool:
        """A request to the killed server that got no answer: in flight when it died, or
        refused after (the client then moves to the other server)."""
        return (
            outcome.status == 0
            and outcome.server == self.killed_server
            and self.killed_at is not None
            and outcome.started + outcome.seconds >= self.killed_at
        )


class Person:
    """A logged-in browser that asks its server, and moves to the other one when its server
    does not answer (what a load balancer does for the next request)."""

    def __init__(self, run: Run, name: str, username: str, server: int) -> None:
        self.run, self.name, self.server = run, name, server
        self.browser = Browser(run.ports[server], timeout=REQUEST_TIMEOUT)
        self.browser.log_in(username, PASSWORD)

    def ask(
        self, method: str, path: str, fields: dict[str, str] | None = None, **kw: Any
    ) -> Reply | None:
        """The reply, or None when the server gave none (recorded; the next request goes to
        the other server)."""
        server = self.server
        self.browser.port = self.run.ports[server]
        started = time.monotonic()
        reply: Reply | None = None
        try:
            if method == "GET":
                reply = self.browser.get(path, kw.get("headers"))
            else:
                reply = self.browser.post(path, fields or {}, htmx=kw.get("htmx", False))
        except (OSError, http.client.HTTPException):
            self.server = 1 - server
        seconds = time.monotonic() - started
        status = reply.status if reply else 0
        said = reply.text[:200] if reply and reply.status >= 400 else ""
        self.run.record(
            Outcome(self.name, server, started, seconds, status, f"{method} {path}", said)
        )
        return reply


def manager(run: Run, person: Person, pages: list[str]) -> None:
    turn = 0
    while not run.stop.is_set():
        path = pages[turn % len(pages)]
        reply = person.ask("GET", path)
        if reply is not None and reply.status != 200:
            run.crashes.append(f"{person.name}: GET {path} answered {reply.status}")
        turn += 1


def marketer(run: Run, person: Person, plan: int, kpis: list[int], number: int) -> None:
    actuals = f"/plans/{plan}/actuals/"
    done = 0
    while not run.stop.is_set():
        if person.ask("GET", actuals) is None:  # as a person opens the page with the forms
            continue
        kpi = kpis[(number + done) % len(kpis)]
        day = (ADD_DAYS_FROM + timedelta(days=number * 1000 + done)).isoformat()
        value = str(Decimal(number * 10_000 + done) + Decimal("0.5"))
        fields = {f"m{kpi}-date": day, f"m{kpi}-value": value, f"m{kpi}-note": ""}
        htmx = done % 2 == 0
        reply = person.ask("POST", f"{actuals}kpis/{kpi}/add/", fields, htmx=htmx)
        done += 1
        if reply is None:  # no answer: saved or not, nobody was told; not counted
            continue
        ok = (
            reply.status == 200 and "Added " in reply.text
            if htmx
            else reply.status == 302 and actuals in reply.location
        )
        if ok:
            with run.lock:
                run.acknowledged.append((kpi, day, value))
        else:
            run.crashes.append(f"{person.name}: add answered {reply.status} {reply.text[:200]!r}")


def exporter(run: Run, person: Person, number: int, plan: int, query: str) -> None:
    """A script's export: review.pdf, then its Location every Retry-After seconds until the
    PDF; a failed export is asked again with retry=1 (the page's "Try again")."""
    pdf = {"Accept": "application/pdf"}
    start = f"/plans/{plan}/review.pdf?{query}"
    deadline = time.monotonic() + EXPORT_DEADLINE
    path = start
    while time.monotonic() < deadline:
        reply = person.ask("GET", path, headers=pdf)
        if reply is None:
            continue  # another server, same request
        if reply.status == 200 and reply.body.startswith(b"%PDF"):
            export_id = int(path.rsplit("/", 1)[-1].removesuffix(".pdf")) if path != start else 0
            run.downloads[number] = export_id
            return
        if reply.status == 202:
            path = reply.location
            time.sleep(float(reply.headers.get("retry-after", "2")))
        elif reply.status == 503 and path != start:
            with run.lock:
                run.export_retries += 1
                run.export_failures.append(f"request {number}: {reply.text.strip()}")
            path = f"{start}&retry=1"
        else:
            run.crashes.append(f"export request {number}: {reply.status} {reply.text[:200]!r}")
            return
    run.crashes.append(f"export request {number}: no PDF after {EXPORT_DEADLINE:.0f} s")


def spawn(run: Run, job: Callable[[], None], what: str) -> threading.Thread:
    def guarded() -> None:
        try:
            job()
        except Exception as error:
            run.crashes.append(f"{what}: {error!r}")

    thread = threading.Thread(target=guarded, name=what, daemon=True)
    thread.start()
    return thread


# --- the run -------------------------------------------------------------------------------------


def environment(folder: Path, database_url: str, redis_port: int) -> dict[str, str]:
    """Production settings on plain HTTP and loopback; static files from their sources."""
    for name in ("static", "media", "run"):
        (folder / name).mkdir()
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return inherited | {
        "DJANGO_SETTINGS_MODULE": "tests.race_planner.loopback_settings",
        "DEBUG": "0",
        "SECRET_KEY": "scale-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "TASKS_BACKEND": "rq",
        "DEMO_PASSWORD": PASSWORD,
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),  # one folder for both servers and both workers
        "XDG_RUNTIME_DIR": str(folder / "run"),
        "REVIEW_EXPORT_TIMEOUT": str(EXPORT_TIMEOUT),
        "LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def services(folder: Path) -> Iterator[tuple[Processes, dict[str, str]]]:
    """PostgreSQL and Redis up, the database migrated and seeded; everything stopped after."""
    processes = Processes(folder)
    try:
        with ThrowawayPostgres() as database:
            redis_port = free_port()
            processes.start(
                "redis",
                [
                    *("redis-server", "--port", str(redis_port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(folder)),
                ],
                dict(os.environ),
            )
            wait_for(lambda: redis_answers(redis_port), "redis-server answers", 20)
            env = environment(folder, database.url, redis_port)
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "seed_demo")
            yield processes, env
    finally:
        processes.stop_all()


def start_servers(processes: Processes, env: dict[str, str]) -> list[int]:
    ports = [free_port(), free_port()]
    for number, port in enumerate(ports):
        processes.start(
            f"web{number}",
            [
                *(sys.executable, "-m", "gunicorn", "race_planner.wsgi"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"),
                *("--graceful-timeout", "5", "--no-control-socket"),
            ],
            env,
        )
    worker_env = env | {"LOG_LEVEL": "INFO"}
    for number in range(2):
        processes.start(
            f"worker{number}",
            [
                *(sys.executable, "manage.py", "rqworker", "default", "--name", f"worker{number}"),
                *("--worker-class", "rq.worker.SimpleWorker", "--job-class", "django_tasks_rq.Job"),
            ],
            worker_env,
        )

    def answers(port: int) -> bool:
        try:
            return Browser(port, timeout=REQUEST_TIMEOUT).get("/accounts/login/").status == 200
        except (OSError, http.client.HTTPException):
            return False

    for number, port in enumerate(ports):
        wait_for(partial(answers, port), f"app server {number} answers", 60)
    for number in range(2):
        log = processes.folder / f"worker{number}.log"
        wait_for(partial(listening, log), f"worker {number} listens", 60)
    return ports


def listening(log: Path) -> bool:
    return "Listening on" in log.read_text()


def busy_worker(processes: Processes) -> str:
    """The worker running an export now (started a job and not finished it), else worker0."""
    for name in ("worker0", "worker1"):
        log = (processes.folder / f"{name}.log").read_text()
        if log.count("make_review(") > log.count("Job OK") + log.count("Job failed"):
            return name
    return "worker0"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def drive(
    processes: Processes, env: dict[str, str], ports: list[int]
) -> tuple[Run, dict[str, Any]]:
    layout = shell_json(env, LAYOUT)
    green, fin = layout["green"], layout["fin"]
    run = Run(ports)
    # Managers read; marketers write to GreenStyle only, so FinTrack's reviews keep their
    # fingerprint and the requests for the same options join one export.
    pages = [layout["list"], *layout["dashboards"], layout["portfolio"]]
    managers = [Person(run, f"manager{n}", "manager", n % 2) for n in range(MANAGERS)]
    marketers = [Person(run, f"marketer{n}", "marketer", n % 2) for n in range(MARKETERS)]
    exporters = [Person(run, f"export{n}", "manager", n % 2) for n in range(EXPORTS)]
    options = [
        (fin, urlencode({"paper": "A4"})),
        (fin, urlencode({"paper": "Letter"})),
        (fin, urlencode([("stages", "reach"), ("stages", "act"), ("paper", "A4")])),
        (green, urlencode({"paper": "A4"})),
    ]
    run.started = time.monotonic()
    threads = [spawn(run, partial(manager, run, p, pages), p.name) for p in managers]
    threads += [
        spawn(run, partial(marketer, run, p, green, layout["green_kpis"], n), p.name)
        for n, p in enumerate(marketers)
    ]
    exports: list[threading.Thread] = []
    worker_killed = server_killed = ""
    next_export = 0
    while True:
        elapsed = time.monotonic() - run.started
        if next_export < EXPORTS and elapsed >= next_export * EXPORT_EVERY:
            plan, query = options[next_export % len(options)]
            person, n = exporters[next_export], next_export
            exports.append(
                spawn(
                    run,
                    partial(exporter, run, person, n, plan, query),
                    person.name,
                )
            )
            next_export += 1
        if not worker_killed and elapsed >= KILL_WORKER_AT:
            worker_killed = busy_worker(processes)
            processes.kill(worker_killed)
        if not server_killed and elapsed >= KILL_SERVER_AT:
            server_killed = "web1"
            run.killed_at = time.monotonic()
            run.killed_server = 1
            processes.kill(server_killed)
        done = next_export == EXPORTS and not any(t.is_alive() for t in exports)
        if (done and elapsed >= LOAD_AT_LEAST) or time.monotonic() - run.started > BUDGET - 60:
            break
        time.sleep(0.1)
    run.stop.set()
    for thread in threads + exports:
        thread.join(timeout=REQUEST_TIMEOUT + 5)
    load_seconds = time.monotonic() - run.started
    checked = shell_json(env, CHECK, run.acknowledged)
    checked |= {"worker_killed": worker_killed, "server_killed": server_killed}
    checked["load_seconds"] = load_seconds
    return run, checked


def report(run: Run, checked: dict[str, Any], total: float) -> list[str]:
    """Prints the figures; returns the failed assertions."""
    outcomes = run.outcomes
    failures: list[str] = []
    print("\nScale run: 2 app servers x 2 sync workers, 2 RQ workers, PostgreSQL, Redis")
    print(f"  total {total:.1f} s, load {checked['load_seconds']:.1f} s")
    print(
        f"  killed: {checked['worker_killed']} at {KILL_WORKER_AT:.0f} s, "
        f"{checked['server_killed']} at {KILL_SERVER_AT:.0f} s (SIGKILL, whole process group)"
    )
    per_server = Counter(o.server for o in outcomes)
    print(f"  requests: {len(outcomes)} (server 0: {per_server[0]}, server 1: {per_server[1]})")
    kinds = Counter(o.who.rstrip("0123456789") for o in outcomes)
    print("  by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    answered = [o.seconds for o in outcomes if o.status]
    print(
        f"  latency: p50 {percentile(answered, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(answered, 0.95) * 1000:.0f} ms, max {max(answered, default=0):.2f} s"
    )
    reads = [o.seconds for o in outcomes if o.status and o.who.startswith("manager")]
    if reads:
        print(
            f"  manager pages: p50 {statistics.median(reads) * 1000:.0f} ms, "
            f"p95 {percentile(reads, 0.95) * 1000:.0f} ms"
        )
    unanswered = [o for o in outcomes if not o.status]
    excused = [o for o in unanswered if run.excused(o)]
    in_flight = [o for o in excused if run.killed_at is not None and o.started < run.killed_at]
    print(
        f"  no answer: {len(unanswered)} ({len(in_flight)} in flight on the killed server, "
        f"{len(excused) - len(in_flight)} refused by it afterwards)"
    )
    for o in in_flight:
        print(f"    in flight: {o.who} {o.what}")
    lost = [o for o in outcomes if o.status == 503 and LOST_WORDS in o.said]
    print(f"  exports reported lost with the killed worker (503, then retry=1): {len(lost)}")
    bad = [
        o
        for o in outcomes
        if (o.status >= 400 and o not in lost) or (not o.status and not run.excused(o))
    ]
    for o in bad:
        failures.append(f"error: {o.who} {o.what} on server {o.server}: {o.status or 'no answer'}")
    failures += run.crashes
    print(
        f"  writes acknowledged: {len(run.acknowledged)}, missing afterwards: "
        f"{len(checked['missing'])}"
    )
    failures += [f"acknowledged write missing: {m}" for m in checked["missing"]]
    if not run.acknowledged:
        failures.append("no write was acknowledged")

    exports = checked["exports"]
    ready = [e for e in exports if e["state"] == "ready" and e["stored"]]
    print(
        f"  export requests: {EXPORTS}, PDFs downloaded: {len(run.downloads)}, "
        f"exports (fingerprints): {len(exports)}, ready and stored: {len(ready)}, "
        f"retried after a lost worker: {run.export_retries}"
    )
    for message in run.export_failures:
        print(f"    {message}")
    if len(run.downloads) != EXPORTS:
        failures.append(f"{EXPORTS - len(run.downloads)} export request(s) got no PDF")
    failures += [f"export {e['id']} ended {e['state']}" for e in exports if e not in ready]
    renders = Counter(j["export"] for j in checked["jobs"] if j["result"] == "ready")
    attempts = Counter(j["export"] for j in checked["jobs"])
    joined = Counter(run.downloads.values())
    print("  renders per fingerprint (jobs that made the PDF / jobs run, requests served):")
    for e in exports:
        print(
            f"    export {e['id']} {e['fingerprint'][:12]}: rendered {renders[e['id']]}"
            f" / {attempts[e['id']]} job(s), {joined[e['id']]} request(s)"
        )
        if renders[e["id"]] != 1:
            failures.append(
                f"fingerprint {e['fingerprint'][:12]} rendered {renders[e['id']]} times"
            )
    print(f"    served at once from the stored PDF (no export followed): {joined[0]} request(s)")
    if len(exports) >= EXPORTS:
        failures.append("no export request joined another")
    return failures


def main() -> int:
    began = time.monotonic()
    if shutil.which("redis-server") is None:
        print("redis-server is not installed (make system-packages)", file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="race-scale-"))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        with services(folder) as (processes, env):
            ports = start_servers(processes, env)
            print(f"Setup done in {time.monotonic() - began:.1f} s: servers on {ports}", flush=True)
            run, checked = drive(processes, env, ports)
            failures = report(run, checked, time.monotonic() - began)
    except AssertionError as error:
        failures = [str(error)]
        for log in sorted(folder.glob("*.log")):
            print(f"--- {log.name} (end)\n{log.read_text(errors='replace')[-1500:]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"  total {time.monotonic() - began:.1f} s")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print(
        "\nOK: no unexcused error, every acknowledged write stored, every export finished, "
        "each fingerprint rendered once"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
