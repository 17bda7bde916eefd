"""``tollgate surveillance``: strategic analysis on anonymised aggregates (RM-16, CIS-45)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from tollgate.authorities.service import SYSTEM
from tollgate.cli.context import console, day, friendly, refreshed_history, transaction
from tollgate.surveillance.report import render_trade_flows
from tollgate.surveillance.tradeflows import (
    ALPHA,
    DOMINANCE,
    MIN_DECLARATIONS,
    MIN_SHIFT,
    MIN_TRADERS,
    Finding,
    Level,
    Measure,
    PeriodUnit,
    Window,
    trade_flows,
)

surveillance_app = typer.Typer(
    help="Trade-flow surveillance on anonymised aggregates (RM-16).", no_args_is_help=True
)


def _window(value: str | None, option: str) -> Window | None:
    """``START..END`` (both days included), or a usage error that says so."""
    if value is None:
        return None
    start, sep, end = value.partition("..")
    if not sep or not start or not end:
        raise typer.BadParameter(f"{option} takes START..END (YYYY-MM-DD..YYYY-MM-DD)")
    return Window(day(start), day(end))


def _moves(parts: list[tuple[str, float]]) -> str:
    return ", ".join(f"{key} {100 * change:+.1f} pp" for key, change in parts[:3])


def _row(f: Finding) -> list[str]:
    return [
        str(f.rank),
        "origins" if f.kind == "origin_shift" else "codes",
        f.code,
        _moves([(p.key, p.change) for p in f.lost]),
        _moves([(p.key, p.change) for p in f.gained]),
        f"{f.share_moved:.1%}",
        f"{f.baseline_total.declarations:,} → {f.recent_total.declarations:,}",
        f"{f.evidence:.1f}",
        f"{f.q_value:.2g}",
    ]


@surveillance_app.command("trade-flows")
@friendly
def trade_flows_(
    baseline: Annotated[
        str | None, typer.Option(help="START..END; default: the 12 months before --recent.")
    ] = None,
    recent: Annotated[
        str | None,
        typer.Option(help="START..END; default: the 3 months up to the newest import."),
    ] = None,
    level: Annotated[Level, typer.Option(help="hs4, hs6 or cn8.")] = "hs6",
    period: Annotated[PeriodUnit, typer.Option(help="month or week.")] = "month",
    measure: Annotated[
        Measure, typer.Option(help="What shares are of: value, net_mass, items, declarations.")
    ] = "value",
    authority: Annotated[str, typer.Option(help="Whose imports.")] = "",
    limit: Annotated[int, typer.Option(min=1, max=500, help="Findings shown.")] = 20,
    min_traders: Annotated[
        int, typer.Option(min=MIN_TRADERS, help="Traders behind every figure (CIS-45).")
    ] = MIN_TRADERS,
    dominance: Annotated[
        float, typer.Option(min=0.5, max=DOMINANCE, help="Largest share of one trader.")
    ] = DOMINANCE,
    alpha: Annotated[float, typer.Option(help="Largest q-value reported.")] = ALPHA,
    min_shift: Annotated[float, typer.Option(help="Smallest share moved reported.")] = MIN_SHIFT,
    min_declarations: Annotated[
        int, typer.Option(min=1, help="Declarations a window needs for a code to be tested.")
    ] = MIN_DECLARATIONS,
    report: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Shifts of imports between origins of a code and between codes of a heading, from
    a baseline window to a recent one, strongest evidence first (audited). Refreshes
    the history first."""
    if not authority:
        raise typer.BadParameter("give --authority")
    base, last = _window(baseline, "--baseline"), _window(recent, "--recent")
    store = refreshed_history()
    try:
        with transaction() as session:
            result = trade_flows(
                session,
                store,
                actor=SYSTEM,
                baseline=base,
                recent=last,
                level=level,
                period=period,
                measure=measure,
                authority=authority,
                min_traders=min_traders,
                dominance=dominance,
                alpha=alpha,
                min_shift=min_shift,
                min_declarations=min_declarations,
            )
    finally:
        store.close()
    if report is not None:
        html = render_trade_flows(result, generated_at=datetime.now(UTC), limit=limit)
        report.write_text(html, encoding="utf-8")
    if as_json:
        console.print_json(json.dumps(result.as_dict(limit=limit)))
        return
    suppressed = sum(result.suppressed.values())
    console.print(
        f"{result.authority} imports by {result.level} and origin, per {result.period}: "
        f"baseline {result.baseline}, recent {result.recent}; {result.cells:,} cells shown, "
        f"{suppressed:,} suppressed (fewer than {result.min_traders} traders or one above "
        f"{result.dominance:.0%}); {result.tested:,} codes and headings tested"
    )
    if not result.findings:
        console.print("no shift passed the thresholds")
    else:
        table = Table(
            "rank",
            "shift of",
            Column("code", no_wrap=True),
            "lost",
            "gained",
            "moved",
            "declarations",
            "-log10 p",
            "q",
            title=f"{len(result.findings):,} shifts, strongest evidence first "
            f"(shares of {result.measure})",
        )
        for f in result.page(0, limit):
            table.add_row(*_row(f))
        console.print(table)
    if report is not None:
        console.print(f"report written to {report}")
