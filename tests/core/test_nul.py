"""A NUL character never reaches the database: a clear 400, in the reader's language."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import csrf_from, make_young_person, sign_in


def test_sign_in_with_a_nul_is_refused_not_an_error(client: TestClient) -> None:
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"username": "a\x00", "password": "x", "csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "This text contains characters that cannot be saved." in response.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "/api/v1/assessments/1/answers/health.future", b'{"value": "a\\u0000b"}'),
        ("get", "/api/v1/instruments/a%00b/versions/1.0", None),
        ("get", "/api/v1/assessments?x=%00", None),
    ],
)
def test_the_api_answers_a_problem(
    client: TestClient, session: Session, method: str, path: str, body: bytes | None
) -> None:
    sign_in(client, make_young_person(session))
    response = client.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:mylife:problem:character-not-allowed"


@pytest.mark.parametrize("text", ["50%00 off", "a literal \\u0000 in my words"])
def test_text_that_only_looks_like_a_nul_is_saved(
    client: TestClient, session: Session, text: str
) -> None:
    sign_in(client, make_young_person(session))
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    saved = client.put(
        f"/api/v1/assessments/{assessment_id}/answers/health.future", json={"value": text}
    )
    assert saved.status_code == 200 and saved.json()["value"] == text
