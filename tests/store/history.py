"""A small builder of training histories for the view tests: rows go into the tables by SQL parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from fitbalance.patterns import PATTERNS
from fitbalance.store.views import refresh_derived


@dataclass
class History:
    """Writes athletes, exercises, activities, sets and heart-rate samples into ``con``."""

    con: duckdb.DuckDBPyConnection
    _activities: int = 0
    _sets: dict[str, int] = field(default_factory=dict)

    def athlete(
        self,
        name: str = "me",
        *,
        birth_year: int | None = None,
        max_hr: float | None = None,
        resting_hr: float | None = None,
        sex: str | None = None,
    ) -> None:
        self.con.execute(
            "INSERT INTO athletes VALUES (?, 'UTC', ?, ?, ?, ?, 'metric')",
            [name, birth_year, max_hr, resting_hr, sex],
        )

    def exercise(
        self,
        exercise: str,
        *,
        fit_category: str | None = None,
        primary: Sequence[str] = (),
        secondary: Sequence[str] = (),
        bodyweight: bool = False,
        kind: str = "resistance",
    ) -> None:
        self.con.execute(
            "INSERT INTO exercises (exercise, fit_category, primary_muscles, secondary_muscles, bodyweight, kind) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [exercise, fit_category, list(primary), list(secondary), bodyweight, kind],
        )

    def pattern(self, exercise: str, pattern: str) -> None:
        """Give a catalogue exercise its movement pattern (``fitbalance.patterns.PATTERNS``)."""
        known = PATTERNS[pattern]
        self.con.execute(
            "INSERT INTO exercise_patterns VALUES (?, ?, ?, ?)", [exercise, pattern, known.direction, known.region]
        )

    def activity(
        self,
        start_local: str,
        *,
        athlete: str = "me",
        category: str = "other",
        subcategory: str = "endurance",
        minutes: float | None = 60.0,
        moving_minutes: float | None = None,
        sport: str | None = None,
        distance_m: float | None = None,
        avg_hr: float | None = None,
        rpe: float | None = None,
        utc_offset_s: int = 0,
        duplicate_of: str | None = None,
        activity_id: str | None = None,
        source_format: str = "fit",
    ) -> str:
        """Add an activity starting at ``start_local`` (local time, 'YYYY-MM-DD HH:MM'); returns its id."""
        self._activities += 1
        ident = activity_id or f"act-{self._activities:03d}"
        local = datetime.fromisoformat(start_local)
        self.con.execute(
            """
            INSERT INTO activities (
                activity_id, file_id, athlete, source_format, session_index, sport, start_time_utc,
                utc_offset_s, start_time_local, elapsed_s, moving_s, distance_m, avg_hr, rpe, category,
                subcategory, classification_reason, classification_confidence, duplicate_of
            ) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test', 1.0, ?)
            """,
            [
                ident,
                f"file-{ident}",
                athlete,
                source_format,
                sport,
                local - timedelta(seconds=utc_offset_s),
                utc_offset_s,
                local,
                None if minutes is None else minutes * 60,
                None if moving_minutes is None else moving_minutes * 60,
                distance_m,
                avg_hr,
                rpe,
                category,
                subcategory,
                duplicate_of,
            ],
        )
        return ident

    def lift(
        self,
        activity_id: str,
        exercise: str | None,
        reps: int | None,
        weight_kg: float | None,
        *,
        set_type: str = "working",
        times: int = 1,
        exercise_name: str | None = None,
        exercise_category: str | None = None,
        duration_s: float | None = None,
    ) -> None:
        """Add ``times`` identical sets to an activity."""
        for _ in range(times):
            index = self._sets.get(activity_id, 0)
            self._sets[activity_id] = index + 1
            self.con.execute(
                """
                INSERT INTO strength_sets (
                    activity_id, set_index, set_type, exercise_category, exercise_name, exercise, reps,
                    weight_kg, duration_s
                ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    activity_id,
                    index,
                    set_type,
                    exercise_category,
                    exercise_name or exercise,
                    exercise,
                    reps,
                    weight_kg,
                    duration_s,
                ],
            )

    def heart_rate(self, activity_id: str, start_utc: str, rates: Sequence[int | None], step_s: float = 10) -> None:
        """Add one heart-rate sample every ``step_s`` seconds from ``start_utc``."""
        self.samples(activity_id, start_utc, [(i * step_s, hr) for i, hr in enumerate(rates)])

    def samples(self, activity_id: str, start_utc: str, points: Sequence[tuple[float, int | None]]) -> None:
        """Add samples at (seconds after ``start_utc``, heart rate)."""
        start = datetime.fromisoformat(start_utc)
        self.con.execute(
            "INSERT INTO samples (activity_id, timestamp_utc, heart_rate) "
            "SELECT ?, unnest(CAST(? AS TIMESTAMP[])), unnest(CAST(? AS INTEGER[]))",
            [activity_id, [start + timedelta(seconds=t) for t, _ in points], [hr for _, hr in points]],
        )

    def refresh(self) -> None:
        refresh_derived(self.con)

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a query; each row as a dict by column name."""
        result = self.con.execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> dict[str, Any]:
        rows = self.rows(sql, params)
        assert len(rows) == 1, rows
        return rows[0]


def example_history(history: History) -> None:
    """Ten weeks of two athletes, enough for every example query in docs/views.md to find rows.

    ana (born 1955): lifts Monday and Thursday (bench press progresses for six weeks, then stalls), walks
    Tuesday and Saturday with heart-rate samples, balance class Wednesday. ben: runs Monday, Wednesday and
    Friday (average heart rate only), lifts Tuesday with pull-ups, deadlifts and an exercise the catalogue
    does not know.
    """
    history.athlete("ana", birth_year=1955, resting_hr=62, sex="female")
    history.athlete("ben", birth_year=1988, max_hr=192, resting_hr=50, sex="male")
    history.exercise("Bench Press", fit_category="bench_press", primary=["chest"], secondary=["triceps", "front_delts"])
    history.exercise("Squat", fit_category="squat", primary=["quadriceps", "glutes"], secondary=["hamstrings"])
    history.exercise("Deadlift", fit_category="deadlift", primary=["hamstrings", "glutes"], secondary=["lower_back"])
    history.exercise("Pull Up", fit_category="pull_up", primary=["lats"], secondary=["biceps"], bodyweight=True)
    for exercise, pattern in [
        ("Bench Press", "horizontal_push"),
        ("Squat", "squat"),
        ("Deadlift", "hinge"),
        ("Pull Up", "vertical_pull"),
    ]:
        history.pattern(exercise, pattern)
    monday = date(2024, 3, 4)
    for w in range(10):

        def day(offset: int, at: str, w: int = w) -> str:
            return f"{monday + timedelta(days=7 * w + offset)} {at}"

        bench = 50 + 2.5 * min(w, 5)
        for offset in (0, 3):
            lift = history.activity(
                day(offset, "18:00"),
                athlete="ana",
                category="resistance",
                subcategory="strength",
                minutes=50,
                rpe=6.0,
            )
            history.lift(lift, "Bench Press", 10, 25.0, set_type="warmup")
            history.lift(lift, "Bench Press", 5, bench, times=3)
            history.lift(lift, "Squat", 8, 60.0 + w, times=3)
        for offset in (1, 5):
            walk = history.activity(day(offset, "09:00"), athlete="ana", minutes=45, sport="walking", distance_m=4500.0)
            history.heart_rate(walk, day(offset, "09:00"), [95 + (i % 20) + 2 * w for i in range(270)])
        history.activity(day(2, "10:00"), athlete="ana", subcategory="balance", minutes=30)

        for offset in (0, 2, 4):
            history.activity(
                day(offset, "07:00"),
                athlete="ben",
                minutes=35 + 2 * w,
                sport="running",
                distance_m=8000.0,
                avg_hr=150.0 + w,
            )
        lift = history.activity(
            day(1, "19:00"), athlete="ben", category="resistance", subcategory="strength", minutes=60
        )
        history.lift(lift, "Pull Up", 8 + w // 3, 0.0, times=3)
        history.lift(lift, "Deadlift", 5, 120.0 + 5 * (w % 4), times=3)
        history.lift(lift, None, 10, 30.0, times=2, exercise_name="Landmine Press")
    history.refresh()
