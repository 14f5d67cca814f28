"""Two real OpenID Connect provider processes: the national portal's (young people, and the
tokens the portal calls the FHIR API with) and an organisation's (staff)."""

from collections.abc import Iterator

import pytest

from app.core.config import OidcProvider, get_settings
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, RESOURCE, Provider, running_provider

APP = "http://testserver"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    with running_provider(
        redirect_uris=[f"{APP}/auth/oidc/portal/callback"], post_logout_uris=[f"{APP}/signin"]
    ) as provider:
        yield provider


@pytest.fixture(scope="session")
def staff_provider() -> Iterator[Provider]:
    with running_provider(
        redirect_uris=[f"{APP}/auth/oidc/organisation/callback"],
        post_logout_uris=[f"{APP}/signin"],
    ) as provider:
        yield provider


def provider_settings(name: str, label: str, audience: str, provider: Provider) -> OidcProvider:
    return OidcProvider.model_validate(
        {
            "name": name,
            "label": label,
            "audience": audience,
            "discovery_url": provider.discovery_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
    )


@pytest.fixture
def portal(
    monkeypatch: pytest.MonkeyPatch, oidc_provider: Provider, staff_provider: Provider
) -> Provider:
    """MyLife configured as in production: both providers, and the portal's FHIR tokens."""
    settings = get_settings()
    providers = [
        provider_settings("portal", "Omaolo", "young_people", oidc_provider),
        provider_settings("organisation", "Kuopio", "staff", staff_provider),
    ]
    monkeypatch.setattr(settings, "oidc_providers", providers)
    monkeypatch.setattr(settings, "fhir_issuer", oidc_provider.issuer)
    monkeypatch.setattr(settings, "fhir_audience", RESOURCE)
    return oidc_provider
