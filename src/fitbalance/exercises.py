"""The exercise catalogue: canonical exercises, and the names apps and watches give them.

The data is ``exercises.toml`` beside this module (one ``[[exercise]]`` table per canonical exercise, plus
``[fit_category_defaults]``); this module loads it and maps names onto it. Matching ignores case, accents,
punctuation and plural endings (``"Pull-Ups"`` == ``"pull up"``), reads an equipment suffix either way round
(``"Bench Press (Dumbbell)"`` == ``"Dumbbell Bench Press"``), and ignores modifiers that do not change the
exercise (``weighted``, ``paused``, ``strict``). ``assisted`` is not ignored: an assisted pull-up's weight is
help, not load. A name that matches nothing stays unmapped (None) so the loader can flag it; the user maps it
in the settings file (``[athletes.<name>.exercise_names]``).

``kind`` says how a set of the exercise counts: ``resistance`` sets count as resistance volume; ``cardio``
sets (a treadmill run or a row logged in a lifting app) and ``mobility`` sets (warm-up, stretching) do not.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import polars as pl

from fitbalance.errors import ConfigError

KINDS = ("resistance", "cardio", "mobility")
MUSCLES = (
    "chest",
    "front_delts",
    "side_delts",
    "rear_delts",
    "triceps",
    "biceps",
    "forearms",
    "lats",
    "upper_back",
    "traps",
    "lower_back",
    "abs",
    "obliques",
    "glutes",
    "quads",
    "hamstrings",
    "adductors",
    "abductors",
    "calves",
    "hip_flexors",
    "neck",
    "full_body",
    "cardiovascular",
)
EQUIPMENT = (
    "barbell",
    "dumbbell",
    "kettlebell",
    "cable",
    "machine",
    "smith_machine",
    "ez_bar",
    "trap_bar",
    "bodyweight",
    "band",
    "plate",
    "medicine_ball",
    "sled",
    "suspension",
    "sandbag",
    "tire",
    "rope",
    "cardio_machine",
    "none",
)

# Canonical table for the exercises table (store/sql/000_tables.sql) plus ``kind``.
EXERCISE_SCHEMA: dict[str, pl.DataType] = {
    "exercise": pl.String(),
    "fit_category": pl.String(),
    "primary_muscles": pl.List(pl.String()),
    "secondary_muscles": pl.List(pl.String()),
    "equipment": pl.String(),
    "bodyweight": pl.Boolean(),
    "kind": pl.String(),
}

# Words that name the same thing differently (after lower-casing and dropping punctuation).
_WORDS = {
    "db": "dumbbell",
    "dbs": "dumbbell",
    "dumbbells": "dumbbell",
    "bb": "barbell",
    "barbells": "barbell",
    "kb": "kettlebell",
    "kettlebells": "kettlebell",
    "biceps": "bicep",
    "tricep": "triceps",
    "flye": "fly",
    "flyes": "fly",
    "flies": "fly",
    "flys": "fly",
    "curls": "curl",
    "raises": "raise",
    "rows": "row",
    "squats": "squat",
    "lunges": "lunge",
    "dips": "dip",
    "presses": "press",
    "extensions": "extension",
    "crunches": "crunch",
    "pulldowns": "pulldown",
    "pushdowns": "pushdown",
    "pressdown": "pushdown",
    "pressdowns": "pushdown",
    "deadlifts": "deadlift",
    "shrugs": "shrug",
    "swings": "swing",
    "thrusts": "thrust",
    "twists": "twist",
    "kickbacks": "kickback",
    "crushers": "crusher",
    "ups": "up",
    "downs": "down",
    "machines": "machine",
    "cables": "cable",
    "hamstrings": "hamstring",
    "calves": "calf",
    "jumps": "jump",
    "ropes": "rope",
    "planks": "plank",
    "bridges": "bridge",
    "carries": "carry",
    "walks": "walk",
    "holds": "hold",
    "rollouts": "rollout",
    "cleans": "clean",
    "snatches": "snatch",
    "jerks": "jerk",
    "thrusters": "thruster",
    "burpees": "burpee",
    "climbers": "climber",
    "steps": "step",
    "slams": "slam",
    "farmers": "farmer",
    "captains": "captain",
    "rdl": "romanian deadlift",
    "rdls": "romanian deadlift",
    "ohp": "overhead press",
    "sldl": "stiff leg deadlift",
    "ghr": "glute ham raise",
    "hspu": "handstand pushup",
}
_PHRASES = (
    ("pull up", "pullup"),
    ("chin up", "chinup"),
    ("push up", "pushup"),
    ("sit up", "situp"),
    ("muscle up", "muscleup"),
    ("get up", "getup"),
    ("step up", "stepup"),
    ("pull down", "pulldown"),
    ("push down", "pushdown"),
    ("t bar", "tbar"),
    ("ez bar", "ezbar"),
    ("e z bar", "ezbar"),
    ("skull crusher", "skullcrusher"),
    ("kick back", "kickback"),
    ("pec deck", "pecdeck"),
    ("body weight", "bodyweight"),
    ("trap bar", "trapbar"),
    ("hex bar", "trapbar"),
    ("smith machine", "smithmachine"),
    ("plate loaded", "plateloaded"),
    ("roll out", "rollout"),
    ("stiff legged", "stiff leg"),
    ("straight leg", "stiff leg"),
    ("ab wheel", "abwheel"),
)
_EQUIPMENT_WORDS = frozenset(
    {
        "barbell",
        "dumbbell",
        "kettlebell",
        "cable",
        "machine",
        "smithmachine",
        "band",
        "bodyweight",
        "ezbar",
        "trapbar",
        "plateloaded",
        "plate",
        "landmine",
        "suspension",
        "sled",
        "weighted",
    }
)
_IGNORED_MODIFIERS = frozenset({"weighted", "paused", "pause", "strict", "tempo", "standing"})


def name_key(name: str) -> str:
    """Matching form: no case, accents, punctuation, plurals: ``"Pull-Ups"`` -> ``"pullup"``."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "").replace("_", " ")
    words = [_WORDS.get(w, w) for w in re.sub(r"[^a-z0-9]+", " ", text).split()]
    joined = " ".join(" ".join(words).split())
    for phrase, single in _PHRASES:
        joined = re.sub(rf"\b{phrase}\b", single, joined)
    return joined


