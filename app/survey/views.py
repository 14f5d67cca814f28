"""HTML pages of the survey: one theme per screen, review, result and history."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from app.auth.deps import SignedIn, YoungPerson
from app.core.db import SessionDep
from app.core.errors import AppError, InvalidInput
from app.core.forms import FormDep, form_state
from app.core.templates import render
from app.core.types import epoch_ms
from app.survey import presenters, readings, screens, service
from app.survey.answers import save_change
from app.survey.deps import CompareQuery, OwnAssessment, ReadableAssessment
from app.survey.models import AssessmentStatus

router = APIRouter(include_in_schema=False)
ThemeNumber = Annotated[int, Path(ge=1, le=100)]
# `?return=check`: the screen was opened from Check your answers, and leads back there.
ReturnTo = Annotated[str, Query(alias="return", max_length=10)]
# `?saved=reading`: the case manager's reading was just saved; the page says so where they look.
SavedQuery = Annotated[str, Query(max_length=10)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/survey")
def survey_entry(request: Request, session: SessionDep, actor: YoungPerson) -> Response:
    assessment = service.open_assessment(session, person=actor)
    if assessment is not None:
        count = len(service.assessment_definition(session, assessment).themes)
        return _redirect(screens.screen_url(assessment, assessment.position, count))
    version = service.choose_version(session, person=actor)
    return render(request, "survey/start.html", {"definition": service.definition_of(version)})


@router.post("/survey/start")
def survey_start(session: SessionDep, actor: YoungPerson) -> Response:
    assessment, _created = service.start_or_resume(session, actor=actor)
    count = len(service.assessment_definition(session, assessment).themes)
    return _redirect(screens.screen_url(assessment, assessment.position, count))


@router.get("/assessments/{assessment_id}/themes/{number}")
def theme_screen(
    request: Request,
    session: SessionDep,
    assessment: OwnAssessment,
    number: ThemeNumber,
    return_to: ReturnTo = "",
) -> Response:
    definition = service.assessment_definition(session, assessment)
    if assessment.status != AssessmentStatus.IN_PROGRESS or not 1 <= number <= len(
        definition.themes
    ):
        return _redirect(
            screens.screen_url(assessment, assessment.position, len(definition.themes))
        )
    context = presenters.screen(session, assessment, number - 1, returning=return_to == "check")
    return render(request, "survey/theme.html", context)


@router.post("/assessments/{assessment_id}/themes/{number}")
def save_screen(
    request: Request,
    session: SessionDep,
    actor: SignedIn,
    assessment: OwnAssessment,
    number: ThemeNumber,
    form: FormDep,
) -> Response:
    saved = screens.save_screen(
        session, actor=actor, assessment=assessment, number=number, form=form
    )
    if saved.context is not None:
        return render(request, "survey/theme.html", saved.context, status_code=saved.status)
    return _redirect(saved.url)


@router.post("/assessments/{assessment_id}/answer")
def autosave_answer(
    request: Request,
    session: SessionDep,
    actor: SignedIn,
    assessment: OwnAssessment,
    form: FormDep,
) -> Response:
    """One answer, saved the moment it is given; replies with its status line (with the
    moment it was saved, which the device's next change of it is made over)."""
    try:
        item_id, value, change = screens.sent_answer(form)
        saved = save_change(
            session, actor=actor, assessment=assessment, item_id=item_id, value=value, change=change
        )
    except AppError as error:
        return render(request, "survey/_status.html", {"error": error}, status_code=error.status)
    return render(request, "survey/_status.html", {"saved": True, "at": epoch_ms(saved.at)})


@router.get("/assessments/{assessment_id}/review")
def review(request: Request, session: SessionDep, assessment: OwnAssessment) -> Response:
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        return _redirect(f"/assessments/{assessment.id}")
    return render(request, "survey/review.html", presenters.review(session, assessment))


@router.post("/assessments/{assessment_id}/submit")
def submit(session: SessionDep, actor: SignedIn, assessment: OwnAssessment) -> Response:
    if assessment.status == AssessmentStatus.IN_PROGRESS:
        service.submit(session, actor=actor, assessment=assessment)
    return _redirect(f"/assessments/{assessment.id}")


@router.get("/assessments/{assessment_id}")
def result(
    request: Request,
    session: SessionDep,
    actor: SignedIn,
    assessment: ReadableAssessment,
    compare: CompareQuery = "",
    saved: SavedQuery = "",
) -> Response:
    if assessment.status == AssessmentStatus.IN_PROGRESS:
        return _redirect(f"/assessments/{assessment.id}/review")
    context = presenters.result(session, actor, assessment, compare)
    return render(request, "survey/result.html", {**context, "saved": saved})


@router.post("/assessments/{assessment_id}/reading")
def record_reading(
    request: Request,
    session: SessionDep,
    actor: SignedIn,
    assessment: ReadableAssessment,
    form: FormDep,
    compare: CompareQuery = "",
) -> Response:
    """The case manager's own reading of the themes, kept beside the person's answers."""
    values = readings.sent(session, assessment, form)
    try:
        readings.record(session, actor=actor, assessment=assessment, values=values)
    except InvalidInput as error:
        context = presenters.result(session, actor, assessment, compare, form_state(values, error))
        return render(request, "survey/result.html", context, status_code=422)
    return _redirect(presenters.reading_saved_url(assessment, compare))


@router.get("/assessments/{assessment_id}/circle.svg")
@router.get("/assessments/{assessment_id}/circle.png")
def circle_image(
    request: Request,
    session: SessionDep,
    actor: SignedIn,
    assessment: ReadableAssessment,
    compare: CompareQuery = "",
) -> Response:
    """The circle as an image: the SVG itself, or the same drawing rendered to PNG."""
    if request.url.path.endswith(".svg"):
        svg = presenters.circle_svg(session, actor, assessment, compare)
        return Response(svg, media_type="image/svg+xml")
    png = presenters.circle_png(session, actor, assessment, compare)
    disposition = f'attachment; filename="circle-of-life-{assessment.id}.png"'
    return Response(png, media_type="image/png", headers={"Content-Disposition": disposition})


@router.get("/assessments")
def history(request: Request, session: SessionDep, actor: YoungPerson) -> Response:
    return render(request, "survey/history.html", presenters.history(session, actor))
