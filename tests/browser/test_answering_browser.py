"""Answering on a phone by keyboard and on a failing connection, then checking the answers:
arrow keys save once, focus follows Next, a failed save is marked and retried, a reload
shows the newest answer, and the check page and the help box pass axe."""

import re

import pytest
from playwright.sync_api import Page, Request, Route, expect
from sqlalchemy import Engine

from tests.browser.conftest import axe_violations, start_survey

pytestmark = pytest.mark.browser
RETRYING = "Not saved yet – trying again"


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    """Requests a service worker passes on are out of `page.route`'s reach (Playwright): this
    test holds back and fails saves itself, so the page runs without one (the offline test
    covers the service worker)."""
    return {**browser_context_args, "service_workers": "block"}


def test_keyboard_failures_and_check_your_answers(
    page: Page, live_server: str, engine: Engine
) -> None:
    start_survey(page, live_server, engine)
    assessment_id = re.search(r"/assessments/(\d+)/", page.url).group(1)  # type: ignore[union-attr]
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.url) if r.url.endswith("/answer") else None)

    # Arrow keys move through 0–10; the answer is saved once, when the choice rests.
    # While a choice waits to be saved, the reply for an earlier one does not say "Saved".
    importance = page.locator("#status-studies_work-importance")
    held: list[Route] = []
    page.route(
        "**/answer",
        lambda route, _request: route.continue_() if held else held.append(route),
    )
    page.locator('input[name="studies_work.importance"][value="3"]').check()
    for _ in range(200):  # a click saves at once; a busy machine may take a while
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "choosing 3 sent no save"
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.locator('input[name="studies_work.importance"][value="7"]')).to_be_checked()
    with page.expect_response("**/answer"):
        held[0].continue_()
    page.wait_for_timeout(100)
    assert "Saved" not in (importance.text_content() or "")
    expect(importance).to_contain_text("Saved")
    page.wait_for_timeout(300)
    assert len(saves) == 2  # the first choice, then the one the arrow keys rested on
    page.unroute("**/answer")
    assert (
        page.request.get(f"{live_server}/api/v1/assessments/{assessment_id}").json()["answers"][
            "studies_work.importance"
        ]
        == 7
    )

    # A save the server fails is marked beside its question and sent again.
    failures = {"left": 1}

    def fail_first(route: Route, request: Request) -> None:
        if failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=503, body="down")
        else:
            route.continue_()

    page.route("**/answer", fail_first)
    satisfaction = page.locator("#status-studies_work-satisfaction")
    page.locator('input[name="studies_work.satisfaction"][value="4"]').check()
    expect(satisfaction).to_contain_text(RETRYING)
    expect(page.locator("#connection")).to_be_hidden()  # no generic banner
    expect(satisfaction).to_contain_text("Saved", timeout=10000)

    # Failing for good until a reload: the newest answer is the one on screen after it.
    failures["left"] = 1000
    page.locator('input[name="studies_work.satisfaction"][value="8"]').check()
    expect(satisfaction).to_contain_text(RETRYING)
    page.unroute("**/answer")
    page.reload()
    expect(page.locator('input[name="studies_work.satisfaction"][value="8"]')).to_be_checked()
    expect(satisfaction).to_contain_text("Saved")
    api = f"{live_server}/api/v1/assessments/{assessment_id}"
    assert page.request.get(api).json()["answers"]["studies_work.satisfaction"] == 8

    # Next: the new screen's heading has focus.
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#progress-label")).to_have_text("Theme 2 of 10")
    expect(page.locator("h1")).to_be_focused()

    # Very low coping, then Check your answers, submitted: the help box on the circle and home.
    page.locator('input[name="family.importance"][value="5"]').check()
    expect(page.locator("#status-family-importance")).to_contain_text("Saved")
    # A Change link focuses its question; saving returns to, and focuses, the theme's card.
    page.goto(
        f"{live_server}/assessments/{assessment_id}/themes/10?return=check#q-resilience-satisfaction"
    )
    first = page.locator('input[name="resilience.satisfaction"][value="0"]')
    expect(first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Back", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Back to checking your answers").click()
    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.locator("#check-resilience")).to_be_focused()
    assert page.evaluate("window.scrollY") > 0
    expect(page.get_by_text("You have answered 4 of 20 questions.")).to_be_visible()
    change = page.get_by_role(
        "link", name=re.compile(r"^Change ?: Studies and work, Satisfaction$")
    )
    expect(change).to_have_attribute("href", re.compile(r"/themes/1\?return=check#q-"))
    assert axe_violations(page) == []
    page.get_by_role("button", name="Submit and see my Circle of Life").click()
    expect(page.locator('.help-box a[href="tel:112"]')).to_be_visible()
    page.goto(live_server)
    expect(page.locator('.help-box a[href="https://sekasin.fi"]')).to_be_visible()
    assert axe_violations(page) == []


def test_starting_the_survey_puts_focus_on_the_first_screens_heading(
    page: Page, live_server: str, engine: Engine
) -> None:
    """From the survey's first page, Start opens theme 1 as Next opens the others: with its
    heading focused, not the top of the page."""
    start_survey(page, live_server, engine)
    expect(page.locator("h1")).to_have_text("Studies and work")
    expect(page.locator("h1")).to_be_focused()
