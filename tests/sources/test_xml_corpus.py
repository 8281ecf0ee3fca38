"""Real files of ../shared/corpus with XML in them (skipped when the corpus is absent): a Garmin TCX exported beside
the FIT file of the same pool swim reads as one activity and counts once with it."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from fitbalance.config import Athlete
from fitbalance.dedupe import duplicate_links
from fitbalance.normalize import normalize
from fitbalance.sources import decode_bytes

PAIR = "fit/GoldenCheetah__GoldenCheetah/HRM-unbucle-resync.zip"


def test_a_tcx_and_the_fit_file_of_the_same_swim_count_once(corpus: Path) -> None:
    """The TCX (``Sport="Other"``) has the FIT file's start, laps and samples; the duplicate links keep the FIT."""
    path = corpus / PAIR
    if not path.exists():
        pytest.skip(f"{PAIR} is not in the corpus")
    with zipfile.ZipFile(path) as archive:
        tcx = decode_bytes(archive.read("activity_2677977976.tcx"), "a.tcx")
        fit = decode_bytes(archive.read("activity_2677977976.fit"), "a.fit")
    assert tcx.source_format == "tcx" and tcx.activities.height == 1
    assert tcx.activities["start_time_utc"].to_list() == fit.activities["start_time_utc"].to_list()
    assert tcx.activities["start_time_utc"][0] == datetime(2018, 5, 6, 9, 38, 32)
    assert tcx.laps.height == fit.laps.height and abs(tcx.samples.height - fit.samples.height) < 50
    me = Athlete(name="me")
    frames = [normalize(d, file_id=d.source_format, athlete=me).activities for d in (fit, tcx)]
    candidates = pl.concat(frames).with_columns(
        pl.lit(True).alias("has_samples"),
        pl.lit(None, pl.Datetime("us")).alias("loaded_at"),
        pl.lit(False).alias("cut_short"),
    )
    links = dict(duplicate_links(candidates).iter_rows())
    fit_id, tcx_id = (f["activity_id"][0] for f in frames)
    assert links == {fit_id: None, tcx_id: fit_id}
