-- Sets per muscle group per athlete and ISO week, so neglected groups show: a resistance working set (working, drop
-- or failure; reps or not: a plank counts) counts 1 for each primary muscle of the catalogue entry it matched (see
-- working_sets) and 0.5 for each secondary one (a muscle listed as both counts as primary). Cardio and mobility sets
-- do not count, and sets that matched no entry are left out (see unmapped_exercises). Every muscle group of the
-- catalogue appears in every week of the athlete's calendar, with 0 when it was not trained.
CREATE OR REPLACE VIEW muscle_group_weekly AS
WITH hits AS (
    SELECT athlete, week_start, unnest(primary_muscles) AS muscle_group, true AS is_primary
    FROM working_sets
    WHERE is_resistance
    UNION ALL
    SELECT athlete, week_start, unnest(secondary_muscles) AS muscle_group, false AS is_primary
    FROM working_sets
    WHERE is_resistance
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
    WHERE kind = 'resistance'
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
