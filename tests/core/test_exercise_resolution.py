"""Exercise names in the flow: every set gets its canonical exercise, the exercises table follows the settings."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from fitbalance.config import Athlete
from fitbalance.exercises import EXERCISE_SCHEMA, catalog_frame, exercises_table, load_catalog
from fitbalance.normalize import normalize
from fitbalance.process import exercise_resolver
from fitbalance.store import connection, load, reference

from .builders import decoded
from .test_load import NOW, batch

ME = Athlete(
    name="me", exercise_names={"Zercher Thing": "Garage Stone Lift", "Landmine Press (Barbell)": "Overhead Press"}
)


def sets_of(**kw: object) -> pl.DataFrame:
    tables = normalize(decoded(**kw), file_id="f", athlete=ME, resolve_exercise=exercise_resolver(ME))  # type: ignore[arg-type]
    return tables.sets.select("exercise_name", "exercise_category", "exercise")


def test_app_names_watch_categories_and_user_mappings_resolve_to_canonical_exercises() -> None:
    """An app name gets its canonical exercise and the catalogue's FIT category; a watch's category keeps its own."""
    got = sets_of(
        sets=[
            {"exercise_name": "Bench Press (Barbell)", "exercise_category": None},
            {"exercise_name": None, "exercise_category": "squat"},
            {"exercise_name": "Landmine Press (Barbell)", "exercise_category": None},
            {"exercise_name": "Zercher Thing", "exercise_category": None},
            {"exercise_name": "Intensity", "exercise_category": None},
            {"exercise_name": "Running (Treadmill)", "exercise_category": None, "reps": None, "weight_kg": None},
        ]
    )
    assert got.rows() == [
        ("Bench Press (Barbell)", "bench_press", "Bench Press"),
        (None, "squat", "Squat"),
        ("Landmine Press (Barbell)", "shoulder_press", "Overhead Press"),
        ("Zercher Thing", None, "Garage Stone Lift"),  # the user's own exercise: no catalogue category
        ("Intensity", None, None),  # unmapped: kept, flagged by the null
        ("Running (Treadmill)", "run_indoor", "Treadmill Running"),
    ]
    assert load_catalog().kind("Treadmill Running") == "cardio"


def test_a_watch_set_resolves_by_its_fit_subtype_and_an_app_set_by_its_name() -> None:
    """A FIT set's subtype picks the exercise within its category (a kettlebell press is not the barbell bench
    press the category defaults to); the same subtype name in another category is another exercise; app names
    the catalogue did not know before resolve with their catalogue category."""
    got = sets_of(
        sets=[
            {"exercise_name": "kettlebell_chest_press", "exercise_category": "bench_press"},
            {"exercise_name": "curl", "exercise_category": "banded_exercises"},
            {"exercise_name": "zercher_squat", "exercise_category": "squat"},
            {"exercise_name": "Zercher Squat (Barbell)", "exercise_category": None},
            {"exercise_name": "Pendulum Squat (Machine)", "exercise_category": None},
            {"exercise_name": "Seated Cable Row - Bar Wide Grip", "exercise_category": None},
        ]
    )
    assert got.rows() == [
        ("kettlebell_chest_press", "bench_press", "Kettlebell Chest Press"),
        ("curl", "banded_exercises", "Band Curl"),
        ("zercher_squat", "squat", "Zercher Squat"),
        ("Zercher Squat (Barbell)", "squat", "Zercher Squat"),
        ("Pendulum Squat (Machine)", "squat", "Pendulum Squat"),
        ("Seated Cable Row - Bar Wide Grip", "row", "Seated Cable Row"),
    ]


def test_the_exercises_table_holds_the_catalogue_and_the_users_own_exercises(tmp_path: Path) -> None:
    """Catalogue rows with kind, plus one row per mapping target the catalogue does not know."""
    rows = exercises_table(user_names=[ME.exercise_names, {"Other": "Bench Press"}])
    assert rows.height == catalog_frame().height + 1
    own = rows.filter(pl.col("exercise") == "Garage Stone Lift").row(0, named=True)
    assert own["kind"] == "resistance" and own["fit_category"] is None and own["primary_muscles"] == []
    with connection.open_store(tmp_path / "t.duckdb") as con:
        reference.refresh_exercises(con, rows)
        reference.refresh_exercises(con, rows)  # every run replaces it
        kinds = dict(connection.rows(con, "SELECT kind, count(*) FROM exercises GROUP BY ALL"))
        assert sum(kinds.values()) == rows.height and kinds["cardio"] > 5


def test_a_database_made_before_kind_existed_gets_the_column(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    old_columns = ", ".join(f"{c} {t}" for c, t in [("exercise", "VARCHAR PRIMARY KEY"), ("fit_category", "VARCHAR")])
    con.execute(
        f"CREATE TABLE exercises ({old_columns}, primary_muscles VARCHAR[], secondary_muscles VARCHAR[], "
        "equipment VARCHAR, bodyweight BOOLEAN NOT NULL)"
    )
    con.close()
    with connection.open_store(db) as con:
        reference.refresh_exercises(con, catalog_frame())
        assert connection.rows(con, "SELECT kind FROM exercises WHERE exercise = 'Treadmill Running'") == [("cardio",)]
    assert list(EXERCISE_SCHEMA)[-1] == "kind"


def test_a_mapping_added_later_reaches_the_sets_already_loaded(tmp_path: Path) -> None:
    """Load with no mappings: 'Zercher Thing' is unmapped. Add the mapping: the next remap maps the loaded sets."""
    plain = Athlete(name="me")
    b = batch("f1", "a.fit", sets=[{"exercise_name": "Zercher Thing", "exercise_category": None}, {}])
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, b, athlete="me", run_id="r", now=NOW)
        assert reference.remap_exercises(con, "me", exercise_resolver(plain)) == 1  # the bench press set gets its name
        before = connection.rows(con, "SELECT exercise_name, exercise FROM strength_sets ORDER BY set_index")
        assert before == [("Zercher Thing", None), (None, "Bench Press")]
        assert reference.remap_exercises(con, "me", exercise_resolver(ME)) == 1
        assert connection.rows(con, "SELECT exercise, exercise_match FROM strength_sets ORDER BY set_index") == [
            ("Garage Stone Lift", "setting"),
            ("Bench Press", "fit_category"),
        ]
        assert reference.remap_exercises(con, "me", exercise_resolver(ME)) == 0  # nothing left to change


def test_sets_loaded_before_the_match_column_existed_get_it_on_the_next_remap_without_counting(
    tmp_path: Path,
) -> None:
    """A set whose exercise is right but whose `exercise_match` is null (loaded by an older fitbalance) gets how
    its exercise was found; it is not counted as given another exercise."""
    b = batch("f1", "a.fit", sets=[{"exercise_name": "Barbell Bench Press", "exercise_category": None}])
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, b, athlete="me", run_id="r", now=NOW)
        con.execute("UPDATE strength_sets SET exercise = 'Bench Press', exercise_match = NULL")
        assert reference.remap_exercises(con, "me", exercise_resolver(Athlete(name="me"))) == 0
        assert connection.rows(con, "SELECT exercise, exercise_match FROM strength_sets") == [("Bench Press", "alias")]


def test_a_fit_exercise_is_mapped_for_all_its_sets_as_category_slash_name() -> None:
    """`"triceps_extension/bench_dip" = "Chest Dip"` maps every set the watch filed as that FIT exercise, and only
    those: the same subtype name in another category, and an app set written "Bench Dip", keep their exercise."""
    athlete = Athlete(name="me", exercise_names={"triceps_extension/bench_dip": "Chest Dip"})
    resolve = exercise_resolver(athlete)
    assert resolve("bench_dip", "triceps_extension") == ("Chest Dip", "triceps_extension", "setting")
    assert resolve("bench_dip", None) == ("Bench Dip", "triceps_extension", "exact")  # by its name, as an app's set
    assert resolve("Bench Dip", None) == ("Bench Dip", "triceps_extension", "exact")
    assert resolve("body_weight_dip", "triceps_extension") == ("Chest Dip", "triceps_extension", "fit_exercise")
    plain = exercise_resolver(Athlete(name="me"))
    assert plain("bench_dip", "triceps_extension").exercise == "Bench Dip"  # type: ignore[union-attr]
