"""Production settings for the outage test's gunicorn, with static files served from their source
folders: `collectstatic` would spend a minute compressing plotly.js, and the test is about the
database, not about static files. Everything else comes from the environment as in production."""

from race_planner.settings import *  # noqa: F403
from race_planner.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
