"""Linking filings into consignments (DM-4, RM-1) and emitting change events.

A consignment is keyed by its house transport document (or, lacking one, by the filing
itself). House-level ENS filings and import declarations are its *core*; the carrier's
master filing joins every consignment under its master transport document; container
status messages join every consignment that names their container. Membership is computed
set-wise for a whole batch, so a bulk load costs a handful of queries per thousand filings,
and in either arrival order: a master filed before or after its houses ends up linked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tollgate.intake.writer import RowWriter


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What linking needs to know of a filing version just stored."""

    filing_id: int
    version_id: int
    authority_id: int
    kind: str
    layer: str | None
    links: tuple[tuple[str, str], ...]
    lrn: str
    filer: str
    is_new_filing: bool


def core_reference(v: StoredVersion) -> str | None:
    """The consignment a filing is the core of, or None (masters and CSMs only join)."""
    if v.kind == "csm" or v.layer == "master":
        return None
    links = dict(v.links)
    if "htd" in links:
        return "HTD:" + links["htd"]
    return f"FILING:{v.kind}:{v.filer}:{v.lrn}"


def _chunks(values: Sequence[str], n: int = 500) -> list[Sequence[str]]:
    return [values[i : i + n] for i in range(0, len(values), n)]


def link_versions(session: Session, versions: Sequence[StoredVersion], now: datetime) -> set[int]:
    """Attach the batch's filings to consignments and write one event per changed
    consignment and version. Returns the consignments that changed."""
    if not versions:
        return set()
    members: set[tuple[int, int, str]] = set()
    # a filing first stored in this batch has no memberships or links in the database yet
    # beyond what this batch writes: only older filings need looking up
    older = {v.filing_id for v in versions if not v.is_new_filing}
    new_fids = {v.filing_id for v in versions if v.is_new_filing}
    batch_links = {v.filing_id: v.links for v in versions}
    done: set[tuple[int, int]] = set()

    # 1. core consignments, created on first sight
    writer = RowWriter(session)  # the caller holds the intake lock
    wanted = {(v.authority_id, ref) for v in versions if (ref := core_reference(v))}
    ids = _consignment_ids(session, wanted)
    missing = sorted(wanted - ids.keys())
    if missing:
        new_ids = writer.allocate_ids("consignments", len(missing))
        stamp = writer.time(now)
        writer.insert(
            "consignments",
            ("id", "authority_id", "reference", "created_at"),
            [(cid, a, r, stamp) for cid, (a, r) in zip(new_ids, missing, strict=True)],
        )
        ids.update(zip(missing, new_ids, strict=True))
    core_of: dict[int, int] = {}
    for v in versions:
        ref = core_reference(v)
        if ref is not None:
            cid = ids[(v.authority_id, ref)]
            core_of[v.filing_id] = cid
            members.add((cid, v.filing_id, "core"))
    # import declarations that cite the ENS by MRN rather than by transport document
    by_mrn = {
        dict(v.links)["ens_mrn"]: v
        for v in versions
        if "ens_mrn" in dict(v.links) and "htd" not in dict(v.links)
    }
    if by_mrn:
        for mrn, cid in _consignments_by_link(session, "mrn", list(by_mrn), roles=("core",)):
            members.add((cid, by_mrn[mrn].filing_id, "core"))
    _insert_members(session, members, new_fids, done)

    # 2. masters: a house meets its master, a master meets its houses
    new_members: set[tuple[int, int, str]] = set()
    house_mtd: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for v in versions:
        if v.filing_id in core_of:
            for kind, value in v.links:
                if kind == "mtd":
                    house_mtd[value].append((core_of[v.filing_id], v.authority_id))
    if house_mtd:
        for fid, value, auth in _filings_by_link(session, "mtd", list(house_mtd), layer="master"):
            for cid, cauth in house_mtd[value]:
                if cauth == auth:
                    new_members.add((cid, fid, "master"))
    masters = {
        value: v
        for v in versions
        if v.layer == "master"
        for kind, value in v.links
        if kind == "mtd"
    }
    if masters:
        for value, cid, auth in _consignments_by_link_auth(session, "mtd", list(masters)):
            m = masters[value]
            if m.authority_id == auth:
                new_members.add((cid, m.filing_id, "master"))
    _insert_members(session, new_members, new_fids, done)
    members |= new_members

    # 3. container status messages, both ways round
    container_of: dict[str, list[tuple[int, int]]] = defaultdict(list)
    joined = {(cid, fid) for cid, fid, role in members if role in ("core", "master")}
    joined_fids = sorted({fid for _, fid in joined})
    fid_containers = _links_of(
        session, [f for f in joined_fids if f not in batch_links], "container"
    )
    for fid in joined_fids:
        if fid in batch_links:
            fid_containers[fid] = [v for k, v in batch_links[fid] if k == "container"]
    auth_of = {cid: a for (a, _), cid in ids.items()}
    auth_of.update(_consignment_authorities(session, {cid for cid, _ in joined} - auth_of.keys()))
    for cid, fid in joined:
        for value in fid_containers.get(fid, ()):
            container_of[value].append((cid, auth_of[cid]))
    csm_members: set[tuple[int, int, str]] = set()
    if container_of:
        for fid, value, auth in _filings_by_link(
            session, "container", list(container_of), filing_kind="csm"
        ):
            for cid, cauth in container_of[value]:
                if cauth == auth:
                    csm_members.add((cid, fid, "csm"))
    csms = {
        value: v
        for v in versions
        if v.kind == "csm"
        for kind, value in v.links
        if kind == "container"
    }
    if csms:
        for value, cid, auth in _consignments_by_link_auth(
            session, "container", list(csms), roles=("core", "master")
        ):
            c = csms[value]
            if c.authority_id == auth:
                csm_members.add((cid, c.filing_id, "csm"))
    _insert_members(session, csm_members, new_fids, done)

    # 4. one event per (consignment, new version)
    version_of = {v.filing_id: v for v in versions}
    events: list[tuple[int, int, int, str, object]] = []
    stamp = writer.time(now)
    memberships = {(c, f) for c, f, _ in members | csm_members if f in version_of}
    memberships.update(
        writer.select_in(
            "SELECT consignment_id, filing_id FROM consignment_members WHERE filing_id IN ({in})",
            sorted(older),
        )
    )
    for cid, fid in sorted(memberships):
        v = version_of[fid]
        reason = (
            "container_status"
            if v.kind == "csm"
            else "new_filing"
            if v.is_new_filing
            else "amendment"
        )
        events.append((0, cid, v.version_id, reason, stamp))
    events.sort(key=lambda e: (e[2], e[1]))
    writer.insert(
        "consignment_events",
        ("consignment_id", "filing_version_id", "reason", "created_at"),
        [(c, v, r, stamp) for _, c, v, r, stamp in events],
    )
    return {c for _, c, _, _, _ in events}


