"""What the survey pages show, built from the service layer (no HTTP here)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import resvg_py
from sqlmodel import Session

from app.auth.models import Account, Role
from app.core.errors import AppError, NotFound
from app.core.i18n import gettext
from app.core.templates import render_string
from app.core.types import epoch_ms
from app.survey import circle, circle_image, circle_words, service
from app.survey import readings as staff_readings
from app.survey.definition import InstrumentDefinition
from app.survey.help import help_box
from app.survey.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    CirclePublic,
    ThemeReadingPublic,
)


def _current_values(answers: Mapping[str, Answer]) -> dict[str, str]:
    values = {}
    for item_id, answer in answers.items():
        values[item_id] = "" if answer.value is None else str(answer.value)
    return values


def screen(
    session: Session,
    assessment: Assessment,
    index: int,
    submitted: Mapping[str, str] | None = None,
    problems: Mapping[str, AppError] | None = None,
    returning: bool = False,
) -> dict[str, Any]:
    """One theme's screen; what the person just sent wins over what is stored. When each
    answer was saved is the time a change on this device is made over (app.js sends it, so
    that an answer another device saved meanwhile is not overwritten unseen)."""
    definition = service.assessment_definition(session, assessment)
    answers = service.answers_for(session, [assessment.id or 0])[assessment.id or 0]
    values = {**_current_values(answers), **(submitted or {})}
    return {
        "assessment": assessment,
        "definition": definition,
        "theme": definition.themes[index],
        "number": index + 1,
        "total": len(definition.themes),
        "values": values,
        "problems": problems or {},
        "saved_at": {item_id: epoch_ms(answer.updated_at) for item_id, answer in answers.items()},
        "returning": returning,
    }


def review(session: Session, assessment: Assessment) -> dict[str, Any]:
    """Check your answers: every theme's answers with a way back to its screen; only the
    questions count as answered or missing, never the optional comments."""
    definition = service.assessment_definition(session, assessment)
    answers = service.answers_for(session, [assessment.id or 0])[assessment.id or 0]
    required = definition.required_items()
    missing = [item for item in required if item.id not in answers]
    return {
        "assessment": assessment,
        "definition": definition,
        "values": _current_values(answers),
        "missing": missing,
        "positions": {
            item.id: definition.theme_index(definition.items()[item.id][0].id) + 1
            for item in missing
        },
        "answered": len(required) - len(missing),
        "item_count": len(required),
        "titles": {theme.id: theme.title for theme in definition.themes},
    }


def _comparison(
    session: Session, actor: Account, assessment: Assessment, compare: str
) -> Assessment | None:
    """The reading laid over this one: the one asked for, else the one before it."""
    if compare == "none":
        return None
    if compare.isdecimal():
        other = service.get_assessment(session, actor=actor, assessment_id=int(compare))
        if other.subject_id != assessment.subject_id:  # one person's circle, not two mixed
            raise NotFound()
        return other if other.status == AssessmentStatus.COMPLETED else None
    earlier = [
        a
        for a in service.assessments_of(session, subject_id=assessment.subject_id)
        if a.completed_at and assessment.completed_at and a.completed_at < assessment.completed_at
    ]
    return earlier[0] if earlier else None


def circle_public(
    session: Session, actor: Account, assessment: Assessment, compare: str
) -> CirclePublic:
    """The Circle of Life as the API gives it: numbers, bands, changes, the staff's reading."""
    definition, readings, other = circle_readings(session, actor, assessment, compare)
    scale = circle.satisfaction_scale(definition)
    return CirclePublic(
        assessment_id=assessment.id or 0,
        compared_with=other.id if other else None,
        scale_min=scale.min,
        scale_max=scale.max,
        themes=[
            ThemeReadingPublic(
                theme_id=r.theme_id,
                title=str(r.title),
                importance=r.importance,
                satisfaction=r.satisfaction,
                band=r.band.id if r.band else None,
                more_important_than_satisfying=r.gap,
                previous_satisfaction=r.previous_satisfaction,
                change=r.change,
                staff_satisfaction=r.staff,
                staff_differs=r.staff_differs,
            )
            for r in readings
        ],
    )


def circle_readings(
    session: Session, actor: Account, assessment: Assessment, compare: str
) -> tuple[InstrumentDefinition, list[circle.ThemeReading], Assessment | None]:
    other = _comparison(session, actor, assessment, compare)
    ids = [aid for aid in (assessment.id, other.id if other else None) if aid]
    answers = service.answers_for(session, ids)
    definition = service.assessment_definition(session, assessment)
    previous = None
    if other is not None and other.id:
        previous = (service.assessment_definition(session, other), answers[other.id])
    staff = {
        t: r.satisfaction
        for t, r in staff_readings.readings_of(session, assessment=assessment).items()
    }
    readings = circle.readings(
        definition, answers[assessment.id or 0], previous, staff, staff_readings.DISAGREEMENT
    )
    return definition, readings, other


