-- Personal records: one row per athlete and exercise, over resistance working, drop and failure sets with reps.
-- Each date is the first local date the record was reached; ties go to the earliest set.
CREATE OR REPLACE VIEW personal_records AS
SELECT
    athlete,
    exercise,
    max(e1rm_kg) AS best_e1rm_kg,
    first(local_date ORDER BY e1rm_kg DESC, local_date, activity_id, set_index)
        FILTER (WHERE e1rm_kg IS NOT NULL) AS best_e1rm_date,
    max(weight_kg) FILTER (WHERE weight_kg > 0) AS best_weight_kg,
    first(local_date ORDER BY weight_kg DESC, reps DESC, local_date, activity_id, set_index)
        FILTER (WHERE weight_kg > 0) AS best_weight_date,
    first(reps ORDER BY weight_kg DESC, reps DESC, local_date, activity_id, set_index)
        FILTER (WHERE weight_kg > 0) AS best_weight_reps,
    max(reps) AS max_reps,
    first(local_date ORDER BY reps DESC, weight_kg DESC, local_date, activity_id, set_index) AS max_reps_date,
    first(weight_kg ORDER BY reps DESC, weight_kg DESC, local_date, activity_id, set_index) AS max_reps_weight_kg,
    max(e1rm_brzycki_kg) AS best_e1rm_brzycki_kg,
    count(*) AS working_sets,
    min(local_date) AS first_trained,
    max(local_date) AS last_trained
FROM working_sets
WHERE has_reps AND is_resistance
GROUP BY athlete, exercise;
