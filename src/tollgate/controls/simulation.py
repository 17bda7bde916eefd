"""Simulated control results from the demo's ground truth (issue 4 point 6).

The indicators and the evaluation cycle (``tollgate.controls.feedback``) count control
results, and a fresh demo database has none: nobody has inspected anything. This module
plays the officers. For every open control task it finds the filings of the task's
subject (a consignment's member filings, or the one filing), looks up what the generator
planted in them (the labels file, matched by kind, filer and LRN), and records a result
through ``record_result`` — the same validation, versioning and audit as a real officer's
result, so nothing downstream can tell the path apart except by the recording user
(``simulated-officer``) and the note.

The ground truth itself is never stored: only the results an officer would have written.

What an officer finds:

- A planted fraud is an irregularity of the mapped type (``IRREGULARITY_OF``):
  undervaluation → undervaluation, misclassification → misclassification, origin
  laundering → origin, restricted goods → prohibited-restricted (with a seizure), vague
  description → other (the goods are not what the description says, but no type of
  its own fits a declaration that says too little; the fault is the declaration's, not a
  loss of duty).
- ``known_bad_actor`` and the data-quality labels (``dq_*``) are not irregularities: a
  known bad actor's clean consignment is clean when inspected, and a missing address or
  a typo in a code is a finding of intake (DQ-1..DQ-7), not of a control.
- Officers miss some: each planted irregularity is detected with probability
  ``detection``. The draw is a hash of the seed, the irregularity type and the identities
  of the filings that carry it — not a database id — so the same data and seed give the
  same results on SQLite and PostgreSQL and from any run; an irregularity found in both
  the entry summary and the customs declaration is one draw, not two chances.
- No planted fraud (or every one missed) → no irregularity.

Duties at stake are derived from the declared values in the stored customs declarations
of the subject (``item_price``, or ``statistical_value`` where given; the demo trade
declares in EUR), for the goods item the label names (all items if it names none):

- undervaluation: duty and import VAT (``DUTY_AND_VAT``, 30%) on the value that was not
  declared — the true minus the declared value, which is what the officer re-establishes
  from the real invoice; without those details, on ``UNDERVALUATION_GAP`` (three times)
  the declared value, the typical depth of the planted undervaluation (12–37% declared);
- misclassification: ``MISCLASSIFICATION_SHARE`` (6%) of the value, the usual gap between
  the rates of the declared and the true heading;
- origin: ``ORIGIN_SHARE`` (30%) of the value, the anti-dumping duty the laundering
  avoided (EU measures on the laundered goods are mostly 20–70%);
- prohibited-restricted and other: none. Restricted goods are seized — the seizure
  carries their declared value — not taxed; a vague description costs no duty by itself.

An entry summary carries no values, so a subject without a customs declaration has no
duties at stake: they fall due only when the goods are declared for release.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.authorities.tables import Authority
from tollgate.consignments.tables import ConsignmentMember
from tollgate.controls.service import IRREGULARITIES, record_result
from tollgate.controls.tables import ControlTask
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import ValidationFailed

#: the officer the simulation acts as: the officer role only (control results, nothing
#: else), no authority of its own so it may close any authority's task, and a name that
#: marks every simulated result and audit entry
SIMULATED_OFFICER = Actor("simulated-officer", None, None, frozenset({"officer"}))

#: planted fraud label → the irregularity type a control records
IRREGULARITY_OF: dict[str, str] = {
    "undervaluation": "undervaluation",
    "misclassification": "misclassification",
    "origin_laundering": "origin",
    "restricted_goods": "prohibited-restricted",
    "vague_description": "other",
}

#: customs duty and import VAT together, as a share of the customs value: about 10% duty
#: on the demo's typical goods and 20% VAT on the value plus duty
DUTY_AND_VAT = 0.30
#: the true value over the declared one when the label gives neither (the planted
#: undervaluation declares 12–37% of the true value)
UNDERVALUATION_GAP = 3.0
MISCLASSIFICATION_SHARE = 0.06
ORIGIN_SHARE = 0.30

NOTE = "Simulated control result (demo ground truth)."

Identity = tuple[str, str, str]  # kind, filer, lrn


@dataclass(frozen=True, slots=True)
class _Label:
    labels: tuple[str, ...]
    details: Mapping[str, Any]


@dataclass(slots=True)
class _Filing:
    id: int
    identity: Identity
    version: int


def read_labels(path: Path) -> dict[Identity, _Label]:
    """The ground truth by filing identity, keeping only the labels a control can find.

    A malformed line is refused with its line number: a simulation on half a file would
    report detection rates that mean nothing."""
    out: dict[Identity, _Label] = {}
    with path.open("rb") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
                identity = (str(rec["kind"]), str(rec["filer"]), str(rec["lrn"]))
                names = tuple(str(x) for x in rec["labels"])
                details = rec.get("details") or {}
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValidationFailed(
                    f"{path}: line {n} is not a ground-truth label record ({exc})",
                    details=[{"field": f"line {n}", "reason": str(exc)}],
                ) from None
            frauds = tuple(x for x in names if x in IRREGULARITY_OF)
            if frauds:
                out[identity] = _Label(frauds, details if isinstance(details, dict) else {})
    return out


def detected(seed: int | str, irregularity: str, carriers: Iterable[Identity], p: float) -> bool:
    """Whether the officer finds ``irregularity`` in the filings ``carriers``: a uniform
    draw from a hash of the seed and what is found where, below ``p``. Reproducible and
    independent of row ids and of the order the tasks are worked in."""
    if p >= 1:
        return True
    if p <= 0:
        return False
    key = "\x1f".join([str(seed), irregularity, *("\x1e".join(c) for c in sorted(carriers))])
    draw = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64
    return draw < p


def _number(value: Any) -> float:
    """A stored amount (a JSON number or a decimal string) as a float; 0 if absent."""
    try:
        return max(0.0, float(value)) if value is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def declared_value(documents: Iterable[Mapping[str, Any]], item: int | None) -> float:
    """The declared value (EUR) of goods item ``item`` (every item if None) over the
    subject's customs declarations; entry summaries declare no values and add nothing."""
    total = 0.0
    for doc in documents:
        if doc.get("kind") != "import":
            continue
        for g in doc.get("goods_items") or []:
            if item is not None and g.get("sequence") != item:
                continue
            total += _number(g.get("statistical_value") or g.get("item_price"))
    return total


