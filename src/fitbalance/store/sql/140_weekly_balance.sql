-- One row per athlete per ISO week (Monday first, by local date), from the athlete's first activity week to the last
-- week an activity reaches: weeks without exercise appear with zeros. Checks the WHO 2020 guideline for adults and
-- older adults. A session counts in the week it starts; its minutes (and its intensity minutes and loads, in
-- proportion) count in the weeks they were spent in, so a Sunday-night session that ends on Monday spends its last
-- minutes in the new week, and no week ever holds more than 168 hours (activities_effective counts time once).
CREATE OR REPLACE VIEW weekly_balance AS
WITH spans AS (
    SELECT
        i.*,
        e.start_time_local,
        e.end_time_local,
        e.duration_s
    FROM activity_intensity AS i
    JOIN activities_effective AS e ON e.activity_id = i.activity_id
),
portions AS (
    -- one row per activity and week it reaches; share: the part of its minutes spent in that week
    SELECT
        s.*,
        p.portion_week,
        CASE
            WHEN s.duration_s > 0 THEN date_diff(
                'microsecond',
                greatest(s.start_time_local, CAST(p.portion_week AS TIMESTAMP)),
                least(s.end_time_local, CAST(p.portion_week AS TIMESTAMP) + INTERVAL 7 DAY)
            ) / (s.duration_s * 1e6)
            ELSE 1.0
        END AS share
    FROM spans AS s,
        LATERAL (
            SELECT CAST(unnest(generate_series(
                s.week_start,
                greatest(s.week_start, CAST(date_trunc('week', s.end_time_local - INTERVAL 1 MICROSECOND) AS DATE)),
                INTERVAL 7 DAY
            )) AS DATE) AS portion_week
        ) AS p
),
acts AS (
    SELECT
        athlete,
        portion_week AS week_start,
        count(*) FILTER (WHERE category = 'resistance' AND portion_week = week_start) AS resistance_sessions,
        sum(minutes * share) FILTER (WHERE category = 'resistance') AS resistance_minutes,
        count(*) FILTER (WHERE category = 'other' AND portion_week = week_start) AS other_sessions,
        sum(minutes * share) FILTER (WHERE category = 'other') AS other_minutes,
        sum(minutes * share) FILTER (WHERE category = 'other' AND subcategory = 'endurance') AS endurance_minutes,
        sum(minutes * share) FILTER (WHERE category = 'other' AND subcategory = 'flexibility') AS flexibility_minutes,
        sum(minutes * share) FILTER (WHERE category = 'other' AND subcategory = 'balance') AS balance_minutes,
        sum(minutes * share) FILTER (WHERE category = 'other' AND subcategory = 'mixed') AS mixed_minutes,
        sum(minutes * share) FILTER (WHERE category = 'other' AND subcategory = 'sport') AS sport_minutes,
        sum(minutes * share) FILTER (
            WHERE category = 'other'
            AND subcategory NOT IN ('endurance', 'flexibility', 'balance', 'mixed', 'sport')
        ) AS unspecified_minutes,
        sum(moderate_minutes * share) AS moderate_minutes,
        sum(vigorous_minutes * share) AS vigorous_minutes,
        sum(endurance_load * share) AS endurance_load,
        sum(strength_load * share) AS strength_load
    FROM portions
    GROUP BY athlete, portion_week
),
active_days AS (
    -- strength days: a resistance activity, or a resistance working set (a circuit logged as 'mixed' with sets
    -- counts; a treadmill row in a lifting app does not)
    SELECT athlete, week_start, local_date, true AS strength
    FROM activities_effective
    WHERE category = 'resistance'
    UNION ALL
    SELECT athlete, week_start, local_date, true AS strength
    FROM working_sets
    WHERE is_resistance
    UNION ALL
    -- balance days, for the older adults' multicomponent rule (balance work and mixed classes)
    SELECT athlete, week_start, local_date, false AS strength
    FROM activities_effective
    WHERE category = 'other' AND subcategory IN ('balance', 'mixed')
),
days AS (
    SELECT
        athlete,
        week_start,
        count(DISTINCT local_date) FILTER (WHERE strength) AS resistance_days,
        count(DISTINCT local_date) AS multicomponent_days
    FROM active_days
    GROUP BY athlete, week_start
),
sets AS (
    SELECT athlete, week_start, count(*) AS working_sets
    FROM working_sets
    WHERE is_resistance
    GROUP BY athlete, week_start
),
filled AS (
    SELECT
        w.athlete,
        w.week_start,
        strftime(w.week_start, '%G-W%V') AS iso_week,
        coalesce(a.resistance_sessions, 0) AS resistance_sessions,
        coalesce(a.resistance_minutes, 0.0) AS resistance_minutes,
        coalesce(d.resistance_days, 0) AS resistance_days,
        coalesce(s.working_sets, 0) AS working_sets,
        coalesce(a.other_sessions, 0) AS other_sessions,
        coalesce(a.other_minutes, 0.0) AS other_minutes,
        coalesce(a.endurance_minutes, 0.0) AS endurance_minutes,
        coalesce(a.flexibility_minutes, 0.0) AS flexibility_minutes,
        coalesce(a.balance_minutes, 0.0) AS balance_minutes,
        coalesce(a.mixed_minutes, 0.0) AS mixed_minutes,
        coalesce(a.sport_minutes, 0.0) AS sport_minutes,
        coalesce(a.unspecified_minutes, 0.0) AS unspecified_minutes,
        coalesce(a.moderate_minutes, 0.0) AS moderate_minutes,
        coalesce(a.vigorous_minutes, 0.0) AS vigorous_minutes,
        coalesce(d.multicomponent_days, 0) AS multicomponent_days,
        coalesce(a.endurance_load, 0.0) AS endurance_load,
        coalesce(a.strength_load, 0.0) AS strength_load,
        isoyear(w.week_start) - ath.birth_year AS age
    FROM athlete_weeks AS w
    LEFT JOIN acts AS a ON a.athlete = w.athlete AND a.week_start = w.week_start
    LEFT JOIN days AS d ON d.athlete = w.athlete AND d.week_start = w.week_start
    LEFT JOIN sets AS s ON s.athlete = w.athlete AND s.week_start = w.week_start
    LEFT JOIN athletes AS ath ON ath.athlete = w.athlete
),
judged AS (
    SELECT
        f.*,
        f.resistance_minutes + f.other_minutes AS total_minutes,
        f.moderate_minutes + 2 * f.vigorous_minutes AS who_aerobic_minutes,
        f.moderate_minutes + 2 * f.vigorous_minutes >= 150 AS meets_aerobic,
        f.resistance_days >= 2 AS meets_strength,
        f.age >= 65 AS is_65_plus,
        CASE WHEN f.age >= 65 THEN f.multicomponent_days >= 3 END AS meets_multicomponent,
        f.resistance_minutes / nullif(f.resistance_minutes + f.other_minutes, 0) AS resistance_share,
        f.resistance_sessions > 0 AND f.other_sessions > 0 AS well_rounded
    FROM filled AS f
)
SELECT
    athlete,
    week_start,
    iso_week,
    resistance_sessions,
    resistance_minutes,
    resistance_days,
    other_sessions,
    other_minutes,
    endurance_minutes,
    flexibility_minutes,
    balance_minutes,
    mixed_minutes,
    sport_minutes,
    unspecified_minutes,
    total_minutes,
    moderate_minutes,
    vigorous_minutes,
    who_aerobic_minutes,
    meets_aerobic,
    meets_strength,
    age,
    is_65_plus,
    multicomponent_days,
    meets_multicomponent,
    meets_aerobic AND meets_strength AND coalesce(meets_multicomponent, true) AS meets_guideline,
    resistance_share,
    well_rounded,
    working_sets,
    endurance_load,
    strength_load
FROM judged;
