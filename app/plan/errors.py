from app.core.errors import Conflict, InvalidInput
from app.core.errors import TextTooLong as TextTooLong  # every text's limit: one error, in core
from app.core.i18n import N_


class StaleEdit(Conflict):
    """The edit was made on an older version; the current one travels with the error."""

    code = "stale-edit"
    message = N_(
        "Someone else changed this while you were editing. Your text is kept below, "
        "next to the current version."
    )


class TextRequired(InvalidInput):
    code = "required"
    message = N_("This field is required.")


class UnknownTheme(InvalidInput):
    code = "unknown-theme"
    message = N_("Choose themes from the list.")


class ServiceNameRequired(InvalidInput):
    code = "service-required"
    message = N_("Name the service that does this.")


class DateInvalid(InvalidInput):
    code = "date-invalid"
    message = N_("Give a date, for example 24.11.2026.")


class NextReviewBeforeReview(InvalidInput):
    code = "next-review-before-review"
    message = N_("The next review cannot be before this review.")


class VersionRequired(InvalidInput):
    status = 428
    code = "version-required"
    message = N_("Say which version you edited: send If-Match or a version field.")


class PreconditionFailed(StaleEdit):
    status = 412
    code = "precondition-failed"


class NothingToAgree(Conflict):
    code = "empty-plan"
    message = N_("Add a goal first: a plan without goals cannot be agreed on.")


class AgreementMoved(Conflict):
    """The person chose on a plan or an agreement that has changed since they saw it."""

    code = "agreement-changed"
    message = N_("The plan changed while you were reading it. Check it below, then choose again.")
