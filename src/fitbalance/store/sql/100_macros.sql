-- Formulas shared by the views; they are catalogue macros, so any DuckDB client can call them too.
-- docs/views.md gives each formula with its source.

-- Estimated one-repetition maximum, Epley (1985): w x (1 + r / 30).
CREATE OR REPLACE MACRO e1rm_epley(weight_kg, reps) AS weight_kg * (1 + reps / 30.0);

-- Estimated one-repetition maximum, Brzycki (1993): w x 36 / (37 - r).
CREATE OR REPLACE MACRO e1rm_brzycki(weight_kg, reps) AS weight_kg * 36.0 / (37 - reps);

-- Estimated one-repetition maximum from reps and reps in reserve: w x (1 + (r + RIR) / 30), Epley counting the reps
-- the set had left (the RIR-based RPE scale of Zourdos et al. 2016, applied as in Helms et al. 2016: RIR = 10 - RPE).
CREATE OR REPLACE MACRO e1rm_rir(weight_kg, reps, rir) AS weight_kg * (1 + (reps + rir) / 30.0);

-- The reps a set's e1RM counts: a set of more than 10 reps counts as 10 (it moved the weight 10 times at least; beyond
-- 10 reps the formulas drift), so a high-rep set gets a conservative e1RM instead of none.
CREATE OR REPLACE MACRO e1rm_reps(reps) AS least(reps, 10);

-- Fraction of heart-rate reserve (Karvonen 1957), clamped to 0..1: (hr - rest) / (max - rest).
CREATE OR REPLACE MACRO hr_reserve_fraction(hr, resting_hr, max_hr) AS
    greatest(0.0, least(1.0, (hr - resting_hr) / nullif(max_hr - resting_hr, 0)));

-- Banister TRIMP per minute at a heart-rate-reserve fraction x: x * 0.64 e^(1.92 x) for men, x * 0.86 e^(1.67 x)
-- for women, the mean of the two when sex is unknown.
CREATE OR REPLACE MACRO trimp_weight(hrr, sex) AS
    hrr * CASE sex
        WHEN 'male' THEN 0.64 * exp(1.92 * hrr)
        WHEN 'female' THEN 0.86 * exp(1.67 * hrr)
        ELSE (0.64 * exp(1.92 * hrr) + 0.86 * exp(1.67 * hrr)) / 2
    END;

-- Session RPE (0-10) to a heart-rate-reserve fraction: (rpe - 1) / 10, so WHO's 5-6 is 0.4-0.5 (moderate) and
-- 7-8 is 0.6-0.7 (vigorous).
CREATE OR REPLACE MACRO rpe_reserve_fraction(rpe) AS greatest(0.0, least(1.0, (rpe - 1) / 10.0));

-- Percent change from b to a; null when b is not positive.
CREATE OR REPLACE MACRO pct_change(a, b) AS CASE WHEN b > 0 THEN (a - b) / b * 100.0 END;

-- acwr_band(ratio), is_lifting_app(source_format), is_counted_set(set_type) and is_exercise_row(set_type) are made
-- from the lists in fitbalance/contracts.py (ACWR_BANDS, LIFTING_APPS, COUNTED_SET_TYPES, NOT_EXERCISE_SET_TYPES)
-- before these files run.
