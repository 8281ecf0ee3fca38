"""Garmin Connect Activities.csv in every UI language, with Garmin's number and duration habits."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import polars as pl
import pytest

from fitbalance.errors import DecodeError
from fitbalance.sources.csv import read_csv
from fitbalance.sources.csv.garmin import sport_of
from tests.sources.csv.conftest import ZONE

# (activity type, date, title, distance, calories, time, avg HR, max HR) headers, and "Strength Training"
LANGUAGES = {
    "en": ("Activity Type,Date,Title,Distance,Calories,Time,Avg HR,Max HR", "Strength Training"),
    "de": ("Aktivitätstyp,Datum,Titel,Distanz,Kalorien,Zeit,Ø HF,Max. HF", "Krafttraining"),
    "fr": ("Type d'activité,Date,Titre,Distance,Calories,Durée,FC moyenne,FC maximale", "Musculation"),
    "es": (
        "Tipo de actividad,Fecha,Título,Distancia,Calorías,Tiempo,FC media,FC máxima",
        "Entrenamiento de fuerza",
    ),
    "it": ("Tipo di attività,Data,Titolo,Distanza,Calorie,Tempo,FC media,FC max", "Allenamento di forza"),
    "nl": ("Activiteittype,Datum,Titel,Afstand,Calorieën,Tijd,Gem. HS,Max. HS", "Krachttraining"),
    "sv": ("Aktivitetstyp,Datum,Titel,Distans,Kalorier,Tid,Medelpuls,Maxpuls", "Styrketräning"),
    "da": ("Aktivitetstype,Dato,Titel,Distance,Kalorier,Tid,Gns. puls,Maks. puls", "Styrketræning"),
    "no": ("Aktivitetstype,Dato,Tittel,Distanse,Kalorier,Tid,Gj.sn. puls,Maks. puls", "Styrketrening"),
    "fi": (
        "Aktiviteettityyppi,Päivämäärä,Otsikko,Matka,Kalorit,Aika,Keskisyke,Maksimisyke",
        "Voimaharjoittelu",
    ),
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_strength_training_is_read_in_every_ui_language(language: str) -> None:
    """Headers and the strength type name in each UI language map to FIT training/strength_training."""
    header, strength = LANGUAGES[language]
    text = f'{header}\n{strength},2024-03-05 18:04:00,Gym,--,"1,234",01:02:03.5,101,150\n'
    decoded = read_csv(text.encode(), "Activities.csv", ZONE)
    row = decoded.activities.row(0, named=True)
    assert (row["sport"], row["sub_sport"]) == ("training", "strength_training")
    assert row["distance_m"] is None
    assert row["calories_kcal"] == 1234.0
    assert row["elapsed_s"] == pytest.approx(3723.5)
    assert (row["avg_hr"], row["max_hr"]) == (101.0, 150.0)
    assert row["start_time_utc"] == datetime(2024, 3, 5, 17, 4)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Running", ("running", "generic")),
        ("Treadmill Running", ("running", "treadmill")),
        ("Laufen", ("running", "generic")),
        ("Löpning", ("running", "generic")),
        ("Juoksu", ("running", "generic")),
        ("Course à pied", ("running", "generic")),
        ("Hardlopen", ("running", "generic")),
        ("Radfahren", ("cycling", "generic")),
        ("Pool Swimming", ("swimming", "lap_swimming")),
        ("Yoga", ("training", "yoga")),
        ("Cardio", ("training", "cardio_training")),
        ("Gym & Fitness Equipment", ("fitness_equipment", "generic")),
        ("Resort Skiing/Snowboarding", ("alpine_skiing", "resort")),
    ],
)
def test_activity_type_names_map_to_fit_sports(name: str, expected: tuple[str, str]) -> None:
    """Type names map to FIT (sport, sub_sport) in any known language."""
    assert sport_of(name) == expected


def test_unknown_type_is_generic_with_the_type_kept_in_the_name() -> None:
    """An unmapped type is kept: generic sport, the type in the name, and a warning."""
    text = "Activity Type,Date,Title,Distance,Time\nUnderwater Hockey,2024-03-05 18:04:00,Club night,--,01:00:00\n"
    decoded = read_csv(text.encode(), "a.csv", ZONE)
    row = decoded.activities.row(0, named=True)
    assert (row["sport"], row["name"]) == ("generic", "Club night (Underwater Hockey)")
    assert "Underwater Hockey" in decoded.warnings[0]


def test_english_sample_runs_and_strength(sample_files: dict[str, bytes]) -> None:
    """The English sample: 24 runs and 24 strength sessions, in metres (km inferred from strides)."""
    decoded = read_csv(sample_files["garmin_activities_en.csv"], "en.csv", ZONE)
    counts = dict(decoded.activities.group_by("sub_sport").len().iter_rows())
    assert counts == {"generic": 24, "strength_training": 24}
    runs = decoded.activities.filter(pl.col("sport") == "running")
    assert runs["distance_m"].min() > 5_500 and runs["distance_m"].max() < 16_500
    assert "inferred as km" in decoded.warnings[0]


def test_german_sample_with_title_line_decimal_commas_and_bom(sample_files: dict[str, bytes]) -> None:
    """The older German export (title line, blank line, BOM, CRLF, "13,25" km, "01:16:54,5") reads in SI."""
    data = sample_files["garmin_aktivitaeten_de.csv"]
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n\r\n" in data
    decoded = read_csv(data, "de.csv", ZONE)
    assert decoded.activities.height == 12
    first = decoded.activities.row(0, named=True)
    first_row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[3]
    km = float(first_row[4].replace(",", "."))
    assert first["distance_m"] == pytest.approx(km * 1000)
    assert first["moving_s"] is not None and first["elapsed_s"] is not None


def test_decimal_comma_file_reads_dot_as_thousands() -> None:
    """In a decimal-comma file "1.234" is a thousand and more; in a decimal-point file "1,234" is."""
    header = "Aktivitätstyp,Datum,Titel,Distanz,Kalorien,Zeit"
    comma = f'{header}\nLaufen,2024-03-05 07:00:00,Lauf,"10,50",1.234,00:50:00\n'
    point = f'{header}\nLaufen,2024-03-05 07:00:00,Lauf,10.50,"1,234",00:50:00\n'
    for text in (comma, point):
        row = read_csv(text.encode(), "a.csv", ZONE, distance_unit="km").activities.row(0, named=True)
        assert row["distance_m"] == pytest.approx(10_500)
        assert row["calories_kcal"] == 1234.0


def test_distance_unit_is_never_guessed() -> None:
    """Without a unit setting or stride evidence, a distance refuses the file, naming the setting."""
    text = "Activity Type,Date,Title,Distance,Time\nRunning,2024-03-05 07:00:00,Run,5.00,00:25:00\n"
    with pytest.raises(DecodeError, match="distance unit"):
        read_csv(text.encode(), "a.csv", ZONE)
    miles = read_csv(text.encode(), "a.csv", ZONE, units="imperial").activities["distance_m"][0]
    assert miles == pytest.approx(5 * 1609.344)


def test_imperial_is_inferred_from_stride_and_cadence() -> None:
    """Stride length (always metres) x cadence x time over distance tells miles from km."""
    header = "Activity Type,Date,Title,Distance,Time,Avg Run Cadence,Avg Stride Length"
    text = f"{header}\nRunning,2024-03-05 07:00:00,Run,3.00,00:27:00,170,1.05\n"
    decoded = read_csv(text.encode(), "a.csv", ZONE)
    assert decoded.activities["distance_m"][0] == pytest.approx(3 * 1609.344)
    assert "inferred as mi" in decoded.warnings[0]


def test_swims_are_in_metres_not_km() -> None:
    """Garmin writes swim distances in metres (yards when imperial)."""
    text = 'Activity Type,Date,Title,Distance,Time\nOpen Water Swimming,2024-07-05 19:00:00,Lake,"1,500",00:30:00\n'
    metric = read_csv(text.encode(), "a.csv", ZONE, units="metric").activities["distance_m"][0]
    assert metric == pytest.approx(1500)


def test_a_bad_number_names_the_column_and_line() -> None:
    """A cell that is not a number is an error naming the line and the column."""
    text = "Activity Type,Date,Title,Distance,Calories,Time\nRunning,2024-03-05 07:00:00,Run,--,lots,00:25:00\n"
    with pytest.raises(DecodeError, match="line 2: Calories: 'lots' is not a number"):
        read_csv(text.encode(), "a.csv", ZONE)
