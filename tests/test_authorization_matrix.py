"""Who gets what from every route: the application's own route table, for every kind of caller.

The routes are read from the application, so a new route fails here until EXPECTED says
what each caller gets from it. Each cell (a route and a caller) makes the data it asks about
(the young person's own, or that of someone in another case manager's caseload), signs in once
as its caller, sends one request and checks the outcome: an allowed caller gets through; a
refused one gets exactly what a request about a missing object gets, nothing changes, none of
the person's data is in the answer, and a refusal the application audits is in the audit log.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
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
from app.auth import identities
from app.auth.models import Account, Role
from app.caseload import service as caseload
from app.main import app
from app.plan import agreement as agreements
from app.plan import service as plans
from app.plan.models import ActionOwner, Goal, Plan, PlanAction, Review
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import (
    PASSWORD,
    THEME_IDS,
    assign,
    csrf_from,
    make_case_manager,
    make_young_person,
    sign_in,
)
from tests.fhir.test_fhir_api import claims_for, portal_response, signed
from tests.oidc.provider import SMART_SCOPES, Provider

MISSING = 2_147_483_000  # an id that no object has
THEME = THEME_IDS[0]


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


def sign_in_form(side: Side) -> dict[str, Any]:
    return {"data": {"username": side.username, "password": PASSWORD}}


def sign_up_form(side: Side) -> dict[str, Any]:
    username = f"joiner-{secrets.token_hex(4)}"
    fields = {"display_name": "Joiner", "username": username, "birth_date": "1.2.2006"}
    return {"data": {**fields, "password": PASSWORD}}


def subject_query(side: Side) -> dict[str, str]:
    return {"subject": f"Patient/{side.person_with_data}"}


def fhir_import(side: Side) -> dict[str, Any]:
    key = f"matrix-{secrets.token_hex(4)}"
    person = Account(id=side.person, display_name="", role=Role.YOUNG_PERSON)
    return {"json": portal_response(person, key)}


SCREEN = form(**{f"{THEME}.importance": "6", f"{THEME}.satisfaction": "6", "nav": "next"})
ANSWER = form(**{f"{THEME}.importance": "7"})
READING = form(**{THEME: "5"})
GOAL = edit_form("goal_version", text="Find a flat", themes=[THEME], status="open")
ACTION = edit_form("action_version", text="Call the housing office", owner="young_person")
REVIEW = edit_form("review_version", held_on="2026-02-01", agreed="Keep going")
ANSWER_JSON = body(lambda s: {"value": 7})
GOAL_JSON = body(lambda s: {"text": "A job", "themes": [THEME]})
GOAL_EDIT_JSON = body(lambda s: {"text": "A job", "version": s.goal_version})
ACTION_JSON = body(lambda s: {"text": "Apply", "owner": {"kind": "young_person"}})
ACTION_EDIT_JSON = body(lambda s: {"done": True, "version": s.action_version})
REVIEW_JSON = body(lambda s: {"held_on": "2026-02-01"})
REVIEW_EDIT_JSON = body(lambda s: {"agreed": "Fine", "version": s.review_version})

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


# A new route gets a row here:
#   web(anonymous, young person on their own data, on another's, case manager on their
#       caseload, on another manager's), for pages and /api/
#   fhir(the portal on the token's person, on another person, without the scope)
#   public() for what anyone may use
# with the body a route needs, answering=True where {assessment_id} is one being answered,
# htmx=True where the page asks for it with htmx.
EXPECTED: dict[tuple[str, str], Row] = {
    ("GET", "/openapi.json"): public(),
    ("GET", "/docs"): public(),
    ("GET", "/docs/oauth2-redirect"): public(),
    ("GET", "/static/{path}"): public(),
    # pages of no one domain
    ("GET", "/"): web(SIGNIN, OK, OK, OK, OK),
    ("POST", "/language"): public(body=form(lang="en", next="/")),
    ("GET", "/offline"): public(),
    ("GET", "/sw.js"): public(),
    ("GET", "/healthz"): public(),
    # signing in and out
    ("GET", "/signin"): public(),
    ("POST", "/signin"): public(body=sign_in_form),
    ("POST", "/auth/oidc/{name}/login"): public(),
    ("GET", "/auth/oidc/{name}/callback"): Row(dict.fromkeys(ACTORS, REFUSED)),  # none begun
    ("POST", "/signout"): public(),
    # the survey: answering is the person's own; reading is audited
    ("GET", "/survey"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("POST", "/survey/start"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/assessments/{assessment_id}/themes/{number}"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("POST", "/assessments/{assessment_id}/themes/{number}"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True, body=SCREEN
    ),
    ("POST", "/assessments/{assessment_id}/answer"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True, htmx=True, body=ANSWER
    ),
    ("GET", "/assessments/{assessment_id}/review"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("POST", "/assessments/{assessment_id}/submit"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("GET", "/assessments/{assessment_id}"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/assessments/{assessment_id}/reading"): web(
        SIGNIN, HIDDEN, DENIED, OK, DENIED, body=READING
    ),
    ("GET", "/assessments/{assessment_id}/circle.svg"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/assessments"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    # the caseload, and invitations: the link is what lets its holder in
    ("GET", "/caseload"): web(SIGNIN, HIDDEN, HIDDEN, OK, OK),
    ("POST", "/invitations"): web(SIGNIN, HIDDEN, HIDDEN, OK, OK, body=form(name="Saga")),
    ("GET", "/people/{person_id}"): web(SIGNIN, HIDDEN, HIDDEN, OK, DENIED),
    ("GET", "/invitations/{token}"): public(),
    # staff are asked to sign in as the young person the link is for
    ("POST", "/invitations/{token}/join"): web(SIGNIN, OK, OK, SIGNIN, SIGNIN),
    ("POST", "/invitations/{token}"): public(body=sign_up_form),
    # the plan
    ("GET", "/plan"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/people/{person_id}/plan"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/people/{person_id}/plan/live"): web(SIGNIN, OK, DENIED, OK, DENIED, htmx=True),
    ("POST", "/people/{person_id}/plan/goals"): web(SIGNIN, OK, DENIED, OK, DENIED, body=GOAL),
    ("POST", "/goals/{goal_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=GOAL),
    ("POST", "/goals/{goal_id}/actions"): web(SIGNIN, OK, DENIED, OK, DENIED, body=ACTION),
    ("POST", "/actions/{action_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=ACTION),
    ("POST", "/people/{person_id}/plan/reviews"): web(SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW),
    ("POST", "/reviews/{review_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW),
    ("POST", "/people/{person_id}/plan/agreement"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/people/{person_id}/plan/agreements/{agreement_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED
    ),
    ("GET", "/people/{person_id}/plan/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/goals/{goal_id}/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    # a young person's own ways to sign in: link a provider (on to it), remove one
    ("GET", "/account/sign-in-methods"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("POST", "/account/sign-in-methods/link/{name}"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("POST", "/account/sign-in-methods/remove/{identity_id}"): web(
        SIGNIN, OK, DENIED, HIDDEN, HIDDEN
    ),
    # the access log
    ("GET", "/me/access"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    # the JSON API
    ("GET", "/api/v1/session"): web(SIGNIN, OK, OK, OK, OK),
    ("GET", "/api/v1/instruments"): web(SIGNIN, OK, OK, OK, OK),
    ("GET", "/api/v1/instruments/{code}/versions/{version}"): web(SIGNIN, OK, OK, OK, OK),
    ("POST", "/api/v1/assessments"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/api/v1/assessments"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/api/v1/assessments/{assessment_id}"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("PUT", "/api/v1/assessments/{assessment_id}/answers/{item_id}"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True, body=ANSWER_JSON
    ),
    ("POST", "/api/v1/assessments/{assessment_id}/submit"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/circle"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/assessments/{assessment_id}/circle.svg"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/people/{person_id}/plan"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/api/v1/people/{person_id}/plan/goals"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=GOAL_JSON
    ),
    ("GET", "/api/v1/goals/{goal_id}"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("PATCH", "/api/v1/goals/{goal_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=GOAL_EDIT_JSON),
    ("GET", "/api/v1/goals/{goal_id}/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/api/v1/goals/{goal_id}/actions"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=ACTION_JSON
    ),
    ("PATCH", "/api/v1/actions/{action_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=ACTION_EDIT_JSON
    ),
    ("POST", "/api/v1/people/{person_id}/plan/reviews"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW_JSON
    ),
    ("PATCH", "/api/v1/reviews/{review_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW_EDIT_JSON
    ),
    ("GET", "/api/v1/people/{person_id}/plan/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/people/{person_id}/plan/focus"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/api/v1/people/{person_id}/plan/agreement"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/people/{person_id}/plan/agreements/{agreement_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED
    ),
    # the FHIR API of the national portal
    ("GET", "/fhir/R4/metadata"): public(),
    ("GET", "/fhir/R4/Questionnaire"): fhir(OK, OK, SCOPE),
    ("GET", "/fhir/R4/Questionnaire/{resource_id}"): fhir(OK, OK, SCOPE),
    ("GET", "/fhir/R4/QuestionnaireResponse/{resource_id}"): fhir(OK, DENIED, SCOPE),
    ("GET", "/fhir/R4/QuestionnaireResponse"): fhir(OK, EMPTY, SCOPE, query=subject_query),
    ("POST", "/fhir/R4/QuestionnaireResponse"): fhir(OK, REFUSED, SCOPE, body=fhir_import),
    ("GET", "/fhir/R4/CarePlan/{resource_id}"): fhir(OK, DENIED, SCOPE),
    ("GET", "/fhir/R4/CarePlan"): fhir(OK, EMPTY, SCOPE, query=subject_query),
    ("GET", "/fhir/R4/Goal/{resource_id}"): fhir(OK, DENIED, SCOPE),
    ("GET", "/fhir/R4/Goal"): fhir(OK, EMPTY, SCOPE, query=subject_query),
}

# --- the data every cell starts from -------------------------------------------------------


class Data:
    """One young person's data, each object made the first time a request asks for its id:
    making all of it for every cell would be most of the matrix's time."""

    def __init__(self, session: Session, person: Account, manager: Account) -> None:
        self.session, self.account, self.manager = session, person, manager
        self.person = person.id or 0
        self.username = person.username or ""
        self.markers = [person.display_name]  # texts of the person's data made so far

    def text(self, part: str) -> str:
        made = f"{part} of {self.account.display_name}"
        self.markers.append(made)
        return made

    @cached_property
    def assessment(self) -> int:
        """A completed assessment."""
        done, _ = survey.start_or_resume(self.session, actor=self.account)
        for item, value in (("importance", 9), ("future", self.text("Future"))):
            save_answer(
                self.session,
                actor=self.account,
                assessment=done,
                item_id=f"{THEME}.{item}",
                value=value,
            )
        survey.submit(self.session, actor=self.account, assessment=done)
        return done.id or 0

    @cached_property
    def open_assessment(self) -> int:
        """An assessment being answered (made after the completed one: one is open at a time)."""
        _ = self.assessment
        answering, _ = survey.start_or_resume(self.session, actor=self.account)
        return answering.id or 0

    @cached_property
    def _plan(self) -> Plan:
        return plans.plan_of(
            self.session, actor=self.account, person_id=self.person, action="plan.read"
        )

    @cached_property
    def _goal(self) -> Goal:
        text = self.text("Goal")
        return plans.add_goal(
            self.session, actor=self.account, plan=self._plan, text=text, themes=[THEME]
        )

    @cached_property
    def _action(self) -> PlanAction:
        values = {"text": self.text("Action"), "owner": ActionOwner.YOUNG_PERSON}
        return plans.add_action(
            self.session, actor=self.account, plan=self._plan, goal=self._goal, values=values
        )

    @cached_property
    def _review(self) -> Review:
        values = {"held_on": date(2026, 1, 15), "agreed": self.text("Review"), "changed": ""}
        return plans.add_review(self.session, actor=self.account, plan=self._plan, values=values)

    @cached_property
    def agreement(self) -> int:
        """A version of the plan (with a goal) proposed by the person, agreed by the manager."""
        _ = self._goal
        agreements.agree(self.session, actor=self.account, plan=self._plan)
        return agreements.agree(self.session, actor=self.manager, plan=self._plan).id or 0

    @cached_property
    def person_with_data(self) -> int:
        """The person, with a completed assessment and a plan with a goal (what their pages
        show): for a route about the person as a whole."""
        _ = self.assessment, self._goal
        return self.person

    @cached_property
    def identity(self) -> int:
        """A sign-in of the person's at a second provider (removable: they have a password)."""
        subject = f"second-{secrets.token_hex(4)}"
        issuer = "https://second.example"
        return (
            identities.link(self.session, account=self.account, issuer=issuer, subject=subject).id
            or 0
        )

    @cached_property
    def invitation(self) -> str:
        """An open invitation link of the person's case manager."""
        return caseload.invite(self.session, actor=self.manager)

    @property
    def plan(self) -> int:
        return self._plan.id or 0

    @property
    def goal(self) -> int:
        return self._goal.id or 0

    @property
    def goal_version(self) -> int:
        return self._goal.version

    @property
    def action(self) -> int:
        return self._action.id or 0

    @property
    def action_version(self) -> int:
        return self._action.version

    @property
    def review(self) -> int:
        return self._review.id or 0

    @property
    def review_version(self) -> int:
        return self._review.version


