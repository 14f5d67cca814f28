"""Use cases for accounts and sign-in sessions. Flushes, never commits."""

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.auth import throttle
from app.auth.errors import LocalAccountsDisabled, NotDialable, SignInFailed, WeakPassword
from app.auth.models import Account, AuthSession, CaseAssignment, Role
from app.core.bounds import PHONE_NUMBER, storable_text
from app.core.config import get_settings
from app.core.errors import FieldError, InvalidInput, TextTooLong
from app.core.schemas import max_length
from app.core.security import hash_password, needs_rehash, token_digest, verify_password
from app.core.types import saved_id, utcnow

MIN_PASSWORD_LENGTH = 10
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(field="password", params={"min": MIN_PASSWORD_LENGTH})


def username_taken(session: Session, *, username: str) -> bool:
    found = session.exec(
        select(Account.id).where(Account.username == normalise_username(username))
    ).first()
    return found is not None


def hash_new_password(password: str) -> str:
    """Check a new password and hash it. Slow on purpose (Argon2): a request calls it
    before its first statement, so no write transaction is held open meanwhile."""
    check_password(password)
    return hash_password(password)


def create_local_account(
    session: Session,
    *,
    username: str,
    password: str = "",
    password_hash: str | None = None,
    display_name: str,
    role: Role,
    locale: str | None = None,
    birth_date: date | None = None,
) -> Account:
    """A password account; `password_hash` from hash_new_password, or `password` to hash."""
    account = Account(
        username=normalise_username(username),
        password_hash=password_hash or hash_new_password(password),
        display_name=display_name,
        role=role,
        locale=locale,
        birth_date=birth_date,
    )
    session.add(account)
    session.flush()
    return account


@dataclass(frozen=True)
class SignInAttempt:
    """A password sign-in between its three steps: counted (reading the stored hash),
    checked with no transaction open, then settled."""

    username: str
    counted: tuple[throttle.Counter, ...]
    account_id: int | None  # None: no such active account (a dummy hash is checked)
    password_hash: str | None
    verified: bool = False
    new_hash: str | None = None  # the same password hashed at today's cost

    @property
    def account_key(self) -> str:
        return throttle.account_key(self.username)


def local_accounts_enabled() -> bool:
    """Whether password accounts are in use here: signing in and signing up with them."""
    return get_settings().local_accounts_enabled


def require_local_accounts() -> None:
    """Refuse (as not found) signing in or signing up with a password where it is off."""
    if not local_accounts_enabled():
        raise LocalAccountsDisabled()


def begin_sign_in(
    session: Session, *, username: str, client: str, device: throttle.KnownDevice | None
) -> SignInAttempt:
    """Count the attempt before its password is checked (TooManyAttempts when it has to
    wait) and read the stored hash. Whether the account exists changes nothing here."""
    require_local_accounts()
    name, now = normalise_username(username), utcnow()
    counters = throttle.counters_for(username=name, client=client, device=device, now=now)
    throttle.count_attempt(session, counters, now)
    found = session.exec(
        select(Account.id, Account.password_hash).where(
            Account.username == name, col(Account.is_active).is_(True)
        )
    ).first()
    account_id, hashed = found if found is not None else (None, None)
    return SignInAttempt(name, counters, account_id, hashed)


def check_sign_in(attempt: SignInAttempt, password: str) -> SignInAttempt:
    """Verify the password (against a dummy hash when there is no account, so the time
    taken does not tell). Uses no database: the caller runs it with no transaction open."""
    verified = verify_password(attempt.password_hash, password) and attempt.account_id is not None
    stale = verified and attempt.password_hash is not None and needs_rehash(attempt.password_hash)
    return replace(attempt, verified=verified, new_hash=hash_password(password) if stale else None)


def finish_sign_in(session: Session, attempt: SignInAttempt) -> Account:
    """The account of a verified attempt; its count starts over and an old-cost hash is
    replaced. A failure was counted when the attempt began: nothing is written."""
    if not attempt.verified or attempt.account_id is None:
        raise SignInFailed()
    account = session.get(Account, attempt.account_id, populate_existing=True)
    if (
        account is None
        or not account.is_active
        or account.password_hash != attempt.password_hash  # changed meanwhile
    ):
        raise SignInFailed()
    throttle.forgive(session, attempt.counted)
    if attempt.new_hash:
        account.password_hash = attempt.new_hash
        session.add(account)
    session.flush()
    return account


