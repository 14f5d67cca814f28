"""Use cases for accounts and sign-in sessions. Flushes, never commits."""

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.auth.errors import LocalAccountsDisabled, SignInFailed, TooManyAttempts, WeakPassword
from app.auth.models import Account, AuthSession, CaseAssignment, Role, SignInFailure
from app.core.config import get_settings
from app.core.security import hash_password, token_digest, verify_password
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


def create_local_account(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    locale: str | None = None,
    birth_date: date | None = None,
) -> Account:
    check_password(password)
    account = Account(
        username=normalise_username(username),
        password_hash=hash_password(password),
        display_name=display_name,
        role=role,
        locale=locale,
        birth_date=birth_date,
    )
    session.add(account)
    session.flush()
    return account


FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 10  # from one client, for one username
MAX_FAILURES_PER_CLIENT = 50  # from one client, for any usernames


def _failures(session: Session, *, since: datetime, **match: str) -> int:
    conditions = [getattr(SignInFailure, key) == value for key, value in match.items()]
    statement = (
        select(func.count())
        .select_from(SignInFailure)
        .where(col(SignInFailure.at) > since, *conditions)
    )
    return int(session.exec(statement).one())


def authenticate(session: Session, *, username: str, password: str, client: str) -> Account:
    """The account for a username and password; guessing is slowed down per client."""
    if not get_settings().local_accounts_enabled:
        raise LocalAccountsDisabled()
    name = token_digest(normalise_username(username))
    client = client[:64]
    now = utcnow()
    since = now - FAILURE_WINDOW
    if (
        _failures(session, since=since, username_digest=name, client=client)
        >= MAX_FAILURES_PER_NAME
        or _failures(session, since=since, client=client) >= MAX_FAILURES_PER_CLIENT
    ):
        raise TooManyAttempts()
    account = session.exec(
        select(Account).where(Account.username == normalise_username(username))
    ).first()
    hashed = account.password_hash if account and account.is_active else None
    if not verify_password(hashed, password) or account is None:
        session.execute(delete(SignInFailure).where(col(SignInFailure.at) <= since))
        session.add(SignInFailure(at=now, username_digest=name, client=client))
        session.flush()
        raise SignInFailed()
    session.execute(
        delete(SignInFailure).where(
            col(SignInFailure.username_digest) == name, col(SignInFailure.client) == client
        )
    )
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
    """The account behind a session token, if it is still valid."""
    row = session.get(AuthSession, token_digest(token))
    now = utcnow()
    idle = timedelta(seconds=get_settings().session_idle_seconds)
    if row is None or row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.is_active:
        return None
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


def assign_case(session: Session, *, case_manager: Account, young_person: Account) -> None:
    exists = session.exec(
        select(CaseAssignment).where(
            CaseAssignment.case_manager_id == case_manager.id,
            CaseAssignment.young_person_id == young_person.id,
        )
    ).first()
    if exists is None:
        session.add(
            CaseAssignment(
                case_manager_id=saved_id(case_manager.id),
                young_person_id=saved_id(young_person.id),
            )
        )
        session.flush()
