from app.core.errors import AppError, InvalidInput
from app.core.i18n import N_


class SignInFailed(AppError):
    status = 401
    code = "sign-in-failed"
    message = N_("The username or password is not right.")


class LocalAccountsDisabled(AppError):
    status = 404
    code = "not-found"
    message = N_("Sign-in with a password is not in use here.")


class TooManyAttempts(AppError):
    status = 429
    code = "too-many-attempts"
    message = N_("Too many failed attempts. Wait 15 minutes and try again.")


class WeakPassword(InvalidInput):
    message = N_("Use at least %(min)s characters.")
