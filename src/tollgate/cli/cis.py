"""``tollgate cis``: designations, alerts from a file, screening, retention and the other
scheduled housekeeping of the Customs Information System, and key rotation."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table
from sqlalchemy import func, select

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM
from tollgate.cis import alerts, hits, querylog
from tollgate.cis.access import PURPOSES, cleared, designate
from tollgate.cis.categories import Category
from tollgate.cis.copies import purge_copies
from tollgate.cis.crypto import parse_keys, vault_for, with_new_key
from tollgate.cis.retention import run_retention
from tollgate.cis.rotation import rotate_all
from tollgate.cis.tables import CisHit
from tollgate.cli.context import console, day, factory, friendly, transaction
from tollgate.config import get_settings
from tollgate.errors import ValidationFailed
from tollgate.fide.retention import purge_expired

cis_app = typer.Typer(
    help="The Customs Information System: alerts, screening, retention, oversight.",
    no_args_is_help=True,
)

ALL_CATEGORIES = ",".join(c.value for c in Category)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@cis_app.command("designate")
@friendly
def designate_(
    authority: Annotated[str, typer.Argument(help="Authority code, e.g. NL.")],
    categories: Annotated[str, typer.Option(help="Comma-separated categories.")] = ALL_CATEGORIES,
    purposes: Annotated[str, typer.Option(help="Comma-separated purposes.")] = ",".join(
        sorted(PURPOSES)
    ),
    may_enter: Annotated[bool, typer.Option(help="It enters alerts.")] = True,
    specific_checks: Annotated[bool, typer.Option(help="Its law allows specific checks.")] = True,
    supervisory_authority: Annotated[
        str | None, typer.Option(help="Its data-protection supervisor; unset: not in force.")
    ] = None,
    analysis_services: Annotated[str, typer.Option(help="Listed services (CIS-40).")] = "",
    transmit_to: Annotated[str, typer.Option(help="Authorities its data may go to.")] = "",
) -> None:
    """Publish an authority's CIS designation (CIS-13, CIS-38, CIS-48)."""
    with transaction() as session:
        designate(
            session,
            actor=SYSTEM,
            authority_code=authority,
            categories=_split(categories),
            purposes=_split(purposes),
            may_enter=may_enter,
            specific_checks_allowed=specific_checks,
            data_protection_in_force=supervisory_authority is not None,
            supervisory_authority=supervisory_authority,
            analysis_services=_split(analysis_services),
            transmit_to=_split(transmit_to),
        )
    console.print(f"{authority} designated")


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    items = data.get("alerts") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed(f"{path}: expected a list of alerts (or {{alerts: [...]}})")
    return items


def import_alerts(path: Path, authority: str, purpose: str = "prevention") -> list[str]:
    """Enter the alerts of a YAML/JSON file for ``authority``, all or nothing."""
    vault = vault_for(get_settings())
    references = []
    with transaction() as session:
        user = cleared(
            session, SYSTEM, Permission.CIS_ENTER, purpose, entering=True, authority_code=authority
        )
        for n, item in enumerate(_records(path), start=1):
            try:
                alert, _ = alerts.enter_alert(
                    session,
                    vault,
                    user,
                    category=str(item.get("category", "")),
                    action=str(item.get("action", "")),
                    reason=str(item.get("reason", "")),
                    subject=item.get("subject") or {},
                    person=item.get("person"),
                    justification=item.get("justification"),
                )
            except ValidationFailed as exc:
                raise ValidationFailed(f"alert {n}: {exc.message}", details=exc.details) from exc
            references.append(alert.reference)
    return references


@cis_app.command("import")
@friendly
def import_(
    source: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    authority: Annotated[str, typer.Option(help="The supplying authority.")],
    purpose: Annotated[str, typer.Option(help="The CIS purpose of the entry.")] = "prevention",
) -> None:
    """Enter alerts from a YAML or JSON file (all or nothing: one bad alert enters none)."""
    refs = import_alerts(source, authority, purpose)
    console.print(f"{len(refs)} alerts entered for {authority}")


@cis_app.command("screen")
@friendly
def screen() -> None:
    """Screen the filings and consignment changes received since the last run."""
    vault = vault_for(get_settings())
    with transaction() as session:
        run = hits.screen_pending(session, vault)
    console.print(
        f"screened {run.versions} filing versions and {run.consignments} consignment changes: "
        f"{run.hits} new hits awaiting review"
    )


@cis_app.command("hits")
@friendly
def hits_(
    authority: Annotated[str, typer.Option(help="The checking authority.")],
    status: Annotated[str, typer.Option(help="pending, confirmed or rejected.")] = "pending",
    limit: int = 50,
) -> None:
    """The hits on an authority's filings."""
    vault = vault_for(get_settings())
    with transaction() as session:
        user = cleared(
            session, SYSTEM, Permission.CIS_REVIEW, "prevention", authority_code=authority
        )
        rows = hits.hits_for(session, vault, user, status=status, limit=limit)
        table = Table("hit", "alert", "action", "filing", "kind", "score", "found in", "detail")
        for h in rows:
            table.add_row(
                str(h.id),
                h.alert_reference,
                h.action + (f" (was {h.converted_from})" if h.converted_from else ""),
                str(h.filing_id),
                h.kind,
                f"{h.score:.2f}",
                h.role,
                h.detail,
            )
    console.print(table)


