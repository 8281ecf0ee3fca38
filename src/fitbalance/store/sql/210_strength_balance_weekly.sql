-- Balance inside strength training: push against pull, upper against lower body, per athlete and ISO week.
-- A resistance working set (as muscle_group_weekly counts them: working, drop or failure, reps or not) counts once,
-- by the movement pattern of the catalogue entry it matched (working_sets.catalogue_match; exercise_patterns, from
-- the packaged exercise_patterns.csv). Push: horizontal and vertical pushes and triceps extensions; pull: horizontal
-- and vertical pulls and curls. Upper and lower: the pattern's region (core, carries and full-body lifts count for
-- neither). Sets of exercises without a pattern (unmapped names, your own exercises) count nowhere here.
-- Every week of the athlete's calendar (athlete_weeks) appears, with zeros when nothing was lifted.
--
-- Flags (docs/views.md gives the reasons and sources):
--   push_pull_flag   'push_heavy' when push_pull_ratio > 1.5 (or pushing without any pulling), 'pull_heavy' below 0.5
--                    (pulling without pushing counts as pull-heavy); null when in range or no push or pull sets.
--   upper_lower_flag 'upper_heavy' when upper_lower_ratio > 2.0 (or upper-body sets without lower), 'lower_heavy'
--                    below 0.5 (or lower without upper); null when in range or neither was trained.
CREATE OR REPLACE VIEW strength_balance_weekly AS
WITH patterned AS (
    SELECT s.athlete, s.week_start, p.pattern, p.direction, p.region
    FROM working_sets AS s
    JOIN exercise_patterns AS p ON p.exercise = s.catalogue_match
    WHERE s.is_resistance
),
weekly AS (
    SELECT
        athlete,
        week_start,
        count(*) FILTER (WHERE direction = 'push') AS push_sets,
        count(*) FILTER (WHERE direction = 'pull') AS pull_sets,
        count(*) FILTER (WHERE region = 'upper') AS upper_sets,
        count(*) FILTER (WHERE region = 'lower') AS lower_sets,
        count(*) FILTER (WHERE pattern = 'horizontal_push') AS horizontal_push_sets,
        count(*) FILTER (WHERE pattern = 'vertical_push') AS vertical_push_sets,
        count(*) FILTER (WHERE pattern = 'horizontal_pull') AS horizontal_pull_sets,
        count(*) FILTER (WHERE pattern = 'vertical_pull') AS vertical_pull_sets
    FROM patterned
    GROUP BY athlete, week_start
),
filled AS (
    SELECT
        w.athlete,
        w.week_start,
        coalesce(k.push_sets, 0) AS push_sets,
        coalesce(k.pull_sets, 0) AS pull_sets,
        coalesce(k.upper_sets, 0) AS upper_sets,
        coalesce(k.lower_sets, 0) AS lower_sets,
        coalesce(k.horizontal_push_sets, 0) AS horizontal_push_sets,
        coalesce(k.vertical_push_sets, 0) AS vertical_push_sets,
        coalesce(k.horizontal_pull_sets, 0) AS horizontal_pull_sets,
        coalesce(k.vertical_pull_sets, 0) AS vertical_pull_sets
    FROM athlete_weeks AS w
    LEFT JOIN weekly AS k ON k.athlete = w.athlete AND k.week_start = w.week_start
)
SELECT
    athlete,
    week_start,
    push_sets,
    pull_sets,
    upper_sets,
    lower_sets,
    push_sets / nullif(pull_sets, 0) AS push_pull_ratio,
    upper_sets / nullif(lower_sets, 0) AS upper_lower_ratio,
    horizontal_push_sets,
    vertical_push_sets,
    horizontal_pull_sets,
    vertical_pull_sets,
    CASE
        WHEN push_sets = 0 AND pull_sets = 0 THEN NULL
        WHEN push_sets > 1.5 * pull_sets THEN 'push_heavy'
        WHEN push_sets < 0.5 * pull_sets THEN 'pull_heavy'
    END AS push_pull_flag,
    CASE
        WHEN upper_sets = 0 AND lower_sets = 0 THEN NULL
        WHEN upper_sets > 2.0 * lower_sets THEN 'upper_heavy'
        WHEN upper_sets < 0.5 * lower_sets THEN 'lower_heavy'
    END AS upper_lower_flag
FROM filled;
