"""Linking OpenID Connect identities (issuer + subject) to accounts, and who may sign in.

An identity links to one account once. A young person's first sign-in through
the portal links it, when they came from their case manager's invitation (or,
signed in with a password, asked to link it). Staff identities are linked by an administrator
(`python -m app.cli identity link`); an unknown one is refused.
"""

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.auth.models import Account, ExternalIdentity, Role
from app.auth.oidc import Identity
from app.caseload import service as caseload
from app.core.config import OidcProvider
from app.core.errors import AppError, Conflict
from app.core.i18n import N_
from app.core.types import saved_id


class UnknownYoungPerson(AppError):
    status = 403
    code = "identity-unknown"
    message = N_(
        "You do not have a MyLife account yet. Your case manager sends you an invitation "
        "link: open it and sign in from there."
    )


class UnknownStaff(AppError):
    status = 403
    code = "identity-unknown"
    message = N_(
        "Your organisation account is not linked to MyLife. Ask your MyLife administrator "
        "to link it, then sign in again."
    )


class IdentityTaken(Conflict):
    message = N_("This sign-in is already linked to another account.")


def account_for(session: Session, *, issuer: str, subject: str) -> Account | None:
    return session.exec(
        select(Account)
        .join(ExternalIdentity, ExternalIdentity.account_id == Account.id)  # type: ignore[arg-type]
        .where(ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject)
    ).first()


def link(session: Session, *, account: Account, issuer: str, subject: str) -> ExternalIdentity:
    """Link once: the identity is nobody else's, and the account has none from this issuer."""
    existing = session.exec(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
        )
    ).first()
    if existing is not None and existing.account_id == account.id:
        return existing  # linked already, to this account
    identity = ExternalIdentity(account_id=saved_id(account.id), issuer=issuer, subject=subject)
    try:
        with session.begin_nested():
            session.add(identity)
            session.flush()
    except IntegrityError as error:
        raise IdentityTaken() from error
    return identity


def _birth_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def sign_in(
    session: Session,
    *,
    provider: OidcProvider,
    identity: Identity,
    invitation: str | None,
    link_to: Account | None,
) -> tuple[Account, bool]:
    """The account this identity signs in to, linking it first where the rules allow;
    and whether this sign-in used the invitation."""
    account = account_for(session, issuer=identity.issuer, subject=identity.subject)
    if provider.audience == "staff":
        if account is None or account.role == Role.YOUNG_PERSON or not account.is_active:
            raise UnknownStaff()
        return account, False
    if account is not None:
        if account.role != Role.YOUNG_PERSON or not account.is_active:
            raise UnknownYoungPerson()
        return account, False
    if link_to is not None and link_to.role == Role.YOUNG_PERSON:
        link(session, account=link_to, issuer=identity.issuer, subject=identity.subject)
        return link_to, False
    if invitation is None:
        raise UnknownYoungPerson()
    found, _manager = caseload.open_invitation(session, token=invitation)
    person = Account(
        display_name=identity.name or found.name_hint or identity.subject[:120],
        role=Role.YOUNG_PERSON,
        birth_date=_birth_date(identity.birth_date),
    )
    session.add(person)
    session.flush()
    link(session, account=person, issuer=identity.issuer, subject=identity.subject)
    caseload.use_invitation(session, found, person)
    return person, True
