"""Errors as an htmx request sees them: a message block in place, or a redirect to sign in."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_young_person, sign_in


def test_an_htmx_request_that_fails_gets_only_the_message(
    client: TestClient, session: Session
) -> None:
    owner = make_young_person(session, locale="en")
    sign_in(client, owner)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    client.cookies.clear()
    token = sign_in(client, make_young_person(session, locale="en"))
    client.cookies.set("mylife_lang", "en")
    path = f"/assessments/{assessment_id}/answer"
    form = {"family.satisfaction": "5"}
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    fragment = client.post(path, data=form, headers=headers)
    assert fragment.status_code == 404
    assert fragment.text.strip().startswith('<div class="notice notice-error" role="alert">')
    assert "<p>Not found.</p>" in fragment.text
    assert "<html" not in fragment.text and "Back to the start page" not in fragment.text
    page = client.post(path, data={**form, "csrf_token": token})  # without htmx: a whole page
    assert page.status_code == 404
    assert "<html" in page.text and "Back to the start page" in page.text


def test_an_htmx_request_without_a_session_is_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/survey", headers={"HX-Request": "true"}, follow_redirects=False)
    assert answer.status_code == 401
    assert answer.headers["HX-Redirect"] == "/signin?next=/survey"
    assert answer.text == ""
    page = client.get("/survey", follow_redirects=False)  # a plain browser is redirected
    assert page.status_code == 303 and page.headers["location"] == "/signin?next=/survey"
