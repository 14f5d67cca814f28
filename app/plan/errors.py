from app.core.errors import Conflict, InvalidInput
from app.core.errors import TextTooLong as TextTooLong  # every text's limit: one error, in core
from app.core.i18n import N_


class StaleEdit(Conflict):
    """The edit was made on an older version; the current one travels with the error. Raised
    as one of the two below, which say who changed it (from the plan's history)."""

    code = "stale-edit"
    message = N_(
        "This was changed while you were editing. Your text is kept below, next to the "
        "current version."
    )


class ChangedByOther(StaleEdit):
    """`params`: `name`, who changed it, as the history names them."""

    message = N_(
        "%(name)s changed this while you were editing. Your text is kept below, next to "
        "the current version."
    )


class ChangedByYou(StaleEdit):
    message = N_(
        "You changed this in another window while you were editing it here. Your text is "
        "kept below, next to the saved version."
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


class OwnerUnknown(InvalidInput):
    code = "unknown-owner"
    message = N_("Choose who does it from the list.")


class CaseManagerRequired(InvalidInput):
    code = "case-manager-required"
    message = N_("Choose which case manager does it.")


class AgreementMoved(Conflict):
    """The person chose on a plan or an agreement that has changed since they saw it; raised
    as one of the kinds below, which say what happened and who did it (`params`: `name`)."""

    code = "agreement-changed"
    message = N_("The plan changed while you were reading it. Check it below, then choose again.")


class PlanChangedMeanwhile(AgreementMoved):
    message = N_(
        "While you were reading, %(name)s changed the plan, so your choice was not sent. "
        "Check the plan below, then choose again."
    )


class PlanChangedByYou(AgreementMoved):
    message = N_(
        "You changed the plan in another window, so your choice was not sent. Check the plan "
        "below, then choose again."
    )


class ProposedMeanwhile(AgreementMoved):
    message = N_(
        "While you were reading, %(name)s proposed this version, so your choice was not "
        "sent. Check the plan below."
    )


class AgreedMeanwhile(AgreementMoved):
    message = N_(
        "While you were reading, %(name)s agreed on this version, so your choice was not "
        "sent. The plan is agreed."
    )
