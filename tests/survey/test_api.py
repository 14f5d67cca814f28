"""The JSON API: same rules as the pages, problems as application/problem+json."""

from typing import Any

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import csrf_from, make_case_manager, make_young_person, sign_in


def signed_in_client(client: TestClient, session: Session) -> TestClient:
    sign_in(client, make_young_person(session))
    return client


def assert_problem(response: httpx2.Response, status: int, field: str | None) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"]
    if field is not None:
        assert body["field"] == field
        assert any(e["field"] == field for e in body["errors"])
    return body


def test_without_sign_in_the_api_answers_401(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/assessments"), 401, None)
    assert_problem(client.get("/api/v1/session"), 401, None)
    token = csrf_from(client.get("/signin").text)  # a signed-out browser's token
    assert_problem(client.post("/api/v1/assessments", headers={"X-CSRF-Token": token}), 401, None)
    # Without it, a change is refused before anything else is looked at.
    refused = assert_problem(client.post("/api/v1/assessments"), 403, "x-csrf-token")
    assert refused["type"] == "urn:mylife:problem:csrf-failed"


def test_the_session_names_the_account_and_its_token(client: TestClient, session: Session) -> None:
    person = make_young_person(session, display_name="Aino A")
    token = sign_in(client, person)
    client.headers.pop("X-CSRF-Token")
    mine = client.get("/api/v1/session").json()
    assert mine == {
        "account_id": person.id,
        "display_name": "Aino A",
        "role": "young_person",
        "csrf_token": token,
    }
    assert client.post("/api/v1/assessments").status_code == 403
    started = client.post("/api/v1/assessments", headers={"X-CSRF-Token": mine["csrf_token"]})
    assert started.status_code == 201


def test_instruments_are_listed_with_their_texts(client: TestClient, session: Session) -> None:
    signed_in_client(client, session)
    listed = client.get("/api/v1/instruments").json()
    assert {"code": "mylife_youth", "version": "1.1", "themes": 10, "items": 30}.items() <= listed[
        0
    ].items()
    assert listed[0]["title"] == {
        "fi": "Miten elämäsi sujuu? (3X10D)",
        "sv": "Hur är livet? (3X10D)",
        "en": "How is life? (3X10D)",
    }
    full = client.get("/api/v1/instruments/mylife_youth/versions/1.0").json()
    kinds = [item["kind"] for theme in full["themes"] for item in theme["items"]]
    assert kinds.count("choice") == 20 and kinds.count("text") == 10
    assert_problem(client.get("/api/v1/instruments/mylife_youth/versions/9.9"), 404, None)


def test_create_answer_resume_and_submit(client: TestClient, session: Session) -> None:
    signed_in_client(client, session)
    created = client.post("/api/v1/assessments")
    assert created.status_code == 201
    assessment_id = created.json()["id"]
    assert created.headers["location"] == f"/api/v1/assessments/{assessment_id}"

    url = f"/api/v1/assessments/{assessment_id}"
    assert client.put(f"{url}/answers/family.importance", json={"value": 8}).json() == {
        "item_id": "family.importance",
        "value": 8,
    }
    client.put(f"{url}/answers/family.future", json={"value": "More time together"})

    resumed = client.post("/api/v1/assessments")
    assert resumed.status_code == 200 and resumed.json()["id"] == assessment_id
    body = resumed.json()
    assert body["answers"] == {"family.importance": 8, "family.future": "More time together"}
    assert body["position"] == 1 and len(body["unanswered"]) == 28

    submitted = client.post(f"{url}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "completed"
    listed = client.get("/api/v1/assessments").json()
    assert [a["id"] for a in listed] == [assessment_id] and listed[0]["completed_at"]


def test_bad_answers_name_the_field_and_lose_nothing(client: TestClient, session: Session) -> None:
    signed_in_client(client, session)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    url = f"/api/v1/assessments/{assessment_id}"
    client.put(f"{url}/answers/health.importance", json={"value": 6})
    client.put(f"{url}/answers/health.future", json={"value": "keep"})

    assert_problem(
        client.put(f"{url}/answers/health.importance", json={"value": 11}), 422, "health.importance"
    )
    assert_problem(
        client.put(f"{url}/answers/health.importance", json={"value": True}), 422, "value"
    )
    assert_problem(
        client.put(f"{url}/answers/health.importance", json={"value": 2.5}), 422, "value"
    )
    assert_problem(client.put(f"{url}/answers/health.importance", json={}), 422, "value")
    assert_problem(
        client.put(f"{url}/answers/health.future", json={"value": "x" * 2001}), 422, "health.future"
    )
    assert_problem(client.put(f"{url}/answers/no.such", json={"value": 1}), 404, "no.such")
    broken = client.put(
        f"{url}/answers/health.importance",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert_problem(broken, 422, None)

    assert client.get(url).json()["answers"] == {"health.importance": 6, "health.future": "keep"}


def test_completed_assessment_refuses_changes_with_409(
    client: TestClient, session: Session
) -> None:
    signed_in_client(client, session)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    url = f"/api/v1/assessments/{assessment_id}"
    client.put(f"{url}/answers/housing.satisfaction", json={"value": 4})
    client.post(f"{url}/submit")
    assert_problem(
        client.put(f"{url}/answers/housing.satisfaction", json={"value": 9}),
        409,
        "housing.satisfaction",
    )
    assert_problem(client.post(f"{url}/submit"), 409, "status")
    assert client.get(url).json()["answers"] == {"housing.satisfaction": 4}


def test_someone_elses_assessment_is_404_everywhere(client: TestClient, session: Session) -> None:
    owner = make_young_person(session)
    sign_in(client, owner)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    client.put(f"/api/v1/assessments/{assessment_id}/answers/friends.importance", json={"value": 5})
    client.cookies.clear()

    sign_in(client, make_young_person(session))
    url = f"/api/v1/assessments/{assessment_id}"
    for response in (
        client.get(url),
        client.put(f"{url}/answers/friends.importance", json={"value": 1}),
        client.post(f"{url}/submit"),
        client.get(f"{url}/circle"),
        client.get(f"{url}/circle.svg"),
        client.get("/api/v1/assessments/999999"),
    ):
        assert_problem(response, 404, None)
    assert client.get("/api/v1/assessments").json() == []


def test_staff_have_no_survey_of_their_own(client: TestClient, session: Session) -> None:
    sign_in(client, make_case_manager(session))
    assert_problem(client.post("/api/v1/assessments"), 404, None)


def test_circle_as_data_and_svg_with_comparison(client: TestClient, session: Session) -> None:
    signed_in_client(client, session)
    ids = []
    for satisfaction in (3, 8):
        assessment_id = client.post("/api/v1/assessments").json()["id"]
        url = f"/api/v1/assessments/{assessment_id}"
        client.put(f"{url}/answers/finance.satisfaction", json={"value": satisfaction})
        client.put(f"{url}/answers/finance.importance", json={"value": 9})
        client.post(f"{url}/submit")
        ids.append(assessment_id)

    circle = client.get(f"/api/v1/assessments/{ids[1]}/circle").json()
    assert circle["compared_with"] == ids[0]
    finance = next(t for t in circle["themes"] if t["theme_id"] == "finance")
    assert finance == {
        "theme_id": "finance",
        "title": finance["title"],
        "importance": 9,
        "satisfaction": 8,
        "band": "high",
        "more_important_than_satisfying": False,
        "previous_satisfaction": 3,
        "change": 5,
        "staff_satisfaction": None,
        "staff_differs": False,
    }
    first = client.get(f"/api/v1/assessments/{ids[0]}/circle?compare=none").json()
    first_finance = next(t for t in first["themes"] if t["theme_id"] == "finance")
    assert first["compared_with"] is None
    assert first_finance["band"] == "low" and first_finance["more_important_than_satisfying"]
    svg = client.get(f"/api/v1/assessments/{ids[1]}/circle.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.count('class="sector"') == 10
    assert_problem(client.get(f"/api/v1/assessments/{ids[1]}/circle?compare=abc"), 422, "compare")


def test_resending_the_stored_answer_after_submit_is_not_a_change(
    client: TestClient, session: Session
) -> None:
    signed_in_client(client, session)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    url = f"/api/v1/assessments/{assessment_id}"
    client.put(f"{url}/answers/friends.future", json={"value": "Same"})
    client.post(f"{url}/submit")
    again = client.put(f"{url}/answers/friends.future", json={"value": "Same"})
    assert again.status_code == 200 and again.json()["value"] == "Same"
    assert_problem(
        client.put(f"{url}/answers/friends.future", json={"value": None}), 409, "friends.future"
    )
