"""Lighthouse mobile performance and page weights of the sign-in, survey, circle and plan pages.

Serves MyLife (one uvicorn worker, a fresh SQLite database with the demo data), signs in as
the demo people (Elias has a survey under way, Aino a Circle of Life and a plan), and runs
Lighthouse's mobile performance audit (its default: a mid-range phone on a slow 4G network,
simulated) on each page three times, signed in through the session cookie. Prints one table:
the median score of the runs, the median of each run's metrics, and what the page
transferred. Not a test: nothing is asserted.

    .venv/bin/python bench/pages.py [--runs 3]

Needs Lighthouse (`npm ci --prefix bench`, which `make bench` runs) and Debian's chromium.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from throughput import environment, free_port, serve

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "bench/node_modules/.bin/lighthouse"
CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "mylife-demo"


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    page = client.get("/signin").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    token = found[1] if found else ""
    form = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
    if client.post("/signin", data=form).url.path == "/signin":
        raise SystemExit(f"could not sign in as {username}")
    return client


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def pages(base: str) -> list[tuple[str, str, str]]:
    """(name, address, Cookie header) of each page measured."""
    elias, aino = signed_in(base, "elias"), signed_in(base, "aino")
    survey = str(elias.get("/survey").url)  # his open assessment's screen
    done = [a for a in aino.get("/api/v1/assessments").json() if a["status"] == "completed"]
    latest = max(done, key=lambda a: a["completed_at"])
    plan = str(aino.get("/plan").url)
    return [
        ("sign-in", f"{base}/signin", ""),
        ("survey screen", survey, cookie_header(elias)),
        ("circle", f"{base}/assessments/{latest['id']}", cookie_header(aino)),
        ("plan", plan, cookie_header(aino)),
    ]


def lighthouse(url: str, cookie: str, tries: int = 3) -> dict[str, Any]:
    """One Lighthouse run; tried again when Lighthouse itself fails (a trace it could not
    record, NO_NAVSTART, happens now and then on a busy host)."""
    for _attempt in range(tries - 1):
        try:
            return lighthouse_once(url, cookie)
        except subprocess.CalledProcessError as failed:
            print(f"  Lighthouse failed, again: {failed.stderr[-200:]!r}", file=sys.stderr)
    return lighthouse_once(url, cookie)


def lighthouse_once(url: str, cookie: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mylife-lh-") as folder:
        report, headers = Path(folder) / "lh.json", Path(folder) / "headers.json"
        headers.write_text(json.dumps({"Cookie": cookie} if cookie else {}))
        command = [str(LIGHTHOUSE), url, "--only-categories=performance", "--output=json"]
        command += [f"--output-path={report}", f"--extra-headers={headers}", "--quiet"]
        command += ["--chrome-flags=--headless=new --no-sandbox"]
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        subprocess.run(command, check=True, env=env, capture_output=True, text=True)
        result: dict[str, Any] = json.loads(report.read_text())
    return result


def figures(report: dict[str, Any]) -> dict[str, float]:
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    return {
        "score": report["categories"]["performance"]["score"] * 100,
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "benchmark": report["environment"]["benchmarkIndex"],
        "requests": len(requests),
    }


def summary(name: str, runs: list[dict[str, float]]) -> str:
    """One page's row: the median of each figure over its runs, and every run's score."""
    m = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    scores = ", ".join(f"{run['score']:.0f}" for run in runs)
    cells = [name, f"{m['score']:.0f}", scores, f"{m['fcp']:.0f}", f"{m['lcp']:.0f}"]
    cells += [f"{m['tbt']:.0f}", f"{m['cls']:.3f}", f"{m['bytes'] / 1024:.1f}"]
    return "| " + " | ".join([*cells, f"{m['requests']:.0f}"]) + " |"


HEADER = (
    "| page | score (median) | runs | FCP ms | LCP ms | TBT ms | CLS | transferred KB "
    "| requests |\n"
    "|---|---:|---|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: npm ci --prefix bench (make bench runs it)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="mylife-pages-") as folder:
        env = environment(f"sqlite:///{folder}/pages.sqlite3", port)
        run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], **run)  # type: ignore[call-overload]
        subprocess.run([sys.executable, "-m", "app.cli", "demo"], **run)  # type: ignore[call-overload]
        with serve("app.main:app", env, port) as base:
            results: dict[str, list[dict[str, float]]] = {}
            for name, url, cookie in pages(base):
                results[name] = [figures(lighthouse(url, cookie)) for _ in range(args.runs)]
                print(f"  {name}: {[round(r['score']) for r in results[name]]}", file=sys.stderr)
    print("\n".join([HEADER, *(summary(name, runs) for name, runs in results.items())]))
    benchmark = statistics.median(run["benchmark"] for runs in results.values() for run in runs)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    # Lighthouse multiplies the CPU time it sees by 4: a busy host counts against the page.
    print(f"\nhost: Lighthouse benchmarkIndex {benchmark:.0f} (median), load average {load}")


if __name__ == "__main__":
    main()
