"""Corrections reach the data already loaded, through the real Prefect flow on the generated sample data.

An override added after the first ingest, an ``activity_id`` override, ``fitbalance classify`` and ``fitbalance
correct-set``, a unit setting that changed how a CSV was read, and a file quarantined for a cause that was not its
own: each reaches the rows already in DuckDB on the next ingest (or at once, for the commands), and the views
follow. The module ingests ``sample_data/fit`` once; each test works on its own copy of that database.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from fitbalance.cli import app
from fitbalance.rereads import MAX_ATTEMPTS
from fitbalance.sources import FAULT_ENV
from tests.ingesting import ingest_like_the_flow as ingest

from .conftest import SAMPLE_DATA

SETTINGS = 'default_athlete = "me"\n\n[athletes.me]\ntime_zone = "Europe/Berlin"\n'
RIDES_ARE_CIRCUITS = '\n[[athletes.me.overrides]]\nsport = "cycling"\ncategory = "other"\nsubcategory = "mixed"\n'


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@dataclass(frozen=True)
class Loaded:
    data: Path
    db: Path
    first: dict[str, Any]


@pytest.fixture(scope="module")
def fit_run(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    """The sample FIT files, ingested once with no overrides."""
    root = tmp_path_factory.mktemp("corrections")
    data = root / "fit"
    shutil.copytree(SAMPLE_DATA / "fit", data)
    settings = root / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = root / "fit.duckdb"
    return Loaded(data, db, ingest([data], db, settings, workers=2))


@pytest.fixture
def copy(fit_run: Loaded, tmp_path: Path) -> tuple[Path, Path]:
    """This test's own copy of the loaded database, and a settings file like the one it was loaded with."""
    db = tmp_path / "fit.duckdb"
    shutil.copy(fit_run.db, db)
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    return db, settings


def weekly(db: Path, *columns: str) -> dict[date, tuple[Any, ...]]:
    found = q(db, f"SELECT week_start, {', '.join(columns)} FROM weekly_balance WHERE athlete = 'me'")
    return {week: tuple(values) for week, *values in found}


def classes(db: Path) -> dict[str, tuple[str, str, str]]:
    found = q(db, "SELECT activity_id, category, subcategory, classification_reason FROM activities")
    return {activity_id: (c, s, r) for activity_id, c, s, r in found}


# ---- overrides in the settings file ------------------------------------------------------------------------------


def test_an_override_added_after_the_first_ingest_reclassifies_every_matching_activity(
    fit_run: Loaded, copy: tuple[Path, Path]
) -> None:
    """The rides were circuits: an override added to the settings reclassifies every loaded ride on the next
    ingest, with nothing new to load; same ids, the reason names the override, nothing else moves, and
    weekly_balance moves their minutes from endurance to mixed."""
    db, settings = copy
    before = classes(db)
    ride_ids = {r[0] for r in q(db, "SELECT activity_id FROM activities WHERE sport = 'cycling'")}
    assert len(ride_ids) == 13  # sample_data/fit
    rides = q(db, "SELECT week_start, sum(minutes) FROM activities_effective WHERE sport = 'cycling' GROUP BY 1")
    minutes_before = weekly(db, "endurance_minutes", "mixed_minutes")
    settings.write_text(SETTINGS + RIDES_ARE_CIRCUITS)

    summary = ingest([fit_run.data], db, settings)
    assert (summary["loaded"], summary["activities_added"]) == (0, 0)
    assert summary["already_loaded"] == summary["files_seen"] == fit_run.first["files_seen"]
    assert summary["reclassified"] == len(ride_ids)

    after = classes(db)
    assert after.keys() == before.keys()
    assert {after[i] for i in ride_ids} == {("other", "mixed", "override:sport=cycling")}
    assert {i: c for i, c in after.items() if i not in ride_ids} == {
        i: c for i, c in before.items() if i not in ride_ids
    }
    minutes_after = weekly(db, "endurance_minutes", "mixed_minutes")
    ride_minutes_after = dict(
        q(db, "SELECT week_start, sum(minutes) FROM activities_effective WHERE sport = 'cycling' GROUP BY 1")
    )
    for week, endurance_minutes in rides:
        assert minutes_before[week][0] - minutes_after[week][0] == pytest.approx(endurance_minutes)
        assert minutes_after[week][1] - minutes_before[week][1] == pytest.approx(ride_minutes_after[week])

    settings.write_text(SETTINGS)  # the rule removed: the next ingest gives the rides back to the rules
    assert ingest([fit_run.data], db, settings)["reclassified"] == len(ride_ids)
    assert classes(db) == before


