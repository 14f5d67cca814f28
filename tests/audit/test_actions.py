"""The audit vocabulary: stored values never change, and each action says what it was."""

from app.audit import service as audit
from app.audit.actions import OWN_ACTS, Access, AuditAction, Purpose
from app.audit.service import access_kind
from app.auth.models import Role

# What rows already hold: a member may be added, never renamed (old rows must read right).
STORED = {
    "plan.read": Access.PLAN_READ,
    "plan.update": Access.PLAN_CHANGE,
    "plan.goal.read": Access.PLAN_READ,
    "plan.goal.update": Access.PLAN_CHANGE,
    "plan.action.update": Access.PLAN_CHANGE,
    "plan.review.update": Access.PLAN_CHANGE,
    "assessment.read": Access.ASSESSMENTS,
    "assessment.answer": Access.ASSESSMENTS,
    "assessment.list": Access.ASSESSMENTS,
    "assessment.reading.update": Access.READING,
    "caseload.read": Access.CASELOAD,
    "caseload.join": Access.JOINED,
    "identity.link": Access.SIGN_IN_LINKED,
    "identity.unlink": Access.SIGN_IN_REMOVED,
    "fhir.create": Access.IMPORT,
}


def test_every_stored_action_reads_as_before() -> None:
    for value, kind in STORED.items():
        assert access_kind(value, "plan") == kind
    assert {str(a) for a in AuditAction} == set(STORED) | {"fhir.search", "fhir.read", "fhir.token"}
    assert {str(p) for p in Purpose} == {"case_work", "portal", "account"}
    assert set(OWN_ACTS) == {
        AuditAction.CASELOAD_JOIN,
        AuditAction.IDENTITY_LINK,
        AuditAction.IDENTITY_UNLINK,
    }


def test_a_portal_read_is_told_by_the_resource_read() -> None:
    for action in (AuditAction.FHIR_READ, AuditAction.FHIR_SEARCH):
        assert access_kind(action, "CarePlan") == access_kind(action, "Goal") == Access.PLAN_READ
        assert access_kind(action, "Questionnaire") == Access.QUESTIONS
        assert access_kind(action, "QuestionnaireResponse") == Access.ASSESSMENTS


def test_each_kind_has_its_words() -> None:
    for kind in Access:
        assert kind.done and kind.tried


def test_the_log_names_a_young_person_by_their_role() -> None:
    """audit imports no auth: its own name for the role is checked against the role's."""
    assert audit.YOUNG_PERSON == Role.YOUNG_PERSON
    assert set(audit.UNNAMED_ROLES) == {Role.YOUNG_PERSON, audit.ANONYMOUS}
