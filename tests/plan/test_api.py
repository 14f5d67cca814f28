"""The plan API: both sides edit, versions travel in ETag/If-Match, nothing is overwritten."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Account
from tests.factories import assign, make_case_manager, make_young_person, sign_in


def setup(session: Session) -> tuple[Account, Account]:
    manager = make_case_manager(session, display_name="Kaisa")
    person = make_young_person(session, display_name="Lumi")
    assign(session, manager, person)
    return manager, person


def as_user(client: TestClient, account: Account) -> TestClient:
    client.cookies.clear()
    sign_in(client, account)
    client.headers["Accept-Language"] = "en"
    return client


def test_write_a_plan_together(client: TestClient, session: Session) -> None:
    manager, person = setup(session)
    plan_url = f"/api/v1/people/{person.id}/plan"
    as_user(client, person)
    created = client.post(f"{plan_url}/goals", json={"text": "Own flat", "themes": ["housing"]})
    assert created.status_code == 201 and created.headers["etag"] == '"1"'
    goal_url = created.headers["location"]
    as_user(client, manager)
    action = client.post(
        f"{goal_url}/actions",
        json={
            "text": "Housing office visit",
            "owner": {"kind": "young_person"},
            "due_on": "2026-12-01",
        },
    )
    assert action.status_code == 201
    review = client.post(f"{plan_url}/reviews", json={"held_on": "2026-11-24", "agreed": "Start"})
    assert review.status_code == 201
    plan = client.get(plan_url)
    assert plan.headers["etag"] == '"r3"'
    body = plan.json()
    assert body["state"] == "draft" and body["revision"] == 3
    assert body["goals"][0]["actions"][0]["due_on"] == "2026-12-01"
    assert body["reviews"][0]["agreed"] == "Start"
    assert client.get(plan_url, headers={"If-None-Match": '"r3"'}).status_code == 304


def test_if_match_refuses_a_stale_edit_with_412_and_the_current_text(
    client: TestClient, session: Session
) -> None:
    manager, person = setup(session)
    as_user(client, person)
    goal_url = client.post(f"/api/v1/people/{person.id}/plan/goals", json={"text": "Job"}).headers[
        "location"
    ]
    as_user(client, manager)
    first = client.patch(goal_url, json={"text": "Summer job"}, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    as_user(client, person)
    stale = client.patch(goal_url, json={"text": "A job I like"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["current"]["text"] == "Summer job" and stale.json()["field"] == "If-Match"
    by_body = client.patch(goal_url, json={"text": "A job I like", "version": 1})
    assert by_body.status_code == 409 and by_body.json()["current"]["version"] == 2
    reapplied = client.patch(goal_url, json={"text": "A job I like", "version": 2})
    assert reapplied.status_code == 200 and reapplied.json()["text"] == "A job I like"
    history = client.get(f"{goal_url}/history").json()
    assert [(h["kind"], h["actor_name"], h["after"]["text"]) for h in history] == [
        ("updated", "Lumi", "A job I like"),
        ("updated", "Kaisa", "Summer job"),
        ("created", "Lumi", "Job"),
    ]


def test_an_edit_without_a_version_is_refused(client: TestClient, session: Session) -> None:
    _manager, person = setup(session)
    as_user(client, person)
    goal_url = client.post(f"/api/v1/people/{person.id}/plan/goals", json={"text": "X"}).headers[
        "location"
    ]
    refused = client.patch(goal_url, json={"text": "Y"})
    assert refused.status_code == 428 and refused.json()["field"] == "version"
    assert (
        client.patch(goal_url, json={"text": "Y"}, headers={"If-Match": "nonsense"}).status_code
        == 428
    )
    assert client.get(goal_url).json()["text"] == "X"


def test_bad_values_are_422_naming_the_field(client: TestClient, session: Session) -> None:
    _manager, person = setup(session)
    as_user(client, person)
    plan_url = f"/api/v1/people/{person.id}/plan"
    empty = client.post(f"{plan_url}/goals", json={"text": " "})
    assert empty.status_code == 422 and empty.json()["field"] == "text"
    moon = client.post(f"{plan_url}/goals", json={"text": "Go", "themes": ["moon"]})
    assert moon.status_code == 422 and moon.json()["field"] == "themes"
    goal_url = client.post(f"{plan_url}/goals", json={"text": "Go"}).headers["location"]
    service = client.post(
        f"{goal_url}/actions", json={"text": "Call", "owner": {"kind": "service"}}
    )
    assert service.status_code == 422 and service.json()["field"] == "owner.service.name"
    named = client.post(
        f"{goal_url}/actions",
        json={"text": "Call", "owner": {"kind": "service", "name": "Youth services"}},
    )
    assert named.status_code == 201 and named.json()["owner"] == {
        "kind": "service",
        "name": "Youth services",
    }
    owner = client.post(f"{goal_url}/actions", json={"text": "Call", "owner": {"kind": "mayor"}})
    assert owner.status_code == 422 and owner.json()["field"].startswith("owner")
    for held_on in ("31.2.2026", 0):
        date = client.post(f"{plan_url}/reviews", json={"held_on": held_on})
        assert date.status_code == 422 and date.json()["field"] == "held_on"
    cleared = client.patch(goal_url, json={"text": None, "version": 1})
    assert cleared.status_code == 422 and cleared.json()["field"] == "text"


def test_agreement_over_the_api(client: TestClient, session: Session) -> None:
    manager, person = setup(session)
    plan_url = f"/api/v1/people/{person.id}/plan"
    as_user(client, person)
    client.post(f"{plan_url}/goals", json={"text": "Finish school", "themes": ["studies_work"]})
    proposed = client.post(f"{plan_url}/agreement").json()
    assert proposed["agreed_at"] is None and proposed["proposed_by_role"] == "young_person"
    assert client.get(plan_url).json()["state"] == "proposed"
    as_user(client, manager)
    agreed = client.post(f"{plan_url}/agreement").json()
    assert agreed["id"] == proposed["id"] and agreed["agreed_at"]
    frozen = client.get(f"{plan_url}/agreements/{agreed['id']}").json()
    assert frozen["plan"]["goals"][0]["text"] == "Finish school"
    assert client.get(plan_url).json()["state"] == "agreed"


def test_plans_outside_ones_reach_are_404(client: TestClient, session: Session) -> None:
    manager, person = setup(session)
    as_user(client, person)
    goal_url = client.post(f"/api/v1/people/{person.id}/plan/goals", json={"text": "Mine"}).headers[
        "location"
    ]
    for stranger in (make_young_person(session), make_case_manager(session)):
        as_user(client, stranger)
        assert client.get(f"/api/v1/people/{person.id}/plan").status_code == 404
        assert client.get(goal_url).status_code == 404
        assert client.patch(goal_url, json={"text": "Theirs", "version": 1}).status_code == 404
        assert (
            client.post(
                f"{goal_url}/actions", json={"text": "x", "owner": "young_person"}
            ).status_code
            == 404
        )
    as_user(client, manager)
    assert client.get(goal_url).json()["text"] == "Mine"


def test_focus_areas_over_the_api(client: TestClient, session: Session) -> None:
    _manager, person = setup(session)
    as_user(client, person)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    for item, value in (("housing.importance", 9), ("housing.satisfaction", 2)):
        client.put(f"/api/v1/assessments/{assessment_id}/answers/{item}", json={"value": value})
    client.post(f"/api/v1/assessments/{assessment_id}/submit")
    focus = client.get(f"/api/v1/people/{person.id}/plan/focus").json()
    assert focus == [
        {"theme_id": "housing", "title": "Housing", "importance": 9, "satisfaction": 2}
    ]
