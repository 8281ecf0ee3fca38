"""fitbalance installed as a user installs it: the wheel built from the sdist, in a new virtual environment outside
the checkout, every command run from a temporary folder that holds nothing of the project.

The environment is made with the project's ``uv`` (``.tools/bin/uv``, or one on ``PATH``) from uv's cache and the
configured index, with the versions of ``uv.lock`` as constraints, so the test checks the packaging, not what the
index offers today (``.ci/run`` checks the lowest versions ``pyproject.toml`` allows).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLE_DATA

pytestmark = [pytest.mark.slow, pytest.mark.processes, pytest.mark.timeout(900)]

UV = ROOT / ".tools" / "bin" / "uv"
CHROMIUM = Path("/usr/bin/chromium")
STARTUP_S = 90
SAMPLE_FILES = [
    "fit/2025-02/2025-02-03-0700-strength.fit",
    "fit/2025-02/2025-02-04-1830-run.fit",
    "fit/2025-02/2025-02-05-1800-ride.fit",
    "csv/hevy_workouts.csv",
    "invalid/header-only.fit",
]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    sdist: Path
    bin: Path  # the new environment's bin/
    work: Path  # a working folder outside the checkout, with a copy of a few sample files and the settings
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=self.work, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def fitbalance(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.bin / "fitbalance"), *args, timeout=timeout)


def _uv() -> str:
    found = str(UV) if UV.exists() else shutil.which("uv")
    if found is None:
        pytest.skip("needs uv (make setup installs it into .tools/)")
    return found


def _checked(command: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build sdist and wheel, install the wheel into a new venv, and prepare a working folder."""
    uv = _uv()
    base = tmp_path_factory.mktemp("installed")
    dist, venv, work = base / "dist", base / "venv", base / "work"
    clean = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PREFECT_API_URL"}}
    _checked([uv, "build", "--out-dir", str(dist), str(ROOT)], env=clean)  # the wheel is built from the sdist
    (wheel,) = dist.glob("fitbalance-*.whl")
    (sdist,) = dist.glob("fitbalance-*.tar.gz")
    constraints = base / "constraints.txt"
    _checked(
        [uv, "export", "--frozen", "--no-hashes", "--no-emit-project", "--no-header", "-o", str(constraints)],
        env=clean,
        cwd=ROOT,
    )
    _checked([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], env=clean)
    python = venv / "bin" / "python"
    _checked([uv, "pip", "install", "--quiet", "--python", str(python), "-c", str(constraints), str(wheel)], env=clean)
    work.mkdir()
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLE_DATA / name, work / Path(name).name)
    shutil.copy(SAMPLE_DATA / "fitbalance.toml", work / "fitbalance.toml")  # found in the working folder
    env = {
        **clean,
        "PATH": f"{venv / 'bin'}{os.pathsep}{clean.get('PATH', '')}",
        "PREFECT_HOME": str(base / "prefect-home"),
        "NO_COLOR": "1",
    }
    return Installed(wheel=wheel, sdist=sdist, bin=venv / "bin", work=work, env=env)


PACKAGES = {"fitbalance", "fitbalance_pipelines", "fitbalance_dashboards"}


