"""The whole API against its own OpenAPI schema (Schemathesis): generated requests, valid and
not, never get a 500 and every answer matches the schema. Bounded: about 20 s."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import tokens
from api.v1 import api
from tests.factories import make_kpi, make_measurement

EXAMPLES = 10  # per operation and test
# A schema-valid body may still break a rule the schema cannot state (a negative count, a
# second row for the same KPI and date): those 422s are meant, and are tested on their own.
SEMANTIC = [positive_data_acceptance]


class WsgiApp(WSGIHandler):
    """The app itself, called through WSGI. As in Django's test client, the end of a request
    must not close the test's database connection (its transaction holds the test data)."""

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(editor, plan, settings):
    settings.API_RATE_LIMIT = 100_000  # the limit has tests of its own
    kpi = make_kpi(plan=plan, name="Visitors")
    make_measurement(kpi=kpi, on=plan.period_start, value="120")
    secret = tokens.create_token(editor, label="schema", expires_on=None).secret
    # identity: the WSGI client does not undo the site's gzip
    return {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}, plan, kpi


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WsgiApp()
# With real ids only valid requests are sent: an invalid id would no longer be invalid.
real_ids = schemathesis.openapi.from_dict(api.get_openapi_schema())
real_ids.app = schema.app
real_ids.config.generation.update(modes=[GenerationMode.POSITIVE])
real_ids.config.phases.update(phases=["examples", "fuzzing"])

CHECKS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@CHECKS
def test_generated_requests_never_fail_or_break_the_schema(case, bearer):
    headers, _, _ = bearer
    case.call_and_validate(headers=headers, excluded_checks=SEMANTIC)


@real_ids.parametrize()
@CHECKS
def test_generated_bodies_for_a_real_plan_and_kpi(case, bearer):
    """The same, with the ids of a plan and KPI the token may write: the bodies reach the checks
    and the database instead of stopping at a 404."""
    headers, plan, kpi = bearer
    if case.path_parameters:
        case.path_parameters = {
            name: plan.pk if name == "plan_id" else kpi.pk for name in case.path_parameters
        }
    case.call_and_validate(headers=headers, excluded_checks=SEMANTIC)
