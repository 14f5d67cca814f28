"""Linking OpenID Connect identities (issuer + subject) to accounts, and who may sign in.

An identity links to one account once. A young person's first sign-in through
the portal makes their account when they came from their case manager's invitation:
that is the caseload's (`InvitationSignUp`, wired in by `app/main.py`), which makes
the account here (`create_with_identity`). A
signed-in young person links one on their sign-in methods page: only in the
browser session that asked, after signing in afresh at the provider
(`link_requested`); they may remove one again, but never their last way to
sign in (`unlink`). Both are audited. Staff identities are linked by an
administrator (`python -m app.cli identity link`); an unknown one is refused.
"""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.actions import AuditAction, Purpose
from app.audit.models import AuditEvent, Outcome
from app.auth import access, service
from app.auth.models import Account, ExternalIdentity, Role
from app.auth.oidc import Flow, Identity
from app.core.config import OidcProvider
from app.core.errors import AppError, Conflict, NotFound
from app.core.i18n import N_
from app.core.types import saved_id

AUDIT_OBJECT = "external_identity"
# How much earlier than the moment linking started the provider's sign-in may be:
# auth_time is in whole seconds, and the provider's clock may differ a little from ours.
FRESH_SIGN_IN_LEEWAY_SECONDS = 30


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


class LinkNotConfirmed(AppError):
    status = 400
    code = "link-not-confirmed"
    message = N_(
        "Nothing was linked. Linking works only in the browser where you started it, while "
        "you are still signed in to MyLife as the same person. Sign in and start again from "
        "Ways to sign in."
    )


class LinkNotFresh(AppError):
    status = 400
    code = "link-not-fresh"
    message = N_(
        "Nothing was linked, because %(provider)s did not confirm that you signed in there "
        "just now. Please try again."
    )


class AlreadyLinked(Conflict):
    message = N_(
        "Nothing was linked: you already sign in with another %(provider)s account. Remove "
        "it first if you want to use this one instead."
    )


class LastSignInMethod(Conflict):
    code = "last-sign-in-method"
    message = N_(
        "This is your only way to sign in to MyLife, so it cannot be removed. Link another "
        "way to sign in first."
    )


def active_young_person(account: Account | None) -> Account | None:
    """The account, if it is a young person's that may still sign in (and be acted for)."""
    if account is None or account.role != Role.YOUNG_PERSON or not account.is_active:
        return None
    return account


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


def create_with_identity(
    session: Session, *, identity: Identity, display_name: str, role: Role
) -> Account:
    """A new account that signs in through this identity only, born when the identity says."""
    account = Account(
        display_name=display_name, role=role, birth_date=_birth_date(identity.birth_date)
    )
    session.add(account)
    session.flush()
    link(session, account=account, issuer=identity.issuer, subject=identity.subject)
    return account


class InvitationSignUp(Protocol):
    """How an identity nobody has yet becomes a young person's account from an invitation:
    the caseload's (`app/caseload/sign_up.py`), handed to the sign-in by `app/main.py`."""

    def __call__(self, session: Session, *, identity: Identity, invitation: str) -> Account: ...


def sign_in(
    session: Session,
    *,
    provider: OidcProvider,
    identity: Identity,
    invitation: str | None,
    sign_up: InvitationSignUp | None,
) -> tuple[Account, bool]:
    """The account this identity signs in to, or a new one made by `sign_up` from the
    invitation if it has none; and whether this sign-in used the invitation."""
    account = account_for(session, issuer=identity.issuer, subject=identity.subject)
    if not provider.for_young_people:
        if account is None or account.role == Role.YOUNG_PERSON or not account.is_active:
            raise UnknownStaff()
        return account, False
    if account is not None:
        if active_young_person(account) is None:
            raise UnknownYoungPerson()
        return account, False
    if invitation is None or sign_up is None:
        raise UnknownYoungPerson()
    return sign_up(session, identity=identity, invitation=invitation), True


def _audit(
    actor: Account | None,
    subject_id: int | None,
    action: AuditAction,
    object_id: int | None,
    outcome: Outcome = Outcome.ALLOWED,
) -> AuditEvent:
    """The young person's own change to how they sign in (actor and subject alike)."""
    return audit.event(
        **access.audit_actor(actor),
        subject_id=subject_id,
        action=action,
        object_type=AUDIT_OBJECT,
        object_id=object_id,
        outcome=outcome,
        purpose=Purpose.ACCOUNT,
    )