def name_keys(name: str) -> list[str]:
    """A name's keys: as written, and with a leading or trailing equipment word moved to the other end."""
    key = name_key(name)
    keys = [key]
    words = key.split()
    if len(words) > 1 and words[0] in _EQUIPMENT_WORDS:
        keys.append(" ".join([*words[1:], words[0]]))
    if len(words) > 1 and words[-1] in _EQUIPMENT_WORDS:
        keys.append(" ".join([words[-1], *words[:-1]]))
    return keys


def _without_modifiers(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _IGNORED_MODIFIERS)


@dataclass(frozen=True)
class Exercise:
    name: str
    fit_category: str | None
    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    equipment: str
    bodyweight: bool
    kind: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """Canonical exercises by name, the index mapping written names onto them, and FIT category defaults."""

    exercises: Mapping[str, Exercise]
    index: Mapping[str, str]
    fit_defaults: Mapping[str, str]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.exercises

    def get(self, name: str) -> Exercise | None:
        return self.exercises.get(name)

    def lookup(self, name: str) -> str | None:
        """The canonical exercise a written name means, or None."""
        keys = name_keys(name)
        for key in keys:
            if key in self.index:
                return self.index[key]
        for key in keys:
            stripped = _without_modifiers(key)
            if stripped != key:
                for candidate in name_keys(stripped):
                    if candidate in self.index:
                        return self.index[candidate]
        return None

    def canonical(
        self, name: str | None, fit_category: str | None, user_names: Mapping[str, str] | None = None
    ) -> str | None:
        """The canonical exercise for a set: the user's mapping, else the name, else the category default.

        ``user_names`` maps names as the app writes them to canonical names (settings ``exercise_names``); it
        is matched like catalogue names. A user target not in the catalogue is returned as written.
        """
        if name and name.strip():
            if user_names:
                wanted = {k: v for key, v in user_names.items() for k in name_keys(key)}
                for key in name_keys(name):
                    if key in wanted:
                        target = wanted[key]
                        return target if target in self.exercises else (self.lookup(target) or target)
            found = self.lookup(name)
            if found is not None:
                return found
        if fit_category:
            return self.fit_defaults.get(fit_category.strip().casefold())
        return None

    def kind(self, name: str | None) -> str | None:
        """``resistance``, ``cardio`` or ``mobility`` for a canonical name; None when unknown."""
        exercise = self.exercises.get(name) if name else None
        return exercise.kind if exercise else None


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ConfigError(f"exercise catalogue: {where} must be a list of strings")
    return tuple(raw)


