"""Garmin Connect ``Activities.csv``: one row per activity, in the account's UI language.

Garmin writes header and activity type names in the UI language (English, German, French, Spanish, Italian,
Dutch, Swedish, Danish, Norwegian, Finnish are known here), ``--`` for missing values, quoted thousands
(``"6,234"``) or decimal commas (``"5,25"``), durations like ``01:02:03`` or ``01:02:03.5``, and in older
exports a title line and a blank line before the header. Times are local wall times without a zone: the
athlete's zone applies.

Distances are in km or miles (swims in m or yd) as the account was set, which the file does not say. The
reader takes the ``distance_unit`` option when given; otherwise it infers the unit from rows that carry stride
length with steps or cadence (stride length is always in metres) and says so in a warning; when neither is
possible and a distance is present, the file is refused with a reason that names the setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import (
    M_PER_MILE,
    M_PER_YARD,
    Columns,
    Options,
    Record,
    Sheet,
    decimal_comma,
    duration,
    fold_key,
    fold_table,
    frame,
    local_datetime,
    local_to_utc,
    norm_header,
    number,
)
from fitbalance.sources.csv.sports import CARDIO, COMMON, GENERIC, STRENGTH

NAME = "garmin"
FORMAT = "csv:garmin"

# Header names per field, every language. Matching ignores case and spacing (helpers.norm_header).
ACTIVITY_TYPE = (
    "Activity Type",
    "Aktivitätstyp",
    "Type d'activité",
    "Tipo de actividad",
    "Tipo di attività",
    "Activiteittype",
    "Type activiteit",
    "Activiteitstype",
    "Aktivitetstyp",
    "Aktivitetstype",
    "Aktiviteettityyppi",
    "Aktiviteetin tyyppi",
    "Lajityyppi",
)
DATE = ("Date", "Datum", "Fecha", "Data", "Dato", "Päivämäärä", "Pvm")
TITLE = ("Title", "Titel", "Titre", "Título", "Titolo", "Tittel", "Otsikko", "Nimi")
DISTANCE = ("Distance", "Distanz", "Distancia", "Distanza", "Afstand", "Distans", "Distanse", "Matka")
CALORIES = ("Calories", "Kalorien", "Calorías", "Calorie", "Calorieën", "Kalorier", "Kalorit")
TIME = ("Time", "Zeit", "Durée", "Temps", "Tiempo", "Tempo", "Tijd", "Tid", "Aika")
AVG_HR = (
    "Avg HR",
    "Ø HF",
    "Ø Herzfrequenz",
    "FC moyenne",
    "Fréquence cardiaque moyenne",
    "FC media",
    "Frecuencia cardiaca media",
    "Frequenza cardiaca media",
    "Gem. HS",
    "Gemiddelde hartslag",
    "Medelpuls",
    "Genomsnittlig puls",
    "Gns. puls",
    "Gennemsnitlig puls",
    "Gj.sn. puls",
    "Gjennomsnittlig puls",
    "Keskisyke",
)
MAX_HR = (
    "Max HR",
    "Max. HF",
    "Maximale Herzfrequenz",
    "FC max.",
    "FC maximale",
    "Fréquence cardiaque maximale",
    "FC máxima",
    "Frecuencia cardiaca máxima",
    "FC max",
    "Frequenza cardiaca massima",
    "Max. HS",
    "Maximale hartslag",
    "Maxpuls",
    "Max puls",
    "Maks. puls",
    "Maksimal puls",
    "Maksimipuls",
    "Maksimisyke",
)
MOVING_TIME = (
    "Moving Time",
    "Zeit in Bewegung",
    "Bewegungszeit",
    "Temps de déplacement",
    "Temps en mouvement",
    "Tiempo en movimiento",
    "Tempo in movimento",
    "Bewegingstijd",
    "Tijd in beweging",
    "Tid i rörelse",
    "Rörelsetid",
    "Bevægelsestid",
    "Tid i bevægelse",
    "Tid i bevegelse",
    "Bevegelsestid",
    "Liikkeelläoloaika",
    "Liikkumisaika",
)
ELAPSED_TIME = (
    "Elapsed Time",
    "Verstrichene Zeit",
    "Gesamtzeit",
    "Temps écoulé",
    "Tiempo transcurrido",
    "Tempo trascorso",
    "Verstreken tijd",
    "Förfluten tid",
    "Total tid",
    "Forløbet tid",
    "Medgått tid",
    "Forløpt tid",
    "Kulunut aika",
)
STRIDE = (
    "Avg Stride Length",
    "Ø Schrittlänge",
    "Longueur moyenne des foulées",
    "Longitud media de zancada",
    "Lunghezza media falcata",
    "Gem. staplengte",
    "Medelsteglängd",
    "Gns. skridtlængde",
    "Gj.sn. skrittlengde",
    "Keskimääräinen askelpituus",
)
STEPS = ("Steps", "Schritte", "Pas", "Pasos", "Passi", "Stappen", "Steg", "Skridt", "Skritt", "Askeleet")
CADENCE = (
    "Avg Run Cadence",
    "Ø Schrittfrequenz (Laufen)",
    "Cadence de course moyenne",
    "Cadencia media de carrera",
    "Cadenza di corsa media",
    "Gem. loopcadans",
    "Medelkadens löpning",
    "Gns. løbekadence",
    "Gj.sn. løpskadens",
    "Keskimääräinen juoksun askeltiheys",
)

_FIELDS = {
    "type": ACTIVITY_TYPE,
    "date": DATE,
    "title": TITLE,
    "distance": DISTANCE,
    "calories": CALORIES,
    "time": TIME,
    "avg_hr": AVG_HR,
    "max_hr": MAX_HR,
    "moving": MOVING_TIME,
    "elapsed": ELAPSED_TIME,
    "stride": STRIDE,
    "steps": STEPS,
    "cadence": CADENCE,
}
_TYPE_HEADERS = frozenset(norm_header(n) for n in ACTIVITY_TYPE)
_DATE_HEADERS = frozenset(norm_header(n) for n in DATE)
_NUMERIC = ("distance", "calories", "avg_hr", "max_hr", "stride", "steps", "cadence")

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
)

# Activity type names in the other UI languages (English names are in sports.COMMON).
TYPES = fold_table(
    {
        # German
        "Laufen": ("running", "generic"),
        "Laufbandlaufen": ("running", "treadmill"),
        "Laufband": ("running", "treadmill"),
        "Trailrunning": ("running", "trail"),
        "Traillauf": ("running", "trail"),
        "Bahnlauf": ("running", "track"),
        "Radfahren": ("cycling", "generic"),
        "Rennradfahren": ("cycling", "road"),
        "Mountainbiken": ("cycling", "mountain"),
        "Indoor-Radfahren": ("cycling", "indoor_cycling"),
        "Gravel-Radfahren": ("cycling", "gravel_cycling"),
        "Virtuelles Radfahren": ("cycling", "virtual_activity"),
        "Gehen": ("walking", "generic"),
        "Wandern": ("hiking", "generic"),
        "Schwimmen": ("swimming", "generic"),
        "Schwimmbadschwimmen": ("swimming", "lap_swimming"),
        "Beckenschwimmen": ("swimming", "lap_swimming"),
        "Freiwasserschwimmen": ("swimming", "open_water"),
        "Krafttraining": STRENGTH,
        "Kardio": CARDIO,
        "Cardiotraining": CARDIO,
        "Crosstrainer": ("fitness_equipment", "elliptical"),
        "Stepper": ("fitness_equipment", "stair_climbing"),
        "Indoor-Rudern": ("fitness_equipment", "indoor_rowing"),
        "Rudern": ("rowing", "generic"),
        "Fitnessstudio und -geräte": ("fitness_equipment", "generic"),
        "Atemübungen": ("training", "breathing"),
        "Sonstige": GENERIC,
        "Andere": GENERIC,
        # French
        "Course à pied": ("running", "generic"),
        "Course sur tapis roulant": ("running", "treadmill"),
        "Trail": ("running", "trail"),
        "Cyclisme": ("cycling", "generic"),
        "Vélo": ("cycling", "generic"),
        "Cyclisme sur route": ("cycling", "road"),
        "VTT": ("cycling", "mountain"),
        "Cyclisme en salle": ("cycling", "indoor_cycling"),
        "Marche": ("walking", "generic"),
        "Randonnée": ("hiking", "generic"),
        "Natation": ("swimming", "generic"),
        "Natation en piscine": ("swimming", "lap_swimming"),
        "Nage en eau libre": ("swimming", "open_water"),
        "Musculation": STRENGTH,
        "Renforcement musculaire": STRENGTH,
        "Vélo elliptique": ("fitness_equipment", "elliptical"),
        "Elliptique": ("fitness_equipment", "elliptical"),
        "Aviron en salle": ("fitness_equipment", "indoor_rowing"),
        "Aviron": ("rowing", "generic"),
        "Autre": GENERIC,
        # Spanish
        "Carrera": ("running", "generic"),
        "Correr": ("running", "generic"),
        "Carrera en cinta": ("running", "treadmill"),
        "Carrera en cinta rodante": ("running", "treadmill"),
        "Carrera por montaña": ("running", "trail"),
        "Ciclismo": ("cycling", "generic"),
        "Ciclismo en carretera": ("cycling", "road"),
        "Ciclismo de montaña": ("cycling", "mountain"),
        "Ciclismo en interior": ("cycling", "indoor_cycling"),
        "Caminar": ("walking", "generic"),
        "Caminata": ("walking", "generic"),
        "Senderismo": ("hiking", "generic"),
        "Natación": ("swimming", "generic"),
        "Natación en piscina": ("swimming", "lap_swimming"),
        "Natación en aguas abiertas": ("swimming", "open_water"),
        "Entrenamiento de fuerza": STRENGTH,
        "Elíptica": ("fitness_equipment", "elliptical"),
        "Remo en interior": ("fitness_equipment", "indoor_rowing"),
        "Remo": ("rowing", "generic"),
        "Otro": GENERIC,
        "Otros": GENERIC,
        # Italian
        "Corsa": ("running", "generic"),
        "Corsa sul tapis roulant": ("running", "treadmill"),
        "Trail running": ("running", "trail"),
        "Ciclismo su strada": ("cycling", "road"),
        "Mountain bike": ("cycling", "mountain"),
        "Ciclismo indoor": ("cycling", "indoor_cycling"),
        "Camminata": ("walking", "generic"),
        "Escursionismo": ("hiking", "generic"),
        "Nuoto": ("swimming", "generic"),
        "Nuoto in piscina": ("swimming", "lap_swimming"),
        "Nuoto in acque libere": ("swimming", "open_water"),
        "Allenamento di forza": STRENGTH,
        "Allenamento della forza": STRENGTH,
        "Ellittica": ("fitness_equipment", "elliptical"),
        "Vogatore": ("fitness_equipment", "indoor_rowing"),
        "Canottaggio": ("rowing", "generic"),
        "Altro": GENERIC,
        # Dutch
        "Hardlopen": ("running", "generic"),
        "Hardlopen op de loopband": ("running", "treadmill"),
        "Loopband": ("running", "treadmill"),
        "Trailrunnen": ("running", "trail"),
        "Fietsen": ("cycling", "generic"),
        "Wielrennen": ("cycling", "road"),
        "Indoor fietsen": ("cycling", "indoor_cycling"),
        "Wandelen": ("walking", "generic"),
        "Hiken": ("hiking", "generic"),
        "Zwemmen": ("swimming", "generic"),
        "Zwembadzwemmen": ("swimming", "lap_swimming"),
        "Zwemmen in open water": ("swimming", "open_water"),
        "Krachttraining": STRENGTH,
        "Indoor roeien": ("fitness_equipment", "indoor_rowing"),
        "Roeien": ("rowing", "generic"),
        "Overig": GENERIC,
        "Overige": GENERIC,
        # Swedish
        "Löpning": ("running", "generic"),
        "Löpband": ("running", "treadmill"),
        "Löpning på löpband": ("running", "treadmill"),
        "Terränglöpning": ("running", "trail"),
        "Cykling": ("cycling", "generic"),
        "Landsvägscykling": ("cycling", "road"),
        "Mountainbikecykling": ("cycling", "mountain"),
        "Inomhuscykling": ("cycling", "indoor_cycling"),
        "Promenad": ("walking", "generic"),
        "Gång": ("walking", "generic"),
        "Vandring": ("hiking", "generic"),
        "Simning": ("swimming", "generic"),
        "Bassängsimning": ("swimming", "lap_swimming"),
        "Simning i öppet vatten": ("swimming", "open_water"),
        "Styrketräning": STRENGTH,
        "Konditionsträning": CARDIO,
        "Inomhusrodd": ("fitness_equipment", "indoor_rowing"),
        "Rodd": ("rowing", "generic"),
        "Övrigt": GENERIC,
        "Annat": GENERIC,
        # Danish
        "Løb": ("running", "generic"),
        "Løbebånd": ("running", "treadmill"),
        "Trailløb": ("running", "trail"),
        "Landevejscykling": ("cycling", "road"),
        "Indendørs cykling": ("cycling", "indoor_cycling"),
        "Gåtur": ("walking", "generic"),
        "Gang": ("walking", "generic"),
        "Vandretur": ("hiking", "generic"),
        "Svømning": ("swimming", "generic"),
        "Poolsvømning": ("swimming", "lap_swimming"),
        "Svømning i åbent vand": ("swimming", "open_water"),
        "Styrketræning": STRENGTH,
        "Indendørs roning": ("fitness_equipment", "indoor_rowing"),
        "Roning": ("rowing", "generic"),
        "Andet": GENERIC,
        # Norwegian
        "Løping": ("running", "generic"),
        "Tredemølle": ("running", "treadmill"),
        "Løping på tredemølle": ("running", "treadmill"),
        "Terrengløping": ("running", "trail"),
        "Sykling": ("cycling", "generic"),
        "Landeveissykling": ("cycling", "road"),
        "Terrengsykling": ("cycling", "mountain"),
        "Innendørs sykling": ("cycling", "indoor_cycling"),
        "Gåing": ("walking", "generic"),
        "Fotturer": ("hiking", "generic"),
        "Fottur": ("hiking", "generic"),
        "Svømming": ("swimming", "generic"),
        "Bassengsvømming": ("swimming", "lap_swimming"),
        "Svømming i åpent vann": ("swimming", "open_water"),
        "Styrketrening": STRENGTH,
        "Innendørs roing": ("fitness_equipment", "indoor_rowing"),
        "Roing": ("rowing", "generic"),
        "Annet": GENERIC,
        # Finnish
        "Juoksu": ("running", "generic"),
        "Juoksumatto": ("running", "treadmill"),
        "Juoksumattojuoksu": ("running", "treadmill"),
        "Polkujuoksu": ("running", "trail"),
        "Pyöräily": ("cycling", "generic"),
        "Maantiepyöräily": ("cycling", "road"),
        "Maastopyöräily": ("cycling", "mountain"),
        "Sisäpyöräily": ("cycling", "indoor_cycling"),
        "Kävely": ("walking", "generic"),
        "Vaellus": ("hiking", "generic"),
        "Uinti": ("swimming", "generic"),
        "Allasuinti": ("swimming", "lap_swimming"),
        "Avovesiuinti": ("swimming", "open_water"),
        "Voimaharjoittelu": STRENGTH,
        "Kuntosaliharjoittelu": STRENGTH,
        "Sisäsoutu": ("fitness_equipment", "indoor_rowing"),
        "Soutu": ("rowing", "generic"),
        "Muu": GENERIC,
        # shared across several languages
        "Joga": ("training", "yoga"),
        "Jooga": ("training", "yoga"),
        "HIIT": ("hiit", "hiit"),
        "Pilates": ("training", "pilates"),
        "Multisport": ("multisport", "generic"),
        "Multisports": ("multisport", "generic"),
    }
)


def detect(header: list[str], text: str) -> bool:
    """Garmin puts the activity type first and the date within the next two columns."""
    names = [norm_header(h) for h in header]
    return (
        len(names) >= 3
        and names[0] in _TYPE_HEADERS
        and any(n in _DATE_HEADERS for n in names[1:3])
        and not any(n.startswith("activity id") for n in names)
    )


@dataclass(frozen=True)
class _Row:
    record: Record
    type_name: str
    sport: tuple[str, str] | None
    start: datetime
    values: dict[str, float | None]


def read(sheet: Sheet, options: Options) -> Decoded:
    cols = _columns(sheet.columns())
    records = list(sheet.rows())
    comma = decimal_comma(r.get(cols[f]) for r in records for f in _NUMERIC if cols.get(f) is not None)
    rows = [_parse(sheet, record, cols, comma) for record in records]
    if not rows:
        return Decoded(FORMAT, file_type="no_activities", detail="Garmin activities export with no rows")
    warnings: list[str] = []
    per_unit = _distance_unit(sheet, rows, options.distance_unit, warnings)
    unmapped: dict[str, int] = {}
    activities: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        if row.sport is None:
            unmapped[row.type_name] = unmapped.get(row.type_name, 0) + 1
        sport, sub_sport = row.sport or GENERIC
        start_utc, offset = local_to_utc(row.start, options.zone)
        title = row.record.get(cols.get("title"))
        distance = row.values["distance"]
        if distance is not None:
            distance *= per_unit[1] if sport == "swimming" else per_unit[0]
        moving = row.values["moving"]
        activities.append(
            {
                "session_index": index,
                "sport": sport,
                "sub_sport": sub_sport,
                "name": _name(title, row.type_name, mapped=row.sport is not None),
                "start_time_utc": start_utc,
                "utc_offset_s": offset,
                "elapsed_s": row.values["elapsed"] if row.values["elapsed"] is not None else row.values["time"],
                "moving_s": moving if moving else None,
                "distance_m": distance,
                "calories_kcal": row.values["calories"],
                "avg_hr": row.values["avg_hr"],
                "max_hr": row.values["max_hr"],
                "source_ref": row.start.isoformat(),
            }
        )
    if unmapped:
        listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
        warnings.append(f"activity types with no FIT sport, kept as generic with the type in the name: {listed}")
    return Decoded(FORMAT, activities=frame(activities, RAW_ACTIVITY_SCHEMA), warnings=tuple(warnings))


def _columns(columns: Columns) -> dict[str, int | None]:
    return {field: columns.find(*names) for field, names in _FIELDS.items()}


def _name(title: str, type_name: str, *, mapped: bool) -> str | None:
    if mapped:
        return title or type_name or None
    return f"{title} ({type_name})" if title and title != type_name else (type_name or title or None)


def sport_of(type_name: str) -> tuple[str, str] | None:
    """FIT (sport, sub_sport) for a Garmin activity type name in any known UI language."""
    key = fold_key(type_name)
    return TYPES.get(key) or COMMON.get(key)


def _parse(sheet: Sheet, record: Record, cols: dict[str, int | None], comma: bool) -> _Row:
    type_name = record.get(cols["type"])
    try:
        start = local_datetime(record.get(cols["date"]), DATE_FORMATS)
    except ValueError as exc:
        raise sheet.error(f"date: {exc}", record.line) from exc
    values: dict[str, float | None] = {}
    for field in _NUMERIC:
        try:
            values[field] = number(record.get(cols[field]), comma_decimal=comma)
        except ValueError as exc:
            raise sheet.error(f"{sheet.header[cols[field] or 0]}: {exc}", record.line) from exc
    for field in ("time", "moving", "elapsed"):
        try:
            values[field] = duration(record.get(cols[field]))
        except ValueError as exc:
            raise sheet.error(f"{sheet.header[cols[field] or 0]}: {exc}", record.line) from exc
    return _Row(record, type_name, sport_of(type_name), start, values)


def _distance_unit(sheet: Sheet, rows: list[_Row], unit: str | None, warnings: list[str]) -> tuple[float, float]:
    """Metres per distance unit for (land, swim) rows: from the option, else inferred, else refused."""
    inferred = _infer_unit(rows)
    if unit is not None:
        if inferred is not None and inferred != unit:
            warnings.append(f"distance unit set to {unit} but stride lengths suggest {inferred}")
        chosen = unit
    elif inferred is not None:
        warnings.append(
            f"distance unit inferred as {inferred} from stride length and steps or cadence; "
            "set the athlete's distance unit (distance_unit = 'km' or 'mi') to be explicit"
        )
        chosen = inferred
    elif any(r.values["distance"] for r in rows):
        raise sheet.needs_setting(
            "Garmin writes distances in km or miles as the account was set and this file does not "
            "say which; set the athlete's distance unit (distance_unit = 'km' or 'mi' in the settings file)"
        )
    else:
        chosen = "km"
    return (1000.0, 1.0) if chosen == "km" else (M_PER_MILE, M_PER_YARD)


def _infer_unit(rows: list[_Row]) -> str | None:
    """Metres walked (stride x steps, or stride x cadence x time) per distance unit: ~1000 km, ~1609 mi."""
    votes = {"km": 0, "mi": 0}
    for row in rows:
        v = row.values
        distance, stride = v["distance"], v["stride"]
        if not distance or not stride or (row.sport or GENERIC)[0] == "swimming":
            continue
        seconds = v["time"] or v["moving"]
        if v["steps"]:
            metres = stride * v["steps"]
        elif v["cadence"] and seconds:
            metres = stride * v["cadence"] * seconds / 60.0
        else:
            continue
        ratio = metres / distance
        if 900 <= ratio <= 1100:
            votes["km"] += 1
        elif 1450 <= ratio <= 1770:
            votes["mi"] += 1
    total = votes["km"] + votes["mi"]
    for unit, count in votes.items():
        if count >= 1 and count >= 0.9 * total:
            return unit
    return None
