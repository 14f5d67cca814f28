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
    accesses, refusals = page.split('<h2 id="refusals">')
    assert accesses.count("read your plan") == 1  # the manager's; not the person's own
    assert "<td>Kaisa K (case manager)</td>" in accesses and "Someone Else" not in accesses
    assert "Someone Else (case manager) tried once to open your plan" in refusals
    assert "Kaisa K" not in refusals