def housekeeping(today: date) -> dict[str, int]:
    """The daily CIS jobs: retention (CIS-22..25), the six-month deletion of query
    records (CIS-49), of copies past their review or ten years (CIS-41) and of expired FIDE
    records (CIS-37)."""
    with transaction() as session:
        report = run_retention(session, today=today)
        purged = querylog.purge(
            session, now=datetime.combine(today, datetime.min.time(), tzinfo=UTC)
        )
        copies = purge_copies(session, today=today)
        fide = purge_expired(session, today)
    return {
        "notices": report.notices,
        "moved": report.moved,
        "deleted": report.deleted,
        "queries_deleted": purged,
        "copies_deleted": len(copies.expired) + len(copies.review_missed),
        "fide_deleted": fide,
    }


@cis_app.command("retention")
@friendly
def retention(
    today: Annotated[
        str | None, typer.Option(help="Run as of this day (YYYY-MM-DD); default today.")
    ] = None,
    every: Annotated[
        int, typer.Option(help="Repeat every N seconds (a scheduler of its own); 0: once.")
    ] = 0,
) -> None:
    """Review notices, moves to the restricted area and deletions (CIS-22..CIS-25), and
    deletion of query records older than six months (CIS-49)."""
    while True:
        as_of = day(today) if today else datetime.now(UTC).date()
        counts = housekeeping(as_of)
        console.print(
            f"{as_of}: {counts['notices']} review notices, {counts['moved']} moved to the "
            f"restricted area, {counts['deleted']} deleted, {counts['queries_deleted']} "
            f"query records, {counts['copies_deleted']} copies and {counts['fide_deleted']} "
            "expired FIDE records deleted"
        )
        if not every:
            return
        time.sleep(every)


@cis_app.command("coverage")
@friendly
def coverage() -> None:
    """How many queries were recorded, sampled for review and checked (CIS-49)."""
    with transaction() as session:
        c = querylog.coverage(session, SYSTEM)
    console.print(
        f"{c.queries} queries, {c.sampled} sampled ({c.sampled_share:.1%}), {c.checked} checked"
    )


@cis_app.command("rotate-keys")
@friendly
def rotate_keys() -> None:
    """Put a new encryption key first and re-encrypt every sealed value under it (CIS-50).
    The key file keeps the old keys; remove them only after a complete run."""
    settings = get_settings()
    if settings.cis_keys:
        raise ValidationFailed(
            "TOLLGATE_CIS_KEYS is set: rotate by putting a new key first in it, then run "
            "this command with the new setting"
        )
    path = settings.cis_key_file.resolve()
    rotated, text = with_new_key(vault_for(settings))
    path.write_text(text + "\n")
    report = rotate_all(factory(), rotated)
    console.print(
        f"{report.values} sealed values in {report.columns} columns re-encrypted; "
        f"the key file {path} now holds {len(rotated.keys)} keys"
    )


@cis_app.command("reseal")
@friendly
def reseal() -> None:
    """Re-encrypt every sealed value under the newest configured key (after a key was
    put first in TOLLGATE_CIS_KEYS)."""
    settings = get_settings()
    vault = parse_keys(settings.cis_keys) if settings.cis_keys else vault_for(settings)
    report = rotate_all(factory(), vault)
    console.print(f"{report.values} sealed values re-encrypted under the newest key")


@cis_app.command("review")
@friendly
def review(
    hit: Annotated[int, typer.Argument(help="The hit's id.")],
    authority: Annotated[str, typer.Option(help="The checking authority.")],
    confirm: Annotated[bool, typer.Option("--confirm/--reject")] = True,
    note: Annotated[str, typer.Option(help="Why (required to reject).")] = "",
) -> None:
    """Confirm a hit (its action joins the filing's assessment) or reject it."""
    vault = vault_for(get_settings())
    with transaction() as session:
        user = cleared(
            session, SYSTEM, Permission.CIS_REVIEW, "prevention", authority_code=authority
        )
        view = hits.review_hit(session, vault, user, hit, confirm=confirm, note=note)
    console.print(f"hit {view.id} {view.status}; assessment {view.assessment_id or '-'}")


def demo_cis() -> None:
    """The demo's CIS part: designations, a few alerts that hit the loaded declarations,
    and the screening run with its hits awaiting review."""
    from tollgate.cis.demo import demo_alerts

    vault = vault_for(get_settings())
    with transaction() as session:
        entered = demo_alerts(session, vault)
    table = Table("alert", "supplier", "category", "action", "about")
    for a in entered:
        table.add_row(a.reference, a.supplier, a.category, a.action, a.about)
    console.print(table)
    with transaction() as session:
        run = hits.screen_pending(session, vault)
        pending = session.execute(
            select(CisHit.action, CisHit.converted_from, CisHit.kind, func.count())
            .where(CisHit.status == "pending")
            .group_by(CisHit.action, CisHit.converted_from, CisHit.kind)
            .order_by(func.count().desc())
        ).all()
    console.print(
        f"screened {run.versions:,} filing versions: {run.hits} hits awaiting review "
        "(`tollgate cis hits --authority XX`, `tollgate cis review`)"
    )
    summary = Table("action", "converted from (CIS-12)", "matched on", "hits")
    for action, converted, kind, n in pending:
        summary.add_row(action, converted or "", kind, str(n))
    console.print(summary)
