"""Garmin Connect Activities.csv in every UI language, with Garmin's number and duration habits."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime

import polars as pl
import pytest

from fitbalance.classify import classify_activity
from fitbalance.errors import DecodeError
from fitbalance.sources.csv import garmin, read_csv
from fitbalance.sources.csv.garmin import field_meant, sport_of
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
    """Without a unit setting or stride evidence, the run loads with its time and a null distance that waits as
    written, and a warning names the setting."""
    text = "Activity Type,Date,Title,Distance,Time\nRunning,2024-03-05 07:00:00,Run,5.00,00:25:00\n"
    waiting = read_csv(text.encode(), "a.csv", ZONE)
    assert waiting.activities.select("distance_m", "elapsed_s").rows() == [(None, 1500.0)]
    assert [(w.table, w.column, w.original, w.line) for w in waiting.waiting] == [
        ("activities", "distance_m", "5.00", 2)
    ]
    assert "distance_unit" in waiting.warnings[0]
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


# ---- Connect's whole activity-type list, in every language --------------------------------------------------


def test_every_connect_type_has_names_in_all_ten_languages_and_no_name_is_ambiguous() -> None:
    """The data file lists about a hundred Connect types, each named in en de fr es it nl sv da no fi, and no name
    stands for two FIT sports (loading the index checks it)."""
    types = garmin.activity_types()
    assert len(types) >= 100
    assert all(kind.names[lang] for kind in types for lang in garmin.LANGUAGES)
    assert len({kind.key for kind in types}) == len(types)
    for kind in types:
        for names in kind.names.values():
            assert all(garmin.type_of(name) is not None for name in names)
            assert {garmin.sport_of(name) for name in names} == {(kind.sport, kind.sub_sport)}


@pytest.mark.parametrize("language", garmin.LANGUAGES)
def test_every_type_in_every_language_classifies_without_the_fallback(language: str) -> None:
    """Each type's name in each language, read from a one-row export, reaches the classifier with a sport it knows:
    no row falls to the fallback rule, with or without a distance."""
    for kind in garmin.activity_types():
        for name in kind.names[language]:
            text = f'Activity Type,Date,Title,Distance,Time\n"{name}",2024-03-05 07:00:00,"{name}",--,01:00:00\n'
            row = read_csv(text.encode(), "a.csv", ZONE).activities.row(0, named=True)
            assert (row["sport"], row["sub_sport"]) == (kind.sport, kind.sub_sport), name
            for distance in (None, 5000.0):
                decided = classify_activity(
                    activity_id="a",
                    sport=row["sport"],
                    sub_sport=row["sub_sport"],
                    name=row["name"],
                    working_sets=0,
                    distance_m=distance,
                    elapsed_s=3600.0,
                )
                assert decided.reason != "fallback", (name, distance)


@pytest.mark.parametrize(
    ("name", "key", "category"),
    [
        ("Konditionspass", "indoor_cardio", "other"),
        ("Simbassäng", "lap_swimming", "other"),
        ("Utförsåkning i pist", "resort_skiing", "other"),
        ("Längdskidåkning klassisk stil", "cross_country_skiing", "other"),
        ("Längdskidåkning fristil", "skate_skiing", "other"),
        ("Discgolf", "disc_golf", "other"),
        ("Styrketräning", "strength_training", "resistance"),
        ("Krafttraining", "strength_training", "resistance"),
        ("Voimaharjoittelu", "strength_training", "resistance"),
        ("Schwimmbadschwimmen", "lap_swimming", "other"),
    ],
)
def test_real_type_names_seen_in_exports(name: str, key: str, category: str) -> None:
    """Names from real Swedish and German exports map to their Connect type and classify as that kind."""
    kind = garmin.type_of(name)
    assert kind is not None and kind.key == key
    decided = classify_activity(
        activity_id="a",
        sport=kind.sport,
        sub_sport=kind.sub_sport,
        name=name,
        working_sets=0,
        distance_m=None,
        elapsed_s=3600.0,
    )
    assert decided.category == category


# ---- units per activity type, and the unit the file proves ------------------------------------------------


def test_swedish_sample_reads_pool_swims_in_metres_beside_runs_in_km(sample_files: dict[str, bytes]) -> None:
    """The Swedish export: "2,025" on a Simbassäng row is 2,025 m, runs are km (proved by stride and steps, with a
    warning), and every row has its Connect type: none is generic."""
    decoded = read_csv(sample_files["garmin_aktiviteter_sv.csv"], "sv.csv", ZONE)
    acts = decoded.activities
    assert "inferred as km" in decoded.warnings[0]
    assert acts.filter(pl.col("sport") == "generic").height == 0
    swims = acts.filter(pl.col("sub_sport") == "lap_swimming")["distance_m"].to_list()
    assert swims and set(swims) <= {1200.0, 1500.0, 1800.0, 2025.0, 2250.0}
    runs = acts.filter(pl.col("sport") == "running")["distance_m"]
    assert runs.min() > 6_000 and runs.max() < 13_000
    data = list(csv.DictReader(io.StringIO(sample_files["garmin_aktiviteter_sv.csv"].decode())))
    assert Counter(r["Aktivitetstyp"] for r in data) == Counter(
        {
            "Konditionspass": 10,
            "Löpning": 10,
            "Simbassäng": 10,
            "Styrketräning": 10,
            "Inomhuscykling": 10,
            "Discgolf": 10,
            "Utförsåkning i pist": 4,
            "Längdskidåkning klassisk stil": 3,
            "Längdskidåkning fristil": 3,
        }
    )


def test_danish_sample_proves_km_from_stride_and_cadence_without_steps(sample_files: dict[str, bytes]) -> None:
    """41 Danish runs with average stride length and run cadence (no steps column), decimal commas: km is inferred,
    no distance_unit needed; the pool swims' "1.500" is 1,500 m."""
    decoded = read_csv(sample_files["garmin_aktiviteter_da.csv"], "da.csv", ZONE)
    assert "inferred as km" in decoded.warnings[0]
    acts = decoded.activities
    assert dict(acts.group_by("sport").len().iter_rows()) == {"running": 41, "swimming": 5}
    runs = acts.filter(pl.col("sport") == "running")["distance_m"]
    assert runs.min() > 5_500 and runs.max() < 16_500
    assert sorted(acts.filter(pl.col("sport") == "swimming")["distance_m"].to_list()) == [1200, 1500, 1800, 2025, 2250]


