"""Which recorded files to read again, and why: settings that changed, a passing failure, what the user asks."""

from __future__ import annotations

import json

import polars as pl
import pytest

from fitbalance.config import Athlete
from fitbalance.errors import ConfigError
from fitbalance.rereads import FILE_STATE_SCHEMA, MAX_ATTEMPTS, Request, Scope, files_to_read_again, version_key

KM = Athlete(name="me", distance_unit="km")


def files(*rows: tuple[str, str, str, str | None, str | None, int]) -> pl.DataFrame:
    """(path, format, status, read_settings, reader_version, attempts) -> file states; file_id is the path."""
    return pl.DataFrame([(p, p, *r) for p, *r in rows], schema=FILE_STATE_SCHEMA, orient="row")


def settings(**values: object) -> str:
    return json.dumps(values, sort_keys=True)


def paths(found: list[object]) -> list[str]:
    return [r.path for r in found]  # type: ignore[attr-defined]


def test_a_file_is_read_again_when_a_setting_its_reader_reads_changed() -> None:
    """A Garmin CSV read with distance_unit km is read again when it is mi now; a FIT file or a Hevy export (whose
    readers read no setting) is not, nor a file whose settings were not recorded (read by an older release)."""
    state = files(
        ("garmin.csv", "csv:garmin", "loaded", settings(distance_unit="km"), "0.1.0", 0),
        ("strong.csv", "csv:strong", "loaded", settings(distance_unit="km", weight_unit=None), "0.1.0", 0),
        ("hevy.csv", "csv:hevy", "loaded", "{}", "0.1.0", 0),
        ("run.fit", "fit", "loaded", "{}", "0.1.0", 0),
        ("old.csv", "csv:garmin", "loaded", None, None, 0),
    )
    assert files_to_read_again(state, KM) == []
    miles = Athlete(name="me", distance_unit="mi", max_hr=180, time_zone="Asia/Tokyo", units="imperial")
    found = files_to_read_again(state, miles)
    assert paths(found) == ["garmin.csv", "strong.csv"]
    assert found[0].why == "its settings changed: distance_unit 'km' -> 'mi'"
    lbs = Athlete(name="me", distance_unit="km", weight_unit="lbs")
    assert paths(files_to_read_again(state, lbs)) == ["strong.csv"]


def test_a_file_that_failed_for_a_passing_reason_is_tried_until_it_has_failed_three_times() -> None:
    """attempts counts the failed reads; a file is read again while it is below the cap, then left alone."""
    state = files(*((f"f{n}.fit", "fit", "quarantined", "{}", "0.1.0", n) for n in range(MAX_ATTEMPTS + 1)))
    found = files_to_read_again(state, KM)
    assert paths(found) == [f"f{n}.fit" for n in range(1, MAX_ATTEMPTS)]
    assert found[0].why == f"attempt 2 of {MAX_ATTEMPTS} after a failure that was not the file's"


def test_what_the_user_asks_for_is_read_again() -> None:
    """--all: every file; --quarantined: every quarantined file, whatever its reason; --since-version X: the
    files read by an older release (or by one that did not record its version)."""
    state = files(
        ("a.fit", "fit", "loaded", "{}", "0.1.0", 0),
        ("b.fit", "fit", "quarantined", "{}", "0.2.0", 0),
        ("c.fit", "fit", "skipped", "{}", "0.10.0", 0),
        ("d.fit", "fit", "loaded", None, None, 0),
    )
    assert paths(files_to_read_again(state, KM, Request(Scope.ALL))) == ["a.fit", "b.fit", "c.fit", "d.fit"]
    assert paths(files_to_read_again(state, KM, Request(Scope.QUARANTINED))) == ["b.fit"]
    since = Request.parse("since-version:0.2.0")
    assert paths(files_to_read_again(state, KM, since)) == ["a.fit", "d.fit"]
    assert paths(files_to_read_again(state, KM, Request.parse("since-version:0.10.1"))) == paths(
        files_to_read_again(state, KM, Request(Scope.ALL))
    )


def test_versions_compare_as_releases_and_bad_requests_are_refused() -> None:
    assert version_key("0.10.0") > version_key("0.9.9") > version_key("0.9")
    assert version_key("1.2.3+local") == (1, 2, 3)
    for bad in ("since-version:latest", "everything", "since-version:"):
        with pytest.raises(ConfigError):
            Request.parse(bad)
    assert str(Request.parse("since-version:0.3")) == "since-version:0.3"
