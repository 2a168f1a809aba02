"""`make run`'s script: the web server and an export worker start together, log to the same
terminal, and stop together (Ctrl-C, or either one ending)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.review_helpers import database_url, processes_under

ROOT = Path(__file__).resolve().parent.parent
STARTS_WITHIN = 90  # seconds, on a busy 2-core machine


@dataclass
class Running:
    script: subprocess.Popen[bytes]
    log: Path
    children: dict[int, str]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def still_running(pids: dict[int, str], within: float) -> list[str]:
    """The commands of `pids` still running after up to `within` seconds."""
    deadline = time.monotonic() + within
    while (alive := processes_alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [pids[pid] for pid in alive]


def processes_alive(pids: dict[int, str]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.fixture
def running(db: None, tmp_path: Path) -> Iterator[Running]:
    """scripts/run.sh on a free port and the test database, as a terminal's foreground job."""
    port = free_port()
    log = tmp_path / "run.log"
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_BACKEND": "db",
    }
    with log.open("wb") as out:
        script = subprocess.Popen(
            ["bash", "scripts/run.sh", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as the terminal's foreground job
        )
    started = Running(script, log, {})
    try:
        deadline = time.monotonic() + STARTS_WITHIN
        while not (
            answers(f"http://127.0.0.1:{port}/accounts/login/")
            and "Starting worker" in started.output()
        ):
            assert script.poll() is None, started.output()
            assert time.monotonic() < deadline, started.output()
            time.sleep(0.5)
        started.children = processes_under(script.pid)
        yield started
    finally:
        for pid in processes_alive(processes_under(script.pid)):
            os.kill(pid, signal.SIGKILL)
        if script.poll() is None:
            script.kill()
        script.wait()


def test_both_start_and_log_to_the_same_terminal(running: Running) -> None:
    commands = " | ".join(running.children.values())
    assert "manage.py runserver" in commands and "manage.py db_worker" in commands
    output = running.output()
    assert "Starting development server" in output and "Starting worker" in output


def test_ctrl_c_stops_both(running: Running) -> None:
    os.killpg(running.script.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    assert running.script.wait(timeout=30) == 0
    assert still_running(running.children, within=10) == []
    assert "Stopping the web server and the export worker" in running.output()


def test_when_the_worker_stops_the_web_server_stops_too(running: Running) -> None:
    worker = next(pid for pid, command in running.children.items() if "db_worker" in command)
    os.killpg(os.getpgid(worker), signal.SIGKILL)
    running.script.wait(timeout=30)
    assert still_running(running.children, within=10) == []
