"""Helpers for the review PDF tests: read a PDF's text, count requests to a local server, run
the queued export jobs, wait for a worker's export, and find browser processes."""

import functools
import io
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pypdf


@functools.lru_cache(maxsize=32)
def _pdftotext(pdf: bytes, mode: str) -> str:
    """poppler's pdftotext (fast, and not our own code) in `-layout` or `-raw` mode."""
    return subprocess.run(
        ["pdftotext", mode, "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, laid out as on the page."""
    pages = _pdftotext(pdf, "-layout").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdf_reading_order(pdf: bytes) -> str:
    """The whole text in the order it was written, whitespace collapsed: a wrapped table cell
    stays in one piece, which the page layout would interleave with its neighbours."""
    return " ".join(_pdftotext(pdf, "-raw").split())


def pdf_text(pdf: bytes) -> str:
    # pypdf may break a line anywhere; compare with whitespace collapsed.
    return " ".join(" ".join(pdf_pages(pdf)).split())


@dataclass
class CountingServer:
    port: int = 0
    paths: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def counting_server() -> Iterator[CountingServer]:
    """A real HTTP server on 127.0.0.1 that records every request made to it."""
    record = CountingServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            record.paths.append(self.path)
            body = b"body { background: red }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


def run_queued_jobs() -> int:
    """Run the tasks waiting in the database queue here, as `manage.py db_worker` would (its
    own code: claim, call the task found by its path, record the outcome); how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def processes_under(pid: int) -> dict[int, str]:
    """Every process descended from `pid` and its command line, read from /proc."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # "pid (comm) state ppid …": the command may hold spaces and parentheses.
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue  # gone meanwhile
        if fields[0] == "Z":
            continue  # ended, waiting to be reaped
        commands[int(entry)] = command
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            found[child] = commands[child]
    return found


def browser_processes_under(pid: int) -> set[int]:
    """Chromium processes descended from `pid` (kaleido's among them)."""
    return {child for child, command in processes_under(pid).items() if "chrom" in command.lower()}


def database_url() -> str:
    """The test database, for another process (pytest-django renamed it: test_…, or a file)."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def panel_when_ready(
    client: Any,
    progress_url: str,
    panel: str,
    worker: subprocess.Popen[bytes],
    *,
    within: int = 120,
) -> str:
    """Poll the progress panel (htmx, as the page does) until the PDF is ready; fail when the
    export fails, the worker stops or `within` seconds pass (a first export on a busy 2-core
    machine takes 10-25 s)."""
    deadline = time.monotonic() + within
    while "Your PDF is ready" not in panel:
        assert worker.poll() is None, "the worker stopped"
        assert "could not be made" not in panel, panel
        assert time.monotonic() < deadline, f"not ready after {within} s: {panel}"
        time.sleep(0.5)
        panel = client.get(progress_url, HTTP_HX_REQUEST="true").content.decode()
    return panel
