-- Training load per athlete per local day, on a continuous calendar from the athlete's first to last activity day
-- (days without training have zero load).
--   endurance_load  Banister TRIMP of category 'other' activities (see activity_intensity)
--   strength_load   session-RPE load of resistance activities, on the TRIMP scale (see activity_intensity)
--   acute_load      mean daily load over the last 7 days; chronic_load over the last 28 (Gabbett 2016, coupled)
--   acute_ewma      EWMA with lambda = 2 / (7 + 1); chronic_ewma with lambda = 2 / (28 + 1) (Williams et al. 2017):
--                   ewma_today = lambda x load_today + (1 - lambda) x ewma_yesterday, starting from 0 the day before
--                   the athlete's first activity. Computed as the unrolled sum lambda x sum_j (1 - lambda)^j x
--                   load_(today - j) over the last 366 days; older terms weigh less than 5e-12 and are dropped.
-- Days before the first activity count as zero load in every average, so the first four weeks read high; see
-- history_days.
CREATE OR REPLACE VIEW training_load_daily AS
WITH daily AS (
    SELECT
        athlete,
        local_date AS day,
        count(*) AS sessions,
        sum(endurance_load) AS endurance_load,
        sum(strength_load) AS strength_load
    FROM activity_intensity
    GROUP BY athlete, local_date
),
lags AS (
    SELECT
        CAST(lag_days AS INTEGER) AS lag_days,
        (2.0 / (7 + 1)) * power(1 - 2.0 / (7 + 1), lag_days) AS acute_weight,
        (2.0 / (28 + 1)) * power(1 - 2.0 / (28 + 1), lag_days) AS chronic_weight
    FROM range(0, 366) AS r(lag_days)
),
ewma AS (
    SELECT
        d.athlete,
        d.day + l.lag_days AS day,
        sum((d.endurance_load + d.strength_load) * l.acute_weight) AS acute_ewma,
        sum((d.endurance_load + d.strength_load) * l.chronic_weight) AS chronic_ewma
    FROM daily AS d
    CROSS JOIN lags AS l
    GROUP BY d.athlete, d.day + l.lag_days
),
filled AS (
    SELECT
        c.athlete,
        c.day,
        coalesce(d.sessions, 0) AS sessions,
        coalesce(d.endurance_load, 0.0) AS endurance_load,
        coalesce(d.strength_load, 0.0) AS strength_load,
        coalesce(d.endurance_load, 0.0) + coalesce(d.strength_load, 0.0) AS total_load,
        coalesce(e.acute_ewma, 0.0) AS acute_ewma,
        coalesce(e.chronic_ewma, 0.0) AS chronic_ewma
    FROM athlete_days AS c
    LEFT JOIN daily AS d ON d.athlete = c.athlete AND d.day = c.day
    LEFT JOIN ewma AS e ON e.athlete = c.athlete AND e.day = c.day
),
rolled AS (
    SELECT
        *,
        sum(total_load) OVER (PARTITION BY athlete ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) / 7.0
            AS acute_load,
        sum(total_load) OVER (PARTITION BY athlete ORDER BY day ROWS BETWEEN 27 PRECEDING AND CURRENT ROW) / 28.0
            AS chronic_load,
        row_number() OVER (PARTITION BY athlete ORDER BY day) AS history_days
    FROM filled
),
ratios AS (
    SELECT
        *,
        acute_load / nullif(chronic_load, 0) AS acwr_rolling,
        acute_ewma / nullif(chronic_ewma, 0) AS acwr_ewma
    FROM rolled
)
SELECT
    athlete,
    day,
    endurance_load,
    strength_load,
    total_load,
    acute_load,
    chronic_load,
    acwr_rolling,
    acute_ewma,
    chronic_ewma,
    acwr_ewma,
    acwr_band(acwr_ewma) AS acwr_band,
    acwr_band(acwr_rolling) AS acwr_rolling_band,
    sessions,
    history_days
FROM ratios;
