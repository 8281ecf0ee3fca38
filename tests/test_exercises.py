"""The exercise catalogue: app and watch names map onto canonical exercises; unknown names stay unmapped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import fitdecode.profile
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitbalance import contracts
from fitbalance.errors import ConfigError
from fitbalance.exercises import (
    EQUIPMENT,
    EXERCISE_SCHEMA,
    FIT_DEFAULT,
    KINDS,
    MATCH_KINDS,
    MUSCLES,
    RESOLVED_KINDS,
    catalog_frame,
    load_catalog,
    name_key,
    parse_catalog,
)

FIT_CATEGORIES = [c for c in fitdecode.profile.FIELD_TYPES["exercise_category"].enum.values() if c != "unknown"]
FIT_EXERCISES = sorted(  # every subtype of every category (cardio_sensors has none)
    (category, name)
    for category in FIT_CATEGORIES
    if f"{category}_exercise_name" in fitdecode.profile.FIELD_TYPES
    for name in fitdecode.profile.FIELD_TYPES[f"{category}_exercise_name"].enum.values()
)
APP_LISTS = Path(__file__).parent / "app_exercise_lists"
HEADER = "name,kind,equipment,bodyweight,fit_category,primary,secondary,aliases\n"


def app_names(app: str) -> list[str]:
    lines = (APP_LISTS / f"{app}.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Bench Press (Barbell)", "Bench Press"),
        ("Barbell Bench Press", "Bench Press"),
        ("bench press", "Bench Press"),
        ("BARBELL_BENCH_PRESS", "Bench Press"),
        ("Bench Press (Dumbbell)", "Dumbbell Bench Press"),
        ("Dumbbell Bench Press", "Dumbbell Bench Press"),
        ("DB Bench Press", "Dumbbell Bench Press"),
        ("Lat Pulldown (Cable)", "Lat Pulldown"),
        ("Lat Pull-Down", "Lat Pulldown"),
        ("Cable Close Grip Lat Pulldown", "Lat Pulldown"),  # "Lat Pulldown - Close Grip (Cable)", words reordered
        ("Pull-Ups", "Pull-Up"),
        ("Pull Up (Weighted)", "Pull-Up"),
        ("weighted_pull_up", "Pull-Up"),
        ("Pull Up (Assisted)", "Assisted Pull-Up"),
        ("Squat (Barbell)", "Squat"),
        ("Pause Squat (Barbell)", "Squat"),
        ("barbell_back_squat", "Squat"),
        ("Deadlift (Barbell)", "Deadlift"),
        ("RDL", "Romanian Deadlift"),
        ("Overhead Press (Barbell)", "Overhead Press"),
        ("OHP", "Overhead Press"),
        ("Seated Cable Row - V Grip (Cable)", "Seated Cable Row"),
        ("Triceps Rope Pushdown", "Triceps Pushdown"),
        ("Bicep Curl (Dumbbell)", "Dumbbell Curl"),
        ("Farmer’s Walk", "Farmer's Carry"),
        ("Rowing (Machine)", "Rowing Machine"),
        ("Treadmill", "Treadmill Running"),
        # names the catalogue did not know on real exports (issue 11)
        ("Single Arm Lat Pulldown", "Lat Pulldown"),
        ("Seated Cable Row - Bar Wide Grip", "Seated Cable Row"),
        ("Chest Supported Y Raise (Dumbbell)", "Y Raise"),
        ("Pendulum Squat (Machine)", "Pendulum Squat"),
        ("Zercher Squat", "Zercher Squat"),
        ("Zercher Squat (Barbell)", "Zercher Squat"),  # its own equipment word may be added
        ("Spider Curl (Dumbbell)", "Dumbbell Preacher Curl"),
        ("KB Snatch 30''", "Kettlebell Snatch"),  # a time note is left out
        ("Iso Supported Lateral Raise 7/7/7", "Machine Lateral Raise"),  # so is a tempo note
        ("Elbow to Knee", "Crunch"),  # same words, other order, other exercise
        ("Knees to Elbows", "Hanging Leg Raise"),
    ],
)
def test_app_and_watch_names_map(written: str, canonical: str) -> None:
    """Names as Hevy, Strong and FIT write them map to one canonical exercise, whatever the case or order."""
    assert load_catalog().canonical(written, None, {}) == canonical


@pytest.mark.parametrize(
    "name", ["Intensity", "Bench Press (Kettlebell)", "Zorbing", "", "   ", "To Elbow Knee", "Zercher Squat (Machine)"]
)
def test_unknown_names_stay_unmapped(name: str) -> None:
    """A name matching nothing is None for the loader to flag; equipment is never dropped to force a match, and
    words that two exercises share in a third order ("To Elbow Knee") match neither."""
    assert load_catalog().canonical(name, None, {}) is None


@pytest.mark.parametrize("app", ["hevy", "strong", "fitnotes"])
def test_every_built_in_exercise_of_the_lifting_apps_maps(app: str) -> None:
    """Every built-in exercise name of Hevy, Strong and FitNotes maps to a catalogue exercise."""
    names = app_names(app)
    assert len(names) > 100
    catalog = load_catalog()
    unmapped = [name for name in names if catalog.lookup(name) is None]
    assert unmapped == []


def test_every_fit_exercise_of_the_profile_has_its_own_row() -> None:
    """Every FIT subtype of every FIT exercise category is mapped by name, to an exercise with muscles and
    equipment; the table names no subtype the profile does not have."""
    catalog = load_catalog()
    assert len(FIT_EXERCISES) > 1000
    assert [pair for pair in FIT_EXERCISES if pair not in catalog.fit_names] == []
    named = {pair for pair in catalog.fit_names if pair[1] != FIT_DEFAULT}
    assert named == set(FIT_EXERCISES)
    for category, name in FIT_EXERCISES:
        exercise = catalog.get(catalog.canonical(name, category, {}) or "")
        assert exercise is not None and exercise.primary and exercise.equipment in EQUIPMENT, (category, name)


@pytest.mark.parametrize(
    ("category", "name", "canonical", "equipment"),
    [
        ("bench_press", "kettlebell_chest_press", "Kettlebell Chest Press", "kettlebell"),
        ("bench_press", "barbell_bench_press", "Bench Press", "barbell"),
        ("pull_up", "weighted_pull_up", "Pull-Up", "bodyweight"),
        ("banded_exercises", "curl", "Band Curl", "band"),  # one FIT name, three categories, three exercises
        ("sandbag", "curl", "Sandbag Curl", "sandbag"),
        ("suspension", "curl", "Suspension Curl", "suspension"),
        ("squat", "zercher_squat", "Zercher Squat", "barbell"),
        ("plank", "side_plank", "Side Plank", "bodyweight"),
        ("pose", "side_plank", "Yoga Pose", "none"),
    ],
)
def test_a_fit_exercise_keeps_its_load(category: str, name: str, canonical: str, equipment: str) -> None:
    """A watch's subtype maps within its category to the exercise with that equipment, not the category's."""
    catalog = load_catalog()
    assert catalog.canonical(name, category, {}) == canonical
    exercise = catalog.get(canonical)
    assert exercise is not None and exercise.equipment == equipment


@pytest.mark.parametrize("category", FIT_CATEGORIES)
def test_every_fit_category_has_a_default(category: str) -> None:
    """Every FIT exercise category has a canonical exercise for a set whose subtype is missing or unknown."""
    catalog = load_catalog()
    found = catalog.canonical(None, category, {})
    assert found is not None and found in catalog
    assert catalog.canonical("some watch name we do not know", category, {}) == found


def test_name_wins_over_the_category() -> None:
    """A known name decides; the category is only the fallback."""
    catalog = load_catalog()
    assert catalog.canonical("Incline Bench Press (Dumbbell)", "bench_press", {}) == "Incline Dumbbell Bench Press"
    assert catalog.canonical("some watch name we do not know", "bench_press", {}) == "Bench Press"


def test_every_entry_is_well_formed() -> None:
    """Muscles, equipment and kinds come from the fixed vocabularies; every entry has a primary muscle and a real
    FIT category; the only word set two exercises share is the one known pair."""
    catalog = load_catalog()
    assert len(catalog.exercises) >= 250
    for exercise in catalog.exercises.values():
        assert exercise.primary, exercise.name
        assert set(exercise.primary + exercise.secondary) <= set(MUSCLES), exercise.name
        assert exercise.equipment in EQUIPMENT and exercise.kind in KINDS, exercise.name
        assert exercise.fit_category in FIT_CATEGORIES, exercise.name
        assert exercise.kind != "resistance" or "cardiovascular" not in exercise.primary, exercise.name
    assert catalog.ambiguous == {"elbow knee to"}


def test_no_alias_names_two_exercises() -> None:
    """Each name the data writes (a name or an alias) leads to the exercise that lists it."""
    catalog = load_catalog()
    for exercise in catalog.exercises.values():
        for written in (exercise.name, *exercise.aliases):
            assert catalog.lookup(written) == exercise.name, written


def test_user_names_come_first() -> None:
    """The settings mapping wins and is matched like catalogue names."""
    catalog = load_catalog()
    user = {"Landmine Press (Barbell)": "Overhead Press", "My Secret Lift": "Deadlift"}
    assert catalog.canonical("landmine press (barbell)", None, user) == "Overhead Press"
    assert catalog.canonical("MY SECRET LIFT", None, user) == "Deadlift"
    assert catalog.canonical("Secret Lift My", None, user) == "Deadlift"
    assert catalog.canonical("My Secret Lift", None, {}) is None


def test_kinds_mark_cardio_so_views_can_exclude_it() -> None:
    """Cardio logged in lifting apps is kind cardio; lifts are resistance; warm-ups mobility."""
    catalog = load_catalog()
    assert catalog.kind(catalog.canonical("Treadmill", None, {})) == "cardio"
    assert catalog.kind(catalog.canonical("Rowing (Machine)", None, {})) == "cardio"
    assert catalog.kind("Bench Press") == "resistance"
    assert catalog.kind("Mountain Climber") == "resistance"  # a plank with knee drives, not a run
    assert catalog.kind("Warm Up") == "mobility"
    assert catalog.kind(catalog.canonical("stretch_hamstring", "warm_up", {})) == "mobility"
    assert catalog.kind("Nope") is None


def test_catalog_frame_matches_the_exercises_table() -> None:
    """catalog_frame gives one row per exercise with the exercises table columns (plus kind)."""
    frame = catalog_frame()
    assert frame.schema == EXERCISE_SCHEMA
    assert frame.height == len(load_catalog().exercises)
    assert frame["exercise"].is_unique().all()
    bench = frame.filter(frame["exercise"] == "Bench Press").row(0, named=True)
    assert bench["fit_category"] == "bench_press" and bench["bodyweight"] is False
    assert bench["primary_muscles"] == ["chest"]
    assert catalog_frame(names=["Pull-Up", "not there"]).height == 1


def test_the_data_files_read_as_documented() -> None:
    """Comment lines, `;` lists, yes/no, and a `*` FIT row for the category default."""
    catalog = parse_catalog(
        "# a comment\n" + HEADER + "Goblet Squat,resistance,kettlebell,no,squat,quads;glutes,abs,KB Squat; Cup Squat\n",
        "fit_category,fit_name,exercise\nsquat,*,Goblet Squat\nsquat,goblet_squat,Goblet Squat\n",
    )
    squat = catalog.get("Goblet Squat")
    assert squat is not None and squat.primary == ("quads", "glutes") and squat.aliases == ("KB Squat", "Cup Squat")
    assert squat.bodyweight is False and squat.equipment == "kettlebell"
    assert catalog.canonical("cup squats", None, {}) == "Goblet Squat"
    assert catalog.canonical("Goblet Squat (Kettlebell)", None, {}) == "Goblet Squat"
    assert catalog.canonical(None, "squat", {}) == "Goblet Squat"


@pytest.mark.parametrize(
    ("exercises", "fit", "message"),
    [
        (
            HEADER + "A,resistance,barbell,no,,chest,,Press\nB,resistance,barbell,no,,chest,,press\n",
            "",
            "line 3:.*names both",
        ),
        (HEADER + "A,resistance,barbell,no,,chest,,\nA,resistance,barbell,no,,chest,,\n", "", "line 3:.*listed twice"),
        (HEADER + "A,resistance,barbell,no,,pecs,,\n", "", "line 2 .*unknown muscle 'pecs'"),
        (HEADER + "A,resistance,rock,no,,chest,,\n", "", "unknown equipment 'rock'"),
        (HEADER + "A,lifting,barbell,no,,chest,,\n", "", "unknown kind 'lifting'"),
        (HEADER + "A,resistance,barbell,maybe,,chest,,\n", "", "bodyweight must be yes or no"),
        (HEADER + "A,resistance,barbell,no,,,,\n", "", "no primary muscle"),
        (HEADER + "A,resistance,barbell,no,,chest\n", "", "line 2: 6 fields, expected 8"),
        ("name,aliases\nA,\n", "", "header must be"),
        (
            HEADER + "A,resistance,barbell,no,,chest,,\n",
            "fit_category,fit_name,exercise\nsquat,*,B\n",
            "unknown exercise 'B'",
        ),
        (
            HEADER + "A,resistance,barbell,no,,chest,,\n",
            "fit_category,fit_name,exercise\nsquat,x,A\nsquat,x,A\n",
            "line 3:.*listed twice",
        ),
    ],
)
def test_bad_catalogue_data_is_refused_with_its_line(exercises: str, fit: str, message: str) -> None:
    """Catalogue data that is malformed or maps one name to two exercises does not load; the error names the
    file and line."""
    with pytest.raises(ConfigError, match=message):
        parse_catalog(exercises, fit)


@given(st.text(max_size=80))
def test_any_text_maps_or_stays_none(text: str) -> None:
    """Matching never fails: any text gives a canonical name or None."""
    found = load_catalog().canonical(text, None, {})
    assert found is None or found in load_catalog()
    assert name_key(text) == name_key(name_key(text))


@pytest.fixture(scope="module")
def whole_corpus(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole real-world corpus (every FIT file and CSV export) ingested as a new user would: no settings file."""
    from fitbalance import ingest
    from fitbalance.config import Settings
    from tests.conftest import CORPUS_AS_OF

    db = tmp_path_factory.mktemp("whole-corpus") / "corpus.duckdb"
    ingest([corpus], db, settings=Settings(), as_of=datetime.fromisoformat(CORPUS_AS_OF))
    return db


