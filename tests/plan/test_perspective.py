"""Two case managers share a young person (as Kaisa and Mikko share Aino in the demo): each
reads "you" only for what they themself did or do, and the name of whoever else did it; the
young person reads which of them by name. The same rule for proposals and agreements, the
owner of an action, what a stale choice says happened, and the standing on the caseload."""

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.caseload import service as caseload
from app.core.types import local_today
from app.plan import agreement
from app.plan import service as plans
from app.plan.agreement import Standing
from app.plan.models import ActionOwner, Goal, Plan, PlanAction, PlanAgreement
from tests.factories import assign, make_case_manager, make_young_person
from tests.plan.test_agreement_scope import as_user

KAISA = "Kaisa Korhonen (case manager, Kuopio youth services)"
MIKKO = "Mikko Mäkelä (case manager, Kuopio social services)"
AINO = "Aino Virtanen (young person)"


def team(session: Session) -> tuple[Account, Account, Account]:
    """Aino, and her two case managers Kaisa and Mikko."""
    people = []
    for name, organisation in (
        ("Kaisa Korhonen", "Kuopio youth services"),
        ("Mikko Mäkelä", "Kuopio social services"),
    ):
        manager = make_case_manager(session, display_name=name, locale="en")
        manager.organisation = organisation
        session.add(manager)
        people.append(manager)
    aino = make_young_person(session, display_name="Aino Virtanen", locale="en")
    assign(session, people[0], aino)
    assign(session, people[1], aino)
    return people[0], people[1], aino


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def plan_with_goal(session: Session, aino: Account) -> tuple[Plan, Goal]:
    plan = plans.plan_of(session, actor=aino, person_id=aino.id or 0, action=AuditAction.PLAN_READ)
    goal = plans.add_goal(session, actor=aino, plan=plan, text="A home", themes=["housing"])
    return plan, goal


def plan_page(client: TestClient, account: Account, aino: Account, language: str = "en") -> str:
    as_user(client, account, language)
    return client.get(f"/people/{aino.id}/plan").text


def test_a_colleagues_proposal_is_theirs_and_waits_for_the_young_person(
    client: TestClient, session: Session
) -> None:
    kaisa, mikko, aino = team(session)
    plan, _goal = plan_with_goal(session, aino)
    stale_page = plan_page(client, kaisa, aino)  # Kaisa opened the plan before Mikko proposed
    assert 'name="choice" value="propose"' in stale_page

    token = as_user(client, mikko)
    form = {"csrf_token": token, "revision": str(plan.content_revision), "choice": "propose"}
    mine = client.post(f"/people/{aino.id}/plan/agreement", data=form).text
    assert (
        "You suggested agreeing on the plan as it is. Now waiting for Aino Virtanen to agree."
        in mine
    )

    theirs = plan_page(client, kaisa, aino)
    assert (
        f"{MIKKO} suggested agreeing on the plan as it is. Now waiting for Aino Virtanen to agree."
        in theirs
    )
    assert "You suggested" not in theirs and 'name="choice"' not in theirs  # not hers to agree
    for language, sentence in (
        (
            "fi",
            "Mikko Mäkelä (omatyöntekijä, Kuopio social services) ehdotti, että sovitaan näin. "
            "Nyt odotetaan, että Aino Virtanen hyväksyy suunnitelman.",
        ),
        (
            "sv",
            "Mikko Mäkelä (kontaktperson, Kuopio social services) föreslog att ni kommer överens "
            "om planen så här. Nu väntar vi på att Aino Virtanen godkänner den.",
        ),
    ):
        assert sentence in plan_page(client, kaisa, aino, language), language
    assert (
        f"{MIKKO} suggested agreeing on the plan as it is now. Is that OK with you?"
        in plan_page(client, aino, aino)
    )

    # The page Kaisa opened earlier still had "Propose": her press says what happened.
    token = as_user(client, kaisa)
    form = {"csrf_token": token, "revision": str(plan.content_revision), "choice": "propose"}
    pressed = client.post(f"/people/{aino.id}/plan/agreement", data=form)
    assert pressed.status_code == 409
    assert f"While you were reading, {MIKKO} suggested this version" in words(pressed.text)
    (found,) = session.exec(select(PlanAgreement)).all()
    assert (found.proposed_by_id, found.agreed_at) == (mikko.id, None)


