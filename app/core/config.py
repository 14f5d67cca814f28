"""One Settings object for the whole service (environment prefix MYLIFE_)."""

import json
import re
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.bounds import PHONE_NUMBER

ROOT = Path(__file__).resolve().parents[2]
SigningAlgorithm = Literal[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"
]
DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"


class Audience(StrEnum):
    """Who signs in through a provider."""

    YOUNG_PEOPLE = "young_people"  # the national portal's provider
    STAFF = "staff"  # an organisation's provider


class OidcProvider(BaseModel):
    """An OpenID Connect provider people sign in with.

    `audience` says who signs in through it: young people (the national portal's
    provider) or staff (an organisation's provider). Only identities linked to an
    account of that kind are let in.
    """

    name: str = Field(pattern=r"^[a-z0-9-]{1,40}$")  # in the callback address
    label: str = Field(min_length=1, max_length=80)  # shown on the sign-in button
    audience: Audience
    discovery_url: str  # https://provider/.well-known/openid-configuration
    client_id: str
    client_secret: str = ""  # empty: a public client (PKCE only)
    scopes: str = "openid profile"

    @property
    def for_young_people(self) -> bool:
        return self.audience == Audience.YOUNG_PEOPLE


class HelpContact(BaseModel):
    """Somewhere a young person can turn right now, offered in the help box (shown while
    their latest answers on coping or self-esteem are very low). Texts and numbers are given
    by language ({"fi": ..., "sv": ..., "en": ...}); the reader's is shown, else English,
    else the first one."""

    name: dict[str, str] = Field(min_length=1)
    detail: dict[str, str] = {}  # who it is for, when it is open
    # Tap-to-call numbers (digits, spaces, a leading +), by language: one, or several, the
    # reader's own language's line first (the detail says which is which).
    phone: dict[str, str | list[str]] = {}
    url: str | None = Field(default=None, pattern=r"^https://[^\s\"'<>]+$")
    # Offered only to the young people of a case manager working there (`Account.organisation`)
    # as the way to reach them: the office's number, say. None: offered to everyone.
    organisation: str | None = None

    @field_validator("name", "detail", "phone")
    @classmethod
    def _by_language(cls, value: dict[str, object]) -> dict[str, object]:
        if not set(value) <= {"fi", "sv", "en"}:
            raise ValueError("give texts by language: fi, sv, en")
        return value

    @field_validator("phone")
    @classmethod
    def _dialable(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for numbers in value.values():
            for number in [numbers] if isinstance(numbers, str) else numbers:
                if not re.fullmatch(PHONE_NUMBER, number):
                    raise ValueError(f"not a phone number: {number!r}")
        return value


def national_help_contacts() -> list[HelpContact]:
    """The Finnish national services (help_contacts.json): the emergency number, MIELI's
    crisis helpline, the Sekasin chat."""
    document = json.loads((Path(__file__).parent / "help_contacts.json").read_text())
    return [HelpContact.model_validate(contact) for contact in document]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MYLIFE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Where people reach the service: every absolute link (invitations, FHIR canonical URLs,
    # OpenID Connect redirects) is built from it, never from the request's Host header.
    public_url: str = "http://127.0.0.1:8000"
    # Other Host values this service answers to (e.g. "localhost:8000"); the public URL's host
    # is always one. A request naming any other host is refused.
    trusted_hosts: list[str] = []
    # The largest request body accepted (bytes); a larger one is refused with 413.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    database_url: str = f"sqlite:///{ROOT / 'var' / 'mylife.sqlite3'}"
    # Migrations connect as the role that owns the schema (PostgreSQL); unset: database_url.
    migration_database_url: str | None = None
    secret_key: str = Field(default=DEV_SECRET, min_length=32)
    session_max_age_seconds: int = 8 * 3600
    session_idle_seconds: int = 2 * 3600
    local_accounts_enabled: bool = True
    # Argon2id cost of password hashes (RFC 9106's second recommended option by default).
    # Tests lower it; production keeps the default. Old hashes are rehashed at sign-in.
    password_time_cost: int = Field(default=3, ge=1, le=20)
    password_memory_kib: int = Field(default=65536, ge=64, le=4 * 1024 * 1024)
    # Password sign-ins that may fail in 15 minutes from one client address (an IPv6
    # client: its /64 network) and in the whole service, before further attempts wait
    # (browsers where the account has signed in before never do). Generous, so that a
    # school behind one address, or a busy morning, is not slowed by typos.
    sign_in_address_limit: int = Field(default=100, ge=1)
    sign_in_total_limit: int = Field(default=1000, ge=1)
    default_locale: Literal["fi", "sv", "en"] = "fi"
    log_sql: bool = False
    # JSON list of OidcProvider, e.g. MYLIFE_OIDC_PROVIDERS='[{"name": "portal", ...}]'
    oidc_providers: list[OidcProvider] = []
    # The FHIR API (/fhir/R4) accepts bearer tokens from this issuer only; unset, it is off.
    fhir_issuer: str | None = None
    # The `aud` the tokens must carry: this API's resource identifier.
    fhir_audience: str = ""
    # Where the issuer's keys are; default: `jwks_uri` from the issuer's discovery document.
    fhir_jwks_url: str | None = None
    # Public-key algorithms only: `none` and shared-secret (HS*) tokens are never accepted.
    fhir_algorithms: list[SigningAlgorithm] = ["RS256", "PS256", "ES256"]
    # Where the help box sends a young person (JSON list of HelpContact), e.g.
    # MYLIFE_HELP_CONTACTS='[{"name": {"fi": "Nuorten palvelut"}, "phone": {"fi": "017 123 456"},
    # "organisation": "Kuopio youth services"}, ...]'. Default: the Finnish national services.
    help_contacts: list[HelpContact] = Field(default_factory=national_help_contacts)

    @field_validator("public_url")
    @classmethod
    def _origin_only(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("give the service's address, e.g. https://mylife.example")
        if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
            raise ValueError("give only the scheme, host and port, e.g. https://mylife.example")
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """Host header values this service answers to."""
        return _hosts(self.public_url, tuple(self.trusted_hosts))[0]

    @property
    def allowed_origins(self) -> frozenset[str]:
        """Origins whose pages are this service's own (the public URL, and trusted hosts)."""
        return _hosts(self.public_url, tuple(self.trusted_hosts))[1]

    def absolute_url(self, path: str) -> str:
        """An absolute link to a path of this service, from the configured public URL."""
        return self.public_url + "/" + path.lstrip("/")

    def oidc_provider(self, name: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.name == name), None)

    @property
    def young_people_providers(self) -> list[OidcProvider]:
        """The providers young people sign in with (the national portal's)."""
        return [provider for provider in self.oidc_providers if provider.for_young_people]

    @property
    def oidc_origins(self) -> list[str]:
        """The providers' origins (scheme, host, port)."""
        parts = [urlsplit(provider.discovery_url) for provider in self.oidc_providers]
        return sorted({f"{part.scheme}://{part.netloc}" for part in parts})

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"


@lru_cache(maxsize=8)
def _hosts(public_url: str, trusted: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The allowed hosts and origins, worked out once per configuration (every request
    checks them)."""
    scheme, netloc = urlsplit(public_url)[:2]
    hosts = frozenset([netloc, *(host.lower() for host in trusted)])
    return hosts, frozenset(f"{scheme}://{host}" for host in hosts)


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if settings.environment == "production" and settings.secret_key == DEV_SECRET:
        raise RuntimeError("MYLIFE_SECRET_KEY must be set in production")
    if settings.environment == "production" and not settings.public_url.startswith("https://"):
        raise RuntimeError("MYLIFE_PUBLIC_URL must be set to the service's https:// address")
    return settings