@dataclass(frozen=True)
class Nobody:
    """The ids of a person and objects that do not exist."""

    missing: int
    invitation: str
    markers: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        """Every id (and version) of Data is `missing`."""
        if name == "username":
            return f"nobody-{self.missing}"
        if name not in ("person", *dir(Data)) or name.startswith("_"):
            raise AttributeError(name)
        return self.missing


NOBODY = Nobody(MISSING, "no-such-invitation-token")


@dataclass(frozen=True)
class World:
    young_person: Account  # the caller "young person"
    case_manager: Account  # the caller "case manager": the young person's own
    subject: str  # the young person's identity at the portal: the subject of the portal's token
    side: Data  # the data the cell asks about: the young person's own, or someone else's


def young_person(session: Session, manager: Account, name: str) -> Account:
    person = make_young_person(session, display_name=f"{name} {secrets.token_hex(3)}")
    assign(session, manager, person)
    return person


def build_world(session: Session, issuer: str, *, other: bool) -> World:
    """The callers, and whose data is asked about: the young person's, or (other) that of
    someone in another case manager's caseload."""
    mine = make_case_manager(session)
    person = young_person(session, mine, "Aino")
    subject = f"matrix-{secrets.token_hex(4)}"
    identities.link(session, account=person, issuer=issuer, subject=subject)
    if other:
        theirs = make_case_manager(session)
        side = Data(session, young_person(session, theirs, "Bertta"), theirs)
    else:
        side = Data(session, person, mine)
    return World(young_person=person, case_manager=mine, subject=subject, side=side)


