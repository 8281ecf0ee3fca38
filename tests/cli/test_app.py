"""The ``fitbalance`` app (:mod:`fitbalance.cli`): the library's commands, the flow commands registered beside the
flows, and the one place where a command's failure becomes its message and exit status."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from fitbalance.cli import app
from tests.conftest import ROOT

LIBRARY = ROOT / "src" / "fitbalance"
FLOW_COMMANDS = {"ingest", "reprocess", "serve", "server"}
LIBRARY_COMMANDS = {"sql", "summary", "unmapped", "dashboard", "report", "next", "status", "classify", "correct-set"}


def _names_of_the_orchestration_layer(path: Path) -> list[str]:
    """What a module of the library imports, or names in a string other than a docstring, of fitbalance_pipelines."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    found += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    found += [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    return [name for name in found if "fitbalance_pipelines" in name]


def test_no_module_of_the_library_refers_to_the_flows() -> None:
    """No module under src/ imports ``fitbalance_pipelines`` or names it in code (at the top, in a function, or as
    a string for importlib); the flow commands reach the app only as an entry point in pyproject.toml."""
    found = {
        str(p.relative_to(ROOT)): names
        for p in LIBRARY.rglob("*.py")
        if (names := _names_of_the_orchestration_layer(p))
    }
    assert found == {}
    assert 'flows = "fitbalance_pipelines.commands:register"' in (ROOT / "pyproject.toml").read_text()


WITHOUT_THE_FLOWS = """
import importlib, pkgutil, sys

class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "fitbalance_pipelines":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Absent())
import fitbalance
for module in pkgutil.walk_packages(fitbalance.__path__, "fitbalance."):
    if module.name != "fitbalance.__main__":
        importlib.import_module(module.name)
from fitbalance.cli import main
sys.argv = ["fitbalance", "--help"]
main()
"""


def test_the_library_and_its_commands_work_without_the_flows_package() -> None:
    """With ``fitbalance_pipelines`` not importable, every module of the library imports and ``fitbalance --help``
    lists the library's commands; the missing flow commands are named on stderr, not a crash."""
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_THE_FLOWS], capture_output=True, text=True, timeout=300, env=_wide_terminal()
    )
    assert done.returncode == 0, done.stderr
    listed = _commands(done.stdout)
    assert listed >= LIBRARY_COMMANDS and not FLOW_COMMANDS & listed
    assert "the commands of fitbalance_pipelines.commands:register could not be loaded" in done.stderr


def test_help_lists_every_command_and_imports_no_flow_library() -> None:
    """``python -m fitbalance --help`` lists the library's and the flow commands, with Prefect, DuckDB and the
    flows' modules never imported (the flow commands import them when they run)."""
    code = (
        "import sys\nfrom fitbalance.cli import main\nsys.argv = ['fitbalance', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'prefect', 'duckdb', 'pandera', 'fitdecode'}\n"
        "flows = [m for m in sys.modules if m.startswith('fitbalance_pipelines.')]\n"
        "print('IMPORTED', sorted([m for m in sys.modules if m.split('.')[0] in heavy] + flows))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=_wide_terminal()
    )
    assert done.returncode == 0, done.stderr
    assert _commands(done.stdout) >= LIBRARY_COMMANDS | FLOW_COMMANDS
    assert done.stdout.strip().splitlines()[-1] == "IMPORTED ['fitbalance_pipelines.commands']"
    by_module = subprocess.run(
        [sys.executable, "-m", "fitbalance", "--help"], capture_output=True, text=True, timeout=300
    )
    assert by_module.returncode == 0 and "ingest" in by_module.stdout


def test_a_library_error_is_one_line_and_exit_status_1(tmp_path: Path) -> None:
    """A command meeting a FitbalanceError (here: no database) prints ``error: ...`` and exits 1."""
    result = CliRunner().invoke(app, ["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: no database at {tmp_path / 'none.duckdb'}: run `fitbalance ingest` first"


def test_a_mistake_in_the_settings_or_an_option_is_exit_status_2(tmp_path: Path) -> None:
    """A broken settings file (a ConfigError) and a wrong option value exit 2 with the problem on stderr."""
    broken = tmp_path / "fitbalance.toml"
    broken.write_text("[athletes.me\n")
    settings = CliRunner().invoke(app, ["next", "--settings", str(broken), "--db", str(tmp_path / "x.duckdb")])
    assert settings.exit_code == 2 and settings.stderr.startswith("error: ") and "fitbalance.toml" in settings.stderr
    today = CliRunner().invoke(app, ["summary", "--today", "yesterday"])
    assert today.exit_code == 2
    assert today.stderr.strip() == "error: --today 'yesterday': expected a date like 2025-03-05"
    neither = CliRunner().invoke(app, ["classify", "abcdef"])
    assert neither.exit_code == 2 and neither.stderr.strip() == "error: give --as CLASS or --clear"


def test_a_sql_error_keeps_its_own_label(tmp_path: Path) -> None:
    """SQL that DuckDB refuses is reported as ``SQL error: ...``, exit status 1."""
    import duckdb

    db = tmp_path / "t.duckdb"
    duckdb.connect(str(db)).close()
    result = CliRunner().invoke(app, ["sql", "SELECT * FROM nowhere", "--db", str(db)])
    assert result.exit_code == 1 and result.stderr.startswith("SQL error: ") and "nowhere" in result.stderr


def _wide_terminal() -> dict[str, str]:
    import os

    return {**os.environ, "COLUMNS": "200", "TERM": "dumb"}


def _commands(help_text: str) -> set[str]:
    """The command names in the Commands panel of a ``--help`` text."""
    names = set()
    inside = False
    for line in help_text.splitlines():
        text = line.strip("│ \t")
        if "Commands" in line and line.lstrip().startswith(("╭", "+", "-")):
            inside = True
            continue
        if inside and line.lstrip().startswith(("╰", "+", "-")):
            break
        if inside and text:
            names.add(text.split()[0])
    return names
