"""The Circle of Life on a phone (390x844): a person who answers 5 everywhere reads
"worth talking about", never a problem; labels are big enough; a tapped or focused part of
the circle says itself in words."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import PASSWORD, THEME_IDS, make_completed_assessment, make_young_person

pytestmark = pytest.mark.browser


def test_all_fives_read_kindly_on_a_phone(page: Page, live_server: str, engine: Engine) -> None:
    fives = {f"{t}.{v}": 5 for t in THEME_IDS for v in ("satisfaction", "importance")}
    with Session(engine) as session:
        person = make_young_person(session, username="fives", locale="en")
        assessment = make_completed_assessment(session, person, fives)
        session.commit()
        url = f"{live_server}/assessments/{assessment.id}"
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server}/signin")
    page.fill("#username", "fives")
    page.fill("#password", PASSWORD)
    page.click('form[action="/signin"] button[type=submit]')
    expect(page.locator("h1")).to_contain_text("Test Person")
    page.goto(url)

    body = page.locator("main")
    expect(body).not_to_contain_text(re.compile("needs attention|problem", re.IGNORECASE))
    expect(page.locator("figcaption .legend")).to_contain_text("0–5: worth talking about")
    expect(page.locator("table.readings")).to_contain_text("worth talking about")
    expect(page.locator("svg.circle text.value")).to_have_text(["5"] * 10)
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.circle text.label')].map(
            t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a))"""
    )
    assert smallest >= 14, smallest
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    says = page.locator(".circle-says li:visible")
    expect(says).to_have_count(0)
    page.locator("svg.circle a.wedge").nth(6).click()  # tapped
    expect(says).to_have_text("Money: satisfied 5 (worth talking about), important 5")
    page.locator("svg.circle a.wedge").nth(6).focus()
    page.keyboard.press("Tab")  # the next part, by keyboard
    expect(says).to_have_text(re.compile("^Life as a whole: satisfied 5"))
