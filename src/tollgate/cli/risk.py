"""``tollgate risk``: import and govern profiles and lists, assess stored filings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from tollgate.authorities.service import SYSTEM
from tollgate.cli.context import console, factory, friendly, transaction
from tollgate.risk import service
from tollgate.risk.profiles import Status
from tollgate.risk.selection import RandomSelection

risk_app = typer.Typer(
    help="Risk profiles, lists and assessment (RM-6..RM-13).", no_args_is_help=True
)


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
    seed: str = "tollgate",
) -> None:
    """Assess every stored filing whose current version has no assessment yet."""
    counts = assess_and_report(random_rate, seed)
    if not counts:
        console.print("nothing to assess")


def assess_and_report(random_rate: float, seed: str) -> dict[str, int]:
    randomness = RandomSelection(rates={"default": random_rate}, seed=seed)
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        console.print(f"assessed {done[0]:,}", end="\r")

    counts = service.assess_pending(
        factory(), actor=SYSTEM, randomness=randomness, progress=progress
    )
    if counts:
        table = Table("decision", "filings")
        for decision, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            table.add_row(decision, f"{n:,}")
        console.print(table)
    return counts
