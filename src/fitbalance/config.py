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

    [[athletes.me.overrides]]       # classification overrides: one naming an activity_id first, then in order,
    sport = "training"              # first match wins; any of: sport, sub_sport, name (regex), activity_id
    name = "mobility"
    category = "other"
    subcategory = "flexibility"

    [athletes.me.exercise_names]    # app exercise name -> canonical catalogue name
    "Landmine Press (Barbell)" = "Overhead Press"

    [athletes.me.targets]           # optional weekly targets (fitbalance.targets: the keys and their defaults)
    aerobic_minutes = 150
    muscle_sets = [10, 20]
    [athletes.me.targets.muscles]   # a muscle group's own range
    chest = [12, 18]

    [athletes.me.progression]       # optional: what to lift next time (see "progression" at the end of this module)
    rep_range = [8, 12]
    increment_kg = 2.5

CSV exports carry no time zone: their local times are placed by the athlete's own FIT files (the offset of the
nearest FIT activity within a few days), else in ``time_zone``, else by the most common offset of the FIT files, else
as UTC (:mod:`fitbalance.offsets`); ``time_zone`` is None when the file does not set it. Units are never guessed: a
CSV that does not say its units (Strong's current layout, some Garmin and Strava rows) is read with ``weight_unit``
/ ``distance_unit`` and is quarantined, naming the missing setting, when they are not set. ``units`` does not stand
in for them: how you want numbers shown says nothing about how an app wrote them.

A settings file with a mistake (not TOML, an unknown key, a zone that does not exist, an override that matches
nothing) raises :class:`~fitbalance.errors.ConfigError` with one line naming the file, the line, the key and the
fix: ``fitbalance.toml: line 4: athletes.me.time_zone: unknown IANA time zone 'Europe/Berln'; fix: use a zone name
such as 'Europe/Berlin'``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fitbalance import targets as weekly_targets
from fitbalance.errors import ConfigError
from fitbalance.exercises import MUSCLES
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


@cache
def package_version() -> str:
    """The fitbalance release running now (the installed package's version; "0" in a checkout never installed)."""
    try:
        return metadata.version("fitbalance")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
        return "0"


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

    @property
    def label(self) -> str:
        """What the override matches, as ``classification_reason`` names it: ``name=spin``, ``activity_id=ab12``."""
        matchers = (
            ("activity_id", self.activity_id),
            ("sport", self.sport),
            ("sub_sport", self.sub_sport),
            ("name", self.name),
        )
        return ",".join(f"{key}={value}" for key, value in matchers if value is not None)

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
    targets: weekly_targets.Targets = field(default_factory=weekly_targets.Targets)
    progression: Progression = field(default_factory=lambda: Progression())


@dataclass(frozen=True)
class Settings:
    athletes: dict[str, Athlete] = field(default_factory=lambda: {DEFAULT_ATHLETE: Athlete()})
    default_athlete: str = DEFAULT_ATHLETE

    def athlete(self, name: str | None) -> Athlete:
        """The named athlete's settings; an athlete not in the file gets the defaults under that name."""
        key = name or self.default_athlete
        return self.athletes.get(key) or Athlete(name=key)


_TOP_KEYS = ("default_athlete", "athletes")
_ATHLETE_KEYS = (
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
    "targets",
    "progression",
)
WEIGHT_UNITS = ("kg", "lbs")
DISTANCE_UNITS = ("km", "mi")
_MATCHERS = ("sport", "sub_sport", "name", "activity_id")
_OVERRIDE_KEYS = ("category", "subcategory", *_MATCHERS)

_HEADER = re.compile(r"^\s*(\[\[?)([^\[\]]+)\]\]?\s*(?:#.*)?$")
_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)"""  # a bare or quoted key
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_KEY_PART = re.compile(r""""((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_\-]+)""")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _key_parts(text: str) -> list[str]:
    """The parts of a dotted TOML key, quotes removed: ``a."b c".d`` -> ``["a", "b c", "d"]``."""
    return [next(g for g in m.groups() if g is not None) for m in _KEY_PART.finditer(text)]