def test_an_activity_id_override_reclassifies_that_activity_on_the_next_ingest(
    fit_run: Loaded, copy: tuple[Path, Path]
) -> None:
    """An override naming one activity's id (ids exist only once it is loaded) takes effect on the next ingest,
    even after an override that matches it too; that week gains a strength session."""
    db, settings = copy
    ((yoga, week),) = q(db, "SELECT activity_id, week_start FROM activities_effective WHERE sub_sport = 'yoga'")
    sessions = weekly(db, "resistance_sessions")[week][0]
    settings.write_text(
        SETTINGS
        + '\n[[athletes.me.overrides]]\nsub_sport = "yoga"\ncategory = "other"\nsubcategory = "balance"\n'
        + f'\n[[athletes.me.overrides]]\nactivity_id = "{yoga}"\ncategory = "resistance"\n'
    )
    summary = ingest([fit_run.data], db, settings)
    assert summary["loaded"] == 0
    assert classes(db)[yoga] == ("resistance", "strength", f"override:activity_id={yoga}")
    assert weekly(db, "resistance_sessions")[week][0] == sessions + 1


# ---- fitbalance classify ---------------------------------------------------------------------------------------


def test_classify_corrects_one_activity_at_once_and_the_correction_survives_an_ingest_and_a_rebuild(
    fit_run: Loaded, copy: tuple[Path, Path], prefect_harness: None
) -> None:
    """`fitbalance classify` changes the class and weekly_balance at once, with no ingest; a later ingest (with an
    override that would say otherwise) and a rebuild from the same files (`fitbalance reprocess --all`, every file
    read again) keep it; `--clear` gives the activity back to the rules."""
    db, settings = copy
    ((ride, week),) = q(
        db, "SELECT activity_id, week_start FROM activities_effective WHERE sport = 'cycling' ORDER BY 1 LIMIT 1"
    )
    other_before = weekly(db, "resistance_sessions", "other_sessions")[week]

    output = cli("classify", ride[:10], "--as", "resistance", "--db", str(db), "--settings", str(settings))
    assert ride in output and "other/endurance" in output and "resistance/strength (correction)" in output
    assert classes(db)[ride] == ("resistance", "strength", "correction")
    assert weekly(db, "resistance_sessions", "other_sessions")[week] == (other_before[0] + 1, other_before[1] - 1)
    listed = q(db, "SELECT source, applies_to, result, activities FROM corrections_in_force")
    assert listed == [("fitbalance classify", ride, "resistance/strength", 1)]

    settings.write_text(SETTINGS + RIDES_ARE_CIRCUITS)
    ingest([fit_run.data], db, settings)
    assert classes(db)[ride] == ("resistance", "strength", "correction")
    assert q(db, "SELECT count(*) FROM activities WHERE classification_reason = 'override:sport=cycling'") == [(12,)]

    files = q(db, "SELECT count(*) FROM source_files")[0][0]
    output = cli("reprocess", "--all", "--db", str(db), "--settings", str(settings), "--athlete", "me")
    assert f"{files} files recorded earlier were read again" in output
    assert q(db, "SELECT count(*) FROM source_files WHERE reader_version IS NOT NULL") == [(files,)]
    assert classes(db)[ride] == ("resistance", "strength", "correction")
    assert weekly(db, "resistance_sessions")[week][0] == other_before[0] + 1

    output = cli("classify", ride, "--clear", "--db", str(db), "--settings", str(settings))
    assert classes(db)[ride] == ("other", "mixed", "override:sport=cycling")
    assert q(db, "SELECT count(*) FROM activity_corrections") == [(0,)]


