"""What an agreement covers (the plan's content, not its progress), when a plan exists, and how
the two sides learn of a proposal: the rules of issue 11's plan items, server-side."""

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.caseload import service as caseload
from app.plan import agreement
from app.plan import service as plans
from app.plan.errors import NothingToAgree
from app.plan.models import ActionOwner, GoalStatus, Plan, PlanChange
from app.plan.service import AnyEditable
from tests.factories import assign, make_case_manager, make_young_person, sign_in


def pair(session: Session) -> tuple[Account, Account]:
    manager = make_case_manager(session, display_name="Kaisa", locale="en")
    person = make_young_person(session, display_name="Lumi", locale="en")
    assign(session, manager, person)
    return manager, person


def edit(session: Session, actor: Account, obj: AnyEditable, version: int, **changes: Any) -> None:
    """One side changes a goal or an action of the person's plan, as edited on `version`."""
    plan = session.get(Plan, obj.plan_id)
    assert plan is not None
    plans.update_object(
        session, actor=actor, plan=plan, obj=obj, expected_version=version, changes=changes
    )


def as_user(client: TestClient, account: Account, language: str = "en") -> str:
    client.cookies.clear()
    token = sign_in(client, account)
    client.cookies.set("mylife_lang", language)
    return token


def test_progress_keeps_the_agreement_and_content_changes_undo_it(session: Session) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="A home", themes=["housing"])
    values = {"text": "Call the housing office", "owner": ActionOwner.YOUNG_PERSON}
    action = plans.add_action(session, actor=manager, plan=plan, goal=goal, values=values)
    agreement.agree(session, actor=person, plan=plan)
    agreed = agreement.agree(session, actor=manager, plan=plan)

    def states() -> tuple[str | None, str]:
        (row,) = caseload.caseload(session, actor=manager)
        return row.plan_state, agreement.status(session, plan=plan).state

    assert states() == ("agreed", "agreed")
    # Progress: an action done, a goal reached, a review. Each is kept in the history.
    revision = plan.revision
    edit(session, person, action, 1, done=True)
    edit(session, manager, goal, 1, status=GoalStatus.REACHED)
    review = {"held_on": date(2026, 11, 24), "agreed": "Going well", "changed": ""}
    plans.add_review(session, actor=manager, plan=plan, values=review)
    assert states() == ("agreed", "agreed")
    assert plan.revision == revision + 3
    ticked = session.exec(select(PlanChange).where(PlanChange.revision == revision + 1)).one()
    assert ticked.before and (ticked.before["done"], ticked.after["done"]) == (False, True)
    # The agreed version holds the content only: no progress in it.
    frozen = agreement.agreed_version(session, plan=plan, agreement_id=agreed.id or 0)
    assert frozen.snapshot["goals"] == [
        {
            "id": goal.id,
            "text": "A home",
            "themes": ["housing"],
            "actions": [
                {
                    "id": action.id,
                    "goal_id": goal.id,
                    "text": "Call the housing office",
                    "owner": "young_person",
                    "owner_id": None,
                    "service_name": None,
                    "due_on": None,
                }
            ],
        }
    ]
    # Content: who does it, by when, what it says; a new action. Each makes a new draft.
    edit(session, manager, action, 2, due_on=date(2026, 12, 1))
    assert states() == ("draft", "draft")
    assert agreement.status(session, plan=plan).last_agreed == agreed


def test_an_empty_plan_cannot_be_proposed(client: TestClient, session: Session) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    with pytest.raises(NothingToAgree):
        agreement.agree(session, actor=person, plan=plan)
    review = {"held_on": date(2026, 11, 24), "agreed": "", "changed": ""}
    plans.add_review(session, actor=manager, plan=plan, values=review)  # a plan, no goals
    with pytest.raises(NothingToAgree):
        agreement.agree(session, actor=manager, plan=plan)

    token = as_user(client, person)
    page = client.get(f"/people/{person.id}/plan").text
    assert "Add a goal first. Then you can suggest that you agree on the plan." in page
    assert "/plan/agreement" not in page  # no button to press
    refused = client.post(
        f"/people/{person.id}/plan/agreement",
        data={"csrf_token": token, "revision": "0", "choice": "propose"},
    )
    assert refused.status_code == 409
    assert "<title>Error: My plan – MyLife</title>" in refused.text
    assert re.search(
        r'id="agreement-problems" role="alert" tabindex="-1" data-error-summary>.*'
        r'<a href="#plan-status">Add a goal first: '
        r"you can&#39;t agree on a plan without goals.</a>",
        refused.text,
        re.S,
    )


