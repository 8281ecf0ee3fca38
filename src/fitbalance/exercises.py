"""The exercise catalogue: canonical exercises, and the names apps and watches give them.

The data are two CSV files beside this module (``#`` lines are comments):

- ``exercises.csv``, one row per canonical exercise: its ``name``; ``kind``; ``equipment``; ``bodyweight``
  (``yes`` when the body is the load); the FIT ``fit_category`` it belongs to; ``primary`` and ``secondary``
  muscle groups; and ``aliases``, the names apps write for it. Lists are separated by ``;``.
- ``fit_exercises.csv``, every exercise of Garmin's FIT profile as ``fit_category, fit_name, exercise``: the
  canonical exercise a watch's set of that category and subtype is. A ``*`` name is the category's default,
  for a set whose subtype is missing or unknown.

Written names match by :func:`name_key`, which ignores case, accents, punctuation and plural endings
(``"Pull-Ups"`` == ``"pull up"``). Word order matters only where two exercises' names differ by nothing else
(``"Elbow to Knee"``, a crunch, and ``"Knees to Elbows"``, a hanging raise); otherwise the same words in any order
match (``"Lat Pulldown - Close Grip (Cable)"`` == ``"Cable Close Grip Lat Pulldown"``). An exercise's own
equipment word may be added to any of its names (``"Zercher Squat (Barbell)"``). A name that matches nothing is
tried again without modifiers that do not change the exercise (``weighted``, ``paused``, ``strict``, ``tempo``,
``standing``) and without bare numbers (a time or tempo note, ``"KB Snatch 30''"``). ``assisted`` is never
dropped: an assisted pull-up's weight is help, not load. A name that still matches nothing stays unmapped (None)
so the loader can flag it; the user maps it in the settings file (``[athletes.<name>.exercise_names]``), an app's
name as it is written, a watch's FIT exercise as ``category/name`` (``"triceps_extension/bench_dip" = "Dip"``: every
set the watch filed as that FIT exercise).

Loads must be comparable within a canonical exercise, because progressive overload is tracked per exercise:
barbell, dumbbell, kettlebell, cable, machine and Smith-machine versions of a lift are separate exercises, and
so are lifts whose loads differ (a front or Zercher squat is not a back squat); grips, stances and tempo of one
lift are not. ``kind`` says how a set counts: ``resistance`` sets count as resistance volume; ``cardio`` sets (a
treadmill run or a row logged in a lifting app) and ``mobility`` sets (warm-up, stretching) do not.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import polars as pl

from fitbalance.contracts import EXERCISE_MATCH_KINDS
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
    "stability_ball",
    "sled",
    "suspension",
    "sandbag",
    "tire",
    "rope",
    "cardio_machine",
    "none",
)
EXERCISE_COLUMNS = ("name", "kind", "equipment", "bodyweight", "fit_category", "primary", "secondary", "aliases")
FIT_COLUMNS = ("fit_category", "fit_name", "exercise")
FIT_DEFAULT = "*"  # fit_name of a category's default row

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

# Words that name the same thing differently (after lower-casing and dropping punctuation), and plurals the
# plain rule (drop a final "s") does not undo.
_WORDS = {
    "db": "dumbbell",
    "dbs": "dumbbell",
    "bb": "barbell",
    "kb": "kettlebell",
    "kbs": "kettlebell",
    "abs": "ab",
    "flye": "fly",
    "flyes": "fly",
    "flies": "fly",
    "flys": "fly",
    "crunches": "crunch",
    "presses": "press",
    "pressdown": "pushdown",
    "pressdowns": "pushdown",
    "pushes": "push",
    "calves": "calf",
    "carries": "carry",
    "snatches": "snatch",
    "touches": "touch",
    "lunges": "lunge",
    "ups": "up",
    "palloff": "pallof",
    "rdl": "romanian deadlift",
    "rdls": "romanian deadlift",
    "ohp": "overhead press",
    "sldl": "stiff leg deadlift",
    "ghr": "glute ham raise",
    "hspu": "handstand pushup",
    "trx": "suspension",
}
# Two-word spellings of one word, applied after _WORDS and the plural rule.
_PHRASES = {
    "pull up": "pullup",
    "chin up": "chinup",
    "push up": "pushup",
    "press up": "pushup",
    "sit up": "situp",
    "muscle up": "muscleup",
    "get up": "getup",
    "step up": "stepup",
    "pull down": "pulldown",
    "push down": "pushdown",
    "t bar": "tbar",
    "ez bar": "ezbar",
    "e z bar": "ezbar",
    "skull crusher": "skullcrusher",
    "kick back": "kickback",
    "pec deck": "pecdeck",
    "peck deck": "pecdeck",
    "body weight": "bodyweight",
    "trap bar": "trapbar",
    "hex bar": "trapbar",
    "smith machine": "smithmachine",
    "plate loaded": "plateloaded",
    "roll out": "rollout",
    "stiff legged": "stiff leg",
    "straight leg": "stiff leg",
    "ab wheel": "abwheel",
    "swiss ball": "stabilityball",
    "stability ball": "stabilityball",
    "exercise ball": "stabilityball",
    "physio ball": "stabilityball",
    "curl bar": "ezbar",
    "v bar": "vbar",
    "forearm curl": "wrist curl",
}
# The word an app adds for an exercise's equipment ("Squat (Barbell)"); it may be left out of a catalogue name.
_EQUIPMENT_WORD = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "kettlebell": "kettlebell",
    "cable": "cable",
    "machine": "machine",
    "smith_machine": "smithmachine",
    "ez_bar": "ezbar",
    "trap_bar": "trapbar",
    "bodyweight": "bodyweight",
    "band": "band",
    "plate": "plate",
    "stability_ball": "stabilityball",
    "suspension": "suspension",
    "sandbag": "sandbag",
}
_IGNORED_MODIFIERS = frozenset({"weighted", "paused", "pause", "strict", "tempo", "standing"})
# Tried only for a name nothing else matched: a position, bench angle or side, or a handle, that leaves the
# movement and its muscles as they are ("Seated Hammer Curls" is a Hammer Curl; "Lat Pulldown V-bar" a Lat Pulldown).
_FALLBACK_MODIFIERS = frozenset(
    {"seated", "incline", "decline", "single", "one", "arm", "unilateral", "alternating", "alternate", "vbar", "rope"}
)
MATCH_KINDS = ("exact", "alias", "word_order", "equipment", "modifiers", "position")
"""How a written name found its exercise (:meth:`Catalog.match`), narrowest first: its canonical name (``exact``:
case, punctuation, plurals and equipment abbreviations aside: ``DB``, ``DBs``, ``BB``, ``Curl bar``), one of its
listed names (``alias``), the words of a name or alias in another order (``word_order``), a name with the
exercise's own equipment word added, as a prefix or a suffix (``equipment``: ``"Zercher Squat (Barbell)"``),
without modifiers (``modifiers``: weighted, paused, a tempo note), without a position or handle (``position``:
seated, incline, V-bar). Equipment is never left out: a cable and a dumbbell version of a lift carry different
loads. Nothing is matched by likeness alone: a name like no other stays unmapped, with the closest names offered
(:meth:`Catalog.closest`)."""
RESOLVED_KINDS = EXERCISE_MATCH_KINDS
"""How a set found its exercise (``strength_sets.exercise_match``): a user's correction of that set (``fitbalance
correct-set``), the athlete's ``exercise_names`` setting, the watch's FIT exercise (category and name), one of
:data:`MATCH_KINDS` for its written name, or the default of the watch's FIT category (a set whose exercise the watch
filed only by category)."""
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_PHRASE = re.compile(r"\b(?:" + "|".join(sorted(_PHRASES, key=len, reverse=True)) + r")\b")


def _plural_free(word: str) -> str:
    word = _WORDS.get(word, word)
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "siu":
        return word[:-1]
    return word


def name_key(name: str) -> str:
    """Matching form: no case, accents, punctuation or plurals: ``"Pull-Ups"`` -> ``"pullup"``."""
    text = name if name.isascii() else unicodedata.normalize("NFKD", name)
    if not text.isascii():
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    joined = " ".join(_plural_free(w) for w in _NOT_WORD.sub(" ", text).split())
    return " ".join(_PHRASE.sub(lambda m: _PHRASES[m.group(0)], joined).split())


def word_set(key: str) -> str:
    """A :func:`name_key` without its word order: ``"bench press dumbbell"`` -> ``"bench dumbbell press"``."""
    return " ".join(sorted(key.split()))


# Names lifting-app users give a "set" that holds a rating of the session, not a lift (Strong and Hevy let a user add
# any exercise: "Intensity" 7 in the reps column): the session's intensity or effort on a 0-10 scale, in the
# wordings and languages of the apps' users, after name_key.
SESSION_RATING_NAMES = frozenset(
    name_key(n)
    for n in (
        "Intensity", "Session Intensity", "Workout Intensity", "Training Intensity", "Overall Intensity",
        "RPE", "sRPE", "Session RPE", "Workout RPE", "Overall RPE",
        "Effort", "Session Effort", "Workout Effort", "Perceived Effort", "Perceived Exertion", "Exertion",
        "Rating", "Session Rating", "Workout Rating", "Difficulty", "Workout Difficulty", "Session Difficulty",
        "Intensität", "Anstrengung", "Intensidad", "Esfuerzo", "Intensité", "Effort perçu",
        "Intensità", "Sforzo", "Intensidade", "Esforço", "Intensiteit", "Inspanning", "Intensitet", "Ansträngning",
        "Anstrengelse", "Intensywność",
    )
)  # fmt: skip


def is_session_rating(name: str | None) -> bool:
    """Whether a lifting app's exercise name is a rating of the session (:data:`SESSION_RATING_NAMES`), not a lift."""
    return name_key(name or "") in SESSION_RATING_NAMES - {""}


