"""The weekly report: one self-contained HTML file with the week's balance and overload summary.

``render_report`` is pure (frames in, HTML out). The file needs no network to open: the Vega, Vega-Lite and
Vega-Embed JavaScript is inlined, from the bundle the ``vl-convert-python`` package ships, and the chart data is
inlined in each chart's specification. ``write_report`` reads the views read-only and writes the file.
"""

from __future__ import annotations

import functools
import html
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from fitbalance import charts, summaries
from fitbalance.store import read

REPORT_WEEKS = 12
MAX_EXERCISE_CHARTS = 6


@dataclass(frozen=True)
class AthleteFrames:
    """What the report shows for one athlete: view frames (SI units) and the athlete's display units."""

    athlete: str
    units: str
    balance: pl.DataFrame  # weekly_balance, all weeks
    progress: pl.DataFrame  # exercise_progress, the report's weeks
    records: pl.DataFrame  # personal_records
    muscles: pl.DataFrame  # muscle_group_weekly, all weeks
    targets: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=read.WEEKLY_TARGETS_COLUMNS))
    # weekly_targets at the report's clock, all weeks
    plan: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=read.NEXT_SESSION_COLUMNS))
    # exercise_next_session: what to lift next time


@functools.cache
def vega_javascript() -> str:
    """The Vega + Vega-Lite + Vega-Embed bundle matching Altair's Vega-Lite version, from vl-convert-python.

    About 0.9 MB; built once per process (vl-convert bundles it on the first call, which takes a second or two).
    """
    import altair
    import vl_convert

    vl_version = "_".join(altair.SCHEMA_VERSION.split(".")[:2])  # v6.4.1 -> v6_4, the Vega-Lite Altair writes

    # The type stub makes ``snippet`` required; at run time its default assigns vegaEmbed, vega and vegaLite to window.
    javascript_bundle: Callable[..., str] = vl_convert.javascript_bundle
    return javascript_bundle(vl_version=vl_version)


def _script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(value).replace("</", "<\\/").replace("<!--", "<\\!--")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _card(label: str, value: str, note: str = "", tone: str = "") -> str:
    note_html = f'<div class="note">{_e(note)}</div>' if note else ""
    return (
        f'<div class="card {tone}"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div>{note_html}</div>'
    )


