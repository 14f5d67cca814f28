"""A case manager says how their young people reach them; the young people see it."""

import html

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assign, make_case_manager, make_young_person, sign_in


def test_a_case_manager_sets_how_to_be_reached_and_their_young_people_see_it(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session, display_name="Kaisa Korhonen", locale="en")
    person = make_young_person(session, locale="en")
    assign(session, manager, person)
    token = sign_in(client, manager)
    assert "Your young people do not yet see how to reach you." in client.get("/caseload").text
    sent = {
        "contact_phone": " 044  123 4567 ",
        "contact_note": "Weekdays 9–15",
        "csrf_token": token,
    }
    saved = client.post("/account/contact", data=sent)
    assert saved.url.path == "/account/contact" and "Saved." in saved.text
    session.refresh(manager)
    assert (manager.contact_phone, manager.contact_note) == ("044 123 4567", "Weekdays 9–15")
    assert "reach you at: 044 123 4567 · Weekdays 9–15." in html.unescape(
        client.get("/caseload").text
    )

    sign_in(client, person)
    home = client.get("/").text
    assert "Kaisa Korhonen" in home
    assert '<a class="button" href="tel:0441234567">Call 044 123 4567</a>' in home
    assert "Weekdays 9–15" in home


def test_a_wrong_number_or_a_long_note_is_refused_beside_its_field_keeping_the_text(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session, locale="en")
    manager.contact_phone = "017 111 2222"
    token = sign_in(client, manager)
    note = "Mornings. " * 25
    sent = {"contact_phone": "call me maybe", "contact_note": note, "csrf_token": token}
    refused = client.post("/account/contact", data=sent)
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert "<title>Error: How your young people reach you – MyLife</title>" in page
    assert '<p class="error-text" id="contact_phone-error">Give a number a phone can call' in page
    assert "Keep this to 200 characters or fewer (now 249)." in page
    assert 'value="call me maybe"' in page and note.strip() in page  # nothing typed is lost
    session.refresh(manager)
    assert manager.contact_phone == "017 111 2222" and manager.contact_note is None


def test_emptying_the_fields_takes_the_contact_away(client: TestClient, session: Session) -> None:
    manager = make_case_manager(session, locale="en")
    manager.contact_phone, manager.contact_note = "017 111 2222", "Fridays"
    token = sign_in(client, manager)
    sent = {"contact_phone": "", "contact_note": "  ", "csrf_token": token}
    assert "Saved." in client.post("/account/contact", data=sent).text
    session.refresh(manager)
    assert manager.contact_phone is None and manager.contact_note is None
