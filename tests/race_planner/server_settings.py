"""The production settings for a server started by a test: static names un-hashed, so the test
need not run collectstatic (some 40 s of compressing plotly.js) for files it never asks for."""

from race_planner.settings import *  # noqa: F403
from race_planner.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