def test_reading_a_plan_does_not_make_one(client: TestClient, session: Session) -> None:
    manager, person = pair(session)
    as_user(client, manager)
    assert "No goals yet" in client.get(f"/people/{person.id}/plan").text
    poll = client.get(f"/people/{person.id}/plan/live", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll.headers["etag"] == '"r0"'
    assert client.get(f"/api/v1/people/{person.id}/plan").status_code == 200
    assert client.get(f"/people/{person.id}/plan/history").status_code == 200
    assert session.exec(select(Plan).where(Plan.young_person_id == person.id)).first() is None
    (row,) = caseload.caseload(session, actor=manager)
    assert row.plan_state is None  # "not started"

    token = as_user(client, person)
    client.post(
        f"/people/{person.id}/plan/goals",
        data={"csrf_token": token, "text": " ", "themes": ["housing"]},
    )  # refused: still no plan
    assert session.exec(select(Plan).where(Plan.young_person_id == person.id)).first() is None
    client.post(
        f"/people/{person.id}/plan/goals",
        data={"csrf_token": token, "text": "A home", "themes": ["housing"]},
    )
    assert session.exec(select(Plan).where(Plan.young_person_id == person.id)).one().revision == 1
    assert caseload.caseload(session, actor=manager)[0].plan_state == "draft"


def test_a_proposal_reaches_the_open_page_and_is_never_agreed_by_proposing(
    client: TestClient, session: Session
) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    plans.add_goal(session, actor=person, plan=plan, text="A home", themes=["housing"])
    token = as_user(client, manager)
    page = client.get(f"/people/{person.id}/plan").text
    assert '"If-None-Match": "\\"r1\\""' in page and 'name="choice" value="propose"' in page
    live = f"/people/{person.id}/plan/live"
    headers = {"HX-Request": "true", "If-None-Match": '"r1"'}
    assert client.get(live, headers=headers).status_code == 304

    proposal = agreement.agree(session, actor=person, plan=plan)  # on the young person's phone
    update = client.get(live, headers=headers)
    assert update.status_code == 200 and update.headers["etag"] == f'"r1-p{proposal.id}"'
    said = "Lumi (young person) suggested agreeing on the plan as it is now. Is that OK with you?"
    assert f'hx-swap-oob="innerHTML">{said}</p>' in update.text  # announced
    assert f"<strong>{said}</strong>" in update.text and 'value="agree"' in update.text
    assert (
        client.get(live, headers={**headers, "If-None-Match": update.headers["etag"]}).status_code
        == 304
    )

    # The page that still showed "Propose": its press is not taken as agreeing.
    stale = client.post(
        f"/people/{person.id}/plan/agreement",
        data={"csrf_token": token, "revision": "1", "choice": "propose"},
    )
    # It says what happened: who proposed meanwhile.
    said = "While you were reading, Lumi (young person) suggested this version, so your choice"
    assert stale.status_code == 409 and said in stale.text
    assert agreement.status(session, plan=plan).state == "proposed"
    agreed = client.post(
        f"/people/{person.id}/plan/agreement",
        data={"csrf_token": token, "revision": "1", "choice": "agree"},
    )
    assert agreed.url.query == b"saved=agreed&at=agreement"
    # The state's sentence is the confirmation, once (no separate "You agreed" above it).
    note = 'role="status" tabindex="-1" data-saved-note>You and Lumi (young person) agreed on '
    assert note in agreed.text and "You agreed to this version." not in agreed.text
    assert agreement.status(session, plan=plan).state == "agreed"

    as_user(client, person)
    news = client.get(live, headers={"HX-Request": "true", "If-None-Match": f'"r1-p{proposal.id}"'})
    assert news.headers["etag"] == f'"r1-a{proposal.id}"'
    assert "Kaisa (case manager) agreed: you have now both agreed on the plan." in news.text


def test_the_page_speaks_to_its_reader_and_says_what_was_saved(
    client: TestClient, session: Session
) -> None:
    manager, person = pair(session)
    new_goal = {"csrf_token": as_user(client, person), "text": "A home", "themes": ["housing"]}
    added = client.post(f"/people/{person.id}/plan/goals", data=new_goal)
    token = new_goal["csrf_token"]
    goal_id = int(re.findall(r"#goal-(\d+)$", str(added.url))[0])
    assert added.url.query.decode() == f"saved=goal-added&at=goal-{goal_id}"
    assert "data-saved-note>The goal is added.</p>" in added.text
    page = client.post(
        f"/goals/{goal_id}/actions",
        data={"csrf_token": token, "text": "Call", "owner": "young_person", "due_on": ""},
    )
    assert "Who: you" in page.text and "The action is added." in page.text
    assert '<option value="young_person" selected>you</option>' in page.text
    as_user(client, manager)
    page = client.get(f"/people/{person.id}/plan")
    assert "Who: Lumi" in page.text and "Who: you" not in page.text

    # A refused edit: the problems first, each linking to its field, the title says so.
    token = as_user(client, person, "fi")
    refused = client.post(
        f"/people/{person.id}/plan/goals",
        data={"csrf_token": token, "text": " ", "themes": ["no-such-theme"]},
    )
    assert refused.status_code == 422 and "<title>Virhe: Oma suunnitelmani" in refused.text
    summary = re.search(
        r'<div class="error-summary" id="new-goal-problems".*?</div>', refused.text, re.S
    )
    assert summary and f'action="/people/{person.id}/plan/goals#new-goal-problems"' in refused.text
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary.group(0))
    assert [target for target, _text in links] == ["new-goal-text", "new-goal-themes"]
    assert links[0][1].startswith("Tavoite omin sanoin: ")
    assert 'id="new-goal-text"' in refused.text and 'id="new-goal-themes"' in refused.text


