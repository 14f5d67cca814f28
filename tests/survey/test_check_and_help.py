"""Check your answers, the resume card's count, and the help box's ways to act."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import HelpContact, get_settings
from tests.factories import THEME_IDS, assign, make_case_manager, make_young_person
from tests.survey.test_views import start


def answer(client: TestClient, token: str, assessment_id: int, **values: str) -> None:
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    for item, value in values.items():
        data = {item.replace("__", "."): value}
        saved = client.post(f"/assessments/{assessment_id}/answer", data=data, headers=headers)
        assert saved.status_code == 200, saved.text


def summary_row(page: str, item: str) -> str:
    match = re.search(rf'<div class="summary-row" id="check-{item}">(.*?)</div>', page, re.S)
    assert match, item
    return match.group(1)


def test_check_your_answers_shows_every_answer_with_a_way_to_change_it(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    answer(client, token, assessment_id, health__importance="9", health__satisfaction="3")
    answer(client, token, assessment_id, health__future="Sleep more", finance__future="Save")
    page = client.get(f"/assessments/{assessment_id}/review").text
    assert '<h1 tabindex="-1">Check your answers</h1>' in page
    # Only the twenty questions count; a comment given or not is never missing.
    assert "You have answered 2 of 20 questions." in page
    missing = re.findall(r"<li><a href=\"(/assessments/[^\"]+)\">", page)
    assert len(missing) == 18 and not [href for href in missing if "future" in href]
    assert re.search(r'<dd class="summary-value">9</dd>', summary_row(page, "health-importance"))
    assert ">3</dd>" in summary_row(page, "health-satisfaction")
    assert ">Sleep more</dd>" in summary_row(page, "health-future")
    assert "Nothing written (optional)" in summary_row(page, "family-future")
    assert "Not answered yet" in summary_row(page, "family-importance")
    change = f"/assessments/{assessment_id}/themes/3?return=check#q-health-satisfaction"
    assert f'<a href="{change}">Change<span class="visually-hidden">: Health, Satisfaction' in page
    assert page.count(">Change<span") == 30

    # Change leads to the theme's screen and back to the check page.
    screen = client.get(change.split("#")[0]).text
    assert '<input type="hidden" name="return" value="check">' in screen
    assert '<fieldset class="choice" id="q-health-satisfaction"' in screen  # the linked question
    # One way on from there: back to the check page, not "Back" to the theme before.
    buttons = re.findall(r'name="nav" value="(\w+)" class="([^"]+)">([^<]+)<', screen)
    assert buttons == [
        ("next", "button primary", "Back to checking your answers"),
        ("later", "link-button", "Save and continue later"),
    ]
    form = {"csrf_token": token, "return": "check", "nav": "next", "health.satisfaction": "6"}
    saved = client.post(f"/assessments/{assessment_id}/themes/3", data=form, follow_redirects=False)
    # Back to the changed theme's card, whose heading takes focus there (not the top).
    assert saved.headers["location"] == f"/assessments/{assessment_id}/review#check-health"
    back = client.get(saved.headers["location"])
    assert '<h2 id="check-health" tabindex="-1">Health</h2>' in back.text
    assert ">6</dd>" in summary_row(back.text, "health-satisfaction")
    assert ">Sleep more</dd>" in summary_row(back.text, "health-future")


def test_back_comes_before_next_and_enter_still_means_next(
    client: TestClient, session: Session
) -> None:
    token, url, _assessment_id = start(client, session)
    second = client.post(url, data={"csrf_token": token, "nav": "next"}).text
    buttons = re.findall(r'<button type="submit" name="nav" value="(\w+)" class="([^"]+)"', second)
    # The first (Enter's) is a hidden Next; on screen and in tab order, Back then Next.
    assert buttons == [
        ("next", "visually-hidden"),
        ("back", "button"),
        ("next", "button primary"),
        ("later", "link-button"),
    ]


def test_the_resume_card_counts_questions_only(client: TestClient, session: Session) -> None:
    token, _url, assessment_id = start(client, session)
    values = {
        f"{theme}__{view}": "5"
        for theme in ("family", "health", "friends", "housing", "finance")
        for view in ("importance", "satisfaction")
    }
    answer(client, token, assessment_id, **values, studies_work__importance="7")
    answer(client, token, assessment_id, family__future="More time", health__future="Run")
    home = client.get("/").text
    assert "You have answered 11 of 20 questions." in home


def test_all_answered_is_said_once_in_words_people_use(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    answer(
        client,
        token,
        assessment_id,
        **{f"{t}__{view}": "5" for t in THEME_IDS for view in ("importance", "satisfaction")},
    )
    client.cookies.set("mylife_lang", "en")
    page = client.get(f"/assessments/{assessment_id}/review").text
    assert '<p id="answered-count">You have answered all 20 questions.</p>' in page
    assert "Every question is answered" not in page and "of 20 questions" not in page
    client.cookies.set("mylife_lang", "fi")
    finnish = client.get(f"/assessments/{assessment_id}/review").text
    assert '<p id="answered-count">Olet vastannut kaikkiin 20 kysymykseen.</p>' in finnish
    assert "20/20" not in finnish and finnish.count("Olet vastannut") == 1
    answer(client, token, assessment_id, family__importance="")  # one taken back
    one_missing = client.get(f"/assessments/{assessment_id}/review").text
    assert "Olet vastannut 19 kysymykseen. Kysymyksiä on kaikkiaan 20." in one_missing


@pytest.fixture
def local_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    office = HelpContact(
        name={"en": "Youth services office"},
        detail={"en": "Weekdays 8–16"},
        phone={"en": "+358 17 123 4567"},
        organisation="Kuopio youth services",
    )
    contacts = [*get_settings().help_contacts, office]
    monkeypatch.setattr(get_settings(), "help_contacts", contacts)


def test_the_help_box_gives_ways_to_act_while_it_applies(
    client: TestClient, session: Session, local_contact: None
) -> None:
    manager = make_case_manager(session, display_name="Kaisa Korhonen")
    manager.organisation = "Kuopio youth services"
    manager.contact_phone, manager.contact_note = "044 123 4567", "Weekdays 9–15, texts too"
    person = make_young_person(session, locale="en")
    assign(session, manager, person)
    token, _url, first = start(client, session, person)
    assert "Help is there right now" not in client.get("/").text
    answer(client, token, first, resilience__satisfaction="2")
    client.post(f"/assessments/{first}/submit", data={"csrf_token": token})
    for page in (client.get(f"/assessments/{first}").text, client.get("/").text):
        assert '<h2 id="help-title">Help is there right now</h2>' in page
        assert '<a class="button" href="tel:112">Call 112</a>' in page
        # The helpline in English at its hours, and in Finnish around the clock: both a tap away.
        assert '<a class="button" href="tel:0925250113">Call 09 2525 0113</a>' in page
        assert '<a class="button" href="tel:0925250111">Call 09 2525 0111</a>' in page
        assert "In English (09 2525 0113) at the times on mieli.fi" in page
        # The case manager's own number and hours, as they set them.
        assert '<a class="button" href="tel:0441234567">Call 044 123 4567</a>' in page
        assert "Weekdays 9–15, texts too" in page
        assert '<a href="https://sekasin.fi">sekasin.fi</a>' in page
        assert "Kaisa Korhonen (case manager, Kuopio youth services)" in page
        assert '<a class="button" href="tel:+358171234567">Call +358 17 123 4567</a>' in page
    # A newer assessment that is not as low: the home page no longer shows it.
    client.post("/survey/start", data={"csrf_token": token})
    second = client.get("/api/v1/assessments").json()[0]["id"]
    answer(client, token, second, resilience__satisfaction="6")
    client.post(f"/assessments/{second}/submit", data={"csrf_token": token})
    assert "Help is there right now" not in client.get("/").text
