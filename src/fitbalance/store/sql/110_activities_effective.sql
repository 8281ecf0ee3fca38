-- Activities that count: one row per session, duplicates (the same session from a second source) left out.
-- Every other view reads activities through this one.
-- duration_s: moving time for endurance activities (stops at traffic lights are not exercise), elapsed time for
-- everything else (rest between sets is part of a strength session, and a GPS "moving" time means nothing there).
CREATE OR REPLACE VIEW activities_effective AS
SELECT
    e.*,
    e.duration_s / 60.0 AS minutes
FROM (
    SELECT
        a.*,
        CAST(a.start_time_local AS DATE) AS local_date,
        CAST(date_trunc('week', a.start_time_local) AS DATE) AS week_start,
        greatest(0.0, CASE
            WHEN a.subcategory = 'endurance' AND a.moving_s > 0
                THEN least(a.moving_s, coalesce(a.elapsed_s, a.moving_s))
            ELSE coalesce(a.elapsed_s, a.moving_s, 0.0)
        END) AS duration_s
    FROM activities AS a
    WHERE a.duplicate_of IS NULL
) AS e;
