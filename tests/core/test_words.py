"""Words as a reader meets them: one word per language for one thing, a page's title
saying what its heading says, a method's code kept from a teenager's screen."""

import re

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.i18n import LOCALE_DIR
from tests.factories import make_young_person, sign_in

# Each thing the service names, as every language names it everywhere (a part of the word:
# Finnish inflects it), and words that must not stand in for it.
TERMS = {
    "case manager": {"fi": ("omatyöntekij", "ohjaaj"), "sv": ("kontaktperson", "handledar")},
    "circle of life": {"fi": ("elämänympyr", "elämänpyör"), "sv": ("livscirkel", "livshjul")},
}


def _text(string: object) -> str:
    return " ".join(string) if isinstance(string, tuple | list) else str(string or "")


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_one_word_per_language_for_the_case_manager_and_the_circle(locale: str) -> None:
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    for message in catalogue:
        english = _text(message.id).lower()
        said = _text(message.string).lower()
        for term, words in TERMS.items():
            used, instead = words[locale]
            assert instead not in said, f"{message.id!r}: {said!r}"
            if term in english:
                assert used in said, f"{message.id!r}: {said!r}"


@pytest.mark.parametrize(
    ("locale", "heading"),
    [("fi", "Miten elämäsi sujuu?"), ("sv", "Hur är livet?"), ("en", "How is life?")],
)
def test_the_survey_reads_to_the_young_person_without_the_methods_code(
    client: TestClient, session: Session, locale: str, heading: str
) -> None:
    sign_in(client, make_young_person(session, locale=locale))
    client.cookies.set("mylife_lang", locale)
    page = client.get("/survey").text
    main = page[page.index("<main") : page.index("</main>")]
    assert f"<h1>{heading}</h1>" in main and "3X10D" not in main
    # The portal's Questionnaire (metadata) keeps the instrument's full title.
    listed = client.get("/api/v1/instruments").json()
    assert any("(3X10D)" in str(i.get("title")) for i in listed)


def test_a_missing_page_is_titled_as_its_heading(client: TestClient, session: Session) -> None:
    sign_in(client, make_young_person(session, locale="en"))
    client.cookies.set("mylife_lang", "en")
    page = client.get("/no-such-page")
    assert page.status_code == 404
    title = re.search(r"<title>(.*?) – MyLife</title>", page.text)
    assert title and title.group(1) == "Page not found"
    assert "<h1>Page not found</h1>" in page.text
