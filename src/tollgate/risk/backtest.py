"""Back-testing: a draft profile, a stored one or a whole set over a period of stored
history, before it selects anything live (issue 3 point 6; RM-8 profiles are tested and
reviewed before and while they run).

What an analyst needs to decide whether to activate a profile: how many declarations it
would have hit, how often a hit was an irregularity where the outcome is recorded (the
hit rate that justifies the control), what it would add to the controls the active set
already selects, and how much work it would give each office every day. The rows are
read from the ``history`` store, so a back-test over a year is one DuckDB query, fast
enough to re-run after every edit.

Outcomes are the control results recorded for the filing or its consignment (the newest
version of each) and the ground truth stored beside the filings (``FilingLabel``, e.g. a
labelled history's fraud flag): an irregular result, or a label whose value is not a
negative ("0", "false", "no", "none", ""), makes the filing irregular; clean results and
negative labels make it regular; a filing with neither has no recorded outcome and is
left out of the hit rate.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.declarations.tables import FilingLabel, FilingVersion
from tollgate.errors import ValidationFailed
from tollgate.periods import check_period, day_bounds
from tollgate.risk.batch import ProfileBatch, assess_duckdb
from tollgate.risk.fact_table import DECLARATION_ID, ROW_NO
from tollgate.risk.history import AUTHORITY_ID, FILING_ID, TABLE, History
from tollgate.risk.language import FIELDS, FieldType, Node, fields_of
from tollgate.risk.profiles import CONTROL_ORDER, Control, ProfileSpec
from tollgate.risk.tables import Assessment

__all__ = ["BacktestResult", "ProfileFigures", "Workload", "backtest"]

NEGATIVE_OUTCOMES = frozenset({"0", "false", "no", "none", ""})
MAX_SAMPLES = 20


@dataclass(frozen=True, slots=True)
class Tested:
    """A profile under test: a draft from a file (``version`` None) or a stored version;
    ``active`` marks the active set a draft is compared with."""

    profile_id: str
    version: int | None
    spec: ProfileSpec
    active: bool = False


@dataclass(slots=True)
class ProfileFigures:
    profile_id: str
    version: int | None
    title: str
    control: str
    risk_area: str
    hits: int = 0
    hit_rate: float = 0.0
    with_outcome: int = 0
    irregular: int = 0
    #: irregular / with_outcome: None when no hit has a recorded outcome
    precision: float | None = None
    #: hits the active set did not select already (only when compared with it)
    additional: int | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Workload:
    """Controls a day at one office, had the tested profiles been live: the mean over
    the days of the period and the busiest day."""

    office: str
    control: str
    per_day: float
    busiest_day: int


@dataclass(slots=True)
class BacktestResult:
    authority: str
    start: date
    end: date
    declarations: int
    selected: int
    profiles: list[ProfileFigures]
    workload: list[Workload]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "authority": self.authority,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "declarations": self.declarations,
            "selected": self.selected,
            "profiles": [_figures_dict(p) for p in self.profiles],
            "workload": [
                {
                    "office": w.office,
                    "control": w.control,
                    "per_day": round(w.per_day, 2),
                    "busiest_day": w.busiest_day,
                }
                for w in self.workload
            ],
            "seconds": round(self.seconds, 3),
        }


def _figures_dict(p: ProfileFigures) -> dict[str, Any]:
    return {
        "profile_id": p.profile_id,
        "version": p.version,
        "title": p.title,
        "control": p.control,
        "risk_area": p.risk_area,
        "hits": p.hits,
        "hit_rate": round(p.hit_rate, 6),
        "with_outcome": p.with_outcome,
        "irregular": p.irregular,
        "precision": None if p.precision is None else round(p.precision, 4),
        "additional": p.additional,
        "samples": p.samples,
    }


def backtest(
    session: Session,
    history: History,
    *,
    actor: Actor,
    start: date,
    end: date,
    authority: str | None = None,
    drafts: Any = None,
    profile_ids: Sequence[str] = (),
    active: bool = False,
    samples: int = 5,
) -> BacktestResult:
    """Run profiles over the authority's stored filings lodged from ``start`` to ``end``
    (inclusive): the ``drafts`` of a profile file, the newest stored versions of
    ``profile_ids`` (whatever their status), and with ``active`` the active set — which,
    alongside drafts or stored profiles, is the baseline their ``additional`` hits are
    counted against. Refresh ``history`` first for the newest filings."""
    actor.require(Permission.READ_PROFILES)
    actor.require(Permission.READ_FILINGS)
    began = time.perf_counter()
    owner = acting_for(session, actor, authority, "back-test on the history of")
    check_period(start, end)
    samples = max(0, min(samples, MAX_SAMPLES))
    # imported here: the service module builds on this one's siblings, not the reverse
    from tollgate.risk.service import Engine, newest_versions, parse_profiles

    engine = Engine(session, owner)
    # the stored rows' benchmark facts as live assessment would compute them now (RM-15)
    history.apply_benchmarks(owner.id, engine.benchmarks)
    tested: list[Tested] = []
    nodes: list[Node] = []
    if drafts is not None:
        for spec, node in parse_profiles(session, owner, drafts):
            tested.append(Tested(spec.id, None, spec))
            nodes.append(node)
    for profile_id, version, spec, node in newest_versions(session, owner, profile_ids):
        tested.append(Tested(profile_id, version, spec))
        nodes.append(node)
    compare = active and bool(tested)
    if active:
        for loaded, node in engine.conditions():
            tested.append(Tested(loaded.profile_id, loaded.version, loaded.spec, active=compare))
            nodes.append(node)
    if not tested:
        raise ValidationFailed("nothing to back-test: give draft profiles, profile ids or active")
    batch = ProfileBatch(list(zip(range(len(tested)), nodes, strict=True)), engine.index.lists)
    result = _run(history, batch, owner.id, start, end)
    figures = _figures(session, history, result, tested, nodes, owner.id, start, end, samples)
    if not actor.can(Permission.READ_PERSONAL_DATA):
        for f in figures[0]:
            for sample in f.samples:
                sample["matched"] = _without_names(sample["matched"])
    record(
        session,
        actor=actor,
        action="backtest",
        object_type="risk_profile",
        object_id=f"{owner.code}/{start}..{end}",
        detail={"profiles": [t.profile_id for t in tested if not t.active][:50], "active": active},
    )
    shown, workload, declarations, selected = figures
    return BacktestResult(
        owner.code,
        start,
        end,
        declarations,
        selected,
        shown,
        workload,
        time.perf_counter() - began,
    )


_WINDOW = "tollgate_backtest_window"


def _run(
    history: History, batch: ProfileBatch, authority_id: int, start: date, end: date
) -> pa.Table:
    """Every hit in the window, as ``(declaration_id, profile_no, row_no, filing_id,
    office, day)``, and the window's declaration count in the schema metadata."""
    if not history.has_rows():
        return _EMPTY
    lo, hi = day_bounds(start, end)
    with history.connection() as con:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {_WINDOW} AS SELECT * FROM {TABLE} "  # noqa: S608 -- constants
            f"WHERE {AUTHORITY_ID} = {int(authority_id)} "
            f"AND lodged_at >= '{lo.isoformat()}'::TIMESTAMPTZ "
            f"AND lodged_at < '{hi.isoformat()}'::TIMESTAMPTZ"
        )
        hits = assess_duckdb(batch, con, _WINDOW)
        con.register("tollgate_backtest_hits", hits)
        try:
            joined: pa.Table = con.sql(
                f"SELECT h.{DECLARATION_ID}, h.profile_no, h.{ROW_NO}, w.{FILING_ID}, "  # noqa: S608 -- constants
                "w.office, CAST(w.lodged_at AS DATE) AS day "
                f"FROM tollgate_backtest_hits h JOIN {_WINDOW} w "
                f"ON w.{DECLARATION_ID} = h.{DECLARATION_ID} AND w.{ROW_NO} = 0"
            ).to_arrow_table()
        finally:
            con.unregister("tollgate_backtest_hits")
        ((declarations,),) = con.execute(
            f"SELECT count(DISTINCT {DECLARATION_ID}) FROM {_WINDOW}"  # noqa: S608 -- constants
        ).fetchall()
    return joined.replace_schema_metadata({"declarations": str(declarations)})


