"""Who may read whose assessments, and the audit log that records every such read."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent, Outcome
from app.auth.models import Account
from app.core.errors import NotFound
from app.survey import service as survey
from app.survey.answers import save_answer
from app.survey.models import Assessment
from tests.factories import assign, make_case_manager, make_young_person, sign_in


def events(session: Session, subject_id: int | None) -> list[tuple[str, str, Outcome]]:
    rows = session.exec(
        select(AuditEvent).where(AuditEvent.subject_id == subject_id).order_by(col(AuditEvent.id))
    ).all()
    return [(row.actor_role, row.action, row.outcome) for row in rows]


def completed_assessment(session: Session, person: Account) -> Assessment:
    assessment, _ = survey.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=assessment, item_id="health.importance", value=8)
    survey.submit(session, actor=person, assessment=assessment)
    return assessment


def test_case_manager_reads_caseload_assessment_and_it_is_audited(session: Session) -> None:
    manager, person = make_case_manager(session), make_young_person(session)
    assign(session, manager, person)
    assessment = completed_assessment(session, person)
    assert events(session, person.id) == []  # the person's own use is not audited
    read = survey.get_assessment(session, actor=manager, assessment_id=assessment.id or 0)
    assert read.id == assessment.id
    assert events(session, person.id) == [("case_manager", "assessment.read", Outcome.ALLOWED)]


def test_other_case_manager_gets_not_found_and_the_refusal_is_kept(
    client: TestClient, session: Session
) -> None:
    mine, other = make_case_manager(session), make_case_manager(session)
    person = make_young_person(session)
    assign(session, mine, person)
    assessment = completed_assessment(session, person)
    sign_in(client, other)
    for path in (
        f"/assessments/{assessment.id}",
        f"/api/v1/assessments/{assessment.id}",
        f"/people/{person.id}",
    ):
        assert client.get(path).status_code == 404
    # Refused, and recorded although each request was rolled back.
    assert events(session, person.id) == [
        ("case_manager", "assessment.read", Outcome.DENIED),
        ("case_manager", "assessment.read", Outcome.DENIED),
        ("case_manager", "assessment.list", Outcome.DENIED),
    ]


def test_case_manager_sees_the_circle_but_cannot_answer(
    client: TestClient, session: Session
) -> None:
    manager, person = make_case_manager(session), make_young_person(session)
    assign(session, manager, person)
    assessment = completed_assessment(session, person)
    token = sign_in(client, manager)
    page = client.get(f"/assessments/{assessment.id}")
    assert page.status_code == 200 and page.text.count('class="sector"') == 10
    put = client.put(
        f"/api/v1/assessments/{assessment.id}/answers/health.importance", json={"value": 1}
    )
    assert put.status_code == 404
    screen = client.post(f"/assessments/{assessment.id}/themes/3", data={"csrf_token": token})
    assert screen.status_code == 404


def test_young_person_cannot_read_another(session: Session) -> None:
    owner, other = make_young_person(session), make_young_person(session)
    assessment = completed_assessment(session, owner)
    with pytest.raises(NotFound) as refused:
        survey.get_assessment(session, actor=other, assessment_id=assessment.id or 0)
    assert [(e.action, e.outcome) for e in refused.value.keep] == [  # type: ignore[attr-defined]
        ("assessment.read", Outcome.DENIED)
    ]


def test_the_audit_log_cannot_be_changed_or_deleted(session: Session) -> None:
    manager, person = make_case_manager(session), make_young_person(session)
    assign(session, manager, person)
    survey.list_assessments(session, actor=manager, subject_id=person.id)
    for statement in ("UPDATE audit_event SET outcome = 'denied'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text(statement))
    assert events(session, person.id) == [("case_manager", "assessment.list", Outcome.ALLOWED)]
