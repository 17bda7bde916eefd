"""``tollgate controls``: queue control tasks, page through the queue, and simulate the
officers' results from the demo's ground truth (RM-10..RM-12, issue 4 point 6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tollgate.authorities.service import SYSTEM
from tollgate.cli.context import console, day, factory, friendly, transaction
from tollgate.controls import service
from tollgate.controls.feedback import evaluation_cycle, profile_performance
from tollgate.controls.simulation import SIMULATED_OFFICER, simulate_results

controls_app = typer.Typer(
    help="Control tasks and their results (RM-10..RM-12, RM-26).", no_args_is_help=True
)


def queue_and_report() -> dict[str, int]:
    """Queue the controls of the assessments made since the last run and say how many."""
    counts = service.queue_controls(factory(), actor=SYSTEM)
    console.print(
        f"control tasks: {counts.get('created', 0):,} queued, "
        f"{counts.get('superseded', 0):,} superseded by a newer assessment"
    )
    return counts


def simulate_and_report(labels: Path, *, detection: float, seed: int | str) -> dict[str, int]:
    """Simulate the results of every open task and print what the controls found: by
    outcome, by irregularity type, and the hit rate of random and risk-based controls
    apart (RM-12) — the random ones estimate the irregularity rate that risk-based
    selection should beat."""
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        if console.is_terminal:  # a count that overwrites itself is noise in a log
            console.print(f"controlled {done[0]:,}", end="\r")

    counts = simulate_results(
        factory(),
        labels,
        actor=SIMULATED_OFFICER,
        seed=seed,
        detection=detection,
        progress=progress,
    )
    controlled = counts.get("irregularity", 0) + counts.get("no-irregularity", 0)
    if not controlled:
        console.print("no open control tasks to simulate")
        return counts
    console.print(
        f"simulated results of {controlled:,} control tasks "
        f"({detection:.0%} detection, seed {seed}):"
    )
    outcomes = Table("outcome", "results")
    for outcome in ("irregularity", "no-irregularity"):
        outcomes.add_row(outcome, f"{counts.get(outcome, 0):,}")
    console.print(outcomes)
    types = sorted(
        ((k.removeprefix("type:"), n) for k, n in counts.items() if k.startswith("type:")),
        key=lambda kv: (-kv[1], kv[0]),
    )
    if types:
        table = Table("irregularity", "results")
        for name, n in types:
            table.add_row(name, f"{n:,}")
        console.print(table)
    hits = Table("controls", "controlled", "irregular", "hit rate")
    random_n, random_hit = counts.get("random", 0), counts.get("random-irregularity", 0)
    for name, n, hit in (
        ("risk-based", controlled - random_n, counts.get("irregularity", 0) - random_hit),
        ("random", random_n, random_hit),
        ("all", controlled, counts.get("irregularity", 0)),
    ):
        hits.add_row(name, f"{n:,}", f"{hit:,}", f"{hit / n:.1%}" if n else "—")
    console.print(hits)
    console.print(
        f"duties at stake found: EUR {counts.get('duties_at_stake', 0):,}; "
        f"{counts.get('seizures', 0):,} seizures recorded; a planted irregularity was "
        f"missed in {counts.get('missed', 0):,} controls (known from the ground truth only)"
    )
    return counts


@controls_app.command("queue")
@friendly
def queue() -> None:
    """Turn the assessments made since the last run into control tasks (one open task
    per consignment or stand-alone filing; a newer assessment supersedes it)."""
    queue_and_report()


@controls_app.command("tasks")
@friendly
def tasks(
    office: Annotated[str | None, typer.Option(help="Customs office code.")] = None,
    status: Annotated[str, typer.Option(help="open, closed or superseded")] = "open",
    offset: Annotated[int, typer.Option(min=0)] = 0,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """A page of the control queue, most urgent first."""
    with factory()() as session:
        page = service.list_tasks(
            session, SYSTEM, office=office, status=status, offset=offset, limit=limit
        )
        table = Table()
        for col in ("id", "subject", "office", "stage", "control", "random", "due", "assigned"):
            # identifiers are never cut: an officer copies them into the next command
            table.add_column(
                col, no_wrap=col in ("id", "subject", "office", "due"), overflow="fold"
            )
        for t in page.tasks:
            table.add_row(
                str(t.id),
                t.subject,
                t.office,
                t.stage,
                t.control,
                "yes" if t.random else "",
                t.due_at.strftime("%Y-%m-%d %H:%M"),
                t.assigned_to or "",
            )
    console.print(table)
    console.print(f"{len(page.tasks)} of {page.total:,} {status} tasks (offset {offset})")


@controls_app.command("simulate")
@friendly
def simulate(
    labels: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="Ground truth (JSON Lines)."
        ),
    ],
    detection: Annotated[
        float, typer.Option(min=0, max=1, help="Chance an officer finds a planted fraud.")
    ] = 0.9,
    seed: Annotated[str, typer.Option(help="Seed of the detection draws.")] = "tollgate",
) -> None:
    """Record a result on every open control task from the ground truth that `tollgate
    generate --labels` wrote, as officers would (demo and evaluation only)."""
    simulate_and_report(labels, detection=detection, seed=seed)


@controls_app.command("performance")
@friendly
def performance(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    authority: Annotated[str, typer.Option(help="Whose profiles.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per profile version: hits, controls, results, true hits, hit rate and duties found
    over the period (RM-22)."""
    with transaction() as session:
        found = profile_performance(
            session, SYSTEM, start=day(start), end=day(end), authority=authority
        )
    if as_json:
        console.print_json(json.dumps([p.as_dict() for p in found]))
        return
    table = Table(
        "profile", "version", "hits", "controls", "results", "true hits", "hit rate", "duties"
    )
    for p in found:
        table.add_row(
            p.profile_id,
            str(p.version),
            f"{p.hits:,}",
            f"{p.controls:,}",
            f"{p.results:,}",
            f"{p.true_hits:,}",
            "—" if p.hit_rate is None else f"{p.hit_rate:.1%}",
            f"{p.duties_found:,.0f}",
        )
    console.print(table)


@controls_app.command("review")
@friendly
def review(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    authority: Annotated[str, typer.Option(help="Whose profiles.")],
    min_results: Annotated[int, typer.Option(min=1)] = 20,
    low_hit_rate: Annotated[float, typer.Option(min=0, max=1)] = 0.05,
    workload_share: Annotated[float, typer.Option(min=0, max=1)] = 0.25,
) -> None:
    """The evaluation cycle: active profiles to review, each with its reason and evidence."""
    with transaction() as session:
        items = evaluation_cycle(
            session,
            SYSTEM,
            start=day(start),
            end=day(end),
            authority=authority,
            min_results=min_results,
            low_hit_rate=low_hit_rate,
            workload_share=workload_share,
        )
    table = Table("profile", "version", "reason", "evidence")
    for item in items:
        table.add_row(item.profile_id, str(item.version), item.reason, json.dumps(item.evidence))
    console.print(table)
    console.print(f"{len(items)} points to review")
