-- Progressive overload: one row per athlete, exercise and ISO week the exercise was trained.
-- Sets: resistance working, drop and failure sets with reps (warm-ups, rest rows, cardio and mobility sets and
-- rows without reps left out; see working_sets).
-- A week is "bodyweight" when none of its sets carried load (weight_kg = 0): it is judged on reps, not kilograms.
--
-- Changes compare with the previous week the exercise was trained (prev_week_start), and with the mean of the
-- trained weeks among the four calendar weeks before this one (the 4-week average).
-- The strength measure is best_e1rm_kg (best_set_reps for bodyweight weeks); the volume measure is volume_load_kg
-- (total_reps for bodyweight weeks). Measures are compared only between weeks of the same kind.
--
-- status, first that applies:
--   new          the first week the exercise was trained
--   progressing  strength or volume measure >= 2.5 % above the previous trained week or above the 4-week average
--                (the average catches slow steady progress, e.g. +1 kg a week on 60 kg)
--   regressing   strength measure >= 5 % below the previous trained week or below the 4-week average
--   stalled      no progressing week in the last 3 trained weeks (weeks_without_gain >= 3)
--   holding      anything else
--
-- A deload week (is_deload_week: volume measure at most 60 % of its 4-week average) is never progressing nor
-- regressing and does not count towards a stall: weeks_without_gain counts the trained weeks since the last gain or
-- the last deload, whichever came later (0 in the deload week). Gains are judged against the weeks that were not
-- deloads, so coming back to the load of before the deload is no gain.
-- best_e1rm_rir_kg: the best RPE-aware e1RM (working_sets.e1rm_rir_kg), null when no set of the week had an RPE.
CREATE OR REPLACE VIEW exercise_progress AS
WITH weekly AS (
    SELECT
        athlete,
        exercise,
        week_start,
        count(*) AS working_sets,
        sum(reps) AS total_reps,
        sum(volume_load_kg) AS volume_load_kg,
        max(weight_kg) = 0 AS is_bodyweight,
        max(weight_kg) FILTER (WHERE weight_kg > 0) AS top_set_kg,
        max(e1rm_kg) AS best_e1rm_kg,
        max(e1rm_brzycki_kg) AS best_e1rm_brzycki_kg,
        max(e1rm_rir_kg) AS best_e1rm_rir_kg,
        max(reps) AS best_set_reps,
        count(DISTINCT local_date) AS training_days
    FROM working_sets
    WHERE has_reps AND is_resistance
    GROUP BY athlete, exercise, week_start
),
measured AS (
    SELECT
        *,
        CASE WHEN is_bodyweight THEN best_set_reps ELSE best_e1rm_kg END AS strength_measure,
        CASE WHEN is_bodyweight THEN total_reps ELSE volume_load_kg END AS volume_measure
    FROM weekly
),
compared AS (
    SELECT
        *,
        lag(week_start) OVER w AS prev_week_start,
        lag(best_e1rm_kg) OVER w AS prev_best_e1rm_kg,
        lag(volume_load_kg) OVER w AS prev_volume_load_kg,
        lag(total_reps) OVER w AS prev_total_reps,
        lag(is_bodyweight) OVER w AS prev_is_bodyweight,
        lag(strength_measure) OVER w AS prev_strength_measure,
        lag(volume_measure) OVER w AS prev_volume_measure,
        avg(best_e1rm_kg) OVER w4 AS avg4_e1rm_kg,
        CASE
            WHEN is_bodyweight THEN avg(best_set_reps) FILTER (WHERE is_bodyweight) OVER w4
            ELSE avg(best_e1rm_kg) FILTER (WHERE NOT is_bodyweight) OVER w4
        END AS avg4_strength_measure,
        CASE
            WHEN is_bodyweight THEN avg(total_reps) FILTER (WHERE is_bodyweight) OVER w4
            ELSE avg(volume_load_kg) FILTER (WHERE NOT is_bodyweight) OVER w4
        END AS avg4_volume_measure
    FROM measured
    WINDOW
        w AS (PARTITION BY athlete, exercise ORDER BY week_start),
        w4 AS (
            PARTITION BY athlete, exercise ORDER BY week_start
            RANGE BETWEEN INTERVAL 28 DAYS PRECEDING AND INTERVAL 7 DAYS PRECEDING
        )
),
deloads AS (
    SELECT
        *,
        coalesce(volume_measure <= 0.6 * avg4_volume_measure, false) AS is_deload_week
    FROM compared
),
-- gains are judged on the weeks that are not deloads: a deload week neither gains nor counts towards a stall, and
-- the week after it is compared with the week before it (returning to the old load is no gain)
judged AS (
    SELECT
        athlete,
        exercise,
        week_start,
        lag(week_start) OVER w AS judged_prev_week,
        CASE
            WHEN is_bodyweight = lag(is_bodyweight) OVER w
                THEN pct_change(strength_measure, lag(strength_measure) OVER w)
        END AS judged_strength_pct,
        CASE
            WHEN is_bodyweight = lag(is_bodyweight) OVER w THEN pct_change(volume_measure, lag(volume_measure) OVER w)
        END AS judged_volume_pct,
        pct_change(strength_measure, CASE
            WHEN is_bodyweight THEN avg(best_set_reps) FILTER (WHERE is_bodyweight) OVER w4
            ELSE avg(best_e1rm_kg) FILTER (WHERE NOT is_bodyweight) OVER w4
        END) AS judged_strength_avg_pct,
        pct_change(volume_measure, CASE
            WHEN is_bodyweight THEN avg(total_reps) FILTER (WHERE is_bodyweight) OVER w4
            ELSE avg(volume_load_kg) FILTER (WHERE NOT is_bodyweight) OVER w4
        END) AS judged_volume_avg_pct
    FROM deloads
    WHERE NOT is_deload_week
    WINDOW
        w AS (PARTITION BY athlete, exercise ORDER BY week_start),
        w4 AS (
            PARTITION BY athlete, exercise ORDER BY week_start
            RANGE BETWEEN INTERVAL 28 DAYS PRECEDING AND INTERVAL 7 DAYS PRECEDING
        )
),
changes AS (
    SELECT
        d.*,
        j.judged_prev_week,
        j.judged_strength_pct,
        j.judged_volume_pct,
        j.judged_strength_avg_pct,
        j.judged_volume_avg_pct,
        best_e1rm_kg - prev_best_e1rm_kg AS e1rm_change_kg,
        pct_change(best_e1rm_kg, prev_best_e1rm_kg) AS e1rm_change_pct,
        pct_change(best_e1rm_kg, avg4_e1rm_kg) AS e1rm_vs_4wk_avg_pct,
        CASE WHEN is_bodyweight = prev_is_bodyweight THEN pct_change(volume_measure, prev_volume_measure) END
            AS volume_change_pct,
        pct_change(volume_measure, avg4_volume_measure) AS volume_vs_4wk_avg_pct,
        total_reps - prev_total_reps AS reps_change,
        CASE WHEN is_bodyweight = prev_is_bodyweight THEN pct_change(strength_measure, prev_strength_measure) END
            AS strength_change_pct,
        pct_change(strength_measure, avg4_strength_measure) AS strength_vs_4wk_avg_pct
    FROM deloads AS d
    LEFT JOIN judged AS j USING (athlete, exercise, week_start)
),
flagged AS (
    SELECT
        *,
        judged_prev_week IS NOT NULL AND coalesce(
            judged_strength_pct >= 2.5 OR judged_volume_pct >= 2.5
            OR judged_strength_avg_pct >= 2.5 OR judged_volume_avg_pct >= 2.5,
            false
        ) AS gained,
        NOT is_deload_week AND coalesce(strength_change_pct <= -5 OR strength_vs_4wk_avg_pct <= -5, false)
            AS declined
    FROM changes
),
streaks AS (
    SELECT
        *,
        sum(CASE WHEN gained OR is_deload_week THEN 1 ELSE 0 END) OVER (
            PARTITION BY athlete, exercise ORDER BY week_start ROWS UNBOUNDED PRECEDING
        ) AS gain_group
    FROM flagged
),
counted AS (
    SELECT
        *,
        sum(CASE WHEN gained OR is_deload_week OR prev_week_start IS NULL THEN 0 ELSE 1 END) OVER (
            PARTITION BY athlete, exercise, gain_group ORDER BY week_start ROWS UNBOUNDED PRECEDING
        ) AS weeks_without_gain
    FROM streaks
)
SELECT
    athlete,
    exercise,
    week_start,
    working_sets,
    total_reps,
    volume_load_kg,
    is_bodyweight,
    top_set_kg,
    best_e1rm_kg,
    best_e1rm_brzycki_kg,
    prev_week_start,
    e1rm_change_kg,
    e1rm_change_pct,
    e1rm_vs_4wk_avg_pct,
    volume_change_pct,
    volume_vs_4wk_avg_pct,
    reps_change,
    CASE
        WHEN prev_week_start IS NULL THEN 'new'
        WHEN gained THEN 'progressing'
        WHEN declined THEN 'regressing'
        WHEN weeks_without_gain >= 3 THEN 'stalled'
        ELSE 'holding'
    END AS status,
    best_set_reps,
    training_days,
    strength_change_pct,
    strength_vs_4wk_avg_pct,
    weeks_without_gain,
    best_e1rm_rir_kg,
    is_deload_week
FROM counted;
