"""A real OpenID Connect provider process (npm `oidc-provider`) on 127.0.0.1 for the tests."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import free_port

SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "mylife"
CLIENT_SECRET = "mylife-test-secret"
REDIRECT_URI = "http://testserver/auth/oidc/portal/callback"


@dataclass(frozen=True)
class Provider:
    issuer: str
    discovery_url: str


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    node = shutil.which("node")
    assert node, "node is needed for the OpenID Connect provider (make test installs it)"
    port = free_port()
    env = {**os.environ, "PORT": str(port), "REDIRECT_URIS": REDIRECT_URI}
    process = subprocess.Popen(
        [node, str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}"
    discovery = f"{issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                if httpx.get(discovery, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"the OpenID Connect provider did not start:\n{output}")
            time.sleep(0.1)
        yield Provider(issuer=issuer, discovery_url=discovery)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
