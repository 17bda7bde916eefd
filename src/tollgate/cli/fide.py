"""``tollgate fide``: the published lists of serious contraventions (CIS-27), the
automatic deletion of expired records (CIS-37), and a query from the command line
(CIS-34) for an operator acting for one authority."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tollgate.authorities.service import SYSTEM
from tollgate.cis.crypto import vault_for
from tollgate.cli.context import console, day, friendly, transaction
from tollgate.config import get_settings
from tollgate.errors import ValidationFailed
from tollgate.fide import contraventions, service
from tollgate.fide.retention import purge_expired

fide_app = typer.Typer(
    help="FIDE, the customs files identification database (CIS-26..CIS-37).",
    no_args_is_help=True,
)
contraventions_app = typer.Typer(
    help="Published lists of serious contraventions (CIS-27).", no_args_is_help=True
)
fide_app.add_typer(contraventions_app, name="contraventions")


def read_list(path: Path) -> list[dict[str, Any]]:
    """A list from a JSON file (an array of objects) or a CSV file with the columns
    code, description, max_imprisonment_months, max_fine_eur (empty cells: none)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"CIS-27: {path.name} is not JSON: {exc}") from None
        if not isinstance(data, list):
            raise ValidationFailed(f"CIS-27: {path.name} holds an array of contraventions")
        return data
    items: list[dict[str, Any]] = []
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        item: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for field in ("max_imprisonment_months", "max_fine_eur"):
            value = item.get(field)
            if not value:
                item[field] = None
            elif value.isdigit():
                item[field] = int(value)
            else:
                raise ValidationFailed(f"CIS-27: line {n}: {field} {value!r} is not a number")
        items.append(item)
    return items


@contraventions_app.command("import")
@friendly
def import_list(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".json or .csv")],
    authority: Annotated[str, typer.Option(help="The publishing authority's code.")],
) -> None:
    """Publish an authority's list of serious contraventions, replacing the previous one."""
    items = read_list(file)
    with transaction() as session:
        rows = contraventions.publish(session, actor=SYSTEM, authority_code=authority, items=items)
    console.print(f"{authority}: {len(rows)} serious contraventions published")


@contraventions_app.command("show")
@friendly
def show_list(authority: Annotated[str, typer.Option(help="The authority's code.")]) -> None:
    """An authority's published list."""
    with transaction() as session:
        rows = contraventions.published(session, actor=SYSTEM, authority_code=authority)
        table = Table("code", "description", "months", "fine (EUR)")
        for r in rows:
            table.add_row(
                r.code,
                r.description,
                "" if r.max_imprisonment_months is None else str(r.max_imprisonment_months),
                "" if r.max_fine_eur is None else f"{r.max_fine_eur:,}",
            )
    console.print(table)


@fide_app.command("purge")
@friendly
def purge(
    today: Annotated[
        str | None, typer.Option(help="The day to purge for (YYYY-MM-DD); default today.")
    ] = None,
) -> None:
    """Delete every record whose retention has run out (CIS-35, CIS-37); for a scheduler."""
    when = day(today) if today else datetime.now(UTC).date()
    with transaction() as session:
        n = purge_expired(session, when)
    console.print(f"FIDE: {n} expired records deleted ({when.isoformat()})")


@fide_app.command("reindex")
@friendly
def reindex() -> None:
    """Recompute every record's query keys from its sealed content: after a change to name
    normalisation or to the blind-index key (CIS-34, CIS-50)."""
    vault = vault_for(get_settings())
    with transaction() as session:
        n = service.reindex(session, vault, actor=SYSTEM)
    console.print(f"FIDE: {n} records reindexed")


@fide_app.command("query")
@friendly
def query(
    authority: Annotated[str, typer.Option(help="The querying authority's code.")],
    purpose: Annotated[str, typer.Option(help="investigation or prosecution")] = "investigation",
    surname: Annotated[str | None, typer.Option()] = None,
    forenames: Annotated[str | None, typer.Option()] = None,
    maiden_name: Annotated[str | None, typer.Option()] = None,
    former_name: Annotated[str | None, typer.Option()] = None,
    alias: Annotated[str | None, typer.Option()] = None,
    date_of_birth: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    business_name: Annotated[str | None, typer.Option()] = None,
    trade_name: Annotated[str | None, typer.Option()] = None,
    vat_number: Annotated[str | None, typer.Option()] = None,
    excise_number: Annotated[str | None, typer.Option()] = None,
    address: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Which authorities investigate the person or business these keys name (CIS-34).
    The query is recorded (CIS-47)."""
    given = {
        "surname": surname,
        "forenames": forenames,
        "maiden_name": maiden_name,
        "former_name": former_name,
        "alias": alias,
        "date_of_birth": date_of_birth,
        "business_name": business_name,
        "trade_name": trade_name,
        "vat_number": vat_number,
        "excise_number": excise_number,
        "address": address,
    }
    keys = {k: v for k, v in given.items() if v is not None}
    vault = vault_for(get_settings())
    with transaction() as session:
        user = service.clear(session, SYSTEM, purpose, authority_code=authority)
        matches = service.query(session, vault, user, keys)
    if not matches:
        console.print("no FIDE record matches")
        return
    console.print(f"{len(matches)} FIDE file(s); ask the authority through mutual assistance:")
    for m in matches:
        # one line per file, never wrapped: the file number is what the request quotes
        console.print(
            f"{m.authority}\t{m.file_number}\t{m.reason} ({m.field})\t"
            f"{m.handling_authority} ({m.authority_nationality})\t{m.contact}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
