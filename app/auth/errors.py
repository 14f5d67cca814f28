import math

from app.core.errors import AppError, InvalidInput
from app.core.i18n import N_, ngettext


class SignInFailed(AppError):
    status = 401
    code = "sign-in-failed"
    message = N_("The username or password is not right.")


class LocalAccountsDisabled(AppError):
    status = 404
    code = "not-found"
    message = N_("Sign-in with a password is not in use here.")


class TooManyAttempts(AppError):
    """An attempt that has to wait; says how long (and `Retry-After` tells machines)."""

    status = 429
    code = "too-many-attempts"
    message = N_("Too many attempts. Wait a moment and try again.")

    def __init__(self, *, wait_seconds: int) -> None:
        super().__init__(headers={"Retry-After": str(wait_seconds)})
        self.wait_seconds = wait_seconds

    def text(self) -> str:
        if self.wait_seconds < 60:
            return ngettext(
                "Too many attempts. Wait %(num)s second and try again.",
                "Too many attempts. Wait %(num)s seconds and try again.",
                self.wait_seconds,
            )
        return ngettext(
            "Too many attempts. Wait %(num)s minute and try again.",
            "Too many attempts. Wait %(num)s minutes and try again.",
            math.ceil(self.wait_seconds / 60),
        )


class WeakPassword(InvalidInput):
    message = N_("Use at least %(min)s characters.")


class NotDialable(InvalidInput):
    code = "not-a-phone-number"
    message = N_(
        "Give a number a phone can call: digits and spaces, e.g. 017 123 4567 or +358 17 123 4567."
    )