STRIDE_CADENCE = {  # language -> type, date, distance, time, average stride length and run cadence headers
    "en": ("Activity Type", "Date", "Distance", "Time", "Avg Stride Length", "Avg Run Cadence"),
    "de": ("Aktivitätstyp", "Datum", "Distanz", "Zeit", "Ø Schrittlänge", "Ø Schrittfrequenz (Laufen)"),
    "fr": ("Type d'activité", "Date", "Distance", "Durée", "Longueur moyenne des foulées", "Cadence de course moyenne"),
    "es": (
        "Tipo de actividad",
        "Fecha",
        "Distancia",
        "Tiempo",
        "Longitud media de zancada",
        "Cadencia media de carrera",
    ),
    "it": ("Tipo di attività", "Data", "Distanza", "Tempo", "Lunghezza media falcata", "Cadenza di corsa media"),
    "nl": ("Activiteittype", "Datum", "Afstand", "Tijd", "Gem. staplengte", "Gem. loopcadans"),
    "sv": ("Aktivitetstyp", "Datum", "Distans", "Tid", "Medelsteglängd", "Medelkadens löpning"),
    "da": ("Aktivitetstype", "Dato", "Distance", "Tid", "Gns. skridtlængde", "Gns. løbekadence"),
    "no": ("Aktivitetstype", "Dato", "Distanse", "Tid", "Gj.sn. skrittlengde", "Gj.sn. løpskadens"),
    "fi": (
        "Aktiviteettityyppi",
        "Päivämäärä",
        "Matka",
        "Aika",
        "Keskimääräinen askelpituus",
        "Keskimääräinen juoksun askeltiheys",
    ),
}


