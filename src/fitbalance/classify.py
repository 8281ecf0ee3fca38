"""Resistance training or other exercise: a pure, table-driven classifier.

Strength (resistance) training builds muscle through resistance, in a structured program of sets, repetitions and
rest, and progresses by overload. Other exercise targets cardiovascular fitness, endurance, flexibility, balance or
skills. The rules are tried in this order, and the first that decides wins:

0. a correction of this one activity made with ``fitbalance classify`` (``correction``, confidence 1.0);
1. a user override from the settings file (``override:<what it matches>``, e.g. ``override:name=spin``, confidence
   1.0): an override naming an activity_id first, then the others in the file's order;
2. a FIT sport/sub_sport that names a non-strength kind firmly (yoga, HIIT, ...) even when the watch logged sets;
3. working sets with repetitions or load (``sets``): the structure of strength training itself;
4. the FIT sport/sub_sport table (``sport:<sport>/<sub_sport>`` or ``sport:<sport>``);
5. the activity name, in several languages (``name:<pattern>``);
6. signals: distance and speed say endurance (``signal:distance``);
7. nothing decided: ``other``/``other`` with low confidence (``fallback``).

The reason code says which rule decided; the confidence is the rule's, 0..1. :func:`classify_activity` decides one
activity; :func:`classify_frame` a frame of them (the loader's rows, or the rows already in the store when the rules
change).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from fitbalance.config import Override
from fitbalance.models import Category, Subcategory

R, O = Category.RESISTANCE, Category.OTHER  # noqa: E741 - short names keep the rule tables readable
STRENGTH, ENDURANCE, FLEX, BALANCE, MIXED, SPORT, OTHER = (
    Subcategory.STRENGTH,
    Subcategory.ENDURANCE,
    Subcategory.FLEXIBILITY,
    Subcategory.BALANCE,
    Subcategory.MIXED,
    Subcategory.SPORT,
    Subcategory.OTHER,
)


@dataclass(frozen=True)
class Classification:
    category: Category
    subcategory: Subcategory
    reason: str
    confidence: float


# sub_sport values that decide on their own, whatever the sport (FIT profile names)
SUB_SPORT_RULES: dict[str, tuple[Category, Subcategory, float]] = {
    "strength_training": (R, STRENGTH, 0.95),
    "yoga": (O, FLEX, 0.95),
    "pilates": (O, FLEX, 0.9),
    "flexibility_training": (O, FLEX, 0.95),
    "stretching": (O, FLEX, 0.9),
    "breathing": (O, OTHER, 0.6),
    "hiit": (O, MIXED, 0.9),
    "amrap": (O, MIXED, 0.9),
    "emom": (O, MIXED, 0.9),
    "tabata": (O, MIXED, 0.9),
    "cardio_training": (O, MIXED, 0.85),
    "indoor_rowing": (O, ENDURANCE, 0.9),
    "elliptical": (O, ENDURANCE, 0.9),
    "stair_climbing": (O, ENDURANCE, 0.9),
    "treadmill": (O, ENDURANCE, 0.95),
    "indoor_cycling": (O, ENDURANCE, 0.95),
    "spin": (O, ENDURANCE, 0.9),
    "virtual_activity": (O, ENDURANCE, 0.9),
    "indoor_running": (O, ENDURANCE, 0.95),
    "track": (O, ENDURANCE, 0.95),
    "trail": (O, ENDURANCE, 0.95),
    "lap_swimming": (O, ENDURANCE, 0.95),
    "open_water": (O, ENDURANCE, 0.95),
    "indoor_climbing": (O, SPORT, 0.8),
    "bouldering": (O, SPORT, 0.8),
}

# sub_sports firm enough to beat the presence of set messages (a HIIT or yoga session may log "sets")
FIRM_NON_STRENGTH = frozenset(
    {"yoga", "pilates", "flexibility_training", "stretching", "hiit", "amrap", "emom", "tabata", "breathing"}
)

SPORT_RULES: dict[str, tuple[Category, Subcategory, float]] = {
    **{
        s: (O, ENDURANCE, 0.9)
        for s in (
            "running",
            "cycling",
            "swimming",
            "walking",
            "hiking",
            "rowing",
            "e_biking",
            "cross_country_skiing",
            "snowshoeing",
            "inline_skating",
            "paddling",
            "kayaking",
            "stand_up_paddleboarding",
            "mountaineering",
            "transition",
            "floor_climbing",
            "ice_skating",
            "wheelchair_push_walk",
            "wheelchair_push_run",
            "multisport",
            "rafting",
            "triathlon",
            "duathlon",
            "canoeing",
            "jumprope",
            "jump_rope",
            "skating",
            "geocaching",
        )
    },
    **{
        s: (O, SPORT, 0.85)
        for s in (
            "soccer",
            "tennis",
            "basketball",
            "american_football",
            "golf",
            "baseball",
            "softball",
            "volleyball",
            "boxing",
            "martial_arts",
            "rock_climbing",
            "alpine_skiing",
            "snowboarding",
            "surfing",
            "kitesurfing",
            "windsurfing",
            "sailing",
            "water_skiing",
            "wakeboarding",
            "ice_hockey",
            "hockey",
            "lacrosse",
            "rugby",
            "cricket",
            "racket",
            "padel",
            "pickleball",
            "table_tennis",
            "badminton",
            "squash",
            "disc_golf",
            "horseback_riding",
            "hunting",
            "fishing",
            "motorcycling",
            "diving",
            "mixed_martial_arts",
            "fencing",
            "dance",
            "climbing",
            "water_tubing",
            "tactical",
            "kickboxing",
            "wrestling",
            "team_sport",
            "archery",
            "handball",
            "field_hockey",
            "ultimate",
            "sky_diving",
            "hang_gliding",
            "snowmobiling",
            "ice_climbing",
            "snorkeling",
            "wakesurfing",
            "pool_apnea",
            "shooting",
            "water_sport",
            "winter_sport",
            "para_sport",
            # not FIT sports: Apple Health workout types (sources/xml/apple_workout_types.toml)
            "bowling",
            "curling",
            "gymnastics",
        )
    },
    # FIT sports that are not exercise (a drive, a flight, a game): other, decided by the sport
    **{s: (O, OTHER, 0.8) for s in ("driving", "boating", "flying", "motor_sports", "video_gaming", "tactical")},
    "mobility": (O, FLEX, 0.9),
    "grinding": (O, MIXED, 0.8),
    "hiit": (O, MIXED, 0.9),
    "fitness_equipment": (O, MIXED, 0.5),
    "training": (O, MIXED, 0.4),
    "yoga": (O, FLEX, 0.95),
    "pilates": (O, FLEX, 0.9),
    "meditation": (O, OTHER, 0.6),
    "generic": (O, OTHER, 0.3),
}

# activity names (several languages); each pattern is a case-insensitive regular expression
NAME_RULES: tuple[tuple[str, Category, Subcategory, float], ...] = (
    (r"yoga|stretch|mobility|dehn|étirement|estiramiento|stretching|venyttely|rekk", O, FLEX, 0.8),
    (r"pilates", O, FLEX, 0.8),
    (r"tai ?chi|qi ?gong|balance|gleichgewicht|équilibre|equilibrio|balans|tasapaino", O, BALANCE, 0.75),
    (r"hiit|crossfit|circuit|bootcamp|tabata|emom|amrap|intervall?training|zirkel", O, MIXED, 0.75),
    (
        # "gym" and "kuntosali" (Finnish: gym) but not Garmin's generic "Gym & Fitness Equipment" type ("Gym och
        # träningsutrustning", "Kuntosali ja -laitteet"): that names the place and its machines, and in the other
        # languages it names no strength word at all, so in every language the sport decides (other/mixed)
        r"strength|weight ?training|weights|lifting|powerlifting|bodybuilding|gym(?!-? *(?:&|and|och) )|kraft|"
        r"styrke|styrketr|musculation|renforcement|fuerza|pesas|forza|pesi|kracht|voima|kuntosali(?! ja )|"
        r"push day|pull day|leg day|"
        r"upper body|lower body|bench|squat|deadlift|hypertrophy",
        R,
        STRENGTH,
        0.75,
    ),
    (
        # "rad" only at the start of a word (German "Radtour", "Rad fahren"; not Swedish "Okategoriserad")
        r"run|jog|lauf|course|carrera|corsa|hardloop|löp|løb|juoks|ride|cycl|bike|\brad|rennrad|vélo|bici|fiets|cykel|"
        r"sykkel|pyöräil|swim|schwimm|natation|nata|zwem|sim|uinti|walk|hike|wander|marche|camin|rando|wandel|"
        r"promenad|gå|kävely|row|ruder|aviron|remo|roei|rodd|soutu|ski|elliptical|cardio|treadmill|spinning",
        O,
        ENDURANCE,
        0.65,
    ),
    (
        r"football|soccer|fußball|fútbol|calcio|voetbal|fotboll|fodbold|fotball|jalkapallo|tennis|padel|"
        r"basketball|volleyball|golf|hockey|climb|kletter|escalade|bouldering|badminton|squash|boxing|boxen|"
        r"martial|karate|judo|jiu|dance|tanz|danse",
        O,
        SPORT,
        0.7,
    ),
)
_COMPILED_NAMES = tuple((re.compile(p, re.IGNORECASE), p, c, s, conf) for p, c, s, conf in NAME_RULES)

ENDURANCE_MIN_DISTANCE_M = 500.0
ENDURANCE_MIN_SPEED_MPS = 0.8  # a slow walk


def _first_override(
    overrides: Sequence[Override], *, sport: str | None, sub_sport: str | None, name: str | None, activity_id: str
) -> Override | None:
    """The override that decides: one naming this activity_id first, then the others in order."""
    ordered = [o for o in overrides if o.activity_id is not None] + [o for o in overrides if o.activity_id is None]
    return next(
        (o for o in ordered if o.matches(sport=sport, sub_sport=sub_sport, name=name, activity_id=activity_id)), None
    )


CORRECTION = "correction"
"""The reason of a class set with ``fitbalance classify`` (:data:`fitbalance.contracts.ACTIVITY_CORRECTIONS`)."""


def classify_activity(
    *,
    activity_id: str,
    sport: str | None,
    sub_sport: str | None,
    name: str | None,
    working_sets: int,
    distance_m: float | None,
    elapsed_s: float | None,
    overrides: Sequence[Override] = (),
    correction: tuple[Category, Subcategory] | None = None,
) -> Classification:
    """Classify one activity; see the module docstring for the rule order."""
    if correction is not None:
        return Classification(correction[0], correction[1], CORRECTION, 1.0)
    override = _first_override(overrides, sport=sport, sub_sport=sub_sport, name=name, activity_id=activity_id)
    if override is not None:
        return Classification(override.category, override.subcategory, f"override:{override.label}", 1.0)
    sport_key = (sport or "").lower() or None
    sub_key = (sub_sport or "").lower() or None
    if sub_key in FIRM_NON_STRENGTH or sport_key in FIRM_NON_STRENGTH:
        key = sub_key if sub_key in FIRM_NON_STRENGTH else sport_key
        assert key is not None
        cat, sub, conf = SUB_SPORT_RULES.get(key) or SPORT_RULES[key]
        return Classification(cat, sub, f"sport:{sport_key}/{sub_key}", conf)

    if working_sets > 0:
        return Classification(R, STRENGTH, "sets", 0.95)

    if sub_key in SUB_SPORT_RULES:
        cat, sub, conf = SUB_SPORT_RULES[sub_key]
        return Classification(cat, sub, f"sport:{sport_key}/{sub_key}", conf)

    decided_by_sport = sport_key in SPORT_RULES and SPORT_RULES[sport_key][2] >= 0.8
    if decided_by_sport:
        assert sport_key is not None
        cat, sub, conf = SPORT_RULES[sport_key]
        return Classification(cat, sub, f"sport:{sport_key}", conf)

    if name:
        for pattern, source, cat, sub, conf in _COMPILED_NAMES:
            if pattern.search(name):
                return Classification(cat, sub, f"name:{source.split('|')[0]}", conf)

    if sport_key in SPORT_RULES:
        cat, sub, conf = SPORT_RULES[sport_key]
        if sub is not OTHER or distance_m is None:
            return Classification(cat, sub, f"sport:{sport_key}", conf)

    moving = distance_m is not None and distance_m >= ENDURANCE_MIN_DISTANCE_M and bool(elapsed_s)
    if moving and distance_m / elapsed_s >= ENDURANCE_MIN_SPEED_MPS:  # type: ignore[operator]
        return Classification(O, ENDURANCE, "signal:distance", 0.6)

    return Classification(O, OTHER, "fallback", 0.2)


CLASSIFY_INPUT: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "sport": pl.String(),
    "sub_sport": pl.String(),
    "name": pl.String(),
    "working_sets": pl.Int64(),
    "distance_m": pl.Float64(),
    "elapsed_s": pl.Float64(),
}
"""What :func:`classify_frame` reads of each activity (``working_sets``: sets with reps or load; null means 0)."""

CLASSIFY_OUTPUT: dict[str, pl.DataType] = {
    "category": pl.String(),
    "subcategory": pl.String(),
    "classification_reason": pl.String(),
    "classification_confidence": pl.Float64(),
}


def classify_frame(
    activities: pl.DataFrame,
    overrides: Sequence[Override] = (),
    corrections: Mapping[str, tuple[Category, Subcategory]] | None = None,
) -> pl.DataFrame:
    """The classification of each row of ``activities`` (columns :data:`CLASSIFY_INPUT`), in the same order, as
    the columns :data:`CLASSIFY_OUTPUT`. ``corrections`` maps an activity_id to the class a user set for it."""
    fixed = corrections or {}
    classes = [
        classify_activity(
            activity_id=row["activity_id"],
            sport=row["sport"],
            sub_sport=row["sub_sport"],
            name=row["name"],
            working_sets=row["working_sets"] or 0,
            distance_m=row["distance_m"],
            elapsed_s=row["elapsed_s"],
            overrides=overrides,
            correction=fixed.get(row["activity_id"]),
        )
        for row in activities.select(list(CLASSIFY_INPUT)).iter_rows(named=True)
    ]
    return pl.DataFrame(
        {
            "category": [c.category.value for c in classes],
            "subcategory": [c.subcategory.value for c in classes],
            "classification_reason": [c.reason for c in classes],
            "classification_confidence": [c.confidence for c in classes],
        },
        schema=CLASSIFY_OUTPUT,
    )
