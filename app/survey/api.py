"""The survey as JSON under /api/v1, on the same service functions as the pages."""

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlmodel import Session

from app.auth.deps import SignedIn, YoungPerson
from app.core.db import SessionDep
from app.core.openapi import problem_responses
from app.survey import presenters, service
from app.survey.answers import save_answer, unanswered
from app.survey.deps import CompareQuery, OwnAssessment, ReadableAssessment
from app.survey.models import (
    AnswerIn,
    AnswerPublic,
    Assessment,
    AssessmentPublic,
    AssessmentSummary,
    CirclePublic,
    InstrumentVersionPublic,
)

router = APIRouter(tags=["survey"], responses=problem_responses(400, 401, 404, 422))


@router.get("/instruments", response_model=list[InstrumentVersionPublic])
def list_instruments(session: SessionDep, actor: SignedIn) -> list[InstrumentVersionPublic]:
    result = []
    for version in service.latest_versions(session):
        definition = service.definition_of(version)
        result.append(
            InstrumentVersionPublic(
                code=definition.code,
                version=definition.version,
                title=definition.title.model_dump(),
                themes=len(definition.themes),
                items=len(definition.items()),
            )
        )
    return result


@router.get("/instruments/{code}/versions/{version}")
def get_instrument(
    session: SessionDep,
    actor: SignedIn,
    code: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,39}$")],
    version: Annotated[str, Path(pattern=r"^\d{1,6}(\.\d{1,6}){1,2}$")],
) -> dict[str, object]:
    """The whole definition: themes, items, scales and every text in three languages."""
    row = service.get_instrument_version(session, code=code, version=version)
    return service.definition_of(row).model_dump(mode="json")


def _public(session: Session, assessment: Assessment) -> AssessmentPublic:
    version = service.version_of(session, assessment)
    definition = service.definition_of(version)
    answers = service.answers_for(session, [assessment.id or 0])[assessment.id or 0]
    values: dict[str, int | str] = {}
    for item_id, answer in answers.items():
        if answer.value is not None:
            values[item_id] = answer.value
    return AssessmentPublic(
        id=assessment.id or 0,
        instrument=definition.code,
        version=definition.version,
        status=assessment.status,
        position=assessment.position,
        started_at=assessment.started_at,
        completed_at=assessment.completed_at,
        answers=values,
        unanswered=[item.id for item in unanswered(definition, answers)],
    )


@router.post(
    "/assessments",
    response_model=AssessmentPublic,
    status_code=201,
    responses={200: {"model": AssessmentPublic, "description": "The open assessment, resumed"}},
)
def start_or_resume(
    session: SessionDep, actor: YoungPerson, response: Response
) -> AssessmentPublic:
    """Start a new assessment, or resume the open one (200)."""
    assessment, created = service.start_or_resume(session, actor=actor)
    response.status_code = 201 if created else 200
    if created:
        response.headers["Location"] = f"/api/v1/assessments/{assessment.id}"
    return _public(session, assessment)


@router.get("/assessments", response_model=list[AssessmentSummary])
def list_assessments(session: SessionDep, actor: YoungPerson) -> list[AssessmentSummary]:
    return [
        AssessmentSummary.model_validate(a, from_attributes=True)
        for a in service.list_assessments(session, actor=actor)
    ]


@router.get("/assessments/{assessment_id}", response_model=AssessmentPublic)
def get_assessment(session: SessionDep, assessment: ReadableAssessment) -> AssessmentPublic:
    return _public(session, assessment)


@router.put(
    "/assessments/{assessment_id}/answers/{item_id}",
    response_model=AnswerPublic,
    responses=problem_responses(409),
)
def put_answer(
    session: SessionDep,
    actor: SignedIn,
    assessment: OwnAssessment,
    item_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,39}$")],
    body: AnswerIn,
) -> AnswerPublic:
    """Save one answer the moment it is given."""
    stored = save_answer(
        session, actor=actor, assessment=assessment, item_id=item_id, value=body.value
    )
    return AnswerPublic(item_id=item_id, value=stored)


@router.post(
    "/assessments/{assessment_id}/submit",
    response_model=AssessmentPublic,
    responses=problem_responses(409),
)
def submit(session: SessionDep, actor: SignedIn, assessment: OwnAssessment) -> AssessmentPublic:
    """Complete the assessment; from then on it is read-only."""
    service.submit(session, actor=actor, assessment=assessment)
    return _public(session, assessment)


@router.get("/assessments/{assessment_id}/circle", response_model=CirclePublic)
def circle_data(
    session: SessionDep, actor: SignedIn, assessment: ReadableAssessment, compare: CompareQuery = ""
) -> CirclePublic:
    """The Circle of Life as numbers; `compare` names an earlier assessment, or `none`."""
    return presenters.circle_public(session, actor, assessment, compare)


@router.get(
    "/assessments/{assessment_id}/circle.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The Circle of Life"}},
)
def circle_svg(
    session: SessionDep, actor: SignedIn, assessment: ReadableAssessment, compare: CompareQuery = ""
) -> Response:
    svg = presenters.circle_svg(session, actor, assessment, compare)
    return Response(svg, media_type="image/svg+xml")
