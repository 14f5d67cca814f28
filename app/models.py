"""Every table of every domain, so Alembic and the app see the whole schema."""

from app.auth.models import Account, AuthSession, CaseAssignment, ExternalIdentity
from app.survey.models import Answer, Assessment, Instrument, InstrumentVersion

__all__ = [
    "Account",
    "Answer",
    "Assessment",
    "AuthSession",
    "CaseAssignment",
    "ExternalIdentity",
    "Instrument",
    "InstrumentVersion",
]
