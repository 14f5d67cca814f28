"""The authorisation matrix: who gets what from every route, for every kind of caller.

The routes are read from the application, so a new route fails `test_routes.py` until a
domain's file (`test_<domain>.py` in this folder) has a row saying what each caller gets from
it. Each cell (a route and a caller) makes the data it asks about (the young person's own, or
that of someone in another case manager's caseload), signs in once as its caller, sends one
request and checks the outcome: an allowed caller gets through; a refused one gets exactly what
a request about a missing object gets, nothing changes, none of the person's data is in the
answer, and a refusal the application audits is in the audit log.

A new route gets a row in its domain's ROWS:
  web(anonymous, young person on their own data, on another's, case manager on their
      caseload, on another manager's), for pages and /api/
  fhir(the portal on the token's person, on another person, without the scope)
  public() for what anyone may use
with the body a route needs, answering=True where {assessment_id} is one being answered,
htmx=True where the page asks for it with htmx.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from string import Formatter
from typing import Any, TypeAlias

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select
from starlette.routing import Mount

from app.audit.models import AuditEvent, Outcome
from app.main import app
from tests.authorization.world import MISSING, NOBODY, THEME, Data, Nobody, build_world, sign_in_as
from tests.oidc.provider import Provider

# --- what a route needs to be sent: a minimal valid body, so that only authorisation decides --

Side: TypeAlias = "Data | Nobody"  # whose data fills a request: someone's, or nobody's
Body = Callable[[Side], dict[str, Any]]  # keyword arguments of client.request


def form(**fields: str) -> Body:
    return lambda side: {"data": fields}


def edit_form(version: str, **fields: str | list[str]) -> Body:
    """A form editing an object, sent with the object's current version."""
    return lambda side: {"data": {**fields, "version": str(getattr(side, version))}}


def body(make: Callable[[Side], Any]) -> Body:
    return lambda side: {"json": make(side)}


# --- the expected outcomes ---------------------------------------------------------------

# Outcome classes:
#   ok      allowed: 2xx, or 3xx anywhere but the sign-in page
#   public  open to anyone: 2xx or 3xx
#   signin  who asks is not known: 303 to /signin (pages), 401 (/api/, htmx, and /fhir/ with
#           its Bearer challenge)
#   hidden  404, and no audit row: a route not for this role that names nobody's data
#   denied  404, and a "denied" row about the person in the audit log
#   forbidden-scope  403 insufficient_scope: the portal's token lacks the scope; audited as denied
#   empty   2xx with none of the person's data (a search finds only the token's own person)
#   refused 400/409/422: what was sent is refused, whoever sends it
# Every refusal (signin to refused) changes nothing in the database, shows none of the
# person's data, and looks exactly like the same request about an object that does not exist.
OK, PUBLIC, SIGNIN, HIDDEN, DENIED = "ok", "public", "signin", "hidden", "denied"
SCOPE, EMPTY, REFUSED = "forbidden-scope", "empty", "refused"
REFUSALS = (SIGNIN, HIDDEN, DENIED, SCOPE, EMPTY, REFUSED)

# Callers: nobody signed in; a young person on their own data and on another's; their case
# manager on them and on someone in another manager's caseload; the portal with a token for the
# young person, on their data and on another's; and with a token without the needed scope.
ACTORS = (
    "anonymous",
    "young_person_own",
    "young_person_other",
    "case_manager_own",
    "case_manager_other",
    "portal_own",
    "portal_other",
    "portal_no_scope",
)


@dataclass(frozen=True)
class Row:
    expected: dict[str, str]  # caller → outcome class
    body: Body | None = None
    query: Callable[[Side], dict[str, str]] | None = None
    htmx: bool = False  # the page asks for it with htmx (HX-Request)
    answering: bool = False  # {assessment_id} is one being answered, not a completed one


def web(anonymous: str, own: str, other: str, manager: str, manager_other: str, **kw: Any) -> Row:
    """A page or /api/ route: a portal token counts for nothing there (as anonymous)."""
    callers = (anonymous, own, other, manager, manager_other, anonymous, anonymous, anonymous)
    return Row(dict(zip(ACTORS, callers, strict=True)), **kw)