@pytest.mark.parametrize(("language", "unit"), [(lang, unit) for lang in garmin.LANGUAGES for unit in ("km", "mi")])
def test_the_unit_is_inferred_from_stride_and_cadence_in_every_language(language: str, unit: str) -> None:
    """A run of 1.05 m strides at 170 steps a minute for 30 minutes covers 5,355 m: 5.36 in a km export, 3.33 in a
    miles export. Every language's stride and cadence columns prove which, without a setting."""
    kind = garmin.activity_types()[0]  # running
    type_h, date_h, distance_h, time_h, stride_h, cadence_h = STRIDE_CADENCE[language]
    value = 5.355 if unit == "km" else 5.355 / 1.609344
    rows = [[type_h, date_h, distance_h, time_h, stride_h, cadence_h]]
    rows.append([kind.names[language][0], "2024-03-05 07:00:00", f"{value:.2f}", "00:30:00", "1.05", "170"])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    decoded = read_csv(out.getvalue().encode(), "a.csv", ZONE)
    assert f"inferred as {unit}" in decoded.warnings[0]
    assert decoded.activities["distance_m"][0] == pytest.approx(5355, rel=0.01)


def test_stride_and_cadence_columns_are_found_by_their_words_when_the_exact_name_is_new() -> None:
    """A header wording the data file does not list ("Gennemsnitlig skridtlængde (m)") is still found by its stems;
    maxima and bike cadence are not taken for it."""
    header = (
        "Aktivitetstype,Dato,Distance,Tid,Maks. skridtlængde,Gennemsnitlig skridtlængde (m),Maks. løbekadence,"
        "Løbekadence i snit"
    )
    text = f'{header}\nLøb,2024-03-05 07:00:00,"5,36",00:30:00,"1,90","1,05",190,170\n'
    decoded = read_csv(text.encode(), "a.csv", ZONE)
    assert "inferred as km" in decoded.warnings[0]


def test_open_water_swim_written_in_km_is_not_read_as_metres() -> None:
    """A swim value with a fraction below 100 ("1.52") is a km value: 1,520 m, not 1.52 m."""
    text = "Activity Type,Date,Title,Distance,Time\nOpen Water Swim,2024-07-05 19:00:00,Lake,1.52,00:30:00\n"
    assert read_csv(text.encode(), "a.csv", ZONE, units="metric").activities["distance_m"][0] == pytest.approx(1520)


# ---- the older Connect export -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first_start", "first_km"),
    [
        ("garmin_aktivitaeten_alt_de.csv", datetime(2012, 5, 25, 18, 31), "Fr, 25 Mai 2012 20:31"),
        ("garmin_activities_old_en.csv", datetime(2013, 4, 2, 16, 5), "Tue, Apr 2, 2013 6:05 PM"),
    ],
)
def test_the_older_connect_export(
    sample_files: dict[str, bytes], name: str, first_start: datetime, first_km: str
) -> None:
    """Title line, blank line, a Start column of "Fr, 25 Mai 2012 20:31" (local): read in German and English, decimal
    commas in German, the pool swim in metres. Its distances prove no unit: without distance_unit it waits for it."""
    data = sample_files[name]
    lines = data.decode().splitlines()
    assert lines[0].startswith(("Aktivitäten von", "Activities of")) and lines[1] == "" and first_km in lines[3]
    waiting = read_csv(data, name, ZONE)
    assert waiting.activities.height == 10 and waiting.activities["distance_m"].is_null().all()
    assert len(waiting.waiting) == 10 and {w.column for w in waiting.waiting} == {"distance_m"}
    decoded = read_csv(data, name, ZONE, distance_unit="km")
    acts = decoded.activities
    assert acts.height == 10 and acts["start_time_utc"][0] == first_start
    assert dict(acts.group_by("sport").len().iter_rows()) == {"running": 6, "cycling": 3, "swimming": 1}
    assert acts.filter(pl.col("sport") == "swimming")["distance_m"].to_list() == [1500.0]
    cells = list(csv.reader(io.StringIO(data.decode())))[3]
    km = float(cells[4].replace(".", "").replace(",", ".") if name.endswith("de.csv") else cells[4])
    assert acts["distance_m"][0] == pytest.approx(km * 1000)
    assert acts["elapsed_s"][0] == sum(int(p) * 60**i for i, p in enumerate(reversed(cells[3].split(":"))))