def _circle_context(
    definition: InstrumentDefinition,
    readings: list[circle.ThemeReading],
    assessment: Assessment,
    other: Assessment | None,
    reader: "Reader",
) -> dict[str, Any]:
    scale = circle.satisfaction_scale(definition)
    sectors = circle.sectors(scale, readings)
    since, at = circle_words.when(other.completed_at if other else None, assessment.completed_at)
    has_staff = any(r.staff is not None for r in readings)
    earlier = other.completed_at if other else None
    return {
        "assessment": assessment,
        "other": other,
        "sectors": sectors,
        "box": circle.view_box(sectors),
        "scale": scale,
        "paint": circle.PAINT,
        "band_fills": circle.BAND_FILLS,
        "band_words": circle_words.band_words,
        "says": {r.theme_id: circle_words.says(r, at, reader.own) for r in readings},
        "change_summary": circle_words.change_summary(readings, since),
        "legend": circle_words.legend(
            scale, name=reader.name_if_other, has_staff=has_staff, earlier=earlier
        ),
        "has_staff": has_staff,
        "radius": circle.RADIUS,
        "hole": circle.HOLE,
        "importance_width": circle.IMPORTANCE_WIDTH,
        "text_size": circle.TEXT_SIZE,
        "badge_size": circle.BADGE_SIZE,
        "line_height": circle.LINE_HEIGHT,
    }


@dataclass(frozen=True)
class Reader:
    """Who reads a circle: the person who answered (`own`: "you"), or someone else, who
    reads of the person by name."""

    own: bool
    name: str

    @property
    def name_if_other(self) -> str | None:
        return None if self.own else self.name


def reader_of(session: Session, actor: Account, assessment: Assessment) -> Reader:
    subject = session.get(Account, assessment.subject_id)
    return Reader(actor.id == assessment.subject_id, subject.display_name if subject else "")


def circle_svg(session: Session, actor: Account, assessment: Assessment, compare: str) -> str:
    """The circle as a picture of its own: whose and when above it, its legend below."""
    definition, readings, other = circle_readings(session, actor, assessment, compare)
    reader = reader_of(session, actor, assessment)
    context = _circle_context(definition, readings, assessment, other, reader)
    heading = [
        gettext("%(name)s's Circle of Life", name=reader.name),
        gettext("Completed on %(date)s", date=circle_words.day(assessment.completed_at))
        if assessment.completed_at
        else "",
        context["change_summary"],
    ]
    image = circle_image.layout(context["box"], [h for h in heading if h], context["legend"])
    return render_string("survey/circle.svg", {**context, "standalone": True, "image": image})


def circle_png(session: Session, actor: Account, assessment: Assessment, compare: str) -> bytes:
    """The same drawing as `circle_svg`, rendered to PNG on the server (resvg)."""
    svg = circle_svg(session, actor, assessment, compare)
    return bytes(resvg_py.svg_to_bytes(svg_string=svg))


def result(
    session: Session,
    actor: Account,
    assessment: Assessment,
    compare: str,
    reading_form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    definition, readings, other = circle_readings(session, actor, assessment, compare)
    reader = reader_of(session, actor, assessment)
    completed = [
        a
        for a in service.assessments_of(session, subject_id=assessment.subject_id)
        if a.completed_at
    ]
    return {
        **_circle_context(definition, readings, assessment, other, reader),
        "definition": definition,
        "mine": reader.own,
        "name": reader.name,  # to staff: "Aino's Circle of Life", "What Aino hopes for"
        "subject_id": assessment.subject_id,
        "readings": readings,
        "titles": {r.theme_id: r.title for r in readings},
        "choices": [a for a in completed if a.id != assessment.id],
        "compare": compare,
        "help": help_box(
            session,
            definition,
            {r.theme_id: r.satisfaction for r in readings},
            reader=actor,
            subject=session.get(Account, assessment.subject_id) or actor,
        ),
        "can_read": actor.role == Role.CASE_MANAGER,
        "reading_form": reading_form or {},
    }


def reading_saved_url(assessment: Assessment, compare: str) -> str:
    """Back on the circle after the case manager's reading is saved: with the comparison
    they had chosen, at the confirmation (focused by app.js, `data-saved-note`)."""
    keep = f"compare={compare}&" if compare else ""
    return f"/assessments/{assessment.id}?{keep}saved=reading#reading-saved"


def history(session: Session, actor: Account) -> dict[str, Any]:
    """Every reading, and the change per theme from one completed reading to the next."""
    assessments = service.list_assessments(session, actor=actor)
    completed = sorted(
        (a for a in assessments if a.completed_at),
        key=lambda a: a.completed_at,  # type: ignore[arg-type,return-value]
    )
    answers = service.answers_for(session, [a.id or 0 for a in completed])
    columns = []
    for index, assessment in enumerate(completed):
        definition = service.assessment_definition(session, assessment)
        previous = None
        if index:
            earlier = completed[index - 1]
            previous = (service.assessment_definition(session, earlier), answers[earlier.id or 0])
        readings = circle.readings(definition, answers[assessment.id or 0], previous)
        columns.append((assessment, {r.theme_id: r for r in readings}))
    themes = []
    if completed:
        latest = service.assessment_definition(session, completed[-1])
        themes = [(t.id, t.title) for t in latest.themes]
    return {"assessments": assessments, "columns": columns, "themes": themes}
