-- Helper views the product views share; users may query them too.

-- Whose sets count for each session that counts. When the same session arrived twice (activities.duplicate_of, see
-- fitbalance/dedupe.py), the watch's row counts for timing and heart rate but a lifting app's named sets and weights
-- win: a session's sets come from itself when it is a lifting-app workout with sets, else from its lifting-app
-- duplicates that have sets (Hevy, Strong, FitNotes: contracts.LIFTING_APPS), else from itself.
-- activity_id: the session (a row of activities_effective); source_activity_id: the activity whose strength_sets
-- rows count for it (the same id, or one of its duplicates).
CREATE OR REPLACE VIEW set_sources AS
WITH with_sets AS (
    SELECT DISTINCT activity_id FROM strength_sets WHERE is_exercise_row(set_type)
),
members AS (
    SELECT
        coalesce(a.duplicate_of, a.activity_id) AS session_id,
        a.activity_id,
        a.duplicate_of IS NULL AS is_primary,
        is_lifting_app(a.source_format) AND w.activity_id IS NOT NULL AS app_with_sets
    FROM activities AS a
    LEFT JOIN with_sets AS w ON w.activity_id = a.activity_id
),
sessions AS (
    SELECT
        *,
        bool_or(is_primary AND app_with_sets) OVER (PARTITION BY session_id) AS primary_is_app,
        bool_or(app_with_sets) OVER (PARTITION BY session_id) AS any_app
    FROM members
)
SELECT session_id AS activity_id, activity_id AS source_activity_id
FROM sessions
WHERE CASE
    WHEN primary_is_app OR NOT any_app THEN is_primary
    ELSE app_with_sets
END;

-- Sets that count as work: working, drop and failure sets of effective activities (warm-ups and rest rows left out;
-- when a session arrived twice, the sets set_sources picks: a lifting app's over the watch's),
-- with the exercise they were matched to in the `exercises` catalogue: by strength_sets.exercise, else (unmapped
-- sets) by the catalogue entry whose fit_category is the set's exercise_category (the entry named like the category
-- first, e.g. 'Bench Press' for bench_press, else the first by name).
-- is_resistance: the catalogue's kind is 'resistance', or the set matched no catalogue entry (a set in a set list is
-- taken for lifting until the user maps it). Cardio rows (a treadmill run logged in a lifting app) and mobility work
-- (warm-up, stretching) are kept here with is_resistance false, and no product view counts them.
-- e1rm_kg / e1rm_brzycki_kg: sets with reps and load; a set of more than 10 reps counts as 10 (e1rm_reps).
-- rir: reps in reserve, 10 - RPE where the app logged an RPE; e1rm_rir_kg: w x (1 + (reps + rir) / 30), null without.
-- has_reps is false for rows without repetitions (timed holds, cardio rows): exercise_progress and personal_records
-- use only rows with reps; muscle_group_weekly and resistance_days count resistance sets with or without reps.
-- weight_kg: the load, 0 for bodyweight (a set with no load written); null while its unit waits for the athlete's
-- weight_unit (weight_waiting, see waiting_values): such a set counts as a set, but has no volume and no e1RM.
CREATE OR REPLACE VIEW working_sets AS
WITH by_category AS (
    SELECT
        fit_category,
        first(exercise ORDER BY lower(replace(exercise, ' ', '_')) = lower(fit_category) DESC, exercise) AS exercise
    FROM exercises
    WHERE fit_category IS NOT NULL
    GROUP BY fit_category
),
waiting AS (
    SELECT DISTINCT activity_id, line
    FROM repairs
    WHERE rule = 'unit_unknown' AND table_name = 'strength_sets' AND column_name = 'weight_kg'
),
matched AS (
    SELECT
        s.* REPLACE (CASE WHEN w.activity_id IS NULL THEN coalesce(s.weight_kg, 0.0) END AS weight_kg),
        w.activity_id IS NOT NULL AS weight_waiting,
        coalesce(named.exercise, by_category.exercise) AS catalogue_match
    FROM strength_sets AS s
    LEFT JOIN exercises AS named ON named.exercise = s.exercise
    LEFT JOIN by_category ON lower(by_category.fit_category) = lower(s.exercise_category)
    LEFT JOIN waiting AS w ON w.activity_id = s.activity_id AND w.line = s.source_line
    WHERE is_counted_set(s.set_type)
)
SELECT
    a.athlete,
    a.activity_id,
    s.activity_id AS source_activity_id,
    s.set_index,
    a.local_date,
    a.week_start,
    s.set_type,
    coalesce(s.exercise, s.exercise_category, s.exercise_name) AS exercise,
    s.exercise AS catalogue_exercise,
    s.exercise_category,
    s.exercise_name,
    s.reps,
    s.weight_kg,
    s.duration_s,
    s.distance_m,
    s.rpe,
    coalesce(s.reps > 0, false) AS has_reps,
    coalesce(s.reps, 0) * s.weight_kg AS volume_load_kg,
    CASE WHEN s.reps >= 1 AND s.weight_kg > 0 THEN e1rm_epley(s.weight_kg, e1rm_reps(s.reps)) END AS e1rm_kg,
    CASE WHEN s.reps >= 1 AND s.weight_kg > 0 THEN e1rm_brzycki(s.weight_kg, e1rm_reps(s.reps)) END
        AS e1rm_brzycki_kg,
    s.catalogue_match,
    c.kind,
    coalesce(c.kind, 'resistance') = 'resistance' AS is_resistance,
    list_distinct(c.primary_muscles) AS primary_muscles,
    list_filter(
        list_distinct(c.secondary_muscles), lambda m: NOT list_contains(coalesce(c.primary_muscles, []), m)
    ) AS secondary_muscles,
    CASE WHEN s.rpe > 0 THEN 10 - s.rpe END AS rir,
    CASE WHEN s.rpe > 0 AND s.reps >= 1 AND s.weight_kg > 0 THEN e1rm_rir(s.weight_kg, s.reps, 10 - s.rpe) END
        AS e1rm_rir_kg,
    c.equipment,
    coalesce(c.bodyweight, false) AS is_bodyweight_exercise,
    s.weight_waiting
FROM matched AS s
JOIN set_sources AS src ON src.source_activity_id = s.activity_id
JOIN activities_effective AS a ON a.activity_id = src.activity_id
LEFT JOIN exercises AS c ON c.exercise = s.catalogue_match;

-- Every ISO week (Monday) from an athlete's first activity week to the last week an activity reaches, trained or not.
CREATE OR REPLACE VIEW athlete_weeks AS
SELECT
    athlete,
    CAST(unnest(generate_series(
        min(week_start),
        greatest(max(week_start), CAST(date_trunc('week', max(end_time_local) - INTERVAL 1 MICROSECOND) AS DATE)),
        INTERVAL 7 DAY
    )) AS DATE) AS week_start
FROM activities_effective
GROUP BY athlete;

-- Every local day from an athlete's first to last activity day, trained or not.
CREATE OR REPLACE VIEW athlete_days AS
SELECT
    athlete,
    CAST(unnest(generate_series(min(local_date), max(local_date), INTERVAL 1 DAY)) AS DATE) AS day
FROM activities_effective
GROUP BY athlete;
