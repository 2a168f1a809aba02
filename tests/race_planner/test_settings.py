"""Production settings: `check --deploy` is clean and the CSP allows no third-party origin."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

# Subprocesses with production settings: the same on any database, so run once (SQLite pass).
pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parents[2]


def _clean_environ() -> dict[str, str]:
    # The test run itself sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; production never does.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_clean_environ(), **env},
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-of-more-than-fifty-characters-0123456789",
    "ALLOWED_HOSTS": "race.example.org",
}


def test_check_deploy_is_clean() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "no issues" in result.stdout


def test_missing_secret_key_in_production_is_a_clear_error() -> None:
    result = run_manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_boolean_is_a_clear_error() -> None:
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


def test_csp_header_allows_only_our_origin(client: Client, db: None) -> None:
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "http" not in policy and "*" not in policy


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """As deployed: collectstatic once (a minute of compressing), then production settings."""
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path_factory.mktemp("static"))}
    result = run_manage("collectstatic", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    return env


def test_static_files_have_hashed_names_and_a_year_of_cache(collected: dict[str, str]) -> None:
    """As deployed: collectstatic, then plotly.js is linked by a hashed name cached for long."""
    env = collected
    probe = (
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        "url = static('vendor/plotly.min.js')\n"
        "response = Client().get(url, secure=True, HTTP_HOST='race.example.org')\n"
        "print(url, response.status_code, response['Cache-Control'], sep='|')\n"
    )
    result = run_manage("shell", "-c", probe, **env)
    assert result.returncode == 0, result.stderr
    url, status, cache = result.stdout.strip().splitlines()[-1].split("|")
    assert url.startswith("/static/vendor/plotly.min.") and url.endswith(".js")
    assert url != "/static/vendor/plotly.min.js"  # the content hash is in the name
    assert status == "200"
    # whitenoise marks hashed files immutable and gives them ten years, past our one-year floor.
    max_age = int(cache.split("max-age=")[1].split(",")[0])
    assert max_age >= 31536000 and "immutable" in cache


def test_static_files_come_as_the_brotli_or_gzip_copy(collected: dict[str, str]) -> None:
    """brotli when the browser takes it (the `brotli` package makes collectstatic write .br
    copies), gzip otherwise, the file itself for a client that takes neither."""
    probe = (
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        "for accepts in ('gzip, deflate, br', 'gzip', ''):\n"
        "    headers = {'Host': 'race.example.org', 'Accept-Encoding': accepts}\n"
        "    r = Client().get(static('css/app.css'), secure=True, headers=headers)\n"
        "    size = len(b''.join(r.streaming_content))\n"
        "    print(r.status_code, r.get('Content-Encoding', ''), r['Vary'], size, sep='|')\n"
    )
    result = run_manage("shell", "-c", probe, **collected)
    assert result.returncode == 0, result.stderr
    answers = [line.split("|") for line in result.stdout.strip().splitlines()[-3:]]
    assert [answer[:3] for answer in answers] == [
        ["200", "br", "Accept-Encoding"],
        ["200", "gzip", "Accept-Encoding"],
        ["200", "", "Accept-Encoding"],
    ]
    brotli, gzipped, plain = (int(answer[3]) for answer in answers)
    assert brotli < gzipped < plain / 2


def test_login_throttling_limits_below_one_are_a_clear_error() -> None:
    for name in ("LOGIN_FAILURE_LIMIT", "LOGIN_COOLOFF_MINUTES"):
        result = run_manage("check", **{name: "0"})
        assert result.returncode != 0 and "must be at least 1" in result.stderr
    result = run_manage("check", LOGIN_COOLOFF_MINUTES="a while")
    assert (
        result.returncode != 0 and "LOGIN_COOLOFF_MINUTES must be a whole number" in result.stderr
    )


def test_sqlite_waits_for_other_writers_in_wal_mode(tmp_path: Path) -> None:
    probe = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    for pragma in ('journal_mode', 'synchronous', 'busy_timeout'):\n"
        "        cursor.execute(f'PRAGMA {pragma}')\n"
        "        print(cursor.fetchone()[0])\n"
        "print(connection.transaction_mode)\n"
    )
    database = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    result = run_manage("shell", "-c", probe, DATABASE_URL=database, SQLITE_BUSY_TIMEOUT="7")
    assert result.returncode == 0, result.stderr
    # WAL, synchronous NORMAL (1), a 7 s busy timeout, the write lock taken at BEGIN
    assert result.stdout.split()[-4:] == ["wal", "1", "7000", "IMMEDIATE"]


def test_bad_busy_timeout_is_a_clear_error() -> None:
    result = run_manage("check", SQLITE_BUSY_TIMEOUT="soon")
    assert result.returncode != 0 and "SQLITE_BUSY_TIMEOUT must be a whole number" in result.stderr


def settings_under(**env: str) -> dict:
    """Some settings as they come out of race_planner/settings.py with this environment."""
    import json

    code = (
        "import json; from race_planner import settings as s; print(json.dumps({"
        "'tasks': s.TASKS, 'apps': s.INSTALLED_APPS, 'rq': getattr(s, 'RQ_QUEUES', None), "
        "'reviews': s.STORAGES['reviews'], 'retention': s.REVIEW_RETENTION_DAYS}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**_clean_environ(), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


def test_background_jobs_wait_in_the_database_unless_told_otherwise(tmp_path: Path) -> None:
    default = settings_under(TASKS_BACKEND="", MEDIA_ROOT=str(tmp_path))
    assert default["tasks"] == {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert default["reviews"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "reviews")},
    }
    assert default["retention"] == 30
    rq = settings_under(TASKS_BACKEND="rq", REDIS_URL="redis://10.0.0.5:6379/2")
    assert rq["tasks"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert rq["rq"]["default"]["URL"] == "redis://10.0.0.5:6379/2"
    assert "django_tasks_rq" in rq["apps"] and "django_tasks_rq" not in default["apps"]
    s3 = settings_under(
        REVIEW_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        REVIEW_STORAGE_OPTIONS='{"bucket_name": "race-reviews"}',
    )
    assert s3["reviews"]["OPTIONS"] == {"bucket_name": "race-reviews"}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TASKS_BACKEND", "celery", "TASKS_BACKEND must be one of db, rq, immediate"),
        ("REVIEW_STORAGE_OPTIONS", "bucket=x", "REVIEW_STORAGE_OPTIONS must be a JSON object"),
        ("REVIEW_RETENTION_DAYS", "0", "REVIEW_RETENTION_DAYS must be at least 1"),
    ],
)
def test_bad_job_and_storage_settings_are_clear_errors(name: str, value: str, message: str) -> None:
    result = run_manage("check", **{name: value})
    assert result.returncode != 0 and message in result.stderr
