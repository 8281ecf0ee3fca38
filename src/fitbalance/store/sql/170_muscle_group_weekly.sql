-- Sets per muscle group per athlete and ISO week, so neglected groups show: a working set (working, drop or failure;
-- reps or not) counts 1 for each primary muscle of its exercise and 0.5 for each secondary one.
-- The exercise is looked up in the `exercises` catalogue by strength_sets.exercise; unmapped sets fall back to the
-- catalogue entry whose fit_category is the set's exercise_category (the entry named like the category first, e.g.
-- 'Bench Press' for bench_press, else the first by name). Sets that match neither are left out (see
-- unmapped_exercises). Every muscle group of the catalogue appears in every week of the athlete's calendar, with 0
-- when it was not trained.
CREATE OR REPLACE VIEW muscle_group_weekly AS
WITH by_category AS (
    SELECT
        fit_category,
        first(primary_muscles ORDER BY lower(replace(exercise, ' ', '_')) = lower(fit_category) DESC, exercise)
            AS primary_muscles,
        first(secondary_muscles ORDER BY lower(replace(exercise, ' ', '_')) = lower(fit_category) DESC, exercise)
            AS secondary_muscles
    FROM exercises
    WHERE fit_category IS NOT NULL
    GROUP BY fit_category
),
set_muscles AS (
    SELECT
        s.athlete,
        s.week_start,
        list_distinct(CASE WHEN e.exercise IS NOT NULL THEN e.primary_muscles ELSE c.primary_muscles END)
            AS primary_muscles,
        list_distinct(CASE WHEN e.exercise IS NOT NULL THEN e.secondary_muscles ELSE c.secondary_muscles END)
            AS secondary_muscles
    FROM working_sets AS s
    LEFT JOIN exercises AS e ON e.exercise = s.catalogue_exercise
    LEFT JOIN by_category AS c ON lower(c.fit_category) = lower(s.exercise_category)
),
hits AS (
    SELECT athlete, week_start, unnest(primary_muscles) AS muscle_group, true AS is_primary
    FROM set_muscles
    UNION ALL
    SELECT
        athlete,
        week_start,
        unnest(list_filter(secondary_muscles, lambda m: NOT list_contains(coalesce(primary_muscles, []), m)))
            AS muscle_group,
        false AS is_primary
    FROM set_muscles
),
weekly AS (
    SELECT
        athlete,
        week_start,
        muscle_group,
        count(*) FILTER (WHERE is_primary) AS primary_sets,
        count(*) FILTER (WHERE NOT is_primary) AS secondary_sets
    FROM hits
    GROUP BY athlete, week_start, muscle_group
),
muscle_groups AS (
    SELECT DISTINCT unnest(list_concat(primary_muscles, secondary_muscles)) AS muscle_group
    FROM exercises
)
SELECT
    w.athlete,
    w.week_start,
    g.muscle_group,
    CAST(coalesce(k.primary_sets, 0) + 0.5 * coalesce(k.secondary_sets, 0) AS DOUBLE) AS sets,
    coalesce(k.primary_sets, 0) AS primary_sets,
    coalesce(k.secondary_sets, 0) AS secondary_sets
FROM athlete_weeks AS w
CROSS JOIN muscle_groups AS g
LEFT JOIN weekly AS k
    ON k.athlete = w.athlete AND k.week_start = w.week_start AND k.muscle_group = g.muscle_group;
