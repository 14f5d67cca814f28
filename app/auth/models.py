"""Accounts, linked external identities, sign-in sessions and case assignments."""

from datetime import date, datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.columns import foreign_key
from app.core.i18n import N_, Labelled
from app.core.types import UTCDateTime, utcnow


class Role(Labelled):
    """An account's role; `Role.CASE_MANAGER.label` is its name in the reader's language."""

    YOUNG_PERSON = "young_person", N_("young person")
    CASE_MANAGER = "case_manager", N_("case manager")
    MANAGER = "manager", N_("manager")
    ADMIN = "admin", N_("administrator")


class AccountBase(SQLModel):
    display_name: str = Field(max_length=120)
    role: Role = Field(sa_type=String(20))
    locale: str | None = Field(default=None, max_length=5)
    birth_date: date | None = None


class Account(AccountBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Local sign-in name; null for accounts that only sign in through OIDC.
    username: str | None = Field(default=None, max_length=80, unique=True)
    password_hash: str | None = Field(default=None, max_length=255)
    # Where a staff member works, shown beside their name ("Kuopio youth services").
    organisation: str | None = Field(default=None, max_length=120)
    # How the young people of a staff member reach them, as they set it themselves: a
    # tap-to-call number (`app.core.bounds.PHONE_NUMBER`) and a note (hours, other ways).
    contact_phone: str | None = Field(default=None, max_length=25)
    contact_note: str | None = Field(default=None, max_length=200)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExternalIdentity(SQLModel, table=True):
    """An OpenID Connect identity (issuer + subject) linked to one account."""

    __tablename__ = "external_identity"
    # An identity belongs to one account, and an account has one identity per issuer.
    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        Index("uq_external_identity_account_issuer", "account_id", "issuer", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = foreign_key("account.id")
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a token; only its digest is stored."""

    __tablename__ = "auth_session"

    id: str = Field(primary_key=True, max_length=64)
    account_id: int = foreign_key("account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    # Set when signed in through OpenID Connect: the provider, and the ID token
    # that signing out hands back to it (RP-initiated logout).
    provider: str | None = Field(default=None, max_length=40)
    id_token: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class CaseAssignment(SQLModel, table=True):
    """A young person in a case manager's caseload."""

    __tablename__ = "case_assignment"
    __table_args__ = (UniqueConstraint("case_manager_id", "young_person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_manager_id: int = foreign_key("account.id")
    young_person_id: int = foreign_key("account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignInCounter(SQLModel, table=True):
    """Password sign-in attempts within one time window, for one subject of a throttle.

    The subject is an account (a keyed digest of its username, whether or not it
    exists), a known device's claim to an account, a client address, or "all".
    An attempt is counted before its password is checked, in one statement, so
    parallel guesses queue on the row instead of all slipping through.
    """

    __tablename__ = "sign_in_counter"

    kind: str = Field(primary_key=True, max_length=10)
    subject: str = Field(primary_key=True, max_length=64)
    window_start: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    attempts: int = 0
    # The next attempt in this window waits until then (the growing delay).
    not_before: datetime = Field(sa_type=UTCDateTime)
    # When the window has ended; from then on the row is only waiting to be swept away.
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