def sign_in_as(actor: str, client: TestClient, world: World, portal: Provider) -> dict[str, str]:
    """Sign in once as the caller; the headers of its requests (CSRF token, bearer token)."""
    if actor.startswith("young_person"):
        token = sign_in(client, world.young_person)
    elif actor.startswith("case_manager"):
        token = sign_in(client, world.case_manager)
    else:
        token = csrf_from(client.get("/offline").text)
    headers = {"X-CSRF-Token": token}
    if actor.startswith("portal"):
        scope = "patient/Observation.read" if actor == "portal_no_scope" else " ".join(SMART_SCOPES)
        bearer = signed(portal.signing_key, claims_for(portal, world.subject, scope=scope))
        headers["Authorization"] = f"Bearer {bearer}"
    return headers


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


def asks_about_someone(route: tuple[str, str]) -> bool:
    """Whether whose data is asked about is in the request (an id in its path, query or body).
    Where it is not, a caller on someone else's data sends what they send on their own: those
    cells are not repeated."""
    row = EXPECTED.get(route)
    return row is None or request_of(route, row, NOBODY) != request_of(route, row, ELSEWHERE)


CELLS = [
    (route, actor)
    for route in ROUTES
    for actor in ACTORS
    if not actor.endswith("_other") or asks_about_someone(route)
]


