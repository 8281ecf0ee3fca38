"""WHOOP workouts.csv: times in the cycle's zone, WHOOP's published activities, zones, bad rows and the side files."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest

from fitbalance.classify import classify_activity
from fitbalance.models import Category, Decoded
from fitbalance.sources.csv import read_csv, typetables, whoop
from synth import watch_csvs
from synth.csv_samples import csv_text
from tests.sources.csv.conftest import ZONE

HEADER = [
    "Cycle start time",
    "Cycle end time",
    "Cycle timezone",
    "Workout start time",
    "Workout end time",
    "Duration (min)",
    "Activity name",
    "Activity Strain",
    "Energy burned (cal)",
    "Max HR (bpm)",
    "Average HR (bpm)",
    "HR Zone 1 %",
    "HR Zone 2 %",
    "HR Zone 3 %",
    "HR Zone 4 %",
    "HR Zone 5 %",
    "GPS enabled",
    "Distance (meters)",
]
LIFT = ["2026-01-08 00:15:00", "2026-01-09 00:15:00", "UTC+01:00", "2026-01-08 18:30:00", "2026-01-08 19:28:00"]
LIFT += ["58", "Weightlifting", "6.7", "390.0", "162", "118", "29", "5", "22", "23", "21", "false", ""]
RUN = ["2026-01-11 00:33:00", "2026-01-12 00:33:00", "-05:00", "2026-01-11 10:00:00", "2026-01-11 11:08:00"]
RUN += ["68", "Running", "9.3", "778.0", "175", "148", "26", "21", "23", "26", "4", "true", "11791"]


def workouts(*rows: list[str], header: list[str] = HEADER) -> bytes:
    return csv_text([header, *rows]).encode()


def read(data: bytes, name: str = "workouts.csv") -> Decoded:
    return read_csv(data, name, ZONE)


def category(row: dict[str, object]) -> Category:
    return classify_activity(
        activity_id="a",
        sport=str(row["sport"]),
        sub_sport=str(row["sub_sport"]),
        name=str(row["name"]),
        working_sets=0,
        distance_m=None,
        elapsed_s=None,
    ).category


def test_workouts_are_placed_in_the_cycles_zone_in_si_units() -> None:
    """Local times with the cycle's offset (+01:00, -05:00) become UTC marked "row"; minutes (the timer time: WHOOP
    does not pause), kcal, metres."""
    lift, run = read(workouts(LIFT, RUN)).activities.iter_rows(named=True)
    assert (lift["start_time_utc"], lift["utc_offset_s"], lift["utc_offset_source"]) == (
        datetime(2026, 1, 8, 17, 30),
        3600,
        "row",
    )
    assert (lift["elapsed_s"], lift["moving_s"], lift["calories_kcal"]) == (58 * 60.0, 58 * 60.0, 390.0)
    assert lift["timer_s"] == 58 * 60.0
    assert (lift["avg_hr"], lift["max_hr"], lift["distance_m"]) == (118.0, 162.0, None)
    assert (run["start_time_utc"], run["utc_offset_s"]) == (datetime(2026, 1, 11, 15, 0), -5 * 3600)
    assert (run["sport"], run["distance_m"], run["elapsed_s"]) == ("running", 11791.0, 68 * 60.0)


def test_utc_and_a_missing_or_unreadable_zone() -> None:
    """``UTCZ`` is UTC; a row with no cycle timezone, or one that is not an offset, takes the athlete's zone (not
    marked "row"); the unreadable one is named in a warning."""
    zulu = [*LIFT[:2], "UTCZ", *LIFT[3:]]
    blank = [*LIFT[:2], "", *LIFT[3:]]
    garbled = [*LIFT[:2], "Berlin", *LIFT[3:]]
    decoded = read(workouts(zulu, blank, garbled))
    first, second, third = decoded.activities.iter_rows(named=True)
    assert (first["start_time_utc"], first["utc_offset_s"]) == (datetime(2026, 1, 8, 18, 30), 0)
    assert (second["start_time_utc"], second["utc_offset_source"]) == (datetime(2026, 1, 8, 17, 30), None)
    assert (third["start_time_utc"], third["utc_offset_source"]) == (datetime(2026, 1, 8, 17, 30), None)
    assert decoded.warnings == ("cycle timezone not understood on line(s) 4: placed in the athlete's zone",)


@pytest.mark.parametrize("name", ["Weightlifting", "Powerlifting", "Strength Trainer", "Functional Fitness"])
def test_the_strength_activities_are_resistance(name: str) -> None:
    """WHOOP's strength activities map to strength training: resistance."""
    row = read(workouts([*LIFT[:6], name, *LIFT[7:]])).activities.row(0, named=True)
    assert row["sub_sport"] == "strength_training" and category(row) is Category.RESISTANCE


