"""A young person's account made from their case manager's invitation: with a username
and password (checked, then created once the password is hashed), or with the identity
a provider vouches for (the OpenID Connect sign-in hands new identities here). Either
way the invitation is used once and the person joins the caseload. Flushes, never commits.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth import identities, naming
from app.auth import service as auth_service
from app.auth.models import Account, Role
from app.auth.oidc import Identity
from app.caseload.errors import (
    BirthDateInFuture,
    BirthDateInvalid,
    BirthDateTooEarly,
    FieldRequired,
    InvitationInvalid,
    NameLikeStaff,
    UsernameInvalid,
    UsernameTaken,
)
from app.caseload.models import Invitation
from app.caseload.service import open_invitation, use_invitation
from app.core.bounds import DATE_RANGE
from app.core.errors import AppError, InvalidInput
from app.core.i18n import current_locale
from app.core.types import local_today, saved_id

USERNAME = re.compile(r"[a-z0-9._-]{3,40}")


def parse_birth_date(text: str) -> date:
    """A date of birth as people write it (24.11.2008, also 2008-11-24): a real day, not in
    the future, not before 1900. Any age is taken: this instrument is for 15–29, the versions
    for younger children come later, and a young person is not turned away by their age."""
    parts = [part.strip() for part in text.strip().replace("-", ".").replace("/", ".").split(".")]
    if len(parts) == 3 and len(parts[0]) == 4:  # 2008-11-24
        parts.reverse()
    try:  # a year of four digits: "1.1.08" is no day anyone meant
        if len(parts) != 3 or len(parts[2]) != 4:
            raise ValueError(text)
        day = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError as error:
        raise BirthDateInvalid(field="birth_date") from error
    if day > local_today():
        raise BirthDateInFuture(field="birth_date")
    if day.year < DATE_RANGE.start:
        raise BirthDateTooEarly(field="birth_date", params={"year": DATE_RANGE.start})
    return day


@dataclass(frozen=True)
class SignUp:
    """A checked sign-up from an invitation, waiting for its password hash."""

    invitation_id: int
    username: str
    display_name: str
    birth_date: date
    password: str


def check_sign_up(
    session: Session,
    *,
    token: str,
    username: str,
    display_name: str,
    password: str,
    birth_date: str,
) -> SignUp:
    """Every field of a sign-up from a valid invitation, checked; nothing is hashed yet (a
    refused or made-up sign-up costs no Argon2), and nothing is written."""
    auth_service.require_local_accounts()
    invitation, _manager = open_invitation(session, token=token)
    problems: list[AppError] = []
    for field, value in (("display_name", display_name), ("username", username)):
        if not value.strip():
            problems.append(FieldRequired(field=field))
    if display_name.strip() and naming.copies_staff_name(session, name=display_name):
        problems.append(NameLikeStaff(field="display_name"))
    if username.strip() and not USERNAME.fullmatch(auth_service.normalise_username(username)):
        problems.append(UsernameInvalid(field="username"))
    elif username.strip() and auth_service.username_taken(session, username=username):
        problems.append(UsernameTaken(field="username"))
    born: date | None = None
    for check in (
        lambda: parse_birth_date(birth_date),
        lambda: auth_service.check_password(password),
    ):
        try:
            born = check() or born
        except AppError as error:
            problems.append(error)
    if problems or born is None:
        raise InvalidInput(errors=[e for problem in problems for e in problem.errors])
    return SignUp(saved_id(invitation.id), username, display_name.strip()[:120], born, password)


def accept_sign_up(session: Session, *, sign_up: SignUp, password_hash: str) -> Account:
    """Create the young person's account from a checked sign-up and use the invitation, once.
    The username may have been taken meanwhile: that is the same field message."""
    invitation = session.get(Invitation, sign_up.invitation_id)
    if invitation is None:
        raise InvitationInvalid()
    try:
        with session.begin_nested():
            person = auth_service.create_local_account(
                session,
                username=sign_up.username,
                password_hash=password_hash,
                display_name=sign_up.display_name,
                role=Role.YOUNG_PERSON,
                locale=current_locale(),  # the language they signed up in stays theirs
                birth_date=sign_up.birth_date,
            )
    except IntegrityError as error:
        raise UsernameTaken(field="username") from error
    use_invitation(session, invitation, person)
    return person


def with_identity(session: Session, *, identity: Identity, invitation: str) -> Account:
    """A new young person's account for an identity nobody has yet, from the invitation
    their sign-in at the provider started from; named as the provider names them (a
    verified name is the person's own and is not checked), else as the invitation did."""
    found, _manager = open_invitation(session, token=invitation)
    person = identities.create_with_identity(
        session,
        identity=identity,
        display_name=identity.name or found.name_hint or identity.subject[:120],
        role=Role.YOUNG_PERSON,
    )
    auth_service.set_locale(session, account=person, locale=current_locale())
    use_invitation(session, found, person)
    return person