_EMPTY = pa.table(
    {
        DECLARATION_ID: pa.array([], pa.int64()),
        "profile_no": pa.array([], pa.int32()),
        ROW_NO: pa.array([], pa.int32()),
        FILING_ID: pa.array([], pa.int64()),
        "office": pa.array([], pa.string()),
        "day": pa.array([], pa.date32()),
    }
).replace_schema_metadata({"declarations": "0"})


def _figures(
    session: Session,
    history: History,
    result: pa.Table,
    tested: list[Tested],
    nodes: list[Node],
    authority_id: int,
    start: date,
    end: date,
    samples: int,
) -> tuple[list[ProfileFigures], list[Workload], int, int]:
    declarations = int((result.schema.metadata or {}).get(b"declarations", b"0"))
    by_profile: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    strongest: dict[int, int] = {}
    where: dict[int, tuple[str, date]] = {}
    baseline: set[int] = set()
    columns = result.to_pydict()
    for decl, number, row_no, filing_id, office, day in zip(
        columns[DECLARATION_ID],
        columns["profile_no"],
        columns[ROW_NO],
        columns[FILING_ID],
        columns["office"],
        columns["day"],
        strict=True,
    ):
        by_profile[number].append((decl, row_no, filing_id))
        t = tested[number]
        if t.active:
            baseline.add(decl)
            continue
        rank = CONTROL_ORDER.index(t.spec.control)
        if rank > strongest.get(decl, -1):
            strongest[decl] = rank
        where[decl] = (office, day)
    outcomes = recorded_outcomes(session, {f for hits in by_profile.values() for _, _, f in hits})
    shown: list[ProfileFigures] = []
    for number, t in enumerate(tested):
        if t.active:
            continue
        hits = by_profile.get(number, [])
        figures = ProfileFigures(
            t.profile_id,
            t.version,
            t.spec.title,
            t.spec.control.value,
            t.spec.risk_area.value,
            hits=len(hits),
            hit_rate=len(hits) / declarations if declarations else 0.0,
        )
        known = [outcomes[f] for _, _, f in hits if f in outcomes]
        figures.with_outcome = len(known)
        figures.irregular = sum(known)
        figures.precision = figures.irregular / len(known) if known else None
        if any(x.active for x in tested):
            figures.additional = sum(1 for d, _, _ in hits if d not in baseline)
        figures.samples = _samples(history, hits[:samples], nodes[number])
        shown.append(figures)
    days = (end - start).days + 1
    daily: dict[tuple[str, str, date], int] = defaultdict(int)
    for decl, rank in strongest.items():
        office, day = where[decl]
        daily[(office, CONTROL_ORDER[rank].value, day)] += 1
    totals: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (office, control, _), count in daily.items():
        totals[(office, control)].append(count)
    workload = [
        Workload(office, control, sum(counts) / days, max(counts))
        for (office, control), counts in sorted(totals.items())
        if control != Control.RELEASE.value
    ]
    return shown, workload, declarations, len(strongest)


