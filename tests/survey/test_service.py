"""Answering, resuming, submitting and instrument versions, on the real database."""

import json

import pytest
from sqlmodel import Session, select

from app.core.errors import CharacterNotAllowed, NotFound, TextTooLong
from app.survey import service
from app.survey.answers import save_answer, save_answers, unanswered
from app.survey.definition import (
    INSTRUMENT_DIR,
    InstrumentDefinition,
    checksum,
    parse_definition,
)
from app.survey.errors import (
    AssessmentClosed,
    DefinitionClash,
    TextNotAllowed,
    UnknownItem,
    ValueOffScale,
)
from app.survey.models import Answer, Assessment, AssessmentStatus
from tests.factories import make_young_person

SHIPPED = INSTRUMENT_DIR / "mylife_youth-1.1.json"  # the newest


def stored(session: Session, assessment: Assessment) -> dict[str, int | str | None]:
    rows = session.exec(select(Answer).where(Answer.assessment_id == assessment.id)).all()
    return {a.item_id: a.value_int if a.value_int is not None else a.value_text for a in rows}


def test_start_creates_one_open_assessment_and_resumes_it(session: Session) -> None:
    person = make_young_person(session)
    first, created = service.start_or_resume(session, actor=person)
    again, created_again = service.start_or_resume(session, actor=person)
    assert created and not created_again
    assert again.id == first.id
    assert first.status == AssessmentStatus.IN_PROGRESS
    version = service.version_of(session, first)
    assert (service.definition_of(version).code, version.version) == ("mylife_youth", "1.1")


def test_answers_are_saved_one_by_one_and_position_follows(session: Session) -> None:
    person = make_young_person(session)
    assessment, _ = service.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=assessment, item_id="health.importance", value=9)
    save_answer(
        session, actor=person, assessment=assessment, item_id="health.satisfaction", value="4"
    )
    save_answer(
        session, actor=person, assessment=assessment, item_id="health.future", value="Sleep more"
    )
    save_answer(session, actor=person, assessment=assessment, item_id="health.importance", value=8)
    assert stored(session, assessment) == {
        "health.importance": 8,
        "health.satisfaction": 4,
        "health.future": "Sleep more",
    }
    assert assessment.position == 2  # health is the third theme


def test_clearing_an_answer_removes_it(session: Session) -> None:
    person = make_young_person(session)
    assessment, _ = service.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=assessment, item_id="family.future", value="x")
    save_answer(session, actor=person, assessment=assessment, item_id="family.future", value="")
    assert stored(session, assessment) == {}


@pytest.mark.parametrize(
    ("item_id", "value", "error"),
    [
        ("health.importance", 11, ValueOffScale),
        ("health.importance", -1, ValueOffScale),
        ("health.importance", "seven", ValueOffScale),
        ("health.importance", True, ValueOffScale),
        ("health.future", "x" * 2001, TextTooLong),
        ("health.future", "null\x00byte", CharacterNotAllowed),
        ("health.future", 5, TextNotAllowed),
        ("nothing.here", 5, UnknownItem),
    ],
)
def test_bad_answers_name_the_item_and_keep_what_was_saved(
    session: Session, item_id: str, value: object, error: type[Exception]
) -> None:
    person = make_young_person(session)
    assessment, _ = service.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=assessment, item_id="health.importance", value=6)
    save_answer(
        session, actor=person, assessment=assessment, item_id="health.future", value="keep me"
    )
    with pytest.raises(error) as raised:
        save_answer(session, actor=person, assessment=assessment, item_id=item_id, value=value)  # type: ignore[arg-type]
    assert raised.value.field == item_id  # type: ignore[attr-defined]
    assert stored(session, assessment) == {"health.importance": 6, "health.future": "keep me"}


def test_a_screen_saves_its_good_answers_and_reports_the_bad_one(session: Session) -> None:
    person = make_young_person(session)
    assessment, _ = service.start_or_resume(session, actor=person)
    problems = save_answers(
        session,
        actor=person,
        assessment=assessment,
        values={
            "housing.importance": "12",
            "housing.satisfaction": "3",
            "housing.future": "A flat",
        },
    )
    assert list(problems) == ["housing.importance"]
    assert stored(session, assessment) == {"housing.satisfaction": 3, "housing.future": "A flat"}


def test_submitted_assessment_is_read_only(session: Session) -> None:
    person = make_young_person(session)
    assessment, _ = service.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=assessment, item_id="finance.importance", value=7)
    service.submit(session, actor=person, assessment=assessment)
    assert assessment.status == AssessmentStatus.COMPLETED and assessment.completed_at
    with pytest.raises(AssessmentClosed):
        save_answer(
            session, actor=person, assessment=assessment, item_id="finance.importance", value=2
        )
    with pytest.raises(AssessmentClosed):
        service.submit(session, actor=person, assessment=assessment)
    assert stored(session, assessment) == {"finance.importance": 7}
    # The next start opens a new assessment; the completed one stays.
    new, created = service.start_or_resume(session, actor=person)
    assert created and new.id != assessment.id


def test_someone_elses_assessment_is_not_found(session: Session) -> None:
    owner = make_young_person(session)
    other = make_young_person(session)
    assessment, _ = service.start_or_resume(session, actor=owner)
    with pytest.raises(NotFound):
        service.get_assessment(session, actor=other, assessment_id=assessment.id or 0)
    with pytest.raises(NotFound):
        save_answer(
            session, actor=other, assessment=assessment, item_id="health.importance", value=1
        )
    assert stored(session, assessment) == {}


def test_review_lists_unanswered_items(session: Session) -> None:
    person = make_young_person(session)
    assessment, _ = service.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=assessment, item_id="family.importance", value=3)
    definition = service.assessment_definition(session, assessment)
    answers = service.answers_for(session, [assessment.id or 0])[assessment.id or 0]
    missing = [item.id for item in unanswered(definition, answers)]
    assert len(missing) == 29 and "family.importance" not in missing


def _next_version(text_en: str) -> tuple[InstrumentDefinition, str]:
    data = json.loads(SHIPPED.read_text())
    data["version"] = "1.2"
    data["themes"][0]["items"][0]["text"]["en"] = text_en
    definition = parse_definition(json.dumps(data))
    return definition, checksum(definition)


def test_a_new_version_does_not_break_an_old_assessment(session: Session) -> None:
    person = make_young_person(session)
    old, _ = service.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=old, item_id="studies_work.importance", value=5)
    service.submit(session, actor=person, assessment=old)

    definition, digest = _next_version("How much do your studies or work matter to you?")
    version, created = service.import_definition(session, definition=definition, checksum=digest)
    assert created
    again, created_again = service.import_definition(
        session, definition=definition, checksum=digest
    )
    assert not created_again and again.id == version.id

    new, _ = service.start_or_resume(session, actor=person)
    assert new.instrument_version_id == version.id
    old_definition = service.assessment_definition(session, old)
    assert old_definition.version == "1.1"
    assert old_definition.themes[0].items[0].text.en.startswith("How important")
    assert stored(session, old) == {"studies_work.importance": 5}


def test_same_version_with_other_content_is_refused(session: Session) -> None:
    data = json.loads(SHIPPED.read_text())
    data["title"]["en"] = "Changed without a new version"
    definition = parse_definition(json.dumps(data))
    with pytest.raises(DefinitionClash) as raised:
        service.import_definition(session, definition=definition, checksum=checksum(definition))
    assert raised.value.field == "version"
