"""Domain errors. Services raise these; one handler in main.py renders them."""

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from app.core.i18n import N_, gettext


@dataclass
class FieldError:
    field: str
    message: str  # a msgid, translated when shown
    params: dict[str, object] = dataclass_field(default_factory=dict)

    def text(self) -> str:
        return gettext(self.message, **self.params)


class AppError(Exception):
    status = 400
    code = "bad-request"
    message = N_("The request could not be handled.")

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        params: dict[str, object] | None = None,
        errors: list[FieldError] | None = None,
        keep: list[object] | None = None,
        extra: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        # Rows to store even though the request is rolled back (audit of a refusal).
        self.keep = keep or []
        # More for the client, e.g. the current object when an edit was stale.
        self.extra = extra or {}
        self.headers = headers or {}  # e.g. WWW-Authenticate on a refused token
        self.params = params or {}
        self.errors = errors or ([FieldError(field, self.message, self.params)] if field else [])
        super().__init__(self.message)

    @property
    def field(self) -> str | None:
        return self.errors[0].field if self.errors else None

    def text(self) -> str:
        return gettext(self.message, **self.params)


class NotFound(AppError):
    """Also what an actor sees for an object they may not know about."""

    status = 404
    code = "not-found"
    message = N_("Not found.")


class NotSignedIn(AppError):
    status = 401
    code = "not-signed-in"
    message = N_("Please sign in.")


class InvalidInput(AppError):
    status = 422
    code = "invalid-input"
    message = N_("Please check the highlighted field.")


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = N_("This can no longer be changed.")


class CsrfFailed(AppError):
    status = 403
    code = "csrf-failed"
    message = N_("The form expired. Please try again.")


class Unstorable(AppError):
    """A value from outside that no column can hold (a NUL, a huge number, a far-off date)."""

    status = 400
    code = "value-out-of-range"
    message = N_("A value sent is out of range or contains characters that cannot be saved.")


class CharacterNotAllowed(InvalidInput):
    """Text with a NUL character: no database column can hold it (PostgreSQL refuses it)."""

    code = "character-not-allowed"
    message = N_("This text contains characters that cannot be saved.")


class TextTooLong(InvalidInput):
    """Text over its field's limit; `params` say the limit and the length sent."""

    code = "text-too-long"
    message = N_("Keep this to %(max)s characters or fewer (now %(length)s).")
