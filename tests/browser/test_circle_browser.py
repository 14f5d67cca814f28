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


@pytest.mark.parametrize("locale", ["fi", "sv", "en"])
def test_every_label_and_number_is_readable_and_apart(
    page: Page, live_server: str, engine: Engine, locale: str
) -> None:
    """The widest case: every theme marked "!" (more important than satisfying), in each
    language: labels and numbers at least 14 px on a phone, none touching another."""
    marked = {f"{t}.satisfaction": 2 for t in THEME_IDS} | {
        f"{t}.importance": 10 for t in THEME_IDS
    }
    with Session(engine) as session:
        person = make_young_person(session, username=f"marked-{locale}", locale=locale)
        assessment = make_completed_assessment(session, person, marked)
        session.commit()
        url = f"{live_server}/assessments/{assessment.id}"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/signin")
    page.fill("#username", f"marked-{locale}")
    page.fill("#password", PASSWORD)
    page.click('form[action="/signin"] button[type=submit]')
    page.wait_for_url(re.compile(r"/$"))
    page.goto(url)

    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.circle text')].map(
            t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a)"""
    )
    assert min(sizes) >= 14, sizes
    overlaps = page.evaluate(
        """() => {
            const svg = document.querySelector('svg.circle');
            const texts = [...svg.querySelectorAll('text')]
                .map(t => [t.textContent, t.getBoundingClientRect()]);
            const apart = (p, q) => p.right <= q.left + 1 || q.right <= p.left + 1
                || p.bottom <= q.top + 1 || q.bottom <= p.top + 1;
            const hits = [];
            texts.forEach(([a, p], i) => texts.slice(i + 1).forEach(([b, q]) => {
                if (!apart(p, q)) hits.push([a, b]);
            }));
            for (const badge of svg.querySelectorAll('circle.badge')) {
                const c = badge.getBoundingClientRect(), r = c.width / 2;
                const x = c.left + r, y = c.top + r;
                for (const [name, q] of texts) {
                    const inside = q.left <= x && x <= q.right && q.top <= y && y <= q.bottom;
                    if (inside) continue; // its own number
                    const dx = Math.max(q.left - x, 0, x - q.right);
                    const dy = Math.max(q.top - y, 0, y - q.bottom);
                    if (Math.hypot(dx, dy) < r) hits.push(['badge', name]);
                }
            }
            return hits;
        }"""
    )
    assert overlaps == [], overlaps
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
