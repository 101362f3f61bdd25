"""Browser tests: a real server process, Debian's Chromium driven by Playwright, axe-core.

Chromium must be at /usr/bin/chromium (never `playwright install`). Without it
these tests skip, except when TANDEM_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from backend.cli import migrate_elsewhere
from backend.config import ROOT
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, pg_admin
from tests.e2e.world import PEOPLE
from tests.factories import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
REQUIRED = os.environ.get("TANDEM_REQUIRE_BROWSER") == "1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _need_browser():
    if not Path(CHROMIUM).exists():
        if REQUIRED:
            pytest.fail(f"{CHROMIUM} is missing and browser tests are required")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(tmp_path, request):
    """A fresh database with the browser world, served by a real server process.

    `@pytest.mark.server_env(NAME="value")` adds environment variables (settings)."""
    _need_browser()
    if ON_POSTGRES:
        name = f"tandem_e2e_{uuid.uuid4().hex[:10]}"
        url = urlunsplit(urlsplit(TEST_DATABASE_URL)._replace(path=f"/{name}"))
        pg_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    migrate_elsewhere(url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "HOST": "127.0.0.1"}
    marker = request.node.get_closest_marker("server_env")
    env.update(marker.kwargs if marker else {})
    subprocess.run([sys.executable, "-m", "tests.e2e.world"], cwd=ROOT, env=env, check=True)
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        proc.terminate()
        raise RuntimeError((tmp_path / "server.log").read_text())
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
    if ON_POSTGRES:
        pg_admin(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def browser():
    # Module scope, not session: sync Playwright marks an event loop as running
    # in this thread while it is started, which breaks pytest-asyncio tests
    # that run after it. Browser tests are also sorted last (tests/conftest.py).
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


class PageWatch:
    """Collects CSP violations and page errors so a test can assert there were none."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))

    def _console(self, message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "htmx" in text):
            self.problems.append(text)


def sign_in(pg, email: str = PEOPLE["lead"][1], password: str = TEST_PASSWORD) -> None:
    """Through the sign-in form, as a person would."""
    pg.goto("/sign-in")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(password)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url(lambda url: "/sign-in" not in url)


def new_page(browser, base_url: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.watch = PageWatch(pg)
    return pg


@pytest.fixture
def anonymous_page(browser, live_server):
    pg = new_page(browser, live_server)
    yield pg
    pg.context.close()


@pytest.fixture
def page(anonymous_page):
    """Signed in as the browser world's agency lead."""
    sign_in(anonymous_page)
    return anonymous_page


def axe_violations(page) -> list[dict]:
    """Run axe-core (shipped by axe-playwright-python) on the current page."""
    import axe_playwright_python

    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    # Evaluated through the DevTools protocol, so the page's CSP still forbids
    # inline scripts for the app itself.
    page.evaluate(source + "\n;0")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {page.url}: {violations}"
    assert page.watch.problems == [], page.watch.problems
