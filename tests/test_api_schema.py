"""Fuzz the JSON API from its own OpenAPI: no 500s, and every response as documented."""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlmodel import Session

from app.main import app
from app.survey import service
from tests.factories import make_young_person, sign_in

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def signed_in(client: TestClient, session: Session) -> dict[str, str]:
    """The headers of a signed-in API client: its session cookie and CSRF token."""
    person = make_young_person(session)
    token = sign_in(client, person)
    service.start_or_resume(session, actor=person)  # so that ids in the fuzzed paths exist
    session.commit()
    return {
        "Cookie": f"mylife_session={client.cookies.get('mylife_session')}",
        "X-CSRF-Token": token,
    }


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, signed_in: dict[str, str]) -> None:
    case.call_and_validate(headers=signed_in)
