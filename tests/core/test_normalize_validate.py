"""normalize + validate: stable ids, local time, classification, and the valid/quarantine split."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl

from fitbalance.config import Athlete
from fitbalance.normalize import normalize
from fitbalance.repair import repair
from fitbalance.validate import validate_tables

from .builders import decoded

AS_OF = datetime(2026, 11, 1)
ME = Athlete(name="me", time_zone="Europe/Berlin")


def test_ids_are_stable_and_local_time_uses_the_source_offset_or_the_zone() -> None:
    """The same session gives the same id every run; without an offset the athlete's zone (with DST) applies."""
    a = normalize(decoded(sets=[{}]), file_id="f1", athlete=ME)
    b = normalize(decoded(sets=[{}]), file_id="f2", athlete=ME)
    assert a.activities["activity_id"][0] == b.activities["activity_id"][0]
    assert a.activities["start_time_local"][0] == datetime(2026, 3, 2, 8, 0)
    summer = normalize(decoded(start=datetime(2026, 7, 1, 6, 0), offset=None), file_id="f", athlete=ME)
    assert summer.activities["utc_offset_s"][0] == 7200
    assert summer.activities["start_time_local"][0] == datetime(2026, 7, 1, 8, 0)


def test_sets_decide_resistance_and_zero_heart_rate_is_no_reading() -> None:
    """A heart rate of 0 is repaired to null before normalize (and recorded); normalize leaves values as they come."""
    raw = decoded(sport="fitness_equipment", sub_sport=None, sets=[{}, {"set_type": "rest", "reps": None}], hr=[0, 120])
    assert normalize(raw, file_id="f", athlete=ME).samples["heart_rate"].to_list() == [0, 120]
    fixed = repair(raw)
    t = normalize(fixed.decoded, file_id="f", athlete=ME)
    assert t.activities["category"][0] == "resistance" and t.activities["classification_reason"][0] == "sets"
    assert t.samples["heart_rate"].to_list() == [None, 120]
    assert fixed.repairs.select("table_name", "column_name", "rule", "original", "rows").rows() == [
        ("samples", "heart_rate", "no_reading", "0", 1)
    ]
    assert set(t.sets["activity_id"]) == {t.activities["activity_id"][0]}


def test_bad_rows_are_quarantined_and_good_rows_kept() -> None:
    """A set with 5000 kg and a heart rate of 300 are quarantined with their rule and values; the rest loads."""
    t = normalize(decoded(sets=[{}, {"weight_kg": 5000.0}, {}], hr=[120, 300, 125]), file_id="f", athlete=ME)
    v = validate_tables(t, file_id="f", path="p.fit", as_of=AS_OF)
    assert v.tables.activities.height == 1
    assert v.tables.sets.height == 2 and v.tables.samples.height == 2
    q = v.quarantine.sort("stage")
    assert q["stage"].to_list() == ["validate:samples", "validate:strength_sets"]
    assert "heart_rate" in q["reason"][0] and "300" in q["reason"][0]
    assert "weight_kg" in q["reason"][1] and json.loads(q["payload"][1])["weight_kg"] == 5000.0
    assert (q["path"] == "p.fit").all() and (q["file_id"] == "f").all()


def test_a_bad_activity_takes_its_rows_with_it_and_says_so() -> None:
    """An activity from 1985 is quarantined; its sets and samples are not loaded, and a row says how many."""
    t = normalize(decoded(start=datetime(1985, 1, 1), sets=[{}, {}], hr=[100, 110, 120]), file_id="f", athlete=ME)
    v = validate_tables(t, file_id="f", path="p.fit", as_of=AS_OF)
    assert v.tables.activities.height == 0 and v.tables.sets.height == 0 and v.tables.samples.height == 0
    reasons = dict(zip(v.quarantine["stage"], v.quarantine["reason"], strict=True))
    assert "start_time_utc" in reasons["validate:activities"]
    assert reasons["validate:strength_sets"].startswith("2 strength_sets rows not loaded")
    assert reasons["validate:samples"].startswith("3 samples rows not loaded")


def test_future_timestamps_are_rejected_against_the_given_clock() -> None:
    t = normalize(decoded(start=datetime(2026, 11, 5)), file_id="f", athlete=ME)
    assert validate_tables(t, file_id="f", path="p", as_of=AS_OF).tables.activities.height == 0
    assert validate_tables(t, file_id="f", path="p", as_of=datetime(2026, 11, 5)).tables.activities.height == 1


def test_every_failure_is_collected_not_just_the_first() -> None:
    t = normalize(
        decoded(activity={"avg_hr": 400.0, "elapsed_s": -5.0, "calories_kcal": -1.0}), file_id="f", athlete=ME
    )
    reason = validate_tables(t, file_id="f", path="p", as_of=AS_OF).quarantine.filter(
        pl.col("stage") == "validate:activities"
    )["reason"][0]
    assert "avg_hr" in reason and "elapsed_s" in reason and "calories_kcal" in reason
