"""``tollgate``: demo, generate, load, serve, quality, and administration.

Every command works on ``TOLLGATE_DATABASE_URL`` (default: the SQLite file
``tollgate.db``), migrating it first, and calls the same services as the API.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tollgate.audit import log as audit_log
from tollgate.authorities import service as authorities
from tollgate.authorities.seed import seed_authorities
from tollgate.authorities.service import SYSTEM
from tollgate.cli.cis import cis_app, demo_cis
from tollgate.cli.context import console, factory, friendly, transaction
from tollgate.cli.controls import controls_app, queue_and_report, simulate_and_report
from tollgate.cli.fide import fide_app
from tollgate.cli.monitoring import demo_report, indicators
from tollgate.cli.risk import assess_and_report, risk_app
from tollgate.cli.scoring import scoring_app
from tollgate.cli.surveillance import surveillance_app
from tollgate.cli.traders import traders_app
from tollgate.intake.bulk import bulk_load, rejections
from tollgate.intake.mapping import load_mapping
from tollgate.intake.readers import FORMATS, detect_format
from tollgate.quality import scorecards as sc

app = typer.Typer(
    help="Tollgate — customs risk management.", no_args_is_help=True, pretty_exceptions_enable=False
)
authority_app = typer.Typer(help="Authorities.", no_args_is_help=True)
user_app = typer.Typer(help="Users and API tokens.", no_args_is_help=True)
quality_app = typer.Typer(help="Data quality (DQ-1..DQ-7).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(authority_app, name="authority")
app.add_typer(user_app, name="user")
app.add_typer(quality_app, name="quality")
app.add_typer(audit_app, name="audit")
app.add_typer(risk_app, name="risk")
app.add_typer(traders_app, name="traders")
app.command("indicators")(indicators)
app.add_typer(controls_app, name="controls")
app.add_typer(cis_app, name="cis")
app.add_typer(fide_app, name="fide")
app.add_typer(surveillance_app, name="surveillance")
app.add_typer(scoring_app, name="scoring")


@app.command()
@friendly
def init() -> None:
    """Create or migrate the database and register the standard authorities."""
    with transaction() as session:
        n = seed_authorities(session)
    console.print(f"database ready; {n} authorities registered")


@app.command()
@friendly
def generate(
    out: Annotated[Path, typer.Option(help="JSON Lines file to write.")] = Path("filings.jsonl"),
    declarations: Annotated[int, typer.Option(min=1)] = 10_000,
    seed: int = 42,
    labels: Annotated[Path | None, typer.Option(help="Ground-truth labels file.")] = None,
) -> None:
    """Generate synthetic trade (deterministic for a seed) as JSON Lines."""
    from tollgate.synthetic.generator import generate as run

    with _progress() as progress:
        task = progress.add_task("generating", total=declarations)
        stats = run(
            declarations=declarations,
            seed=seed,
            out=out,
            labels_out=labels,
            progress=lambda n: progress.update(task, completed=n),
        )
    console.print(f"wrote {out}: {stats}")


@app.command()
@friendly
def load(
    source: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl, csv or parquet")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping (YAML).")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=50_000)] = 2000,
    workers: Annotated[
        int | None, typer.Option(min=0, help="Preparing processes (default: by size).")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write every rejection (JSON Lines).")] = None,
) -> None:
    """Bulk-load filings. Safe to interrupt and run again: it resumes, never duplicates."""
    fmt = fmt or detect_format(source)
    if fmt not in FORMATS:
        raise typer.BadParameter(f"format must be one of {', '.join(FORMATS)}")
    column_mapping = load_mapping(mapping) if mapping else None
    f = factory()
    with transaction() as session:
        seed_authorities(session)
    size = source.stat().st_size
    with _progress() as progress:
        task = progress.add_task(f"loading {source.name}", total=None)
        summary = bulk_load(
            f,
            source,
            fmt=fmt,
            mapping=column_mapping,
            actor=SYSTEM,
            batch_size=batch_size,
            workers=workers,
            progress=lambda n, _pos: progress.advance(task, n),
        )
    if summary.already_done:
        console.print(f"{source} was loaded before (job {summary.job_id}); nothing to do")
    elif summary.resumed_from:
        console.print(f"resumed job {summary.job_id} after record {summary.resumed_from}")
    table = Table(title=f"load job {summary.job_id} ({size:,} bytes)")
    for col in ("accepted", "amended", "unchanged", "rejected"):
        table.add_column(col, justify="right")
    table.add_row(
        *(f"{getattr(summary, c):,}" for c in ("accepted", "amended", "unchanged", "rejected"))
    )
    console.print(table)
    if summary.rejected:
        _print_rejections(summary.job_id, report)


def _print_rejections(job_id: int, report: Path | None) -> None:
    with factory()() as session:
        shown = rejections(session, job_id, limit=20)
        table = Table(title="first rejections (tollgate rejections JOB for all)")
        for col in ("position", "record", "field", "code", "message"):
            table.add_column(col)
        for r in shown:
            table.add_row(str(r.position), r.record_id or "", r.field, r.code, r.message)
        console.print(table)
        if report is not None:
            _write_rejections(session, job_id, report)
            console.print(f"all rejections written to {report}")


def _write_rejections(session: object, job_id: int, report: Path) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    with report.open("w", encoding="utf-8") as fh:
        offset = 0
        while page := rejections(session, job_id, offset=offset, limit=1000):
            for r in page:
                fh.write(
                    json.dumps(
                        {
                            "position": r.position,
                            "record_id": r.record_id,
                            "field": r.field,
                            "code": r.code,
                            "message": r.message,
                        }
                    )
                    + "\n"
                )
            offset += len(page)


@app.command("rejections")
@friendly
def rejections_cmd(
    job: int, out: Annotated[Path, typer.Option()] = Path("rejections.jsonl")
) -> None:
    """Write every rejection of a load job as JSON Lines."""
    with factory()() as session:
        _write_rejections(session, job, out)
    console.print(f"wrote {out}")


@app.command()
@friendly
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from tollgate.api.app import create_app
    from tollgate.cli.context import engine

    api = create_app(engine=engine())
    console.print(f"Tollgate API on http://{host}:{port}  —  docs: http://{host}:{port}/docs")
    uvicorn.run(api, host=host, port=port, log_level="warning")


@app.command()
@friendly
def demo(
    declarations: Annotated[int, typer.Option(min=100)] = 5_000,
    seed: int = 7,
    port: int = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
    workdir: Path = Path("out/demo"),
) -> None:
    """Generate and load demo data, print its quality, and serve the API."""
    from tollgate.synthetic.generator import generate as run

    workdir.mkdir(parents=True, exist_ok=True)
    with transaction() as session:
        seed_authorities(session)
        token = _demo_user(session)
    filings = workdir / f"filings-{seed}-{declarations}.jsonl"
    labels = workdir / f"labels-{seed}-{declarations}.jsonl"
    if not filings.exists():
        with _progress() as progress:
            task = progress.add_task("generating", total=declarations)
            run(
                declarations=declarations,
                seed=seed,
                out=filings,
                labels_out=labels,
                progress=lambda n: progress.update(task, completed=n),
            )
    with _progress() as progress:
        task = progress.add_task(f"loading {filings.name}", total=None)
        summary = bulk_load(
            factory(),
            filings,
            fmt="jsonl",
            mapping=None,
            actor=SYSTEM,
            progress=lambda n, _p: progress.advance(task, n),
        )
    console.print(
        f"load job {summary.job_id}: {summary.accepted:,} accepted, "
        f"{summary.amended:,} amended, {summary.unchanged:,} unchanged, "
        f"{summary.rejected:,} rejected"
    )
    _quality_summary(days=3650)
    _scorecards(days=3650, limit=5)
    from tollgate.risk import credibility
    from tollgate.risk import service as risk

    with transaction() as session:
        risk.import_profiles(
            session,
            actor=SYSTEM,
            data=risk.starter_criteria(),
            authority=risk.EU_AUTHORITY,
            activate=True,
        )
        credibility.import_rule_set(
            session,
            actor=SYSTEM,
            data=credibility.starter_checks(),
            authority=risk.EU_AUTHORITY,
        )
    console.print(
        "\nrisk assessment against the starter common risk criteria and credibility checks:"
    )
    assess_and_report(random_rate=0.01, seed="demo")
    console.print("\nCustoms Information System: alerts screened against the declarations:")
    demo_cis()
    # the officers' part, played from the ground truth: control results give the
    # indicators and the evaluation cycle real numbers
    console.print("\ncontrols, with results simulated from the ground truth:")
    queue_and_report()
    if labels.exists():
        simulate_and_report(labels, detection=0.9, seed=seed)
    else:
        console.print(f"no ground truth at {labels}; control results not simulated")
    console.print("\nmonitoring indicators (RM-28):")
    demo_report(workdir)
    console.print(f"\nAPI token for user [bold]demo-analyst[/] (NL): {token}")
    if serve_api:
        serve(port=port)


def _demo_user(session: object) -> str:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from tollgate.authorities.tables import User

    assert isinstance(session, Session)
    if session.scalar(select(User).where(User.username == "demo-analyst")) is None:
        authorities.create_user(
            session,
            actor=SYSTEM,
            authority_code="NL",
            username="demo-analyst",
            roles=["analyst", "intake"],
        )
    return authorities.issue_token(
        session, actor=SYSTEM, username="demo-analyst", label="demo", valid_days=7
    )


def _period(days: int) -> tuple[datetime, datetime]:
    end = datetime.now(UTC) + timedelta(seconds=1)
    return end - timedelta(days=days), end


def _quality_summary(days: int) -> None:
    start, end = _period(days)
    with factory()() as session:
        s = sc.summary(session, SYSTEM, received_from=start, received_to=end)
    table = Table(title=f"data quality: {s.filings:,} filing versions, mean score {s.mean_score}")
    for col in ("rule", "finding", "severity", "filings", "share"):
        table.add_column(col, justify="right" if col in ("filings", "share") else "left")
    for rule, code, severity, n in s.by_finding:
        table.add_row(rule, code, severity, f"{n:,}", f"{n / max(s.filings, 1):.1%}")
    console.print(table)


def _scorecards(days: int, limit: int, filer: str | None = None) -> None:
    start, end = _period(days)
    with factory()() as session:
        cards, total = sc.scorecards(
            session, SYSTEM, received_from=start, received_to=end, limit=limit, filer=filer
        )
    table = Table(title=f"filer scorecards, worst first ({total:,} filers)")
    for col in (
        "rank",
        "filer",
        "filings",
        "mean score",
        "with findings",
        "rejected",
        "trend",
        "top finding",
    ):
        # identifiers are never truncated: an officer copies them into the next query
        table.add_column(col, no_wrap=col == "filer", overflow="fold")
    for c in cards:
        top = max(c.finding_shares.items(), key=lambda kv: kv[1], default=("", 0.0))
        table.add_row(
            str(c.rank),
            c.filer,
            f"{c.filings:,}",
            f"{c.mean_score:.1f}",
            f"{c.share_with_findings:.1%}",
            f"{c.rejected_records:,}",
            "" if c.trend is None else f"{c.trend:+.1f}",
            f"{top[0]} {top[1]:.0%}" if top[0] else "",
        )
    console.print(table)


@quality_app.command("summary")
@friendly
def quality_summary(days: Annotated[int, typer.Option(min=1)] = 30) -> None:
    """Findings by rule over the last DAYS days of receipt."""
    _quality_summary(days)


@quality_app.command("scorecards")
@friendly
def quality_scorecards(
    days: Annotated[int, typer.Option(min=1)] = 30,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    filer: str | None = None,
) -> None:
    """Filers ranked by mean quality score, worst first (DQ-7)."""
    _scorecards(days, limit, filer)


@authority_app.command("list")
@friendly
def authority_list() -> None:
    with transaction() as session:
        table = Table("code", "name", "kind", "country")
        for a in authorities.list_authorities(session):
            table.add_row(a.code, a.name, a.kind, a.country or "")
    console.print(table)


@authority_app.command("add")
@friendly
def authority_add(
    code: str,
    name: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help="customs, eu_body or partner")],
    country: str | None = None,
) -> None:
    with transaction() as session:
        authorities.create_authority(
            session, actor=SYSTEM, code=code, name=name, kind=kind, country=country
        )
    console.print(f"authority {code} created")


@user_app.command("add")
@friendly
def user_add(
    username: str,
    authority: Annotated[str, typer.Option()],
    role: Annotated[list[str], typer.Option(help="Repeat for several roles.")],
) -> None:
    with transaction() as session:
        authorities.create_user(
            session, actor=SYSTEM, authority_code=authority, username=username, roles=role
        )
    console.print(f"user {username} created in {authority} with roles {', '.join(role)}")


@user_app.command("token")
@friendly
def user_token(
    username: str, label: str = "cli", days: Annotated[int, typer.Option(min=1, max=3650)] = 365
) -> None:
    """Issue an API token; it is printed once and stored only as a hash."""
    with transaction() as session:
        token = authorities.issue_token(
            session, actor=SYSTEM, username=username, label=label, valid_days=days
        )
    console.print(token)


@user_app.command("revoke")
@friendly
def user_revoke(username: str) -> None:
    with transaction() as session:
        n = authorities.revoke_tokens(session, actor=SYSTEM, username=username)
    console.print(f"{n} token(s) revoked")


@app.command("share")
@friendly
def share(owner: str, grantee: str) -> None:
    """Let GRANTEE read the filings of OWNER."""
    with transaction() as session:
        authorities.grant_sharing(session, actor=SYSTEM, owner=owner, grantee=grantee)
    console.print(f"{grantee} may now read {owner}'s filings")


@audit_app.command("verify")
@friendly
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 if any entry was altered or removed."""
    with factory()() as session:
        report = audit_log.verify(session)
    if report.intact:
        console.print(f"audit log intact: {report.entries:,} entries, head {report.head}")
    else:
        console.print(f"[bold red]audit log broken[/] at entry {report.broken_at}: {report.reason}")
        raise typer.Exit(1)


@audit_app.command("list")
@friendly
def audit_list(after: int = 0, limit: int = 50, action: str | None = None) -> None:
    with factory()() as session:
        rows = audit_log.entries(session, after=after, limit=limit, action=action)
    table = Table("seq", "at", "actor", "action", "object", "purpose")
    for e in rows:
        table.add_row(
            str(e.seq),
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.action,
            f"{e.object_type}:{e.object_id or ''}",
            e.purpose or "",
        )
    console.print(table)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


if __name__ == "__main__":
    app()