# ---- fitbalance correct-set, and a watch's exercise mapped for all its sets --------------------------------------


def test_correct_set_changes_exercise_progress_and_a_fit_exercise_mapping_renames_the_rest(
    fit_run: Loaded, copy: tuple[Path, Path]
) -> None:
    """The watch's best squat of a week was a front squat: `fitbalance correct-set` moves it from Squat to Front
    Squat in exercise_progress and personal_records at once. A mapping of the watch's FIT exercise
    (`squat/barbell_back_squat`) renames every other such set on the next ingest; the corrected set keeps its
    correction."""
    db, settings = copy
    ((activity, set_index, week, e1rm),) = q(
        db,
        "SELECT activity_id, set_index, week_start, e1rm_kg FROM working_sets WHERE exercise = 'Squat' "
        "ORDER BY e1rm_kg DESC, activity_id LIMIT 1",
    )
    squat_sets = dict(q(db, "SELECT week_start, working_sets FROM exercise_progress WHERE exercise = 'Squat'"))

    output = cli("correct-set", activity, str(set_index), "front squat", "--db", str(db), "--settings", str(settings))
    assert "Squat -> Front Squat" in output
    progress = q(
        db, "SELECT week_start, working_sets, best_e1rm_kg FROM exercise_progress WHERE exercise = 'Front Squat'"
    )
    assert progress == [(week, 1, pytest.approx(e1rm))]
    assert dict(q(db, "SELECT week_start, working_sets FROM exercise_progress WHERE exercise = 'Squat'")) == {
        w: n - (w == week) for w, n in squat_sets.items()
    }
    assert q(db, "SELECT best_e1rm_kg FROM personal_records WHERE exercise = 'Front Squat'") == [(pytest.approx(e1rm),)]

    settings.write_text(SETTINGS + '\n[athletes.me.exercise_names]\n"squat/barbell_back_squat" = "Belt Squat"\n')
    summary = ingest([fit_run.data], db, settings)
    assert summary["sets_remapped"] == sum(squat_sets.values()) - 1
    assert q(db, "SELECT count(*) FROM exercise_progress WHERE exercise = 'Squat'") == [(0,)]
    belt = dict(q(db, "SELECT week_start, working_sets FROM exercise_progress WHERE exercise = 'Belt Squat'"))
    assert belt == {w: n - (w == week) for w, n in squat_sets.items()}
    assert q(
        db, "SELECT exercise FROM strength_sets WHERE activity_id = ? AND set_index = ?", [activity, set_index]
    ) == [("Front Squat",)]

    cli("correct-set", activity, str(set_index), "--clear", "--db", str(db), "--settings", str(settings))
    assert q(
        db, "SELECT exercise FROM strength_sets WHERE activity_id = ? AND set_index = ?", [activity, set_index]
    ) == [("Belt Squat",)]


# ---- a file quarantined for a cause that was not its own --------------------------------------------------------


