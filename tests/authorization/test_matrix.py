"""Every route of the application, for every kind of caller (the machinery is in matrix.py, each
domain's rows in its own file here)."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.authorization import caseload, fhir, pages, plan, survey
from tests.authorization.matrix import ACTORS, ROUTES, Row, asks_about_someone, cells, check
from tests.oidc.provider import Provider

DOMAINS = (pages, survey, caseload, plan, fhir)
EXPECTED: dict[tuple[str, str], Row] = {
    route: row for domain in DOMAINS for route, row in domain.ROWS.items()
}


def test_every_route_has_a_row_and_every_row_a_route() -> None:
    missing = [f"{method} {path}" for method, path in ROUTES if (method, path) not in EXPECTED]
    assert not missing, (
        f"New routes without an expected outcome: {missing}. Add a row for each to ROWS in "
        "its domain's file in tests/authorization/ saying what every caller gets."
    )
    gone = [f"{method} {path}" for method, path in EXPECTED if (method, path) not in ROUTES]
    assert not gone, f"ROWS have rows for routes that no longer exist: {gone}"
    assert len(set(ROUTES)) == len(ROUTES), "two routes answer the same method and path"
    rows = sum(len(domain.ROWS) for domain in DOMAINS)
    assert rows == len(EXPECTED), "a route has rows in two domains' files"
    for route, row in EXPECTED.items():
        if not asks_about_someone(route, row):
            for actor in ACTORS:
                own = actor.replace("_other", "_own")
                assert row.expected[actor] == row.expected[own], f"{route}: {actor} is {own}"


@pytest.mark.parametrize(("route", "actor"), cells(EXPECTED))
def test_what_each_caller_gets(
    client: TestClient, session: Session, portal: Provider, route: tuple[str, str], actor: str
) -> None:
    check(client, session, portal, route, EXPECTED[route], actor)