def test_every_published_activity_loads_with_its_sport_and_a_reason() -> None:
    """All of WHOOP's activities (the API's sport list and the app's strain and recovery lists) load, mapped."""
    table = typetables.load(whoop.DATA_FILE)
    assert len(table.entries) >= 150 and all(e.why for e in table.entries)
    rows = [[*LIFT[:6], entry.name, *LIFT[7:]] for entry in table.entries]
    decoded = read(workouts(*rows))
    assert decoded.activities.height == len(table.entries) and not decoded.rejected and not decoded.warnings
    pairs = decoded.activities.select("sport", "sub_sport").rows()
    assert pairs == [e.pair for e in table.entries]
    recovery = read(workouts([*LIFT[:6], "Sauna", *LIFT[7:]])).activities.row(0, named=True)
    assert category(recovery) is Category.OTHER


def test_an_unknown_activity_loads_as_generic_and_is_named_in_a_warning() -> None:
    row = [*LIFT[:6], "Basket Weaving, Underwater", *LIFT[7:]]
    decoded = read(workouts(row))
    assert decoded.activities.row(0, named=True)["sport"] == "generic"
    assert "'Basket Weaving, Underwater' (1)" in decoded.warnings[0]


def test_zones_that_cannot_be_percentages_are_named_and_the_workout_still_loads() -> None:
    """Zones are checked, not stored: over 100 % in total, or a zone above 100, is a warning naming the line."""
    over = [*LIFT[:11], "60", "60", "0", "0", "0", *LIFT[16:]]
    decoded = read(workouts(LIFT, over))
    assert decoded.activities.height == 2 and not decoded.rejected
    assert any("line 3" in w and "120%" in w for w in decoded.warnings)


def test_bad_rows_are_set_aside_with_their_line_and_values() -> None:
    """An unreadable start, a negative energy, a heart rate that is not a number: each row alone, with its values."""
    rows = [
        LIFT,
        [*LIFT[:3], "soon", *LIFT[4:]],
        [*LIFT[:8], "-5", *LIFT[9:]],
        [*LIFT[:10], "fast", *LIFT[11:]],
        RUN,
    ]
    decoded = read(workouts(*rows))
    assert decoded.activities.height == 2
    assert [r.line for r in decoded.rejected] == [3, 4, 5]
    assert "workout start time" in decoded.rejected[0].reason
    assert "negative" in decoded.rejected[1].reason
    assert "Average HR (bpm)" in decoded.rejected[2].reason
    assert json.loads(decoded.rejected[0].payload or "{}")["values"]["Workout start time"] == "soon"


def test_a_spanish_export_reads_the_same() -> None:
    """An account set to Spanish writes the columns in Spanish (entrenamientos.csv): the same workout."""
    spanish = [
        "Hora de inicio del ciclo",
        "Hora de finalización del ciclo",
        "Zona horaria del ciclo",
        "Hora de inicio del entrenamiento",
        "Hora de finalización del entrenamiento",
        "Duración (min)",
        "Nombre de la actividad",
        "Esfuerzo de actividad",
        "Energía quemada (cal)",
        "FC máx. (lpm)",
        "FC promedio (lpm)",
        "Zona FC 1%",
        "Zona FC 2%",
        "Zona FC 3%",
        "Zona FC 4%",
        "Zona FC 5%",
        "GPS habilitado",
        "Distancia (metros)",
    ]
    english = read(workouts(LIFT)).activities
    assert read(workouts(LIFT, header=spanish), "entrenamientos.csv").activities.equals(english)


