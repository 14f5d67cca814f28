"""The Circle of Life page as the case manager sees it: named for the person, no dead links."""

import html
import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import (
    assign,
    make_case_manager,
    make_completed_assessment,
    make_young_person,
    sign_in,
)
from tests.survey.test_staff_reading import completed


def test_a_case_manager_reads_the_persons_circle_and_every_link_leads_somewhere(
    client: TestClient, session: Session
) -> None:
    manager, person, assessment_id = completed(client, session)
    sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = client.get(f"/assessments/{assessment_id}").text
    name = person.display_name
    assert f"<h1>{name}'s Circle of Life</h1>" in page and "Your Circle of Life" not in page
    main = page[page.index("<main") : page.index("</main>")]
    links = {href for href in re.findall(r'href="(/[^"#]*)', main)}
    assert f"/people/{person.id}" in links
    for href in links:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href

    client.cookies.clear()
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    assert "<h1>Your Circle of Life</h1>" in client.get(f"/assessments/{assessment_id}").text


def test_the_case_manager_reads_of_the_person_and_the_person_reads_of_themselves(
    client: TestClient, session: Session
) -> None:
    """To the young person: "your answers", "what you hope for"; to their case manager,
    the same page about them: by name, or "they"."""
    manager = make_case_manager(session, locale="en")
    person = make_young_person(session, locale="en", display_name="Aino Virtanen")
    assign(session, manager, person)
    values: dict[str, int | str | None] = {
        "finance.satisfaction": 2,
        "finance.importance": 9,
        "finance.future": "Money for the whole month",
    }
    assessment = make_completed_assessment(session, person, values)
    sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = html.unescape(client.get(f"/assessments/{assessment.id}").text)
    for said_to_the_person in (
        "Your answers in numbers",
        "What you hope for",
        "you're happy",
        "you are not as happy",
        "Your Circle of Life",
    ):
        assert said_to_the_person not in page, said_to_the_person
    assert '<caption id="readings-caption">Aino Virtanen\'s answers in numbers (0–10)' in page
    assert "<h2>What Aino Virtanen hopes for</h2>" in page
    assert (
        "Money: satisfied 2 (worth talking about); "
        "important 9 – matters more to them than they are happy with it"
    ) in page
    assert "Stripes and !: important to Aino Virtanen, but they are not as happy with it" in page
    assert "Important, but they are not as happy with it" in page  # the table's note
    client.cookies.set("mylife_lang", "fi")
    finnish = client.get(f"/assessments/{assessment.id}").text
    finnish = finnish[finnish.index("<main") : finnish.index("</main>")]
    assert "Näin Aino Virtanen vastasi (0–10)" in finnish and "Mitä Aino Virtanen toivoo" in finnish
    assert "hän pitää sitä tärkeämpänä kuin on siihen tyytyväinen" in finnish
    assert "sinulle" not in finnish and "Vastauksesi" not in finnish

    client.cookies.clear()
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    own = html.unescape(client.get(f"/assessments/{assessment.id}").text)
    assert "Your answers in numbers (0–10)" in own and "<h2>What you hope for</h2>" in own
    assert "important 9 – matters more than you're happy with it" in own
