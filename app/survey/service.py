"""Survey use cases: instruments, assessments, and the queries other domains read them by
(saving answers is in answers.py). Flushes, never commits."""

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select

from app.audit.actions import AuditAction
from app.auth import access
from app.auth.models import Account
from app.core.errors import NotFound
from app.core.types import local_today, saved_id, utcnow
from app.survey.definition import InstrumentDefinition, Texts, parse_definition, theme_ids_of
from app.survey.errors import (
    AssessmentClosed,
    DefinitionClash,
    NoInstrument,
)
from app.survey.models import Answer, Assessment, AssessmentStatus, Instrument, InstrumentVersion

# Parsed definitions by checksum: immutable data, safe to share between requests.
_definitions: dict[str, InstrumentDefinition] = {}
# In a session's `info`: the checksum of each instrument version its assessments were read
# with (a version never changes), so their definitions need no query of their own.
CHECKSUMS = "mylife_instrument_checksums"
# Versions are loaded without their definition document; it is read on a cache miss only.

WITHOUT_DOCUMENT = defer(cast("QueryableAttribute[Any]", InstrumentVersion.definition))


def definition_of(version: InstrumentVersion) -> InstrumentDefinition:
    cached = _definitions.get(version.checksum)
    if cached is None:
        cached = parse_definition(json.dumps(version.definition))
        _definitions[version.checksum] = cached
    return cached


def import_definition(
    session: Session, *, definition: InstrumentDefinition, checksum: str
) -> tuple[InstrumentVersion, bool]:
    """Store a validated definition as a new instrument version (idempotent)."""
    instrument = session.exec(select(Instrument).where(Instrument.code == definition.code)).first()
    if instrument is None:
        instrument = Instrument(code=definition.code)
        session.add(instrument)
        session.flush()
    existing = session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument.id,
            InstrumentVersion.version == definition.version,
        )
    ).first()
    if existing is not None:
        if existing.checksum != checksum:
            raise DefinitionClash(
                field="version", params={"version": definition.version, "code": definition.code}
            )
        return existing, False
    version = InstrumentVersion(
        instrument_id=saved_id(instrument.id),
        version=definition.version,
        definition=definition.model_dump(mode="json"),
        checksum=checksum,
    )
    session.add(version)
    session.flush()
    return version, True


def _version_key(version: InstrumentVersion) -> tuple[int, ...]:
    return tuple(int(part) for part in version.version.split("."))


def latest_versions(session: Session) -> list[InstrumentVersion]:
    """The newest version of every instrument."""
    newest: dict[int, InstrumentVersion] = {}
    for version in session.exec(select(InstrumentVersion).options(WITHOUT_DOCUMENT)).all():
        current = newest.get(version.instrument_id)
        if current is None or _version_key(version) > _version_key(current):
            newest[version.instrument_id] = version
    return sorted(newest.values(), key=lambda v: v.id or 0)


def theme_ids(session: Session) -> list[str]:
    """The themes of the newest instrument versions (a plan's goal may be tied to these)."""
    return theme_ids_of(definition_of(version) for version in latest_versions(session))


def theme_texts(session: Session) -> dict[str, Texts]:
    """Each theme's title in every language, from the latest instrument versions."""
    titles: dict[str, Texts] = {}
    for version in latest_versions(session):
        for theme in definition_of(version).themes:
            titles.setdefault(theme.id, theme.title)
    return titles


def get_instrument_version(session: Session, *, code: str, version: str) -> InstrumentVersion:
    row = session.exec(
        select(InstrumentVersion)
        .options(WITHOUT_DOCUMENT)
        .join(Instrument, col(Instrument.id) == col(InstrumentVersion.instrument_id))
        .where(Instrument.code == code, InstrumentVersion.version == version)
    ).first()
    if row is None:
        raise NotFound()
    return row


