"""The example queries of docs/views.md run, as written, against a small history and give the answers worked
out by hand from it."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from fitbalance.store.views import apply_views
from tests.store.history import History, example_history

DOC = Path(__file__).resolve().parents[2] / "docs" / "views.md"


def example_queries() -> list[tuple[str, str]]:
    """(title, sql) of each example under the doc's 'Example queries' heading."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Example queries\n", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"^### (.+?)\n.*?```sql\n(.*?)```", section, flags=re.MULTILINE | re.DOTALL)
    return [(title.strip(), sql.strip()) for title, sql in found]


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tmp_path_factory.mktemp("examples") / "examples.duckdb"))
    apply_views(con)
    example_history(History(con))
    yield con
    con.close()


def test_the_doc_has_sixteen_examples() -> None:
    """docs/views.md promises sixteen example queries, each with a title and one SQL block."""
    queries = example_queries()
    assert len(queries) == 16, [t for t, _ in queries]
    assert all(sql.endswith(";") for _, sql in queries)


# ---- the answers, worked out from example_history (tests/store/history.py) ------------------------------------
#
# Ten weeks, w = 0..9, Mondays 2024-03-04 .. 2024-05-06 (2024-W10 .. 2024-W19): March holds w 0-3, April w 4-8
# (weeks starting 04-01 .. 04-29), May w 9. ana (born 1955: 69 in 2024, so HR_max = 208 - 0.7 x 69 = 159.7; rest 62;
# female) lifts Monday and Thursday (50 min, RPE 6): a 10 x 25 kg warm-up, 3 x 5 bench press at 50 + 2.5 min(w, 5),
# 3 x 8 squats at 60 + w; walks Tuesday and Saturday (45 min, a heart-rate sample every 10 s, 270 of them,
# 95 + 2w + i % 20 bpm); a 30-minute balance class on Wednesday. ben (max 192, rest 50, male) runs Monday,
# Wednesday, Friday (35 + 2w min, average heart rate 150 + w), and lifts Tuesday (60 min, no RPE): 3 pull-ups of
# 8 + w // 3 reps, 3 x 5 deadlifts at 120 + 5 (w % 4) kg, 2 x 10 x 30 kg of "Landmine Press", which no catalogue
# entry names. The catalogue: Bench Press (chest; triceps, front_delts), Squat (quadriceps, glutes; hamstrings),
# Deadlift (hamstrings, glutes; lower_back), Pull Up (lats; biceps).


@dataclass(frozen=True)
class Rounded:
    """A figure the query rounds to ``digits`` decimals: equal to what rounds from ``value``."""

    value: float
    digits: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, int | float) and abs(other - self.value) <= 0.5 * 10**-self.digits + 1e-9

    def __hash__(self) -> int:
        return hash(round(self.value, self.digits))

    def __repr__(self) -> str:
        return f"{self.value:.{self.digits + 2}f} (to {self.digits} decimals)"


MONDAY = date(2024, 3, 4)
TUESDAY_9, THURSDAY_9 = MONDAY + timedelta(weeks=9, days=1), MONDAY + timedelta(weeks=9, days=3)
WEEKS = range(10)
ANA_MAX, ANA_REST, BEN_MAX, BEN_REST = 208 - 0.7 * (2024 - 1955), 62.0, 192.0, 50.0


def _x(hr: float, rest: float, top: float) -> float:
    """Heart-rate reserve fraction, clamped to 0..1."""
    return min(1.0, max(0.0, (hr - rest) / (top - rest)))


def _trimp(x: float, sex: str) -> float:
    k, b = (0.64, 1.92) if sex == "male" else (0.86, 1.67)
    return x * k * math.exp(b * x)


def _walk_intervals(w: int) -> list[float]:
    """ana's walk of week w: the heart-rate reserve fraction of each 10-s interval (the last sample adds none)."""
    return [_x(95 + 2 * w + i % 20, ANA_REST, ANA_MAX) for i in range(269)]


def _walk_who_minutes(w: int) -> float:
    """WHO minutes of one walk: its 45 minutes shared out as its heart-rate time; vigorous minutes count twice."""
    xs = _walk_intervals(w)
    moderate = sum(0.4 <= x < 0.6 for x in xs) / len(xs) * 45
    vigorous = sum(x >= 0.6 for x in xs) / len(xs) * 45
    return moderate + 2 * vigorous