@pytest.mark.parametrize(
    ("name", "header", "kind"),
    [
        ("physiological_cycles.csv", "Cycle start time,Cycle end time,Cycle timezone,Recovery score %", "cycles"),
        ("sleeps.csv", "Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Nap", "sleep"),
        ("journal_entries.csv", "Cycle start time,Cycle end time,Cycle timezone,Question text,Answered yes", "journal"),
    ],
)
def test_the_other_files_of_the_export_are_skipped_with_their_kind(name: str, header: str, kind: str) -> None:
    row = ",".join(["2026-01-08 00:15:00", "2026-01-09 00:15:00", "UTC+01:00"] + ["1"] * (header.count(",") - 2))
    decoded = read(f"{header}\n{row}\n".encode(), name)
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "csv:whoop")
    assert kind in decoded.detail and "WHOOP" in decoded.detail


def test_the_generated_export_gives_what_the_generator_planned() -> None:
    for name, (data, expect) in watch_csvs.watch_files().items():
        if "/whoop/" not in name:
            continue
        decoded = read(data, name)
        if expect["status"] == "skipped":
            assert decoded.file_type == "no_activities" and expect["kind"] in decoded.detail
            continue
        rows = list(decoded.activities.iter_rows(named=True))
        assert len(rows) == expect["activities"] and not decoded.rejected and not decoded.warnings
        assert sum(category(r) is Category.RESISTANCE for r in rows) == expect["resistance"] == 4


def test_a_german_accounts_export_reads_the_same_workouts() -> None:
    """The generator's German ``Trainings.csv`` (German column names and "Laufen", as real German exports write
    them): the same starts in the cycle's zone, durations, energy, heart rates and classes as the English file; the
    runs are running."""
    sessions = watch_csvs.planned_sessions()["whoop"]
    english = read(watch_csvs.whoop_workouts(random.Random(3), sessions)[0])
    data, expect = watch_csvs.whoop_workouts(random.Random(3), sessions, language="de")
    assert "Startzeit des Trainings" in data.decode() and "Workout" not in data.decode()
    german = read(data, "Trainings.csv")
    assert german.source_format == "csv:whoop" and not german.rejected and not german.warnings
    same = ["sport", "sub_sport", "start_time_utc", "utc_offset_s", "utc_offset_source", "elapsed_s", "timer_s"]
    same += ["calories_kcal", "avg_hr", "max_hr"]
    assert german.activities.select(same).equals(english.activities.select(same))
    assert german.activities.height == expect["activities"]
    assert "Laufen" in german.activities["name"].to_list()


@pytest.mark.parametrize(
    ("name", "header", "kind"),
    [
        (
            "physiologische_zyklen.csv",
            "Startzeit des Zyklus,Endzeit des Zyklus,Zeitzone des Zyklus,Erholungswert %",
            "cycles",
        ),
        ("Schlaf.csv", "Startzeit des Zyklus,Endzeit des Zyklus,Zeitzone des Zyklus,Beginn des Schlafs", "sleep"),
        (
            "cycles_fr.csv",
            "Heure de début du cycle,Heure de fin du cycle,Fuseau horaire du cycle,Score de récupération %",
            "cycles",
        ),
        (
            "ciclos.csv",
            "Hora de início do ciclo,Hora de fim do ciclo,Fuso horário do ciclo,Pontuação de recuperação %",
            "cycles",
        ),
    ],
)
def test_a_localised_exports_other_files_are_skipped_with_their_kind(name: str, header: str, kind: str) -> None:
    """German, French and Brazilian Portuguese cycles and sleep files (their real headers' names) skip, not fail."""
    decoded = read(f"{header}\n2026-01-08 00:15:00,2026-01-09 00:15:00,UTC+01:00,71\n".encode(), name)
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "csv:whoop")
    assert kind in decoded.detail
