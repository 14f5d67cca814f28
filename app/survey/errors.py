from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.i18n import N_


class AssessmentClosed(Conflict):
    code = "assessment-completed"
    message = N_("This assessment is completed and can no longer be changed.")


class UnknownItem(InvalidInput):
    """The answer's address names no item: that answer does not exist (404)."""

    status = 404
    code = "unknown-item"
    message = N_("There is no such question in this survey.")


class ValueOffScale(InvalidInput):
    code = "value-off-scale"
    message = N_("Choose a number from %(min)s to %(max)s.")


class TextNotAllowed(InvalidInput):
    code = "text-not-allowed"
    message = N_("This text contains characters that cannot be saved.")


class NoInstrument(NotFound):
    code = "no-instrument"
    message = N_("No survey is available yet. Please try again later.")


class DefinitionClash(Conflict):
    code = "definition-clash"
    message = N_("Version %(version)s of %(code)s already exists with different content.")


class AnswerChangedElsewhere(Conflict):
    """A device's change made over an answer older than the stored one (saved meanwhile on
    another device): both are shown, the person chooses (`extra`: mine, theirs, at)."""

    code = "answer-changed-elsewhere"
    message = N_("This answer was changed on another device meanwhile.")


class BadChangeId(InvalidInput):
    code = "bad-change-id"
    message = N_("This is not in the expected form.")
