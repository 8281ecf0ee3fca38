"""Build hook: a development (editable) install imports ``fitbalance.pipelines`` and ``fitbalance.dashboards`` from
the checkout's top-level ``pipelines/`` and ``dashboards/`` folders, as the wheel does from inside ``fitbalance/``.

The wheel moves those folders under the package with ``sources`` in ``pyproject.toml``. Hatchling's editable wheels
cannot rename a folder that way (they add whole folders to ``sys.path``), so for an editable build this hook writes a
small module and a ``.pth`` file that imports it: a finder that gives each renamed package its checkout folder. The
same import names then work in a checkout (``uv sync``) and in an installed wheel, and nothing named ``pipelines``
lands at the top of ``sys.path`` in either.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "_fitbalance_checkout"

FINDER = '''"""fitbalance installed for development from a checkout (written by its hatch_build.py).

Gives the packages the wheel moves under ``fitbalance`` their folders in the checkout: {packages}.
"""

import importlib.util
import os
import sys

FOLDERS = {folders!r}


class CheckoutFolders:
    """A meta path finder for the renamed packages only; everything else is found as usual."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        folder = FOLDERS.get(fullname)
        if folder is None:
            return None
        init = os.path.join(folder, "__init__.py")
        return importlib.util.spec_from_file_location(fullname, init, submodule_search_locations=[folder])


sys.meta_path.append(CheckoutFolders)
'''


def renamed_packages(root: str, sources: dict[str, str]) -> dict[str, str]:
    """``{"fitbalance.pipelines": "<root>/pipelines", ...}``: each source folder the wheel moves under a package.

    ``sources`` is hatchling's normalised map (``"pipelines/" -> "fitbalance/pipelines/"``); a source that only
    drops a prefix (``"src/fitbalance/" -> "fitbalance/"``) is already importable from the ``dev-mode-dirs``.
    """
    folders = {}
    for source, target in sources.items():
        parts = [part for part in target.split(os.sep) if part]
        if source and len(parts) > 1:
            folders[".".join(parts)] = os.path.join(root, source.rstrip(os.sep))
    return folders


class CheckoutBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version != "editable":
            return
        folders = renamed_packages(self.root, self.build_config.sources)
        self._scratch = tempfile.mkdtemp(prefix="fitbalance-editable-")
        module = os.path.join(self._scratch, f"{MODULE}.py")
        with open(module, "w", encoding="utf-8") as out:
            out.write(FINDER.format(folders=folders, packages=", ".join(sorted(folders))))
        pth = os.path.join(self._scratch, f"{MODULE}.pth")
        with open(pth, "w", encoding="utf-8") as out:
            out.write(f"import {MODULE}\n")
        build_data["force_include_editable"][module] = f"{MODULE}.py"
        build_data["force_include_editable"][pth] = f"{MODULE}.pth"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
