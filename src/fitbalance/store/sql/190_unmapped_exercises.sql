-- Exercise names the catalogue does not know (strength_sets.exercise is null), most used first: add them to the
-- settings file's [athletes.NAME.exercise_names] to map them. Rest rows and session ratings (set_type 'rating': an
-- app's "Intensity" 7, the activity's rpe) are not counted; warm-ups are. Sets that count
-- nowhere (a watch's guesses where the same session's lifting-app sets win, see set_sources) are not listed.
CREATE OR REPLACE VIEW unmapped_exercises AS
SELECT
    s.exercise_name,
    count(*) AS sets,
    min(a.local_date) AS first_seen,
    max(a.local_date) AS last_seen,
    mode(s.exercise_category) AS exercise_category,
    count(DISTINCT src.activity_id) AS activities,
    list(DISTINCT a.athlete ORDER BY a.athlete) AS athletes
FROM strength_sets AS s
JOIN set_sources AS src ON src.source_activity_id = s.activity_id
JOIN activities_effective AS a ON a.activity_id = src.activity_id
WHERE s.exercise IS NULL AND is_exercise_row(s.set_type)
GROUP BY s.exercise_name;
