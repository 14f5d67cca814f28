"""The portal's FHIR read, as a ratio against a bare endpoint of the same app, same run.

Starts the app (uvicorn, one worker) on a fresh database with the demo data,
configured to accept tokens from an issuer whose keys this script serves over
HTTP; links demo Aino to a portal identity; then drives `/healthz` and
`GET /fhir/R4/QuestionnaireResponse?subject=…` (bearer JWT checked on every
request, the search audited, every assessment rendered as FHIR) with the same
concurrent client. Not a test: nothing is asserted.

    .venv/bin/python bench/fhir_read.py [--requests 2000] [--concurrency 8]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from autosave import ROOT, drive, drop_database, free_port, fresh_database, report, start_server
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy.engine import make_url

ISSUER = "https://portal.bench"
AUDIENCE = "https://mylife.bench/fhir/R4"
SUBJECT = "aino-in-the-portal"


def serve_keys(key: RSAKey) -> tuple[ThreadingHTTPServer, str]:
    body = json.dumps({"keys": [key.as_dict(private=False)]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/jwks"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    key = RSAKey.generate_key(2048, parameters={"kid": "bench"})
    keys, jwks_url = serve_keys(key)
    os.environ.update(
        MYLIFE_FHIR_ISSUER=ISSUER, MYLIFE_FHIR_AUDIENCE=AUDIENCE, MYLIFE_FHIR_JWKS_URL=jwks_url
    )
    url, created = fresh_database()
    port = free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        link = ["identity", "link", "--username", "aino", "--issuer", ISSUER, "--subject", SUBJECT]
        env = {**os.environ, "MYLIFE_DATABASE_URL": url, "MYLIFE_ENVIRONMENT": "test"}
        subprocess.run([sys.executable, "-m", "app.cli", *link], cwd=ROOT, env=env, check=True)
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": SUBJECT,
            "iat": now,
            "exp": now + 3600,
            "client_id": "bench",
            "scope": "patient/QuestionnaireResponse.read",
        }
        token = jwt.encode({"alg": "RS256", "kid": "bench"}, claims, key)
        auth = {"Authorization": f"Bearer {token}"}
        found = httpx.get(f"{base}/fhir/R4/QuestionnaireResponse", headers=auth).json()

        async def bare(client: httpx.AsyncClient, _number: int) -> httpx.Response:
            return await client.get("/healthz")

        async def fhir(client: httpx.AsyncClient, _number: int) -> httpx.Response:
            return await client.get("/fhir/R4/QuestionnaireResponse", headers=auth)

        asyncio.run(drive(base, 200, args.concurrency, bare))  # warm up
        results = {
            "database": make_url(url).get_backend_name(),
            "concurrency": args.concurrency,
            "responses_per_search": found["total"],
            "bare": asyncio.run(drive(base, args.requests, args.concurrency, bare)),
            "fhir_search": asyncio.run(drive(base, args.requests, args.concurrency, fhir)),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        keys.shutdown()
        drop_database(created)
    report(results, "fhir_search")


if __name__ == "__main__":
    main()
