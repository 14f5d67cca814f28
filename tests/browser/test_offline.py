"""A dropped connection loses nothing: the answer is sent again when the phone is back online."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from tests.browser.conftest import start_survey

pytestmark = pytest.mark.browser


def test_answer_given_offline_is_saved_when_back_online(
    page: Page, live_server: str, engine: Engine
) -> None:
    start_survey(page, live_server, engine)
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
