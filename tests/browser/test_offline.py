"""A dropped connection loses nothing: the answer is sent again when the phone is back online."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import PASSWORD, make_young_person

pytestmark = pytest.mark.browser


def test_answer_given_offline_is_saved_when_back_online(
    page: Page, live_server: str, engine: Engine
) -> None:
    with Session(engine) as session:
        username = make_young_person(session, locale="en").username or ""
        session.commit()
    page.goto(f"{live_server}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/survey")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#progress-label")).to_have_text("Theme 1 of 10")

    page.context.set_offline(True)
    page.locator('input[name="studies_work.satisfaction"][value="6"]').check()
    expect(page.locator("#connection")).to_contain_text("You are offline")
    expect(page.locator("#status-studies_work-satisfaction")).not_to_contain_text("Saved")

    page.context.set_offline(False)
    expect(page.locator("#status-studies_work-satisfaction")).to_contain_text(
        "Saved", timeout=20000
    )
    assessment = page.request.get(f"{live_server}/api/v1/assessments").json()[0]
    answers = page.request.get(f"{live_server}/api/v1/assessments/{assessment['id']}").json()
    assert answers["answers"] == {"studies_work.satisfaction": 6}