def recorded_outcomes(session: Session, filing_ids: set[int]) -> dict[int, bool]:
    """filing -> irregular?, for the filings with a recorded outcome: a ground-truth
    label, or the newest result of a control of the filing or of its consignment."""
    from tollgate.consignments.tables import ConsignmentMember
    from tollgate.controls.service import newest_results
    from tollgate.controls.tables import ControlTask

    result = newest_results()
    results = (
        select(Assessment.filing_version_id, Assessment.consignment_id, result.c.outcome)
        .join(ControlTask, ControlTask.assessment_id == Assessment.id)
        .join(result, result.c.task_id == ControlTask.id)
        .subquery()
    )
    out: dict[int, bool] = {}

    def note(filing_id: int, irregular: bool) -> None:
        out[filing_id] = out.get(filing_id, False) or irregular

    ids = sorted(filing_ids)
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        for filing_id, value in session.execute(
            select(FilingLabel.filing_id, FilingLabel.value).where(FilingLabel.filing_id.in_(chunk))
        ):
            note(filing_id, value.strip().lower() not in NEGATIVE_OUTCOMES)
        for filing_id, outcome in session.execute(
            select(FilingVersion.filing_id, results.c.outcome)
            .join(results, results.c.filing_version_id == FilingVersion.id)
            .where(results.c.consignment_id.is_(None), FilingVersion.filing_id.in_(chunk))
        ):
            note(filing_id, outcome == "irregularity")
        for filing_id, outcome in session.execute(
            select(ConsignmentMember.filing_id, results.c.outcome)
            .join(results, results.c.consignment_id == ConsignmentMember.consignment_id)
            .where(ConsignmentMember.filing_id.in_(chunk))
        ):
            note(filing_id, outcome == "irregularity")
    return out


def _samples(
    history: History, hits: list[tuple[int, int, int]], node: Node
) -> list[dict[str, Any]]:
    """A few hits with the values the profile read on the row that hit."""
    if not hits:
        return []
    read = [name for name in fields_of(node) if name in FIELDS or name.startswith("national.")]
    out = []
    with history.connection() as con:
        have = {row[0] for row in con.execute(f"DESCRIBE {TABLE}").fetchall()}
        wanted = [name for name in read if name in have]
        select_list = ", ".join(f'"{name}"' for name in ["lodged_at", "office", *wanted])
        for decl, row_no, filing_id in hits:
            # through Arrow: DuckDB's own conversion of instants wants pytz
            (found,) = (
                con.sql(
                    f"SELECT {select_list} FROM {TABLE} "  # noqa: S608 -- quoted catalogue names
                    f"WHERE {DECLARATION_ID} = ? AND {ROW_NO} = ?",
                    params=[decl, row_no],
                )
                .to_arrow_table()
                .to_pylist()
            )
            lodged, office, *values = found.values()
            out.append(
                {
                    "filing_id": filing_id,
                    "filing_version_id": decl,
                    "item": row_no + 1,
                    "office": office,
                    "lodged_at": lodged.isoformat() if lodged is not None else None,
                    "matched": {n: _plain(v) for n, v in zip(wanted, values, strict=True)},
                }
            )
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _without_names(matched: dict[str, Any]) -> dict[str, Any]:
    """Names of persons are personal data: shown only to who may read them."""
    return {
        name: "(withheld)" if name in FIELDS and FIELDS[name].type is FieldType.NAME else value
        for name, value in matched.items()
    }
