-- Helper views the product views share; users may query them too.

-- Sets that count as work: working, drop and failure sets of effective activities (warm-ups and rest rows left out).
-- has_reps is false for rows without repetitions (cardio machine rows, timed holds); exercise_progress and
-- personal_records use only rows with reps, muscle_group_weekly and resistance_days use them all.
CREATE OR REPLACE VIEW working_sets AS
SELECT
    a.athlete,
    s.activity_id,
    s.set_index,
    a.local_date,
    a.week_start,
    s.set_type,
    coalesce(s.exercise, s.exercise_category, s.exercise_name) AS exercise,
    s.exercise AS catalogue_exercise,
    s.exercise_category,
    s.exercise_name,
    s.reps,
    coalesce(s.weight_kg, 0.0) AS weight_kg,
    s.duration_s,
    s.rpe,
    coalesce(s.reps > 0, false) AS has_reps,
    coalesce(s.reps, 0) * coalesce(s.weight_kg, 0.0) AS volume_load_kg,
    CASE WHEN s.reps BETWEEN 1 AND 10 AND s.weight_kg > 0 THEN e1rm_epley(s.weight_kg, s.reps) END AS e1rm_kg,
    CASE WHEN s.reps BETWEEN 1 AND 10 AND s.weight_kg > 0 THEN e1rm_brzycki(s.weight_kg, s.reps) END
        AS e1rm_brzycki_kg
FROM strength_sets AS s
JOIN activities_effective AS a ON a.activity_id = s.activity_id
WHERE s.set_type IN ('working', 'drop', 'failure');

-- Every ISO week (Monday) from an athlete's first to last activity week, trained or not.
CREATE OR REPLACE VIEW athlete_weeks AS
SELECT
    athlete,
    CAST(unnest(generate_series(min(week_start), max(week_start), INTERVAL 7 DAY)) AS DATE) AS week_start
FROM activities_effective
GROUP BY athlete;

-- Every local day from an athlete's first to last activity day, trained or not.
CREATE OR REPLACE VIEW athlete_days AS
SELECT
    athlete,
    CAST(unnest(generate_series(min(local_date), max(local_date), INTERVAL 1 DAY)) AS DATE) AS day
FROM activities_effective
GROUP BY athlete;
