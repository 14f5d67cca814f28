"""The case manager's own reading sits beside the young person's answers, never in place of them."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Account
from app.survey.models import StaffReading
from tests.factories import (
    assign,
    make_case_manager,
    make_completed_assessment,
    make_young_person,
    sign_in,
)


def completed(client: TestClient, session: Session) -> tuple[Account, Account, int]:
    manager = make_case_manager(session, locale="en")
    person = make_young_person(session, locale="en")
    assign(session, manager, person)
    sign_in(client, person)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    for item, value in (("family.satisfaction", 8), ("health.satisfaction", 6)):
        client.put(f"/api/v1/assessments/{assessment_id}/answers/{item}", json={"value": value})
    client.post(f"/api/v1/assessments/{assessment_id}/submit")
    client.cookies.clear()
    return manager, person, assessment_id


def test_both_readings_are_shown_and_a_difference_is_named(
    client: TestClient, session: Session
) -> None:
    manager, person, assessment_id = completed(client, session)
    token = sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = client.post(
        f"/assessments/{assessment_id}/reading",
        data={"csrf_token": token, "family": "4", "health": "6", "finance": ""},
    )
    assert page.status_code == 200
    assert page.text.count('class="staff"') == 2
    assert page.text.count("sees it differently") == 1  # family: 8 against 4
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.subject_id == person.id)
    ).all()
    assert "assessment.reading.update" in actions
    client.cookies.clear()
    sign_in(client, person)
    circle = client.get(f"/api/v1/assessments/{assessment_id}/circle").json()
    family = next(t for t in circle["themes"] if t["theme_id"] == "family")
    assert (family["satisfaction"], family["staff_satisfaction"], family["staff_differs"]) == (
        8,
        4,
        True,
    )
    assert (
        client.get(f"/api/v1/assessments/{assessment_id}").json()["answers"]["family.satisfaction"]
        == 8
    )
    assert (
        "sees it differently"
        in client.get(f"/assessments/{assessment_id}", headers={"Accept-Language": "en"}).text
    )


def test_a_bad_reading_keeps_the_rest_of_the_form(client: TestClient, session: Session) -> None:
    manager, _person, assessment_id = completed(client, session)
    token = sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = client.post(
        f"/assessments/{assessment_id}/reading",
        data={"csrf_token": token, "family": "12", "health": "5"},
    )
    assert page.status_code == 422
    assert 'id="reading-family-error">Choose a number from 0 to 10.' in page.text
    assert '<option value="5" selected>5</option>' in page.text
    # Listed first, naming and linking its field; the title says there is an error.
    assert "<title>Error: Test Person's Circle of Life – MyLife</title>" in page.text
    summary = page.text[page.text.index('<div class="error-summary"') :]
    assert 'role="alert" tabindex="-1" data-error-summary>' in summary
    assert '<li><a href="#reading-family">Family: Choose a number from 0 to 10.</a></li>' in summary
    assert summary.index("error-summary") < summary.index('id="reading-family"')
    assert '<details class="card" open>' in page.text


def test_the_young_person_cannot_write_a_staff_reading(
    client: TestClient, session: Session
) -> None:
    _manager, person, assessment_id = completed(client, session)
    token = sign_in(client, person)
    refused = client.post(
        f"/assessments/{assessment_id}/reading", data={"csrf_token": token, "family": "1"}
    )
    assert refused.status_code == 404
    stored = select(StaffReading).where(StaffReading.assessment_id == assessment_id)
    assert session.exec(stored).all() == []


def test_no_reading_is_recorded_on_an_unfinished_assessment(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session, locale="en")
    person = make_young_person(session, locale="en")
    assign(session, manager, person)
    sign_in(client, person)
    assessment_id = client.post("/api/v1/assessments").json()["id"]
    answer = f"/api/v1/assessments/{assessment_id}/answers/family.satisfaction"
    assert client.put(answer, json={"value": 8}).status_code == 200
    client.cookies.clear()
    token = sign_in(client, manager)
    refused = client.post(
        f"/assessments/{assessment_id}/reading",
        data={"csrf_token": token, "family": "4", "health": "6"},
    )
    assert refused.status_code == 404
    stored = select(StaffReading).where(StaffReading.assessment_id == assessment_id)
    assert session.exec(stored).all() == []


def test_a_circle_is_never_laid_over_another_persons(client: TestClient, session: Session) -> None:
    """A case manager with two young people can't compare one's circle with the other's."""
    from tests.caseload.test_access import completed_assessment

    manager = make_case_manager(session)
    first, second = make_young_person(session), make_young_person(session)
    assign(session, manager, first, second)
    mine, theirs = completed_assessment(session, first), completed_assessment(session, second)
    sign_in(client, manager)
    mixed = client.get(f"/api/v1/assessments/{mine.id}/circle?compare={theirs.id}")
    assert mixed.status_code == 404
    assert client.get(f"/assessments/{mine.id}?compare={theirs.id}").status_code == 404
    alone = client.get(f"/api/v1/assessments/{mine.id}/circle?compare=none")
    assert alone.status_code == 200 and alone.json()["compared_with"] is None


def test_a_saved_reading_is_confirmed_where_the_case_manager_looks_and_keeps_the_comparison(
    client: TestClient, session: Session
) -> None:
    manager, person, assessment_id = completed(client, session)
    may = datetime(2026, 5, 20, 9, tzinfo=UTC)
    make_completed_assessment(session, person, {"family.satisfaction": 5}, completed_at=may)
    token = sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    saved = client.post(
        f"/assessments/{assessment_id}/reading?compare=none",
        data={"csrf_token": token, "family": "4"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    where = saved.headers["location"]
    assert where == f"/assessments/{assessment_id}?compare=none&saved=reading#reading-saved"
    page = client.get(where.split("#")[0]).text
    note = (
        '<p class="notice notice-success" id="reading-saved" role="status" tabindex="-1" '
        "data-saved-note>Your reading is saved."
    )
    assert note in page  # app.js focuses it; the address's #reading-saved brings it in view
    assert '<option value="none" selected>' in page  # the comparison chosen before saving
    assert f'action="/assessments/{assessment_id}/reading?compare=none"' in page
    assert "Your reading is saved" not in client.get(f"/assessments/{assessment_id}").text
