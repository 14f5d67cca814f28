"""The case manager's own reading of an assessment's themes, shown beside the person's."""

from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from app.audit.actions import AuditAction
from app.auth.models import Account, Role
from app.core.errors import NotFound
from app.core.forms import text_fields
from app.core.types import saved_id, utcnow
from app.survey import service
from app.survey.circle import satisfaction_scale
from app.survey.definition import InstrumentDefinition
from app.survey.errors import UnknownItem, ValueOffScale
from app.survey.models import Assessment, AssessmentStatus, StaffReading

DISAGREEMENT = 3  # points apart on the 0-10 scale: shown as a difference to both


def readings_of(session: Session, *, assessment: Assessment) -> dict[str, StaffReading]:
    """The latest staff reading per theme (the caller has checked access)."""
    rows = session.exec(
        select(StaffReading)
        .where(StaffReading.assessment_id == assessment.id)
        .order_by(col(StaffReading.updated_at))
    ).all()
    return {row.theme_id: row for row in rows}


def sent(session: Session, assessment: Assessment, form: FormData) -> dict[str, str]:
    """A reading as its form sent it: a value per theme of the assessment's instrument."""
    definition = service.assessment_definition(session, assessment)
    return text_fields(form, [theme.id for theme in definition.themes])


def record(
    session: Session, *, actor: Account, assessment: Assessment, values: Mapping[str, str]
) -> dict[str, StaffReading]:
    """Save the actor's reading per theme ('' clears one). Only a case manager, only completed."""
    if actor.role != Role.CASE_MANAGER or assessment.status != AssessmentStatus.COMPLETED:
        raise NotFound()
    service.authorize_assessment(
        session, actor=actor, assessment=assessment, action=AuditAction.READING_UPDATE
    )
    cleaned = _cleaned(service.assessment_definition(session, assessment), values)
    _replace(session, actor=actor, assessment=assessment, values=cleaned)
    session.flush()
    return readings_of(session, assessment=assessment)


def _cleaned(definition: InstrumentDefinition, values: Mapping[str, str]) -> dict[str, int | None]:
    """A reading per theme on the satisfaction scale; None where it is cleared."""
    scale = satisfaction_scale(definition)
    theme_ids = {theme.id for theme in definition.themes}
    cleaned: dict[str, int | None] = {}
    for theme_id, raw in values.items():
        if theme_id not in theme_ids:
            raise UnknownItem(field=theme_id)
        text = raw.strip()
        if text and (not text.isdecimal() or int(text) not in scale.values()):
            raise ValueOffScale(field=theme_id, params={"min": scale.min, "max": scale.max})
        cleaned[theme_id] = int(text) if text else None
    return cleaned


def _replace(
    session: Session, *, actor: Account, assessment: Assessment, values: Mapping[str, int | None]
) -> None:
    """The actor's earlier reading of these themes replaced by the new one."""
    session.execute(
        delete(StaffReading).where(
            col(StaffReading.assessment_id) == assessment.id,
            col(StaffReading.author_id) == actor.id,
            col(StaffReading.theme_id).in_(list(values)),
        )
    )
    for theme_id, value in values.items():
        if value is not None:
            session.add(
                StaffReading(
                    assessment_id=saved_id(assessment.id),
                    author_id=actor.id,
                    author_name=actor.display_name,
                    theme_id=theme_id,
                    satisfaction=value,
                    updated_at=utcnow(),
                )
            )