def start_session(
    session: Session, *, account: Account, provider: str | None = None, id_token: str | None = None
) -> str:
    """Open a sign-in session; returns the raw token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    max_age = timedelta(seconds=get_settings().session_max_age_seconds)
    session.add(
        AuthSession(
            id=token_digest(token),
            account_id=saved_id(account.id),
            last_seen_at=now,
            expires_at=now + max_age,
            provider=provider,
            id_token=id_token,
        )
    )
    session.flush()
    return token


def resume_session(session: Session, *, token: str) -> Account | None:
    """The account behind a session token, if it is still valid: read with its session in
    one query, on every request (a revoked session or a deactivated account ends at once)."""
    now = utcnow()
    idle = timedelta(seconds=get_settings().session_idle_seconds)
    found = session.exec(
        select(AuthSession, Account)
        .join(Account, col(Account.id) == col(AuthSession.account_id))
        .where(
            AuthSession.id == token_digest(token),
            col(AuthSession.expires_at) > now,
            col(AuthSession.last_seen_at) > now - idle,
            col(Account.is_active).is_(True),
        )
    ).first()
    if found is None:
        return None
    row, account = found
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        session.add(row)
    return account


def end_session(session: Session, *, token: str) -> AuthSession | None:
    """End a sign-in session; returns it, for signing out at its provider too."""
    row = session.get(AuthSession, token_digest(token))
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def set_locale(session: Session, *, account: Account, locale: str) -> None:
    account.locale = locale
    session.add(account)
    session.flush()


def set_contact(session: Session, *, account: Account, phone: str, note: str) -> None:
    """How a staff member's young people reach them; empty text clears a field. Refuses a
    number a phone cannot dial, or text over its column, naming each field."""
    phone, note = " ".join(storable_text("contact_phone", phone).split()), note.strip()
    problems = []
    if phone and not re.fullmatch(PHONE_NUMBER, phone):
        problems.append(FieldError("contact_phone", NotDialable.message))
    limit = max_length(Account, "contact_note")
    if len(storable_text("contact_note", note)) > limit:
        problems.append(
            FieldError("contact_note", TextTooLong.message, {"max": limit, "length": len(note)})
        )
    if problems:
        raise InvalidInput(errors=problems)
    account.contact_phone, account.contact_note = phone or None, note or None
    session.add(account)
    session.flush()


def assign_case(session: Session, *, case_manager: Account, young_person: Account) -> int:
    """The person in the case manager's caseload (once); the assignment's id."""
    exists = session.exec(
        select(CaseAssignment).where(
            CaseAssignment.case_manager_id == case_manager.id,
            CaseAssignment.young_person_id == young_person.id,
        )
    ).first()
    if exists is None:
        exists = CaseAssignment(
            case_manager_id=saved_id(case_manager.id), young_person_id=saved_id(young_person.id)
        )
        session.add(exists)
        session.flush()
    return saved_id(exists.id)


def account(session: Session, account_id: int) -> Account | None:
    """An account by its id (the caller checks what it may do with it)."""
    return session.get(Account, account_id)


def young_people_of(
    session: Session, *, manager_id: int, person_id: int | None = None
) -> list[Account]:
    """The young people in a case manager's caseload (or the one of them, `person_id`), by
    name, in one query."""
    statement = (
        select(Account)
        .join(CaseAssignment, col(CaseAssignment.young_person_id) == col(Account.id))
        .where(CaseAssignment.case_manager_id == manager_id)
        .order_by(col(Account.display_name), col(Account.id))
    )
    if person_id is not None:
        statement = statement.where(col(Account.id) == person_id)
    return list(session.exec(statement).all())


def case_managers(
    session: Session, person_ids: Collection[int], *, besides: int | None = None
) -> dict[int, list[tuple[Account, datetime]]]:
    """Each person's case managers with the moment each took them on, the longest-standing
    first, by person, in one query; `besides` left out (the caller checks access)."""
    if not person_ids:
        return {}
    statement = (
        select(CaseAssignment.young_person_id, Account, CaseAssignment.created_at)
        .join(Account, col(Account.id) == col(CaseAssignment.case_manager_id))
        .where(col(CaseAssignment.young_person_id).in_(person_ids))
        .order_by(col(CaseAssignment.created_at), col(CaseAssignment.id))
    )
    if besides is not None:
        statement = statement.where(CaseAssignment.case_manager_id != besides)
    found: dict[int, list[tuple[Account, datetime]]] = {}
    for person_id, manager, since in session.exec(statement):
        found.setdefault(person_id, []).append((manager, since))
    return found


def case_managers_of(session: Session, *, person_id: int) -> list[Account]:
    """A young person's case managers, the longest-standing first (the caller checks access)."""
    return [manager for manager, _since in case_managers(session, [person_id]).get(person_id, [])]