def _without_modifiers(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _IGNORED_MODIFIERS and not w.isdigit())


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
    """Canonical exercises by name, the index of written names, and the FIT profile's exercises."""

    exercises: Mapping[str, Exercise]
    index: Mapping[str, str]  # name_key of a name or alias -> canonical name
    any_order: Mapping[str, str]  # word_set of a name, alias or implied name -> canonical name, when only one
    fit_names: Mapping[tuple[str, str], str]  # (FIT category, FIT name or FIT_DEFAULT) -> canonical name
    ambiguous: frozenset[str]  # word sets two exercises' names share ("Elbow to Knee", "Knees to Elbows")
    fit_categories: frozenset[str] = frozenset()  # the FIT exercise categories of fit_names
    canonical_keys: frozenset[str] = frozenset()  # name_key of each canonical name (the rest of index: aliases)
    implied: Mapping[str, str] = field(default_factory=dict)  # word set of an implied name -> its MATCH_KINDS kind

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.exercises

    def get(self, name: str) -> Exercise | None:
        return self.exercises.get(name)

    def lookup(self, name: str) -> str | None:
        """The canonical exercise a written name means, or None."""
        found = self.match(name)
        return found[0] if found else None

    def match(self, name: str) -> tuple[str, str] | None:
        """The canonical exercise a written name means and how it was found (one of :data:`MATCH_KINDS`), or None.

        Tried in order, the first found wins: the name, its words in any order, without modifiers, without a
        position or handle (each step keeps what the one before left out).
        """
        key = name_key(name)
        found = self.index.get(key)
        if found is not None:
            return found, "exact" if key in self.canonical_keys else "alias"
        found = self.any_order.get(word_set(key))
        if found is not None:
            return found, self.implied.get(word_set(key), "word_order")
        steps = (
            ("modifiers", _IGNORED_MODIFIERS | {w for w in key.split() if w.isdigit()}),
            ("position", _FALLBACK_MODIFIERS),
        )
        words = key.split()
        for kind, dropped in steps:
            kept = [w for w in words if w not in dropped]
            if not kept or kept == words:
                continue
            words = kept
            candidate = " ".join(words)
            found = self.index.get(candidate) or self.any_order.get(word_set(candidate))
            if found is not None:
                return found, kind
        return None

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Up to ``n`` catalogue exercises whose names (or aliases) are most like ``name``, best first: what
        ``fitbalance unmapped`` offers for a name nothing matched."""
        key = name_key(name)
        ranked = difflib.get_close_matches(key, list(self.index), n=4 * n, cutoff=0.5)
        words = set(key.split())
        shared = sorted(self.index, key=lambda k: -len(words & set(k.split())))[: 2 * n]
        picks = ranked + [k for k in shared if words & set(k.split())]
        return list(dict.fromkeys(self.index[k] for k in picks))[:n]

    def canonical(
        self, name: str | None, fit_category: str | None, user_names: Mapping[str, str] | None = None
    ) -> str | None:
        """The canonical exercise for a set: the user's mapping, the FIT exercise, the name, the category default.

        ``user_names`` maps names as the app writes them to canonical names (settings ``exercise_names``); it
        is matched like catalogue names. A name written ``category/name`` with a FIT exercise category
        (``triceps_extension/bench_dip``) matches the sets a watch filed as that FIT exercise. A user target not in
        the catalogue is returned as written.
        """
        found = self.resolve(name, fit_category, user_names)
        return found[0] if found else None

    def resolve(
        self, name: str | None, fit_category: str | None, user_names: Mapping[str, str] | None = None
    ) -> tuple[str, str] | None:
        """:meth:`canonical` and how it was found: one of :data:`RESOLVED_KINDS` (but ``correction``)."""
        category = fit_category.strip().casefold() if fit_category else None
        if name and name.strip():
            if user_names:
                key = word_set(name_key(name))
                for written, target in user_names.items():
                    if self._user_name_matches(written, name, category, key):
                        return (target if target in self.exercises else (self.lookup(target) or target)), "setting"
            fit_exercise = self.fit_names.get((category, name.strip())) if category else None
            if fit_exercise is not None:
                return fit_exercise, "fit_exercise"
            found = self.match(name)
            if found is not None:
                return found
        default = self.fit_names.get((category, FIT_DEFAULT)) if category else None
        return (default, "fit_category") if default else None

    def _user_name_matches(self, written: str, name: str, category: str | None, key: str) -> bool:
        """Whether a settings ``exercise_names`` key names this set: ``category/name`` for a FIT exercise (the
        category exactly, the name as names match), else the name as the app writes it."""
        fit_category, slash, fit_name = written.partition("/")
        if slash and fit_category.strip().casefold() in self.fit_categories:
            return category == fit_category.strip().casefold() and name_key(fit_name) == name_key(name)
        return word_set(name_key(written)) == key

    def kind(self, name: str | None) -> str | None:
        """``resistance``, ``cardio`` or ``mobility`` for a canonical name; None when unknown."""
        exercise = self.exercises.get(name) if name else None
        return exercise.kind if exercise else None


def _rows(text: str, columns: tuple[str, ...], source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; ``#`` lines are comments. The header must be ``columns``."""
    reader = csv.reader("" if line.startswith("#") else line for line in text.splitlines())
    header: list[str] | None = None
    for row in reader:
        if not row:
            continue
        if header is None:
            header = [c.strip() for c in row]
            if tuple(header) != columns:
                raise ConfigError(f"line {reader.line_num}: header must be {','.join(columns)}", path=source)
            continue
        if len(row) != len(columns):
            raise ConfigError(
                f"line {reader.line_num}: {len(row)} fields, expected {len(columns)}: {row!r}", path=source
            )
        yield reader.line_num, dict(zip(columns, (v.strip() for v in row), strict=True))


