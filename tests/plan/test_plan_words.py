"""The plan in its reader's words: a case manager reads about the person and "you" for
themself, a proposal is confirmed once, one's own changes read "You …", and the plan's actions
are called the same on the home page."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.plan import service as plans
from app.plan.models import ActionOwner, Plan, PlanAction
from tests.plan.test_agreement_scope import as_user, pair


def with_an_action(
    session: Session, manager: Account, person: Account, owner: ActionOwner
) -> tuple[Plan, PlanAction]:
    """The person's plan with a goal of theirs and an action the case manager added."""
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="A home", themes=["housing"])
    values = {"text": "Call the housing office", "owner": owner}
    return plan, plans.add_action(session, actor=manager, plan=plan, goal=goal, values=values)


def test_a_case_manager_reads_about_the_person_and_you_for_themself(
    client: TestClient, session: Session
) -> None:
    manager, person = pair(session)
    as_user(client, manager)
    empty = client.get(f"/people/{person.id}/plan").text
    assert "No goals yet. Start with what matters most to Lumi." in empty
    assert "matters most to you" not in empty
    with_an_action(session, manager, person, ActionOwner.CASE_MANAGER)
    page = client.get(f"/people/{person.id}/plan").text
    assert "Who: you" in page and "the case manager" not in page
    assert '<option value="young_person">Lumi</option>' in page
    assert f'<option value="case_manager:{manager.id}">you</option>' in page

    as_user(client, person)
    own = client.get("/plan").text
    assert "Who: Kaisa" in own  # which of her case managers, by name
    assert '<option value="young_person">you</option>' in own


def test_a_proposal_is_confirmed_once(client: TestClient, session: Session) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    plans.add_goal(session, actor=person, plan=plan, text="A home", themes=["housing"])
    for language, sentence in (
        ("en", "You suggested agreeing on the plan as it is."),
        ("fi", "Ehdotit, että sovitaan näin."),
        ("sv", "Du föreslog att ni kommer överens om planen så här."),
    ):
        token = as_user(client, manager, language)
        form = {"csrf_token": token, "revision": "1", "choice": "propose"}
        page = client.post(f"/people/{person.id}/plan/agreement", data=form).text
        assert page.count(sentence) == 1, language
        assert 'role="status" tabindex="-1" data-saved-note>' + sentence in page


def test_own_changes_read_you_and_the_home_page_calls_actions_what_the_plan_does(
    client: TestClient, session: Session
) -> None:
    manager, person = pair(session)
    plan, action = with_an_action(session, manager, person, ActionOwner.YOUNG_PERSON)
    plans.update_object(
        session, actor=person, plan=plan, obj=action, expected_version=1, changes={"done": True}
    )
    as_user(client, manager, "sv")
    theirs = client.get(f"/people/{person.id}/plan/history").text
    assert "Du lade till steget ”Call the housing office”" in theirs
    assert "Lumi (ung person) markerade steget ”Call the housing office” som klart" in theirs
    for language, words in (
        ("en", "1 of 1 actions done"),
        ("fi", "1/1 tehtävää tehty"),
        ("sv", "1 av 1 steg klara"),
    ):
        as_user(client, person, language)
        assert words in client.get("/").text, language
