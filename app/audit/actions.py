"""The audit log's vocabulary: what was done (`AuditAction`), why (`Purpose`), and what the
person is told was done (`Access`, with its words).

The values are what the rows store; they never change (a row written years ago must still
read right), so a new action is a new member, never a renamed one.
"""

from enum import StrEnum
from typing import Self

from app.core.i18n import N_, Labelled, gettext


class Access(Labelled):
    """What was done (or tried) with the person's data, as they are told it: `done` (its
    label) for a row of their log ("Kaisa (case manager) · read your plan"), `tried` for a
    refusal ("… tried 3 times to open your plan")."""

    @property
    def done(self) -> str:
        return self.label

    @property
    def tried(self) -> str:
        return gettext(self._words[1])

    CASELOAD = "caseload", N_("saw you in their caseload"), N_("see you in their caseload")
    READING = (
        "reading",
        N_("recorded their own reading of an assessment"),
        N_("record their own reading of your assessment"),
    )
    ASSESSMENTS = "assessments", N_("looked at your assessments"), N_("look at your assessments")
    PLAN_READ = "plan_read", N_("read your plan"), N_("open your plan")
    PLAN_CHANGE = "plan_change", N_("changed your plan"), N_("change your plan")
    QUESTIONS = (
        "questions",
        N_("read the questions of the assessment"),
        N_("read the questions of the assessment"),
    )
    IMPORT = (
        "import",
        N_("brought in an assessment you filled in there"),
        N_("bring in an assessment"),
    )
    # The person's own acts that change who sees their data or signs in as them.
    JOINED = (
        "joined",
        N_("joined a case manager's caseload, who now sees your information"),
        N_("join a caseload in your name"),
    )
    SIGN_IN_LINKED = (
        "sign_in_linked",
        N_("linked a new way to sign in to your account"),
        N_("link a way to sign in to your account"),
    )
    SIGN_IN_REMOVED = (
        "sign_in_removed",
        N_("removed a way to sign in to your account"),
        N_("remove a way to sign in to your account"),
    )


# What a portal's read of a resource is, by the resource's type (anything else it reads
# is the person's assessments).
RESOURCE_ACCESS = {
    "CarePlan": Access.PLAN_READ,
    "Goal": Access.PLAN_READ,
    "Questionnaire": Access.QUESTIONS,
}


class AuditAction(StrEnum):
    """An audit row's `action`, each with what the person is told of it (`kind`); `own`:
    an act of the person themself that their log shows too (it changes who can see their
    data or sign in as them). `None` as the kind: the FHIR resource's type decides it.
    `AuditAction(row.action)` is the member a stored row names."""

    _access: Access | None
    _own: bool

    def __new__(cls, value: str, access: Access | None = None, own: bool = False) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._access = access
        member._own = own
        return member

    def kind(self, object_type: str) -> Access:
        """What the person is told was done: the member's own kind, or for a portal's read,
        the kind of the resource read."""
        if self._access is not None:
            return self._access
        return RESOURCE_ACCESS.get(object_type, Access.ASSESSMENTS)

    @property
    def own(self) -> bool:
        return self._own

    PLAN_READ = "plan.read", Access.PLAN_READ
    PLAN_UPDATE = "plan.update", Access.PLAN_CHANGE
    GOAL_READ = "plan.goal.read", Access.PLAN_READ
    GOAL_UPDATE = "plan.goal.update", Access.PLAN_CHANGE
    ACTION_UPDATE = "plan.action.update", Access.PLAN_CHANGE
    REVIEW_UPDATE = "plan.review.update", Access.PLAN_CHANGE
    ASSESSMENT_READ = "assessment.read", Access.ASSESSMENTS
    ASSESSMENT_ANSWER = "assessment.answer", Access.ASSESSMENTS
    ASSESSMENT_LIST = "assessment.list", Access.ASSESSMENTS
    READING_UPDATE = "assessment.reading.update", Access.READING
    CASELOAD_READ = "caseload.read", Access.CASELOAD
    CASELOAD_JOIN = "caseload.join", Access.JOINED, True
    IDENTITY_LINK = "identity.link", Access.SIGN_IN_LINKED, True
    IDENTITY_UNLINK = "identity.unlink", Access.SIGN_IN_REMOVED, True
    FHIR_SEARCH = "fhir.search", None
    FHIR_READ = "fhir.read", None
    FHIR_TOKEN = "fhir.token", None  # a request refused for its token, by the resource asked
    FHIR_CREATE = "fhir.create", Access.IMPORT


# The person's own acts their log shows (everything else they do with their own data is not
# logged).
OWN_ACTS = tuple(action for action in AuditAction if action.own)


class Purpose(StrEnum):
    """Why the access was made, as the row records it."""

    CASE_WORK = "case_work"  # a case manager's (or the person's) work on the person's case
    PORTAL = "portal"  # the national portal, acting for the person on a token
    ACCOUNT = "account"  # the person's own account: the ways they sign in
