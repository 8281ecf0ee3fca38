"""One session, counted once: the pure matching rule (fitbalance.dedupe)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fitbalance.dedupe import (
    CANDIDATE_SCHEMA,
    compatible_sports,
    duplicate_links,
    overlaps,
    same_kind,
    same_session_kind,
)
from tests.conftest import examples

T0 = datetime(2025, 9, 1, 16, 0)
LOADED = datetime(2025, 10, 1)


def act(
    activity_id: str,
    *,
    source: str = "fit",
    start: datetime = T0,
    minutes: float | None = 60,
    category: str = "resistance",
    sport: str | None = "training",
    samples: bool = False,
    hr: bool = True,
    loaded: datetime = LOADED,
    athlete: str = "me",
    cut_short: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    row = {
        "activity_id": activity_id,
        "athlete": athlete,
        "source_format": source,
        "start_time_utc": start,
        "elapsed_s": minutes * 60 if minutes is not None else None,
        "moving_s": None,
        "distance_m": None,
        "calories_kcal": 400.0 if hr else None,
        "avg_hr": 120.0 if hr else None,
        "max_hr": 160.0 if hr else None,
        "category": category,
        "sport": sport,
        "has_samples": samples,
        "loaded_at": loaded,
        "cut_short": cut_short,
    }
    row.update(extra)
    return row


def links(*rows: dict[str, Any]) -> dict[str, str | None]:
    frame = pl.DataFrame(list(rows), schema=CANDIDATE_SCHEMA)
    return dict(duplicate_links(frame).iter_rows())


def test_a_watch_file_and_the_app_workout_of_one_session_are_linked_to_the_watch() -> None:
    """The Hevy workout starting a minute after the watch's strength session points at the FIT row."""
    got = links(
        act("hevy", source="csv:hevy", start=T0 + timedelta(minutes=1), hr=False),
        act("watch", source="fit", samples=True),
    )
    assert got == {"watch": None, "hevy": "watch"}


def test_the_watch_counts_even_when_the_app_row_was_loaded_first() -> None:
    got = links(
        act("hevy", source="csv:hevy", loaded=LOADED - timedelta(days=30), hr=False),
        act("watch", source="fit"),
    )
    assert got == {"watch": None, "hevy": "watch"}


def test_a_lifting_app_row_yields_to_a_watch_export_csv() -> None:
    """Garmin's CSV row of the strength session (heart rate, calories) counts; Hevy's sets are kept for views."""
    got = links(
        act("garmin", source="csv:garmin", start=T0 - timedelta(minutes=1)),
        act("hevy", source="csv:hevy", hr=False),
    )
    assert got == {"garmin": None, "hevy": "garmin"}


def test_between_two_exports_the_one_with_samples_then_the_richer_row_counts() -> None:
    run = {"category": "other", "sport": "running"}
    assert links(
        act("garmin", source="csv:garmin", **run),
        act("polar", source="csv:polar", samples=True, hr=False, **run),
    ) == {"polar": None, "garmin": "polar"}
    assert links(
        act("strava", source="csv:strava", hr=False, **run),
        act("garmin", source="csv:garmin", loaded=LOADED + timedelta(days=1), **run),
    ) == {"garmin": None, "strava": "garmin"}


def test_equally_rich_rows_tie_to_the_earliest_loaded_then_the_smaller_id() -> None:
    assert links(
        act("a", source="csv:strava", loaded=LOADED + timedelta(hours=1), category="other", sport="running"),
        act("b", source="csv:garmin", loaded=LOADED, category="other", sport="running"),
    ) == {"b": None, "a": "b"}
    assert links(act("b", source="csv:strava"), act("a", source="csv:garmin")) == {"a": None, "b": "a"}


