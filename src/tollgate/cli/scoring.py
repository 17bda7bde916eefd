"""``tollgate scoring``: train, measure, activate and run learned risk scoring (issue 6).

The evaluation protocol is the KCS paper's, and any authority's: load a labelled history
(``tollgate load FILE --mapping mappings/kcs.yaml``), train on one period, measure on the
next, and read precision and recall when inspecting the top 1, 2, 5 and 10%::

    tollgate scoring train --authority KR --train 2020-01-01..2020-12-31 \\
        --validate 2021-01-01..2021-03-31 --report out/kcs-model.html
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tollgate.authorities.service import SYSTEM
from tollgate.cli.context import console, day, friendly, refreshed_history, transaction
from tollgate.scoring import service
from tollgate.scoring.drift import drift
from tollgate.scoring.exploration import exploration_results
from tollgate.scoring.metrics import Evaluation
from tollgate.scoring.report import render_evaluation
from tollgate.scoring.tables import ScoringModel

scoring_app = typer.Typer(
    help="Learned risk scoring: train on history, measure on the period after, activate.",
    no_args_is_help=True,
)


def period(value: str) -> tuple[date, date]:
    """``START..END`` (inclusive days), or a usage error that says so."""
    start, sep, end = value.partition("..")
    if not sep:
        raise typer.BadParameter(f"{value!r} is not a period: write START..END (YYYY-MM-DD)")
    return day(start), day(end)


def _print_evaluation(evaluation: Evaluation) -> None:
    table = Table("inspected", "declarations", "precision", "recall")
    for share, (count, precision, recall) in sorted(evaluation.at.items()):
        table.add_row(f"top {share:.0%}", f"{count:,}", f"{precision:.3f}", f"{recall:.3f}")
    console.print(table)
    auc = "—" if evaluation.auc is None else f"{evaluation.auc:.4f}"
    console.print(
        f"{evaluation.declarations:,} declarations with an outcome, "
        f"{evaluation.irregular:,} irregular "
        f"({evaluation.irregular / max(evaluation.declarations, 1):.1%}); AUC {auc}"
    )


def _facts(stored: ScoringModel, authority: str) -> list[tuple[str, str]]:
    valid = (
        f"{stored.valid_start}..{stored.valid_end}" if stored.valid_start is not None else "none"
    )
    return [
        ("authority", authority),
        ("version", str(stored.version)),
        ("learner", stored.learner),
        ("training window", f"{stored.train_start}..{stored.train_end}"),
        ("validation period", valid),
        ("refit on training and validation", "yes" if stored.refit else "no"),
        ("rows (goods items)", f"{stored.rows:,}"),
        ("trees", str(stored.trees)),
        ("entity histories", "read" if stored.entity_histories else "left out by validation"),
    ]


def _write_report(
    path: Path, stored: ScoringModel, authority: str, evaluation: Evaluation, what: str
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_evaluation(
        title=f"Scoring model {authority} v{stored.version}: {what}",
        facts=_facts(stored, authority),
        evaluation=evaluation,
        importance=[(str(n), float(g)) for n, g in stored.importance],
    )
    path.write_text(html, encoding="utf-8")
    console.print(f"report: {path}")


@scoring_app.command("train")
@friendly
def train(
    authority: Annotated[str, typer.Option(help="Whose history (authority code).")],
    train_period: Annotated[str, typer.Option("--train", help="Training window START..END.")],
    validate: Annotated[
        str, typer.Option(help="Validation period START..END, after the training window.")
    ] = "",
    refit: Annotated[
        bool, typer.Option(help="Retrain on training + validation with the trees found.")
    ] = False,
    activate: Annotated[bool, typer.Option(help="Activate the new version.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write the evaluation report (HTML).")] = None,
) -> None:
    """Train a model on a window of history and measure it on the period after."""
    window = period(train_period)
    checked = period(validate) if validate else None
    store = refreshed_history()
    try:
        with transaction() as session:
            result = service.train_model(
                session,
                store,
                actor=SYSTEM,
                train=window,
                validate=checked,
                refit=refit,
                authority=authority,
                progress=lambda step: console.print(f"[dim]{step}[/]"),
            )
            stored = result.model
            if activate:
                service.activate_model(
                    session, actor=SYSTEM, version=stored.version, authority=authority
                )
    finally:
        store.close()
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    console.print(
        f"{authority} v{stored.version}: {stored.rows:,} rows, {stored.labelled:,} with an "
        f"outcome, {stored.trees} trees, entity histories "
        f"{'read' if stored.entity_histories else 'left out (validation loss lower without)'}"
        f" ({timing})"
    )
    if result.evaluation is not None:
        console.print(f"validation {checked[0]}..{checked[1]}:" if checked else "")
        _print_evaluation(result.evaluation)
        if report is not None:
            _write_report(report, stored, authority, result.evaluation, "validation")
    if activate:
        console.print(f"v{stored.version} is now active")


@scoring_app.command("evaluate")
@friendly
def evaluate_(
    authority: Annotated[str, typer.Option(help="Whose model and history.")],
    version: Annotated[int, typer.Option(min=1, help="The model version.")],
    on: Annotated[str, typer.Option("--on", help="Period START..END after its window.")],
    report: Annotated[Path | None, typer.Option(help="Write the evaluation report (HTML).")] = None,
) -> None:
    """Measure a stored model on a later period: precision and recall at n%, AUC."""
    start, end = period(on)
    store = refreshed_history()
    try:
        with transaction() as session:
            evaluation = service.evaluate_model(
                session,
                store,
                actor=SYSTEM,
                version=version,
                start=start,
                end=end,
                authority=authority,
            )
            stored = service.get_model(session, actor=SYSTEM, version=version, authority=authority)
            if report is not None:
                _write_report(report, stored, authority, evaluation, f"{start}..{end}")
    finally:
        store.close()
    _print_evaluation(evaluation)


@scoring_app.command("models")
@friendly
def models(
    authority: Annotated[str, typer.Option(help="Whose models.")],
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The model versions, newest first, with their windows and validation figures."""
    with transaction() as session:
        found, total = service.list_models(session, actor=SYSTEM, authority=authority, limit=limit)
        rows = [
            {
                "version": m.version,
                "status": m.status,
                "train": f"{m.train_start}..{m.train_end}",
                "validate": f"{m.valid_start}..{m.valid_end}" if m.valid_start else None,
                "trees": m.trees,
                "precision_at_5": _at(m, 0.05),
                "precision_at_10": _at(m, 0.10),
                "auc": (m.metrics or {}).get("auc"),
            }
            for m in found
        ]
    if as_json:
        console.print_json(json.dumps({"total": total, "models": rows}))
        return
    table = Table("version", "status", "training window", "validation", "trees", "P@5%", "P@10%")
    for r in rows:
        table.add_row(
            str(r["version"]),
            str(r["status"]),
            str(r["train"]),
            str(r["validate"] or "—"),
            str(r["trees"]),
            _fmt(r["precision_at_5"]),
            _fmt(r["precision_at_10"]),
        )
    console.print(table)
    console.print(f"{len(rows)} of {total} versions")


