"""Nothing is lost: the row accounts of every run (``run_rows``) add up, and agree with the tables they describe."""

from __future__ import annotations

from pathlib import Path

import duckdb

from fitbalance.contracts import TABLE_NAMES


def assert_every_row_is_accounted_for(db: Path) -> dict[str, tuple[int, int, int, int]]:
    """Check, in a database whose files were never replaced by other content at the same path:

    - every run and table: rows read = rows loaded + rows quarantined + rows repeated;
    - every table: the rows all runs loaded are the rows it holds, and the rows they quarantined are the
      ``quarantine`` rows of that table (counted by ``rows``);
    - the fields repaired are the ``repairs`` rows of that table (counted by ``rows``).

    Returns, per table, the sums over all runs: (read, loaded, quarantined, repeated).
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        accounts = con.execute(
            "SELECT run_id, table_name, rows_read, rows_loaded, rows_quarantined, rows_repeated FROM run_rows"
        ).fetchall()
        for run_id, table, read, loaded, quarantined, repeated in accounts:
            assert read == loaded + quarantined + repeated, (run_id, table, read, loaded, quarantined, repeated)
        totals: dict[str, tuple[int, int, int, int]] = {}
        for table in TABLE_NAMES:
            read, loaded, quarantined, repeated, repaired = con.execute(
                "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
                "coalesce(sum(rows_quarantined), 0), coalesce(sum(rows_repeated), 0), "
                "coalesce(sum(fields_repaired), 0) FROM run_rows WHERE table_name = ?",
                [table],
            ).fetchall()[0]
            held = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # our own table names
            set_aside = con.execute(
                "SELECT coalesce(sum(rows), 0) FROM quarantine WHERE table_name = ?", [table]
            ).fetchall()[0][0]
            recorded = con.execute(
                "SELECT coalesce(sum(rows), 0) FROM repairs WHERE table_name = ?", [table]
            ).fetchall()
            assert (loaded, quarantined, repaired) == (held, set_aside, recorded[0][0]), table
            totals[table] = (read, loaded, quarantined, repeated)
        return totals
    finally:
        con.close()