def test_a_file_quarantined_for_an_internal_error_loads_on_the_next_run_once_the_cause_is_gone(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An internal error (injected by the reader's test hook) quarantines one file; while the cause lasts the next
    runs try it again, up to 3 attempts, then leave it and `fitbalance status` says so; once the cause is gone
    `--retry-quarantined` loads it, and a file that failed once loads on the next ordinary run."""
    folder = tmp_path / "in"
    folder.mkdir()
    runs = sorted((SAMPLE_DATA / "fit" / "2025-02").glob("*-run.fit"))[:2]
    for f in runs:
        shutil.copy(f, folder / f.name)
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = tmp_path / "t.duckdb"
    broken = runs[0].name

    monkeypatch.setenv(FAULT_ENV, broken)
    first = ingest([folder], db, settings, workers=1)
    assert (first["loaded"], first["quarantined"]) == (1, 1)
    assert q(db, "SELECT stage FROM quarantine") == [("internal",)]
    for attempt in range(2, MAX_ATTEMPTS + 1):  # the cause still there: tried again, and again
        again = ingest([folder], db, settings, workers=1)
        assert (again["quarantined"], again["already_loaded"], again["reread"]) == (1, 1, 1)
        assert q(db, "SELECT attempts FROM source_files WHERE status = 'quarantined'") == [(attempt,)]
    given_up = ingest([folder], db, settings, workers=1)
    assert (given_up["quarantined"], given_up["already_loaded"]) == (0, 2)
    status = " ".join(CliRunner().invoke(app, ["status", "--db", str(db)]).output.split())
    assert f"1 quarantined files failed {MAX_ATTEMPTS} times for a reason not their own; given up" in status
    assert f"{folder / broken}: internal error (RuntimeError: fault injected" in status

    monkeypatch.delenv(FAULT_ENV)
    output = cli("ingest", str(folder), "--db", str(db), "--settings", str(settings), "--retry-quarantined")
    assert "1 files recorded earlier were read again" in output
    assert q(db, "SELECT status, attempts FROM source_files ORDER BY path") == [("loaded", 0), ("loaded", 0)]
    assert q(db, "SELECT count(*) FROM quarantine") == [(0,)]

    # a cause that is gone by the next run: no command needed
    (folder / "third.fit").write_bytes((SAMPLE_DATA / "fit" / "2025-03" / "2025-03-04-1830-run.fit").read_bytes())
    monkeypatch.setenv(FAULT_ENV, "third.fit")
    assert ingest([folder], db, settings, workers=1)["quarantined"] == 1
    monkeypatch.delenv(FAULT_ENV)
    after = ingest([folder], db, settings, workers=1)
    assert (after["loaded"], after["quarantined"], after["activities_added"]) == (1, 0, 1)


# ---- settings that change how a file is read -------------------------------------------------------------------

OLD_GARMIN = "garmin_activities_old_en.csv"  # an older Connect export that does not say km or miles


def distances(db: Path) -> dict[str, float]:
    return dict(q(db, "SELECT activity_id, distance_m FROM activities WHERE distance_m > 0"))


def test_a_changed_unit_setting_reads_the_file_again_wherever_it_is_recorded(tmp_path: Path) -> None:
    """distance_unit km -> mi: the next ingest reads the old Garmin export again, and its runs and rides are miles
    now (its swims yards), the same activities; from its recorded path when the run is given other paths, and from
    inside a zip. A file that is gone keeps its rows, and `fitbalance status` says it could not be read again."""
    folder, elsewhere = tmp_path / "in", tmp_path / "other"
    folder.mkdir()
    elsewhere.mkdir()
    export = folder / OLD_GARMIN
    shutil.copy(SAMPLE_DATA / "csv" / OLD_GARMIN, export)
    with zipfile.ZipFile(folder / "archive.zip", "w") as zf:
        zf.write(SAMPLE_DATA / "csv" / "strava_activities_2019.csv", "nested/strava.csv")
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS + 'distance_unit = "km"\n')
    db = tmp_path / "t.duckdb"
    ingest([folder], db, settings, workers=1)
    km = distances(db)
    assert q(db, "SELECT read_settings FROM source_files") == [('{"distance_unit": "km"}',)] * 2

    settings.write_text(SETTINGS + 'distance_unit = "mi"\n')
    summary = ingest([elsewhere], db, settings, workers=1)  # neither file is among this run's paths
    assert (summary["reread"], summary["loaded"], summary["activities_added"]) == (2, 2, 0)
    mi = distances(db)
    assert mi.keys() == km.keys()
    garmin = dict(q(db, "SELECT activity_id, sport FROM activities WHERE source_format = 'csv:garmin'"))
    garmin_ids = set(garmin)
    for activity_id, sport in garmin.items():  # km -> miles on land, metres -> yards in the pool
        factor = 0.9144 if sport == "swimming" else 1.609344
        assert mi[activity_id] == pytest.approx(km[activity_id] * factor, rel=1e-3)
    assert ingest([folder], db, settings, workers=1)["reread"] == 0  # read with these settings already

    export.rename(tmp_path / "moved.csv")
    settings.write_text(SETTINGS + 'distance_unit = "km"\n')
    summary = ingest([elsewhere], db, settings, workers=1)
    assert summary["reread"] == 1  # the zip's member
    (problem,) = summary["not_reread"]
    assert str(export) in problem and "is gone" in problem and "distance_unit 'mi' -> 'km'" in problem
    assert {i: d for i, d in distances(db).items() if i in garmin_ids} == {i: mi[i] for i in garmin_ids}
    status = " ".join(CliRunner().invoke(app, ["status", "--db", str(db)]).output.split())
    assert f"1 files could not be read again (their rows stay as they were): {export}: to read again" in status


def test_reprocess_since_a_version_reads_what_an_older_release_read(prefect_harness: None, tmp_path: Path) -> None:
    """`fitbalance reprocess --since-version X` reads again the files read by a release older than X, none other;
    it needs one of --all, --quarantined, --since-version."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_DATA / "csv" / "hevy_workouts.csv", folder)
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = tmp_path / "t.duckdb"
    ingest([folder], db, settings, workers=1)
    rows = q(db, "SELECT * FROM strength_sets ORDER BY ALL")

    assert "read again" not in cli("reprocess", "--since-version", "0.0.1", "--db", str(db), "--athlete", "me")
    output = cli("reprocess", "--since-version", "999.0", "--db", str(db), "--settings", str(settings))
    assert "1 files recorded earlier were read again" in output
    assert q(db, "SELECT * FROM strength_sets ORDER BY ALL") == rows
    bad = CliRunner().invoke(app, ["reprocess", "--all", "--quarantined", "--db", str(db)])
    assert bad.exit_code == 2 and "one of --all" in bad.output


# ---- a settings file with a mistake ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[athletes.me]\ntime_zone = "Europe/Berlin\n', "line 2: not valid TOML"),
        ('[athletes.me]\ntime_zone = "Europe/Berln"\n', "did you mean 'Europe/Berlin'"),
        ("[athletes.me]\nmaxhr = 180\n", "did you mean 'max_hr'"),
        ('[athletes.me]\n\n[[athletes.me.overrides]]\ncategory = "other"\n', "line 3: athletes.me.overrides[0]"),
    ],
)
def test_a_settings_mistake_is_one_line_before_any_flow_starts(tmp_path: Path, text: str, fragment: str) -> None:
    """ingest and reprocess read the settings first: a mistake is one line naming the file, the line and the fix,
    with no traceback, and no flow runs (no database is made)."""
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(text)
    db = tmp_path / "t.duckdb"
    db.touch()
    for args in (["ingest", str(SAMPLE_DATA / "invalid")], ["reprocess", "--all"]):
        result = CliRunner().invoke(app, [*args, "--db", str(db), "--settings", str(settings)])
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {settings}: line "), result.output
        assert fragment in lines[0] and "fix: " in lines[0]
        assert "Traceback" not in result.output
    assert db.stat().st_size == 0  # no flow opened it


def test_heart_rate_settings_and_birth_year_reach_the_views_without_reading_a_file_again(
    fit_run: Loaded, copy: tuple[Path, Path]
) -> None:
    """max_hr, resting_hr, birth_year and sex feed only the views: the next ingest reads no file again, and the
    views answer with the new values (the athlete is 65 or more now; the training load is weighed anew)."""
    db, settings = copy
    load_before = q(db, "SELECT round(sum(total_load), 3) FROM training_load_daily")[0][0]
    assert not any(v[0] for v in weekly(db, "is_65_plus").values())  # no birth year: under 65
    settings.write_text(SETTINGS + 'birth_year = 1950\nmax_hr = 170\nresting_hr = 45\nsex = "female"\n')
    summary = ingest([fit_run.data], db, settings)
    assert (summary["reread"], summary["loaded"], summary["reclassified"]) == (0, 0, 0)
    assert all(v[0] for v in weekly(db, "is_65_plus").values())
    assert q(db, "SELECT round(sum(total_load), 3) FROM training_load_daily")[0][0] != load_before
