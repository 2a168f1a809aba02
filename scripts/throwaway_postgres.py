"""A throw-away PostgreSQL server: created in a temporary folder, listening on a free loopback port,
stopped and deleted afterwards. Run as root, the server runs as the `postgres` user.

    python3 scripts/throwaway_postgres.py COMMAND...

runs COMMAND with DATABASE_URL pointing at a fresh server (`scripts/with-postgres.sh` does this
for `make test`). The outage test (`tests/race_planner/test_faults.py`) uses `ThrowawayPostgres`
to stop the server under a running app and start it again. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them per version)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name.split(".")[0])
    )
    if not found:
        raise RuntimeError("PostgreSQL is not installed (run: make system-packages)")
    return found[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayPostgres:
    """`with ThrowawayPostgres() as server:` a running server at `server.url`; `stop()` and
    `start()` take it down and bring it back with the same data and port."""

    def __init__(self, *, timeout: int = 30) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="throwaway-postgres-"))
        self.timeout = timeout
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        # initdb refuses to run as root: as root, run as the postgres user (and its group only).
        as_postgres: dict[str, Any] = (
            {"user": "postgres", "group": "postgres", "extra_groups": []}
            if os.geteuid() == 0
            else {}
        )
        result = subprocess.run(
            [str(self.bin / program), *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=self.timeout + 10,
            check=False,
            **as_postgres,
        )
        if result.returncode != 0:
            log = self.folder / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} {args[-1]} failed:\n{result.stderr}{tail}")

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = str(self.folder / "data")
        # --no-sync: nothing here has to survive a crash of the machine.
        self._run(
            "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        """Returns when the server accepts connections."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F"
        data, log, wait = str(self.folder / "data"), str(self.folder / "log"), str(self.timeout)
        self._run("pg_ctl", "-D", data, "-l", log, "-w", "-t", wait, "-o", options, "start")

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as when a database server goes away."""
        data, wait = str(self.folder / "data"), str(self.timeout)
        self._run("pg_ctl", "-D", data, "-m", "fast", "-w", "-t", wait, "stop")

    def __enter__(self) -> ThrowawayPostgres:
        try:
            self.create()
            self.start()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(command: list[str]) -> int:
    if not command:
        print("usage: throwaway_postgres.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    # A terminated run still stops and deletes its server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    with ThrowawayPostgres() as server:
        print(f"Throw-away PostgreSQL on 127.0.0.1:{server.port}", flush=True)
        with subprocess.Popen(command, env={**os.environ, "DATABASE_URL": server.url}) as child:
            try:
                return child.wait()
            except KeyboardInterrupt:
                return child.wait()  # Ctrl-C reached the command too: let it finish its clean-up


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
