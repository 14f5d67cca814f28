"""Each text field's limit is one rule: the page's maxlength, the API's schema and the service."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_young_person, sign_in


def maxlength(page: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}"[^>]*\smaxlength="(\d+)"', page)
    assert found, element_id
    return int(found.group(1))


def test_the_page_shows_the_apis_limits_and_the_service_refuses_one_over(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session, display_name="Lumi", locale="en")
    token = sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    plan_url = f"/people/{person.id}/plan"
    added = client.post(f"{plan_url}/goals", data={"csrf_token": token, "text": "A home"})
    goal = re.search(r"#goal-(\d+)$", str(added.url))
    assert goal
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    limits = {
        "new-goal-text": schemas["GoalCreate"]["properties"]["text"]["maxLength"],
        f"goal-{goal[1]}-text": schemas["GoalUpdate"]["properties"]["text"]["maxLength"],
        f"action-{goal[1]}-text": schemas["ActionCreate"]["properties"]["text"]["maxLength"],
        f"action-{goal[1]}-service_name": schemas["ServiceOwner"]["properties"]["name"][
            "maxLength"
        ],
        "review-agreed": schemas["ReviewCreate"]["properties"]["agreed"]["maxLength"],
        "review-changed": schemas["ReviewCreate"]["properties"]["changed"]["maxLength"],
    }
    page = client.get(plan_url).text
    assert {element: maxlength(page, element) for element in limits} == limits

    goal_limit = limits["new-goal-text"]
    longest = client.post(f"{plan_url}/goals", data={"csrf_token": token, "text": "x" * goal_limit})
    assert longest.status_code == 200 and str(longest.url).endswith(tuple("0123456789"))
    over = client.post(
        f"{plan_url}/goals", data={"csrf_token": token, "text": "x" * (goal_limit + 1)}
    )
    assert over.status_code == 422
    assert f"Keep this to {goal_limit} characters or fewer (now {goal_limit + 1})" in over.text

    service_limit = limits[f"action-{goal[1]}-service_name"]
    action = {"csrf_token": token, "text": "Call", "owner": "service"}
    too_long = client.post(
        f"/goals/{goal[1]}/actions", data={**action, "service_name": "s" * (service_limit + 1)}
    )
    assert too_long.status_code == 422
    assert f"Keep this to {service_limit} characters or fewer" in too_long.text
    over_api = client.post(
        f"/api/v1/goals/{goal[1]}/actions",
        json={"text": "Call", "owner": {"kind": "service", "name": "s" * (service_limit + 1)}},
        headers={"X-CSRF-Token": token},
    )
    assert over_api.status_code == 422 and over_api.json()["field"].startswith("owner")