def _exercise(raw: Any, position: int) -> Exercise:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ConfigError(f"exercise catalogue: [[exercise]] #{position} needs a name")
    name = raw["name"]
    unknown = set(raw) - {
        "name",
        "fit_category",
        "primary",
        "secondary",
        "equipment",
        "bodyweight",
        "kind",
        "aliases",
    }
    if unknown:
        raise ConfigError(f"exercise catalogue: {name}: unknown keys {sorted(unknown)}")
    exercise = Exercise(
        name=name,
        fit_category=raw.get("fit_category"),
        primary=_strings(raw.get("primary", []), f"{name}.primary"),
        secondary=_strings(raw.get("secondary", []), f"{name}.secondary"),
        equipment=str(raw.get("equipment", "none")),
        bodyweight=bool(raw.get("bodyweight", False)),
        kind=str(raw.get("kind", "resistance")),
        aliases=_strings(raw.get("aliases", []), f"{name}.aliases"),
    )
    bad_muscles = set(exercise.primary + exercise.secondary) - set(MUSCLES)
    if bad_muscles or exercise.kind not in KINDS or exercise.equipment not in EQUIPMENT:
        raise ConfigError(
            f"exercise catalogue: {name}: unknown muscles {sorted(bad_muscles)}, kind "
            f"{exercise.kind!r} or equipment {exercise.equipment!r}"
        )
    return exercise


def parse_catalog(text: str) -> Catalog:
    """A catalogue from TOML text. Raises ConfigError for a malformed entry or a name claimed twice."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"exercise catalogue is not valid TOML: {exc}") from exc
    exercises: dict[str, Exercise] = {}
    index: dict[str, str] = {}
    for position, entry in enumerate(raw.get("exercise", []), start=1):
        exercise = _exercise(entry, position)
        if exercise.name in exercises:
            raise ConfigError(f"exercise catalogue: {exercise.name!r} is listed twice")
        exercises[exercise.name] = exercise
        for written in (exercise.name, *exercise.aliases):
            for key in name_keys(written):
                claimed = index.setdefault(key, exercise.name)
                if claimed != exercise.name:
                    raise ConfigError(
                        f"exercise catalogue: {written!r} ({key!r}) names both {claimed!r} and {exercise.name!r}"
                    )
    defaults = raw.get("fit_category_defaults", {})
    if not isinstance(defaults, dict) or not all(v in exercises for v in defaults.values()):
        missing = sorted(v for v in dict(defaults).values() if v not in exercises)
        raise ConfigError(f"exercise catalogue: fit_category_defaults name unknown exercises {missing}")
    return Catalog(exercises=exercises, index=index, fit_defaults={str(k): str(v) for k, v in defaults.items()})


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalogue packaged with fitbalance (``exercises.toml``)."""
    text = resources.files("fitbalance").joinpath("exercises.toml").read_text(encoding="utf-8")
    return parse_catalog(text)


def catalog_frame(catalog: Catalog | None = None, names: Iterable[str] | None = None) -> pl.DataFrame:
    """Rows for the ``exercises`` table: every canonical exercise (or only ``names``), with ``kind``."""
    source = catalog or load_catalog()
    wanted = source.exercises.keys() if names is None else [n for n in names if n in source.exercises]
    rows = [
        {
            "exercise": e.name,
            "fit_category": e.fit_category,
            "primary_muscles": list(e.primary),
            "secondary_muscles": list(e.secondary),
            "equipment": e.equipment,
            "bodyweight": e.bodyweight,
            "kind": e.kind,
        }
        for e in (source.exercises[n] for n in wanted)
    ]
    return pl.DataFrame(rows, schema=EXERCISE_SCHEMA) if rows else pl.DataFrame(schema=EXERCISE_SCHEMA)


def exercises_table(catalog: Catalog | None = None, user_names: Iterable[Mapping[str, str]] = ()) -> pl.DataFrame:
    """Rows for the ``exercises`` table: the catalogue, plus the settings' own exercises.

    ``user_names`` are the athletes' ``exercise_names`` mappings. A mapping whose target the catalogue does not
    know names an exercise of the user's own: it gets a row with no FIT category, no muscle groups, equipment
    ``none``, not bodyweight, kind ``resistance``, so every ``strength_sets.exercise`` value has its row.
    """
    source = catalog or load_catalog()
    rows = catalog_frame(source)
    own = sorted(
        {
            target
            for mapping in user_names
            for target in mapping.values()
            if target not in source.exercises and source.lookup(target) is None
        }
    )
    if not own:
        return rows
    extra = pl.DataFrame(
        {
            "exercise": own,
            "fit_category": [None] * len(own),
            "primary_muscles": [[] for _ in own],
            "secondary_muscles": [[] for _ in own],
            "equipment": ["none"] * len(own),
            "bodyweight": [False] * len(own),
            "kind": ["resistance"] * len(own),
        },
        schema=EXERCISE_SCHEMA,
    )
    return pl.concat([rows, extra], how="vertical")
