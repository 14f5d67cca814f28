"""The plan pages without JavaScript, and the live update an open page polls."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Account
from tests.factories import assign, make_case_manager, make_young_person, sign_in


def setup(session: Session) -> tuple[Account, Account]:
    manager = make_case_manager(session, display_name="Kaisa", locale="en")
    person = make_young_person(session, display_name="Lumi", locale="en")
    assign(session, manager, person)
    return manager, person


def as_user(client: TestClient, account: Account) -> str:
    client.cookies.clear()
    token = sign_in(client, account)
    client.cookies.set("mylife_lang", "en")
    return token


def add_goal(client: TestClient, token: str, person: Account, text: str) -> int:
    page = client.post(
        f"/people/{person.id}/plan/goals",
        data={"csrf_token": token, "text": text, "themes": ["housing"]},
    )
    assert page.status_code == 200, page.text
    match = re.search(r"#goal-(\d+)$", str(page.url))
    assert match
    return int(match.group(1))


def test_young_person_and_case_manager_build_the_plan(client: TestClient, session: Session) -> None:
    manager, person = setup(session)
    token = as_user(client, person)
    assert client.get("/plan").url.path == f"/people/{person.id}/plan"
    goal_id = add_goal(client, token, person, "Own flat by summer")
    token = as_user(client, manager)
    page = client.post(
        f"/goals/{goal_id}/actions",
        data={
            "csrf_token": token,
            "text": "Apply for housing support",
            "owner": "service",
            "service_name": "Social services",
            "due_on": "2026-12-15",
        },
    )
    assert "Apply for housing support" in page.text and "Who: Social services" in page.text
    page = client.post(
        f"/people/{person.id}/plan/reviews",
        data={
            "csrf_token": token,
            "held_on": "2026-11-24",
            "agreed": "Start with money",
            "changed": "",
            "next_review_on": "2027-01-20",
        },
    )
    assert "Start with money" in page.text
    assert '<blockquote class="goal-text">Own flat by summer</blockquote>' in page.text


def test_bad_input_keeps_the_text_and_says_why(client: TestClient, session: Session) -> None:
    _manager, person = setup(session)
    token = as_user(client, person)
    page = client.post(
        f"/people/{person.id}/plan/goals",
        data={"csrf_token": token, "text": "   ", "themes": ["housing"]},
    )
    assert (
        page.status_code == 422 and 'id="new-goal-text-error">This field is required.' in page.text
    )
    goal_id = add_goal(client, token, person, "Sleep better")
    page = client.post(
        f"/goals/{goal_id}/actions",
        data={
            "csrf_token": token,
            "text": "Ask the nurse",
            "owner": "service",
            "service_name": "",
            "due_on": "someday",
        },
    )
    assert page.status_code == 422
    assert "Give a date, for example 24.11.2026." in page.text
    assert 'value="Ask the nurse"' in page.text and 'value="someday"' in page.text
    named = {
        "csrf_token": token,
        "text": "Ask the nurse",
        "owner": "service",
        "service_name": "",
        "due_on": "2026-12-01",
    }
    page = client.post(f"/goals/{goal_id}/actions", data=named)
    assert page.status_code == 422 and "Name the service that does this." in page.text
    assert 'value="2026-12-01"' in page.text


def test_a_stale_save_shows_both_texts_and_can_be_reapplied(
    client: TestClient, session: Session
) -> None:
    manager, person = setup(session)
    token = as_user(client, person)
    goal_id = add_goal(client, token, person, "Find a job")
    manager_token = as_user(client, manager)
    client.post(
        f"/goals/{goal_id}",
        data={
            "csrf_token": manager_token,
            "text": "Find a summer job",
            "themes": ["studies_work"],
            "status": "open",
            "version": "1",
        },
    )
    token = as_user(client, person)
    stale = client.post(
        f"/goals/{goal_id}",
        data={
            "csrf_token": token,
            "text": "A job I like",
            "themes": ["studies_work"],
            "status": "open",
            "version": "1",
        },
    )
    assert stale.status_code == 409
    assert "Kaisa (case manager) changed this while you were editing." in stale.text
    assert "A job I like</textarea>" in stale.text  # my words, kept
    assert "<blockquote>Find a summer job</blockquote>" in stale.text  # theirs, beside
    assert 'name="version" value="2"' in stale.text  # saving again applies mine on top
    again = client.post(
        f"/goals/{goal_id}",
        data={
            "csrf_token": token,
            "text": "A job I like",
            "themes": ["studies_work"],
            "status": "open",
            "version": "2",
        },
    )
    assert '<blockquote class="goal-text">A job I like</blockquote>' in again.text
    history = client.get(f"/goals/{goal_id}/history").text
    assert history.count('<li class="change">') == 3 and "Kaisa" in history and "Lumi" in history
    assert (
        "<dt>Text</dt>" in history
        and "<del>Find a summer job</del> → <ins>A job I like</ins>" in history
    )
    assert "<dt>text</dt>" not in history


def test_the_open_page_learns_of_changes_by_polling(client: TestClient, session: Session) -> None:
    manager, person = setup(session)
    token = as_user(client, person)
    goal_id = add_goal(client, token, person, "Exercise")
    live = f"/people/{person.id}/plan/live"
    headers = {"HX-Request": "true", "If-None-Match": '"r1"'}
    assert client.get(live, headers=headers).status_code == 304
    manager_token = as_user(client, manager)
    client.post(
        f"/goals/{goal_id}",
        data={
            "csrf_token": manager_token,
            "text": "Exercise twice a week",
            "themes": ["health"],
            "status": "open",
            "version": "1",
        },
    )
    new_goal = add_goal(client, manager_token, person, "Cook at home")
    as_user(client, person)
    update = client.get(live, headers=headers)
    assert update.status_code == 200 and update.headers["etag"] == '"r3"'
    assert f'<div id="goal-{goal_id}-view" class="goal-view" hx-swap-oob="true">' in update.text
    assert "Exercise twice a week" in update.text
    assert (
        'hx-swap-oob="beforeend:#goals"' in update.text and f'id="goal-{new_goal}"' in update.text
    )
    assert '"If-None-Match": "\\"r3\\""' in update.text  # the next poll asks from here on


def test_agreement_on_the_page(client: TestClient, session: Session) -> None:
    manager, person = setup(session)
    token = as_user(client, person)
    add_goal(client, token, person, "Finish school")
    page = client.post(f"/people/{person.id}/plan/agreement", data={"csrf_token": token})
    waiting = "You suggested agreeing on the plan as it is. Now waiting for your case manager"
    assert waiting in page.text
    token = as_user(client, manager)
    assert (
        "Lumi (young person) suggested agreeing on the plan as it is now. Is that OK with you?"
        in client.get(f"/people/{person.id}/plan").text
    )
    page = client.post(f"/people/{person.id}/plan/agreement", data={"csrf_token": token})
    assert "You and Lumi (young person) agreed on the plan" in page.text
    link = re.search(r'href="(/people/\d+/plan/agreements/\d+)"', page.text)
    assert link
    agreed = client.get(link.group(1))
    assert "Welfare plan of Lumi" in agreed.text and "<h3>Finish school</h3>" in agreed.text


def test_other_peoples_plan_pages_are_404(client: TestClient, session: Session) -> None:
    _manager, person = setup(session)
    token = as_user(client, person)
    goal_id = add_goal(client, token, person, "Mine")
    for stranger in (make_young_person(session), make_case_manager(session)):
        token = as_user(client, stranger)
        assert client.get(f"/people/{person.id}/plan").status_code == 404
        assert client.get(f"/goals/{goal_id}/history").status_code == 404
        posted = client.post(
            f"/goals/{goal_id}",
            data={"csrf_token": token, "text": "x", "status": "open", "version": "1"},
        )
        assert posted.status_code == 404


def test_an_action_is_edited_and_a_stale_edit_keeps_both(
    client: TestClient, session: Session
) -> None:
    manager, person = setup(session)
    token = as_user(client, person)
    goal_id = add_goal(client, token, person, "Sleep better")
    page = client.post(
        f"/goals/{goal_id}/actions",
        data={
            "csrf_token": token,
            "text": "Phone off at ten",
            "owner": "young_person",
            "due_on": "",
        },
    )
    action_id = int(re.findall(r'action="/actions/(\d+)#', page.text)[0])
    edit = {
        "csrf_token": token,
        "text": "Phone off at eleven",
        "owner": "young_person",
        "service_name": "",
        "due_on": "2026-12-24",
        "version": "1",
    }
    page = client.post(f"/actions/{action_id}", data=edit)
    assert "Phone off at eleven" in page.text and "By 24.12.2026" in page.text
    manager_token = as_user(client, manager)
    stale = client.post(
        f"/actions/{action_id}",
        data={**edit, "csrf_token": manager_token, "text": "Phone off at nine"},
    )
    assert stale.status_code == 409
    assert 'value="Phone off at nine"' in stale.text  # the case manager's words, kept
    assert "<blockquote>Phone off at eleven</blockquote>" in stale.text  # beside the current


def test_a_review_is_edited_and_a_stale_edit_keeps_both(
    client: TestClient, session: Session
) -> None:
    manager, person = setup(session)
    token = as_user(client, manager)
    page = client.post(
        f"/people/{person.id}/plan/reviews",
        data={
            "csrf_token": token,
            "held_on": "2026-11-24",
            "agreed": "Start with money",
            "changed": "",
        },
    )
    review_id = int(re.findall(r'action="/reviews/(\d+)#', page.text)[0])
    edit = {
        "csrf_token": token,
        "held_on": "2026-11-24",
        "agreed": "Start with money and sleep",
        "changed": "",
        "next_review_on": "2027-01-10",
        "version": "1",
    }
    page = client.post(f"/reviews/{review_id}", data=edit)
    assert "Start with money and sleep" in page.text and "Next review: 10.1.2027" in page.text
    person_token = as_user(client, person)
    stale = client.post(
        f"/reviews/{review_id}",
        data={**edit, "csrf_token": person_token, "agreed": "Start with sleep"},
    )
    assert stale.status_code == 409
    assert "Start with sleep</textarea>" in stale.text
    assert "<strong>Agreed:</strong> Start with money and sleep" in stale.text
    bad = client.post(
        f"/reviews/{review_id}",
        data={**edit, "csrf_token": person_token, "version": "2", "next_review_on": "2026-01-01"},
    )
    assert bad.status_code == 422 and "The next review cannot be before this review." in bad.text


def test_a_poll_is_audited_only_when_it_returns_something(
    client: TestClient, session: Session
) -> None:
    from sqlmodel import select

    from app.audit.models import AuditEvent

    manager, person = setup(session)
    token = as_user(client, person)
    add_goal(client, token, person, "Exercise")
    as_user(client, manager)
    live = f"/people/{person.id}/plan/live"

    def reads() -> int:
        rows = session.exec(select(AuditEvent).where(AuditEvent.subject_id == person.id)).all()
        return len(rows)

    before = reads()
    assert client.get(live, headers={"If-None-Match": '"r1"'}).status_code == 304
    assert reads() == before
    assert client.get(live, headers={"If-None-Match": '"r0"'}).status_code == 200
    assert reads() == before + 1
