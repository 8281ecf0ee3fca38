-- Rep records: per athlete, exercise and rep count from 1 to 12, the heaviest weight lifted for at least that many
-- reps (a set of 100 kg x 8 is also a 5-rep record of 100 kg), over resistance working, drop and failure sets with
-- load. The date is the first local date the record was reached; ties go to the earliest set.
CREATE OR REPLACE VIEW rep_records AS
WITH loaded AS (
    SELECT athlete, exercise, activity_id, set_index, local_date, reps, weight_kg
    FROM working_sets
    WHERE has_reps AND is_resistance AND weight_kg > 0
),
counts AS (
    SELECT CAST(r AS INTEGER) AS reps FROM range(1, 13) AS t(r)
)
SELECT
    l.athlete,
    l.exercise,
    c.reps,
    max(l.weight_kg) AS best_weight_kg,
    first(l.local_date ORDER BY l.weight_kg DESC, l.local_date, l.activity_id, l.set_index) AS best_weight_date,
    first(l.reps ORDER BY l.weight_kg DESC, l.local_date, l.activity_id, l.set_index) AS set_reps,
    count(*) AS sets
FROM loaded AS l
JOIN counts AS c ON l.reps >= c.reps
GROUP BY l.athlete, l.exercise, c.reps;
