"""Two people, two browsers, one goal: the second save is refused with both texts shown,
and each side sees the other's change without reloading."""

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.plan import service as plans
from app.plan.models import ActionOwner
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, assign, make_case_manager, make_young_person

pytestmark = pytest.mark.browser


def open_plan(
    browser: Browser, base: str, username: str, person_id: int, size: tuple[int, int]
) -> Page:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, extra_http_headers={"Accept-Language": "en"}
    )
    page = context.new_page()
    page.goto(f"{base}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/people/{person_id}/plan")
    return page


def test_two_sides_edit_the_same_goal(browser: Browser, live_server: str, engine: Engine) -> None:
    with Session(engine) as session:
        manager = make_case_manager(session, display_name="Kaisa", locale="en")
        person = make_young_person(session, display_name="Lumi", locale="en")
        assign(session, manager, person)
        plan = plans.plan_of(
            session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
        )
        goal = plans.add_goal(
            session, actor=person, plan=plan, text="Find a job", themes=["studies_work"]
        )
        session.commit()
        ids = (person.id or 0, goal.id, person.username or "", manager.username or "")
    person_id, goal_id, person_name, manager_name = ids

    phone = open_plan(browser, live_server, person_name, person_id, (390, 844))
    laptop = open_plan(browser, live_server, manager_name, person_id, (1280, 800))
    assert axe_violations(phone) == []
    assert axe_violations(laptop) == []
    phone_text = phone.locator(f"#goal-{goal_id}-text")
    laptop_text = laptop.locator(f"#goal-{goal_id}-text")
    phone.locator(f"#goal-{goal_id} details.edit summary").first.click()
    laptop.locator(f"#goal-{goal_id} details.edit summary").first.click()

    phone_text.fill("A job I like")  # the young person is still typing...
    laptop_text.fill("Find a summer job")
    laptop.get_by_role("button", name="Save the goal").click()
    expect(laptop.locator(f"#goal-{goal_id}-view")).to_contain_text("Find a summer job")

    # ...and sees the case manager's change arrive, while their own words stay in the field.
    expect(phone.locator(f"#goal-{goal_id}-view")).to_contain_text(
        "Find a summer job", timeout=15000
    )
    expect(phone_text).to_have_value("A job I like")

    phone.get_by_role("button", name="Save the goal").click()
    expect(phone.get_by_role("alert").first).to_contain_text("Kaisa (case manager) changed this")
    expect(phone.locator(f"#goal-{goal_id} .current-version blockquote")).to_have_text(
        "Find a summer job"
    )
    expect(phone_text).to_have_value("A job I like")
    assert axe_violations(phone) == []

    phone.get_by_role("button", name="Save the goal").click()  # re-apply on the current version
    expect(phone.locator(f"#goal-{goal_id}-view")).to_contain_text("A job I like")
    expect(laptop.locator(f"#goal-{goal_id}-view")).to_contain_text("A job I like", timeout=15000)
    phone.context.close()
    laptop.context.close()


def test_a_proposal_and_agreement_arrive_live_and_problems_are_in_view(
    browser: Browser, live_server: str, engine: Engine
) -> None:
    with Session(engine) as session:
        manager = make_case_manager(session, display_name="Kaisa", locale="en")
        person = make_young_person(session, display_name="Aino", locale="en")
        assign(session, manager, person)
        plan = plans.plan_of(
            session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
        )
        goal = plans.add_goal(session, actor=person, plan=plan, text="A home", themes=["housing"])
        values = {"text": "Call the housing office", "owner": ActionOwner.YOUNG_PERSON}
        plans.add_action(session, actor=manager, plan=plan, goal=goal, values=values)
        session.commit()
        ids = (person.id or 0, goal.id, person.username or "", manager.username or "")
    person_id, goal_id, person_name, manager_name = ids
    phone = open_plan(browser, live_server, person_name, person_id, (390, 844))
    laptop = open_plan(browser, live_server, manager_name, person_id, (1280, 800))
    box = "#plan-status"

    laptop.get_by_role("button", name="Suggest agreeing on the plan").click()
    expect(laptop.locator("[data-saved-note]")).to_be_focused()
    # The young person's open page learns of it by itself, and says who proposed it.
    expect(phone.locator(box)).to_contain_text(
        "Kaisa (case manager) suggested agreeing on the plan as it is now. Is that OK with you?",
        timeout=15000,
    )
    phone.get_by_role("button", name="Agree to the plan").click()
    expect(phone.locator(box)).to_contain_text("You and Kaisa (case manager) agreed on the plan")
    expect(laptop.locator(box)).to_contain_text(
        "You and Aino (young person) agreed on the plan", timeout=15000
    )
    expect(laptop.locator("#plan-live-note")).to_contain_text("Aino (young person) agreed")

    # Ticking the action done is progress: the agreement stays; the page says it was saved.
    # The tick stands beside the action it ticks.
    tick = phone.get_by_role("button", name="Mark done: Call the housing office")
    action_box, tick_box = (
        phone.locator(".actions-list li").first.bounding_box(),
        tick.bounding_box(),
    )
    assert action_box and tick_box
    assert action_box["y"] <= tick_box["y"] < action_box["y"] + action_box["height"]
    tick.click()
    expect(phone.locator(f"#goal-{goal_id} [data-saved-note]")).to_be_focused()
    expect(phone.locator(box)).to_contain_text("You and Kaisa (case manager) agreed on the plan")

    # A refused save: the problems are in view, focused, each linking to its field.
    phone.locator(f"#goal-{goal_id} summary", has_text="Add an action").click()
    phone.get_by_role("button", name="Add the action").click()
    summary = phone.locator(f"#action-{goal_id}-problems")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert phone.title().startswith("Error:")
    summary.get_by_role("link").first.click()
    expect(phone.locator(f"#action-{goal_id}-text")).to_be_focused()
    assert axe_violations(phone) == []
    phone.context.close()
    laptop.context.close()


def test_a_colleagues_proposal_arrives_as_theirs(
    browser: Browser, live_server: str, engine: Engine
) -> None:
    """Kaisa has Aino's plan open when Mikko proposes it: her page says Mikko proposed it and
    that it waits for Aino; it never says she did, and offers her nothing to press."""
    with Session(engine) as session:
        kaisa = make_case_manager(session, display_name="Kaisa", locale="en")
        mikko = make_case_manager(session, display_name="Mikko", locale="en")
        person = make_young_person(session, display_name="Aino", locale="en")
        assign(session, kaisa, person)
        assign(session, mikko, person)
        plan = plans.plan_of(
            session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
        )
        plans.add_goal(session, actor=person, plan=plan, text="A home", themes=["housing"])
        session.commit()
        names = (person.id or 0, kaisa.username or "", mikko.username or "")
    person_id, kaisa_name, mikko_name = names
    kaisas = open_plan(browser, live_server, kaisa_name, person_id, (1280, 800))
    mikkos = open_plan(browser, live_server, mikko_name, person_id, (1280, 800))
    mikkos.get_by_role("button", name="Suggest agreeing on the plan").click()
    expect(mikkos.locator("#plan-status")).to_contain_text(
        "You suggested agreeing on the plan as it is. Now waiting for Aino to agree."
    )
    expect(kaisas.locator("#plan-status")).to_contain_text(
        "Mikko (case manager) suggested agreeing on the plan as it is. "
        "Now waiting for Aino to agree.",
        timeout=15000,
    )
    expect(kaisas.locator("#plan-live-note")).to_contain_text("Mikko (case manager) suggested")
    expect(kaisas.locator("#plan-status button")).to_have_count(0)
    kaisas.context.close()
    mikkos.context.close()
