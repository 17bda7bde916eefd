"""``tollgate traders``: the trader register (AEO status and segments, RM-23, RM-24)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from tollgate.authorities.service import SYSTEM
from tollgate.cli.context import console, friendly, transaction
from tollgate.traders import service

traders_app = typer.Typer(
    help="The trader register: AEO authorisations and client segments.", no_args_is_help=True
)


def read_records(path: Path) -> Any:
    """CSV (a header row of the record's fields; empty cells are absent), JSON or YAML."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        rows = csv.DictReader(text.splitlines())
        return [{k: v for k, v in row.items() if v not in ("", None)} for row in rows]
    data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    return data.get("traders") if isinstance(data, dict) else data


@traders_app.command("import")
@friendly
def import_(
    source: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    authority: Annotated[str, typer.Option(help="The register's authority code.")],
) -> None:
    """Add or update traders (all or nothing: a bad record changes nothing)."""
    with transaction() as session:
        result = service.import_register(
            session, actor=SYSTEM, records=read_records(source), authority=authority
        )
    console.print(f"{result.created} added, {result.updated} updated, {result.unchanged} unchanged")


@traders_app.command("list")
@friendly
def list_(
    authority: Annotated[str, typer.Option(help="The register's authority code.")],
    offset: int = 0,
    limit: int = 100,
) -> None:
    """A page of the register, in EORI order."""
    with transaction() as session:
        total, rows = service.list_register(
            session, actor=SYSTEM, authority=authority, offset=offset, limit=limit
        )
        table = Table("EORI", "AEO", "valid until", "recognised from", "segment")
        for row in rows:
            table.add_row(
                row.eori,
                row.aeo or "",
                str(row.aeo_valid_until or ""),
                row.aeo_recognised_from or "",
                row.segment or "",
            )
    console.print(table)
    console.print(f"{len(rows)} of {total} (offset {offset})")
