-- Activities that count: one row per session, duplicates (the same session from a second source) left out.
-- Every other view reads activities through this one.
-- recorded_s: the timer time, as the athlete's watch or app recorded it (pauses left out: FIT total_timer_time,
-- Connect's Time); for endurance activities the moving time where it is lower (stops at traffic lights are not
-- exercise; for strength a GPS "moving" time means nothing, rest between sets is part of the session); the elapsed
-- time only where no timer time is given (a 0 beside a non-zero one was repaired as "no reading").
-- duration_s: the recorded time, but an activity counts only until the athlete's next activity starts (local time;
-- of two starting together the longer counts): time is counted once, so no week can hold more than its 168 hours.
CREATE OR REPLACE VIEW activities_effective AS
WITH recorded AS (
    SELECT
        a.*,
        CAST(a.start_time_local AS DATE) AS local_date,
        CAST(date_trunc('week', a.start_time_local) AS DATE) AS week_start,
        greatest(0.0, CASE
            WHEN a.subcategory = 'endurance' AND a.moving_s > 0
                THEN least(a.moving_s, coalesce(a.timer_s, a.elapsed_s, a.moving_s))
            ELSE coalesce(a.timer_s, a.elapsed_s, a.moving_s, 0.0)
        END) AS recorded_s
    FROM activities AS a
    WHERE a.duplicate_of IS NULL
),
sequenced AS (
    SELECT
        r.*,
        lead(r.start_time_local) OVER (
            PARTITION BY r.athlete ORDER BY r.start_time_local, r.recorded_s, r.activity_id
        ) AS next_start_local
    FROM recorded AS r
),
counted AS (
    SELECT
        s.* EXCLUDE (next_start_local),
        least(
            s.recorded_s,
            coalesce(date_diff('microsecond', s.start_time_local, s.next_start_local) / 1e6, s.recorded_s)
        ) AS duration_s
    FROM sequenced AS s
)
SELECT
    c.*,
    c.duration_s / 60.0 AS minutes,
    c.start_time_local + to_microseconds(CAST(round(c.duration_s * 1e6) AS BIGINT)) AS end_time_local
FROM counted AS c;