def _age(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def choose_version(session: Session, *, person: Account) -> InstrumentVersion:
    """The newest instrument meant for the person's age (any, if age is unknown)."""
    candidates = latest_versions(session)
    if not candidates:
        raise NoInstrument()
    age = _age(person.birth_date, local_today())
    for version in candidates:
        ages = definition_of(version).ages
        if age is None or ages.min <= age <= ages.max:
            return version
    return candidates[0]


def _with_checksum() -> Any:
    """Assessments, each with its instrument version's checksum (see `_remembered`)."""
    return select(Assessment, InstrumentVersion.checksum).join(
        InstrumentVersion, col(InstrumentVersion.id) == col(Assessment.instrument_version_id)
    )


def _remembered(session: Session, rows: Sequence[Any]) -> list[Assessment]:
    """The assessments of `_with_checksum` rows; the checksums are kept for the session."""
    known: dict[int, str] = session.info.setdefault(CHECKSUMS, {})
    for assessment, checksum in rows:
        known[assessment.instrument_version_id] = checksum
    return [assessment for assessment, _checksum in rows]


def open_assessment(session: Session, *, person: Account) -> Assessment | None:
    statement = _with_checksum().where(
        Assessment.subject_id == person.id, Assessment.status == AssessmentStatus.IN_PROGRESS
    )
    row = session.exec(statement).first()
    return _remembered(session, [row])[0] if row is not None else None


def start_or_resume(session: Session, *, actor: Account) -> tuple[Assessment, bool]:
    """The person's open assessment, or a new one; True when it was created."""
    existing = open_assessment(session, person=actor)
    if existing is not None:
        return existing, False
    version = choose_version(session, person=actor)
    assessment = Assessment(
        subject_id=saved_id(actor.id), instrument_version_id=saved_id(version.id)
    )
    try:
        with session.begin_nested():
            session.add(assessment)
    except IntegrityError:
        # Another device started one at the same moment: resume that one.
        existing = open_assessment(session, person=actor)
        if existing is None:
            raise
        return existing, False
    return assessment, True


def authorize_assessment(
    session: Session,
    *,
    actor: Account,
    assessment: Assessment,
    action: AuditAction,
    only_self: bool = False,
) -> None:
    """The one access check for an assessment (audited when the actor is not the person)."""
    access.authorize(
        session,
        actor=actor,
        subject_id=assessment.subject_id,
        action=action,
        object_type="assessment",
        object_id=assessment.id,
        only_self=only_self,
    )


def _load(
    session: Session, *, actor: Account, assessment_id: int, action: AuditAction, only_self: bool
) -> Assessment:
    statement = _with_checksum().where(Assessment.id == assessment_id)
    row = session.exec(statement).first()
    if row is None:
        raise NotFound()
    assessment = _remembered(session, [row])[0]
    authorize_assessment(
        session, actor=actor, assessment=assessment, action=action, only_self=only_self
    )
    return assessment


def get_assessment(session: Session, *, actor: Account, assessment_id: int) -> Assessment:
    """An assessment the actor may read (audited); anything else is simply not found."""
    read = AuditAction.ASSESSMENT_READ
    return _load(session, actor=actor, assessment_id=assessment_id, action=read, only_self=False)


def get_own_assessment(session: Session, *, actor: Account, assessment_id: int) -> Assessment:
    """An assessment the actor answers: only the person's own; anyone else is refused as if
    it did not exist, and the try is audited."""
    return _load(
        session,
        actor=actor,
        assessment_id=assessment_id,
        action=AuditAction.ASSESSMENT_ANSWER,
        only_self=True,
    )


def version_of(session: Session, assessment: Assessment) -> InstrumentVersion:
    version = session.get(
        InstrumentVersion, assessment.instrument_version_id, options=[WITHOUT_DOCUMENT]
    )
    assert version is not None  # foreign key
    return version


def assessment_definition(session: Session, assessment: Assessment) -> InstrumentDefinition:
    """The assessment's instrument: without a query when the assessment was read with its
    version's checksum (`CHECKSUMS`) and that definition has been parsed before."""
    checksum = session.info.get(CHECKSUMS, {}).get(assessment.instrument_version_id)
    cached = _definitions.get(checksum) if checksum is not None else None
    if cached is not None:
        return cached
    version = version_of(session, assessment)
    session.info.setdefault(CHECKSUMS, {})[version.id] = version.checksum
    return definition_of(version)


def answers_for(session: Session, assessment_ids: Sequence[int]) -> dict[int, dict[str, Answer]]:
    """Answers of several assessments in one query."""
    found: dict[int, dict[str, Answer]] = {aid: {} for aid in assessment_ids}
    if assessment_ids:
        rows = session.exec(select(Answer).where(col(Answer.assessment_id).in_(assessment_ids)))
        for answer in rows:
            found[answer.assessment_id][answer.item_id] = answer
    return found


def move_to(session: Session, *, actor: Account, assessment: Assessment, position: int) -> int:
    """Remember the screen the person is on (the review screen is one past the last theme)."""
    if assessment.subject_id != actor.id:
        raise NotFound()
    last = len(assessment_definition(session, assessment).themes)
    assessment.position = max(0, min(position, last))
    if assessment.status == AssessmentStatus.IN_PROGRESS:
        session.add(assessment)
        session.flush()
    return assessment.position


def submit(session: Session, *, actor: Account, assessment: Assessment) -> Assessment:
    if assessment.subject_id != actor.id:
        raise NotFound()
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise AssessmentClosed(field="status")
    now = utcnow()
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = now
    assessment.updated_at = now
    session.add(assessment)
    session.flush()
    return assessment


def assessments_of(session: Session, *, subject_id: int) -> list[Assessment]:
    """A person's assessments, newest first (the caller has checked access)."""
    statement = (
        _with_checksum()
        .where(Assessment.subject_id == subject_id)
        .order_by(col(Assessment.started_at).desc(), col(Assessment.id).desc())
    )
    return _remembered(session, session.exec(statement).all())


def assessment_and_owner(session: Session, assessment_id: int) -> tuple[Assessment, int] | None:
    """An assessment and whose it is (the caller checks access against the owner)."""
    assessment = session.get(Assessment, assessment_id)
    return (assessment, assessment.subject_id) if assessment is not None else None


def list_assessments(
    session: Session, *, actor: Account, subject_id: int | None = None
) -> list[Assessment]:
    """The actor's own assessments, or (audited) those of someone in their caseload."""
    subject = actor.id if subject_id is None else subject_id
    if subject != actor.id:
        access.authorize(
            session,
            actor=actor,
            subject_id=subject_id or 0,
            action=AuditAction.ASSESSMENT_LIST,
            object_type="person",
            object_id=subject_id,
        )
    return assessments_of(session, subject_id=saved_id(subject))


def answer_progress(session: Session, *, assessment: Assessment) -> tuple[int, int]:
    """How many of the assessment's questions are answered, of how many: the optional
    comments are not counted (`InstrumentDefinition.required_items`)."""
    required = [item.id for item in assessment_definition(session, assessment).required_items()]
    statement = (
        select(func.count())
        .select_from(Answer)
        .where(Answer.assessment_id == assessment.id, col(Answer.item_id).in_(required))
    )
    return int(session.exec(statement).one()), len(required)


def all_versions(session: Session) -> list[tuple[InstrumentVersion, str]]:
    """Every instrument version with its instrument's code."""
    rows = session.exec(
        select(InstrumentVersion, Instrument.code)
        .join(Instrument, col(Instrument.id) == col(InstrumentVersion.instrument_id))
        .order_by(col(Instrument.code), col(InstrumentVersion.id))
    ).all()
    return [(version, code) for version, code in rows]