read_rows = _rows  # the reader the other catalogue data files share (fitbalance.patterns)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


def _exercise(row: Mapping[str, str], where: str) -> Exercise:
    name = row["name"]
    exercise = Exercise(
        name=name,
        fit_category=row["fit_category"] or None,
        primary=_split(row["primary"]),
        secondary=_split(row["secondary"]),
        equipment=row["equipment"],
        bodyweight=row["bodyweight"] == "yes",
        kind=row["kind"],
        aliases=_split(row["aliases"]),
    )
    problems = [f"unknown muscle {m!r}" for m in exercise.primary + exercise.secondary if m not in MUSCLES]
    if exercise.kind not in KINDS:
        problems.append(f"unknown kind {exercise.kind!r}")
    if exercise.equipment not in EQUIPMENT:
        problems.append(f"unknown equipment {exercise.equipment!r}")
    if row["bodyweight"] not in ("yes", "no"):
        problems.append(f"bodyweight must be yes or no, not {row['bodyweight']!r}")
    if not exercise.primary:
        problems.append("no primary muscle")
    if not name:
        problems.append("no name")
    if problems:
        raise ConfigError(f"{where} ({name}): {'; '.join(problems)}", path="exercises.csv")
    return exercise


def parse_catalog(exercises_csv: str, fit_csv: str = "") -> Catalog:
    """A catalogue from the text of ``exercises.csv`` and ``fit_exercises.csv``.

    Raises ConfigError naming the file and line of a malformed row, an exercise listed twice, a name claimed by
    two exercises, or a FIT row naming an unknown exercise.

    Besides its names as written, an exercise is found by the same words in any order, and by its names with its
    own equipment word added (``"Zercher Squat (Barbell)"``) or with modifiers left out. A word set that two
    exercises claim is left out of that index (see :attr:`Catalog.ambiguous`); a word set a name claims wins over
    one only implied.
    """
    exercises: dict[str, Exercise] = {}
    index: dict[str, str] = {}
    written_sets: dict[str, set[str]] = {}
    implied_sets: dict[str, set[str]] = {}
    implied_kind: dict[str, str] = {}
    for line, row in _rows(exercises_csv, EXERCISE_COLUMNS, "exercises.csv"):
        exercise = _exercise(row, f"line {line}")
        if exercise.name in exercises:
            raise ConfigError(f"line {line}: {exercise.name!r} is listed twice", path="exercises.csv")
        exercises[exercise.name] = exercise
        word = _EQUIPMENT_WORD.get(exercise.equipment)
        for written in (exercise.name, *exercise.aliases):
            key = name_key(written)
            claimed = index.setdefault(key, exercise.name)
            if claimed != exercise.name:
                raise ConfigError(
                    f"line {line}: {written!r} ({key!r}) names both {claimed!r} and {exercise.name!r}",
                    path="exercises.csv",
                )
            written_sets.setdefault(word_set(key), set()).add(exercise.name)
            implied_names = (
                (_without_modifiers(key), "modifiers"),
                (f"{key} {word}" if word and word not in key.split() else "", "equipment"),
            )
            for implied, kind in implied_names:
                if implied:
                    implied_sets.setdefault(word_set(implied), set()).add(exercise.name)
                    implied_kind.setdefault(word_set(implied), kind)
    any_order = {words: next(iter(names)) for words, names in written_sets.items() if len(names) == 1}
    for words, names in implied_sets.items():
        if words not in written_sets and len(names) == 1:
            any_order[words] = next(iter(names))
    ambiguous = frozenset(words for words, names in written_sets.items() if len(names) > 1)
    fit_names: dict[tuple[str, str], str] = {}
    for line, row in _rows(fit_csv, FIT_COLUMNS, "fit_exercises.csv"):
        fit_exercise = (row["fit_category"], row["fit_name"])
        if row["exercise"] not in exercises:
            raise ConfigError(f"line {line}: unknown exercise {row['exercise']!r}", path="fit_exercises.csv")
        if fit_exercise in fit_names or not all(fit_exercise):
            raise ConfigError(f"line {line}: {fit_exercise} is empty or listed twice", path="fit_exercises.csv")
        fit_names[fit_exercise] = row["exercise"]
    return Catalog(
        exercises=exercises,
        index=index,
        any_order=any_order,
        fit_names=fit_names,
        ambiguous=ambiguous,
        fit_categories=frozenset(c for c, _ in fit_names),
        canonical_keys=frozenset(name_key(n) for n in exercises),
        implied={words: kind for words, kind in implied_kind.items() if words not in written_sets},
    )


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalogue packaged with fitbalance (``exercises.csv`` and ``fit_exercises.csv``)."""
    package = resources.files("fitbalance")
    return parse_catalog(
        package.joinpath("exercises.csv").read_text(encoding="utf-8"),
        package.joinpath("fit_exercises.csv").read_text(encoding="utf-8"),
    )


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
