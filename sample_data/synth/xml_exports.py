"""Generated XML exports: an Apple Health ``export.zip`` as the Health app writes it, a TCX and a GPX of one
athlete's week (deterministic for a seed), and the big ``export.xml`` of the Apple benchmark.

The athlete lives in Berlin (November: ``+0100``), wears an Apple Watch, logs lifts in Hevy (which writes its
workouts into Apple Health) and records some runs with Strava (which writes them into Apple Health too, and whose
own GPX export holds the same run). The week of :data:`WEEK`:

- Monday: traditional strength training (the watch; current layout: ``<WorkoutStatistics>``), heart rate records;
- Tuesday: a run (the watch; older layout: totals as attributes, and a distance statistic that disagrees with the
  total by 2 %: the statistic wins, a repair says so), paused for two minutes, with its route GPX;
- Wednesday: functional strength training written by Hevy (energy in kJ, no heart rate);
- Thursday: a run written by Strava (distance in miles) and the Strava GPX of the same run: one session;
- Friday: HIIT (energy in ``Cal``, duration in seconds); Saturday: a pool swim in yards; Sunday: core training
  (duration in hours).

The zip also holds ``export_cda.xml`` (skipped: a clinical document) and an ECG CSV (skipped). ``records-only``
is an export of daily measurements without a workout (skipped with its kind). The TCX holds two activities (a run
timed in ``Z``, a ride timed in ``+01:00``) and a stub of 8 s without movement (set aside).

:func:`sample_files` gives each file's bytes and what a reader must find in it (EXPECTED.json, under ``"xml"``),
from this plan, never from running a reader. :func:`write_big_export` streams a large export.xml to a file.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from synth.zips import zip_bytes

__all__ = ["FOLDER", "WEEK", "sample_files", "write_big_export"]

FOLDER = "xml"
WEEK = date(2025, 11, 10)  # a Monday
OFFSET = timedelta(hours=1)  # Berlin in November
ZIP_TIME = (2025, 11, 17, 8, 0, 0)
HR_STEP_S = 10
ORIGIN = (52.5163, 13.3777)
MI = 1609.344
YD = 0.9144
DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Me EMPTY>
<!ATTLIST Me
  HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics|WorkoutActivity)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  totalDistance         CDATA #IMPLIED
  totalDistanceUnit     CDATA #IMPLIED
  totalEnergyBurned     CDATA #IMPLIED
  totalEnergyBurnedUnit CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  sourceVersion         CDATA #IMPLIED
  device                CDATA #IMPLIED
  creationDate          CDATA #IMPLIED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
<!ELEMENT WorkoutStatistics EMPTY>
<!ATTLIST WorkoutStatistics
  type      CDATA #REQUIRED
  startDate CDATA #REQUIRED
  endDate   CDATA #REQUIRED
  average   CDATA #IMPLIED
  minimum   CDATA #IMPLIED
  maximum   CDATA #IMPLIED
  sum       CDATA #IMPLIED
  unit      CDATA #IMPLIED
>
]>
"""
WATCH_DEVICE = (
    "&lt;&lt;HKDevice: 0x600001f4c0f0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    "hardware:Watch6,1, software:10.1&gt;"
)


@dataclass(frozen=True)
class Workout:
    """One workout of the sample week as the Health app records it."""

    type_name: str
    source: str
    start_local: datetime  # Berlin wall time
    minutes: float
    category: str  # what the classifier must give
    layout: str = "statistics"  # or "attributes" (older exports)
    distance: tuple[float, str] | None = None  # as written, with its unit
    energy: tuple[float, str] | None = None
    duration_unit: str = "min"
    heart_rate: bool = False
    pause_s: float = 0.0
    route: bool = False
    metadata: tuple[tuple[str, str], ...] = ()
    statistic_distance: tuple[float, str] | None = None  # a statistic that disagrees with the attribute total

    @property
    def start_utc(self) -> datetime:
        return (self.start_local - OFFSET).replace(tzinfo=UTC)

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + timedelta(minutes=self.minutes) + timedelta(seconds=self.pause_s)


def _day(offset_days: int, hour: int, minute: int = 0) -> datetime:
    return datetime(WEEK.year, WEEK.month, WEEK.day, hour, minute) + timedelta(days=offset_days)


STRAVA_RUN = _day(3, 7, 15)