def duties_at_stake(
    irregularity: str, details: Mapping[str, Any], documents: Sequence[Mapping[str, Any]]
) -> float:
    """The duties a control establishes for one irregularity (module docstring: rules)."""
    item = details.get("item")
    value = declared_value(documents, item if isinstance(item, int) else None)
    if irregularity == "undervaluation":
        true, declared = _number(details.get("true_value")), _number(details.get("declared_value"))
        gap = true - declared if true > declared else value * UNDERVALUATION_GAP
        return DUTY_AND_VAT * gap
    if irregularity == "misclassification":
        return MISCLASSIFICATION_SHARE * value
    if irregularity == "origin":
        return ORIGIN_SHARE * value
    return 0.0


def _seizure(
    task: ControlTask, details: Mapping[str, Any], documents: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The seizure of restricted goods: the labelled goods item as declared (the customs
    declaration's, with its value, if there is one), seized where the task was queued."""
    seq = details.get("item") if isinstance(details.get("item"), int) else 1
    items = [
        g
        for doc in sorted(documents, key=lambda d: d.get("kind") != "import")
        for g in doc.get("goods_items") or []
        if g.get("sequence") == seq
    ]
    g: Mapping[str, Any] = items[0] if items else {}
    description = str(g.get("description") or "Restricted goods").strip()
    regime = details.get("regime")
    goods = f"{description} ({regime})" if regime else description
    code = str(details.get("commodity_code") or g.get("commodity_code") or "")
    packages = _number((g.get("packaging") or {}).get("number"))
    mass = _number(g.get("net_mass")) or _number(g.get("gross_mass"))
    quantity, unit = (packages, "packages") if packages else (mass or 1.0, "kg" if mass else "lot")
    return {
        "goods": goods[:200] if len(goods) >= 2 else "Restricted goods",
        "commodity_code": code if code.isdigit() and 4 <= len(code) <= 10 else None,
        "quantity": quantity,
        "unit": unit,
        "value": round(declared_value(documents, seq), 2),
        "place": task.office if len(task.office) >= 2 else "unknown",
        "seized_at": datetime.now(UTC),
    }


def _members(session: Session, tasks: list[ControlTask]) -> dict[int, list[_Filing]]:
    """The filings of each task's subject, by task id."""
    consignments: dict[int, list[int]] = defaultdict(list)
    filings: dict[int, list[int]] = defaultdict(list)
    for t in tasks:
        kind, _, ident = t.subject.partition(":")
        (consignments if kind == "consignment" else filings)[int(ident)].append(t.id)
    out: dict[int, list[_Filing]] = defaultdict(list)
    columns = (FilingRecord.id, FilingRecord.kind, FilingRecord.filer, FilingRecord.lrn)
    if consignments:
        rows = session.execute(
            select(ConsignmentMember.consignment_id, *columns, FilingRecord.current_version)
            .join(FilingRecord, FilingRecord.id == ConsignmentMember.filing_id)
            .where(ConsignmentMember.consignment_id.in_(list(consignments)))
            .order_by(FilingRecord.id)
        )
        for cid, fid, kind, filer, lrn, version in rows:
            for task_id in consignments[cid]:
                out[task_id].append(_Filing(fid, (kind, filer, lrn), version))
    if filings:
        rows = session.execute(
            select(FilingRecord.id, *columns, FilingRecord.current_version).where(
                FilingRecord.id.in_(list(filings))
            )
        )
        for key, fid, kind, filer, lrn, version in rows:
            for task_id in filings[key]:
                out[task_id].append(_Filing(fid, (kind, filer, lrn), version))
    return out


def _documents(session: Session, filings: Iterable[_Filing]) -> dict[int, dict[str, Any]]:
    """The current version's document of each filing, by filing id."""
    wanted = {(f.id, f.version) for f in filings}
    if not wanted:
        return {}
    rows = session.execute(
        select(FilingVersion.filing_id, FilingVersion.version, FilingVersion.document).where(
            FilingVersion.filing_id.in_({fid for fid, _ in wanted})
        )
    )
    return {fid: doc for fid, version, doc in rows if (fid, version) in wanted}


def _result(
    task: ControlTask,
    members: list[_Filing],
    truth: Mapping[Identity, _Label],
    documents: Mapping[int, dict[str, Any]],
    seed: int | str,
    detection: float,
) -> tuple[dict[str, Any], bool]:
    """The result an officer records for the task, and whether a planted fraud was missed."""
    carriers: dict[str, list[Identity]] = defaultdict(list)
    details: dict[str, Mapping[str, Any]] = {}
    for f in members:
        label = truth.get(f.identity)
        if label is None:
            continue
        for name in label.labels:
            irregularity = IRREGULARITY_OF[name]
            carriers[irregularity].append(f.identity)
            # the customs declaration's details (values) win over the entry summary's
            if irregularity not in details or f.identity[0] == "import":
                details[irregularity] = label.details.get(name) or {}
    found = [
        i for i in IRREGULARITIES if i in carriers and detected(seed, i, carriers[i], detection)
    ]
    missed = len(found) < len(carriers)
    if not found:
        return {"outcome": "no-irregularity", "note": NOTE}, missed
    docs = [documents[f.id] for f in members if f.id in documents]
    data: dict[str, Any] = {
        "outcome": "irregularity",
        "irregularities": found,
        "duties_at_stake": round(sum(duties_at_stake(i, details[i], docs) for i in found), 2),
        "note": NOTE,
    }
    if "prohibited-restricted" in found:
        data["seizure"] = _seizure(task, details["prohibited-restricted"], docs)
    return data, missed


def simulate_results(
    factory: sessionmaker[Session],
    labels_path: Path,
    *,
    actor: Actor,
    seed: int | str,
    detection: float = 0.9,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Record a result on every open control task (of the actor's authority, if it has
    one) from the ground truth in ``labels_path``, as officers would: each planted fraud
    is found with probability ``detection`` (officers miss some); see the module
    docstring for the types, duties and seizures.

    Results are recorded through ``record_result`` (validated, audited, closing the task)
    and committed every ``batch_size`` tasks, so an interrupted run keeps what it did and
    a second run finds only the tasks still open. Returns counts: results by outcome
    (``no-irregularity``, ``irregularity``), ``random`` and ``random-irregularity`` for
    the random controls (RM-12), ``type:<irregularity>`` per type found, ``seizures``,
    ``duties_at_stake`` (whole EUR, summed), and ``missed`` — tasks whose subject carried
    a planted fraud that went undetected (which only the ground truth can tell).
    """
    actor.require(Permission.CONTROL)
    if not 0 <= detection <= 1:
        raise ValidationFailed(f"detection must be between 0 and 1, not {detection}")
    truth = read_labels(labels_path)
    counts: dict[str, int] = defaultdict(int)
    duties = 0.0
    last = 0
    while True:
        with factory() as session, session.begin():
            query = select(ControlTask).where(ControlTask.status == "open", ControlTask.id > last)
            if actor.authority_code is not None:
                query = query.join(
                    Authority,
                    and_(
                        Authority.id == ControlTask.authority_id,
                        Authority.code == actor.authority_code,
                    ),
                )
            tasks = list(session.scalars(query.order_by(ControlTask.id).limit(batch_size)))
            if not tasks:
                break
            last = tasks[-1].id
            members = _members(session, tasks)
            # documents are read only for subjects that carry something to find
            documents = _documents(
                session,
                [f for fs in members.values() if any(x.identity in truth for x in fs) for f in fs],
            )
            for task in tasks:
                data, missed = _result(
                    task, members.get(task.id, []), truth, documents, seed, detection
                )
                record_result(session, actor, task.id, data)
                outcome = data["outcome"]
                counts[outcome] += 1
                counts["missed"] += missed
                if task.random:
                    counts["random"] += 1
                    counts["random-irregularity"] += outcome == "irregularity"
                for irregularity in data.get("irregularities", []):
                    counts[f"type:{irregularity}"] += 1
                counts["seizures"] += "seizure" in data
                duties += data.get("duties_at_stake", 0.0)
        if progress is not None:
            progress(len(tasks))
    counts["duties_at_stake"] = round(duties)
    return {k: v for k, v in counts.items() if v}
