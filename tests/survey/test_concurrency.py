"""Two devices saving at once: every answer lands, none is refused for a lock."""

import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session

from app.auth.models import Account
from app.core.types import saved_id
from app.survey import service
from app.survey.answers import save_answer
from app.survey.models import Assessment
from tests.factories import THEME_IDS, make_young_person


def open_assessment(engine: Engine, committed_accounts: list[int]) -> tuple[int, int]:
    """A young person with an assessment under way, committed for real (removed after the
    test): their id and the assessment's."""
    with Session(engine) as session:
        person = make_young_person(session)
        committed_accounts.append(saved_id(person.id))
        assessment, _ = service.start_or_resume(session, actor=person)
        session.commit()
        return saved_id(person.id), saved_id(assessment.id)


def save_and_commit(
    engine: Engine, person_id: int, assessment_id: int, item: str, value: int | str
) -> None:
    """One save in its own transaction, as a request of its own would make it."""
    with Session(engine) as session:
        actor, target = session.get(Account, person_id), session.get(Assessment, assessment_id)
        assert actor is not None and target is not None
        save_answer(session, actor=actor, assessment=target, item_id=item, value=value)
        session.commit()


def test_concurrent_saves_on_one_assessment_all_land(
    engine: Engine, committed_accounts: list[int]
) -> None:
    person_id, assessment_id = open_assessment(engine, committed_accounts)

    def save(job: int) -> None:
        theme = THEME_IDS[job % 10]
        item = f"{theme}.importance" if job < 10 else f"{theme}.future"
        value: int | str = job % 11 if job < 10 else f"hope {job}"
        save_and_commit(engine, person_id, assessment_id, item, value)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(save, range(20)))  # re-raises the first failure
    with Session(engine) as session:
        answers = service.answers_for(session, [assessment_id])[assessment_id]
        assert len(answers) == 20
        assert answers["housing.future"].value_text == "hope 15"


def test_a_screen_save_and_an_autosave_crossing_each_other_both_land(
    engine: Engine, committed_accounts: list[int]
) -> None:
    """A screen's save writes a second answer while an autosave of that same answer is
    under way: the second writer waits for the first instead of a deadlock (PostgreSQL
    would cancel one of them, and the person would see an error)."""
    person_id, assessment_id = open_assessment(engine, committed_accounts)
    first, second = f"{THEME_IDS[0]}.importance", f"{THEME_IDS[0]}.satisfaction"

    def autosave() -> None:
        save_and_commit(engine, person_id, assessment_id, second, 3)

    with Session(engine) as screen, ThreadPoolExecutor(max_workers=1) as pool:
        actor, target = screen.get(Account, person_id), screen.get(Assessment, assessment_id)
        assert actor is not None and target is not None
        save_answer(screen, actor=actor, assessment=target, item_id=first, value=7)
        crossing = pool.submit(autosave)
        time.sleep(0.5)  # the autosave is now waiting for the screen's save
        save_answer(screen, actor=actor, assessment=target, item_id=second, value=9)
        screen.commit()
        crossing.result(timeout=30)  # re-raises a deadlock
    with Session(engine) as session:
        answers = service.answers_for(session, [assessment_id])[assessment_id]
        assert answers[first].value_int == 7
        assert answers[second].value_int == 3  # the autosave came second, so it stands
