"""Reading many people's assessments at once: named queries for read models (the caseload,
the home page, the plan's focus), each a fixed number of statements however many people it is
asked about. They check nothing (the caller has checked access)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.survey.models import Assessment


def latest_completed(session: Session, person_ids: Collection[int]) -> dict[int, Assessment]:
    """Each person's latest completed assessment (the last completed; at the same instant,
    the later made), by person, in one query: the one the help rule and the plan read."""
    if not person_ids:
        return {}
    latest = (
        select(col(Assessment.subject_id), func.max(col(Assessment.completed_at)).label("at"))
        .where(
            col(Assessment.subject_id).in_(person_ids),
            col(Assessment.completed_at).is_not(None),
        )
        .group_by(col(Assessment.subject_id))
        .subquery()
    )
    rows = session.exec(
        select(Assessment)
        .join(
            latest,
            (latest.c.subject_id == col(Assessment.subject_id))
            & (latest.c.at == col(Assessment.completed_at)),
        )
        .order_by(col(Assessment.id))
    )
    return {assessment.subject_id: assessment for assessment in rows}


@dataclass(frozen=True)
class Assessments:
    """A person's assessments at a glance."""

    last_completed_at: datetime | None
    open: bool  # one is in progress


def assessment_summaries(session: Session, person_ids: Collection[int]) -> dict[int, Assessments]:
    """Each person's assessments at a glance, by person (those with none left out), in one
    query."""
    if not person_ids:
        return {}
    statement = (
        select(
            col(Assessment.subject_id),
            func.max(Assessment.completed_at),
            func.count(col(Assessment.id)).filter(col(Assessment.completed_at).is_(None)),
        )
        .where(col(Assessment.subject_id).in_(person_ids))
        .group_by(col(Assessment.subject_id))
    )
    return {
        subject_id: Assessments(last_completed_at=last_at, open=bool(in_progress))
        for subject_id, last_at, in_progress in session.exec(statement)
    }


def assessment_count(session: Session, person_id: int) -> int:
    """How many assessments the person has made or begun."""
    statement = select(func.count()).where(Assessment.subject_id == person_id)
    return int(session.exec(statement).one())