def link_requested(
    session: Session,
    *,
    provider: OidcProvider,
    identity: Identity,
    flow: Flow,
    account: Account | None,
    session_binding: str | None,
) -> Account:
    """Link the identity to the young person who asked, on the provider's return: only if
    this browser is still signed in to that account with the same session, and the person
    signed in at the provider after asking. A refusal links nothing and is audited."""
    try:
        if account is None or not _same_session(provider, flow, account, session_binding):
            raise LinkNotConfirmed()
        started = flow.started_at - FRESH_SIGN_IN_LEEWAY_SECONDS
        if identity.auth_time is None or identity.auth_time < started:
            raise LinkNotFresh(params={"provider": provider.label})
        linked_already = _linked_already(
            session, provider=provider, identity=identity, account=account
        )
    except (LinkNotConfirmed, LinkNotFresh, IdentityTaken, AlreadyLinked) as error:
        error.keep = [
            _audit(account, flow.account_id, AuditAction.IDENTITY_LINK, None, Outcome.DENIED)
        ]
        raise
    if not linked_already:
        linked = link(session, account=account, issuer=identity.issuer, subject=identity.subject)
        session.add(_audit(account, account.id, AuditAction.IDENTITY_LINK, linked.id))
        session.flush()
    return account


def _same_session(
    provider: OidcProvider, flow: Flow, account: Account, session_binding: str | None
) -> bool:
    """Whether the young person who asked to link is still the one signed in, in the same
    browser session, and the provider is one of young people's."""
    return (
        account.id == flow.account_id
        and account.role == Role.YOUNG_PERSON
        and provider.for_young_people
        and bool(session_binding and flow.session_binding)
        and hmac.compare_digest(session_binding or "", flow.session_binding or "")
    )


def _linked_already(
    session: Session, *, provider: OidcProvider, identity: Identity, account: Account
) -> bool:
    """Whether the identity is the account's already; refused when it is someone else's,
    or the account has another one from the same provider."""
    owner = account_for(session, issuer=identity.issuer, subject=identity.subject)
    if owner is not None:
        if owner.id != account.id:
            raise IdentityTaken()
        return True
    mine = ExternalIdentity.account_id == account.id
    other = session.exec(
        select(ExternalIdentity.id).where(mine, ExternalIdentity.issuer == identity.issuer)
    ).first()
    if other is not None:
        raise AlreadyLinked(params={"provider": provider.label})
    return False


def password_works(account: Account) -> bool:
    """Whether the account can sign in with its username and password here."""
    enabled = service.local_accounts_enabled()
    return enabled and bool(account.username and account.password_hash)


def unlink(session: Session, *, account: Account, identity_id: int) -> ExternalIdentity:
    """Remove one of the account's own identities, unless it is its last way to sign in."""
    # One removal at a time per account, so two at once cannot remove the last two.
    session.exec(select(Account.id).where(Account.id == account.id).with_for_update()).one()
    identity = session.get(ExternalIdentity, identity_id)
    if identity is None:
        raise NotFound()
    if identity.account_id != account.id:  # someone else's: refused, audited, looks missing
        refusal = _audit(
            account, identity.account_id, AuditAction.IDENTITY_UNLINK, identity_id, Outcome.DENIED
        )
        raise NotFound(keep=[refusal])
    others = session.exec(
        select(func.count())
        .select_from(ExternalIdentity)
        .where(ExternalIdentity.account_id == account.id, ExternalIdentity.id != identity_id)
    ).one()
    if not others and not password_works(account):
        raise LastSignInMethod()
    session.delete(identity)
    session.add(_audit(account, account.id, AuditAction.IDENTITY_UNLINK, identity_id))
    session.flush()
    return identity


@dataclass(frozen=True)
class Linked:
    id: int
    issuer: str
    provider: OidcProvider | None  # None: no configured provider has this issuer now
    linked_at: datetime


@dataclass(frozen=True)
class SignInMethods:
    """How one account can sign in, and which providers it could link."""

    username: str | None  # set when the password works
    linked: list[Linked]
    linkable: list[OidcProvider]

    @property
    def count(self) -> int:
        return len(self.linked) + (1 if self.username else 0)


def sign_in_methods(
    session: Session, *, account: Account, issuers: Mapping[str, OidcProvider]
) -> SignInMethods:
    """`issuers`: the young people's providers by their issuer (from their metadata)."""
    rows = session.exec(
        select(ExternalIdentity)
        .where(ExternalIdentity.account_id == account.id)
        .order_by(col(ExternalIdentity.created_at), col(ExternalIdentity.id))
    ).all()
    linked = [Linked(saved_id(r.id), r.issuer, issuers.get(r.issuer), r.created_at) for r in rows]
    have = {row.issuer for row in rows}
    return SignInMethods(
        username=account.username if password_works(account) else None,
        linked=linked,
        linkable=[provider for issuer, provider in issuers.items() if issuer not in have],
    )
