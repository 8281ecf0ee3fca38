"""The dashboard and the report in a real browser: headless Chromium (Debian's package) driven by Playwright.

The app is started the way a user starts it (``fitbalance dashboard --db FILE --port N``) on a free localhost port;
each page must draw its charts (a vega-embed SVG or canvas) and show no Streamlit exception. Screenshots go to
``test-output/``. The report is opened from a file with every non-file request aborted, and its charts must draw.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitbalance.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_S = 90
CHART = ".vega-embed svg, .vega-embed canvas"
ERROR = '[data-testid="stException"]'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def dashboard(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``fitbalance dashboard`` serving the sample database on a free localhost port; yields its address."""
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "dashboard.log"
    cli = Path(sys.executable).with_name("fitbalance")
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [str(cli), "dashboard", "--db", str(sample_db), "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the CLI and the streamlit server it starts
            env={**os.environ, "NO_COLOR": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start: {log.read_text()}")
            time.sleep(0.25)
        assert url in log.read_text(), "the command prints the address it serves on"
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_it_serves_on_localhost_only(dashboard: str) -> None:
    """The server listens on 127.0.0.1 only."""
    port = int(dashboard.rsplit(":", 1)[1])
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    others = sorted(a for a in addresses if not a.startswith("127."))
    for address in others:
        with socket.socket() as sock:
            sock.settimeout(1)
            assert sock.connect_ex((address, port)) != 0, f"reachable on {address}"


@pytest.mark.parametrize(
    ("path", "name", "title", "min_charts"),
    [
        ("", "weekly_balance", "Weekly balance", 4),  # this week's muscles, streak, minutes, strength days
        ("overload", "overload", "Progressive overload", 6),
        ("training_load", "training_load", "Training load", 2),
        ("data", "data", "Data", 1),
    ],
)
def test_each_page_draws_its_charts_without_errors(
    browser, dashboard: str, output_dir: Path, path: str, name: str, title: str, min_charts: int
) -> None:
    """Each page loads, draws every chart and shows no exception box; a screenshot is saved."""
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    try:
        page.goto(f"{dashboard}/{path}", wait_until="domcontentloaded")
        page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
        page.wait_for_function(
            f"document.querySelectorAll('{CHART}').length >= {min_charts}", timeout=60_000, polling=250
        )
        page.wait_for_timeout(500)  # let the last chart finish drawing before the screenshot
        page.screenshot(path=str(output_dir / f"dashboard-{name}.png"), full_page=True)
        assert page.locator(ERROR).count() == 0
        assert page.locator(CHART).count() >= min_charts
        assert "Traceback" not in page.content()
    finally:
        page.close()


def test_the_report_draws_its_charts_with_the_network_off(browser, sample_db: Path, output_dir: Path) -> None:
    """The report opened from a file with every non-file request aborted still draws all its charts."""
    report = write_report(sample_db, "2025-W10", output_dir / "report.html")
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    blocked: list[str] = []
    errors: list[str] = []

    def only_files(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(report.resolve().as_uri())
        expected = page.locator("div.chart").count()
        assert expected >= 10
        page.wait_for_function(
            f"document.querySelectorAll('.chart svg').length >= {expected}", timeout=60_000, polling=250
        )
        page.screenshot(path=str(output_dir / "report.png"), full_page=True)
        assert page.locator(".chart svg").count() == expected
        assert "chart failed" not in page.inner_text("body")
        assert not errors, errors
        assert not blocked, f"the report asked the network for {blocked}"
    finally:
        page.close()
