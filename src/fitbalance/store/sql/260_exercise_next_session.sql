-- What to lift next time: one row per athlete and exercise trained in the athlete's last 6 weeks (the 42 days up to
-- the athlete's latest activity, so an old export still gets a plan), with the weight and reps of the next session.
--
-- The work sets of a session are its resistance working and failure sets with reps at the session's heaviest weight
-- for the exercise (warm-ups, drop sets and lighter back-off sets are not judged). The last session is the latest.
--
-- Settings (progression_settings, from [athletes.NAME.progression]): an exercise's own row first, then the increment
-- of its catalogue equipment, then the athlete's row, then the defaults (2.5 kg, or 5 lb for imperial athletes; a
-- 10 % deload after 5 weeks; a load step of 0.5 kg or 1 lb). Without a rep range set anywhere, the range is inferred
-- from the exercise's work sets of the last 6 weeks: from their 10th to their 90th percentile of reps (one failed or
-- one bonus set does not move it; a lifter who always does fives gets 5-5).
--
-- action, the first that applies:
--   deload         weeks_without_gain (exercise_progress, last trained week) >= deload_after_weeks and that week was
--                  not a deload already: the last weight x (1 - deload_pct / 100); a bodyweight set without load
--                  keeps its weight and drops reps by deload_pct
--   increase_load  every work set of the last session reached the top of the rep range, and none logged an RPE above
--                  9: the last weight + the increment, at most +10 % (and at least one load step), at the bottom of
--                  the range; a bodyweight exercise without load adds the increment (progress by reps, then load)
--   add_reps       otherwise: the same weight, and the lowest work set's reps + 1 (at most the top of the range)
-- Weights are rounded to the load step in the athlete's units (down, for an increase: never above the +10 % cap);
-- next_weight and last_weight are in those units (weight_unit kg or lb), the *_kg columns in kg.
CREATE OR REPLACE VIEW exercise_next_session AS
WITH lifts AS (
    SELECT
        w.*,
        a.start_time_local,
        last_day.last_date
    FROM working_sets AS w
    JOIN activities_effective AS a ON a.activity_id = w.activity_id
    JOIN (SELECT athlete, max(local_date) AS last_date FROM activities_effective GROUP BY athlete) AS last_day
        ON last_day.athlete = w.athlete
    WHERE w.has_reps AND w.is_resistance AND w.set_type <> 'drop'
        AND w.local_date > last_day.last_date - INTERVAL 42 DAY
),
sessions AS (
    SELECT athlete, exercise, activity_id, max(weight_kg) AS top_kg
    FROM lifts
    GROUP BY athlete, exercise, activity_id
),
work_sets AS (
    SELECT l.*
    FROM lifts AS l
    JOIN sessions AS s USING (athlete, exercise, activity_id)
    WHERE l.weight_kg = s.top_kg
),
inferred AS (
    SELECT
        athlete,
        exercise,
        quantile_disc(reps, 0.1) AS rep_low,
        quantile_disc(reps, 0.9) AS rep_high
    FROM work_sets
    GROUP BY athlete, exercise
),
last_session AS (
    SELECT athlete, exercise, activity_id
    FROM work_sets
    QUALIFY row_number() OVER (
        PARTITION BY athlete, exercise ORDER BY start_time_local DESC, activity_id DESC, set_index
    ) = 1
),
last_sets AS (
    SELECT
        w.athlete,
        w.exercise,
        any_value(w.local_date) AS last_session_date,
        max(w.weight_kg) AS last_weight_kg,
        count(*) AS work_sets,
        list(w.reps ORDER BY w.set_index) AS last_reps,
        min(w.reps) AS lowest_reps,
        max(w.rpe) AS highest_rpe,
        any_value(w.equipment) AS equipment,
        bool_or(w.is_bodyweight_exercise) AS is_bodyweight_exercise
    FROM work_sets AS w
    JOIN last_session AS l USING (athlete, exercise, activity_id)
    GROUP BY w.athlete, w.exercise
),
latest_week AS (
    SELECT athlete, exercise, weeks_without_gain, is_deload_week
    FROM exercise_progress
    QUALIFY week_start = max(week_start) OVER (PARTITION BY athlete, exercise)
),
settled AS (
    SELECT
        s.*,
        coalesce(ath.units, 'metric') AS units,
        CASE WHEN ath.units = 'imperial' THEN 0.45359237 ELSE 1.0 END AS kg_per_unit,
        CASE
            WHEN ex.rep_low IS NOT NULL THEN 'exercise'
            WHEN own.rep_low IS NOT NULL THEN 'athlete'
            ELSE 'inferred'
        END AS rep_range_source,
        coalesce(ex.rep_low, own.rep_low, inf.rep_low) AS rep_low,
        coalesce(ex.rep_high, own.rep_high, inf.rep_high) AS rep_high,
        coalesce(
            ex.increment_kg,
            eq.increment_kg,
            own.increment_kg,
            CASE WHEN ath.units = 'imperial' THEN 5 * 0.45359237 ELSE 2.5 END
        ) AS increment_kg,
        coalesce(own.load_step_kg, CASE WHEN ath.units = 'imperial' THEN 0.45359237 ELSE 0.5 END) AS load_step_kg,
        coalesce(ex.deload_after_weeks, own.deload_after_weeks, 5) AS deload_after_weeks,
        coalesce(ex.deload_pct, own.deload_pct, 10.0) AS deload_pct,
        coalesce(p.weeks_without_gain, 0) AS weeks_without_gain,
        coalesce(p.is_deload_week, false) AS last_week_was_deload
    FROM last_sets AS s
    JOIN inferred AS inf USING (athlete, exercise)
    LEFT JOIN latest_week AS p USING (athlete, exercise)
    LEFT JOIN athletes AS ath ON ath.athlete = s.athlete
    LEFT JOIN progression_settings AS own
        ON own.athlete = s.athlete AND own.exercise IS NULL AND own.equipment IS NULL
    LEFT JOIN progression_settings AS eq
        ON eq.athlete = s.athlete AND eq.exercise IS NULL AND eq.equipment = s.equipment
    LEFT JOIN progression_settings AS ex ON ex.athlete = s.athlete AND ex.exercise = s.exercise
),
decided AS (
    SELECT
        *,
        CASE
            WHEN weeks_without_gain >= deload_after_weeks AND NOT last_week_was_deload THEN 'deload'
            WHEN lowest_reps >= rep_high AND coalesce(highest_rpe, 0) <= 9 THEN 'increase_load'
            ELSE 'add_reps'
        END AS action
    FROM settled
),
planned AS (
    SELECT
        *,
        CASE action
            WHEN 'deload' THEN round(last_weight_kg * (1 - deload_pct / 100) / load_step_kg) * load_step_kg
            WHEN 'increase_load' THEN CASE
                WHEN last_weight_kg <= 0
                    THEN greatest(load_step_kg, floor(increment_kg / load_step_kg + 1e-6) * load_step_kg)
                ELSE greatest(
                    last_weight_kg + load_step_kg,
                    floor(least(last_weight_kg + increment_kg, last_weight_kg * 1.1) / load_step_kg + 1e-6)
                        * load_step_kg
                )
            END
            ELSE last_weight_kg
        END AS next_weight_kg,
        CASE action
            WHEN 'deload' THEN CASE
                WHEN last_weight_kg <= 0 THEN greatest(1, CAST(floor(lowest_reps * (1 - deload_pct / 100)) AS INTEGER))
                ELSE lowest_reps
            END
            WHEN 'increase_load' THEN rep_low
            ELSE least(lowest_reps + 1, greatest(rep_high, lowest_reps))
        END AS next_reps,
        CASE WHEN rep_low = rep_high THEN CAST(rep_low AS VARCHAR) ELSE format('{}-{}', rep_low, rep_high) END
            AS range_text
    FROM decided
)
SELECT
    athlete,
    exercise,
    last_session_date,
    last_weight_kg,
    next_weight_kg,
    next_reps,
    action,
    CASE action
        WHEN 'deload' THEN format(
            '{} trained weeks without a gain (deload after {}): {:g} % lighter for a week',
            weeks_without_gain, deload_after_weeks, deload_pct
        )
        WHEN 'increase_load' THEN format(
            'every work set reached {} reps, the top of the range ({}){}',
            rep_high, range_text,
            CASE WHEN last_weight_kg <= 0 THEN '; bodyweight: reps first, then load' ELSE '' END
        )
        WHEN 'add_reps' THEN CASE
            WHEN lowest_reps >= rep_high THEN format(
                'the top of the range ({}) reached at RPE {:g}: repeat it until it is RPE 9 or easier',
                range_text, highest_rpe
            )
            ELSE format(
                'reps {} (range {}): beat the {}-rep set', array_to_string(last_reps, ', '), range_text, lowest_reps
            )
        END
    END AS reason,
    units,
    CASE WHEN units = 'imperial' THEN 'lb' ELSE 'kg' END AS weight_unit,
    round(last_weight_kg / kg_per_unit, 2) AS last_weight,
    round(next_weight_kg / kg_per_unit, 2) AS next_weight,
    last_reps,
    work_sets,
    highest_rpe,
    rep_low,
    rep_high,
    rep_range_source,
    increment_kg,
    load_step_kg,
    weeks_without_gain,
    deload_after_weeks,
    deload_pct,
    is_bodyweight_exercise
FROM planned;
