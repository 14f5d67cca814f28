from app.core.errors import InvalidInput, NotFound
from app.core.i18n import N_


class InvitationInvalid(NotFound):
    code = "invitation-invalid"
    message = N_("This invitation link is not valid any more. Ask your case manager for a new one.")


class UsernameTaken(InvalidInput):
    code = "username-taken"
    message = N_("This username is already in use. Choose another one.")


class UsernameInvalid(InvalidInput):
    code = "username-invalid"
    message = N_("Use 3–40 letters, numbers, dots, dashes or underscores.")


class FieldRequired(InvalidInput):
    code = "required"
    message = N_("This field is required.")


class BirthDateInvalid(InvalidInput):
    code = "birth-date-invalid"
    message = N_("Give your date of birth as day, month and year, for example 24.11.2008.")


class NameLikeStaff(InvalidInput):
    code = "name-like-staff"
    message = N_(
        "A staff member already uses this name. Write your name so that it can be told "
        "apart, for example with a middle name or the first letter of your last name."
    )


class BirthDateInFuture(InvalidInput):
    code = "birth-date-in-future"
    message = N_("Your date of birth cannot be in the future. Check the year.")


class BirthDateTooEarly(InvalidInput):
    code = "birth-date-too-early"
    message = N_("Check the year of your date of birth: it cannot be before %(year)s.")
