"""Requests per second of MyLife's pages beside a bare one-route FastAPI app, with wrk.

In one run on one machine: the bare app (`bench/bare.py`) and MyLife, each served by one
uvicorn worker with the same settings, on SQLite and on PostgreSQL. MyLife's database is
fresh and holds many young people, each signed in with their own session, an assessment
under way and a plan; wrk (`bench/people.lua`) sends every request as the next of them, so
no two connections share one sign-in. Prints one table: requests per second, the ratio to
the bare app, p50 and p99, errors and timeouts. Not a test: nothing is asserted.

    .venv/bin/python bench/throughput.py [--seconds 10] [--connections 16] [--people 400]
    MYLIFE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres (default)
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# name, method, path (of each person's), form body (%d: a value 0..10)
ENDPOINTS = [
    ("autosave", "POST", "/assessments/{assessment}/answer", "family.importance=%d"),
    ("home page", "GET", "/", ""),
    ("survey screen", "GET", "/assessments/{assessment}/themes/2", ""),
    ("plan page", "GET", "/people/{person}/plan", ""),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="mylife-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    server = os.environ.get("MYLIFE_BENCH_DATABASE_URL") or POSTGRES
    name = f"mylife_bench_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def environment(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "MYLIFE_DATABASE_URL": url,
        "MYLIFE_MIGRATION_DATABASE_URL": url,
        "MYLIFE_ENVIRONMENT": "test",
        "MYLIFE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MYLIFE_SECRET_KEY": "bench-" + secrets.token_hex(16),
        "MYLIFE_PASSWORD_TIME_COST": "1",
        "MYLIFE_PASSWORD_MEMORY_KIB": "64",
    }


def prepare(env: dict[str, str], people: int) -> list[dict[str, str]]:
    """Migrate the database and seed the people (in a process of their own: settings are
    read once per process)."""
    python = sys.executable
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([python, "-m", "alembic", "upgrade", "head"], **run)  # type: ignore[call-overload]
    seeded = subprocess.run([python, str(BENCH / "seed.py"), str(people)], **run)  # type: ignore[call-overload]
    return list(json.loads(seeded.stdout))


@contextmanager
def serve(app: str, env: dict[str, str], port: int) -> Iterator[str]:
    """One uvicorn worker, the same settings for the bare app and MyLife."""
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"{app} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def lua_script(people: list[dict[str, str]], method: str, path: str, body: str) -> Path:
    """bench/people.lua with this endpoint's requests (one per person) written above it."""
    rows = []
    for p in people:
        own = path.format(assessment=p["assessment"], person=p["person"])
        rows.append(f'{{cookie = "{p["cookie"]}", token = "{p["token"]}", path = "{own}"}}')
    head = f'people = {{{", ".join(rows)}}}\nmethod = "{method}"\nbody_format = "{body}"\n'
    script = Path(tempfile.mkstemp(prefix="mylife-wrk-", suffix=".lua")[1])
    script.write_text(head + (BENCH / "people.lua").read_text())
    return script


def wrk(base: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "2s"]
    output = subprocess.run(
        [*command, "-s", str(script), base], capture_output=True, text=True, check=True
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("RESULT "))
    result: dict[str, float] = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure(name: str, base: str, script: Path, args: argparse.Namespace) -> dict[str, float]:
    wrk(base, script, 2, args.connections)  # warm up
    result = wrk(base, script, args.seconds, args.connections)
    print(f"  {name}: {result['rps']:.0f} req/s", file=sys.stderr)
    return result


def run_database(kind: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    port = free_port()
    with fresh_database(kind) as url:
        env = environment(url, port)
        people = prepare(env, args.people)
        nobody = {"cookie": "", "token": "", "assessment": "", "person": ""}
        bare = lua_script([nobody], "GET", "/", "")
        with serve("bench.bare:app", env, port) as base:
            results["bare one-route app"] = measure("bare", base, bare, args)
        with serve("app.main:app", env, port) as base:
            for name, method, path, body in ENDPOINTS:
                script = lua_script(people, method, path, body)
                results[name] = measure(name, base, script, args)
    return results


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| database | endpoint | req/s | ratio to bare | p50 ms | p99 ms | errors | timeouts |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, rows in results.items():
        bare = rows["bare one-route app"]["rps"]
        for name, row in rows.items():
            errors = row["connect"] + row["read"] + row["write"] + row["status"]
            lines.append(
                f"| {kind} | {name} | {row['rps']:.0f} | {row['rps'] / bare:.0%} | "
                f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {errors:.0f} | {row['timeout']:.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    results = {}
    for kind in args.databases.split(","):
        print(f"{kind}:", file=sys.stderr)
        results[kind] = run_database(kind, args)
    print(table(results))


if __name__ == "__main__":
    main()