def week_workouts() -> list[Workout]:
    indoor = (("HKIndoorWorkout", "0"), ("HKTimeZone", "Europe/Berlin"))
    return [
        Workout(
            "TraditionalStrengthTraining",
            "Apple Watch",
            _day(0, 18),
            55,
            "resistance",
            energy=(310, "kcal"),
            heart_rate=True,
            metadata=(("HKIndoorWorkout", "1"), ("HKAverageMETs", "4.2 kcal/hr·kg")),
        ),
        Workout(
            "Running",
            "Apple Watch",
            _day(1, 7),
            48,
            "other",
            layout="attributes",
            distance=(8.2, "km"),
            energy=(610, "kcal"),
            heart_rate=True,
            pause_s=120,
            route=True,
            metadata=indoor,
            statistic_distance=(8.036, "km"),
        ),
        Workout("FunctionalStrengthTraining", "Hevy", _day(2, 18, 30), 62, "resistance", energy=(1420, "kJ")),
        Workout(
            "Running",
            "Strava",
            STRAVA_RUN,
            45,
            "other",
            layout="attributes",
            distance=(5.6, "mi"),
            energy=(640, "kcal"),
        ),
        Workout(
            "HighIntensityIntervalTraining",
            "Apple Watch",
            _day(4, 12),
            20,
            "other",
            energy=(240, "Cal"),
            duration_unit="s",
            heart_rate=True,
        ),
        Workout(
            "Swimming",
            "Apple Watch",
            _day(5, 9),
            40,
            "other",
            distance=(1800, "yd"),
            energy=(420, "kcal"),
            metadata=(("HKSwimmingLocationType", "1"), ("HKLapLength", "25 yd")),
        ),
        Workout(
            "CoreTraining",
            "Apple Watch",
            _day(6, 17),
            30,
            "other",
            energy=(150, "kcal"),
            duration_unit="hr",
            heart_rate=True,
        ),
    ]


def _apple_time(moment: datetime) -> str:
    """An aware UTC time as Apple writes it, in Berlin: ``2025-11-10 18:00:00 +0100``."""
    return (moment + OFFSET).strftime("%Y-%m-%d %H:%M:%S") + " +0100"


def _duration(workout: Workout) -> str:
    scale = {"min": 1.0, "hr": 1 / 60, "s": 60.0}[workout.duration_unit]
    return f"{workout.minutes * scale:.10g}"


def _heart_rates(workout: Workout, rng: random.Random) -> list[tuple[datetime, int]]:
    if not workout.heart_rate:
        return []
    count = int((workout.end_utc - workout.start_utc).total_seconds()) // HR_STEP_S
    hr = 95.0
    out = []
    for i in range(count):
        hr += (150 - hr) * 0.05 + rng.uniform(-3, 3)
        out.append((workout.start_utc + timedelta(seconds=i * HR_STEP_S), round(hr)))
    return out


def _record(kind: str, unit: str, value: str, start: datetime, end: datetime, source: str = "Apple Watch") -> str:
    return (
        f'<Record type="{kind}" sourceName="{source}" sourceVersion="10.1" device="{WATCH_DEVICE}" unit="{unit}" '
        f'creationDate="{_apple_time(end)}" startDate="{_apple_time(start)}" endDate="{_apple_time(end)}" '
        f'value="{value}"/>\n'
    )


def _hr_record(moment: datetime, value: int) -> str:
    return _record("HKQuantityTypeIdentifierHeartRate", "count/min", str(value), moment, moment)


