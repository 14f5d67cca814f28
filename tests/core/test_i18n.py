"""Three languages: every message translated, chosen from the browser, switchable, remembered."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Account
from app.core.i18n import LOCALE_DIR, LOCALES, negotiate
from tests.factories import csrf_from, make_young_person, sign_in

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
METHODS = [
    ("app/**.py", "python"),
    ("app/templates/**.html", "jinja2"),
    ("app/templates/**.svg", "jinja2"),
]


def source_messages() -> set[str]:
    found = set()
    options = {"app/templates/**": {"trim_blocks": "true", "lstrip_blocks": "true"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, options_map=options, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_source_has_messages_to_translate() -> None:
    messages = source_messages()
    assert "Theme %(number)s of %(total)s" in messages
    assert "Choose a number from %(min)s to %(max)s." in messages  # from a Python module
    assert len(messages) > 80


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and not message.fuzzy
    untranslated = sorted(m for m in source_messages() if not translated.get(m))
    assert untranslated == []


def test_language_follows_accept_language() -> None:
    assert negotiate("sv-FI,sv;q=0.9,en;q=0.5", "fi") == "sv"
    assert negotiate("de-DE, en;q=0.3", "fi") == "en"
    assert negotiate("de", "fi") == "fi"
    assert negotiate("en;q=0.2, fi;q=0.8", "sv") == "fi"
    assert negotiate("fi;q=abc", "sv") == "sv"


def test_pages_come_in_the_browsers_language(client: TestClient) -> None:
    assert "<h1>Logga in</h1>" in client.get("/signin", headers={"Accept-Language": "sv"}).text
    assert "<h1>Sign in</h1>" in client.get("/signin", headers={"Accept-Language": "en-GB"}).text
    assert (
        "<h1>Kirjaudu sisään</h1>" in client.get("/signin", headers={"Accept-Language": "fi"}).text
    )
    assert 'lang="sv"' in client.get("/signin", headers={"Accept-Language": "sv"}).text


def test_switched_language_is_remembered(client: TestClient, session: Session) -> None:
    person = make_young_person(session)
    token = sign_in(client, person)
    page = client.post("/language", data={"csrf_token": token, "lang": "sv", "next": "/"})
    assert "Hej, Test Person" in page.text
    assert session.get(Account, person.id).locale == "sv"  # type: ignore[union-attr]
    # A new browser (English) signs in and gets the remembered language back.
    client.cookies.clear()
    csrf = csrf_from(client.get("/signin", headers={"Accept-Language": "en"}).text)
    home = client.post(
        "/signin",
        data={"username": person.username, "password": "correct horse battery", "csrf_token": csrf},
        headers={"Accept-Language": "en"},
    )
    assert "Hej, Test Person" in home.text


def test_problem_titles_are_translated(client: TestClient) -> None:
    sv = client.get("/api/v1/assessments", headers={"Accept-Language": "sv"}).json()
    en = client.get("/api/v1/assessments", headers={"Accept-Language": "en"}).json()
    assert (sv["title"], en["title"]) == ("Logga in.", "Please sign in.")
