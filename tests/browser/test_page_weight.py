"""What a phone downloads for the survey: the first screen on a cold load, then each Next.

Bytes as the browser received them (DevTools' `Network.loadingFinished` `encodedDataLength`:
headers and the compressed body), for the page's own requests. The service worker is kept
out, so what is measured is the network, not its cache.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect
from sqlalchemy import Engine

from tests.browser.conftest import start_survey

pytestmark = pytest.mark.browser

FIRST_SCREEN_BUDGET = 40 * 1024
NEXT_SCREEN_BUDGET = 12 * 1024


@contextmanager
def transferred(cdp: CDPSession) -> Iterator[dict[str, int]]:
    """Bytes received per request while the block runs (the request's URL and id as key)."""
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}

    def sent(event: dict) -> None:
        redirect = event.get("redirectResponse")
        if redirect:  # a redirect's response is not "finished": it is followed
            sizes[f"{redirect['url']} (redirect)"] = int(redirect["encodedDataLength"])
        urls[event["requestId"]] = event["request"]["url"]

    def finished(event: dict) -> None:
        key = f"{urls.get(event['requestId'], '?')} #{event['requestId']}"
        sizes[key] = int(event["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    try:
        yield sizes
    finally:
        cdp.remove_listener("Network.requestWillBeSent", sent)
        cdp.remove_listener("Network.loadingFinished", finished)


def test_survey_screens_stay_within_their_budgets(
    page: Page, browser: Browser, live_server: str, engine: Engine
) -> None:
    start_survey(page, live_server, engine)  # signed in, an assessment open at its first screen
    first_screen = page.url
    cold = browser.new_context(
        storage_state=page.context.storage_state(),  # the same sign-in, an empty cache
        viewport={"width": 390, "height": 844},
        service_workers="block",
    )
    phone = cold.new_page()
    cdp = cold.new_cdp_session(phone)
    cdp.send("Network.enable")
    try:
        with transferred(cdp) as loaded:
            phone.goto(first_screen, wait_until="networkidle")
        expect(phone.locator("#progress-label")).to_have_text("Theme 1 of 10")
        with transferred(cdp) as following:
            phone.get_by_role("button", name="Next", exact=True).click()
            expect(phone.locator("#progress-label")).to_have_text("Theme 2 of 10")
            phone.wait_for_load_state("networkidle")
    finally:
        cold.close()
    assert any(".css" in request for request in loaded), loaded  # the whole screen, styled
    assert sum(loaded.values()) <= FIRST_SCREEN_BUDGET, loaded
    assert sum(following.values()) <= NEXT_SCREEN_BUDGET, following