def test_a_bad_garmin_row_is_set_aside_and_the_rest_loads() -> None:
    """One row with a date nobody can read goes aside with its line; the other rows load."""
    text = (
        "Activity Type,Date,Title,Distance,Time\n"
        "Strength Training,2024-03-05 18:00:00,Gym,--,01:00:00\n"
        "Strength Training,2024-13-45 18:00:00,Gym,--,01:00:00\n"
        "Yoga,2024-03-07 18:00:00,Flow,--,00:45:00\n"
    )
    decoded = read_csv(text.encode(), "a.csv", ZONE)
    assert decoded.activities["sub_sport"].to_list() == ["strength_training", "yoga"]
    assert [(r.line, r.reason.split(":")[0]) for r in decoded.rejected] == [(3, "line 3")]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # cadence of a run, in the wordings Connect has used: Gns./Gennemsnit/Gennemsnitlig, Ø/Durchschn., Moy., Media
        ("Gennemsnit kadence løb", "cadence"),
        ("Gns. løbekadence", "cadence"),
        ("Gennemsnitlig løbekadence", "cadence"),
        ("Ø Schrittfrequenz (Laufen)", "cadence"),
        ("Durchschn. Schrittfrequenz Laufen", "cadence"),
        ("Moy. cadence de course", "cadence"),
        ("Cadencia media de carrera", "cadence"),
        ("Media cadenza di corsa", "cadence"),
        ("Gem. loopcadans", "cadence"),
        ("Medelkadens löpning", "cadence"),
        ("Gj.sn. løpskadens", "cadence"),
        ("Keskim. juoksun askeltiheys", "cadence"),
        # stride length
        ("Gennemsnitlig skridtlængde", "stride"),
        ("Gns. skridtlængde (m)", "stride"),
        ("Ø Schrittlänge", "stride"),
        ("Longueur moy. de foulée", "stride"),
        ("Longitud media de zancada", "stride"),
        ("Gem. staplengte", "stride"),
        ("Genomsnittlig steglängd", "stride"),
        ("Gj.sn. skrittlengde", "stride"),
        ("Keskim. askelpituus", "stride"),
        # steps, distance, moving and elapsed time
        ("Antal skridt", "steps"),
        ("Schritte", "steps"),
        ("Passi", "steps"),
        ("Askeleet", "steps"),
        ("Distanz (km)", "distance"),
        ("Afstand", "distance"),
        ("Tid i bevægelse", "moving"),
        ("Zeit in Bewegung", "moving"),
        ("Forløbet tid", "elapsed"),
        ("Verstrichene Zeit", "elapsed"),
        ("Kulunut aika", "elapsed"),
        # not these fields: maxima, bike and swim cadence, laps, pace
        ("Maks. kadence løb", None),
        ("Max Run Cadence", None),
        ("Avg Bike Cadence", None),
        ("Ø Trittfrequenz (Rad)", None),
        ("Gns. svømmekadence", None),
        ("Best Lap Time", None),
        ("Maks. skridtlængde", None),
        # average pace and speed in the ten languages; not the best, the grade-adjusted or the vertical ones
        ("Avg Pace", "pace"),
        ("Ø Pace", "pace"),
        ("Ø Tempo", "pace"),
        ("Allure moyenne", "pace"),
        ("Ritmo medio", "pace"),
        ("Passo medio", "pace"),
        ("Gem. tempo", "pace"),
        ("Medeltempo", "pace"),
        ("Gns. tempo", "pace"),
        ("Gj.sn. tempo", "pace"),
        ("Keskim. vauhti", "pace"),
        ("Avg Speed", "speed"),
        ("Ø Geschwindigkeit", "speed"),
        ("Vitesse moyenne", "speed"),
        ("Velocidad media", "speed"),
        ("Velocità media", "speed"),
        ("Gem. snelheid", "speed"),
        ("Medelhastighet", "speed"),
        ("Gns. hastighed", "speed"),
        ("Gj.sn. hastighet", "speed"),
        ("Keskinopeus", "speed"),
        ("Best Pace", None),
        ("Avg GAP", None),
        ("Max Speed", None),
        ("Ø vertikale Geschwindigkeit", None),
    ],
)
def test_a_column_is_known_by_what_its_header_means(header: str, field: str | None) -> None:
    """Headers are read by their words (stems of every language, "average" qualifiers and punctuation ignored), so a
    wording the exact list does not hold still finds its field, and maxima or another sport's cadence never do."""
    assert field_meant(header) == field


