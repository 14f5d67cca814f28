"""/fhir/R4: the national portal reads and imports one young person's data over OAuth 2.

Every request but /metadata carries a bearer JWT from the portal's issuer. The
token's subject is the young person (their linked portal identity); the portal
sees only that person's data, within the token's SMART scopes. Every request is
audited with the client id, the token subject, the resource and the outcome.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from app.audit import service as audit
from app.audit.models import AuditEvent, Outcome
from app.auth import access, identities
from app.auth.models import Account, Role
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import AppError, FieldError, InvalidInput
from app.core.i18n import N_
from app.core.types import utcnow
from app.fhir import importer, resources, tokens
from app.fhir.errors import InvalidResource, fhir_response, unauthorized
from app.plan import agreement
from app.plan import service as plans
from app.plan.models import Goal, Plan
from app.survey import service as survey
from app.survey.models import Assessment

router = APIRouter(prefix="/fhir/R4", include_in_schema=False)
PREFIX = "/fhir/R4/"


def base_url(request: Request) -> str:
    """The FHIR base, from the configured public URL (never from the request's Host)."""
    return get_settings().absolute_url(PREFIX.rstrip("/"))


@dataclass(frozen=True)
class Portal:
    """A request from the portal: its validated token and the person it acts for."""

    token: tokens.AccessToken
    person: Account | None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person else None

    def authorize(
        self, session: Session, needed: str, action: str, object_type: str, **kw: Any
    ) -> AuditEvent:
        return access.authorize_client(
            session,
            client_id=self.token.client_id,
            token_subject=self.token.subject,
            person_id=self.person_id,
            granted=self.token.scopes,
            needed=needed,
            action=action,
            object_type=object_type,
            **kw,
        )


def portal(request: Request, session: SessionDep) -> Portal:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    reason: str | None = None  # None: no token at all (a bare challenge)
    token: tokens.AccessToken | None = None
    if scheme.lower() == "bearer" and credentials.strip():
        try:
            token = tokens.validate(credentials.strip())
        except tokens.TokenRefused as refused:
            reason = str(refused)
    if token is None:
        resource = request.url.path.removeprefix(PREFIX).split("/", 1)[0][:40] or "unknown"
        refusal = audit.event(
            actor=None,
            subject_id=None,
            action="fhir.token",
            object_type=resource,
            object_id=None,
            outcome=Outcome.DENIED,
            purpose="portal",
            machine=True,
        )
        error = unauthorized(reason)
        error.keep = [refusal]
        raise error
    issuer = get_settings().fhir_issuer or ""
    person = identities.account_for(session, issuer=issuer, subject=token.subject)
    if person is not None and (person.role != Role.YOUNG_PERSON or not person.is_active):
        person = None
    return Portal(token=token, person=person)


Caller = Annotated[Portal, Depends(portal)]


def refused(allowed: AuditEvent, error: AppError) -> AppError:
    """An allowed request that then failed is rolled back; its audit row is kept, as invalid."""
    row = AuditEvent.model_validate(
        {**allowed.model_dump(exclude={"id"}), "outcome": Outcome.INVALID}
    )
    error.keep.append(row)
    return error


Loaded = TypeVar("Loaded")


def _number(text: str) -> int | None:
    return int(text) if text.isdecimal() and len(text) < 10 else None


def _read_own(
    session: Session,
    caller: Portal,
    resource_type: str,
    resource_id: str,
    load: Callable[[int], tuple[Loaded, int] | None],
) -> tuple[Loaded, Account]:
    """One object of the token's person by id, with its owner from `load`; else 404 (audited)."""
    number = _number(resource_id)
    found = load(number) if number else None
    caller.authorize(
        session,
        f"patient/{resource_type}.read",
        "fhir.read",
        resource_type,
        object_id=number,
        owner_id=found[1] if found else None,
        exists=found is not None,
    )
    assert found is not None and caller.person is not None
    return found[0], caller.person


def _subject_matches(request: Request, caller: Portal) -> bool:
    """`subject`/`patient` search values name the token's own person, or none is given."""
    wanted = request.query_params.getlist("subject") + request.query_params.getlist("patient")
    for value in wanted:
        number = _number(value.rstrip("/").rsplit("/", 1)[-1])
        if number is None or number != caller.person_id:
            return False
    return caller.person is not None


class BadSearch(InvalidInput):
    status = 400


_DATE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _date_filters(values: list[str]) -> list[tuple[str, datetime, datetime]]:
    """Each `authored` value as (prefix, start, end) of the period it names."""
    found = []
    for value in values:
        match = _DATE.match(value)
        try:
            if not match:
                raise ValueError(value)
            prefix, year, month, day = match.groups()
            start = datetime(int(year), int(month or 1), int(day or 1), tzinfo=UTC)
            if day:
                end = start + timedelta(days=1)
            elif month:
                end = start.replace(
                    year=start.year + (start.month == 12), month=start.month % 12 + 1
                )
            else:
                end = start.replace(year=start.year + 1)
        except ValueError as error:
            message = N_(
                "Give a date as YYYY, YYYY-MM or YYYY-MM-DD, with a prefix such as ge or lt."
            )
            raise BadSearch(errors=[FieldError("authored", message)]) from error
        found.append((prefix or "eq", start, end))
    return found


def _within(moment: datetime, filters: list[tuple[str, datetime, datetime]]) -> bool:
    tests = {
        "eq": lambda s, e: s <= moment < e,
        "ne": lambda s, e: not s <= moment < e,
        "gt": lambda s, e: moment >= e,
        "sa": lambda s, e: moment >= e,
        "ge": lambda s, e: moment >= s,
        "lt": lambda s, e: moment < s,
        "eb": lambda s, e: moment < s,
        "le": lambda s, e: moment < e,
    }
    return all(tests[prefix](start, end) for prefix, start, end in filters)


def _search_bundle(request: Request, found: list[dict[str, Any]]) -> Response:
    return fhir_response(resources.bundle(found, base_url(request), self_link=_self_link(request)))


def _self_link(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return get_settings().absolute_url(request.url.path) + query


# --- CapabilityStatement and Questionnaire -----------------------------------------


@router.get("/metadata")
def metadata(request: Request) -> Response:
    statement = resources.capability_statement(
        base_url(request), issuer=get_settings().fhir_issuer, today=utcnow().date()
    )
    return fhir_response(statement)


@router.get("/Questionnaire")
def search_questionnaires(request: Request, session: SessionDep, caller: Caller) -> Response:
    caller.authorize(session, "patient/Questionnaire.read", "fhir.search", "Questionnaire")
    base = base_url(request)
    found = [
        resources.questionnaire(version, survey.definition_of(version), base)
        for version, _code in survey.all_versions(session)
    ]
    return _search_bundle(request, found)


@router.get("/Questionnaire/{resource_id}")
def read_questionnaire(
    request: Request, session: SessionDep, caller: Caller, resource_id: str
) -> Response:
    match = next(
        (
            version
            for version, code in survey.all_versions(session)
            if resources.questionnaire_id(code, version.version) == resource_id
        ),
        None,
    )
    caller.authorize(
        session,
        "patient/Questionnaire.read",
        "fhir.read",
        "Questionnaire",
        object_id=match.id if match else None,
        exists=match is not None,
    )
    assert match is not None
    return fhir_response(
        resources.questionnaire(match, survey.definition_of(match), base_url(request))
    )


# --- QuestionnaireResponse ---------------------------------------------------------


def _response_resources(
    session: Session, request: Request, assessments: list[Assessment], person: Account
) -> list[dict[str, Any]]:
    """Assessments as QuestionnaireResponses, with all their answers in one query."""
    answers = survey.answers_for(session, [a.id or 0 for a in assessments])
    base = base_url(request)
    return [
        resources.questionnaire_response(
            assessment,
            survey.assessment_definition(session, assessment),
            answers[assessment.id or 0],
            person,
            base,
        )
        for assessment in assessments
    ]


def _response_resource(
    session: Session, request: Request, assessment: Assessment, person: Account
) -> dict[str, Any]:
    return _response_resources(session, request, [assessment], person)[0]


@router.get("/QuestionnaireResponse/{resource_id}")
def read_response(
    request: Request, session: SessionDep, caller: Caller, resource_id: str
) -> Response:
    def load(number: int) -> tuple[Assessment, int] | None:
        found = session.get(Assessment, number)
        return (found, found.subject_id) if found else None

    assessment, person = _read_own(session, caller, "QuestionnaireResponse", resource_id, load)
    return fhir_response(_response_resource(session, request, assessment, person))


@router.get("/QuestionnaireResponse")
def search_responses(request: Request, session: SessionDep, caller: Caller) -> Response:
    allowed = caller.authorize(
        session, "patient/QuestionnaireResponse.read", "fhir.search", "QuestionnaireResponse"
    )
    dates = request.query_params.getlist("authored") + request.query_params.getlist("date")
    try:
        filters = _date_filters(dates)
    except BadSearch as error:
        raise refused(allowed, error) from None
    found = []
    if _subject_matches(request, caller):
        assert caller.person is not None
        matching = [
            assessment
            for assessment in survey.assessments_of(session, subject_id=caller.person.id or 0)
            if _within(assessment.completed_at or assessment.updated_at, filters)
        ]
        found = _response_resources(session, request, matching, caller.person)
    return _search_bundle(request, found)


@router.post("/QuestionnaireResponse")
def import_response(
    request: Request,
    session: SessionDep,
    caller: Caller,
    resource: Annotated[dict[str, Any], Body()],
) -> Response:
    """Import a response completed in the portal; the same identifier again creates nothing."""
    allowed = caller.authorize(
        session,
        "patient/QuestionnaireResponse.write",
        "fhir.create",
        "QuestionnaireResponse",
        record_allowed=False,
    )
    try:
        incoming = importer.read(session, resource)
        person = caller.person
        if person is None:
            raise InvalidResource(
                field="QuestionnaireResponse.subject",
                message=N_("The person this token is for has no MyLife account."),
            )
        own = f"Patient/{person.id}"
        if incoming.subject is not None and not incoming.subject.endswith(own):
            raise InvalidResource(
                field="QuestionnaireResponse.subject",
                message=N_("The response is about someone else than the person this token is for."),
            )
    except InvalidResource as error:
        raise refused(allowed, error) from None
    assessment, created = survey.import_completed(
        session,
        person=person,
        version=incoming.version,
        answers=incoming.answers,
        authored=incoming.authored,
        system=incoming.system,
        identifier=incoming.identifier,
        client_id=caller.token.client_id,
    )
    allowed.object_id = assessment.id
    allowed.subject_id = person.id
    session.add(allowed)
    body = _response_resource(session, request, assessment, person)
    location = f"{base_url(request)}/QuestionnaireResponse/{assessment.id}"
    return fhir_response(body, 201 if created else 200, Location=location)


# --- CarePlan and Goal -------------------------------------------------------------


def _care_plan(session: Session, plan: Plan, person: Account) -> dict[str, Any]:
    agreed = agreement.status(session, plan=plan).state == "agreed"
    return resources.care_plan(plans.view(session, plan=plan), agreed=agreed, person=person)


@router.get("/CarePlan/{resource_id}")
def read_care_plan(
    request: Request, session: SessionDep, caller: Caller, resource_id: str
) -> Response:
    def load(number: int) -> tuple[Plan, int] | None:
        found = session.get(Plan, number)
        return (found, found.young_person_id) if found else None

    plan, person = _read_own(session, caller, "CarePlan", resource_id, load)
    return fhir_response(_care_plan(session, plan, person))


@router.get("/CarePlan")
def search_care_plans(request: Request, session: SessionDep, caller: Caller) -> Response:
    caller.authorize(session, "patient/CarePlan.read", "fhir.search", "CarePlan")
    found = []
    if _subject_matches(request, caller):
        assert caller.person is not None
        plan = session.exec(select(Plan).where(Plan.young_person_id == caller.person.id)).first()
        if plan is not None:
            found.append(_care_plan(session, plan, caller.person))
    return _search_bundle(request, found)


@router.get("/Goal/{resource_id}")
def read_goal(request: Request, session: SessionDep, caller: Caller, resource_id: str) -> Response:
    def load(number: int) -> tuple[Goal, int] | None:
        found = session.get(Goal, number)
        plan = session.get(Plan, found.plan_id) if found else None
        return (found, plan.young_person_id) if found and plan else None

    goal, person = _read_own(session, caller, "Goal", resource_id, load)
    return fhir_response(resources.goal(goal, person, survey.theme_texts(session)))


@router.get("/Goal")
def search_goals(request: Request, session: SessionDep, caller: Caller) -> Response:
    caller.authorize(session, "patient/Goal.read", "fhir.search", "Goal")
    found = []
    if _subject_matches(request, caller):
        assert caller.person is not None
        goals = session.exec(
            select(Goal)
            .join(Plan, col(Plan.id) == col(Goal.plan_id))
            .where(Plan.young_person_id == caller.person.id)
            .order_by(col(Goal.id))
        ).all()
        titles = survey.theme_texts(session)
        found = [resources.goal(goal, caller.person, titles) for goal in goals]
    return _search_bundle(request, found)