@pytest.mark.corpus
@pytest.mark.slow
def test_under_one_percent_of_real_lifting_sets_are_unmapped(whole_corpus: Path) -> None:
    """Of the sets that count as work in the whole corpus (watches' sets and the Hevy and Strong exports' sets,
    loaded and deduplicated by the real ingest), under 1 % have no catalogue exercise; no lifting-app name is left
    (the figure is printed; the README quotes it). A Strong user's rows named "Intensity" (reps 1-11, no load)
    rate the session: they are `rating` rows, the workouts' RPE, and never listed as unmapped."""
    import duckdb

    con = duckdb.connect(str(whole_corpus), read_only=True)
    try:
        counted, unmapped, app_unmapped = con.execute(
            """SELECT count(*), count(*) FILTER (WHERE s.exercise IS NULL),
                      count(*) FILTER (WHERE s.exercise IS NULL AND is_lifting_app(a.source_format))
               FROM strength_sets AS s JOIN activities AS a USING (activity_id) WHERE is_counted_set(s.set_type)"""
        ).fetchone() or (0, 0, 0)
        ratings = con.execute(
            "SELECT count(*), list(DISTINCT exercise_name) FROM strength_sets WHERE set_type = 'rating'"
        ).fetchone()
        rated = con.execute("SELECT count(rpe) FROM activities WHERE source_format = 'csv:strong'").fetchone()
        listed = [r[0] for r in con.execute("SELECT exercise_name FROM unmapped_exercises").fetchall()]
    finally:
        con.close()
    print(f"{counted} counted sets, {unmapped} unmapped ({unmapped / counted:.2%}), {app_unmapped} of lifting apps")
    assert counted > 14_000
    assert unmapped / counted < 0.01
    assert app_unmapped == 0
    # 185 in the file, one in a workout set aside (over a day); one rated 11, off the 0-10 scale
    assert ratings == (184, ["Intensity"]) and rated == (183,)
    assert "Intensity" not in listed


