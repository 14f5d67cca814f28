"""Plan history names each person with their role and organisation as they were then,
on the page, in the JSON API and in the live update of an open plan."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.plan import service as plans
from tests.factories import assign, make_case_manager, make_young_person, sign_in

KAISA = "Kaisa K (case manager, Kuopio youth services)"


def setup(session: Session) -> tuple[Account, Account]:
    manager = make_case_manager(session, display_name="Kaisa K", locale="en")
    manager.organisation = "Kuopio youth services"
    session.add(manager)
    person = make_young_person(session, display_name="Lumi", locale="en")
    assign(session, manager, person)
    return manager, person


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_history_names_role_and_organisation_as_they_were(
    client: TestClient, session: Session
) -> None:
    manager, person = setup(session)
    plan = plans.plan_of(
        session, actor=manager, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=manager, plan=plan, text="Own flat", themes=["housing"])
    plans.add_goal(session, actor=person, plan=plan, text="Sleep well", themes=["health"])
    # Later the case manager's account changes: the history does not.
    manager.display_name, manager.organisation = "Kaisa Virtanen", "Somewhere else"
    session.add(manager)
    session.flush()

    sign_in(client, person)
    page = words(client.get(f"/people/{person.id}/plan/history").text)
    assert f"{KAISA} added the goal “Own flat”" in page
    assert "You added the goal “Sleep well”" in page  # the reader's own change
    assert "Virtanen" not in page and "Somewhere else" not in page

    client.headers["Accept-Language"] = "en"
    for url in (f"/api/v1/people/{person.id}/plan/history", f"/api/v1/goals/{goal.id}/history"):
        changes = client.get(url).json()
        by_kaisa = next(c for c in changes if c["actor_name"] == "Kaisa K")
        assert by_kaisa["actor_role"] == "case_manager"
        assert by_kaisa["actor_organisation"] == "Kuopio youth services"
        assert by_kaisa["actor"] == KAISA
    mine = client.get(f"/api/v1/people/{person.id}/plan/history").json()[0]
    assert (mine["actor"], mine["actor_role"], mine["actor_organisation"]) == (
        "Lumi (young person)",
        "young_person",
        None,
    )
    client.headers["Accept-Language"] = "fi"
    client.cookies.set("mylife_lang", "fi")
    changes = client.get(f"/api/v1/people/{person.id}/plan/history").json()
    assert changes[-1]["actor"] == "Kaisa K (omatyöntekijä, Kuopio youth services)"


def test_the_live_update_says_who_changed_the_plan(client: TestClient, session: Session) -> None:
    manager, person = setup(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    plans.add_goal(session, actor=person, plan=plan, text="Own flat", themes=["housing"])
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    page = client.get(f"/people/{person.id}/plan").text
    assert '<p id="plan-live-note" class="hint" role="status"></p>' in page
    live = f"/people/{person.id}/plan/live"
    headers = {"HX-Request": "true", "If-None-Match": '"r0"'}
    own = client.get(live, headers=headers)
    assert own.status_code == 200 and "plan-live-note" not in own.text  # one's own change
    plans.add_goal(session, actor=manager, plan=plan, text="Budget", themes=["finance"])
    update = client.get(live, headers={**headers, "If-None-Match": '"r1"'})
    assert (
        f'<p id="plan-live-note" hx-swap-oob="innerHTML">Just changed by: {KAISA}</p>'
        in update.text
    )