def test_only_those_who_agreed_read_that_they_did(client: TestClient, session: Session) -> None:
    kaisa, mikko, aino = team(session)
    plan, goal = plan_with_goal(session, aino)
    agreement.agree(session, actor=aino, plan=plan)
    agreement.agree(session, actor=kaisa, plan=plan)
    on = local_today().strftime("%-d.%-m.%Y")
    assert f"You and {KAISA} agreed on the plan ({on})." in plan_page(client, aino, aino)
    assert f"You and {AINO} agreed on the plan ({on})." in plan_page(client, kaisa, aino)
    assert f"{AINO} and {KAISA} agreed on the plan ({on})." in plan_page(client, mikko, aino)

    plans.update_object(
        session, actor=aino, plan=plan, obj=goal, expected_version=1, changes={"text": "A flat"}
    )
    assert f"The plan has changed since you agreed on it ({on})." in plan_page(client, kaisa, aino)
    mikkos = plan_page(client, mikko, aino)
    assert f"The plan has changed since it was agreed on ({on})." in mikkos
    assert "since you agreed" not in mikkos
    for language, sentence in (
        ("fi", f"Suunnitelma on muuttunut sen jälkeen, kun siitä sovittiin ({on})."),
        ("sv", f"Planen har ändrats sedan överenskommelsen ({on})."),
    ):
        assert sentence in plan_page(client, mikko, aino, language), language


def test_a_choice_refused_says_who_did_what_meanwhile(client: TestClient, session: Session) -> None:
    kaisa, mikko, aino = team(session)
    plan, goal = plan_with_goal(session, aino)
    agreement.agree(session, actor=aino, plan=plan)
    revision = str(plan.content_revision)
    # Both case managers see "agree"; Mikko agrees first.
    agreement.agree(session, actor=mikko, plan=plan)
    token = as_user(client, kaisa)
    form = {"csrf_token": token, "revision": revision, "choice": "agree"}
    late = client.post(f"/people/{aino.id}/plan/agreement", data=form)
    assert late.status_code == 409
    assert f"While you were reading, {MIKKO} agreed on this version" in words(late.text)
    (found,) = session.exec(select(PlanAgreement)).all()
    assert found.agreed_by_id == mikko.id

    # The plan's content changed since the page: by Kaisa, or by Aino in another window.
    plans.update_object(
        session, actor=kaisa, plan=plan, obj=goal, expected_version=1, changes={"text": "A flat"}
    )
    token = as_user(client, aino)
    form = {"csrf_token": token, "revision": revision, "choice": "propose"}
    moved = words(client.post(f"/people/{aino.id}/plan/agreement", data=form).text)
    assert f"While you were reading, {KAISA} changed the plan" in moved
    revision = str(plan.content_revision)
    plans.update_object(
        session, actor=aino, plan=plan, obj=goal, expected_version=2, changes={"text": "A room"}
    )
    form = {"csrf_token": token, "revision": revision, "choice": "propose"}
    own = words(client.post(f"/people/{aino.id}/plan/agreement", data=form).text)
    assert "You changed the plan in another window, so your choice was not sent." in own


def test_a_case_managers_action_names_which_one(client: TestClient, session: Session) -> None:
    kaisa, mikko, aino = team(session)
    _plan, goal = plan_with_goal(session, aino)
    token = as_user(client, kaisa)
    options = client.get(f"/people/{aino.id}/plan").text
    assert f'<option value="case_manager:{kaisa.id}">you</option>' in options
    assert f'<option value="case_manager:{mikko.id}">Mikko Mäkelä</option>' in options
    form = {"csrf_token": token, "text": "Make a budget", "owner": f"case_manager:{kaisa.id}"}
    assert client.post(f"/goals/{goal.id}/actions", data=form).status_code == 200
    action = session.exec(select(PlanAction)).one()
    assert (action.owner, action.owner_id) == (ActionOwner.CASE_MANAGER, kaisa.id)

    assert "Who: you" in plan_page(client, kaisa, aino)
    mikkos = plan_page(client, mikko, aino)
    assert "Who: Kaisa Korhonen" in mikkos and "Who: you" not in mikkos
    ainos = plan_page(client, aino, aino)
    assert "Who: Kaisa Korhonen" in ainos and "your case manager" not in ainos
    assert f'<option value="case_manager:{kaisa.id}">Kaisa Korhonen</option>' in ainos
    history = words(client.get(f"/people/{aino.id}/plan/history").text)
    assert "Who Kaisa Korhonen" in history


