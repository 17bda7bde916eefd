"""``tollgate risk``: import and govern profiles and lists, assess stored filings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from tollgate.authorities.service import SYSTEM
from tollgate.cli.context import (
    console,
    day,
    factory,
    friendly,
    refreshed_history,
    transaction,
)
from tollgate.risk import credibility, service
from tollgate.risk.backtest import backtest
from tollgate.risk.benchmarks import (
    MIN_ITEMS,
    SMALLEST_MIN_ITEMS,
    WINDOW_DAYS,
    compute_benchmarks,
)
from tollgate.risk.consignments import assess_consignment_events
from tollgate.risk.profiles import Status
from tollgate.risk.selection import RandomSelection
from tollgate.scoring.exploration import EXPLORATION_RATE, Exploration

risk_app = typer.Typer(
    help="Risk profiles, lists and assessment (RM-6..RM-13).", no_args_is_help=True
)
credibility_app = typer.Typer(
    help="Credibility checks at clearance: block or flag implausible entries (RM-9).",
    no_args_is_help=True,
)
risk_app.add_typer(credibility_app, name="credibility")


def _read(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


@risk_app.command("import")
@friendly
def import_(
    source: Annotated[Path | None, typer.Argument(help="Profile file (YAML or JSON).")] = None,
    authority: Annotated[str, typer.Option(help="Owning authority code.")] = service.EU_AUTHORITY,
    activate: Annotated[bool, typer.Option(help="Activate the imported versions.")] = False,
    starter: Annotated[bool, typer.Option(help="Import the starter criteria.")] = False,
) -> None:
    """Import a profile set: changed profiles become new versions, identical ones stay."""
    if (source is None) == (not starter):
        raise typer.BadParameter("give a profile file or --starter")
    data = service.starter_criteria() if starter else _read(source)  # type: ignore[arg-type]
    with transaction() as session:
        result = service.import_profiles(
            session, actor=SYSTEM, data=data, authority=authority, activate=activate
        )
    for pid, version in result.created:
        console.print(f"{pid} v{version}: {'active' if activate else 'draft'}")
    console.print(f"{len(result.created)} new versions, {len(result.unchanged)} unchanged")


@risk_app.command("status")
@friendly
def status(
    profile_id: str,
    new_status: Annotated[Status, typer.Argument(help="active, suspended or expired")],
    authority: str = service.EU_AUTHORITY,
) -> None:
    """Activate, suspend or expire a profile (a new version, audited)."""
    with transaction() as session:
        row = service.set_status(
            session, actor=SYSTEM, profile_id=profile_id, status=new_status, authority=authority
        )
        console.print(f"{profile_id} v{row.version}: {row.status}")


@risk_app.command("list")
@friendly
def list_(offset: int = 0, limit: int = 100) -> None:
    """The newest version of every profile."""
    with transaction() as session:
        rows = service.profile_versions(session, SYSTEM, offset=offset, limit=limit)
        table = Table("authority", "profile", "version", "status", "area", "control", "level")
        for code, row in rows:
            spec = row.spec
            table.add_row(
                code,
                row.profile_id,
                str(row.version),
                row.status,
                spec["risk_area"],
                spec["control"],
                str(spec["risk_level"]),
            )
    console.print(table)


@risk_app.command("assess")
@friendly
def assess(
    random_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share selected at random (RM-12).")
    ] = 0.01,
    exploration_rate: Annotated[
        float,
        typer.Option(
            min=0,
            max=1,
            help="Share of uncertain releases controlled for exploration (issue 6).",
        ),
    ] = EXPLORATION_RATE,
    seed: str = "tollgate",
) -> None:
    """Assess every stored filing whose current version has no assessment yet."""
    counts = assess_and_report(random_rate, seed, exploration_rate)
    if not counts:
        console.print("nothing to assess")


def assess_and_report(
    random_rate: float, seed: str, exploration_rate: float = EXPLORATION_RATE
) -> dict[str, int]:
    randomness = RandomSelection(rates={"default": random_rate}, seed=seed)
    exploration = Exploration(exploration_rate)
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        console.print(f"assessed {done[0]:,}", end="\r")

    f = factory()
    counts = service.assess_pending(
        f, actor=SYSTEM, randomness=randomness, exploration=exploration, progress=progress
    )
    whole = assess_consignment_events(
        f, actor=SYSTEM, randomness=randomness, exploration=exploration
    )
    if counts:
        table = Table("decision", "filings")
        for decision, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            table.add_row(decision, f"{n:,}")
        console.print(table)
    if whole:
        table = Table("decision", "consignments (re-)assessed")
        for decision, n in sorted(whole.items(), key=lambda kv: -kv[1]):
            table.add_row(decision, f"{n:,}")
        console.print(table)
    return counts


@risk_app.command("history")
@friendly
def history() -> None:
    """Bring the back-testing history (an embedded DuckDB file) up to date."""
    refreshed_history().close()


@risk_app.command("backtest")
@friendly
def backtest_(
    source: Annotated[Path | None, typer.Argument(help="Draft profiles (YAML or JSON).")] = None,
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")] = "",
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = "",
    authority: Annotated[str, typer.Option(help="Whose history.")] = "",
    profile: Annotated[list[str] | None, typer.Option(help="A stored profile id.")] = None,
    active: Annotated[bool, typer.Option(help="The active set (the baseline).")] = False,
    samples: Annotated[int, typer.Option(min=0, max=20)] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run draft, stored or active profiles over a period of stored history: hits, hit
    rate against recorded outcomes, what drafts add to the active set, daily workload."""
    if not start or not end or not authority:
        raise typer.BadParameter("give --from, --to and --authority")
    store = refreshed_history()
    try:
        with transaction() as session:
            result = backtest(
                session,
                store,
                actor=SYSTEM,
                authority=authority,
                start=day(start),
                end=day(end),
                drafts=_read(source) if source is not None else None,
                profile_ids=profile or [],
                active=active,
                samples=samples,
            )
    finally:
        store.close()
    if as_json:
        console.print_json(json.dumps(result.as_dict()))
        return
    console.print(
        f"{result.authority} {result.start}..{result.end}: {result.declarations:,} "
        f"declarations, {result.selected:,} selected ({result.seconds * 1000:.0f} ms)"
    )
    table = Table("profile", "version", "control", "hits", "hit rate", "precision", "adds")
    for p in result.profiles:
        table.add_row(
            p.profile_id,
            "draft" if p.version is None else str(p.version),
            p.control,
            f"{p.hits:,}",
            f"{p.hit_rate:.2%}",
            "—" if p.precision is None else f"{p.precision:.1%} of {p.with_outcome:,}",
            "—" if p.additional is None else f"{p.additional:,}",
        )
    console.print(table)
    if result.workload:
        work = Table("office", "control", "per day", "busiest day")
        for w in result.workload:
            work.add_row(w.office, w.control, f"{w.per_day:.1f}", str(w.busiest_day))
        console.print(work)