def _workout_xml(workout: Workout, rates: list[tuple[datetime, int]]) -> str:
    start, end = workout.start_utc, workout.end_utc
    attrs = {
        "workoutActivityType": f"HKWorkoutActivityType{workout.type_name}",
        "duration": _duration(workout),
        "durationUnit": workout.duration_unit,
    }
    if workout.layout == "attributes":
        if workout.distance:
            attrs |= {"totalDistance": f"{workout.distance[0]:g}", "totalDistanceUnit": workout.distance[1]}
        if workout.energy:
            attrs |= {"totalEnergyBurned": f"{workout.energy[0]:g}", "totalEnergyBurnedUnit": workout.energy[1]}
    attrs |= {
        "sourceName": workout.source,
        "sourceVersion": "10.1" if workout.source == "Apple Watch" else "3.2",
        "creationDate": _apple_time(end),
        "startDate": _apple_time(start),
        "endDate": _apple_time(end),
    }
    text = "<Workout " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + ">\n"
    for key, value in workout.metadata:
        text += f" <MetadataEntry key={quoteattr(key)} value={quoteattr(value)}/>\n"
    if workout.pause_s:
        paused = start + timedelta(minutes=workout.minutes / 2)
        resumed = paused + timedelta(seconds=workout.pause_s)
        text += f' <WorkoutEvent type="HKWorkoutEventTypePause" date="{_apple_time(paused)}"/>\n'
        text += f' <WorkoutEvent type="HKWorkoutEventTypeResume" date="{_apple_time(resumed)}"/>\n'
    span = f'startDate="{_apple_time(start)}" endDate="{_apple_time(end)}"'
    if workout.layout == "statistics" or workout.statistic_distance:
        distance = workout.statistic_distance or workout.distance
        if distance:
            kind = "DistanceSwimming" if workout.type_name == "Swimming" else "DistanceWalkingRunning"
            text += (
                f' <WorkoutStatistics type="HKQuantityTypeIdentifier{kind}" {span} sum="{distance[0]:g}" '
                f'unit="{distance[1]}"/>\n'
            )
    if workout.layout == "statistics" and workout.energy:
        text += (
            f' <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" {span} '
            f'sum="{workout.energy[0]:g}" unit="{workout.energy[1]}"/>\n'
        )
    if rates:
        values = [v for _, v in rates]
        text += (
            f' <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" {span} '
            f'average="{sum(values) / len(values):.4f}" minimum="{min(values)}" maximum="{max(values)}" '
            'unit="count/min"/>\n'
        )
    if workout.route:
        text += (
            f' <WorkoutRoute sourceName="Apple Watch" sourceVersion="10.1" creationDate="{_apple_time(end)}" {span}>\n'
            '  <MetadataEntry key="HKMetadataKeySyncVersion" value="2"/>\n'
            f'  <FileReference path="/workout-routes/{_route_name(workout)}"/>\n'
            " </WorkoutRoute>\n"
        )
    return text + "</Workout>\n"


def _route_name(workout: Workout) -> str:
    local = workout.start_local
    return f"route_{local:%Y-%m-%d}_{local.hour % 12 or 12}.{local:%M}{'am' if local.hour < 12 else 'pm'}.gpx"


def _header(export_day: datetime) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + DTD
        + '<HealthData locale="en_DE">\n'
        + f' <ExportDate value="{_apple_time(export_day)}"/>\n'
        + ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1988-04-02" '
        'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" '
        'HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" '
        'HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" '
        'HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>\n'
    )


def _daily_records(day: date, rng: random.Random, busy: tuple[Workout, ...] = ()) -> str:
    """Steps and heart rate through one day; the heart rate only outside the ``busy`` workouts (not samples)."""
    text = ""
    for hour in range(8, 22, 2):
        start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - OFFSET
        steps = rng.randint(200, 1500)
        text += _record(
            "HKQuantityTypeIdentifierStepCount", "count", str(steps), start, start + timedelta(hours=1), "iPhone"
        )
        moment = start + timedelta(minutes=30)
        if not any(w.start_utc <= moment <= w.end_utc for w in busy):
            text += _hr_record(moment, rng.randint(55, 75))
    return text


def apple_export(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    """The export.xml of the sample week, and what a reader must find in it."""
    workouts = week_workouts()
    rates = [_heart_rates(w, rng) for w in workouts]
    body = "".join(_daily_records(WEEK + timedelta(days=d), rng, tuple(workouts)) for d in range(7))
    body += "".join(_hr_record(t, v) for r in rates for t, v in r)
    body += "".join(_workout_xml(w, r) for w, r in zip(workouts, rates, strict=True))
    body += (
        ' <ActivitySummary dateComponents="2025-11-10" activeEnergyBurned="612" activeEnergyBurnedGoal="500" '
        'activeEnergyBurnedUnit="Cal" appleExerciseTime="75" appleExerciseTimeGoal="30"/>\n'
    )
    data = (_header(datetime(2025, 11, 17, 7, tzinfo=UTC)) + body + "</HealthData>\n").encode("utf-8")
    expect = {
        "status": "loaded",
        "activities": len(workouts),
        "resistance": sum(w.category == "resistance" for w in workouts),
        "samples": sum(len(r) for r in rates),
        "repairs": [{"column": "distance_m", "rule": "statistic_over_total"}],
        "types": {w.type_name: w.category for w in workouts},
        "written_by": sorted({w.source for w in workouts}),
    }
    return data, expect


def _route_gpx(workout: Workout, creator: str = "Apple Health Export") -> bytes:
    points = _track_points(workout.start_utc, int(workout.minutes * 60), 10, random.Random(workout.type_name))
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="{creator}" '
        'xmlns="http://www.topografix.com/GPX/1/1">\n'
        f" <metadata><time>{workout.start_utc:%Y-%m-%dT%H:%M:%SZ}</time></metadata>\n"
        f" <trk><name>Route {workout.start_local:%Y-%m-%d %H:%M}</name><trkseg>\n"
    )
    for moment, lat, lon, ele, _ in points:
        text += (
            f'  <trkpt lon="{lon:.6f}" lat="{lat:.6f}"><ele>{ele:.1f}</ele><time>{moment:%Y-%m-%dT%H:%M:%SZ}</time>'
            "<extensions><speed>3.1</speed><course>90.0</course><hAcc>2.0</hAcc><vAcc>1.5</vAcc></extensions>"
            "</trkpt>\n"
        )
    return (text + " </trkseg></trk>\n</gpx>\n").encode("utf-8")


