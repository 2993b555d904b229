"""The live OpenAPI schema, fuzzed by schemathesis as each role: every operation with
data that fits the schema (on the world's real objects, in and out of the caller's scope)
and with data that does not. No answer is a 5xx, and every answer, refusals included, is
one the schema documents (status, content type, body)."""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import issue_token
from config.wsgi import application
from inspections import fieldwork

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Small and fixed, so that the whole run stays well under a minute and a half.
EXAMPLES = 8


@pytest.fixture
def connection_kept():
    """The WSGI application closes the database connection at the end of each request,
    which would end the test's transaction: kept open here, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def real_ids(world) -> dict[str, list[int]]:
    """The world's objects by path parameter, so that fuzzing reaches real rows."""
    visits = [world[name].pk for name in ("market", "committee", "school", "hospital")]
    return {"visit_id": visits, "unit_id": [world[name].unit_id for name in ("market", "school", "hospital")],
            "itinerary_id": [world[name].pk for name in ("team_1", "team_2", "unsent")],
            "campaign_id": [world["campaign"].pk]}


def cases(operation, ids, mode):
    names = re.findall(r"{(\w+)}", operation.path)
    if not names:
        return operation.as_strategy(generation_mode=mode)
    choices = [ids.get(name, [1]) for name in names]
    return st.tuples(*(st.sampled_from(values) for values in choices)).flatmap(
        lambda picked: operation.as_strategy(generation_mode=mode, path_parameters=dict(zip(names, picked,
                                                                                            strict=True))))


@pytest.mark.parametrize("role", ["coordinator", "leadership", "member", "outsider"])
def test_every_operation_answers_by_its_schema_as_each_role(world, connection_kept, role):
    fieldwork.start_visit(world["market"], by=world["member"])  # so that team 1's writes reach a fillable visit
    _token, raw = issue_token(user=world[role], name="schemathesis")
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    ids = real_ids(world)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 21

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=cases(operation, ids, GenerationMode.POSITIVE) | cases(operation, ids, GenerationMode.NEGATIVE))
        def answers_by_the_schema(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        answers_by_the_schema()


# What each role may reach by following the schema's links, by the detail path's parameter.
def visible_ids(world, role) -> dict[str, set[int]]:
    from inspections.models import Campaign, FollowUp, Itinerary, Visit
    from reports.models import ProvincialReport
    from units.models import Unit
    user = world[role]
    return {"visit_id": set(Visit.objects.visible_to(user).values_list("pk", flat=True)),
            "itinerary_id": set(Itinerary.objects.visible_to(user).values_list("pk", flat=True)),
            "unit_id": set(Unit.objects.visible_to(user).values_list("pk", flat=True)),
            "campaign_id": set(Campaign.objects.visible_to(user).values_list("pk", flat=True)),
            "follow_up_id": set(FollowUp.objects.visible_to(user).values_list("pk", flat=True)),
            "report_id": set(ProvincialReport.objects.visible_to(user).values_list("pk", flat=True))}


@pytest.mark.parametrize("role", ["coordinator", "member", "outsider"])
def test_linked_calls_answer_by_the_schema_and_stay_in_scope_as_each_role(world, connection_kept, role):
    """Stateful: schemathesis chains the operations by the links it infers from the schema (a
    list's ids into its detail, a visit's id into its writes, a visit's unit and itinerary into
    theirs), as each role. Every answer fits the schema, and every object a chain reads
    or writes with 2xx is one the role may see on the pages."""
    fieldwork.start_visit(world["market"], by=world["member"])
    _token, raw = issue_token(user=world[role], name="schemathesis")
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    allowed = visible_ids(world, role)
    reached = []

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def after_call(self, response, case):
            reached.append((case.operation.path, dict(case.path_parameters or {}), response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(settings=settings(max_examples=12, stateful_step_count=5, deadline=None, database=None,
                                   derandomize=True, suppress_health_check=list(HealthCheck)))

    # every chain that reached an object (read or write, 2xx) reached one the role may see
    chained = [(path, parameters) for path, parameters, status in reached if parameters and 200 <= status < 300]
    for path, parameters in chained:
        for name, value in parameters.items():
            assert int(value) in allowed[name], (role, path, name, value)
    # the chains carried real ids from one answer into the next call, not only random ones
    assert any(parameters and all(str(value).lstrip("-").isdigit() and int(value) in allowed[name]
                                  for name, value in parameters.items())
               for _path, parameters, _status in reached), reached[:20]
