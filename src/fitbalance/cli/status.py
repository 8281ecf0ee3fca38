"""``fitbalance status``: the last ingest runs with their row accounts, the repairs, the values waiting for a unit
setting, the assumed UTC offsets, the files not read again, and any file a run saw that is in no table."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from fitbalance.cli.common import CommandFailed, DbOption, console, db_path, err


def _duration(start: datetime, end: datetime | None) -> str:
    if end is None:
        return "-"
    seconds = round((end - start).total_seconds())
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def status(
    db: DbOption = None,
    runs: Annotated[int, typer.Option(help="How many recent ingest runs to show", min=1)] = 10,
) -> None:
    """Show the last ingest runs with their row accounts, the repairs, the values waiting for a unit setting, the
    activities whose UTC offset was assumed, and any file a run saw that is in no table (exit status 1 when there
    is one)."""
    from fitbalance.store import ledger as store
    from fitbalance.store import read

    target = db_path(db)
    if not target.exists():
        raise CommandFailed(f"no database at {target}: run `fitbalance ingest` first")
    with read.reading(target, retries=60, wait_s=0.5, on_wait=read.once(lambda m: err.print(f"[yellow]{m}[/]"))) as con:
        recent = store.last_runs(con, runs)
        missing = store.unaccounted_files(con)
        accounts = read.run_rows(con, [r["run_id"] for r in recent])
        repairs = read.repair_summary(con)
        waiting = read.waiting_values(con)
        sources = read.offset_sources(con)
        assumed = read.assumed_offsets(con, limit=5)
        not_reread = store.reread_problems(con)
        retries = store.retry_states(con)
    console.print(f"[bold]last {len(recent)} ingest runs in {target}[/] (newest first)")
    for r in recent:
        style = {"completed": "green", "running": "cyan"}.get(r["outcome"], "red")
        took = _duration(r["started_at"], r["ended_at"])
        console.print(
            f"  {r['run_id'][:8]}  {r['started_at']:%Y-%m-%d %H:%M} UTC  {took}  [{style}]{r['outcome']}[/]"
            + (f"  flow run {r['flow_run_id']}" if r["flow_run_id"] else "")
        )
        if r["files_seen"] is not None:
            console.print(
                f"      {r['files_seen']} seen: {r['files_loaded']} loaded, {r['files_skipped']} skipped, "
                f"{r['files_known']} known, {r['files_quarantined']} quarantined; "
                f"{r['activities_added']} activities and {r['sets_added']} sets added"
            )
        if r["detail"]:
            console.print(f"      {r['detail']}")
        console.print(_accounts_line(accounts.filter(accounts["run_id"] == r["run_id"])))
    _print_repairs_and_offsets(repairs, sources, assumed)
    for line in read.waiting_lines(waiting):
        console.print(f"[yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)
    live = store.ingest_running(target)
    for r in recent:
        if r["outcome"] == "running" and not live:
            killed = f"run {r['run_id'][:8]} is marked running but no ingest is: it was killed"
            console.print(f"[yellow]{killed}; the next ingest marks it interrupted.[/]")
    _print_rereads(not_reread, retries)
    in_progress = [m for m in missing if live and m["run_outcome"] == "running"]
    missing = [m for m in missing if m not in in_progress]
    if in_progress:
        console.print(f"{len(in_progress)} files are still to be ingested by the run in progress.")
    if not missing:
        console.print("Every file a run has seen is in source_files or, refused, in quarantine.")
        return
    console.print(f"[red]{len(missing)} files were seen but are in no table:[/]")
    for m in missing[:50]:
        console.print(f"  {m['path']} (run {m['run_id'][:12]}, {m['run_outcome']}, file {m['outcome']})")
    if len(missing) > 50:
        console.print(f"  ... and {len(missing) - 50} more")
    if all(m["outcome"] == "pending" for m in missing):
        console.print("They were not reached before their run ended: run `fitbalance ingest` again to load them.")
    raise typer.Exit(1)


def _accounts_line(accounts: Any) -> str:
    """One run's row accounts per table (read = loaded + quarantined + already loaded), and what does not add up."""
    if accounts.is_empty():
        return "      rows: not recorded"
    parts, broken, repaired = [], [], 0
    names = {"strength_sets": "sets"}
    for row in accounts.iter_rows(named=True):
        table, read_ = row["table_name"], row["rows_read"]
        counts = (read_, row["rows_loaded"], row["rows_quarantined"], row["rows_repeated"])
        repaired += row["fields_repaired"]
        if read_:
            parts.append(f"{names.get(table, table)} " + "/".join(f"{n:,}" for n in counts))
        lost = read_ - sum(counts[1:])
        if lost:
            broken.append(f"[red]{lost:,} {table} rows read are in no table: please report it[/]")
    line = "      rows read/loaded/quarantined/already loaded: " + (", ".join(parts) or "none")
    line += f"; {repaired:,} fields repaired" if repaired else ""
    return line + "".join(f"\n      {b}" for b in broken)


def _print_repairs_and_offsets(repairs: list[tuple[str, str, int, int]], sources: dict[str, int], assumed: Any) -> None:
    if repairs:
        console.print('[bold]repairs[/] (fields loaded as null; see `fitbalance sql "SELECT * FROM repairs"`):')
        for rule, field, activities, rows in repairs:
            console.print(f"  {rule} {field}: {rows:,} values in {activities:,} activities")
    if sources:
        listed = ", ".join(f"{n:,} {source}" for source, n in sorted(sources.items(), key=lambda kv: -kv[1]))
        console.print(f"[bold]UTC offsets[/] of the activities that count: {listed}")
    if not assumed.is_empty():
        total = sources.get("assumed_utc", assumed.height)
        console.print(
            f"[yellow]{total:,} activities have times read as UTC: no time_zone is set for their athlete and no FIT "
            "file of theirs gives an offset. Set time_zone in the settings file (or ingest the watch's FIT files); "
            "the next ingest places them.[/]"
        )
        for row in assumed.iter_rows(named=True):
            console.print(f"  {row['start_time_local']:%Y-%m-%d %H:%M}  {row['athlete']}  {row['path']}")


def _print_rereads(not_reread: list[dict[str, Any]], retries: list[dict[str, Any]]) -> None:
    """Files that could not be read again, and quarantined files waiting for (or past) another attempt."""
    from fitbalance.rereads import MAX_ATTEMPTS

    if not_reread:
        console.print(f"[yellow]{len(not_reread)} files could not be read again[/] (their rows stay as they were):")
        for r in not_reread[:50]:
            console.print(f"  {escape(r['path'])}: {escape(r['problem'])}", highlight=False, soft_wrap=True)
    waiting = [r for r in retries if r["attempts"] < MAX_ATTEMPTS]
    given_up = [r for r in retries if r["attempts"] >= MAX_ATTEMPTS]
    if waiting:
        console.print(f"{len(waiting)} quarantined files failed for a reason not their own; the next ingest retries:")
        for r in waiting[:50]:
            console.print(
                f"  {escape(r['path'])} (attempt {r['attempts']} of {MAX_ATTEMPTS}): {escape(r['detail'] or '')}",
                highlight=False,
                soft_wrap=True,
            )
    if given_up:
        console.print(
            f"[yellow]{len(given_up)} quarantined files failed {MAX_ATTEMPTS} times for a reason not their own; "
            "given up[/] (fitbalance ingest --retry-quarantined tries them again):"
        )
        for r in given_up[:50]:
            console.print(f"  {escape(r['path'])}: {escape(r['detail'] or '')}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(status)
