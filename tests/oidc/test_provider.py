"""The test provider is real: it publishes its keys and issues signed JWT access tokens
for the FHIR API's resource indicator, with the SMART scopes the portal asked for."""

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc.provider import PORTAL_CLIENT_ID, RESOURCE, Provider, portal_access_token


def test_the_portal_gets_a_signed_jwt_access_token(oidc_provider: Provider) -> None:
    token = portal_access_token(oidc_provider, "young-person-17", ("patient/Goal.read",))
    keys = KeySet.import_key_set(httpx.get(oidc_provider.config()["jwks_uri"]).json())
    claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
    assert claims["iss"] == oidc_provider.issuer and claims["aud"] == RESOURCE
    assert claims["sub"] == "young-person-17" and claims["client_id"] == PORTAL_CLIENT_ID
    assert claims["scope"].split() == ["patient/Goal.read"]