def fhir(own: str, other: str, no_scope: str, **kw: Any) -> Row:
    """A /fhir/ route: only a bearer token counts there (a signed-in browser's cookies do not)."""
    callers = (SIGNIN, SIGNIN, SIGNIN, SIGNIN, SIGNIN, own, other, no_scope)
    return Row(dict(zip(ACTORS, callers, strict=True)), **kw)


def public(**kw: Any) -> Row:
    return Row(dict.fromkeys(ACTORS, PUBLIC), **kw)


# --- requests and their outcomes -----------------------------------------------------------

FHIR_IDS = {"QuestionnaireResponse": "assessment", "CarePlan": "plan", "Goal": "goal"}


def fhir_id(template: str, side: Side) -> object:
    resource_type = template.rsplit("/", 2)[-2]
    return (
        getattr(side, FHIR_IDS[resource_type]) if resource_type in FHIR_IDS else "mylife-youth-1.0"
    )


# What fills each path parameter (only the ones a route has are asked for: that makes the data).
PARAMS: dict[str, Callable[[str, Row, Side], object]] = {
    "person_id": lambda template, row, side: side.person_with_data,
    "assessment_id": lambda template, row, side: (
        side.open_assessment if row.answering else side.assessment
    ),
    "goal_id": lambda template, row, side: side.goal,
    "action_id": lambda template, row, side: side.action,
    "review_id": lambda template, row, side: side.review,
    "agreement_id": lambda template, row, side: side.agreement,
    "token": lambda template, row, side: side.invitation,
    "resource_id": lambda template, row, side: fhir_id(template, side),
    "number": lambda template, row, side: 1,
    "item_id": lambda template, row, side: f"{THEME}.importance",
    "code": lambda template, row, side: "mylife_youth",
    "version": lambda template, row, side: "1.0",
    "name": lambda template, row, side: "portal",
    "identity_id": lambda template, row, side: side.identity,
    "path": lambda template, row, side: "app.css",
}


def path_values(template: str, row: Row, side: Side) -> dict[str, object]:
    names = [name for _text, name, _spec, _conversion in Formatter().parse(template) if name]
    unknown = [name for name in names if name not in PARAMS]
    assert not unknown, f"PARAMS does not say what fills {unknown}: add it"
    return {name: PARAMS[name](template, row, side) for name in names}


def request_of(route: tuple[str, str], row: Row, side: Side) -> dict[str, Any]:
    method, template = route
    return {
        "method": method,
        "url": template.format(**path_values(template, row, side)),
        "params": row.query(side) if row.query else None,
        **(row.body(side) if row.body else {}),
    }


def send(
    client: TestClient, request: dict[str, Any], row: Row, headers: dict[str, str]
) -> Response:
    if row.htmx:
        headers = {**headers, "HX-Request": "true"}
    return client.request(**request, headers=headers, follow_redirects=False)


def to_signin(answer: Response) -> bool:
    return answer.status_code == 303 and answer.headers.get("location", "").startswith("/signin")


def asked_signin(answer: Response) -> bool:
    path = answer.request.url.path
    if path.startswith("/fhir/"):
        challenge = answer.headers.get("www-authenticate", "")
        return answer.status_code == 401 and challenge.startswith('Bearer realm="mylife-fhir"')
    if answer.request.headers.get("hx-request") == "true":
        return answer.status_code == 401 and "/signin" in answer.headers.get("hx-redirect", "")
    if path.startswith("/api/"):
        return answer.status_code == 401 and answer.json()["type"].endswith(":not-signed-in")
    return to_signin(answer)


def found_nothing(answer: Response) -> bool:
    """A FHIR search that found nothing."""
    if answer.status_code != 200:
        return False
    bundle = answer.json()
    return bundle["resourceType"] == "Bundle" and bundle["total"] == 0 and "entry" not in bundle


OUTCOMES: dict[str, Callable[[Response], bool]] = {
    OK: lambda answer: 200 <= answer.status_code < 400 and not to_signin(answer),
    PUBLIC: lambda answer: 200 <= answer.status_code < 400,
    SIGNIN: asked_signin,
    HIDDEN: lambda answer: answer.status_code == 404,
    DENIED: lambda answer: answer.status_code == 404,
    SCOPE: lambda answer: (
        answer.status_code == 403
        and 'error="insufficient_scope"' in answer.headers.get("www-authenticate", "")
    ),
    EMPTY: found_nothing,
    REFUSED: lambda answer: answer.status_code in (400, 409, 422),
}