def test_a_danish_export_in_another_wording_proves_km() -> None:
    """`Gennemsnit kadence løb` (cadence) and `Gennemsnitlig skridtlængde` (stride) over the time give the
    distance in km: no setting needed, nothing waits."""
    header = "Aktivitetstype,Dato,Titel,Distance,Kalorier,Tid,Gennemsnit kadence løb,Gennemsnitlig skridtlængde"
    text = (
        f"{header}\n"
        'Løb,2024-03-04 07:00:00,Løb,"5,24",400,00:30:00,168,"1,04"\n'
        'Løb,2024-03-06 07:00:00,Løb,"8,74",650,00:50:00,168,"1,04"\n'
    )
    decoded = read_csv(text.encode(), "a.csv", ZONE)
    assert "inferred as km" in decoded.warnings[0] and decoded.waiting == ()
    assert decoded.activities["distance_m"].to_list() == [pytest.approx(5240), pytest.approx(8740)]


RUNS_IN_MILES = (  # 10 km and 5 km runs written in miles, at 8:03 per mile
    "{header}\n"
    "Running,2024-03-04 07:00:00,Run,6.21,00:50:00,{first}\n"
    "Running,2024-03-05 07:00:00,Run,3.11,00:25:00,{second}\n"
)


@pytest.mark.parametrize(
    ("pace_header", "first", "second", "unit"),
    [
        ("Avg Pace (min/mi)", "8:03", "8:02", "mi"),  # the unit in the header
        ("Avg Pace", "8:03 /mi", "8:02 /mi", "mi"),  # in the cells
        ("Avg Speed (mph)", "7.45", "7.46", "mi"),  # a speed
        ("Avg Pace (min/km)", "5:00", "5:00", None),  # a pace that distance over time contradicts
        ("Avg Pace", "8:03", "8:02", None),  # no unit named: Connect's pace is in the distance's unit, any
    ],
)
def test_a_pace_or_speed_that_names_its_unit_proves_the_distance_unit(
    pace_header: str, first: str, second: str, unit: str | None
) -> None:
    """With no stride or cadence, an average pace or speed naming min/mi or mph proves miles when distance over
    time agrees with it; one that names no unit, or a unit distance over time contradicts, proves nothing and the
    distances wait for the setting."""
    header = f"Activity Type,Date,Title,Distance,Time,{pace_header}"
    text = RUNS_IN_MILES.format(header=header, first=first, second=second)
    decoded = read_csv(text.encode(), "Activities.csv", ZONE)
    distances = decoded.activities["distance_m"].to_list()
    if unit == "mi":
        assert distances == [pytest.approx(6.21 * 1609.344), pytest.approx(3.11 * 1609.344)]
        assert "inferred as mi from a pace or speed" in decoded.warnings[0]
    else:
        assert distances == [None, None] and len(decoded.waiting) == 2


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("Gns. hastighed (km/t)", '"12,0"'),  # Danish and Norwegian km/t
        ("Gem. snelheid", '"12,0 km/u"'),  # Dutch km/u in the cells
        ("Ø Pace", '"5:00 /km"'),
        ("Vitesse moyenne (km/h)", '"12,0"'),
    ],
)
def test_the_km_of_a_pace_or_speed_is_read_in_the_connect_languages(header: str, cell: str) -> None:
    """The unit a pace or speed names is read in its languages' abbreviations."""
    text = f'Activity Type,Date,Title,Distance,Time,{header}\nRunning,2024-03-04 07:00:00,Run,"10,00",00:50:00,{cell}\n'
    decoded = read_csv(text.encode(), "Activities.csv", ZONE)
    assert decoded.activities["distance_m"].to_list() == [pytest.approx(10_000)]