def test_every_route_has_a_row_and_every_row_a_route() -> None:
    missing = [f"{method} {path}" for method, path in ROUTES if (method, path) not in EXPECTED]
    assert not missing, (
        f"New routes without an expected outcome: {missing}. Add a row for each to EXPECTED in "
        "tests/test_authorization_matrix.py saying what every caller gets."
    )
    gone = [f"{method} {path}" for method, path in EXPECTED if (method, path) not in ROUTES]
    assert not gone, f"EXPECTED has rows for routes that no longer exist: {gone}"
    assert len(set(ROUTES)) == len(ROUTES), "two routes answer the same method and path"
    for route, row in EXPECTED.items():
        if not asks_about_someone(route):
            for actor in ACTORS:
                own = actor.replace("_other", "_own")
                assert row.expected[actor] == row.expected[own], f"{route}: {actor} is {own}"


@pytest.mark.parametrize(
    ("route", "actor"),
    [pytest.param(route, actor, id=f"{route[0]} {route[1]} as {actor}") for route, actor in CELLS],
)
def test_what_each_caller_gets(
    client: TestClient, session: Session, portal: Provider, route: tuple[str, str], actor: str
) -> None:
    row = EXPECTED.get(route)
    if row is None:
        pytest.fail(
            f"{route[0]} {route[1]} has no row in EXPECTED (tests/test_authorization_matrix.py): "
            "add one saying what each caller gets."
        )
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
