"""Autosave throughput and latency, as a ratio against a bare endpoint of the same app.

Starts the app with uvicorn (one worker) on a fresh, migrated database with the
demo data, then drives two endpoints with the same concurrent client in the same
run: the bare `/healthz` (same middleware and database session, no work) and the
htmx autosave of one answer. Prints requests per second and p95 for each, and
their ratios. Not a test: nothing is asserted.

    .venv/bin/python bench/autosave.py [--requests 2000] [--concurrency 8]
    MYLIFE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test ...
"""

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_database() -> tuple[str, str | None]:
    server = os.environ.get("MYLIFE_BENCH_DATABASE_URL")
    if not server:
        return f"sqlite:///{tempfile.mkdtemp(prefix='mylife-bench-')}/bench.sqlite3", None
    name = f"mylife_bench_{os.getpid()}"
    with create_engine(server, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str | None) -> None:
    server = os.environ.get("MYLIFE_BENCH_DATABASE_URL")
    if server and name:
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MYLIFE_DATABASE_URL": url, "MYLIFE_ENVIRONMENT": "test"}
    python = sys.executable
    subprocess.run(
        [python, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [python, "-m", "app.cli", "demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    command = [
        python,
        "-m",
        "uvicorn",
        "app.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start")


def sign_in(base: str) -> tuple[dict[str, str], str]:
    """Cookies and CSRF token of the demo person with a half-finished assessment."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/signin").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post(
            "/signin", data={"username": "elias", "password": "mylife-demo", "csrf_token": token}
        )
        assessment_id = client.get("/api/v1/assessments").json()[0]["id"]
        return dict(client.cookies), f"/assessments/{assessment_id}/answer|{token}"


async def drive(base: str, requests: int, concurrency: int, make_request) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        for number in counter:
            started = time.perf_counter()
            response = await make_request(client, number)
            latencies.append(time.perf_counter() - started)
            failures += response.status_code >= 400

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": requests,
        "failures": failures,
        "rps": requests / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def report(results: dict[str, Any], measured: str) -> None:
    """Add the ratios of `measured` to the bare endpoint, print, and keep in bench/results."""
    bare, other = results["bare"], results[measured]
    results["ratio"] = {"rps": other["rps"] / bare["rps"], "p95": other["p95_ms"] / bare["p95_ms"]}
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = f"{measured.replace('_', '-')}-{results['database']}.json"
    (out / name).write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    url, created = fresh_database()
    port = free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        cookies, target = sign_in(base)
        path, token = target.split("|")
        headers = {"HX-Request": "true", "X-CSRF-Token": token}

        async def bare(client: httpx.AsyncClient, _number: int) -> httpx.Response:
            return await client.get("/healthz", cookies=cookies)

        async def autosave(client: httpx.AsyncClient, number: int) -> httpx.Response:
            data = {"family.importance": str(number % 11)}
            return await client.post(path, data=data, headers=headers, cookies=cookies)

        asyncio.run(drive(base, 200, args.concurrency, bare))  # warm up
        results = {
            "database": make_url(url).get_backend_name(),
            "concurrency": args.concurrency,
            "bare": asyncio.run(drive(base, args.requests, args.concurrency, bare)),
            "autosave": asyncio.run(drive(base, args.requests, args.concurrency, autosave)),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        drop_database(created)
    report(results, "autosave")


if __name__ == "__main__":
    main()
