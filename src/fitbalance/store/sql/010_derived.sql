-- Derived tables: facts the views need that are too costly to compute from `samples` on every query.
-- They are rebuilt by fitbalance.store.views.refresh_derived(con, activity_ids); the loader calls it after each batch.
-- They hold nothing that depends on the settings file, so changing an athlete's max or resting heart rate takes
-- effect in the views at once, without a refresh.

-- Time spent at each heart rate, per activity: the heart-rate histogram the intensity and TRIMP views read.
-- A sample's heart rate holds until the next sample (sample and hold); the interval is capped at 30 s, so a pause or
-- a lost signal does not count as effort. Heart rates outside 25-250 bpm are dropped as sensor noise.
CREATE TABLE IF NOT EXISTS activity_hr_seconds (
    activity_id  VARCHAR NOT NULL,
    heart_rate   INTEGER NOT NULL,  -- bpm
    seconds      DOUBLE NOT NULL,   -- time at this heart rate
    samples      BIGINT NOT NULL    -- samples at this heart rate
);
