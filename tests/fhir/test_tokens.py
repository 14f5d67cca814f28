"""The issuer's keys are cached, fetched again on an unknown key id (a rotation), and not
fetched again and again for made-up key ids. The keys are served over real HTTP."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from app.core.config import get_settings
from app.fhir import tokens
from tests.oidc.provider import RESOURCE

ISSUER = "https://portal.test"


class KeyServer:
    """Publishes a JWKS document over HTTP and counts how often it is fetched."""

    def __init__(self) -> None:
        self.keys: list[RSAKey] = []
        self.fetched = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetched += 1
                body = json.dumps({"keys": [k.as_dict(private=False) for k in server.keys]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/jwks"


@pytest.fixture
def key_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyServer]:
    server = KeyServer()
    thread = threading.Thread(target=server.http.serve_forever, daemon=True)
    thread.start()
    settings = get_settings()
    monkeypatch.setattr(settings, "fhir_issuer", ISSUER)
    monkeypatch.setattr(settings, "fhir_audience", RESOURCE)
    monkeypatch.setattr(settings, "fhir_jwks_url", server.url)
    yield server
    server.http.shutdown()
    server.http.server_close()


def token(key: RSAKey, subject: str = "someone") -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": RESOURCE, "sub": subject, "iat": now, "exp": now + 60}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_keys_are_cached_and_fetched_again_on_rotation(key_server: KeyServer) -> None:
    cache = tokens.KeyCache(cooldown=0.3)
    old, new = (RSAKey.generate_key(2048, parameters={"kid": kid}) for kid in ("old", "new"))
    key_server.keys = [old]
    assert tokens.validate(token(old), cache=cache).subject == "someone"
    assert tokens.validate(token(old), cache=cache).subject == "someone"
    assert key_server.fetched == 1

    key_server.keys = [new]  # the issuer rotates its key
    time.sleep(0.35)
    assert tokens.validate(token(new), cache=cache).subject == "someone"
    assert key_server.fetched == 2


def test_made_up_key_ids_do_not_hammer_the_issuer(key_server: KeyServer) -> None:
    cache = tokens.KeyCache(cooldown=60)
    real = RSAKey.generate_key(2048, parameters={"kid": "real"})
    key_server.keys = [real]
    assert tokens.validate(token(real), cache=cache)
    for n in range(5):
        stranger = RSAKey.generate_key(2048, parameters={"kid": f"made-up-{n}"})
        with pytest.raises(tokens.TokenRefused, match="unknown key"):
            tokens.validate(token(stranger), cache=cache)
    assert key_server.fetched == 1


def test_keys_older_than_max_age_are_fetched_again(key_server: KeyServer) -> None:
    cache = tokens.KeyCache(max_age=0.2, cooldown=60)
    key = RSAKey.generate_key(2048, parameters={"kid": "k"})
    key_server.keys = [key]
    tokens.validate(token(key), cache=cache)
    time.sleep(0.25)
    tokens.validate(token(key), cache=cache)
    assert key_server.fetched == 2
