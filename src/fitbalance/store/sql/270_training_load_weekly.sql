-- Training load per athlete per ISO week, with Foster's monotony and strain (Foster 1998), over every week of the
-- athlete's calendar (athlete_weeks) and its seven days (a day without training has zero load; days outside the
-- athlete's first to last activity day too).
--   weekly_load      sum of the seven days' total_load (training_load_daily: TRIMP + session-RPE load)
--   monotony         mean daily load / standard deviation of the daily loads (sample SD of the seven days); null
--                    when the SD is 0 (the same load every day, or none)
--   strain           weekly_load x monotony
CREATE OR REPLACE VIEW training_load_weekly AS
WITH days AS (
    SELECT
        w.athlete,
        w.week_start,
        CAST(w.week_start + INTERVAL (d) DAY AS DATE) AS day
    FROM athlete_weeks AS w
    CROSS JOIN range(0, 7) AS t(d)
),
loads AS (
    SELECT
        d.athlete,
        d.week_start,
        d.day,
        coalesce(l.total_load, 0.0) AS total_load,
        coalesce(l.strength_load, 0.0) AS strength_load,
        coalesce(l.endurance_load, 0.0) AS endurance_load,
        coalesce(l.sessions, 0) AS sessions
    FROM days AS d
    LEFT JOIN training_load_daily AS l ON l.athlete = d.athlete AND l.day = d.day
),
weekly AS (
    SELECT
        athlete,
        week_start,
        sum(total_load) AS weekly_load,
        sum(strength_load) AS strength_load,
        sum(endurance_load) AS endurance_load,
        avg(total_load) AS mean_daily_load,
        stddev_samp(total_load) AS sd_daily_load,
        count(*) FILTER (WHERE sessions > 0) AS training_days
    FROM loads
    GROUP BY athlete, week_start
)
SELECT
    athlete,
    week_start,
    strftime(week_start, '%G-W%V') AS iso_week,
    weekly_load,
    strength_load,
    endurance_load,
    mean_daily_load,
    sd_daily_load,
    CASE WHEN sd_daily_load > 0 THEN mean_daily_load / sd_daily_load END AS monotony,
    CASE WHEN sd_daily_load > 0 THEN weekly_load * mean_daily_load / sd_daily_load END AS strain,
    training_days
FROM weekly;
