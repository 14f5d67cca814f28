"""The Circle of Life page as the case manager sees it: named for the person, no dead links."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import sign_in
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
