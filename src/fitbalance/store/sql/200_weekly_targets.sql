-- Weekly targets: what each week held against the athlete's own targets, and what is still left this week.
-- docs/views.md documents the columns and the sources of the default targets (fitbalance/targets.py).

-- Each athlete's "today" at a clock: the athlete's local date. clock is either a DATE (that local date, for every
-- athlete) or an instant (a TIMESTAMPTZ such as now()): its date in the athlete's time_zone setting, else at the UTC
-- offset of the athlete's latest activity (the watch knows where they were), else in UTC. today_from says which.
-- Athletes: those of the athletes table (the settings file) and those with activities.
CREATE OR REPLACE MACRO athlete_today(clock) AS TABLE
WITH people AS (
    SELECT athlete FROM athletes
    UNION
    SELECT athlete FROM activities WHERE duplicate_of IS NULL
),
latest AS (
    SELECT athlete, arg_max(utc_offset_s, start_time_utc) AS utc_offset_s
    FROM activities
    WHERE duplicate_of IS NULL
    GROUP BY athlete
)
SELECT
    p.athlete,
    CASE
        WHEN typeof(clock) = 'DATE' THEN CAST(clock AS DATE)
        WHEN ath.time_zone IS NOT NULL THEN CAST(timezone(ath.time_zone, CAST(clock AS TIMESTAMPTZ)) AS DATE)
        ELSE CAST(
            timezone('UTC', CAST(clock AS TIMESTAMPTZ)) + to_seconds(coalesce(l.utc_offset_s, 0)) AS DATE
        )
    END AS today,
    CASE
        WHEN typeof(clock) = 'DATE' THEN 'given'
        WHEN ath.time_zone IS NOT NULL THEN 'time_zone'
        WHEN l.utc_offset_s IS NOT NULL THEN 'latest_activity'
        ELSE 'utc'
    END AS today_from
FROM people AS p
LEFT JOIN athletes AS ath ON ath.athlete = p.athlete
LEFT JOIN latest AS l ON l.athlete = p.athlete;

-- One row per athlete, ISO week and target, from the athlete's first activity week to the later of their last week
-- and the week holding today (so the current week is there from Monday on, before anything is logged, with
-- everything still to do). Targets: the athlete's rows of athlete_targets (the settings file), else target_defaults.
-- actual is weekly_balance's who_aerobic_minutes, resistance_days or multicomponent_days, or muscle_group_weekly's
-- sets for the week (0 in a week those views have no row for), or, for muscle_days, the days of the week on which
-- the group got at least one set's worth (a primary set counts 1, a secondary one 0.5, as muscle_group_weekly counts).
-- A target with from_age (WHO's multicomponent days, 65) applies in the weeks where weekly_balance's age (ISO year
-- of the week - birth year) reaches it; never when the birth year is unknown.
CREATE OR REPLACE MACRO weekly_targets_at(clock) AS TABLE
WITH today AS (
    SELECT athlete, today, CAST(date_trunc('week', today) AS DATE) AS this_week
    FROM athlete_today(clock)
),
history AS (
    SELECT athlete, min(week_start) AS first_week, max(week_start) AS last_week
    FROM athlete_weeks
    GROUP BY athlete
),
weeks AS (
    SELECT
        t.athlete,
        t.today,
        CAST(unnest(generate_series(
            coalesce(h.first_week, t.this_week),
            greatest(coalesce(h.last_week, t.this_week), t.this_week),
            INTERVAL 7 DAY
        )) AS DATE) AS week_start
    FROM today AS t
    LEFT JOIN history AS h ON h.athlete = t.athlete
),
chosen AS (
    SELECT athlete, target, muscle_group, low, high, from_age
    FROM athlete_targets
    UNION ALL
    SELECT t.athlete, d.target, d.muscle_group, d.low, d.high, d.from_age
    FROM today AS t
    CROSS JOIN target_defaults AS d
    WHERE t.athlete NOT IN (SELECT athlete FROM athlete_targets)
),
muscle_hits AS (
    SELECT athlete, week_start, local_date, unnest(primary_muscles) AS muscle_group, 1.0 AS sets
    FROM working_sets
    WHERE is_resistance
    UNION ALL
    SELECT athlete, week_start, local_date, unnest(secondary_muscles) AS muscle_group, 0.5 AS sets
    FROM working_sets
    WHERE is_resistance
),
muscle_days AS (
    SELECT athlete, week_start, muscle_group, count(*) AS days
    FROM (
        SELECT athlete, week_start, local_date, muscle_group
        FROM muscle_hits
        GROUP BY athlete, week_start, local_date, muscle_group
        HAVING sum(sets) >= 1
    ) AS trained
    GROUP BY athlete, week_start, muscle_group
),
measured AS (
    SELECT
        w.athlete,
        w.week_start,
        w.today,
        c.target,
        c.muscle_group,
        c.low,
        c.high,
        CAST(CASE c.target
            WHEN 'aerobic_minutes' THEN coalesce(b.who_aerobic_minutes, 0)
            WHEN 'strength_days' THEN coalesce(b.resistance_days, 0)
            WHEN 'multicomponent_days' THEN coalesce(b.multicomponent_days, 0)
            WHEN 'muscle_sets' THEN coalesce(m.sets, 0)
            WHEN 'muscle_days' THEN coalesce(d.days, 0)
        END AS DOUBLE) AS actual
    FROM weeks AS w
    JOIN chosen AS c ON c.athlete = w.athlete
    LEFT JOIN athletes AS ath ON ath.athlete = w.athlete
    LEFT JOIN weekly_balance AS b ON b.athlete = w.athlete AND b.week_start = w.week_start
    -- equality joins only (a muscle target matches its group's row; the others have no group and match none)
    LEFT JOIN muscle_group_weekly AS m
        ON m.athlete = w.athlete AND m.week_start = w.week_start AND m.muscle_group = c.muscle_group
    LEFT JOIN muscle_days AS d
        ON d.athlete = w.athlete AND d.week_start = w.week_start AND d.muscle_group = c.muscle_group
    WHERE c.from_age IS NULL OR isoyear(w.week_start) - ath.birth_year >= c.from_age
),
timed AS (
    SELECT
        *,
        CAST(greatest(0, least(7, date_diff('day', today, week_start + 7))) AS INTEGER) AS days_left
    FROM measured
)
SELECT
    athlete,
    week_start,
    CASE WHEN muscle_group IS NULL THEN target ELSE target || ':' || muscle_group END AS target,
    actual,
    low,
    high,
    greatest(0.0, low - actual) AS remaining,
    days_left,
    CASE
        WHEN actual > high THEN 'above'
        WHEN actual >= low THEN 'met'
        WHEN days_left > 0 THEN 'in_progress'
        ELSE 'below'
    END AS status
FROM timed;

-- The same rows at the wall clock: "today" is each athlete's local date now (see athlete_today). A program that
-- needs another day, or a test, calls weekly_targets_at(DATE '2025-03-05') or weekly_targets_at(<an instant>).
CREATE OR REPLACE VIEW weekly_targets AS
SELECT * FROM weekly_targets_at(now());