@pytest.mark.parametrize(
    ("name", "exercise", "kind"),
    [
        ("Cable Forearm Curl", "Wrist Curl", "word_order"),  # forearm curl = wrist curl, "Cable Wrist Curl" reordered
        ("V-bar pulldown", "Lat Pulldown", "position"),  # a handle
        ("Lat pulldown v-bar", "Lat Pulldown", "position"),
        ("Incline Lateral Raise Db", "Lateral Raise", "position"),  # a bench angle, the equipment as a suffix
        ("Seated Hammer Curls", "Hammer Curl", "position"),  # a position, a plural
        ("Curl bar curl", "EZ-Bar Curl", "exact"),  # curl bar = EZ bar
        ("Bench Press DBs", "Dumbbell Bench Press", "alias"),  # an alias, DBs as a suffix
        ("Paused Squat", "Squat", "modifiers"),
        ("Smith Machine Squat", "Smith Machine Squat", "exact"),
        ("Pulldown (Machine)", "Machine Lat Pulldown", "word_order"),
        ("Zercher Squat (Barbell)", "Zercher Squat", "equipment"),  # its own equipment word added
        ("Barbell Bench Press", "Bench Press", "alias"),
    ],
)
def test_real_names_match_with_the_kind_of_match(name: str, exercise: str, kind: str) -> None:
    """Equipment as prefix, suffix or abbreviation, plurals, word order, positions and handles: each name finds its
    exercise, and how it was found is said (the narrowest rule first)."""
    assert load_catalog().match(name) == (exercise, kind)


