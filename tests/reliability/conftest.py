"""Fixtures for tests that run the real ingest flow in subprocesses against the session's Prefect API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

Driver = Callable[..., subprocess.Popen[str]]


@pytest.fixture(scope="session")
def prefect_api_url(prefect_harness: None) -> str:
    """The URL of the session's Prefect API, for flows run in subprocesses (no server start per process)."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url
    return str(url)


@pytest.fixture
def driver_env(prefect_api_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment of a driver subprocess: the session's Prefect API, and a temp folder of its own."""
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        PREFECT_API_URL=prefect_api_url,
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        TMPDIR=str(scratch),
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def start_driver(driver_env: dict[str, str]) -> Driver:
    """Start ``tests/reliability/ingest_driver.py`` in its own process group; stdout carries JSON events."""

    def start(db: Path, *paths: Path, **options: Any) -> subprocess.Popen[str]:
        args = [sys.executable, "-m", "tests.reliability.ingest_driver", str(db), *map(str, paths)]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=driver_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its worker processes share its group, so one killpg ends them all
        )

    return start


def events(line: str) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = json.loads(line)
    except json.JSONDecodeError:
        return {"event": "noise", "line": line}
    return parsed
