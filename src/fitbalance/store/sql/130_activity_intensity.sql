-- Per effective activity: aerobic intensity (moderate and vigorous minutes) and training load.
--
-- Heart-rate zones use the heart-rate reserve (Karvonen): x = (hr - resting) / (max - resting), with max from the
-- athletes table, else 208 - 0.7 x age (Tanaka 2001), else 190; resting from the table, else 60.
-- Moderate is 0.40 <= x < 0.60, vigorous x >= 0.60 (ACSM 40-59 % / >= 60 % HRR).
--
-- Where does the intensity come from (intensity_source), first that applies:
--   heart_rate     the activity's heart-rate histogram (activity_hr_seconds): the share of heart-rate time in each
--                  zone, applied to the activity's minutes; TRIMP = minutes x the mean TRIMP weight of that time
--   avg_hr         the activity's average heart rate, for all of its minutes
--   rpe            session RPE (0-10), as x = (rpe - 1) / 10: 5-6 moderate, 7+ vigorous (WHO's 0-10 scale)
--   activity_kind  no heart rate, no RPE: flexibility and balance are light (x = 0.3); running at >= 1.8 m/s
--                  and cycling at >= 4.47 m/s (Compendium: >= 6 MET) are vigorous (x = 0.7); the rest is
--                  moderate (x = 0.5)
--
-- Aerobic minutes and endurance_load count for category 'other' only: WHO counts muscle-strengthening apart from
-- aerobic activity, so a lifting session adds strength_load instead, as session RPE (Foster 2001): minutes x the
-- TRIMP weight of x = (rpe - 1) / 10. The session's RPE is the activity's own (a session RPE), else the mean RPE of
-- its resistance working sets where the lifting app logged one (strength_rpe_source 'sets'), else 5 ("hard").
-- Heart rate is not used for lifting: it under-reads the effort of resistance work, which is why Foster proposed
-- session RPE.
CREATE OR REPLACE VIEW activity_intensity AS
WITH params AS (
    SELECT
        a.activity_id,
        a.athlete,
        a.local_date,
        a.week_start,
        a.category,
        a.subcategory,
        a.sport,
        a.sub_sport,
        a.minutes,
        a.avg_hr,
        a.rpe,
        set_rpe.mean_set_rpe,
        ath.sex,
        year(a.local_date) - ath.birth_year AS age,
        coalesce(ath.max_hr, 208 - 0.7 * (year(a.local_date) - ath.birth_year), 190.0) AS hr_max_used,
        coalesce(ath.resting_hr, 60.0) AS hr_rest_used,
        CASE WHEN a.duration_s > 0 AND a.distance_m > 0 THEN a.distance_m / a.duration_s END AS avg_speed_mps,
        lower(coalesce(a.sport, '') || ' ' || coalesce(a.sub_sport, '')) AS sport_text
    FROM activities_effective AS a
    LEFT JOIN athletes AS ath ON ath.athlete = a.athlete
    LEFT JOIN (
        SELECT activity_id, avg(rpe) AS mean_set_rpe
        FROM working_sets
        WHERE rpe > 0 AND is_resistance
        GROUP BY activity_id
    ) AS set_rpe ON set_rpe.activity_id = a.activity_id
),
hr_rows AS (
    SELECT
        p.activity_id,
        p.sex,
        h.seconds,
        hr_reserve_fraction(h.heart_rate, p.hr_rest_used, p.hr_max_used) AS hrr
    FROM params AS p
    JOIN activity_hr_seconds AS h ON h.activity_id = p.activity_id
),
hr AS (
    SELECT
        activity_id,
        sum(seconds) AS hr_seconds,
        coalesce(sum(seconds) FILTER (WHERE hrr >= 0.4 AND hrr < 0.6), 0.0) AS moderate_s,
        coalesce(sum(seconds) FILTER (WHERE hrr >= 0.6), 0.0) AS vigorous_s,
        sum(seconds * trimp_weight(hrr, sex)) AS trimp_s
    FROM hr_rows
    GROUP BY activity_id
),
sourced AS (
    SELECT
        p.*,
        hr.hr_seconds / 60.0 AS hr_minutes,
        CASE WHEN p.minutes > 0 THEN p.minutes ELSE coalesce(hr.hr_seconds, 0.0) / 60.0 END AS base_minutes,
        CASE
            WHEN hr.hr_seconds > 0 THEN 'heart_rate'
            WHEN p.avg_hr > 0 THEN 'avg_hr'
            WHEN p.rpe > 0 THEN 'rpe'
            ELSE 'activity_kind'
        END AS intensity_source,
        -- the heart-rate reserve fraction standing for the whole activity when there are no samples
        CASE
            WHEN hr.hr_seconds > 0 THEN NULL
            WHEN p.avg_hr > 0 THEN hr_reserve_fraction(p.avg_hr, p.hr_rest_used, p.hr_max_used)
            WHEN p.rpe > 0 THEN rpe_reserve_fraction(p.rpe)
            WHEN p.subcategory IN ('flexibility', 'balance') THEN 0.3
            WHEN regexp_matches(p.sport_text, 'run') AND p.avg_speed_mps >= 1.8 THEN 0.7
            WHEN regexp_matches(p.sport_text, 'cycl|bik|ride') AND NOT regexp_matches(p.sport_text, 'e.?bik')
                AND p.avg_speed_mps >= 4.47 THEN 0.7
            ELSE 0.5
        END AS whole_hrr,
        hr.moderate_s / hr.hr_seconds AS hr_moderate_share,
        hr.vigorous_s / hr.hr_seconds AS hr_vigorous_share,
        hr.trimp_s / hr.hr_seconds AS hr_trimp_per_minute
    FROM params AS p
    LEFT JOIN hr ON hr.activity_id = p.activity_id
),
shares AS (
    SELECT
        s.*,
        coalesce(s.hr_moderate_share, CASE WHEN s.whole_hrr >= 0.4 AND s.whole_hrr < 0.6 THEN 1.0 ELSE 0.0 END)
            AS moderate_share,
        coalesce(s.hr_vigorous_share, CASE WHEN s.whole_hrr >= 0.6 THEN 1.0 ELSE 0.0 END) AS vigorous_share,
        coalesce(s.hr_trimp_per_minute, trimp_weight(s.whole_hrr, s.sex)) AS trimp_per_minute,
        coalesce(s.rpe, s.mean_set_rpe, 5.0) AS rpe_used,
        CASE WHEN s.rpe IS NOT NULL THEN 'session' WHEN s.mean_set_rpe IS NOT NULL THEN 'sets' ELSE 'default' END
            AS rpe_source
    FROM sourced AS s
),
scored AS (
    SELECT
        activity_id,
        athlete,
        local_date,
        week_start,
        category,
        subcategory,
        sport,
        minutes,
        hr_minutes,
        intensity_source,
        whole_hrr,
        age,
        hr_max_used,
        hr_rest_used,
        CASE WHEN category = 'other' THEN base_minutes * moderate_share ELSE 0.0 END AS moderate_minutes,
        CASE WHEN category = 'other' THEN base_minutes * vigorous_share ELSE 0.0 END AS vigorous_minutes,
        CASE WHEN category = 'other' THEN base_minutes * trimp_per_minute ELSE 0.0 END AS endurance_load,
        CASE WHEN category = 'resistance' THEN rpe_used END AS strength_rpe,
        CASE WHEN category = 'resistance' THEN rpe_source END AS strength_rpe_source,
        CASE
            WHEN category = 'resistance' THEN base_minutes * trimp_weight(rpe_reserve_fraction(rpe_used), sex)
            ELSE 0.0
        END AS strength_load
    FROM shares
)
SELECT
    *,
    endurance_load + strength_load AS total_load
FROM scored;
