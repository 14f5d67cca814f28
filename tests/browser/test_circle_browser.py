"""The Circle of Life on a phone (390x844): a person who answers 5 everywhere reads
"worth talking about", never a problem; labels are big enough; a tapped or focused part of
the circle says itself in words."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import (
    PASSWORD,
    THEME_IDS,
    assign,
    make_case_manager,
    make_completed_assessment,
    make_young_person,
)

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
    expect(says).to_have_text("Money: satisfied 5 (worth talking about); important 5")
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


def _sign_in(page: Page, live_server: str, username: str) -> None:
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server}/signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click('form[action="/signin"] button[type=submit]')
    page.wait_for_url(re.compile(r"/(caseload)?$"))


def _in_view(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            """s => { const box = document.querySelector(s).getBoundingClientRect();
                return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight; }""",
            selector,
        )
    )


def test_a_tapped_part_is_said_where_the_person_is_looking_and_a_saved_reading_is_confirmed(
    page: Page, live_server: str, engine: Engine
) -> None:
    """A case manager on a laptop (1280x800) and on a phone taps a part of the circle: its
    sentence shows in view (beside the circle on the laptop, brought into view on the
    phone). Saving their own reading confirms it where they look, the comparison kept."""
    with Session(engine) as session:
        manager = make_case_manager(session, username="reader-cm", locale="en")
        person = make_young_person(session, username="read-yp", display_name="Read Person")
        assign(session, manager, person)
        values = {f"{t}.{v}": 6 for t in THEME_IDS for v in ("satisfaction", "importance")}
        may = datetime(2026, 5, 20, 9, tzinfo=UTC)
        make_completed_assessment(session, person, {"family.satisfaction": 3}, may)
        latest = make_completed_assessment(session, person, values)
        session.commit()
        url = f"{live_server}/assessments/{latest.id}"
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server, "reader-cm")
    page.goto(f"{url}?compare=none")
    page.locator("svg.circle").scroll_into_view_if_needed()
    page.locator("svg.circle a.wedge").nth(5).click()  # at the bottom of the circle
    expect(page.locator(".circle-says li.shown")).to_have_text(re.compile("^Housing: "))
    assert _in_view(page, ".circle-says li.shown")
    page.evaluate("window.scrollBy(0, 250)")  # reading the lower half: the words stay beside
    page.locator("svg.circle a.wedge").nth(4).click()
    assert _in_view(page, ".circle-says li.shown")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}?compare=none")
    # The circle's bottom at the screen's: its sentence, below the circle, is out of view.
    page.evaluate(
        """() => window.scrollBy(0, document.querySelector('svg.circle')
            .getBoundingClientRect().bottom - window.innerHeight)"""
    )
    page.locator("svg.circle a.wedge").nth(0).click()
    expect(page.locator(".circle-says li.shown")).to_have_text(re.compile("^Studies and work: "))
    assert _in_view(page, ".circle-says li.shown")
    assert _in_view(page, "svg.circle a.wedge")  # the part tapped is still there too

    page.locator("#staff-reading summary").click()
    page.select_option("#reading-family", "4")
    page.get_by_role("button", name="Save my reading").click()
    note = page.locator("#reading-saved")
    expect(note).to_be_focused()
    expect(note).to_have_text(re.compile("^Your reading is saved."))
    assert _in_view(page, "#reading-saved")
    expect(page.locator("#compare")).to_have_value("none")
