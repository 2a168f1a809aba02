"""The API in a real server: gunicorn on loopback, a token, actuals POSTed with urllib, and the
dashboard's data showing them."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from api import tokens
from kpis.dashboards.snapshot import plan_snapshot
from kpis.models import Measurement, Source
from scripts.throwaway_postgres import free_port
from tests.review_helpers import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(transactional_db, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1", "PYTHONUNBUFFERED": "1"}
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "race_planner.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(150):  # up to 30 s on a busy machine
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def call(url, *, secret, payload=None):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Authorization", f"Bearer {secret}")
    if data:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_actuals_posted_to_gunicorn_reach_the_dashboard(server, editor, plan, kpi):
    secret = tokens.create_token(editor, label="ads export", expires_on=None).secret
    rows = [{"kpi": kpi.pk, "date": f"2026-07-{day:02}", "value": 100 + day} for day in (6, 13, 20)]
    status, body = call(
        f"{server}/api/v1/plans/{plan.pk}/actuals", secret=secret, payload={"actuals": rows}
    )
    assert (status, body) == (200, {"created": 3, "updated": 0, "unchanged": 0})
    status, body = call(f"{server}/api/v1/plans/{plan.pk}/kpis/{kpi.pk}", secret=secret)
    assert status == 200 and [a["value"] for a in body["actuals"]] == ["106", "113", "120"]
    judged = {item.kpi.pk: item for item in plan_snapshot(plan).kpis}[kpi.pk]
    assert judged.measurements[-1][1] == 120 and judged.progress.latest == 120
    assert body["status"]["status"] == judged.progress.status.value
    assert set(Measurement.objects.values_list("source", flat=True)) == {Source.API}
    status, body = call(f"{server}/api/v1/plans/{plan.pk}", secret="rpat_not-a-token")
    assert status == 401 and "API tokens page" in body["message"]