def test_the_wheel_holds_the_packages_and_nothing_else(installed: Installed) -> None:
    """Everything is in one of the three packages (the library, the Prefect flows, the dashboards) or the dist-info:
    no sample-data generator (``synth``), no tests, no sample data, no generic top-level name. The only data files are
    those the library reads (the exercise catalogues and their movement patterns), and they are all there."""
    names = zipfile.ZipFile(installed.wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == PACKAGES | {f"{installed.wheel.name.split('-py3')[0]}.dist-info"}
    for needed in (
        "fitbalance_pipelines/ingest.py",
        "fitbalance_pipelines/serve.py",
        "fitbalance_dashboards/app.py",
        "fitbalance_dashboards/app_pages/overload.py",
        "fitbalance/store/sql",
    ):
        assert any(name.startswith(needed) for name in names), needed
    assert not [n for n in names if "synth" in n]
    package_data = {f"fitbalance/{p.name}" for p in (ROOT / "src" / "fitbalance").glob("*.csv")}
    catalogues = {"exercises.csv", "fit_exercises.csv", "exercise_patterns.csv"}
    assert package_data >= {f"fitbalance/{name}" for name in catalogues}
    assert package_data <= set(names)  # the catalogue and its movement patterns ship: the library reads them
    assert not [
        n
        for n in names
        if "/tests/" in n
        or "sample_data" in n
        or n.endswith((".fit", ".pyc"))
        or (n.endswith(".csv") and n not in package_data)
    ]


def test_the_library_never_imports_the_sample_data_generator() -> None:
    """No module of the three packages imports ``synth`` (it lives in ``sample_data/``, outside the wheel), at the
    top or inside a function."""
    import ast

    folders = [ROOT / "src" / "fitbalance", ROOT / "pipelines", ROOT / "dashboards"]
    for module in sorted(path for folder in folders for path in folder.rglob("*.py")):
        tree = ast.parse(module.read_text(), str(module))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not [name for name in imported if name.split(".")[0] == "synth"], module


def test_the_sdist_builds_the_same_packages_without_tests_or_data(installed: Installed) -> None:
    """The sdist holds the sources the wheel is built from, and no tests, sample data or generator."""
    import tarfile

    with tarfile.open(installed.sdist) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    expected = {
        "pyproject.toml",
        "src/fitbalance/run.py",
        "pipelines/fitbalance_pipelines/ingest.py",
        "dashboards/fitbalance_dashboards/app.py",
    }
    assert expected <= set(names)
    assert not [n for n in names if n.startswith(("tests/", "sample_data/", "bench/")) or "/synth/" in n]


def test_only_the_packages_names_are_importable(installed: Installed) -> None:
    """``import pipelines``, ``import dashboards`` and ``import synth`` fail in the new environment;
    ``fitbalance_pipelines`` and ``fitbalance_dashboards`` are there."""
    python = str(installed.bin / "python")
    for generic in ("pipelines", "dashboards", "synth"):
        tried = installed.run(python, "-c", f"import {generic}")
        assert tried.returncode != 0 and f"No module named '{generic}'" in tried.stderr, generic
    ours = installed.run(python, "-c", "import fitbalance_pipelines.ingest, fitbalance_dashboards; print('ok')")
    assert ours.returncode == 0, ours.stderr


def test_version_from_the_command_and_from_python_m(installed: Installed) -> None:
    """``fitbalance --version`` and ``python -m fitbalance --version`` print the installed version."""
    from importlib.metadata import version

    expected = f"fitbalance {version('fitbalance')}"
    assert installed.fitbalance("--version").stdout.strip() == expected
    by_module = installed.run(str(installed.bin / "python"), "-m", "fitbalance", "--version")
    assert by_module.stdout.strip() == expected, by_module.stderr


@pytest.fixture(scope="module")
def ingested(installed: Installed) -> subprocess.CompletedProcess[str]:
    """``fitbalance ingest .`` in the working folder (a real Prefect flow on the ephemeral API)."""
    return installed.fitbalance("ingest", ".", "--db", "training.duckdb", "--workers", "1")


def test_ingest_loads_the_sample_files_from_a_folder_outside_the_checkout(
    installed: Installed, ingested: subprocess.CompletedProcess[str]
) -> None:
    """The four good files load, the one cut short in its header is quarantined with its reason, with ./fitbalance.toml
    read."""
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "truncated" in ingested.stdout
    with duckdb.connect(str(installed.work / "training.duckdb"), read_only=True) as con:
        files = dict(con.sql("SELECT status, count(*) FROM source_files GROUP BY ALL").fetchall())
        athletes = {row[0] for row in con.sql("SELECT DISTINCT athlete FROM activities").fetchall()}
    assert files.get("loaded") == 4
    assert athletes == {"sam"}  # the settings file of the working folder named the athlete


@pytest.mark.parametrize(
    "command", [["summary"], ["status"], ["unmapped"], ["sql", "SELECT count(*) AS n FROM weekly_balance"]]
)
def test_the_read_commands_answer_from_the_installed_package(
    installed: Installed, ingested: subprocess.CompletedProcess[str], command: list[str]
) -> None:
    """summary, status, unmapped and sql read the database (their SQL and views come from the package)."""
    done = installed.fitbalance(*command, "--db", "training.duckdb")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip()


def test_the_report_is_written_from_the_installed_package(
    installed: Installed, ingested: subprocess.CompletedProcess[str]
) -> None:
    """``fitbalance report`` writes the week's self-contained HTML page for the athlete."""
    done = installed.fitbalance("report", "--db", "training.duckdb", "--out", "week.html")
    assert done.returncode == 0, done.stdout + done.stderr
    document = (installed.work / "week.html").read_text()
    assert "<h2>sam</h2>" in document and "vegaEmbed(" in document and "<script src" not in document


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dashboard(installed: Installed, ingested: subprocess.CompletedProcess[str]) -> Iterator[str]:
    """``fitbalance dashboard`` from the new environment, on a free port; yields its address once it answers."""
    port = _free_port()
    log = installed.work / "dashboard.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [str(installed.bin / "fitbalance"), "dashboard", "--db", "training.duckdb", "--port", str(port)],
            cwd=installed.work,
            env=installed.env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_the_dashboard_of_the_wheel_answers(dashboard: str) -> None:
    """The installed command finds the app inside the package and serves its page."""
    with urllib.request.urlopen(dashboard, timeout=10) as answer:
        assert answer.status == 200 and b"<noscript>" in answer.read()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_the_dashboard_of_the_wheel_draws_its_first_page(dashboard: str) -> None:
    """The installed app (found inside the package) draws the Weekly balance page with charts and no exception."""
    from playwright.sync_api import sync_playwright

    from tests.dashboards.test_dashboard_browser import CHART, CHROMIUM_ARGS, ERROR

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(dashboard, timeout=STARTUP_S * 1000)
            page.get_by_role("heading", name="Weekly balance").first.wait_for(timeout=STARTUP_S * 1000)
            page.locator(CHART).first.wait_for(timeout=STARTUP_S * 1000)
            assert page.locator(ERROR).count() == 0
        finally:
            browser.close()
