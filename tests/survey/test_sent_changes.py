"""An answer a device sends with its own id for the change: a resend is applied once and
answered as the first time; a change made over an answer another device has replaced since
is refused with both answers, for the person to choose. On SQLite and PostgreSQL alike."""

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.auth.models import Account
from app.core.types import epoch_ms
from app.survey import service
from app.survey.answers import SentChange, save_change
from app.survey.models import AnswerChange, Assessment
from tests.factories import counted
from tests.survey.test_concurrency import open_assessment, save_and_commit
from tests.survey.test_views import start

ITEM = "health.importance"


def send(
    client: TestClient, token: str, assessment_id: int, value: str, **change: str
) -> tuple[int, str]:
    """One autosave as app.js sends it: the answer, the change's id and what it was made over."""
    data = {ITEM: value, **change}
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    reply = client.post(f"/assessments/{assessment_id}/answer", data=data, headers=headers)
    return reply.status_code, reply.text


def stored(session: Session, assessment_id: int) -> int | str | None:
    answers = service.answers_for(session, [assessment_id])[assessment_id]
    return answers[ITEM].value if ITEM in answers else None


def changes(session: Session, assessment_id: int) -> list[str]:
    rows = session.exec(
        select(AnswerChange).where(AnswerChange.assessment_id == assessment_id)
    ).all()
    return [row.client_id for row in sorted(rows, key=lambda row: row.id or 0)]


def saved_at(reply: str) -> int:
    """When the reply says the answer was saved (ms), or the other device's answer was."""
    return int(re.findall(r'data-at="(\d+)"', reply)[0])