def _daily_loads() -> dict[str, dict[date, float]]:
    """Each athlete's training load per day, from the first to the last activity day (zero on rest days)."""
    loads: dict[str, dict[date, float]] = {"ana": {}, "ben": {}}
    for w in WEEKS:
        monday = MONDAY + timedelta(weeks=w)
        ana = loads["ana"]
        for offset in (0, 3):  # lifting, session RPE 6: x = (6 - 1) / 10
            ana[monday + timedelta(days=offset)] = 50 * _trimp(0.5, "female")
        for offset in (1, 5):  # walks: minutes x the mean TRIMP weight over the heart-rate time
            xs = _walk_intervals(w)
            ana[monday + timedelta(days=offset)] = 45 * sum(_trimp(x, "female") for x in xs) / len(xs)
        ana[monday + timedelta(days=2)] = 30 * _trimp(0.3, "female")  # balance class: light, x = 0.3
        ben = loads["ben"]
        for offset in (0, 2, 4):  # runs: the average heart rate stands for every minute
            ben[monday + timedelta(days=offset)] = (35 + 2 * w) * _trimp(_x(150 + w, BEN_REST, BEN_MAX), "male")
        ben[monday + timedelta(days=1)] = 60 * _trimp(0.4, "male")  # lifting without RPE: RPE 5, x = 0.4
    for days in loads.values():
        first, last = min(days), max(days)
        for n in range((last - first).days + 1):
            days.setdefault(first + timedelta(days=n), 0.0)
    return {name: dict(sorted(days.items())) for name, days in loads.items()}


def _load_reason(top: int, range_text: str) -> str:
    return f"every work set reached {top} reps, the top of the range ({range_text})"


def _band(ratio: float) -> str:
    return "low" if ratio < 0.8 else "sweet_spot" if ratio <= 1.3 else "caution" if ratio <= 1.5 else "high_risk"


def _acwr(days: dict[date, float]) -> dict[date, tuple[float, float, float, float]]:
    """Per day: acute and chronic EWMA (lambda 2/8 and 2/29, from 0), their ratio, and the rolling 7/28-day ratio."""
    acute = chronic = 0.0
    loads = list(days.values())
    out = {}
    for n, (day, load) in enumerate(days.items()):
        acute = 0.25 * load + 0.75 * acute
        chronic = 2 / 29 * load + 27 / 29 * chronic
        rolling = (sum(loads[max(0, n - 6) : n + 1]) / 7) / (sum(loads[max(0, n - 27) : n + 1]) / 28)
        out[day] = (acute, chronic, acute / chronic, rolling)
    return out


def _e1rm(kg: float, reps: int) -> float:
    return kg * (1 + reps / 30)


def _weekly_loads(days: dict[date, float], weeks: range) -> list[tuple[object, ...]]:
    """Per week w: ISO week, load, Foster's monotony (mean / sample SD of the seven days) and strain (load x it)."""
    rows: list[tuple[object, ...]] = []
    for w in weeks:
        monday = MONDAY + timedelta(weeks=w)
        loads = [days.get(monday + timedelta(days=d), 0.0) for d in range(7)]
        monotony = statistics.mean(loads) / statistics.stdev(loads)
        rows.append(
            (f"2024-W{10 + w}", Rounded(sum(loads), 0), Rounded(monotony, 2), Rounded(sum(loads) * monotony, 0))
        )
    return rows


