-- Values that wait for a unit: a weight or distance whose file does not say its unit (Strong's current export and
-- its kg or lbs, a Garmin Connect export that cannot prove km or miles) loads as null, and a `repairs` row with rule
-- `unit_unknown` keeps the cell as written (`original`). One row per such value, with the athlete and the setting
-- that fills it in: set it (`weight_unit` = 'kg' or 'lbs', `distance_unit` = 'km' or 'mi' under the athlete in the
-- settings file) and the next ingest reads the file again, converted. The views treat a waiting weight as unknown
-- (working_sets: no load, no volume, no e1RM; never 0 kg).
CREATE OR REPLACE VIEW waiting_values AS
SELECT
    a.athlete,
    r.table_name,
    r.column_name,
    CASE r.column_name WHEN 'weight_kg' THEN 'weight_unit' ELSE 'distance_unit' END AS setting,
    r.original,
    r.activity_id,
    r.line,
    r.file_id,
    r.path
FROM repairs AS r
JOIN activities AS a ON a.activity_id = r.activity_id
WHERE r.rule = 'unit_unknown';
