"""Whatever a browser sends to a form, the answer is never a server error."""

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from tests.factories import sign_in
from tests.routes import build_world

FIELDS = {
    "text": None,
    "themes": None,
    "status": None,
    "version": None,
    "owner": None,
    "service_name": None,
    "due_on": None,
    "done": None,
    "done_present": None,
    "held_on": None,
    "agreed": None,
    "changed": None,
    "next_review_on": None,
    "nav": None,
    "username": None,
    "password": None,
    "display_name": None,
    "birth_date": None,
    "name": None,
    "lang": None,
    "next": None,
    "health": None,
    "family": None,
    "health.importance": None,
    "health.future": None,
}
values = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=3000),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "99999999999999999999",
            "2026-02-31",
            "open",
            "service",
            "\x00",
            "on",
            "1",
            "housing",
            "../../etc",
            "<script>",
        ]
    ),
)
forms = st.dictionaries(st.sampled_from(sorted(FIELDS)), values, max_size=8)


@pytest.fixture
def world(client: TestClient, session: Session) -> dict[str, str]:
    """The route table's world, the case manager signed in."""
    built = build_world(session)
    session.commit()
    values = built.values
    return {
        "csrf": sign_in(client, built.manager),
        "person": values["person_id"],
        "assessment": values["open_assessment_id"],
        "goal": values["goal_id"],
        "action": values["action_id"],
        "review": values["review_id"],
        "invitation": values["token"],
    }


PATHS = [
    "/language",
    "/invitations",
    "/invitations/{invitation}",
    "/invitations/{invitation}/join",
    "/assessments/{assessment}/themes/1",
    "/assessments/{assessment}/answer",
    "/assessments/{assessment}/reading",
    "/people/{person}/plan/goals",
    "/goals/{goal}",
    "/goals/{goal}/actions",
    "/actions/{action}",
    "/people/{person}/plan/reviews",
    "/people/{person}/plan/agreement",
    "/reviews/{review}",
    "/signin",
]


@pytest.mark.parametrize("path", PATHS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=forms)
def test_no_form_input_makes_a_server_error(
    client: TestClient, world: dict[str, str], path: str, form: dict[str, str]
) -> None:
    response = client.post(
        path.format(**world), data={**form, "csrf_token": world["csrf"]}, follow_redirects=False
    )
    assert response.status_code < 500, (path, form, response.text[:500])