def _track_points(
    start: datetime, seconds: int, step: int, rng: random.Random, speed: float = 3.0
) -> list[tuple[datetime, float, float, float, int]]:
    """(time, lat, lon, elevation, heart rate) every ``step`` seconds of a track heading east at ``speed`` m/s."""
    out = []
    hr = 110.0
    for i in range(seconds // step + 1):
        east = i * step * speed
        lon = ORIGIN[1] + east / (111_320.0 * math.cos(math.radians(ORIGIN[0])))
        hr += (155 - hr) * 0.05 + rng.uniform(-2, 2)
        out.append((start + timedelta(seconds=i * step), ORIGIN[0], lon, 35.0 + 3 * math.sin(i / 20), round(hr)))
    return out


CDA = b"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <realmCode code="US"/>
 <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
 <title>Health Data</title>
 <component><structuredBody><component><section><title>Vital Signs</title></section></component></structuredBody>
 </component>
</ClinicalDocument>
"""


def _ecg(rng: random.Random) -> bytes:
    head = (
        'Name,Sam Sample\nDate of Birth,"Apr 2, 1988"\nRecorded Date,2025-11-12 08:01:12 +0100\n'
        'Classification,Sinus Rhythm\nSymptoms,\nSoftware Version,2\nDevice,"Watch6,1"\nSample Rate,512 hertz\n'
        "Lead,Lead I\nUnit,µV\n\n"
    )
    return (head + "".join(f"{rng.uniform(-150, 400):.3f}\n" for _ in range(512))).encode("utf-8")


def records_only(rng: random.Random) -> bytes:
    """An export of daily measurements without a workout."""
    body = "".join(_daily_records(WEEK + timedelta(days=d), rng) for d in range(2))
    return (_header(datetime(2025, 11, 12, 7, tzinfo=UTC)) + body + "</HealthData>\n").encode("utf-8")


def _tcx_point(moment: datetime, zone: str, lat: float, lon: float, ele: float, dist: float, hr: int) -> str:
    return (
        f"<Trackpoint><Time>{_iso(moment, zone)}</Time><Position><LatitudeDegrees>{lat:.6f}</LatitudeDegrees>"
        f"<LongitudeDegrees>{lon:.6f}</LongitudeDegrees></Position><AltitudeMeters>{ele:.1f}</AltitudeMeters>"
        f"<DistanceMeters>{dist:.1f}</DistanceMeters><HeartRateBpm><Value>{hr}</Value></HeartRateBpm>"
        "<Extensions><ns3:TPX><ns3:Speed>3.0</ns3:Speed></ns3:TPX></Extensions></Trackpoint>\n"
    )


def _iso(moment: datetime, zone: str) -> str:
    if zone == "Z":
        return f"{moment:%Y-%m-%dT%H:%M:%S}.000Z"
    return f"{moment + OFFSET:%Y-%m-%dT%H:%M:%S}+01:00"


def _tcx_activity(sport: str, start: datetime, seconds: int, zone: str, laps: int, rng: random.Random) -> str:
    speed = 3.0 if sport == "Running" else 7.5
    points = _track_points(start, seconds, 5, rng, speed)
    per_lap = len(points) // laps
    text = f'<Activity Sport="{sport}">\n<Id>{_iso(start, zone)}</Id>\n'
    for lap in range(laps):
        chunk = points[lap * per_lap : (lap + 1) * per_lap if lap < laps - 1 else len(points)]
        first, last = chunk[0][0], chunk[-1][0]
        rates = [p[4] for p in chunk]
        text += (
            f'<Lap StartTime="{_iso(first, zone)}"><TotalTimeSeconds>{(last - first).total_seconds() + 5:.1f}'
            f"</TotalTimeSeconds><DistanceMeters>{len(chunk) * 5 * speed:.1f}</DistanceMeters>"
            f"<Calories>{len(chunk) * 2}</Calories><AverageHeartRateBpm><Value>{sum(rates) // len(rates)}</Value>"
            f"</AverageHeartRateBpm><MaximumHeartRateBpm><Value>{max(rates)}</Value></MaximumHeartRateBpm>"
            "<Intensity>Active</Intensity><TriggerMethod>Distance</TriggerMethod><Track>\n"
        )
        for moment, lat, lon, ele, hr in chunk:
            dist = (moment - start).total_seconds() * speed
            text += _tcx_point(moment, zone, lat, lon, ele, dist, hr)
        text += "</Track></Lap>\n"
    return text + "<Creator><Name>Forerunner 265</Name></Creator>\n</Activity>\n"


def tcx(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    """A run (``Z`` times, two laps), a ride (``+01:00`` times) and an 8-second stub without movement."""
    run_start = datetime(2025, 11, 18, 6, 30, tzinfo=UTC)
    ride_start = datetime(2025, 11, 19, 16, 0, tzinfo=UTC)
    stub_start = datetime(2025, 11, 19, 18, 0, tzinfo=UTC)
    run = _tcx_activity("Running", run_start, 1800, "Z", 2, rng)
    ride = _tcx_activity("Biking", ride_start, 3600, "+01:00", 1, rng)
    stub = (
        f'<Activity Sport="Other">\n<Id>{_iso(stub_start, "Z")}</Id>\n<Lap StartTime="{_iso(stub_start, "Z")}">'
        "<TotalTimeSeconds>8.0</TotalTimeSeconds><DistanceMeters>0.0</DistanceMeters><Calories>0</Calories>"
        "<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n"
        + _tcx_point(stub_start, "Z", ORIGIN[0], ORIGIN[1], 35.0, 0.0, 80)
        + _tcx_point(stub_start + timedelta(seconds=8), "Z", ORIGIN[0], ORIGIN[1], 35.0, 0.0, 82)
        + "</Track></Lap>\n</Activity>\n"
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
        '<TrainingCenterDatabase xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 '
        'http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<Activities>\n'
        + run
        + ride
        + stub
        + "</Activities>\n</TrainingCenterDatabase>\n"
    )
    expect = {
        "status": "loaded",
        "activities": 2,
        "samples": 1800 // 5 + 1 + 3600 // 5 + 1,
        "laps": 3,
        "rejected": 1,
        "sports": {"running": 1, "cycling": 1},
    }
    return text.encode("utf-8"), expect


def strava_gpx(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    """Strava's GPX of the Thursday run that Strava also wrote into Apple Health."""
    start = (STRAVA_RUN - OFFSET).replace(tzinfo=UTC)
    points = _track_points(start, 45 * 60, 5, rng, 3.33)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="StravaGPX" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f" <metadata><time>{start:%Y-%m-%dT%H:%M:%SZ}</time></metadata>\n"
        " <trk>\n  <name>Morning Run</name>\n  <type>running</type>\n  <trkseg>\n"
    )
    for moment, lat, lon, ele, hr in points:
        text += (
            f'   <trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{ele:.1f}</ele><time>{moment:%Y-%m-%dT%H:%M:%SZ}</time>'
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr><gpxtpx:cad>86</gpxtpx:cad>"
            "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        )
    text += "  </trkseg>\n </trk>\n</gpx>\n"
    expect = {
        "status": "loaded",
        "activities": 1,
        "samples": len(points),
        "sports": {"running": 1},
        "duplicate_of": "the Strava-written run in the Apple Health export (one session)",
    }
    return text.encode("utf-8"), expect


def sample_files(seed: int = 20251110) -> dict[str, tuple[bytes, dict[str, Any]]]:
    """``xml/<name>`` -> (bytes, what must happen to it). The same seed always gives the same bytes."""
    rng = random.Random(seed)
    export, export_expect = apple_export(rng)
    workouts = week_workouts()
    routed = [w for w in workouts if w.route]
    root = "apple_health_export"
    members = [
        (f"{root}/export.xml", export),
        (f"{root}/export_cda.xml", CDA),
        *[(f"{root}/workout-routes/{_route_name(w)}", _route_gpx(w)) for w in routed],
        (f"{root}/electrocardiograms/ecg_2025-11-12.csv", _ecg(rng)),
    ]
    zipped = zip_bytes(members, ZIP_TIME)
    export_expect["members"] = {
        f"{root}/export.xml": "loaded",
        f"{root}/export_cda.xml": "skipped",
        **{f"{root}/workout-routes/{_route_name(w)}": "skipped" for w in routed},
        f"{root}/electrocardiograms/ecg_2025-11-12.csv": "skipped",
    }
    files = {
        "apple_health/export.zip": (zipped, export_expect),
        "apple_health_records_only/export.xml": (
            records_only(rng),
            {"status": "skipped", "kind": "Apple Health export with no workouts"},
        ),
        "garmin_run_ride_stub.tcx": tcx(rng),
        "strava_morning_run.gpx": strava_gpx(rng),
    }
    return {f"{FOLDER}/{name}": value for name, value in files.items()}


# ---- the benchmark's big export ----------------------------------------------------------------------------------


def _big_workouts(rng: random.Random, start: date, days: int) -> Iterator[Workout]:
    kinds = [
        ("TraditionalStrengthTraining", "resistance", 55),
        ("Running", "other", 45),
        ("Cycling", "other", 70),
        ("FunctionalStrengthTraining", "resistance", 50),
        ("Walking", "other", 35),
        ("HighIntensityIntervalTraining", "other", 25),
    ]
    for day in range(days):
        if rng.random() < 0.3:
            continue
        type_name, category, minutes = kinds[rng.randrange(len(kinds))]
        local = datetime(start.year, start.month, start.day, rng.choice((7, 12, 18))) + timedelta(days=day)
        distance = (round(minutes * 0.15, 2), "km") if category == "other" else None
        yield Workout(
            type_name,
            "Apple Watch",
            local,
            minutes,
            category,
            distance=distance,
            energy=(minutes * 9, "kcal"),
            heart_rate=True,
        )


def write_big_export(out: TextIO, target_bytes: int, seed: int = 1, *, energy_every_min: int = 0) -> dict[str, int]:
    """Stream an export.xml of about ``target_bytes`` to ``out``: a day of records (heart rate every 4 minutes, steps,
    and active energy every ``energy_every_min`` minutes when given: a long history is mostly such records) and, most
    days, a workout with heart rate every 10 s, until the size is reached. Returns the counts."""
    rng = random.Random(seed)
    out.write(_header(datetime(2025, 11, 17, 7, tzinfo=UTC)))
    written = 0
    counts = {"workouts": 0, "heart_rate_records": 0, "records": 0, "samples_in_workouts": 0}
    day = date(2010, 1, 4)  # a long history ends before today: no workout in the future
    workouts: list[str] = []
    while written < target_bytes:
        chunk = []
        for minute in range(0, 24 * 60, 4):  # heart rate every 4 minutes through the day
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute) - OFFSET
            chunk.append(_hr_record(moment, rng.randint(52, 90)))
        counts["heart_rate_records"] += len(chunk)
        if energy_every_min:
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC) - OFFSET
            for minute in range(0, 24 * 60, energy_every_min):
                start = midnight + timedelta(minutes=minute)
                end = start + timedelta(minutes=energy_every_min)
                value = f"{rng.uniform(0.1, 3):.3f}"
                chunk.append(_record("HKQuantityTypeIdentifierActiveEnergyBurned", "Cal", value, start, end))
            counts["records"] += 24 * 60 // energy_every_min
        chunk.append(_daily_records(day, rng))
        counts["records"] += len(chunk) + 14
        for workout in _big_workouts(rng, day, 1):
            rates = _heart_rates(workout, rng)
            chunk += [_hr_record(t, v) for t, v in rates]
            counts["heart_rate_records"] += len(rates)
            counts["samples_in_workouts"] += len(rates)
            counts["records"] += len(rates)
            workouts.append(_workout_xml(workout, rates))
            counts["workouts"] += 1
        text = "".join(chunk)
        out.write(text)
        written += len(text)
        day += timedelta(days=1)
    for text in workouts:  # workouts come after the records, as in Apple's export
        out.write(text)
    out.write("</HealthData>\n")
    return counts


def write_big_export_file(path: Path, target_bytes: int, seed: int = 1, *, energy_every_min: int = 0) -> dict[str, int]:
    with open(path, "w", encoding="utf-8") as out:
        return write_big_export(out, target_bytes, seed, energy_every_min=energy_every_min)