def _at(stored: ScoringModel, share: float) -> float | None:
    for point in (stored.metrics or {}).get("at", []):
        if abs(point["share"] - share) < 1e-9:
            return float(point["precision"])
    return None


def _fmt(value: object) -> str:
    return "—" if value is None else f"{value:.3f}"


@scoring_app.command("activate")
@friendly
def activate_(
    authority: Annotated[str, typer.Option(help="Whose model.")],
    version: Annotated[int, typer.Option(min=1, help="The version to activate.")],
) -> None:
    """Make a version the one the risk engine scores with; the previous one retires."""
    with transaction() as session:
        service.activate_model(session, actor=SYSTEM, version=version, authority=authority)
    console.print(f"{authority} v{version} is now active")


@scoring_app.command("score")
@friendly
def score(
    authority: Annotated[str, typer.Option(help="Whose history.")],
    on: Annotated[str, typer.Option("--on", help="Period START..END to score.")],
    version: Annotated[int | None, typer.Option(min=1, help="Default: the active one.")] = None,
) -> None:
    """Batch scoring: every declaration of the period, into the history store's
    ``model_scores`` table (DuckDB), where analysts can query it beside the facts."""
    start, end = period(on)
    store = refreshed_history()
    try:
        with transaction() as session:
            stored, count = service.score_history(
                session,
                store,
                actor=SYSTEM,
                start=start,
                end=end,
                version=version,
                authority=authority,
            )
    finally:
        store.close()
    console.print(f"{count:,} declarations scored by v{stored.version} into model_scores")


@scoring_app.command("drift")
@friendly
def drift_(
    authority: Annotated[str, typer.Option(help="Whose model.")],
    on: Annotated[str, typer.Option("--on", help="Period START..END of real-time scores.")],
    every: Annotated[str, typer.Option("--every", help="month or week")] = "month",
    version: Annotated[int | None, typer.Option(min=1, help="Default: the active one.")] = None,
) -> None:
    """Score distribution and realised hit rates per period; exits 1 on a drift alert."""
    start, end = period(on)
    with transaction() as session:
        report = drift(
            session,
            actor=SYSTEM,
            start=start,
            end=end,
            period=every,
            version=version,
            authority=authority,
        )
    table = Table("period", "scored", "mean score", "PSI", "outcomes", "realised", "predicted")
    for p in report.periods:
        table.add_row(
            p.period,
            f"{p.scored:,}",
            f"{p.mean_score:.3f}",
            f"{p.psi:.3f}",
            f"{p.outcomes:,}",
            "—" if p.realised is None else f"{p.realised:.1%}",
            "—" if p.predicted is None else f"{p.predicted:.1%}",
        )
    console.print(table)
    for alert in report.alerts:
        console.print(f"[bold red]drift[/] v{report.version} {alert}")
    if report.alerts:
        raise typer.Exit(1)


@scoring_app.command("exploration")
@friendly
def exploration(
    authority: Annotated[str, typer.Option(help="Whose controls.")],
    on: Annotated[str, typer.Option("--on", help="Period START..END of assessments.")],
) -> None:
    """Controls and results by selection: risk-based, random and uncertainty apart."""
    start, end = period(on)
    with transaction() as session:
        found = exploration_results(
            session, actor=SYSTEM, start=start, end=end, authority=authority
        )
    table = Table("selection", "controls", "results", "irregular", "share", "95% interval")
    for s in found:
        shown = s.as_dict()
        interval = shown["interval"]
        table.add_row(
            s.kind,
            f"{s.controls:,}",
            f"{s.results:,}",
            f"{s.irregular:,}",
            "—" if s.rate is None else f"{s.rate:.1%}",
            "—" if interval is None else f"{interval[0]:.1%}..{interval[1]:.1%}",
        )
    console.print(table)