def expected_answers() -> dict[str, list[tuple[object, ...]]]:
    """Every example query's rows, by the number of its title, computed here from the history above."""
    bench = [50 + 2.5 * min(w, 5) for w in WEEKS]
    bench_e1rm = [_e1rm(kg, 5) for kg in bench]
    bench_vs_avg: list[float | None] = [None]  # vs the mean of the (up to) four trained weeks before
    for w in WEEKS[1:]:
        before = bench_e1rm[max(0, w - 4) : w]
        bench_vs_avg.append((bench_e1rm[w] / (sum(before) / len(before)) - 1) * 100)
    # progressing while >= 2.5 % above the previous week or the 4-week average: w 1-7; then 1.0 % and 0 %
    bench_status = ["new"] + ["progressing"] * 7 + ["holding"] * 2
    assert [round(v, 1) for v in bench_vs_avg[1:]] == [5.0, 7.3, 9.5, 11.6, 11.1, 6.4, 3.1, 1.0, 0.0]

    loads = _daily_loads()
    acwr = {name: _acwr(days) for name, days in loads.items()}
    last = {name: max(days) for name, days in loads.items()}
    bands = {name: Counter(_band(ratio) for _, _, ratio, _ in by_day.values()) for name, by_day in acwr.items()}

    ana_minutes = [(2 * 50, 2 * 45, 30) for _ in WEEKS]  # resistance, endurance (walks), balance, per week
    ben_minutes = [(60, 3 * (35 + 2 * w), 0) for w in WEEKS]
    months = {3: range(0, 4), 4: range(4, 9), 5: range(9, 10)}  # weeks by the month of their Monday

    def by_month(name: str, weekly: list[tuple[int, int, int]]) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        for month, ws in months.items():
            res, end, rest = (sum(weekly[w][i] for w in ws) for i in range(3))
            rows.append((name, datetime(2024, month, 1), res, end, rest, Rounded(res / (res + end + rest), 2)))
        return rows

    return {
        # w 9: ana lifts on 2 days, walks 2 x 45 + balance 30 = 120 min, WHO minutes from her heart rate (142.5);
        # ben lifts on 1 day, runs 3 x 53 = 159 min, all vigorous ((159 - 50) / 142 = 0.77 of reserve): 318
        "1": [
            ("ana", "2024-W19", 2, 120, Rounded(2 * _walk_who_minutes(9), 0), False, True, False),
            ("ben", "2024-W19", 1, 159, 2 * 159, True, False, False),
        ],
        # ten weeks; ana's walks never reach 150 WHO minutes (the highest is week 9's), ben's runs always do
        "2": [("ana", 10, sum(2 * _walk_who_minutes(w) >= 150 for w in WEEKS), 10, 0), ("ben", 10, 10, 0, 0)],
        "3": by_month("ana", ana_minutes) + by_month("ben", ben_minutes),
        # only the unmapped press, the same 10 x 30 kg every week: stalled nine weeks after its first
        "4": [("ben", "Landmine Press", MONDAY + timedelta(weeks=9), "stalled", 9, Rounded(_e1rm(30, 10), 1), 0.0)],
        "5": [
            (MONDAY + timedelta(weeks=w), 6, bench[w], Rounded(bench_e1rm[w], 1), vs_avg, bench_status[w])
            for w, vs_avg in zip(WEEKS, [None, *(Rounded(v, 1) for v in bench_vs_avg[1:])], strict=True)
        ],
        # every record is within 90 days of the last activity (2024-05-11); each dated the first time it was set
        "6": [
            ("ana", "Bench Press", Rounded(_e1rm(62.5, 5), 1), MONDAY + timedelta(weeks=5), 62.5, 5, 5),
            ("ana", "Squat", Rounded(_e1rm(69, 8), 1), MONDAY + timedelta(weeks=9), 69.0, 8, 8),
            ("ben", "Deadlift", Rounded(_e1rm(135, 5), 1), MONDAY + timedelta(weeks=3, days=1), 135.0, 5, 5),
            ("ben", "Landmine Press", Rounded(_e1rm(30, 10), 1), MONDAY + timedelta(days=1), 30.0, 10, 10),
            ("ben", "Pull Up", None, None, None, None, 8 + 9 // 3),
        ],
        # a week of ana: 6 bench sets (chest 6, triceps and front_delts 3 each) and 6 squat sets (quadriceps and
        # glutes 6, hamstrings 3); of ben: 3 pull-ups (lats 3, biceps 1.5) and 3 deadlifts (hamstrings and glutes
        # 3, lower_back 1.5); the press counts for no muscle. Every group is under 10 sets a week.
        "7": [
            ("ana", "biceps", 0.0),
            ("ana", "lats", 0.0),
            ("ana", "lower_back", 0.0),
            ("ana", "front_delts", 3.0),
            ("ana", "hamstrings", 3.0),
            ("ana", "triceps", 3.0),
            ("ana", "chest", 6.0),
            ("ana", "glutes", 6.0),
            ("ana", "quadriceps", 6.0),
            ("ben", "chest", 0.0),
            ("ben", "front_delts", 0.0),
            ("ben", "quadriceps", 0.0),
            ("ben", "triceps", 0.0),
            ("ben", "biceps", 1.5),
            ("ben", "lower_back", 1.5),
            ("ben", "glutes", 3.0),
            ("ben", "hamstrings", 3.0),
            ("ben", "lats", 3.0),
        ],
        "8": [
            (
                name,
                last[name],
                Rounded(acute, 1),
                Rounded(chronic, 1),
                Rounded(ratio, 2),
                _band(ratio),
                Rounded(rolling, 2),
            )
            for name in ("ana", "ben")
            for acute, chronic, ratio, rolling in [acwr[name][last[name]]]
        ],
        # every day of both histories is within 90 days of the last (2024-05-11)
        "9": [(name, band, days) for name in ("ana", "ben") for band, days in bands[name].most_common()],
        "10": [("Landmine Press", None, 2 * 10, 10, MONDAY + timedelta(days=1), MONDAY + timedelta(weeks=9, days=1))],
        # the last 6 weeks hold w 4-9; no progression settings: the rep ranges are inferred from them (bench 5-5,
        # squats 8-8, deadlifts 5-5, the press 10-10, pull-ups of 9, 10 and 11 reps: 9-11) and the defaults apply.
        # Every work set of the last session reached the top, so load goes on (+2.5 kg; the pull-ups, without
        # load, get 2.5 kg at the bottom of 9-11), except for the press: 9 weeks without a gain, 30 kg -> 27 kg
        "11": [
            ("ana", "Bench Press", THURSDAY_9, 62.5, 65.0, "kg", 5, "increase_load", _load_reason(5, "5")),
            ("ana", "Squat", THURSDAY_9, 69.0, 71.5, "kg", 8, "increase_load", _load_reason(8, "8")),
            ("ben", "Deadlift", TUESDAY_9, 125.0, 127.5, "kg", 5, "increase_load", _load_reason(5, "5")),
            (
                "ben",
                "Landmine Press",
                TUESDAY_9,
                30.0,
                27.0,
                "kg",
                10,
                "deload",
                "9 trained weeks without a gain (deload after 5): 10 % lighter for a week",
            ),
            (
                "ben",
                "Pull Up",
                TUESDAY_9,
                0.0,
                2.5,
                "kg",
                9,
                "increase_load",
                _load_reason(11, "9-11") + "; bodyweight: reps first, then load",
            ),
        ],
        # the four weeks w 6-9, from the same daily loads as example 8
        "12": [(name, *row) for name in ("ana", "ben") for row in _weekly_loads(loads[name], range(6, 10))],
        **target_answers(),
    }


def target_answers() -> dict[str, list[tuple[object, ...]]]:
    """The answers of the examples on weekly_targets and strength_balance_weekly (13-16).

    The clock is the last activity day, Saturday 2024-05-11: week 9 has 2 days left. Both athletes have the default
    targets. ana (69) in week 9: 142.5 WHO minutes of 150, lifting on 2 days, 3 multicomponent days (2 lifting, 1
    balance class); her sets (chest 6, glutes 6, triceps 3, hamstrings 3) are under every muscle's 10, but chest,
    triceps, glutes and hamstrings got a set's worth on both lifting days: 6 of her 27 targets met. ben (36): 318 WHO
    minutes, 1 lifting day; lats, biceps, glutes and hamstrings on that one day only: 1 of 26 met. Patterns: bench
    press pushes, pull-ups pull, squats and deadlifts are lower body; the unmapped press has none.
    """
    who_ana = 2 * _walk_who_minutes(9)
    months = {3: 4, 4: 5, 5: 1}  # weeks by the month of their Monday
    return {
        "13": [
            ("ana", "aerobic_minutes", Rounded(who_ana, 0), 150.0, Rounded(150 - who_ana, 0), 2, "in_progress"),
            ("ana", "multicomponent_days", 3.0, 3.0, 0.0, 2, "met"),
            ("ana", "strength_days", 2.0, 2.0, 0.0, 2, "met"),
            ("ben", "aerobic_minutes", 318.0, 150.0, 0.0, 2, "met"),
            ("ben", "strength_days", 1.0, 2.0, 1.0, 2, "in_progress"),
        ],
        "14": [("ana", 6, 27), ("ben", 1, 26)],
        "15": [("ana", datetime(2024, m, 1), 6 * n, 0, None) for m, n in months.items()]
        + [("ben", datetime(2024, m, 1), 0, 3 * n, 0.0) for m, n in months.items()],
        "16": [("ana", "push_heavy", None, 10), ("ben", "pull_heavy", None, 10)],
    }


@pytest.mark.parametrize(("title", "sql"), example_queries(), ids=[t for t, _ in example_queries()])
def test_example_query_gives_the_answer_worked_out_by_hand(
    example_db: duckdb.DuckDBPyConnection, title: str, sql: str
) -> None:
    """Each example runs unchanged and returns exactly the rows worked out from the example history (above)."""
    rows = example_db.execute(sql).fetchall()
    assert rows == expected_answers()[title.split(".", 1)[0]]


def test_the_hand_worked_answers_are_not_empty() -> None:
    """A check of the check: every example has rows to compare, and the ACWR bands cover every day."""
    answers = expected_answers()
    assert sorted(answers, key=int) == [str(n) for n in range(1, 17)]
    assert all(answers.values())
    assert sum(days for name, _, days in answers["9"] if name == "ana") == (date(2024, 5, 11) - MONDAY).days + 1
