"""The young person's home page: the next step and its big tick, the latest circle above the
new assessment, the plan and the case managers; the header marks the page; a 404 has an h1."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.core.types import local_today
from app.plan import service as plans
from app.plan.models import ActionOwner, PlanAction
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import assign, csrf_from, make_case_manager, make_young_person, sign_in


def plan_with_steps(session: Session, person: Account) -> tuple[PlanAction, PlanAction]:
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="A summer job", themes=[])
    today = local_today()

    def step(text: str, days: int | None) -> PlanAction:
        due = today + timedelta(days=days) if days is not None else None
        values = {"text": text, "owner": ActionOwner.YOUNG_PERSON, "due_on": due}
        return plans.add_action(session, actor=person, plan=plan, goal=goal, values=values)

    step("Someday, no date", None)
    later = step("Send the application", 9)
    sooner = step("Write a CV", 2)
    return sooner, later


def test_the_big_tick_marks_the_next_step_done(client: TestClient, session: Session) -> None:
    person = make_young_person(session, locale="en")
    sooner, later = plan_with_steps(session, person)
    token = sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    home = client.get("/").text
    step = home[home.index('id="next-step"') :]
    assert "My next step" in home and "Write a CV" in step.split("</section>")[0]
    assert f'action="/next-step/{sooner.id}"' in step
    answer = client.post(
        f"/next-step/{sooner.id}",
        data={"version": str(sooner.version), "csrf_token": token},
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/?step=done#next-step")
    session.refresh(sooner)
    assert sooner.done is True
    home = client.get("/?step=done").text
    assert "The action is marked done." in home
    assert f'action="/next-step/{later.id}"' in home  # the next one is next


def test_a_step_changed_meanwhile_is_not_ticked(client: TestClient, session: Session) -> None:
    person = make_young_person(session, locale="en")
    sooner, _later = plan_with_steps(session, person)
    token = sign_in(client, person)
    stale = sooner.version
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    plans.update_object(
        session,
        actor=person,
        plan=plan,
        obj=sooner,
        expected_version=stale,
        changes={"text": "A CV"},
    )
    answer = client.post(
        f"/next-step/{sooner.id}",
        data={"version": str(stale), "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"/?step=changed&changed={sooner.id}#next-step"
    session.refresh(sooner)
    assert sooner.done is False
    client.cookies.set("mylife_lang", "en")
    home = client.get(answer.headers["location"]).text
    assert "You changed this step in another window, so it was not marked done here." in home
    # Changed by someone else: named, as the plan's history names them.
    manager = make_case_manager(session, display_name="Kaisa Korhonen")
    assign(session, manager, person)
    plans.update_object(
        session,
        actor=manager,
        plan=plan,
        obj=sooner,
        expected_version=sooner.version,
        changes={"text": "A short CV"},
    )
    answer = client.post(
        f"/next-step/{sooner.id}",
        data={"version": str(stale + 1), "csrf_token": token},
        follow_redirects=True,
    )
    said = "Kaisa Korhonen (case manager) changed this step meanwhile, so it was not marked done."
    assert said in answer.text
    # Another person's step is never named by its id in the address.
    other = make_young_person(session)
    _theirs, _ = plan_with_steps(session, other)
    assert "changed this step" not in client.get(f"/?step=changed&changed={_theirs.id}").text


def test_home_shows_the_circle_above_the_new_assessment_and_the_case_manager(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session, locale="en")
    manager = make_case_manager(session, display_name="Kaisa Korhonen")
    manager.organisation = "Kuopio youth services"
    assign(session, manager, person)
    assessment, _ = survey.start_or_resume(session, actor=person)
    save_answer(
        session, actor=person, assessment=assessment, item_id="family.satisfaction", value=7
    )
    survey.submit(session, actor=person, assessment=assessment)
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    home = client.get("/").text
    circle = home.index(f'src="/assessments/{assessment.id}/circle.svg?compare=none"')
    assert circle < home.index("Start a new assessment")
    assert "Kaisa Korhonen (case manager, Kuopio youth services)" in home
    assert "No goals yet." in home and 'href="/plan"' in home


def test_the_header_marks_the_current_page(client: TestClient, session: Session) -> None:
    person = make_young_person(session, locale="en")
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    current = re.compile(r'<a href="([^"]+)" aria-current="(page|true)">')
    assert current.findall(client.get("/").text) == [("/", "page")]
    assert current.findall(client.get("/assessments").text) == [("/assessments", "page")]
    plan_page = client.get("/plan").text  # redirected to the person's own plan
    assert current.findall(plan_page) == [("/plan", "true")]


def test_a_missing_page_has_a_heading(client: TestClient, session: Session) -> None:
    sign_in(client, make_young_person(session, locale="en"))
    client.cookies.set("mylife_lang", "en")
    page = client.get("/assessments/999999")
    assert page.status_code == 404
    assert "<h1>Page not found</h1>" in page.text
    assert csrf_from(page.text)


def test_the_next_step_is_the_persons_own_and_others_steps_are_only_said(
    client: TestClient, session: Session
) -> None:
    """The big tick is for the person's own nearest step, even when a case manager's or a
    service's is due sooner; what others are doing is listed, by name, without a tick."""
    person = make_young_person(session, locale="en")
    kaisa = make_case_manager(session, display_name="Kaisa Korhonen")
    mikko = make_case_manager(session, display_name="Mikko Mäkelä")
    assign(session, kaisa, person)
    assign(session, mikko, person)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="A flat", themes=[])
    today = local_today()
    for owner, text, service, days in (
        (ActionOwner.CASE_MANAGER, "Make a monthly budget together", None, -5),
        (ActionOwner.SERVICE, "Check the housing allowance", "Kela", 1),
        (ActionOwner.YOUNG_PERSON, "Book a meeting with the housing adviser", None, 7),
    ):
        values = {
            "text": text,
            "owner": owner,
            "due_on": today + timedelta(days=days),
            "service_name": service,
        }
        plans.add_action(session, actor=kaisa, plan=plan, goal=goal, values=values)
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    home = client.get("/").text
    step = home[home.index('id="next-step"') :].split("</section>")[0]
    assert "Book a meeting with the housing adviser" in step and "/next-step/" in step
    assert "budget" not in step and "Kela" not in step
    others = home[home.index('id="others-doing"') :].split("</section>")[0]
    assert "What others are doing" in others and "<form" not in others
    assert "Make a monthly budget together" in others and "Who: Kaisa Korhonen" in others
    assert "Check the housing allowance" in others and "Who: Kela" in others
    assert home.count('action="/next-step/') == 1
