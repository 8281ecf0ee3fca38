"""One scheduled pass over an inbox (the flow ``fitbalance serve`` runs), on the embedded Prefect API."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitbalance_pipelines.serve import can_report, default_report_path, inbox_flow, summary_line
from tests.pipelines.conftest import rows, truncated


def test_the_report_goes_beside_the_database() -> None:
    assert default_report_path(Path("/data/training.duckdb")) == Path("/data/training-report.html")


def test_the_summary_is_one_line() -> None:
    summary = {"loaded": 3, "activities_added": 3, "sets_added": 12, "quarantined": 1, "skipped": 0}
    line = summary_line("/in", {**summary, "already_loaded": 140}, "/r.html")
    assert line == (
        "inbox /in: 3 new files loaded (3 activities, 12 sets), 1 quarantined, 0 skipped, 140 already loaded; "
        "report /r.html"
    )


def test_a_file_caught_half_copied_is_loaded_whole_once_complete(
    tmp_path: Path, activity_fits: list[bytes], prefect_harness: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run that finds a file half-written loads what was written (and a quarantine row says where it ends); the next
    run, finding it whole, loads it in place of the part and that row, and a run with nothing new changes nothing."""
    inbox, db = tmp_path / "inbox", tmp_path / "t.duckdb"
    inbox.mkdir()
    (inbox / "ride.fit").write_bytes(truncated(activity_fits[0]))
    first = inbox_flow(inbox=str(inbox), db=str(db))
    assert (first["loaded"], first["quarantined"], first["activities_added"]) == (1, 0, 1)
    assert rows(db, "SELECT status FROM source_files") == [("loaded",)]
    [(reason,)] = rows(db, "SELECT reason FROM quarantine")
    assert reason.startswith("truncated FIT file") and "before it are loaded" in reason
    part = rows(db, "SELECT activity_id, count(*) FROM samples GROUP BY ALL")

    (inbox / "ride.fit").write_bytes(activity_fits[0])
    second = inbox_flow(inbox=str(inbox), db=str(db))
    # the part (its sport unknown: the session message is written last) gives way to the whole ride
    assert (second["loaded"], second["quarantined"], second["activities_added"]) == (1, 0, 1)
    assert rows(db, "SELECT status FROM source_files") == [("loaded",)]
    assert rows(db, "SELECT count(*) FROM quarantine") == [(0,)]
    [(activity, whole)] = rows(db, "SELECT activity_id, count(*) FROM samples GROUP BY ALL")
    assert rows(db, "SELECT activity_id FROM activities") == [(activity,)] and whole > part[0][1]

    third = inbox_flow(inbox=str(inbox), db=str(db))
    assert (third["loaded"], third["already_loaded"]) == (0, 1)
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1].split(";")[0] for line in printed if line.startswith("inbox ")] == [
        f"1 new files loaded (1 activities, {first['sets_added']} sets), 0 quarantined, 0 skipped, 0 already loaded",
        f"1 new files loaded (1 activities, {second['sets_added']} sets), 0 quarantined, 0 skipped, 0 already loaded",
        "0 new files loaded (0 activities, 0 sets), 0 quarantined, 0 skipped, 1 already loaded",
    ]
    assert default_report_path(db).exists() == can_report()


def test_a_ride_cut_short_in_one_folder_gives_way_to_its_whole_copy_in_another(
    tmp_path: Path, activity_fits: list[bytes], prefect_harness: None
) -> None:
    """The part of a ride (loaded first, from a folder where its copy was cut short) and the whole ride (loaded next,
    from another folder) are one session: the whole one counts, the part is linked to it as its duplicate, whichever
    was loaded first."""
    inbox, db = tmp_path / "inbox", tmp_path / "t.duckdb"
    (inbox / "phone").mkdir(parents=True)
    (inbox / "phone" / "ride.fit").write_bytes(truncated(activity_fits[0]))
    inbox_flow(inbox=str(inbox), db=str(db))
    (inbox / "watch").mkdir()
    (inbox / "watch" / "ride.fit").write_bytes(activity_fits[0])
    inbox_flow(inbox=str(inbox), db=str(db))
    counted = rows(
        db,
        "SELECT f.path, a.duplicate_of IS NULL FROM activities a JOIN source_files f USING (file_id) ORDER BY f.path",
    )
    assert [(Path(path).parent.name, counts) for path, counts in counted] == [("phone", False), ("watch", True)]
