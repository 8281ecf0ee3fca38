"""Settings, read once: where the database lives and one entry per athlete.

The settings file is TOML (``fitbalance.toml`` in the working folder, or the path in ``FITBALANCE_SETTINGS``)::

    default_athlete = "me"

    [athletes.me]
    time_zone = "Europe/Berlin"     # optional: for CSV times without a zone when no FIT file is near them
    birth_year = 1980               # for the 65+ guideline
    max_hr = 185                    # optional; see docs
    resting_hr = 52                 # optional
    sex = "female"                  # optional: TRIMP coefficient
    units = "metric"                # metric | imperial, display only
    weight_unit = "kg"              # optional: kg | lbs, the unit a lifting app exported weights in
    distance_unit = "km"            # optional: km | mi, the unit an app exported distances in

    [[athletes.me.overrides]]       # classification overrides, applied in order, first match wins
    sport = "training"              # any of: sport, sub_sport, name (regex, case-insensitive), activity_id
    name = "mobility"
    category = "other"
    subcategory = "flexibility"

    [athletes.me.exercise_names]    # app exercise name -> canonical catalogue name
    "Landmine Press (Barbell)" = "Overhead Press"

CSV exports carry no time zone: their local times are placed by the athlete's own FIT files (the offset of the
nearest FIT activity within a few days), else in ``time_zone``, else by the most common offset of the FIT files, else
as UTC (:mod:`fitbalance.offsets`); ``time_zone`` is None when the file does not set it. Units are never guessed: a
CSV that does not say its units (Strong's current layout, some Garmin and Strava rows) is read with ``weight_unit``
/ ``distance_unit`` and is quarantined, naming the missing setting, when they are not set. ``units`` does not stand
in for them: how you want numbers shown says nothing about how an app wrote them.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fitbalance.errors import ConfigError
from fitbalance.models import Category, Subcategory

DEFAULT_DB = Path("fitbalance.duckdb")
DEFAULT_SETTINGS = Path("fitbalance.toml")
DEFAULT_ATHLETE = "default"


STORAGE_VERSION = "v1.0.0"
"""The DuckDB storage format a new database file is written in: the oldest its tables and views need (that of
DuckDB 1.0 and 1.1; DuckDB 1.2 and later read it too), so that the DuckDB a user already has (a CLI, a notebook,
DBeaver) opens the file, not only the DuckDB that wrote it. ``FITBALANCE_STORAGE_VERSION`` sets another."""


def storage_version() -> str:
    """The storage version new database files get (see :data:`STORAGE_VERSION`)."""
    return os.environ.get("FITBALANCE_STORAGE_VERSION", STORAGE_VERSION)


def default_db_path() -> Path:
    """The database path: ``$FITBALANCE_DB`` when set, else ``./fitbalance.duckdb``."""
    return Path(os.environ.get("FITBALANCE_DB", str(DEFAULT_DB)))


@dataclass(frozen=True)
class Override:
    """A classification override. Every given matcher must match; ``name`` is a case-insensitive regex."""

    category: Category
    subcategory: Subcategory
    sport: str | None = None
    sub_sport: str | None = None
    name: str | None = None
    activity_id: str | None = None

    def matches(self, *, sport: str | None, sub_sport: str | None, name: str | None, activity_id: str) -> bool:
        if self.activity_id is not None and self.activity_id != activity_id:
            return False
        if self.sport is not None and self.sport != sport:
            return False
        if self.sub_sport is not None and self.sub_sport != sub_sport:
            return False
        return self.name is None or re.search(self.name, name or "", re.IGNORECASE) is not None


@dataclass(frozen=True)
class Athlete:
    name: str = DEFAULT_ATHLETE
    time_zone: str | None = None  # None: not set
    birth_year: int | None = None
    max_hr: float | None = None
    resting_hr: float | None = None
    sex: str | None = None
    units: str = "metric"
    weight_unit: str | None = None
    distance_unit: str | None = None
    overrides: tuple[Override, ...] = ()
    exercise_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    athletes: dict[str, Athlete] = field(default_factory=lambda: {DEFAULT_ATHLETE: Athlete()})
    default_athlete: str = DEFAULT_ATHLETE

    def athlete(self, name: str | None) -> Athlete:
        """The named athlete's settings; an athlete not in the file gets the defaults under that name."""
        key = name or self.default_athlete
        return self.athletes.get(key) or Athlete(name=key)


_ATHLETE_KEYS = {
    "time_zone",
    "birth_year",
    "max_hr",
    "resting_hr",
    "sex",
    "units",
    "weight_unit",
    "distance_unit",
    "overrides",
    "exercise_names",
}
WEIGHT_UNITS = ("kg", "lbs")
DISTANCE_UNITS = ("km", "mi")
_OVERRIDE_KEYS = {"category", "subcategory", "sport", "sub_sport", "name", "activity_id"}


