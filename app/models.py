"""Every table of every domain, so Alembic and the app see the whole schema."""

from app.audit.models import AuditEvent
from app.auth.models import (
    Account,
    AuthSession,
    CaseAssignment,
    ExternalIdentity,
    SignInCounter,
)
from app.caseload.models import Invitation
from app.plan.models import (
    Goal,
    Plan,
    PlanAction,
    PlanAgreement,
    PlanChange,
    Review,
)
from app.survey.models import (
    Answer,
    AnswerChange,
    Assessment,
    Instrument,
    InstrumentVersion,
    StaffReading,
)

__all__ = [
    "Account",
    "Answer",
    "AnswerChange",
    "Assessment",
    "AuditEvent",
    "AuthSession",
    "CaseAssignment",
    "ExternalIdentity",
    "Goal",
    "Instrument",
    "InstrumentVersion",
    "Invitation",
    "Plan",
    "PlanAction",
    "PlanAgreement",
    "PlanChange",
    "Review",
    "SignInCounter",
    "StaffReading",
]