def _key_lines(text: str) -> dict[str, int]:
    """The line (1-based) of every table header and key in a settings text, by dotted path.

    Array-of-tables entries are numbered: ``athletes.me.overrides[1].name``. A light scan, enough to point an error
    message at a line; multi-line values are not followed.
    """
    found: dict[str, int] = {}
    counts: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path = ".".join(_key_parts(header.group(2)))
            if header.group(1) == "[[":
                counts[path] = counts.get(path, -1) + 1
                path = f"{path}[{counts[path]}]"
            table = path
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = ".".join([table, *_key_parts(key.group(1))] if table else _key_parts(key.group(1)))
            found.setdefault(path, number)
    return found


@dataclass(frozen=True)
class _Text:
    """The settings file being read: its name and where each key is, for error messages."""

    source: str
    lines: dict[str, int]

    def error(self, key: str, problem: str, fix: str) -> ConfigError:
        """One line: the file, the line of ``key`` (or of the table holding it), the key, what is wrong, the fix."""
        probe = key
        while probe and probe not in self.lines:
            probe = probe.rpartition(".")[0]
        line = self.lines.get(probe) if probe else None
        at = f"line {line}: " if line is not None else ""
        return ConfigError(f"{at}{key}: {problem}; fix: {fix}", path=self.source)