def _override(raw: Any, where: str) -> Override:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: an override must be a table")
    unknown = set(raw) - _OVERRIDE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_OVERRIDE_KEYS)}")
    try:
        category = Category(raw["category"])
        default_sub = Subcategory.STRENGTH if category is Category.RESISTANCE else Subcategory.OTHER
        subcategory = Subcategory(raw.get("subcategory", default_sub))
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"{where}: category must be one of {[c.value for c in Category]} and subcategory "
            f"one of {[s.value for s in Subcategory]} ({exc})"
        ) from exc
    if not any(k in raw for k in ("sport", "sub_sport", "name", "activity_id")):
        raise ConfigError(f"{where}: give at least one of sport, sub_sport, name, activity_id")
    if "name" in raw:
        try:
            re.compile(raw["name"])
        except re.error as exc:
            raise ConfigError(f"{where}: name is not a valid regular expression: {exc}") from exc
    return Override(
        category=category,
        subcategory=subcategory,
        sport=raw.get("sport"),
        sub_sport=raw.get("sub_sport"),
        name=raw.get("name"),
        activity_id=raw.get("activity_id"),
    )


def _number(raw: dict[str, Any], key: str, where: str, lo: float, hi: float) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ConfigError(f"{where}.{key}: expected a number from {lo} to {hi}, got {value!r}")
    return float(value)


def _choice(raw: dict[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str | None:
    value = raw.get(key)
    if value is not None and value not in allowed:
        raise ConfigError(f"{where}.{key}: expected one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value if value is None else str(value)


def _athlete(name: str, raw: Any, where: str) -> Athlete:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = set(raw) - _ATHLETE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_ATHLETE_KEYS)}")
    tz = raw.get("time_zone")
    try:
        if tz is not None:
            ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{where}.time_zone: unknown IANA time zone {tz!r}") from exc
    sex = raw.get("sex")
    if sex not in (None, "male", "female"):
        raise ConfigError(f"{where}.sex: expected 'male' or 'female', got {sex!r}")
    units = raw.get("units", "metric")
    if units not in ("metric", "imperial"):
        raise ConfigError(f"{where}.units: expected 'metric' or 'imperial', got {units!r}")
    weight_unit = _choice(raw, "weight_unit", where, WEIGHT_UNITS)
    distance_unit = _choice(raw, "distance_unit", where, DISTANCE_UNITS)
    birth = _number(raw, "birth_year", where, 1900, 2100)
    names = raw.get("exercise_names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise ConfigError(f'{where}.exercise_names: expected a table of name = "Canonical Name"')
    overrides = raw.get("overrides", [])
    if not isinstance(overrides, list):
        raise ConfigError(f"{where}.overrides: expected an array of tables ([[athletes.{name}.overrides]])")
    return Athlete(
        name=name,
        time_zone=str(tz) if tz is not None else None,
        birth_year=int(birth) if birth is not None else None,
        max_hr=_number(raw, "max_hr", where, 100, 240),
        resting_hr=_number(raw, "resting_hr", where, 25, 120),
        sex=sex,
        units=units,
        weight_unit=weight_unit,
        distance_unit=distance_unit,
        overrides=tuple(_override(o, f"{where}.overrides[{i}]") for i, o in enumerate(overrides)),
        exercise_names=dict(names),
    )


def parse_settings(text: str, *, source: str = "settings") -> Settings:
    """Parse settings TOML. Raises :class:`ConfigError` naming the key that is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    athletes_raw = raw.get("athletes", {})
    if not isinstance(athletes_raw, dict):
        raise ConfigError(f"{source}: [athletes] must be a table")
    athletes = {n: _athlete(n, a, f"{source}: athletes.{n}") for n, a in athletes_raw.items()}
    default = raw.get("default_athlete") or (next(iter(athletes)) if athletes else DEFAULT_ATHLETE)
    if not athletes:
        athletes = {default: Athlete(name=default)}
    return Settings(athletes=athletes, default_athlete=str(default))


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (``path``, ``$FITBALANCE_SETTINGS`` or ``./fitbalance.toml``); defaults when absent."""
    explicit = path or (Path(os.environ["FITBALANCE_SETTINGS"]) if "FITBALANCE_SETTINGS" in os.environ else None)
    target = explicit or DEFAULT_SETTINGS
    if not target.exists():
        if explicit is not None:
            raise ConfigError(f"settings file {target} does not exist")
        return Settings()
    return parse_settings(target.read_text(encoding="utf-8"), source=str(target))