def _signed(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return ""
    return f"{value:+.0f}{unit} vs last week"


def _fmt(value: object, digits: int = 1) -> str:
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return "–"


def _percent(value: object) -> str:
    return f"{value:+.1f} %" if isinstance(value, int | float) else "–"


class _Charts:
    """Collects chart specs under element ids."""

    def __init__(self) -> None:
        self.specs: dict[str, dict[str, Any]] = {}

    def add(self, chart: charts.Chart, css: str = "chart") -> str:
        chart_id = f"chart-{len(self.specs) + 1}"
        self.specs[chart_id] = chart.to_dict(validate=False)  # the chart builders are validated by their tests
        return f'<div class="{css}" id="{chart_id}"></div>'


def _balance_section(frames: AthleteFrames, week: date, out: _Charts) -> str:
    first = week - timedelta(weeks=REPORT_WEEKS - 1)
    shown = frames.balance.filter(pl.col("week_start").is_between(first, week))
    this = summaries.week_balance(frames.balance, week)
    if this is None:
        return '<p class="empty">No activities this week.</p>'
    streak = summaries.guideline_streak(frames.balance, week)
    verdict = "Met" if this.meets_guideline else "Not yet"
    gap = summaries.guideline_shortfall(this)
    cards = [
        _card(
            "Aerobic minutes (WHO)",
            f"{this.who_aerobic_minutes:.0f} / {summaries.WHO_AEROBIC_MINUTES:.0f}",
            _signed(this.aerobic_delta, " min"),
            "good" if this.meets_aerobic else "short",
        ),
        _card(
            "Strength days",
            f"{this.resistance_days} / {summaries.WHO_STRENGTH_DAYS}",
            _signed(this.strength_days_delta),
            "good" if this.meets_strength else "short",
        ),
        _card("Resistance minutes", f"{this.resistance_minutes:.0f}", _signed(this.resistance_minutes_delta)),
        _card("Other exercise minutes", f"{this.other_minutes:.0f}", _signed(this.other_minutes_delta)),
        _card(
            "WHO guideline",
            verdict,
            "" if this.meets_guideline else f"needs {gap}",
            "good" if this.meets_guideline else "short",
        ),
        _card(
            "Guideline streak",
            f"{streak.current} week{'s' if streak.current != 1 else ''}",
            f"{streak.met_in_window} of the last {summaries.STREAK_WINDOW_WEEKS} weeks met",
        ),
    ]
    if this.is_65_plus:
        cards.append(
            _card(
                "Multicomponent days (65+)",
                f"{this.multicomponent_days} / {summaries.WHO_MULTICOMPONENT_DAYS}",
                tone="good" if this.meets_multicomponent else "short",
            )
        )
    share = (
        f"<p>Resistance training was {this.resistance_share:.0%} of this week's exercise minutes.</p>"
        if this.resistance_share is not None
        else ""
    )
    return (
        "<h3>Weekly balance</h3>"
        f'<div class="cards">{"".join(cards)}</div>{share}'
        f"{out.add(charts.streak_chart(streak), 'chart streak')}"
        f"{out.add(charts.balance_chart(shown))}"
        f"{out.add(charts.strength_days_chart(shown))}"
    )


def _overload_section(frames: AthleteFrames, week: date, out: _Charts) -> str:
    unit = summaries.mass_unit(frames.units)
    first = week - timedelta(weeks=REPORT_WEEKS - 1)
    progress = frames.progress.filter(pl.col("week_start").is_between(first, week))
    if progress.is_empty():
        return (
            "<h3>Progressive overload</h3>"
            '<p class="empty">No strength sets yet: ingest a FIT strength activity or a Hevy/Strong export.</p>'
        )
    summary = summaries.overload_summary(progress, frames.records, week)
    counts = summaries.status_counts(summary)
    cards = "".join(
        _card(status.capitalize(), str(counts[status]), tone=f"status-{status}")
        for status in ("progressing", "holding", "stalled", "regressing")
    )
    if summary.is_empty():
        table = '<p class="empty">No strength sets this week.</p>'
        names = summaries.exercises_by_sets(progress)[:MAX_EXERCISE_CHARTS]
    else:
        rows = []
        for row in summary.iter_rows(named=True):
            record = row["is_e1rm_pr"] or row["is_weight_pr"] or row["is_reps_pr"]
            rows.append(
                "<tr>"
                f"<td>{_e(row['exercise'])}{' <span class=star>★ record</span>' if record else ''}</td>"
                f'<td><span class="pill status-{_e(row["status"])}">{_e(row["status"])}</span></td>'
                f'<td class="num">{row["working_sets"]}</td>'
                f'<td class="num">{row["total_reps"]}</td>'
                f'<td class="num">{_fmt(unit.show(row["top_set_kg"]))}</td>'
                f'<td class="num">{_fmt(unit.show(row["best_e1rm_kg"]))}</td>'
                f'<td class="num">{_percent(row["e1rm_change_pct"])}</td>'
                f'<td class="num">{_fmt(unit.show(row["volume_load_kg"]), 0)}</td>'
                "</tr>"
            )
        table = (
            "<table><thead><tr><th>exercise</th><th>status</th><th>sets</th><th>reps</th>"
            f"<th>top set ({unit.label})</th><th>best e1RM ({unit.label})</th><th>e1RM vs previous</th>"
            f"<th>volume ({unit.label})</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
        names = summary.get_column("exercise").to_list()[:MAX_EXERCISE_CHARTS]
    exercise_charts = "".join(out.add(charts.exercise_chart(progress, frames.records, n, unit)) for n in names)
    weeks = summaries.weeks_between(first, week)
    groups = sorted(set(frames.muscles.get_column("muscle_group").drop_nulls().to_list()))
    heat = summaries.muscle_heatmap_frame(
        frames.muscles.filter(pl.col("week_start").is_between(first, week)), weeks, groups
    )
    heat_html = out.add(charts.muscle_heatmap(heat)) if not heat.is_empty() else ""
    return (
        "<h3>Progressive overload</h3>"
        f'<div class="cards">{cards}</div>{table}'
        f'<div class="grid">{exercise_charts}</div>'
        f"{out.add(charts.volume_chart(progress, unit))}{heat_html}"
    )


# ---- the week's targets: met and missed (weekly_targets) ----------------------------------------------------------


def _target_range(low: object, high: object) -> str:
    if isinstance(high, int | float):
        return f"{_fmt(low, 0)}–{_fmt(high, 0)}"
    return f"≥ {_fmt(low, 0)}"


def _targets_section(frames: AthleteFrames, week: date) -> str:
    rows = frames.targets.filter(pl.col("week_start") == week)
    if rows.is_empty():
        return ""
    met, missed = summaries.targets_met_and_missed(frames.targets, week)
    left = summaries.week_left(frames.targets, week)
    running = left is not None and left.days_left > 0
    lines = []
    for row in rows.iter_rows(named=True):
        status = str(row["status"])
        lines.append(
            "<tr>"
            f"<td>{_e(summaries.target_label(str(row['target'])))}</td>"
            f'<td><span class="pill target-{_e(status)}">{_e(status.replace("_", " "))}</span></td>'
            f'<td class="num">{_fmt(row["actual"], 0)}</td>'
            f'<td class="num">{_e(_target_range(row["low"], row["high"]))}</td>'
            f'<td class="num">{_fmt(row["remaining"], 0)}</td>'
            "</tr>"
        )
    note = (
        f"<p>{_e(summaries.left_in_words(left).capitalize())} ({left.days_left} days to go).</p>"
        if running and left is not None
        else ""
    )
    return (
        "<h3>Targets</h3>"
        f"<p>{len(met)} of {len(met) + len(missed)} targets met"
        f"{' so far' if running else ''}; missed: {_e(', '.join(missed) or 'none')}.</p>{note}"
        "<table><thead><tr><th>target</th><th>status</th><th>actual</th><th>target</th><th>still needed</th></tr>"
        f"</thead><tbody>{''.join(lines)}</tbody></table>"
    )


def _next_session_section(frames: AthleteFrames) -> str:
    """What to lift next time, per exercise of the last 6 weeks (the exercise_next_session view)."""
    if frames.plan.is_empty():
        return ""
    text = summaries.next_session_text(frames.plan)
    rows = "".join(
        f"<tr><td>{_e(r['exercise'])}</td><td>{_e(r['next_session'])}</td><td>{_e(r['action'])}</td>"
        f"<td>{_e(r['reason'])}</td><td>{_e(r['last_session'])}</td></tr>"
        for r in text.iter_rows(named=True)
    )
    return (
        "<h3>Next session</h3>"
        '<p class="note">What to lift next time, from each exercise\'s last session and the progression settings '
        "(fitbalance next prints it too).</p>"
        '<table class="plan"><thead><tr><th>exercise</th><th>next session</th><th>action</th><th>why</th>'
        f"<th>last session</th></tr></thead><tbody>{rows}</tbody></table>"
    )


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; margin: 0;
       background: #f8fafc; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }
header { border-bottom: 3px solid #c2410c; margin-bottom: 16px; }
h1 { margin: 0 0 4px; font-size: 28px; }
header p { margin: 0 0 12px; color: #6b7280; }
section.athlete { background: white; border: 1px solid #e5e7eb; border-radius: 10px; padding: 8px 24px 24px;
                  margin: 20px 0; }
h2 { font-size: 22px; margin: 16px 0 4px; }
h3 { font-size: 17px; margin: 24px 0 8px; color: #374151; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; margin: 8px 0; }
.card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; background: #fff; }
.card .label { font-size: 12px; color: #6b7280; }
.card .value { font-size: 24px; font-weight: 600; margin-top: 2px; }
.card .note { font-size: 12px; color: #6b7280; margin-top: 2px; }
.card.good { border-left: 4px solid #16a34a; } .card.short { border-left: 4px solid #f97316; }
.card.status-progressing { border-left: 4px solid #16a34a; } .card.status-holding { border-left: 4px solid #2563eb; }
.card.status-stalled { border-left: 4px solid #d97706; } .card.status-regressing { border-left: 4px solid #dc2626; }
.chart { width: 100%; margin: 14px 0; }
.chart.streak { margin: 4px 0 8px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 24px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 6px 8px; text-align: left; }
th { color: #6b7280; font-weight: 600; font-size: 12px; }
td.num, th:nth-child(n+3) { text-align: right; }
table.plan th { text-align: left; }
p.note { color: #6b7280; font-size: 13px; margin: 2px 0 6px; }
.pill { border-radius: 10px; padding: 1px 8px; font-size: 12px; color: white; background: #6b7280; }
.pill.status-progressing { background: #16a34a; } .pill.status-holding { background: #2563eb; }
.pill.status-stalled { background: #d97706; } .pill.status-regressing { background: #dc2626; }
.pill.target-met { background: #16a34a; } .pill.target-above { background: #2563eb; }
.pill.target-in_progress { background: #d97706; } .pill.target-below { background: #dc2626; }
.star { color: #b45309; font-size: 12px; }
.empty { color: #6b7280; font-style: italic; }
footer { color: #9ca3af; font-size: 12px; margin-top: 24px; }
@media print { body { background: white; } section.athlete { border: none; } }
"""


def render_report(
    athletes: Sequence[AthleteFrames],
    week: date | None,
    *,
    source: str = "",
    javascript: str | None = None,
) -> str:
    """The report as one HTML document; ``week`` is a Monday, or None for the newest week in the data.

    ``source`` names the database in the footer; ``javascript`` is the Vega bundle (default: :func:`vega_javascript`).
    """
    newest = [w for w in (summaries.latest_week(a.balance) for a in athletes) if w is not None]
    chosen = summaries.week_monday(week) if week is not None else (max(newest) if newest else None)
    out = _Charts()
    sections = []
    for frames in athletes:
        if chosen is None or frames.balance.is_empty():
            body = (
                '<p class="empty">No activities yet: ingest FIT files or a Garmin, Strava, Hevy or Strong export '
                "(fitbalance ingest FOLDER).</p>"
            )
        else:
            body = (
                _balance_section(frames, chosen, out)
                + _targets_section(frames, chosen)
                + _overload_section(frames, chosen, out)
                + _next_session_section(frames)
            )
        sections.append(f'<section class="athlete"><h2>{_e(frames.athlete)}</h2>{body}</section>')
    if not sections:
        sections.append(
            '<section class="athlete"><p class="empty">No data yet: ingest FIT files or a Garmin, Strava, Hevy or '
            "Strong export (fitbalance ingest FOLDER), then write the report again.</p></section>"
        )
    heading = f"Week {summaries.iso_week_label(chosen)}" if chosen is not None else "No data yet"
    span = (
        f"{chosen:%a %d %b %Y} – {chosen + timedelta(days=6):%a %d %b %Y}" if chosen is not None else "nothing to show"
    )
    script = javascript if javascript is not None else vega_javascript()
    embed = (
        "const specs = " + _script_json(out.specs) + ";\n"
        "for (const [id, spec] of Object.entries(specs)) {\n"
        "  vegaEmbed('#' + id, spec, {actions: false, renderer: 'svg'})\n"
        "    .catch((err) => { document.getElementById(id).textContent = 'chart failed: ' + err; });\n"
        "}\n"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>fitbalance – {_e(heading)}</title><style>{STYLE}</style>"
        f"<script>{script}</script></head>\n"
        f"<body><main><header><h1>fitbalance weekly report – {_e(heading)}</h1><p>{_e(span)}. Is strength "
        "training balanced with other exercise, and is it progressing?</p></header>"
        f"{''.join(sections)}"
        f"<footer>Made by fitbalance{' from ' + _e(source) if source else ''}. WHO 2020 guideline: 150 minutes of "
        "moderate aerobic activity a week (vigorous minutes count double) and muscle-strengthening activity on 2 "
        "or more days. e1RM: Epley.</footer></main>"
        f"<script>{embed}</script></body></html>\n"
    )


def read_report_frames(
    db_path: Path, athlete: str | None = None, clock: read.Clock | None = None
) -> list[AthleteFrames]:
    """The report's frames for every athlete (or just ``athlete``), read in one short read-only batch; the targets
    at ``clock`` (default: now, each athlete's local date)."""
    at = clock if clock is not None else datetime.now(UTC)
    with read.reading(db_path) as con:
        people = read.athletes(con)
        result = []
        for row in people.iter_rows(named=True):
            name = row["athlete"]
            if athlete is not None and name != athlete:
                continue
            result.append(
                AthleteFrames(
                    athlete=name,
                    units=row["units"],
                    balance=read.weekly_balance(con, name),
                    progress=read.exercise_progress(con, name),
                    records=read.personal_records(con, name),
                    muscles=read.muscle_group_weekly(con, name),
                    targets=read.weekly_targets(con, name, at),
                    plan=read.exercise_next_session(con, name),
                )
            )
    return result


def write_report(
    db_path: Path, week: str | None, out: Path, *, athlete: str | None = None, clock: read.Clock | None = None
) -> Path:
    """Write the report for ISO week ``week`` (``YYYY-Www``; None: the newest week in the data) to ``out``.

    Reads the database read-only (waiting while an ingest holds the lock) and replaces ``out`` atomically.
    Raises :class:`~fitbalance.errors.ConfigError` for a malformed week and
    :class:`~fitbalance.errors.StoreError` when the database cannot be read.
    """
    monday = summaries.parse_iso_week(week) if week is not None else None
    frames = read_report_frames(db_path, athlete, clock)
    document = render_report(frames, monday, source=db_path.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")  # beside the target, so the rename is atomic
    try:
        with tmp.open("w", encoding="utf-8") as handle:  # created with the user's umask, like any other file
            handle.write(document)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
