"""Start a real OpenID Connect provider process (npm `oidc-provider`) on 127.0.0.1,
and walk a person's browser through it over plain HTTP."""

import base64
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from joserfc.jwk import RSAKey

SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "mylife"
CLIENT_SECRET = "mylife-test-secret"
PORTAL_CLIENT_ID = "national-portal"
PORTAL_CLIENT_SECRET = "portal-test-secret"
PORTAL_REDIRECT_URI = "http://127.0.0.1/portal/callback"
RESOURCE = "http://testserver/fhir/R4"
SMART_SCOPES = (
    "patient/Questionnaire.read",
    "patient/QuestionnaireResponse.read",
    "patient/QuestionnaireResponse.write",
    "patient/CarePlan.read",
    "patient/Goal.read",
)
# One TLS context for every HTTP client here (they talk plain HTTP, but each new httpx client
# would otherwise load the CA bundle again: about 20 ms of CPU).
TLS = httpx.create_ssl_context()


@dataclass(frozen=True)
class Provider:
    issuer: str
    discovery_url: str
    signing_key: RSAKey  # the provider's own private key, for forging tokens in tests

    def config(self) -> dict[str, Any]:
        return dict(httpx.get(self.discovery_url, verify=TLS).json())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_provider(
    *, redirect_uris: list[str], post_logout_uris: list[str]
) -> Iterator[Provider]:
    node = shutil.which("node")
    assert node, "node is needed for the OpenID Connect provider (make test installs it)"
    port = free_port()
    key = RSAKey.generate_key(2048, parameters={"kid": f"provider-{port}"})
    env = {
        **os.environ,
        "PORT": str(port),
        "REDIRECT_URIS": ",".join(redirect_uris),
        "POST_LOGOUT_URIS": ",".join(post_logout_uris),
        "SIGNING_JWK": json.dumps(key.as_dict(private=True)),
        "RESOURCE": RESOURCE,
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}"
    discovery = f"{issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                if httpx.get(discovery, timeout=1, verify=TLS).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"the OpenID Connect provider did not start:\n{output}")
            time.sleep(0.1)
        yield Provider(issuer=issuer, discovery_url=discovery, signing_key=key)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def log_in(browser: httpx.Client, page: httpx.Response, subject: str) -> httpx.Response:
    """Fill the provider's login form (any name is a subject; the password is not checked)."""
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action, page.text
    return browser.post(
        action.group(1), data={"prompt": "login", "login": subject, "password": "anything"}
    )


def follow_until(browser: httpx.Client, answer: httpx.Response, prefix: str) -> httpx.Response:
    """Follow the provider's redirects until one points back at `prefix`."""
    while answer.status_code in (302, 303) and not answer.headers["location"].startswith(prefix):
        answer = browser.get(answer.headers["location"])
    assert answer.headers.get("location", "").startswith(prefix), answer.text
    return answer


def portal_access_token(
    provider: Provider, subject: str, scopes: tuple[str, ...] = SMART_SCOPES
) -> str:
    """What the national portal does: the person signs in, the portal gets a JWT access
    token for MyLife's FHIR API with the SMART scopes it asked for."""
    config = provider.config()
    verifier = base64.urlsafe_b64encode(os.urandom(48)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = urlencode(
        {
            "client_id": PORTAL_CLIENT_ID,
            "redirect_uri": PORTAL_REDIRECT_URI,
            "response_type": "code",
            "scope": " ".join(("openid", *scopes)),
            "resource": RESOURCE,
            "state": "portal-state",
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
    )
    with httpx.Client(base_url=provider.issuer, verify=TLS) as browser:
        page = browser.get(f"{config['authorization_endpoint']}?{query}", follow_redirects=True)
        answer = follow_until(browser, log_in(browser, page, subject), PORTAL_REDIRECT_URI)
    code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
    tokens = httpx.post(
        config["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": PORTAL_REDIRECT_URI,
            "code_verifier": verifier,
            "resource": RESOURCE,
        },
        auth=(PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET),
        verify=TLS,
    )
    assert tokens.status_code == 200, tokens.text
    return str(tokens.json()["access_token"])
