"""Submitting sends first what still waits on the phone: an assessment is never submitted
without an answer the person gave."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.survey import service
from app.survey.models import Assessment, AssessmentStatus
from tests.browser.conftest import start_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    """This test fails saves itself (`page.route`), out of reach behind a service worker."""
    return {**browser_context_args, "service_workers": "block"}


def test_submit_waits_for_the_answers_still_on_the_phone(
    page: Page, live_server: str, engine: Engine
) -> None:
    start_survey(page, live_server, engine)
    assessment_id = int(re.search(r"/assessments/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    page.route("**/answer", lambda route: route.fulfill(status=503, body="down"))
    page.locator('input[name="studies_work.importance"][value="4"]').check()
    expect(page.locator("#status-studies_work-importance")).to_contain_text("trying again")
    page.goto(f"{live_server}/assessments/{assessment_id}/review")
    submit = page.get_by_role("button", name="Submit and see my Circle of Life")
    submit.click()
    expect(page.locator("#connection")).to_contain_text("Something went wrong")
    assert page.url.endswith("/review")

    page.unroute("**/answer")
    submit.click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}$"))
    with Session(engine) as session:
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None and assessment.status == AssessmentStatus.COMPLETED
        answers = service.answers_for(session, [assessment_id])[assessment_id]
        assert answers["studies_work.importance"].value == 4
