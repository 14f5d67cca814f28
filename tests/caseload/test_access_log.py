"""The young person reads their own part of the audit log."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assign, make_case_manager, make_young_person, sign_in


def test_the_person_sees_who_looked_and_who_was_refused(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session, display_name="Kaisa K")
    stranger = make_case_manager(session, display_name="Someone Else")
    person = make_young_person(session, locale="en")
    assign(session, manager, person)
    sign_in(client, person)
    client.get(f"/people/{person.id}/plan")  # the person's own reading is not logged
    for viewer in (manager, stranger):
        client.cookies.clear()
        sign_in(client, viewer)
        client.get(f"/people/{person.id}/plan")
    client.cookies.clear()
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    page = client.get("/me/access").text
    assert page.count("read your plan") == 2
    assert "Kaisa K" in page and "Someone Else" in page
    assert page.count('<strong class="overdue">refused</strong>') == 1
    assert page.index("Someone Else") < page.index("Kaisa K")  # newest first