@pytest.mark.parametrize(
    ("language", "sentences", "due"),
    [
        (
            "fi",
            [
                "Kirjasit 24.11.2026 pidetyn seurannan",
                "Merkitsit tehtävän ”Call” tehdyksi",
                "Kaisa (omatyöntekijä) lisäsi tehtävän ”Call”",
                "Lisäsit tavoitteen ”A home”",
            ],
            "1.12.2026",
        ),
        (
            "sv",
            [
                "Du antecknade uppföljningen 24.11.2026",
                "Du markerade steget ”Call” som klart",
                "Kaisa (kontaktperson) lade till steget ”Call”",
                "Du lade till målet ”A home”",
            ],
            "1.12.2026",
        ),
        (
            "en",
            [
                "You recorded the review of 24.11.2026",
                "You marked the action “Call” done",
                "Kaisa (case manager) added the action “Call”",
                "You added the goal “A home”",
            ],
            "1.12.2026",
        ),
    ],
)
def test_history_says_whole_sentences_in_each_language(
    client: TestClient, session: Session, language: str, sentences: list[str], due: str
) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="A home", themes=["housing"])
    values = {"text": "Call", "owner": ActionOwner.YOUNG_PERSON, "due_on": date(2026, 12, 1)}
    action = plans.add_action(session, actor=manager, plan=plan, goal=goal, values=values)
    edit(session, person, action, 1, done=True)
    review = {"held_on": date(2026, 11, 24), "agreed": "", "changed": ""}
    plans.add_review(session, actor=person, plan=plan, values=review)
    as_user(client, person, language)
    page = client.get(f"/people/{person.id}/plan/history").text
    found = re.findall(r"<strong>[\d.: ]+</strong> · ([^<]+)</p>", page)
    assert found == sentences
    assert f"<ins>{due}</ins>" in page and "2026-12-01" not in page