def shape(answer: Response, values: dict[str, object]) -> tuple[int, list[str], str]:
    """What a caller sees, with the address asked for left out, and the tokens that were in it
    wherever they appear (an invitation's, in the address to come back to after signing in)."""
    url = answer.request.url
    tokens = [value for value in values.values() if isinstance(value, str) and len(value) > 8]

    def general(text: str) -> str:
        for form in (str(url), url.raw_path.decode(), url.path, *tokens):
            text = text.replace(form, "{url}")
        return text

    names = sorted(set(answer.headers) - {"content-length", "date"})
    headers = [f"{name}: {general(answer.headers[name])}" for name in names]
    return answer.status_code, headers, general(answer.text)


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the requests could change (not sessions, sign-in failures or the audit log)."""
    skipped = {"audit_event", "auth_session", "sign_in_failure", "instrument", "instrument_version"}
    connection = session.connection()
    return {
        table.name: [
            tuple(row)
            for row in connection.execute(sa_select(table).order_by(*table.primary_key.columns))
        ]
        for table in SQLModel.metadata.sorted_tables
        if table.name not in skipped
    }


def denials(session: Session, person: int) -> int:
    statement = select(func.count()).where(
        col(AuditEvent.subject_id) == person, col(AuditEvent.outcome) == Outcome.DENIED
    )
    return int(session.exec(statement).one())


def describe(answer: Response) -> str:
    where = answer.headers.get("location") or answer.headers.get("www-authenticate") or ""
    return f"{answer.status_code} {where} {answer.text[:300]!r}"


# --- the matrix ---------------------------------------------------------------------------


def app_routes() -> list[tuple[str, str]]:
    """Every (method, path template) the application answers, from its own route table."""
    found = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            found.append(("GET", f"{route.path}/{{path}}"))
            continue
        found += [
            (method, route.path or "") for method in sorted(route.methods or ()) if method != "HEAD"
        ]
    return found


ROUTES = app_routes()
ELSEWHERE = Nobody(MISSING - 1, "another-missing-token")


def asks_about_someone(route: tuple[str, str], row: Row) -> bool:
    """Whether whose data is asked about is in the request (an id in its path, query or body).
    Where it is not, a caller on someone else's data sends what they send on their own: those
    cells are not repeated."""
    return request_of(route, row, NOBODY) != request_of(route, row, ELSEWHERE)


def cells(rows: dict[tuple[str, str], Row]) -> list[Any]:
    """A test parameter for each route of a domain's rows and each caller it is asked by."""
    return [
        pytest.param(route, actor, id=f"{route[0]} {route[1]} as {actor}")
        for route, row in rows.items()
        for actor in ACTORS
        if not actor.endswith("_other") or asks_about_someone(route, row)
    ]


def check(
    client: TestClient,
    session: Session,
    portal: Provider,
    route: tuple[str, str],
    row: Row,
    actor: str,
) -> None:
    """One cell: the caller gets what the row expects, and a refusal gives nothing away."""
    expected = row.expected[actor]
    world = build_world(session, portal.issuer, other=actor.endswith("_other"))
    side = world.side
    request = request_of(route, row, side)  # makes the data it asks about
    session.commit()  # a refused request rolls back to here
    headers = sign_in_as(actor, client, world, portal)
    before, denied_before = snapshot(session), denials(session, side.person)

    answer = send(client, request, row, headers)
    assert OUTCOMES[expected](answer), f"expected {expected}, got {describe(answer)}"
    audited = denials(session, side.person) - denied_before
    assert (audited > 0) == (expected in (DENIED, SCOPE)), f"{audited} denials in the audit log"
    if expected not in REFUSALS:
        return
    assert snapshot(session) == before, "a refused request changed the database"
    if actor != "young_person_own":
        shown = [marker for marker in side.markers if marker in answer.text]
        assert not shown, f"the refusal shows the person's data: {shown}"
    # Not allowed looks exactly like not there.
    missing = request_of(route, row, NOBODY)
    if missing != request:
        ghost = send(client, missing, row, headers)
        template = route[1]
        assert shape(ghost, path_values(template, row, NOBODY)) == shape(
            answer, path_values(template, row, side)
        )
        assert snapshot(session) == before
