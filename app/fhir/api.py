"""/fhir/R4: the national portal reads and imports one young person's data over OAuth 2.

Routes only: who the portal acts for and the access check are in deps.py, the
search parameters in search.py, the resources in resources.py; the data comes
from the survey and plan services.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from sqlmodel import Session
from starlette.responses import Response

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.types import utcnow
from app.fhir import importer, resources, search
from app.fhir.deps import (
    Caller,
    Portal,
    authored_filters,
    base_url,
    own_person,
    read_own,
    refused,
    self_link,
)
from app.fhir.errors import InvalidResource, fhir_response
from app.plan import agreement
from app.plan import queries as plans
from app.plan.models import Plan, PlanState
from app.survey import service as survey
from app.survey.answers import import_completed
from app.survey.models import Assessment

router = APIRouter(prefix="/fhir/R4", include_in_schema=False)


def _search_bundle(request: Request, found: list[dict[str, Any]]) -> Response:
    return fhir_response(resources.bundle(found, base_url(), self_link=self_link(request)))


# --- CapabilityStatement and Questionnaire -----------------------------------------


@router.get("/metadata")
def metadata() -> Response:
    statement = resources.capability_statement(
        base_url(), issuer=get_settings().fhir_issuer, today=utcnow().date()
    )
    return fhir_response(statement)


@router.get("/Questionnaire")
def search_questionnaires(request: Request, session: SessionDep, caller: Caller) -> Response:
    caller.authorize(
        session, "patient/Questionnaire.read", AuditAction.FHIR_SEARCH, "Questionnaire"
    )
    found = [
        resources.questionnaire(version, survey.definition_of(version), base_url())
        for version, _code in survey.all_versions(session)
    ]
    return _search_bundle(request, found)


@router.get("/Questionnaire/{resource_id}")
def read_questionnaire(session: SessionDep, caller: Caller, resource_id: str) -> Response:
    match = importer.version_with_id(session, resource_id)
    caller.authorize(
        session,
        "patient/Questionnaire.read",
        AuditAction.FHIR_READ,
        "Questionnaire",
        object_id=match.id if match else None,
        exists=match is not None,
    )
    assert match is not None
    return fhir_response(resources.questionnaire(match, survey.definition_of(match), base_url()))


# --- QuestionnaireResponse ---------------------------------------------------------


def _response_resources(
    session: Session, assessments: list[Assessment], person: Account
) -> list[dict[str, Any]]:
    """Assessments as QuestionnaireResponses, with all their answers in one query."""
    answers = survey.answers_for(session, [a.id or 0 for a in assessments])
    return [
        resources.questionnaire_response(
            assessment,
            survey.assessment_definition(session, assessment),
            answers[assessment.id or 0],
            person,
            base_url(),
        )
        for assessment in assessments
    ]


@router.get("/QuestionnaireResponse/{resource_id}")
def read_response(session: SessionDep, caller: Caller, resource_id: str) -> Response:
    load = survey.assessment_and_owner
    assessment, person = read_own(session, caller, "QuestionnaireResponse", resource_id, load)
    return fhir_response(_response_resources(session, [assessment], person)[0])


@router.get("/QuestionnaireResponse")
def search_responses(request: Request, session: SessionDep, caller: Caller) -> Response:
    allowed = caller.authorize(
        session,
        "patient/QuestionnaireResponse.read",
        AuditAction.FHIR_SEARCH,
        "QuestionnaireResponse",
    )
    filters = authored_filters(request, allowed)
    found = []
    if (person := own_person(request, caller)) is not None:
        matching = [
            assessment
            for assessment in survey.assessments_of(session, subject_id=person.id or 0)
            if search.within(assessment.completed_at or assessment.updated_at, filters)
        ]
        found = _response_resources(session, matching, person)
    return _search_bundle(request, found)


def _import(
    session: Session, caller: Portal, resource: dict[str, Any]
) -> tuple[Assessment, Account, bool]:
    """Read, check and store the portal's response; the audit row is kept even on a refusal."""
    allowed = caller.authorize(
        session,
        "patient/QuestionnaireResponse.write",
        AuditAction.FHIR_CREATE,
        "QuestionnaireResponse",
        record_allowed=False,
    )
    try:
        incoming = importer.read(session, resource)
        person = importer.for_person(incoming, caller.person)
    except InvalidResource as error:
        raise refused(allowed, error) from None
    assessment, created = import_completed(
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
    return assessment, person, created


@router.post("/QuestionnaireResponse")
def import_response(
    session: SessionDep, caller: Caller, resource: Annotated[dict[str, Any], Body()]
) -> Response:
    """Import a response completed in the portal; the same identifier again creates nothing."""
    assessment, person, created = _import(session, caller, resource)
    body = _response_resources(session, [assessment], person)[0]
    location = f"{base_url()}/QuestionnaireResponse/{assessment.id}"
    return fhir_response(body, 201 if created else 200, Location=location)


# --- CarePlan and Goal -------------------------------------------------------------


def _care_plan(session: Session, plan: Plan, person: Account) -> dict[str, Any]:
    agreed = agreement.status(session, plan=plan).state == PlanState.AGREED
    return resources.care_plan(plans.view(session, plan=plan), agreed=agreed, person=person)


@router.get("/CarePlan/{resource_id}")
def read_care_plan(session: SessionDep, caller: Caller, resource_id: str) -> Response:
    plan, person = read_own(session, caller, "CarePlan", resource_id, plans.plan_and_owner)
    return fhir_response(_care_plan(session, plan, person))


@router.get("/CarePlan")
def search_care_plans(request: Request, session: SessionDep, caller: Caller) -> Response:
    caller.authorize(session, "patient/CarePlan.read", AuditAction.FHIR_SEARCH, "CarePlan")
    found = []
    if (person := own_person(request, caller)) is not None:
        plan = plans.plan_of_person(session, person.id or 0)
        if plan is not None:
            found.append(_care_plan(session, plan, person))
    return _search_bundle(request, found)


@router.get("/Goal/{resource_id}")
def read_goal(session: SessionDep, caller: Caller, resource_id: str) -> Response:
    goal, person = read_own(session, caller, "Goal", resource_id, plans.goal_and_owner)
    return fhir_response(resources.goal(goal, person, survey.theme_texts(session)))


@router.get("/Goal")
def search_goals(request: Request, session: SessionDep, caller: Caller) -> Response:
    caller.authorize(session, "patient/Goal.read", AuditAction.FHIR_SEARCH, "Goal")
    found = []
    if (person := own_person(request, caller)) is not None:
        titles = survey.theme_texts(session)
        goals = plans.goals_of_person(session, person.id or 0)
        found = [resources.goal(goal, person, titles) for goal in goals]
    return _search_bundle(request, found)