def test_sessions_that_barely_overlap_stay_apart() -> None:
    """Half of the shorter one must be shared: 29 of 60 minutes is not enough, 30 is."""
    assert links(act("a"), act("b", source="csv:hevy", start=T0 + timedelta(minutes=31))) == {"a": None, "b": None}
    assert links(act("a"), act("b", source="csv:hevy", start=T0 + timedelta(minutes=30))) == {"a": None, "b": "a"}


def test_without_a_duration_starts_within_five_minutes_match() -> None:
    assert links(act("a", minutes=None), act("b", source="csv:hevy", start=T0 + timedelta(minutes=5))) == {
        "a": None,
        "b": "a",
    }
    assert links(act("a", minutes=None), act("b", source="csv:hevy", start=T0 + timedelta(minutes=6))) == {
        "a": None,
        "b": None,
    }


def test_different_kinds_sports_or_athletes_are_never_linked() -> None:
    assert links(act("lift"), act("run", category="other", sport="running")) == {"lift": None, "run": None}
    ride = act("ride", category="other", sport="cycling")
    assert links(act("run", category="other", sport="running", source="csv:strava"), ride) == {
        "ride": None,
        "run": None,
    }
    assert links(act("mine"), act("yours", athlete="you")) == {"mine": None, "yours": None}


def test_a_long_watch_session_takes_both_app_workouts_logged_during_it() -> None:
    """One 90-minute watch recording, two Hevy workouts (push, then core) inside it: both point at the watch."""
    got = links(
        act("watch", minutes=90),
        act("push", source="csv:hevy", minutes=60, hr=False),
        act("core", source="csv:hevy", start=T0 + timedelta(minutes=62), minutes=25, hr=False),
    )
    assert got == {"watch": None, "push": "watch", "core": "watch"}


def test_sports_of_one_family_or_unspecific_sports_are_compatible() -> None:
    assert compatible_sports("running", "running")
    assert compatible_sports("running", "walking")
    assert compatible_sports("cycling", "e_biking")
    assert compatible_sports("running", "generic") and compatible_sports(None, "swimming")
    assert compatible_sports("fitness_equipment", "rowing")
    assert not compatible_sports("running", "cycling")
    assert not compatible_sports("swimming", "running")
    assert same_kind("resistance", "training", "resistance", "generic")
    assert not same_kind("resistance", "training", "other", "training")


def test_the_part_of_a_file_cut_short_gives_way_to_the_whole_file_loaded_after_it() -> None:
    """Two FIT copies of one ride, the first loaded cut short: the whole one counts, though the part (made from its
    records: distance and heart rate) fills more summary fields than the whole one's sparse session."""
    got = links(
        act("part", category="other", sport="cycling", samples=True, cut_short=True, distance_m=40_000.0),
        act("whole", category="other", sport="cycling", samples=True, hr=False, loaded=LOADED + timedelta(days=1)),
    )
    assert got == {"whole": None, "part": "whole"}


def test_the_part_of_a_strength_workout_of_unknown_sport_is_linked_to_the_whole_workout() -> None:
    """The part has no sport (its session message is missing) and none of its sets: classified other exercise, it is
    still the same session as the whole resistance workout, and only the whole one counts."""
    part = act("part", category="other", sport="generic", samples=True, cut_short=True, minutes=30)
    whole = act("whole", category="resistance", sport="training", samples=True)
    assert links(part, whole) == {"whole": None, "part": "whole"}
    assert links(act("hevy", source="csv:hevy", hr=False), part) == {"hevy": None, "part": "hevy"}
    # a whole file of unknown sport keeps its kind: it is not the same session as a workout of the other kind
    whole_generic = act("generic", category="other", sport="generic", samples=True)
    assert links(whole_generic, whole) == {"generic": None, "whole": None}


def test_a_part_of_a_known_sport_keeps_its_kind() -> None:
    """A part whose sport message said running is not the same session as a strength workout at the same time."""
    part = act("part", category="other", sport="running", samples=True, cut_short=True)
    assert links(part, act("whole", category="resistance", sport="training")) == {"part": None, "whole": None}