def _chunks_int(values: Sequence[int], n: int = 500) -> list[Sequence[int]]:
    return [values[i : i + n] for i in range(0, len(values), n)]


def _insert_members(
    session: Session,
    members: set[tuple[int, int, str]],
    new_fids: set[int],
    done: set[tuple[int, int]],
) -> None:
    """Insert the memberships not yet stored (under the intake lock, so no race).

    A filing first stored in this batch (``new_fids``) has no stored memberships but those
    an earlier step of this batch wrote (``done``, updated here); only older filings are
    looked up."""
    if not members:
        return
    writer = RowWriter(session)
    fids = sorted({f for _, f, _ in members if f not in new_fids})
    stored = set(done)
    stored.update(
        (c, f)
        for c, f in writer.select_in(
            "SELECT consignment_id, filing_id FROM consignment_members WHERE filing_id IN ({in})",
            fids,
        )
    )
    fresh: dict[tuple[int, int], str] = {}
    for c, f, r in sorted(members):
        if (c, f) not in stored and (c, f) not in fresh:
            fresh[(c, f)] = r
    writer.insert(
        "consignment_members",
        ("consignment_id", "filing_id", "role"),
        [(c, f, r) for (c, f), r in fresh.items()],
    )
    done.update(fresh)


def _consignment_ids(session: Session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    rows = RowWriter(session).select_in(
        "SELECT authority_id, reference, id FROM consignments WHERE reference IN ({in})",
        sorted({r for _, r in keys}),
    )
    return {(a, r): cid for a, r, cid in rows if (a, r) in keys}


def _consignment_authorities(session: Session, cids: set[int]) -> dict[int, int]:
    rows = RowWriter(session).select_in(
        "SELECT id, authority_id FROM consignments WHERE id IN ({in})", sorted(cids)
    )
    return {cid: a for cid, a in rows}


def _links_of(session: Session, fids: Sequence[int], kind: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for fid, value in RowWriter(session).select_in(
        "SELECT filing_id, value FROM filing_links WHERE kind = {p} AND filing_id IN ({in})",
        list(fids),
        (kind,),
    ):
        out[fid].append(value)
    return out


def _filings_by_link(
    session: Session,
    kind: str,
    values: Sequence[str],
    *,
    layer: str | None = None,
    filing_kind: str | None = None,
) -> list[tuple[int, str, int]]:
    """Filings carrying link ``kind`` = one of ``values``, optionally of a layer or kind."""
    sql = (
        "SELECT l.filing_id, l.value, f.authority_id FROM filing_links l "
        "JOIN filings f ON f.id = l.filing_id WHERE l.kind = {p}"
    )
    params = [kind]
    if layer is not None:
        sql += " AND f.layer = {p}"
        params.append(layer)
    if filing_kind is not None:
        sql += " AND f.kind = {p}"
        params.append(filing_kind)
    rows = RowWriter(session).select_in(sql + " AND l.value IN ({in})", list(values), params)
    return [(f, v, a) for f, v, a in rows]


def _consignments_by_link_auth(
    session: Session, kind: str, values: Sequence[str], roles: tuple[str, ...] = ("core",)
) -> list[tuple[str, int, int]]:
    """Consignments whose members of ``roles`` (one or two) carry link ``kind`` = one of
    ``values``."""
    assert 1 <= len(roles) <= 2
    rows = RowWriter(session).select_in(
        "SELECT l.value, m.consignment_id, c.authority_id FROM filing_links l "
        "JOIN consignment_members m ON m.filing_id = l.filing_id "
        "JOIN consignments c ON c.id = m.consignment_id "
        "WHERE l.kind = {p} AND m.role IN ({p}, {p}) AND l.value IN ({in})",
        list(values),
        (kind, roles[0], roles[-1]),
    )
    return [(v, c, a) for v, c, a in rows]


def _consignments_by_link(
    session: Session, kind: str, values: Sequence[str], roles: tuple[str, ...]
) -> list[tuple[str, int]]:
    return [(v, c) for v, c, _ in _consignments_by_link_auth(session, kind, values, roles)]
