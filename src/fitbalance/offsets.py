"""Where a time without a zone is placed: the UTC offset of an activity whose source did not give one.

CSV exports write local wall-clock times without a zone (Hevy's "1 Sep 2025, 16:42"); Strava writes UTC without the
local offset, and a few FIT devices write no local time. Such an activity is *placed*: its offset is chosen, in
this order (:data:`~fitbalance.contracts.OffsetSource`):

1. ``learned``: the offset of the athlete's nearest FIT activity that has one (its activity message's
   local_timestamp minus timestamp), within :data:`LEARNED_WITHIN` (a traveller's offset changes, and a watch knows
   where it was);
2. ``settings``: the athlete's configured ``time_zone`` at that time;
3. ``learned``: the athlete's most common FIT offset, when no zone is configured;
4. ``assumed_utc``: nothing is known; the offset is 0 (``fitbalance status`` lists such activities).

A time with its own zone (``row``) or a FIT activity with its local time (``fit``) is never placed. Nearness is
measured in local time for wall-clock times (the time as written against the FIT activity's local start) and in
UTC for instants.

Pure: the floating activities, the learned offsets and the athletes' zones in, one placement per activity out. The
store applies it after every load and at the start of a run whose settings changed
(:mod:`fitbalance.store.placement`), so what a CSV activity is placed by is what is in the database, whatever the
order the files came in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from fitbalance.contracts import OffsetSource

LEARNED_WITHIN = timedelta(days=3)
"""How far the nearest FIT activity may be for its offset to place a time."""

FLOATING_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "athlete": pl.String(),
    "wall": pl.Boolean(),  # the source gave the local wall time (else the UTC instant)
    "start_time_utc": pl.Datetime("us"),
    "start_time_local": pl.Datetime("us"),
}
LEARNED_SCHEMA: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "start_time_utc": pl.Datetime("us"),
    "start_time_local": pl.Datetime("us"),
    "utc_offset_s": pl.Int32(),
}
PLACEMENT_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "utc_offset_s": pl.Int32(),
    "utc_offset_source": pl.String(),
}


def zone_offset(zone: str, moment: datetime, *, wall: bool) -> int:
    """The offset of ``zone`` in seconds at a local wall time (``wall``: an ambiguous one takes the earlier offset,
    as a CSV reader does) or at a UTC instant."""
    tz = ZoneInfo(zone)
    aware = moment.replace(tzinfo=tz) if wall else moment.replace(tzinfo=UTC).astimezone(tz)
    offset = aware.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _nearest(floating: pl.DataFrame, learned: pl.DataFrame, column: str) -> pl.DataFrame:
    """activity_id -> the offset of the nearest learned activity within :data:`LEARNED_WITHIN`, comparing ``column``."""
    left = floating.select("activity_id", "athlete", pl.col(column).alias("at")).sort("at")
    right = learned.select("athlete", pl.col(column).alias("at"), "utc_offset_s").sort("at", "utc_offset_s")
    joined = left.join_asof(  # both sorted by "at" above, so also within each athlete
        right, on="at", by="athlete", strategy="nearest", tolerance=LEARNED_WITHIN, check_sortedness=False
    )
    return joined.filter(pl.col("utc_offset_s").is_not_null()).select("activity_id", "utc_offset_s")


def _most_common(learned: pl.DataFrame) -> dict[str, int]:
    """Each athlete's most common learned offset (the smaller one of a tie)."""
    counts = (
        learned.group_by("athlete", "utc_offset_s")
        .len()
        .sort("athlete", "len", "utc_offset_s", descending=[False, True, False])
    )
    return {athlete: int(offset) for athlete, offset, _ in counts.unique("athlete", keep="first").iter_rows()}


def place(floating: pl.DataFrame, learned: pl.DataFrame, zones: Mapping[str, str | None]) -> pl.DataFrame:
    """The placement of every floating activity (:data:`PLACEMENT_SCHEMA`, sorted by id; see the module docstring).

    ``floating`` has :data:`FLOATING_SCHEMA`; ``learned`` (:data:`LEARNED_SCHEMA`) the athletes' FIT activities
    with a local time; ``zones`` each athlete's configured zone (None or absent: not set).
    """
    if floating.height == 0:
        return pl.DataFrame(schema=PLACEMENT_SCHEMA)
    near = pl.concat(
        [
            _nearest(floating.filter("wall"), learned, "start_time_local"),
            _nearest(floating.filter(~pl.col("wall")), learned, "start_time_utc"),
        ]
    )
    found = dict(near.iter_rows())
    common = _most_common(learned)
    rows: list[tuple[str, int, str]] = []
    for activity_id, athlete, wall, utc, local in floating.select(list(FLOATING_SCHEMA)).iter_rows():
        zone = zones.get(athlete)
        if activity_id in found:
            rows.append((activity_id, found[activity_id], OffsetSource.LEARNED.value))
        elif zone:
            rows.append(
                (activity_id, zone_offset(zone, local if wall else utc, wall=wall), OffsetSource.SETTINGS.value)
            )
        elif athlete in common:
            rows.append((activity_id, common[athlete], OffsetSource.LEARNED.value))
        else:
            rows.append((activity_id, 0, OffsetSource.ASSUMED_UTC.value))
    return pl.DataFrame(rows, schema=PLACEMENT_SCHEMA, orient="row").sort("activity_id")