# ---- properties --------------------------------------------------------------------------------------------

SOURCES = ("fit", "csv:garmin", "csv:strava", "csv:hevy", "csv:strong", "csv:polar")
KINDS = (("resistance", "training"), ("other", "running"), ("other", "cycling"), ("other", "generic"))


@st.composite
def activity_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 14))
    rows = []
    for index in range(count):
        category, sport = draw(st.sampled_from(KINDS))
        rows.append(
            act(
                f"a{index:02d}",
                source=draw(st.sampled_from(SOURCES)),
                start=T0 + timedelta(minutes=draw(st.integers(0, 240))),
                minutes=draw(st.one_of(st.none(), st.integers(0, 120))),
                category=category,
                sport=sport,
                samples=draw(st.booleans()),
                hr=draw(st.booleans()),
                loaded=LOADED + timedelta(days=draw(st.integers(0, 3))),
                athlete=draw(st.sampled_from(("me", "you"))),
                cut_short=draw(st.booleans()),
            )
        )
    return rows


def _duration(row: dict[str, Any]) -> float | None:
    return row["elapsed_s"] or None


@settings(max_examples=examples(200), deadline=None)
@given(rows=activity_sets(), seed=st.randoms(use_true_random=False))
def test_links_are_consistent_and_do_not_depend_on_row_order(rows: list[dict[str, Any]], seed: Any) -> None:
    """Every duplicate points at a row that counts and is the same session as it; no two counted rows are the
    same session; shuffling the input changes nothing."""
    got = links(*rows)
    assert set(got) == {r["activity_id"] for r in rows}
    by_id = {r["activity_id"]: r for r in rows}

    def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return (
            a["athlete"] == b["athlete"]
            and same_session_kind(a["category"], a["sport"], a["cut_short"], b["category"], b["sport"], b["cut_short"])
            and overlaps(a["start_time_utc"], _duration(a), b["start_time_utc"], _duration(b))
        )

    for activity_id, primary in got.items():
        if primary is not None:
            assert got[primary] is None
            assert same(by_id[activity_id], by_id[primary])
    counted = [by_id[i] for i, p in got.items() if p is None]
    for i, a in enumerate(counted):
        for b in counted[i + 1 :]:
            assert not same(a, b)
    shuffled = list(rows)
    seed.shuffle(shuffled)
    assert links(*shuffled) == got


@given(
    a=st.integers(0, 600),
    b=st.integers(0, 600),
    da=st.one_of(st.none(), st.integers(1, 300)),
    db=st.one_of(st.none(), st.integers(1, 300)),
)
def test_overlap_is_symmetric(a: int, b: int, da: int | None, db: int | None) -> None:
    sa, sb = T0 + timedelta(minutes=a), T0 + timedelta(minutes=b)
    fa, fb = (da * 60.0 if da else None), (db * 60.0 if db else None)
    assert overlaps(sa, fa, sb, fb) == overlaps(sb, fb, sa, fa)


def test_a_garmin_account_summary_and_the_fit_file_of_its_recording_count_once_whatever_their_kinds() -> None:
    """Garmin's account JSON says strength_training (resistance), the watch's FIT file without set messages was
    classified other: the same start to the second makes them one recording, and the FIT file counts. Five seconds
    apart they are two sessions as far as this rule goes (their kinds disagree)."""
    summary = act("json", source="json:garmin", category="resistance", sport="training")
    fit = act("fit", source="fit", category="other", sport="training", start=T0 + timedelta(milliseconds=400))
    links = dict(duplicate_links(pl.DataFrame([summary, fit], schema=CANDIDATE_SCHEMA)).iter_rows())
    assert links == {"fit": None, "json": "fit"}
    later = {**fit, "start_time_utc": T0 + timedelta(seconds=5)}
    links = dict(duplicate_links(pl.DataFrame([summary, later], schema=CANDIDATE_SCHEMA)).iter_rows())
    assert links == {"fit": None, "json": None}
