"""Mi Fit / Zepp SPORT csv: type codes, UTC starts (epoch or ISO), seconds, the distance unit, and the side files."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from fitbalance.classify import classify_activity
from fitbalance.models import Category, Decoded
from fitbalance.sources.csv import mifit, read_csv, typetables
from synth import watch_csvs
from tests.sources.csv.conftest import ZONE

HEADER = "type,startTime,sportTime(s),maxPace(/meter),minPace(/meter),distance(m),avgPace(/meter),calories(kcal)"
RUN = "1,2026-01-09 06:03:00+0000,1800,0.3232,0.3951,5012.0,0.3591,311.0"
LIFT = "52,2026-01-10 15:00:00+0000,2820,-1.0,-1.0,-1.0,-1.0,240.0"


def read(text: str, name: str = "SPORT_1770022800.csv") -> Decoded:
    return read_csv(text.encode(), name, ZONE)


def read_bytes(data: bytes, name: str = "SPORT_1770022800.csv") -> Decoded:
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


def test_runs_and_strength_sessions_in_si_units() -> None:
    """UTC starts (an instant; the local offset from the athlete's zone), seconds, metres, kcal; -1 is not measured."""
    run, lift = read(f"{HEADER}\n{RUN}\n{LIFT}\n").activities.iter_rows(named=True)
    assert (run["sport"], run["name"]) == ("running", "Outdoor running")
    assert run["start_time_utc"] == datetime(2026, 1, 9, 6, 3)
    assert (run["utc_offset_s"], run["utc_offset_source"]) == (3600, None)
    assert (run["elapsed_s"], run["distance_m"], run["calories_kcal"]) == (1800.0, 5012.0, 311.0)
    assert run["timer_s"] == 1800.0  # sportTime(s), the one duration the file gives
    assert (lift["sub_sport"], lift["distance_m"]) == ("strength_training", None)
    assert category(lift) is Category.RESISTANCE and category(run) is Category.OTHER


@pytest.mark.parametrize("start", ["1767938580", "1767938580000", "2026-01-09T06:03:00Z", "2026-01-09 07:03:00+0100"])
def test_every_way_of_writing_the_start_is_the_same_instant(start: str) -> None:
    row = RUN.replace("2026-01-09 06:03:00+0000", start)
    assert read(f"{HEADER}\n{row}\n").activities.row(0, named=True)["start_time_utc"] == datetime(2026, 1, 9, 6, 3)


def test_the_distance_unit_is_the_headers_else_proved_by_the_pace_else_left_empty() -> None:
    """distance(km) is km; a bare distance in metres is proved by distance x pace = duration; unproved: the workouts
    load with no distance, and a warning names the column."""
    in_km = read(f"{HEADER.replace('distance(m)', 'distance(km)')}\n{RUN.replace('5012.0', '5.012')}\n")
    assert in_km.activities.row(0, named=True)["distance_m"] == pytest.approx(5012.0)
    bare = HEADER.replace("distance(m)", "distance")
    assert read(f"{bare}\n{RUN}\n").activities.row(0, named=True)["distance_m"] == 5012.0
    unproved = read(f"{bare}\n{RUN.replace('5012.0', '5.012')}\n{LIFT}\n")
    assert unproved.activities["distance_m"].to_list() == [None, None]
    assert any("names no unit and no row proves it" in w for w in unproved.warnings)


def test_an_older_header_with_no_units_loads_gym_sessions_that_have_no_distance() -> None:
    """The generator's ``units=False`` layout (BOM, ``type,startTime,sportTime,distance,...,calories``, as an older
    Mi Fit export writes it): strength sessions with distance 0 need no unit and load; runs prove metres."""
    sessions = watch_csvs.planned_sessions()["mifit"]
    lifts = [s for s in sessions if s.kind == "52"]
    data, _ = watch_csvs.mifit_sport(lifts, units=False)
    header = data.decode("utf-8-sig").splitlines()[0]
    assert data.startswith(b"\xef\xbb\xbf") and "(" not in header and ",distance," in header
    decoded = read_bytes(data)
    assert decoded.activities.height == len(lifts) and not decoded.warnings and not decoded.rejected
    assert set(decoded.activities["sub_sport"]) == {"strength_training"}
    everything, expect = watch_csvs.mifit_sport(sessions, units=False)
    reference = read_bytes(watch_csvs.mifit_sport(sessions)[0])
    assert read_bytes(everything).activities.equals(reference.activities)
    assert reference.activities.height == expect["activities"]


def test_every_listed_type_code_loads_with_its_sport_and_a_reason() -> None:
    table = typetables.load(mifit.DATA_FILE)
    assert len(table.entries) >= 100 and all(e.why and e.code for e in table.entries)
    rows = "\n".join(LIFT.replace("52,", f"{e.code},", 1) for e in table.entries)
    decoded = read(f"{HEADER}\n{rows}\n")
    assert decoded.activities.height == len(table.entries) and not decoded.rejected and not decoded.warnings
    assert decoded.activities.select("sport", "sub_sport").rows() == [e.pair for e in table.entries]


def test_an_unknown_code_loads_as_generic_and_is_named() -> None:
    decoded = read(f"{HEADER}\n{LIFT.replace('52,', '999,', 1)}\n")
    row = decoded.activities.row(0, named=True)
    assert (row["sport"], row["name"]) == ("generic", "Mi Fit sport type 999")
    assert "999 (1)" in decoded.warnings[0]


def test_bad_rows_are_set_aside_with_their_line_and_values() -> None:
    rows = [RUN, RUN.replace("2026-01-09 06:03:00+0000", "tomorrow"), LIFT.replace("2820", "ages"), LIFT]
    decoded = read(HEADER + "\n" + "\n".join(rows) + "\n")
    assert decoded.activities.height == 2
    assert [r.line for r in decoded.rejected] == [3, 4]
    assert "startTime" in decoded.rejected[0].reason and "sportTime" in decoded.rejected[1].reason
    assert json.loads(decoded.rejected[1].payload or "{}")["values"]["sportTime(s)"] == "ages"


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("ACTIVITY_1.csv", "date,steps,distance,runDistance,calories\n2026-03-02,8000,6000,0,300\n", "daily activity"),
        ("ACTIVITY_MINUTE_1.csv", "date,time,steps\n2026-03-02,09:00,100\n", "by minute"),
        ("SLEEP_1.csv", "date,deepSleepTime,shallowSleepTime,wakeTime,start,stop\n2026-03-02,90,250,10,a,b\n", "sleep"),
        ("HEARTRATE_AUTO_1.csv", "date,time,heartRate\n2026-03-02,09:00,55\n", "heart-rate"),
        ("BODY_1.csv", "time,weight,height,bmi,fatRate\n1,80,180,24,20\n", "body"),
        ("USER_1.csv", "userId,gender,height,weight,nickName,avatar,birthday\n1,1,180,80,x,,1990-01\n", "profile"),
    ],
)
def test_the_other_files_of_the_export_are_skipped_with_their_kind(name: str, text: str, kind: str) -> None:
    decoded = read(text, name)
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "csv:mifit")
    assert kind in decoded.detail


def test_the_generated_export_gives_what_the_generator_planned() -> None:
    for name, (data, expect) in watch_csvs.watch_files().items():
        if "/mifit/" not in name:
            continue
        decoded = read_csv(data, name, ZONE)
        if expect["status"] == "skipped":
            assert decoded.file_type == "no_activities" and expect["kind"] in decoded.detail
            continue
        rows = list(decoded.activities.iter_rows(named=True))
        assert len(rows) == expect["activities"] and not decoded.rejected and not decoded.warnings
        assert sum(category(r) is Category.RESISTANCE for r in rows) == expect["resistance"] == 4