def test_the_api_names_the_case_manager_too(client: TestClient, session: Session) -> None:
    kaisa, mikko, aino = team(session)
    _plan, goal = plan_with_goal(session, aino)
    url = f"/api/v1/goals/{goal.id}/actions"
    as_user(client, kaisa)
    own = client.post(url, json={"text": "Call", "owner": {"kind": "case_manager"}})
    assert own.json()["owner"] == {"kind": "case_manager", "account_id": kaisa.id}
    as_user(client, aino)
    which = client.post(url, json={"text": "Call", "owner": {"kind": "case_manager"}})
    assert which.status_code == 422 and which.json()["field"] == "owner"
    assert which.json()["title"] == "Choose which case manager does it."
    stranger = make_case_manager(session)
    body = {"kind": "case_manager", "account_id": stranger.id}
    refused = client.post(url, json={"text": "Call", "owner": body})
    assert refused.status_code == 422 and refused.json()["title"] == (
        "Choose who does it from the list."
    )
    body = {"kind": "case_manager", "account_id": mikko.id}
    named = client.post(url, json={"text": "Call", "owner": body})
    assert named.status_code == 201 and named.json()["owner"] == body
    owners = session.exec(select(PlanAction.owner_id).order_by(col(PlanAction.id))).all()
    assert owners == [kaisa.id, mikko.id]


@pytest.mark.parametrize(
    ("language", "by_kaisa", "own"),
    [
        (
            "en",
            "Kaisa Korhonen (case manager, Kuopio youth services) changed this while you were "
            "editing.",
            "You changed this in another window while you were editing it here.",
        ),
        (
            "fi",
            "Kaisa Korhonen (omatyöntekijä, Kuopio youth services) muutti tätä sillä välin, kun "
            "muokkasit.",
            "Muutit tätä toisessa ikkunassa sillä välin, kun muokkasit sitä tässä.",
        ),
        (
            "sv",
            "Kaisa Korhonen (kontaktperson, Kuopio youth services) ändrade det här medan du "
            "redigerade.",
            "Du ändrade det här i ett annat fönster medan du redigerade det på den här sidan.",
        ),
    ],
)
def test_a_stale_edit_says_who_changed_it(
    client: TestClient, session: Session, language: str, by_kaisa: str, own: str
) -> None:
    kaisa, _mikko, aino = team(session)
    plan, goal = plan_with_goal(session, aino)
    token = as_user(client, aino, language)
    form = {"csrf_token": token, "themes": ["housing"], "status": "open"}
    plans.update_object(
        session, actor=aino, plan=plan, obj=goal, expected_version=1, changes={"text": "A flat"}
    )
    second_tab = client.post(f"/goals/{goal.id}", data={**form, "text": "Mine", "version": "1"})
    assert second_tab.status_code == 409 and own in words(second_tab.text)
    assert "changed this while" not in second_tab.text
    plans.update_object(
        session, actor=kaisa, plan=plan, obj=goal, expected_version=2, changes={"text": "A room"}
    )
    stale = client.post(f"/goals/{goal.id}", data={**form, "text": "Mine", "version": "2"})
    assert stale.status_code == 409 and by_kaisa in words(stale.text)
    api = client.patch(f"/api/v1/goals/{goal.id}", json={"text": "Mine", "version": 2})
    assert api.status_code == 409 and api.json()["title"].startswith(by_kaisa)


