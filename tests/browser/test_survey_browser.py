"""The whole survey in Chromium at phone size: sign in, 30 points, reload, submit, circle."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations
from tests.factories import THEME_IDS

pytestmark = pytest.mark.browser

TEXTS = {
    "fi": {
        "sign_in": "Kirjaudu sisään",
        "progress": "Elämänalue {n}/10",
        "saved": "Tallennettu",
        "next": "Seuraava",
        "review": "Tarkista vastauksesi",
        "all": "Olet vastannut kaikkiin 20 kysymykseen.",
        "submit": "Lähetä ja näytä elämänympyräni",
        "result": "Elämänympyräsi",
        "theme": "Elämänalue",
    },
    "sv": {
        "sign_in": "Logga in",
        "progress": "Område {n} av 10",
        "saved": "Sparat",
        "next": "Nästa",
        "review": "Titta igenom dina svar",
        "all": "Du har svarat på alla 20 frågor.",
        "submit": "Skicka och visa min livscirkel",
        "result": "Din livscirkel",
        "theme": "Område",
    },
}


def sign_in(page: Page, base: str, username: str, words: dict[str, str]) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label(re.compile("Käyttäjätunnus|Användarnamn")).fill(username)
    page.get_by_label(re.compile("Salasana|Lösenord")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.locator("h1")).to_contain_text(re.compile("Hei|Hej"))


def answer_theme(page: Page, index: int, words: dict[str, str]) -> tuple[int, int]:
    theme = THEME_IDS[index]
    importance, satisfaction = (index + 3) % 11, (index * 7) % 11
    for item, value in (
        (f"{theme}.importance", importance),
        (f"{theme}.satisfaction", satisfaction),
    ):
        page.locator(f'input[name="{item}"][value="{value}"]').check()
        status = page.locator(f"#status-{item.replace('.', '-')}")
        expect(status).to_contain_text(words["saved"])
    page.locator(f'textarea[name="{theme}.future"]').fill(f"Toive {index + 1}")
    expect(page.locator(f"#status-{theme}-future")).to_contain_text(words["saved"])
    return importance, satisfaction


@pytest.mark.parametrize(("lang", "username"), [("fi", "aino"), ("sv", "saga")])
def test_whole_survey_on_a_phone(page: Page, live_server: str, lang: str, username: str) -> None:
    words = TEXTS[lang]
    page.context.set_extra_http_headers({"Accept-Language": lang})
    sign_in(page, live_server, username, words)
    page.goto(f"{live_server}/survey")
    # Neither has an assessment open in the demo data: the start page is shown.
    page.get_by_role("button", name=re.compile("^(Aloita|Börja)$")).click()

    chosen = {}
    for index in range(10):
        expect(page.locator("#progress-label")).to_have_text(words["progress"].format(n=index + 1))
        chosen[THEME_IDS[index]] = answer_theme(page, index, words)
        if index == 4:
            assert axe_violations(page) == []
            page.reload()  # half-way: everything given so far is there after a reload
            expect(page.locator("#progress-label")).to_have_text(words["progress"].format(n=5))
            expect(
                page.locator('input[name="personal_development.importance"][value="7"]')
            ).to_be_checked()
            expect(page.locator('textarea[name="personal_development.future"]')).to_have_value(
                "Toive 5"
            )
        button = words["review"] if index == 9 else words["next"]
        page.get_by_role("button", name=button).click()

    expect(page.locator("h1")).to_have_text(words["review"])
    expect(page.get_by_text(words["all"])).to_be_visible()
    page.get_by_role("button", name=words["submit"]).click()

    expect(page.locator("h1")).to_have_text(words["result"])
    expect(page.locator("svg.circle g.sector")).to_have_count(10)
    expect(page.locator("svg.circle #circle-title")).to_contain_text(
        re.compile("Elämänympyrä|Livscirkel")
    )
    rows = page.locator("table.readings tbody tr")
    expect(rows).to_have_count(10)
    for index, theme in enumerate(THEME_IDS):
        importance, satisfaction = chosen[theme]
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(str(importance))
        expect(cells.nth(1)).to_contain_text(str(satisfaction))
    if username == "aino":  # she has earlier readings: the latest is laid over this one
        expect(page.locator("svg.circle path.previous")).to_have_count(10)
    assert axe_violations(page) == []
