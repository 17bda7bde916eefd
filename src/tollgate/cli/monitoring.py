"""``tollgate indicators``: the monitoring framework's indicators (RM-28) for an authority
and period — printed, as JSON, as the mailable HTML report, or as CSV/Parquet tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tollgate.authorities.service import SYSTEM
from tollgate.cli.context import console, day, factory, friendly
from tollgate.config import get_settings
from tollgate.monitoring.export import export_performance, export_tables
from tollgate.monitoring.report import render_report
from tollgate.monitoring.service import monitoring
from tollgate.risk.history import History


@friendly
def indicators(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    authority: Annotated[str, typer.Option(help="Whose indicators.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every indicator as JSON.")] = False,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report to this file.")] = None,
    export: Annotated[Path | None, typer.Option(help="Write the tables to this folder.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
) -> None:
    """The monitoring indicators (RM-28) of an authority for a period."""
    history = History(get_settings().history_path)
    try:
        found = monitoring(
            factory(),
            history,
            SYSTEM,
            start=day(start),
            end=day(end),
            authority=authority,
            with_feedback=html is not None or export is not None,
        )
    finally:
        history.close()
    ind = found.indicators
    if as_json:
        console.print_json(json.dumps(ind))
    else:
        print_summary(found.authority, ind)
    if html is not None:
        html.write_text(
            render_report(
                ind,
                authority_code=found.authority,
                performance=found.performance,
                review=found.review,
                generated_at=datetime.now(UTC),
            ),
            encoding="utf-8",
        )
        console.print(f"report written to {html}")
    if export is not None:
        paths = export_tables(ind, export, fmt)  # type: ignore[arg-type]
        paths.append(export_performance(found.performance, export / f"profiles.{fmt}", fmt))  # type: ignore[arg-type]
        console.print(f"{len(paths)} tables written to {export}")


def print_summary(authority: str, ind: dict[str, object]) -> None:
    declarations = ind["declarations"]
    controls = ind["controls"]
    results = ind["results"]
    random = ind["random_controls"]
    assert isinstance(declarations, dict) and isinstance(controls, dict)
    assert isinstance(results, dict) and isinstance(random, dict)
    table = Table("indicator", "value", title=f"{authority} {ind['start']}..{ind['end']}")

    def pct(value: object) -> str:
        return "—" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]

    table.add_row("declarations", f"{declarations['total']:,}")
    table.add_row("controls", f"{controls['total']:,}")
    table.add_row("control rate", pct(controls["control_rate"]))
    table.add_row("random share of controls", pct(controls["random_share"]))
    table.add_row("results", f"{results['results']:,}")
    table.add_row("share with irregularities", pct(results["irregular_share"]))
    table.add_row("detection rate per 1,000", str(results["detection_rate_per_1000"] or "—"))
    ci = random["ci95"]
    table.add_row(
        "random controls positive",
        f"{pct(random['positive_rate'])}"
        + (f" (95% {pct(ci[0])}–{pct(ci[1])})" if isinstance(ci, list) else ""),
    )
    console.print(table)


def demo_report(workdir: Path) -> None:
    """The indicators of the authority with the most filings, over the whole period of
    its filings, printed and written as the HTML report into ``workdir``."""
    from sqlalchemy import func, select

    from tollgate.authorities.tables import Authority
    from tollgate.declarations.tables import FilingRecord, FilingVersion

    f = factory()
    with f() as session:
        busiest = session.execute(
            select(
                Authority.code, func.min(FilingVersion.lodged_at), func.max(FilingVersion.lodged_at)
            )
            .join(FilingRecord, FilingRecord.authority_id == Authority.id)
            .join(FilingVersion, FilingVersion.filing_id == FilingRecord.id)
            .group_by(Authority.code)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    if busiest is None:
        return
    code, first, last = busiest
    history = History(get_settings().history_path)
    try:
        found = monitoring(
            f,
            history,
            SYSTEM,
            start=first.date(),
            end=max(last.date(), datetime.now(UTC).date()),
            authority=code,
            with_feedback=True,
        )
    finally:
        history.close()
    print_summary(code, found.indicators)
    path = workdir / f"report-{code}.html"
    path.write_text(
        render_report(
            found.indicators,
            authority_code=code,
            performance=found.performance,
            review=found.review,
            generated_at=datetime.now(UTC),
        ),
        encoding="utf-8",
    )
    console.print(f"monitoring report of {code}: {path} ({len(found.review)} profiles to review)")