def test_a_resend_with_the_same_id_is_a_no_op_answered_as_the_first_time(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    change = str(uuid.uuid4())
    first = send(client, token, assessment_id, "6", client_id=change, based_on="0")
    assert first[0] == 200 and "Saved" in first[1]
    # Another device changes the answer; then the first device's reply was lost, it sends again.
    over = str(saved_at(first[1]))
    assert (
        send(client, token, assessment_id, "2", client_id=str(uuid.uuid4()), based_on=over)[0]
        == 200
    )
    again = send(client, token, assessment_id, "6", client_id=change, based_on="0")
    assert again == first
    assert stored(session, assessment_id) == 2
    assert changes(session, assessment_id).count(change) == 1
    # The id is the device's, whatever its case.
    assert send(client, token, assessment_id, "6", client_id=change.upper())[1] == first[1]
    assert stored(session, assessment_id) == 2


def test_a_change_over_an_answer_replaced_meanwhile_shows_both_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    status, reply = send(client, token, assessment_id, "4", client_id=str(uuid.uuid4()))
    known = saved_at(reply)  # what this device saw
    send(client, token, assessment_id, "9", client_id=str(uuid.uuid4()), based_on=str(known))
    late = str(uuid.uuid4())  # given offline on another device, over the answer 4
    status, reply = send(client, token, assessment_id, "7", client_id=late, based_on=str(known))
    assert status == 409
    assert "This answer was changed on another device meanwhile." in reply
    assert "On this device: 7" in reply and "From the other device: 9" in reply
    assert "Keep this device's answer" in reply and 'data-theirs="9"' in reply
    assert stored(session, assessment_id) == 9 and late not in changes(session, assessment_id)
    # Keeping this device's answer: sent again over the other one, it is saved.
    chosen = str(uuid.uuid4())
    over = str(saved_at(reply))  # the other answer's moment
    assert send(client, token, assessment_id, "7", client_id=chosen, based_on=over)[0] == 200
    assert stored(session, assessment_id) == 7
    # The same answer as the stored one is no conflict, whatever it was made over.
    same = send(client, token, assessment_id, "7", client_id=str(uuid.uuid4()), based_on="0")
    assert same[0] == 200


def test_a_bad_change_id_or_time_is_refused_naming_it_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    for change in (
        {"client_id": "x" * 36},
        {"client_id": str(uuid.uuid4()) + "0"},
        {"client_id": ""},
        {"client_id": str(uuid.uuid4()), "based_on": "-1"},
        {"client_id": str(uuid.uuid4()), "based_on": "1" * 14},
        {"client_id": str(uuid.uuid4()), "based_on": "١٢"},
    ):
        status, reply = send(client, token, assessment_id, "5", **change)
        assert status == 422 and "This is not in the expected form." in reply, change
    assert stored(session, assessment_id) is None and changes(session, assessment_id) == []


def test_the_same_change_sent_twice_at_once_is_applied_once(
    engine: Engine, committed_accounts: list[int]
) -> None:
    person_id, assessment_id = open_assessment(engine, committed_accounts)
    change = SentChange(str(uuid.uuid4()), 0)

    def resend(_turn: int) -> int:
        with Session(engine) as session:
            actor, target = session.get(Account, person_id), session.get(Assessment, assessment_id)
            assert actor is not None and target is not None
            saved = save_change(
                session, actor=actor, assessment=target, item_id=ITEM, value=3, change=change
            )
            session.commit()
            return epoch_ms(saved.at)

    with ThreadPoolExecutor(max_workers=4) as pool:
        moments = set(pool.map(resend, range(4)))
    assert len(moments) == 1  # every reply the first one's
    save_and_commit(engine, person_id, assessment_id, "health.satisfaction", 1)
    with Session(engine) as session:
        count = session.exec(
            select(func.count()).where(AnswerChange.assessment_id == assessment_id)
        ).one()
        assert count == 1 and stored(session, assessment_id) == 3


def test_a_change_sent_with_its_id_costs_three_statements_more_than_a_plain_save(
    client: TestClient, session: Session
) -> None:
    """Its id looked up, the answer it was made over read, its id stored; nothing else."""
    token, _url, assessment_id = start(client, session)
    send(client, token, assessment_id, "1")  # the instrument parsed once
    with counted(session) as plain:
        over = str(saved_at(send(client, token, assessment_id, "2")[1]))
    with counted(session) as sent:
        reply = send(client, token, assessment_id, "3", client_id=str(uuid.uuid4()), based_on=over)
    assert reply[0] == 200 and len(sent) == len(plain) + 3, sent


def screen_bases(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(based_on:[^"]+)" value="(\d+)"', page))


def test_next_does_not_overwrite_a_newer_answer_from_another_device_and_shows_both(
    client: TestClient, session: Session
) -> None:
    token, url, assessment_id = start(client, session)
    page = client.get(url).text
    comment = re.search(r'<textarea id="q-[^"]+" name="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    bases = screen_bases(page)
    assert bases["based_on:studies_work.importance"] == "0"
    # Another device answers the question and writes a comment meanwhile.
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    for item, value in (("studies_work.importance", "4"), (comment, "From my laptop")):
        reply = client.post(
            f"/assessments/{assessment_id}/answer", data={item: value}, headers=headers
        )
        assert reply.status_code == 200
    # The screen built before is sent with Next: another answer, and the comment box empty.
    form = {
        "csrf_token": token,
        "nav": "next",
        "studies_work.importance": "7",
        comment: "",
        **bases,
    }
    reply = client.post(url, data=form, follow_redirects=False)
    assert reply.status_code == 409
    assert "On this device: 7" in reply.text and "From the other device: 4" in reply.text
    assert "From the other device: “From my laptop”" in reply.text
    answers = service.answers_for(session, [assessment_id])[assessment_id]
    assert answers["studies_work.importance"].value == 4
    assert answers[comment].value == "From my laptop"
    # Sent again over what it now shows (the person chose this device's answer): saved.
    form.update(screen_bases(reply.text))
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    session.expire_all()
    assert (
        service.answers_for(session, [assessment_id])[assessment_id][
            "studies_work.importance"
        ].value
        == 7
    )


def test_a_change_replacing_this_devices_own_unanswered_change_is_no_conflict(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    first = str(uuid.uuid4())
    # The first change reached the server, its reply was lost; the person changed it again.
    assert send(client, token, assessment_id, "3", client_id=first, based_on="0")[0] == 200
    second = str(uuid.uuid4())
    reply = send(client, token, assessment_id, "8", client_id=second, based_on="0", replaces=first)
    assert reply[0] == 200 and "Saved" in reply[1]
    assert stored(session, assessment_id) == 8
    # Another device's answer after this device's own is still a conflict.
    over = str(saved_at(reply[1]))
    assert (
        send(client, token, assessment_id, "5", client_id=str(uuid.uuid4()), based_on=over)[0]
        == 200
    )
    late = send(
        client,
        token,
        assessment_id,
        "1",
        client_id=str(uuid.uuid4()),
        based_on="0",
        replaces=second,
    )
    assert late[0] == 409 and "From the other device: 5" in late[1]
    # The ids it names are ids.
    bad = send(
        client, token, assessment_id, "1", client_id=str(uuid.uuid4()), based_on="0", replaces="x"
    )
    assert bad[0] == 422 and stored(session, assessment_id) == 5


def test_a_reused_id_a_future_time_or_two_answers_at_once_are_refused(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    change = str(uuid.uuid4())
    assert send(client, token, assessment_id, "6", client_id=change, based_on="0")[0] == 200
    # The same id for another question: refused, nothing changes.
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    other = {"health.satisfaction": "3", "client_id": change, "based_on": "0"}
    reply = client.post(f"/assessments/{assessment_id}/answer", data=other, headers=headers)
    assert reply.status_code == 422
    answers = service.answers_for(session, [assessment_id])[assessment_id]
    assert "health.satisfaction" not in answers
    # Made over an answer "saved" in the year 2286: refused, so it cannot pass every check.
    future = send(
        client, token, assessment_id, "1", client_id=str(uuid.uuid4()), based_on="9999999999999"
    )
    assert future[0] == 422 and stored(session, assessment_id) == 6
    # Two answers in one autosave: refused, not one of them silently.
    both = {ITEM: "2", "health.satisfaction": "4"}
    reply = client.post(f"/assessments/{assessment_id}/answer", data=both, headers=headers)
    assert reply.status_code == 422
    session.expire_all()
    assert stored(session, assessment_id) == 6