def _did_you_mean(word: object, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_keys(raw: dict[str, Any], allowed: tuple[str, ...], key: str, text: _Text) -> None:
    unknown = [k for k in raw if k not in allowed]
    if unknown:
        first = unknown[0]
        raise text.error(
            f"{key}.{first}" if key else first,
            f"unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}",
            f"remove or rename it{_did_you_mean(first, allowed)}",
        )


def _override(raw: Any, key: str, text: _Text) -> Override:
    if not isinstance(raw, dict):
        raise text.error(key, "an override must be a table", "write it as [[athletes.NAME.overrides]]")
    _unknown_keys(raw, _OVERRIDE_KEYS, key, text)
    categories = [c.value for c in Category]
    subcategories = [s.value for s in Subcategory]
    try:
        category = Category(raw["category"])
        default_sub = Subcategory.STRENGTH if category is Category.RESISTANCE else Subcategory.OTHER
        subcategory = Subcategory(raw.get("subcategory", default_sub))
    except (KeyError, ValueError) as exc:
        wrong = "subcategory" if "category" in raw and raw["category"] in categories else "category"
        raise text.error(
            f"{key}.{wrong}",
            f"category must be one of {categories} and subcategory one of {subcategories} ({exc})",
            f'set category = "other" (or "resistance") and a subcategory from the list'
            f"{_did_you_mean(raw.get(wrong, ''), categories if wrong == 'category' else subcategories)}",
        ) from exc
    if not any(k in raw for k in _MATCHERS):
        raise text.error(
            key,
            "an override that matches nothing: give at least one of sport, sub_sport, name, activity_id",
            'add a field to match, e.g. name = "spin" or activity_id = "..." (fitbalance sql lists the ids)',
        )
    for matcher in _MATCHERS:
        if matcher in raw and not isinstance(raw[matcher], str):
            raise text.error(f"{key}.{matcher}", f"expected text, got {raw[matcher]!r}", "put the value in quotes")
    if "name" in raw:
        try:
            re.compile(raw["name"])
        except re.error as exc:
            raise text.error(
                f"{key}.name",
                f"name is not a valid regular expression: {exc}",
                "escape special characters such as ( [ + * ? with a backslash",
            ) from exc
    return Override(
        category=category,
        subcategory=subcategory,
        sport=raw.get("sport"),
        sub_sport=raw.get("sub_sport"),
        name=raw.get("name"),
        activity_id=raw.get("activity_id"),
    )


def _number(raw: dict[str, Any], key: str, where: str, lo: float, hi: float, text: _Text) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise text.error(
            f"{where}.{key}", f"expected a number from {lo} to {hi}, got {value!r}", "write a plain number in range"
        )
    return float(value)


def _choice(raw: dict[str, Any], key: str, where: str, allowed: tuple[str, ...], text: _Text) -> str | None:
    value = raw.get(key)
    if value is not None and value not in allowed:
        raise text.error(
            f"{where}.{key}",
            f"expected one of {', '.join(map(repr, allowed))}, got {value!r}",
            f"use one of them{_did_you_mean(value, allowed)}",
        )
    return value if value is None else str(value)


def _athlete(name: str, raw: Any, text: _Text) -> Athlete:
    where = f"athletes.{name}"
    if not isinstance(raw, dict):
        raise text.error(where, "must be a table", f"write it as [athletes.{name}]")
    _unknown_keys(raw, _ATHLETE_KEYS, where, text)
    tz = raw.get("time_zone")
    try:
        if tz is not None:
            ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise text.error(
            f"{where}.time_zone",
            f"unknown IANA time zone {tz!r}",
            f"use a zone name such as 'Europe/Berlin' or 'America/New_York'{_did_you_mean(tz, available_timezones())}",
        ) from exc
    sex = _choice(raw, "sex", where, ("male", "female"), text)
    units = _choice(raw, "units", where, ("metric", "imperial"), text) or "metric"
    weight_unit = _choice(raw, "weight_unit", where, WEIGHT_UNITS, text)
    distance_unit = _choice(raw, "distance_unit", where, DISTANCE_UNITS, text)
    birth = _number(raw, "birth_year", where, 1900, 2100, text)
    names = raw.get("exercise_names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise text.error(
            f"{where}.exercise_names",
            'expected a table of name = "Canonical Name"',
            f'write [athletes.{name}.exercise_names] and under it lines like "Their Name" = "Bench Press"',
        )
    overrides = raw.get("overrides", [])
    if not isinstance(overrides, list):
        raise text.error(
            f"{where}.overrides",
            "expected an array of tables",
            f"write each override as its own [[athletes.{name}.overrides]] table",
        )
    return Athlete(
        name=name,
        time_zone=str(tz) if tz is not None else None,
        birth_year=int(birth) if birth is not None else None,
        max_hr=_number(raw, "max_hr", where, 100, 240, text),
        resting_hr=_number(raw, "resting_hr", where, 25, 120, text),
        sex=sex,
        units=units,
        weight_unit=weight_unit,
        distance_unit=distance_unit,
        overrides=tuple(_override(o, f"{where}.overrides[{i}]", text) for i, o in enumerate(overrides)),
        exercise_names=dict(names),
        targets=_targets(raw.get("targets", {}), f"{where}.targets", text),
        progression=_progression(raw.get("progression", {}), f"{where}.progression", units, text),
    )


# ---- [athletes.NAME.targets]: weekly targets (fitbalance.targets) ------------------------------------------------

_TARGET_KEYS = (
    "aerobic_minutes",
    "strength_days",
    "muscle_sets",
    "muscle_days",
    "muscle_groups",
    "multicomponent_days",
    "muscles",
)
_MAX_WEEKLY_MINUTES = 7 * 24 * 60
_MAX_WEEKLY_SETS = 200


def _days(raw: dict[str, Any], key: str, where: str, text: _Text) -> int | None:
    """A whole number of days a week (0 to 7), or None when absent."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 7:
        raise text.error(
            f"{where}.{key}", f"expected a whole number of days from 0 to 7, got {value!r}", f"write e.g. {key} = 2"
        )
    return value


def _set_range(value: Any, key: str, text: _Text) -> tuple[float, float]:
    """``[low, high]`` weekly sets: two numbers, 0 <= low <= high <= 200."""
    numbers = isinstance(value, list) and len(value) == 2
    numbers = numbers and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    if not numbers or not 0 <= value[0] <= value[1] <= _MAX_WEEKLY_SETS:
        raise text.error(
            key,
            f"expected [low, high] weekly sets with 0 <= low <= high <= {_MAX_WEEKLY_SETS}, got {value!r}",
            "write two numbers in brackets, e.g. [10, 20]",
        )
    return float(value[0]), float(value[1])


def _muscle(name: object, key: str, text: _Text) -> str:
    if name not in MUSCLES:
        raise text.error(
            key,
            f"unknown muscle group {name!r}",
            f"use one of the catalogue's groups: {', '.join(MUSCLES)}{_did_you_mean(name, MUSCLES)}",
        )
    return str(name)


def _targets(raw: Any, where: str, text: _Text) -> weekly_targets.Targets:
    """``[athletes.NAME.targets]`` (and its ``muscles`` table); the defaults for every key not given."""
    if not isinstance(raw, dict):
        raise text.error(where, "must be a table", f"write it as [{where}] with keys such as aerobic_minutes = 150")
    _unknown_keys(raw, _TARGET_KEYS, where, text)
    defaults = weekly_targets.DEFAULTS
    aerobic = _number(raw, "aerobic_minutes", where, 0, _MAX_WEEKLY_MINUTES, text)
    strength = _days(raw, "strength_days", where, text)
    muscle_days = _days(raw, "muscle_days", where, text)
    multicomponent = _days(raw, "multicomponent_days", where, text)
    sets = _set_range(raw["muscle_sets"], f"{where}.muscle_sets", text) if "muscle_sets" in raw else None
    groups = raw.get("muscle_groups")
    if groups is not None:
        if not isinstance(groups, list):
            raise text.error(
                f"{where}.muscle_groups",
                f"expected a list of muscle groups, got {groups!r}",
                'write e.g. muscle_groups = ["chest", "lats", "quads"]',
            )
        groups = [_muscle(g, f"{where}.muscle_groups", text) for g in groups]
    muscles = raw.get("muscles", {})
    if not isinstance(muscles, dict):
        raise text.error(
            f"{where}.muscles",
            "expected a table of muscle_group = [low, high]",
            f"write [{where}.muscles] and under it lines like chest = [12, 18]",
        )
    own = tuple(
        (_muscle(name, f"{where}.muscles.{name}", text), *_set_range(value, f"{where}.muscles.{name}", text))
        for name, value in muscles.items()
    )
    return weekly_targets.Targets(
        aerobic_minutes=defaults.aerobic_minutes if aerobic is None else aerobic,
        strength_days=defaults.strength_days if strength is None else strength,
        muscle_sets=defaults.muscle_sets if sets is None else sets,
        muscle_days=defaults.muscle_days if muscle_days is None else muscle_days,
        muscle_groups=defaults.muscle_groups if groups is None else tuple(dict.fromkeys(groups)),
        muscles=own,
        multicomponent_days=defaults.multicomponent_days if multicomponent is None else multicomponent,
        chosen=frozenset(k for k in raw if k != "muscles") | {f"muscles.{name}" for name, _, _ in own},
    )


def parse_settings(text: str, *, source: str = "settings") -> Settings:
    """Parse settings TOML. Raises :class:`ConfigError` naming the file, the line, the key and the fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        at = f"line {position.group(1)}: " if position else ""
        column = f" at column {position.group(2)}" if position else ""
        raise ConfigError(
            f"{at}not valid TOML: {_TOML_POSITION.sub('', message)}{column}; fix: write key = value with text in "
            'double quotes ("Europe/Berlin"), tables as [athletes.NAME], and each table only once',
            path=source,
        ) from exc
    where = _Text(source, _key_lines(text))
    _unknown_keys(raw, _TOP_KEYS, "", where)
    athletes_raw = raw.get("athletes", {})
    if not isinstance(athletes_raw, dict):
        raise where.error("athletes", "must be a table", "write each athlete as [athletes.NAME]")
    athletes = {n: _athlete(n, a, where) for n, a in athletes_raw.items()}
    default = raw.get("default_athlete") or (next(iter(athletes)) if athletes else DEFAULT_ATHLETE)
    if not athletes:
        athletes = {default: Athlete(name=default)}
    return Settings(athletes=athletes, default_athlete=str(default))


def settings_path(path: Path | None = None) -> tuple[Path, bool]:
    """The settings file to read: ``path``, ``$FITBALANCE_SETTINGS`` or ``./fitbalance.toml``; and whether it was
    named (a named file must exist, the default one may be absent)."""
    explicit = path or (Path(os.environ["FITBALANCE_SETTINGS"]) if "FITBALANCE_SETTINGS" in os.environ else None)
    return (explicit, True) if explicit is not None else (DEFAULT_SETTINGS, False)


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (``path``, ``$FITBALANCE_SETTINGS`` or ``./fitbalance.toml``); defaults when absent."""
    target, named = settings_path(path)
    if not target.exists():
        if named:
            raise ConfigError(
                f"settings file {target} does not exist; fix: create it, or leave out --settings / "
                "FITBALANCE_SETTINGS to use the defaults"
            )
        return Settings()
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read it: {exc}; fix: save it as UTF-8 text", path=str(target)) from exc
    return parse_settings(text, source=str(target))


# ---- progression: what to lift next time ([athletes.NAME.progression]) ------------------------------------------
#
#     [athletes.me.progression]
#     rep_range = [8, 12]           # double progression: earn the top of the range at a weight, then add load
#     increment_kg = 2.5            # the load added (increment_lb for imperial athletes); or by equipment:
#                                   # increment_kg = { default = 2.5, dumbbell = 2, machine = 5 }
#     deload_after_weeks = 5        # trained weeks without gain before a deload
#     deload_pct = 10               # how much lighter the deload is
#     load_step_kg = 0.5            # the smallest change of load you can make (load_step_lb); plans round to it
#     [athletes.me.progression.exercises."Bench Press"]
#     rep_range = [5, 8]            # any of the keys above but load_step, for one exercise (named as the views name it)
#
# Nothing is required: without a rep_range the range of each exercise is inferred from its recent working sets
# (the exercise_next_session view); the other values have the defaults below, in the athlete's units.

DEFAULT_INCREMENT = {"metric": 2.5, "imperial": 5.0}  # kg, lb
DEFAULT_LOAD_STEP = {"metric": 0.5, "imperial": 1.0}  # kg, lb
DEFAULT_DELOAD_AFTER_WEEKS = 5
DEFAULT_DELOAD_PCT = 10.0
KG_PER_LB = 0.45359237
_PROGRESSION_KEYS = (
    "rep_range",
    "increment_kg",
    "increment_lb",
    "deload_after_weeks",
    "deload_pct",
    "load_step_kg",
    "load_step_lb",
    "exercises",
)
_EXERCISE_PROGRESSION_KEYS = ("rep_range", "increment_kg", "increment_lb", "deload_after_weeks", "deload_pct")
MAX_REPS_IN_RANGE = 50


@dataclass(frozen=True)
class LiftRule:
    """Progression settings for one exercise (or, in :class:`Progression`, for all): None is "not set here"."""

    rep_range: tuple[int, int] | None = None
    increment_kg: float | None = None
    deload_after_weeks: int | None = None
    deload_pct: float | None = None


@dataclass(frozen=True)
class Progression:
    """An athlete's progression settings, masses in kg; defaults filled in (the rep range stays None when not set:
    it is inferred from the working sets). ``increments_kg`` holds the increments by catalogue equipment."""

    rep_range: tuple[int, int] | None = None
    increment_kg: float = DEFAULT_INCREMENT["metric"]
    increments_kg: dict[str, float] = field(default_factory=dict)
    deload_after_weeks: int = DEFAULT_DELOAD_AFTER_WEEKS
    deload_pct: float = DEFAULT_DELOAD_PCT
    load_step_kg: float = DEFAULT_LOAD_STEP["metric"]
    exercises: dict[str, LiftRule] = field(default_factory=dict)


def default_progression(units: str) -> Progression:
    """The progression settings of an athlete who wrote none, in ``units`` (metric: 2.5 kg steps; imperial: 5 lb)."""
    per = 1.0 if units != "imperial" else KG_PER_LB
    return Progression(
        increment_kg=DEFAULT_INCREMENT[units if units in DEFAULT_INCREMENT else "metric"] * per,
        load_step_kg=DEFAULT_LOAD_STEP[units if units in DEFAULT_LOAD_STEP else "metric"] * per,
    )


def _equipment_names() -> frozenset[str]:
    from fitbalance.exercises import load_catalog  # the catalogue is data; read it only when a file names equipment

    return frozenset(e.equipment for e in load_catalog().exercises.values() if e.equipment)


def _rep_range(raw: dict[str, Any], where: str, text: _Text) -> tuple[int, int] | None:
    value = raw.get("rep_range")
    if value is None:
        return None
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 1 <= value[0] <= value[1] <= MAX_REPS_IN_RANGE
    )
    if not ok:
        raise text.error(
            f"{where}.rep_range",
            f"expected [lowest, highest] whole reps from 1 to {MAX_REPS_IN_RANGE}, lowest first, got {value!r}",
            "write it like rep_range = [8, 12]",
        )
    return int(value[0]), int(value[1])


def _mass(raw: dict[str, Any], stem: str, where: str, lo: float, hi: float, text: _Text) -> float | dict[str, float]:
    """``<stem>_kg`` or ``<stem>_lb`` in kg: a number, or (for the increment) a table by equipment; {} when absent."""
    given = [k for k in (f"{stem}_kg", f"{stem}_lb") if k in raw]
    if len(given) > 1:
        raise text.error(f"{where}.{given[1]}", f"both {given[0]} and {given[1]} are set", "keep one of them")
    if not given:
        return {}
    key = given[0]
    per = 1.0 if key.endswith("_kg") else KG_PER_LB
    value = raw[key]
    if isinstance(value, dict) and stem == "increment":
        known = _equipment_names() | {"default"}
        for name, amount in value.items():
            if name not in known:
                raise text.error(
                    f"{where}.{key}.{name}",
                    f"unknown equipment {name!r}; the catalogue's equipment is {sorted(known)}",
                    f"use one of them{_did_you_mean(name, known)}",
                )
            if isinstance(amount, bool) or not isinstance(amount, int | float) or not lo <= amount <= hi:
                raise text.error(
                    f"{where}.{key}.{name}",
                    f"expected a number from {lo} to {hi}, got {amount!r}",
                    "write a plain number",
                )
        return {str(name): float(amount) * per for name, amount in value.items()}
    number = _number(raw, key, where, lo, hi, text)
    if number is None:  # a table where one number belongs
        raise text.error(f"{where}.{key}", f"expected a number, got {value!r}", "write a plain number such as 2.5")
    return number * per


def _lift_rule(raw: Any, where: str, allowed: tuple[str, ...], text: _Text) -> tuple[LiftRule, dict[str, float]]:
    """The keys one progression table shares with the others, and its increments by equipment (``default`` too)."""
    if not isinstance(raw, dict):
        raise text.error(where, "must be a table", f"write it as [{where}]")
    _unknown_keys(raw, allowed, where, text)
    increment = _mass(raw, "increment", where, 0.1, 100, text)
    by_equipment = increment if isinstance(increment, dict) else {"default": increment}
    weeks = _number(raw, "deload_after_weeks", where, 1, 52, text)
    if weeks is not None and not weeks.is_integer():
        raise text.error(f"{where}.deload_after_weeks", f"expected whole weeks, got {weeks!r}", "write a whole number")
    rule = LiftRule(
        rep_range=_rep_range(raw, where, text),
        increment_kg=by_equipment.get("default"),
        deload_after_weeks=int(weeks) if weeks is not None else None,
        deload_pct=_number(raw, "deload_pct", where, 1, 50, text),
    )
    return rule, {k: v for k, v in by_equipment.items() if k != "default"}


def _progression(raw: Any, where: str, units: str, text: _Text) -> Progression:
    base = default_progression(units)
    rule, by_equipment = _lift_rule(raw, where, _PROGRESSION_KEYS, text)
    step = _mass(raw, "load_step", where, 0.01, 25, text)
    exercises_raw = raw.get("exercises", {})
    if not isinstance(exercises_raw, dict):
        raise text.error(
            f"{where}.exercises", "expected a table of exercises", f'write [{where}.exercises."Bench Press"]'
        )
    exercises: dict[str, LiftRule] = {}
    for name, table in exercises_raw.items():
        exercise_where = f"{where}.exercises.{name}"
        exercise_rule, exercise_equipment = _lift_rule(table, exercise_where, _EXERCISE_PROGRESSION_KEYS, text)
        if exercise_equipment:
            raise text.error(
                f"{exercise_where}.increment_kg",
                "an increment by equipment belongs to the athlete's [progression] table; one exercise has one",
                "write one number, e.g. increment_kg = 2",
            )
        exercises[str(name)] = exercise_rule
    return Progression(
        rep_range=rule.rep_range,
        increment_kg=rule.increment_kg if rule.increment_kg is not None else base.increment_kg,
        increments_kg=by_equipment,
        deload_after_weeks=rule.deload_after_weeks or base.deload_after_weeks,
        deload_pct=rule.deload_pct if rule.deload_pct is not None else base.deload_pct,
        load_step_kg=step if isinstance(step, float) else base.load_step_kg,
        exercises=exercises,
    )
