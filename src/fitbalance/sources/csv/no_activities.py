"""Exports that hold no activities, recognised so they are skipped with their kind instead of quarantined as unknown.

Daily or hourly totals, body measurements, sleep, profiles and gear lists from Fitbit (the account export with its
``Body``/``Foods``/``Activities``/``Sleep`` sections, the daily summaries, the per-minute files), Apple Health
(Health Auto Export's and HealthExport's metric CSVs: ``Date,Active energy burned(kcal),...``, ``Date,Body
mass(kg)``), Google Fit, Garmin Connect reports, Strava's account files, Samsung Health and Withings. The layouts are
data, in ``no_activities.toml`` (one ``[[export]]`` each, first match wins); this module only matches them. A
matched file gives ``file_type="no_activities"``, ``source_format`` ``"csv:<app>"`` and a ``detail`` naming what it
holds and how many rows. "Unknown" stays for files nobody recognises.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from fitbalance.models import Decoded
from fitbalance.sources.csv.helpers import Options, Sheet, norm_header

NAME = "no_activities"
ROWS = "activities"  # none: such an export is skipped whole
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
DATA_FILE = "no_activities.toml"
MIN_SECTIONS = 2
_UNIT = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True)
class Export:
    """One layout of ``no_activities.toml`` (see the file for what each match part means)."""

    app: str
    kind: str
    row: str = "data"
    first: frozenset[str] = frozenset()
    prefix: tuple[str, ...] = ()
    columns: frozenset[str] = frozenset()
    any: frozenset[str] = frozenset()
    metrics: frozenset[str] = frozenset()
    sections: frozenset[str] = frozenset()

    def matches(self, header: Sequence[str], text: str) -> bool:
        names = [norm_header(h) for h in header]
        present = set(names)
        checks = [
            not self.first or (bool(names) and names[0] in self.first),
            not self.prefix or (bool(names) and names[0].startswith(self.prefix)),
            self.columns <= present,
            not self.any or bool(self.any & present),
            not self.metrics or _all_metrics(names[1:], self.metrics),
            not self.sections or len(self.sections & _section_titles(text)) >= MIN_SECTIONS,
        ]
        return all(checks) and any((self.first, self.prefix, self.columns, self.any, self.metrics, self.sections))


def _all_metrics(columns: Sequence[str], metrics: frozenset[str]) -> bool:
    named = [c for c in columns if c]
    return bool(named) and all(_UNIT.sub("", c) in metrics for c in named)


def _section_titles(text: str) -> set[str]:
    """Lines of one cell (no delimiter) in the file: the section titles of a sectioned export."""
    titles = set()
    for line in text.splitlines():
        cell = line.strip().strip('"').strip()
        if cell and not any(d in line for d in (",", ";", "\t")):
            titles.add(norm_header(cell))
    return titles


@lru_cache(maxsize=1)
def exports() -> tuple[Export, ...]:
    """Every layout of ``no_activities.toml``, in file order."""
    text = resources.files(__package__ or "fitbalance.sources.csv").joinpath(DATA_FILE).read_text(encoding="utf-8")

    def names(entry: dict[str, Any], key: str) -> frozenset[str]:
        return frozenset(norm_header(str(n)) for n in entry.get(key, ()))

    return tuple(
        Export(
            app=str(entry["app"]),
            kind=str(entry["kind"]),
            row=str(entry.get("row", "data")),
            first=names(entry, "first"),
            prefix=tuple(sorted(names(entry, "prefix"))),
            columns=names(entry, "columns"),
            any=names(entry, "any"),
            metrics=names(entry, "metrics"),
            sections=names(entry, "sections"),
        )
        for entry in tomllib.loads(text)["export"]
    )


def which(header: Sequence[str], text: str) -> Export | None:
    """The first known export whose layout the header (and, for sectioned exports, the text) matches."""
    return next((e for e in exports() if e.matches(header, text)), None)


def detect(header: list[str], text: str) -> bool:
    return which(header, text) is not None


def read(sheet: Sheet, options: Options) -> Decoded:
    export = which(list(sheet.header), "\n".join(",".join(r.cells) for r in sheet.records))
    if export is None:  # detect said yes for this header
        raise sheet.error("export layout not recognised")
    rows, sections = _count(sheet, export)
    listed = f"; sections: {', '.join(sections)}" if sections else ""
    return Decoded(
        f"csv:{export.app}",
        file_type="no_activities",
        detail=f"{export.kind}, {rows} {export.row} rows{listed}: it holds no activities",
    )


def _count(sheet: Sheet, export: Export) -> tuple[int, list[str]]:
    """Data rows (not headers, not section titles or the header after each) and the section titles, in order."""
    rows, sections, after_title = 0, [], False
    for record in sheet.records[sheet.header_at + 1 :] if not export.sections else sheet.records:
        if len(record.cells) == 1 and norm_header(record.cells[0]) in export.sections:
            sections.append(record.cells[0].strip())
            after_title = True
        elif after_title:
            after_title = False  # the section's own header
        elif len(record.cells) > 1:
            rows += 1
    return rows, sections
