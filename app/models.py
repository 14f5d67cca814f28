"""Every table of every domain, so Alembic and the app see the whole schema."""

from app.audit.models import AuditEvent
from app.auth.models import Account, AuthSession, CaseAssignment, ExternalIdentity
from app.caseload.models import Invitation
from app.survey.models import Answer, Assessment, Instrument, InstrumentVersion

__all__ = [
    "Account",
    "Answer",
    "Assessment",
    "AuditEvent",
    "AuthSession",
    "CaseAssignment",
    "ExternalIdentity",
    "Instrument",
    "InstrumentVersion",
    "Invitation",
]
