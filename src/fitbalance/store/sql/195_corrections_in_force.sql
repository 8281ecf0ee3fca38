-- What the user corrected by hand, and what each settings override decides: the Data page lists it.
-- One row per `fitbalance classify` correction (activity_corrections), per `fitbalance correct-set` correction
-- (set_corrections), and per settings override that decides at least one loaded activity (classification_reason
-- 'override:<what it matches>'). `activities` counts the loaded activities the row decides now (0: the corrected
-- activity is not loaded, e.g. its file was replaced; the correction waits for it).
CREATE OR REPLACE VIEW corrections_in_force AS
SELECT
    coalesce(a.athlete, c.athlete) AS athlete,
    'fitbalance classify' AS source,
    c.activity_id AS applies_to,
    c.category || '/' || c.subcategory AS result,
    count(a.activity_id) AS activities,
    min(CAST(a.start_time_local AS DATE)) AS first_day,
    max(CAST(a.start_time_local AS DATE)) AS last_day,
    c.corrected_at
FROM activity_corrections AS c
LEFT JOIN activities AS a ON a.activity_id = c.activity_id
GROUP BY ALL
UNION ALL BY NAME
SELECT
    a.athlete,
    'fitbalance correct-set' AS source,
    c.activity_id || ' set ' || c.set_index AS applies_to,
    c.exercise AS result,
    count(a.activity_id) AS activities,
    min(CAST(a.start_time_local AS DATE)) AS first_day,
    max(CAST(a.start_time_local AS DATE)) AS last_day,
    c.corrected_at
FROM set_corrections AS c
LEFT JOIN activities AS a ON a.activity_id = c.activity_id
GROUP BY ALL
UNION ALL BY NAME
SELECT
    athlete,
    'settings override' AS source,
    substr(classification_reason, length('override:') + 1) AS applies_to,
    category || '/' || subcategory AS result,
    count(*) AS activities,
    min(CAST(start_time_local AS DATE)) AS first_day,
    max(CAST(start_time_local AS DATE)) AS last_day,
    CAST(NULL AS TIMESTAMP) AS corrected_at
FROM activities
WHERE starts_with(classification_reason, 'override:')
GROUP BY ALL;
