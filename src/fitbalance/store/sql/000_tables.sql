-- fitbalance tables: the contract users query. Every column is documented in docs/tables.md.
-- Times are naive TIMESTAMP values in UTC unless the column name ends in _local; units are SI.

CREATE TABLE IF NOT EXISTS source_files (
    file_id            VARCHAR PRIMARY KEY,  -- sha256 of the file's (decompressed) content
    path               VARCHAR NOT NULL,     -- where it was found; archive members as archive.zip!/member
    format             VARCHAR NOT NULL,     -- fit | csv:<dialect> | unknown
    size_bytes         BIGINT,
    status             VARCHAR NOT NULL,     -- loaded | skipped | quarantined
    detail             VARCHAR,              -- FIT file type when skipped, first reason when quarantined
    athlete            VARCHAR NOT NULL,
    first_ingested_at  TIMESTAMP NOT NULL,
    last_seen_at       TIMESTAMP NOT NULL,
    run_id             VARCHAR               -- the ingest run that last wrote this row
);

CREATE TABLE IF NOT EXISTS activities (
    activity_id                VARCHAR PRIMARY KEY,
    file_id                    VARCHAR NOT NULL,
    athlete                    VARCHAR NOT NULL,
    source_format              VARCHAR NOT NULL,
    session_index              INTEGER NOT NULL,
    sport                      VARCHAR,
    sub_sport                  VARCHAR,
    name                       VARCHAR,
    start_time_utc             TIMESTAMP NOT NULL,
    utc_offset_s               INTEGER NOT NULL,
    start_time_local           TIMESTAMP NOT NULL,
    elapsed_s                  DOUBLE,
    moving_s                   DOUBLE,
    distance_m                 DOUBLE,
    calories_kcal              DOUBLE,
    avg_hr                     DOUBLE,
    max_hr                     DOUBLE,
    device                     VARCHAR,
    rpe                        DOUBLE,
    source_ref                 VARCHAR,
    category                   VARCHAR NOT NULL,  -- resistance | other
    subcategory                VARCHAR NOT NULL,  -- strength | endurance | flexibility | balance | mixed | sport | other
    classification_reason      VARCHAR NOT NULL,
    classification_confidence  DOUBLE NOT NULL,
    duplicate_of               VARCHAR            -- set when this is the same session as another activity
);

CREATE TABLE IF NOT EXISTS strength_sets (
    activity_id        VARCHAR NOT NULL,
    set_index          INTEGER NOT NULL,
    start_time_utc     TIMESTAMP,
    duration_s         DOUBLE,
    set_type           VARCHAR NOT NULL,  -- working | warmup | drop | failure | rest
    exercise_category  VARCHAR,           -- FIT exercise category (top guess)
    exercise_guesses   VARCHAR[],         -- the watch's ranked guesses, raw
    exercise_name      VARCHAR,           -- the name as the source wrote it
    exercise           VARCHAR,           -- canonical exercise from the catalogue; null when unmapped
    reps               INTEGER,
    weight_kg          DOUBLE,            -- 0 = bodyweight
    distance_m         DOUBLE,
    rpe                DOUBLE,
    notes              VARCHAR,
    PRIMARY KEY (activity_id, set_index)
);

CREATE TABLE IF NOT EXISTS samples (
    activity_id    VARCHAR NOT NULL,
    timestamp_utc  TIMESTAMP NOT NULL,
    heart_rate     INTEGER,
    speed_mps      DOUBLE,
    cadence        DOUBLE,
    power_w        DOUBLE,
    distance_m     DOUBLE,
    altitude_m     DOUBLE,
    lat            DOUBLE,  -- degrees
    lon            DOUBLE   -- degrees
);

CREATE TABLE IF NOT EXISTS laps (
    activity_id     VARCHAR NOT NULL,
    lap_index       INTEGER NOT NULL,
    start_time_utc  TIMESTAMP,
    elapsed_s       DOUBLE,
    distance_m      DOUBLE,
    avg_hr          DOUBLE,
    max_hr          DOUBLE
);

CREATE TABLE IF NOT EXISTS quarantine (
    file_id     VARCHAR,            -- null when the file could not even be read
    path        VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,   -- discover | decode | decode:settings (retried next run) | validate:<table> | load
    reason      VARCHAR NOT NULL,   -- the rule that failed and why
    payload     VARCHAR,            -- the row's values as JSON, when a row failed
    run_id      VARCHAR,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id          VARCHAR PRIMARY KEY,
    flow_run_id     VARCHAR,
    started_at      TIMESTAMP NOT NULL,
    ended_at        TIMESTAMP,
    outcome         VARCHAR NOT NULL,  -- running | completed | failed | interrupted (killed; marked by the next run)
    files_seen      INTEGER,
    files_loaded    INTEGER,
    files_skipped   INTEGER,
    files_known     INTEGER,
    files_quarantined INTEGER,
    activities_added INTEGER,
    sets_added      INTEGER,
    detail          VARCHAR
);

-- Every path each ingest run discovered and what became of it: with source_files and quarantine, the proof that no
-- file is lost (`fitbalance status` lists any row whose file is in no table).
CREATE TABLE IF NOT EXISTS run_files (
    run_id   VARCHAR NOT NULL,
    path     VARCHAR NOT NULL,
    file_id  VARCHAR,           -- sha256 of the content; null when discovery refused the file
    outcome  VARCHAR NOT NULL   -- pending (not reached: the run ended first) | loaded | skipped | quarantined
                                -- | known (content already in source_files) | refused (a 'discover' quarantine row)
);

-- Refreshed from the settings file on every run: one row per athlete.
CREATE TABLE IF NOT EXISTS athletes (
    athlete      VARCHAR PRIMARY KEY,
    time_zone    VARCHAR NOT NULL,   -- IANA zone used when a source has no offset
    birth_year   INTEGER,
    max_hr       DOUBLE,             -- null: views use 208 - 0.7 x age (Tanaka), or 190 without a birth year
    resting_hr   DOUBLE,             -- null: views use 60
    sex          VARCHAR,            -- male | female | null (TRIMP coefficient)
    units        VARCHAR NOT NULL    -- metric | imperial (display only; data stays SI)
);

-- Refreshed from the packaged exercise catalogue plus the settings file's mappings on every run.
CREATE TABLE IF NOT EXISTS exercises (
    exercise           VARCHAR PRIMARY KEY,  -- canonical name, e.g. 'Bench Press'
    fit_category       VARCHAR,              -- FIT exercise category, e.g. 'bench_press'
    primary_muscles    VARCHAR[],
    secondary_muscles  VARCHAR[],
    equipment          VARCHAR,
    bodyweight         BOOLEAN NOT NULL,     -- true: load is the body (reps count, weight_kg is added load)
    kind               VARCHAR NOT NULL DEFAULT 'resistance'  -- resistance | cardio | mobility: only resistance
                                                               -- sets count as resistance volume
);
-- A database made before `kind` existed gets the column here; the next run's refresh fills it.
ALTER TABLE exercises ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'resistance';
