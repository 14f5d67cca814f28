"""Answers: each checked against its item and stored the moment it is given, and a
response completed elsewhere imported whole, once. Flushes, never commits."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Account
from app.core.bounds import storable_text
from app.core.errors import AppError, NotFound, TextTooLong
from app.core.types import epoch_ms, saved_id, utcnow
from app.survey.definition import InstrumentDefinition, Item, ItemKind
from app.survey.errors import (
    AnswerChangedElsewhere,
    AssessmentClosed,
    BadChangeId,
    TextNotAllowed,
    UnknownItem,
    ValueOffScale,
)
from app.survey.models import Answer, AnswerChange, Assessment, AssessmentStatus, InstrumentVersion
from app.survey.service import assessment_definition, definition_of

AnswerValue = int | str | None
CLOCK_SKEW_MS = 60_000  # how far ahead of the server's clock a sent time may be


def _clean_value(item: Item, definition: InstrumentDefinition, value: AnswerValue) -> AnswerValue:
    if value is None or value == "":
        return None
    if item.kind is ItemKind.CHOICE:
        scale = definition.scale(item.scale)
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 4:
            number = int(value.strip())
        if number is None or number not in scale.values():
            raise ValueOffScale(field=item.id, params={"min": scale.min, "max": scale.max})
        return number
    if not isinstance(value, str):
        raise TextNotAllowed(field=item.id)
    storable_text(item.id, value)
    limit = item.max_length or 0
    if len(value) > limit:
        raise TextTooLong(field=item.id, params={"max": limit, "length": len(value)})
    return value


def clean_value(definition: InstrumentDefinition, item_id: str, value: AnswerValue) -> AnswerValue:
    """An answer checked against its item, as saving it would (raises the same errors)."""
    return _clean_value(definition.items()[item_id][1], definition, value)


def _stored(session: Session, assessment: Assessment, item_id: str) -> Answer | None:
    return session.exec(
        select(Answer).where(Answer.assessment_id == assessment.id, Answer.item_id == item_id)
    ).first()


def _store(
    session: Session,
    assessment: Assessment,
    item: Item,
    value: AnswerValue,
    moment: datetime | None = None,
) -> None:
    values = {
        "assessment_id": assessment.id,
        "item_id": item.id,
        "value_int": value if isinstance(value, int) else None,
        "value_text": value if isinstance(value, str) else None,
        "updated_at": moment or utcnow(),
    }
    if value is None:
        existing = _stored(session, assessment, item.id)
        if existing is not None:
            session.delete(existing)
        return
    # One statement that inserts or updates, so two devices saving at once cannot clash.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Answer).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id", "item_id"],
        set_={k: statement.excluded[k] for k in ("value_int", "value_text", "updated_at")},
    )
    session.execute(statement)


@dataclass(frozen=True)
class SentChange:
    """What a device says of the answer it sends: its own id for this change (a resend
    with the same id is applied once), and when the stored answer it changed was saved
    (milliseconds since 1970, 0 if it knew of none; None: it does not say)."""

    client_id: str
    based_on: int | None = None
    replaces: tuple[str, ...] = ()  # this device's earlier changes it replaced, unanswered


@dataclass(frozen=True)
class Saved:
    value: AnswerValue  # as stored
    at: datetime  # when it was saved (for a resend: the first time)


def save_answer(
    session: Session,
    *,
    actor: Account,
    assessment: Assessment,
    item_id: str,
    value: AnswerValue,
    based_on: int | None = None,
) -> AnswerValue:
    """Validate and save one answer (made over the answer saved at `based_on`, if said: a
    newer, different one is not overwritten); returns the stored value."""
    saved = save_change(
        session,
        actor=actor,
        assessment=assessment,
        item_id=item_id,
        value=value,
        change=None,
        based_on=based_on,
    )
    return saved.value


def save_change(
    session: Session,
    *,
    actor: Account,
    assessment: Assessment,
    item_id: str,
    value: AnswerValue,
    change: SentChange | None,
    based_on: int | None = None,
) -> Saved:
    """Save one answer as a device sent it (the autosave). A change already applied under
    its id changes nothing and is answered as the first time; one made over an answer older
    than the stored one, which differs, is refused with both (`AnswerChangedElsewhere`):
    another device saved it meanwhile, the person chooses."""
    if assessment.subject_id != actor.id:
        raise NotFound()
    definition = assessment_definition(session, assessment)
    found = definition.items().get(item_id)
    if found is None:
        raise UnknownItem(field=item_id)
    theme, item = found
    cleaned = _clean_value(item, definition, value)
    position = definition.theme_index(theme.id)
    if not _hold_open(session, assessment, position=position):
        # Sending the stored answer again is no change; anything else is refused.
        stored = _stored(session, assessment, item_id)
        if (stored.value if stored else None) != cleaned:
            raise AssessmentClosed(field=item_id)
        return Saved(cleaned, stored.updated_at if stored else utcnow())
    moment = utcnow()
    if change is not None:
        earlier = _applied_before(session, assessment, change.client_id)
        if earlier is not None:
            if earlier.item_id != item_id:  # an id is one change of one question
                raise BadChangeId(field="client_id")
            return Saved(cleaned, earlier.saved_at)
        if (change.based_on or 0) > epoch_ms(moment) + CLOCK_SKEW_MS:
            raise BadChangeId(field="based_on")  # made over an answer saved in the future
        based_on = _own_base(session, assessment, item_id, change)
    _check_not_overtaken(session, assessment, item_id, cleaned, based_on, position)
    if change is not None:
        session.add(_change_row(assessment, item_id, change, moment))
    _store(session, assessment, item, cleaned, moment)
    session.flush()
    return Saved(cleaned, moment)


def _applied_before(
    session: Session, assessment: Assessment, client_id: str
) -> AnswerChange | None:
    """The change with this id, if it was saved. Read after the assessment's lock, so a
    resend racing the first send waits for it, and finds it."""
    return session.exec(
        select(AnswerChange).where(
            AnswerChange.assessment_id == assessment.id, AnswerChange.client_id == client_id
        )
    ).first()


def _own_base(
    session: Session, assessment: Assessment, item_id: str, change: SentChange
) -> int | None:
    """What a change was made over: the answer it says, or a later one this device saved
    itself (an earlier change it replaced reached the server, but its reply was lost)."""
    if change.based_on is None or not change.replaces:
        return change.based_on
    own = session.exec(
        select(func.max(AnswerChange.saved_at)).where(
            AnswerChange.assessment_id == assessment.id,
            AnswerChange.item_id == item_id,
            col(AnswerChange.client_id).in_(change.replaces),
        )
    ).first()
    return max(change.based_on, epoch_ms(own)) if own else change.based_on


def _check_not_overtaken(
    session: Session,
    assessment: Assessment,
    item_id: str,
    value: AnswerValue,
    based_on: int | None,
    position: int,
) -> None:
    """Refuse a change made over an older answer than the one stored, unless they agree
    (with both answers, when the other was saved, and the number of the question's screen)."""
    if based_on is None:
        return
    stored = _stored(session, assessment, item_id)
    if stored is None or stored.value == value or epoch_ms(stored.updated_at) <= based_on:
        return
    raise AnswerChangedElsewhere(
        field=item_id,
        extra={
            "mine": value,
            "theirs": stored.value,
            "at": epoch_ms(stored.updated_at),
            "screen": position + 1,
        },
    )


def _change_row(
    assessment: Assessment, item_id: str, change: SentChange, moment: datetime
) -> AnswerChange:
    return AnswerChange(
        assessment_id=saved_id(assessment.id),
        client_id=change.client_id,
        item_id=item_id,
        saved_at=moment,
    )


def _hold_open(session: Session, assessment: Assessment, *, position: int) -> bool:
    """Move an assessment still in progress to `position`, locking its row; False if it is
    not in progress (any more). Every writer locks the assessment before its answers, so a
    screen's save and an autosave of the same assessment wait for each other instead of
    each holding an answer the other needs (a deadlock on PostgreSQL)."""
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        return False
    result = session.execute(
        update(Assessment)
        .where(
            col(Assessment.id) == assessment.id,
            col(Assessment.status) == AssessmentStatus.IN_PROGRESS,
        )
        .values(position=position, updated_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # submitted in the meantime
        session.refresh(assessment)
        return False
    return True


SCREEN_PROBLEMS = (
    UnknownItem,
    ValueOffScale,
    TextTooLong,
    TextNotAllowed,
    AssessmentClosed,
    AnswerChangedElsewhere,
)


def save_answers(
    session: Session,
    *,
    actor: Account,
    assessment: Assessment,
    values: Mapping[str, AnswerValue],
    based_on: Mapping[str, int] | None = None,
) -> dict[str, AppError]:
    """Save every valid answer of a screen, each made over the answer saved at its
    `based_on` (as the autosave's: a newer, different answer stays, and is shown beside);
    the problems are returned by item, not raised."""
    problems: dict[str, AppError] = {}
    for item_id, value in values.items():
        try:
            save_answer(
                session,
                actor=actor,
                assessment=assessment,
                item_id=item_id,
                value=value,
                based_on=(based_on or {}).get(item_id),
            )
        except SCREEN_PROBLEMS as error:
            problems[item_id] = error
    return problems


def unanswered(definition: InstrumentDefinition, answers: Mapping[str, Answer]) -> list[Item]:
    return [item for _theme, item in definition.items().values() if item.id not in answers]


def _imported(
    session: Session, *, person: Account, system: str, identifier: str
) -> Assessment | None:
    return session.exec(
        select(Assessment).where(
            Assessment.subject_id == person.id,
            Assessment.external_system == system,
            Assessment.external_id == identifier,
        )
    ).first()


def _add_with_answers(
    session: Session,
    assessment: Assessment,
    definition: InstrumentDefinition,
    answers: Mapping[str, AnswerValue],
) -> None:
    """The assessment and its answers, in one savepoint: all of them or none."""
    with session.begin_nested():
        session.add(assessment)
        session.flush()
        for item_id, value in answers.items():
            _store(session, assessment, definition.items()[item_id][1], value)
        session.flush()


def import_completed(
    session: Session,
    *,
    person: Account,
    version: InstrumentVersion,
    answers: Mapping[str, AnswerValue],
    authored: datetime,
    system: str,
    identifier: str,
    client_id: str | None,
) -> tuple[Assessment, bool]:
    """Store an assessment completed elsewhere (checked by the caller); once per identifier.

    Returns the assessment and whether it was created now.
    """
    existing = _imported(session, person=person, system=system, identifier=identifier)
    if existing is not None:
        return existing, False
    definition = definition_of(version)
    assessment = Assessment(
        subject_id=saved_id(person.id),
        instrument_version_id=saved_id(version.id),
        status=AssessmentStatus.COMPLETED,
        position=len(definition.themes),
        started_at=authored,
        completed_at=authored,
        updated_at=utcnow(),
        external_system=system,
        external_id=identifier,
        imported_by=client_id,
    )
    try:
        _add_with_answers(session, assessment, definition, answers)
    except IntegrityError:  # the same response sent twice at the same moment
        found = _imported(session, person=person, system=system, identifier=identifier)
        if found is None:
            raise
        return found, False
    return assessment, True
