"""The test provider is real: authorization code with PKCE over HTTP, and an ID token signed
with keys it publishes. (The harness the portal sign-in tests of issue 5 build on.)"""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Provider


@dataclass(frozen=True)
class Authorization:
    config: dict[str, Any]
    code: str
    verifier: str
    nonce: str


def sign_in_at_provider(provider: Provider, subject: str) -> Authorization:
    """Run the browser's part of the flow over plain HTTP, up to the redirect back to the app."""
    config = httpx.get(provider.discovery_url).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    query = urlencode(
        {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
    )
    with httpx.Client(base_url=provider.issuer) as browser:
        page = browser.get(f"{config['authorization_endpoint']}?{query}", follow_redirects=True)
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        assert action, page.text
        answer = browser.post(
            action.group(1), data={"prompt": "login", "login": subject, "password": "anything"}
        )
        while answer.status_code in (302, 303) and not answer.headers["location"].startswith(
            REDIRECT_URI
        ):
            answer = browser.get(answer.headers["location"])
        assert answer.headers["location"].startswith(REDIRECT_URI), answer.text
    returned = parse_qs(urlparse(answer.headers["location"]).query)
    assert returned["state"] == [state]
    return Authorization(config, returned["code"][0], verifier, nonce)


def test_code_flow_with_pkce_gives_a_signed_id_token(oidc_provider: Provider) -> None:
    signed_in = sign_in_at_provider(oidc_provider, "young-person-17")
    config, code, verifier, nonce = (
        signed_in.config,
        signed_in.code,
        signed_in.verifier,
        signed_in.nonce,
    )
    tokens = httpx.post(
        config["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
    ).json()
    keys = KeySet.import_key_set(httpx.get(config["jwks_uri"]).json())
    token = jwt.decode(tokens["id_token"], keys, algorithms=["RS256"])
    claims = token.claims
    assert claims["iss"] == oidc_provider.issuer and claims["aud"] == CLIENT_ID
    assert claims["sub"] == "young-person-17" and claims["nonce"] == nonce
    # Without the PKCE verifier the code is refused.
    refused = httpx.post(
        config["token_endpoint"],
        auth=(CLIENT_ID, CLIENT_SECRET),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
    )
    assert refused.status_code == 400