@risk_app.command("benchmarks")
@friendly
def benchmarks(
    authority: Annotated[str, typer.Option(help="Whose history and benchmarks.")],
    start: Annotated[
        str, typer.Option("--from", help="First day (YYYY-MM-DD), with --to: a fixed period.")
    ] = "",
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = "",
    as_of: Annotated[
        str, typer.Option("--as-of", help="Last day of the rolling window (default today).")
    ] = "",
    window_days: Annotated[
        int | None,
        typer.Option(
            help=f"Days of the rolling window (default {WINDOW_DAYS}).", show_default=False
        ),
    ] = None,
    min_items: Annotated[
        int, typer.Option(min=SMALLEST_MIN_ITEMS, help="Items behind a benchmark.")
    ] = MIN_ITEMS,
) -> None:
    """Compute unit-value benchmarks (RM-15) from the history of a rolling window (or a
    fixed period): the authority's next set, read by assessment as item.benchmark_ratio,
    item.unit_value_deviation, item.undervalued and item.overvalued."""
    store = refreshed_history()
    try:
        with transaction() as session:
            made = compute_benchmarks(
                session,
                store,
                actor=SYSTEM,
                authority=authority,
                start=day(start) if start else None,
                end=day(end) if end else None,
                as_of=day(as_of) if as_of else None,
                window_days=window_days,
                min_items=min_items,
            )
    finally:
        store.close()
    console.print(f"benchmarks of {made.authority} v{made.version}: {made.benchmarks:,} stored")
    console.print(f"from {made.items:,} goods items lodged {made.start}..{made.end}")
    if made.levels:
        table = Table("per", "level", "benchmarks")
        for key, count in made.levels.items():
            per, level = key.split("/")
            table.add_row(per, level, f"{count:,}")
        console.print(table)


@credibility_app.command("import")
@friendly
def credibility_import(
    source: Annotated[Path | None, typer.Argument(help="Rule set file (YAML or JSON).")] = None,
    authority: Annotated[str, typer.Option(help="Owning authority code.")] = service.EU_AUTHORITY,
    starter: Annotated[bool, typer.Option(help="Import the starter checks.")] = False,
) -> None:
    """Import an authority's credibility rule set: a changed set becomes its next
    version (audited), an identical one is left alone."""
    if (source is None) == (not starter):
        raise typer.BadParameter("give a rule set file or --starter")
    data = credibility.starter_checks() if starter else _read(source)  # type: ignore[arg-type]
    with transaction() as session:
        result = credibility.import_rule_set(session, actor=SYSTEM, data=data, authority=authority)
    state = "new version" if result.created else "unchanged"
    console.print(
        f"credibility checks of {result.authority} v{result.version}: "
        f"{result.rules} rules ({state})"
    )