def test_how_a_set_found_its_exercise_is_said_for_every_source_of_names() -> None:
    """The athlete's setting first, then the watch's FIT exercise, the written name, the FIT category's default;
    every kind said is one the `exercise_match` column allows."""
    catalog = load_catalog()
    mine = {"Cable Hamer Curls": "Cable Hammer Curl", "triceps_extension/bench_dip": "Dip"}
    assert catalog.resolve("cable hamer curl", None, mine) == ("Cable Hammer Curl", "setting")
    assert catalog.resolve("bench_dip", "triceps_extension", mine) == ("Chest Dip", "setting")  # Dip, as named
    assert catalog.resolve("barbell_bench_press", "bench_press", {}) == ("Bench Press", "fit_exercise")
    assert catalog.resolve("Bench Press", None, {}) == ("Bench Press", "exact")
    default = catalog.resolve(None, "bench_press", {})
    assert default is not None and default[1] == "fit_category"
    assert catalog.resolve("Zorbing", None, {}) is None
    assert set(MATCH_KINDS) < set(RESOLVED_KINDS) == set(contracts.STRENGTH_SETS.column("exercise_match").values)


def test_equipment_is_never_left_out_to_force_a_match() -> None:
    """A kettlebell hammer curl is not the dumbbell one (their loads differ): unmatched, with the closest names."""
    catalog = load_catalog()
    assert catalog.match("Kettlebell Hammer Curl") is None and catalog.match("Intensity") is None
    assert "Hammer Curl" in catalog.closest("Kettlebell Hammer Curl")


def test_the_closest_catalogue_names_are_offered_for_an_unknown_name() -> None:
    """What `fitbalance unmapped` offers beside a name nothing matched: catalogue exercises most like it."""
    catalog = load_catalog()
    assert all("Deadlift" in name for name in catalog.closest("Garage Stone Deadlift"))
    assert catalog.closest("Cable Hamer Curl")[0] == "Cable Hammer Curl"
    assert all(name in catalog for name in catalog.closest("zzz qqq"))