def test_the_caseload_says_a_plan_changed_since_agreed_and_whose_agreement_it_awaits(
    client: TestClient, session: Session
) -> None:
    kaisa, mikko, aino = team(session)
    plan, goal = plan_with_goal(session, aino)
    agreement.agree(session, actor=kaisa, plan=plan)

    def standing(reader: Account) -> str:
        as_user(client, reader)
        card = client.get("/caseload").text
        return words(card.split("<dt>Plan</dt>")[1].split("</dd>")[0]).strip()

    assert standing(mikko) == standing(kaisa) == "suggested, waiting for Aino Virtanen"
    (row,) = caseload.caseload(session, actor=mikko)
    assert row.standing is Standing.THEIRS
    agreement.agree(session, actor=aino, plan=plan)
    plans.update_object(
        session, actor=aino, plan=plan, obj=goal, expected_version=1, changes={"text": "A flat"}
    )
    on = local_today().strftime("%-d.%-m.%Y")
    assert standing(mikko) == f"changed since agreed on {on}"
    (row,) = caseload.caseload(session, actor=kaisa)
    assert row.standing is Standing.CHANGED and row.plan_state == "draft"
    as_user(client, kaisa)
    person = words(client.get(f"/people/{aino.id}").text)
    assert f"Plan changed since agreed on {on}" in person
    as_user(client, aino, "fi")
    assert f"Suunnitelma: muuttunut {on} sovitusta" in words(client.get("/").text)
    agreement.agree(session, actor=aino, plan=plan)
    assert standing(kaisa) == "waiting for your agreement"
    as_user(client, aino)
    assert "Plan: suggested, waiting for your case manager" in words(client.get("/").text)


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        (
            "en",
            [
                f"{KAISA} agreed on this version of the plan: it is now agreed",
                "You suggested agreeing on this version of the plan",
                "You marked the action “Look for flats on the city's site every Monday…” done",
                f"{KAISA} added the action “Look for flats on the city's site every Monday…”",
                "You added the goal “A home”",
            ],
        ),
        (
            "fi",
            [
                "Kaisa Korhonen (omatyöntekijä, Kuopio youth services) hyväksyi tämän "
                "suunnitelman version: siitä on nyt sovittu",
                "Ehdotit, että tästä suunnitelman versiosta sovitaan",
                "Merkitsit tehtävän ”Look for flats on the city's site every Monday…” tehdyksi",
                "Kaisa Korhonen (omatyöntekijä, Kuopio youth services) lisäsi tehtävän "
                "”Look for flats on the city's site every Monday…”",
                "Lisäsit tavoitteen ”A home”",
            ],
        ),
        (
            "sv",
            [
                "Kaisa Korhonen (kontaktperson, Kuopio youth services) godkände den här "
                "versionen av planen: den är nu överenskommen",
                "Du föreslog att man kommer överens om den här versionen av planen",
                "Du markerade steget ”Look for flats on the city's site every Monday…” som klart",
                "Kaisa Korhonen (kontaktperson, Kuopio youth services) lade till steget "
                "”Look for flats on the city's site every Monday…”",
                "Du lade till målet ”A home”",
            ],
        ),
    ],
)
def test_history_names_what_changed_and_keeps_proposals_and_agreements(
    client: TestClient, session: Session, language: str, sentences: list[str]
) -> None:
    kaisa, _mikko, aino = team(session)
    plan, goal = plan_with_goal(session, aino)
    text = "Look for flats on the city's site every Monday morning"
    values = {"text": text, "owner": ActionOwner.YOUNG_PERSON, "due_on": date(2026, 12, 1)}
    action = plans.add_action(session, actor=kaisa, plan=plan, goal=goal, values=values)
    plans.update_object(
        session, actor=aino, plan=plan, obj=action, expected_version=1, changes={"done": True}
    )
    agreement.agree(session, actor=aino, plan=plan)
    found = agreement.agree(session, actor=kaisa, plan=plan)
    as_user(client, aino, language)
    page = client.get(f"/people/{aino.id}/plan/history").text
    said = [
        words(sentence).strip().replace("&#39;", "'")
        for sentence in re.findall(r"</strong> · (.+?)</p>", page)
    ]
    assert [s.split(" · ")[0].strip() for s in said] == sentences
    assert f'href="/people/{aino.id}/plan/agreements/{found.id}"' in page
    # One goal's history is its own changes only.
    goal_page = client.get(f"/goals/{goal.id}/history").text
    assert len(re.findall(r"</strong> · ", goal_page)) == 3


def test_each_done_button_stands_beside_its_action(client: TestClient, session: Session) -> None:
    kaisa, _mikko, aino = team(session)
    plan, goal = plan_with_goal(session, aino)
    for text in ("Call the office", "Visit the flat"):
        values = {"text": text, "owner": ActionOwner.YOUNG_PERSON}
        plans.add_action(session, actor=kaisa, plan=plan, goal=goal, values=values)
    page = plan_page(client, aino, aino)
    items = re.findall(r'<li id="action-(\d+)"[^>]*>(.*?)</li>', page, re.S)
    assert len(items) == 2
    for (_id, item), text in zip(items, ("Call the office", "Visit the flat"), strict=True):
        assert f'aria-label="Mark done: {text}">Mark done</button>' in item
        assert item.count("<button") == 1
