"""Entering, changing, deleting and querying FIDE records (CIS-28..CIS-36).

Only investigation services use FIDE (CIS-33): the ``fide`` permission, a CIS designation
of their authority, and the purpose of an investigation or a prosecution. Each authority
holds one record per person or business (CIS-30): a second entry of the same subject is
refused with the number of the record to amend, so that a supplier never splits one
subject over two records. Only the supplier reaches its records (CIS-17 by analogy);
another authority's record is "not found", which tells nothing about it.

A query answers only *who investigates*: the authority, its nationality and contact, its
file number, the reason and field (CIS-28, CIS-29). Never the record's identifier or
what the record says about its subject: those details are asked of the supplier through
mutual assistance. The caller's own authority's
files are answered too: a customs investigation service learns that a colleague service
of its own administration holds a file the same way it learns of a foreign one.

Withholding (CIS-32) means not entering: a withheld entry is checked like any other, so
the supplier knows it was admissible, and then not stored; the audit log keeps that it
was withheld, without personal data. Storing a record no one may ever see would keep
personal data for no purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.cis.access import CisUser, cleared
from tollgate.cis.crypto import Vault
from tollgate.cis.querylog import record_query
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from tollgate.fide import subjects
from tollgate.fide.contraventions import require_listed
from tollgate.fide.retention import RETENTION_YEARS, expires_on, remove
from tollgate.fide.tables import FideKey, FideRecord
from tollgate.reference.codes import is_country

#: CIS-33: FIDE serves investigations (art. 15.2) and the prosecutions they lead to
PURPOSES = frozenset({"investigation", "prosecution"})
#: CIS-29: why the subject is in FIDE
REASONS = tuple(RETENTION_YEARS)
#: CIS-29: everything a record holds; ``subject`` holds the CIS-31 personal data
RECORD_FIELDS = frozenset(
    {
        "subject_type",
        "subject",
        "reason",
        "field",
        "contravention",
        "handling_authority",
        "authority_nationality",
        "contact",
        "file_number",
        "last_investigative_act",
    }
)
AMENDABLE = RECORD_FIELDS - {"subject_type"}
#: why a supplier deletes a record before it expires
DELETE_REASONS = {
    "eliminated": "eliminated from the inquiry (CIS-36)",
    "inaccurate": "found inaccurate by its supplier (CIS-51)",
    "unlawful": "found unlawfully stored by its supplier (CIS-51)",
    "closed": "no longer needed by its supplier (CIS-35)",
}
_LINKISH = ("link", "alert", "declaration", "filing", "record", "related", "parent")


def _today() -> date:
    return datetime.now(UTC).date()


def clear(
    session: Session,
    actor: Actor,
    purpose: str | None,
    *,
    entering: bool = False,
    personal: bool = True,
    authority_code: str | None = None,
) -> CisUser:
    """The caller cleared for FIDE (CIS-33, CIS-38), or a refusal naming the rule."""
    if not actor.can(Permission.FIDE):
        raise NotAuthorised(
            f"CIS-33: only investigation services enter and consult FIDE; user "
            f"{actor.username!r} lacks permission 'fide'"
        )
    if purpose is not None and purpose not in PURPOSES:
        raise NotAuthorised(
            f"CIS-33: FIDE serves investigations and prosecutions {sorted(PURPOSES)}, "
            f"not {purpose!r}"
        )
    return cleared(
        session,
        actor,
        Permission.FIDE,
        purpose,
        entering=entering,
        personal=personal,
        authority_code=authority_code,
    )


@dataclass(frozen=True, slots=True)
class RecordView:
    """A record as its supplier manages it: everything it entered, opened."""

    id: int
    authority: str
    subject_type: str
    subject: dict[str, Any]
    reason: str
    field: str
    contravention: str
    handling_authority: str
    authority_nationality: str
    contact: str
    file_number: str
    entered_on: date
    last_investigative_act: date
    expires_on: date
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Match:
    """What a query returns of a matching record (CIS-28, CIS-29): who to ask, and why."""

    authority: str
    handling_authority: str
    authority_nationality: str
    contact: str
    file_number: str
    reason: str
    field: str


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    items: list[RecordView]


def _view(vault: Vault, row: FideRecord) -> RecordView:
    return RecordView(
        id=row.id,
        authority=row.authority,
        subject_type=row.subject_type,
        subject=vault.open(row.sealed),
        reason=row.reason,
        field=row.field,
        contravention=row.contravention,
        handling_authority=row.handling_authority,
        authority_nationality=row.authority_nationality,
        contact=row.contact,
        file_number=row.file_number,
        entered_on=row.entered_on,
        last_investigative_act=row.last_investigative_act,
        expires_on=row.expires_on,
        updated_at=row.updated_at,
    )


def _refuse_unknown(given: Any, allowed: frozenset[str], what: str) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise ValidationFailed(f"CIS-29: {what} is an object of record fields")
    extra = sorted(set(given) - allowed)
    links = [f for f in extra if f.endswith(("_id", "_ids")) or any(w in f for w in _LINKISH)]
    if links:
        raise ValidationFailed(
            f"CIS-30: a FIDE record is never linked to another record, an alert or a "
            f"declaration; refused: {links}"
        )
    if extra:
        raise ValidationFailed(
            f"CIS-29: a FIDE record holds only {sorted(allowed)}; refused: {extra}"
        )
    return given


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"CIS-29: a FIDE record states its {name}")
    if len(value.strip()) > limit:
        raise ValidationFailed(f"CIS-29: {name} is longer than {limit} characters")
    return value.strip()


def _content(
    session: Session, user: CisUser, given: dict[str, Any], *, today: date
) -> dict[str, Any]:
    """A complete record's fields, checked (CIS-27, CIS-29, CIS-31, CIS-35)."""
    subject_type = given.get("subject_type")
    if subject_type not in subjects.SUBJECT_TYPES:
        raise ValidationFailed(
            f"CIS-29: subject_type is one of {list(subjects.SUBJECT_TYPES)}, not {subject_type!r}"
        )
    subject = subjects.check_subject(str(subject_type), given.get("subject"))
    reason = given.get("reason")
    if reason not in REASONS:
        raise ValidationFailed(
            f"CIS-29: reason is one of {list(REASONS)} (suspected, contravention "
            f"established, or sanctioned), not {reason!r}"
        )
    code = user.authority.code
    listed = require_listed(session, code, given.get("contravention"))
    nationality = given.get("authority_nationality") or user.authority.country
    if not isinstance(nationality, str) or not is_country(nationality.upper()):
        raise ValidationFailed(
            f"CIS-29: the nationality of the authority handling the file is an ISO 3166 "
            f"country code, not {nationality!r}"
        )
    last_act = _last_act(given.get("last_investigative_act"), today)
    return {
        "subject_type": subject_type,
        "subject": subject,
        "reason": reason,
        "field": _text(given.get("field"), "field of investigation", 200),
        "contravention": listed.code,
        "handling_authority": _text(
            given.get("handling_authority") or user.authority.name,
            "handling authority's name",
            200,
        ),
        "authority_nationality": nationality.upper(),
        "contact": _text(given.get("contact"), "contact", 300),
        "file_number": _text(given.get("file_number"), "file number", 60),
        "last_investigative_act": last_act,
    }


def _last_act(value: Any, today: date) -> date:
    if value is None:
        return today
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(
                f"CIS-35: last_investigative_act {value!r} is not YYYY-MM-DD"
            ) from None
    else:
        raise ValidationFailed("CIS-35: last_investigative_act is a date (YYYY-MM-DD)")
    if day > today:
        raise ValidationFailed("CIS-35: the last investigative act cannot lie in the future")
    return day


def _identity(vault: Vault, authority: str, content: dict[str, Any]) -> str:
    return vault.blind(
        f"fide:{authority}:identity",
        subjects.identity(content["subject_type"], content["subject"]),
    )


def _refuse_second(
    session: Session, authority: str, identity: str, subject_type: str, own_id: int | None
) -> None:
    """CIS-30: one record per person or business for this supplier."""
    existing = session.scalar(
        select(FideRecord.id).where(
            FideRecord.authority == authority, FideRecord.identity == identity
        )
    )
    if existing is not None and existing != own_id:
        raise Conflict(
            f"CIS-30: {authority} holds FIDE record {existing} for this {subject_type} "
            "already; one record per person or business: amend that record instead"
        )


def _apply(vault: Vault, row: FideRecord, content: dict[str, Any]) -> None:
    row.subject_type = content["subject_type"]
    row.sealed = vault.seal(content["subject"])
    row.reason = content["reason"]
    row.field = content["field"]
    row.contravention = content["contravention"]
    row.handling_authority = content["handling_authority"]
    row.authority_nationality = content["authority_nationality"]
    row.contact = content["contact"]
    row.file_number = content["file_number"]
    row.last_investigative_act = content["last_investigative_act"]
    row.expires_on = expires_on(row.reason, row.entered_on, row.last_investigative_act)


def _save(session: Session, row: FideRecord, authority: str, subject_type: str) -> None:
    """Flush in a savepoint: a concurrent entry of the same subject loses on the unique
    constraint and is told so, instead of failing the request with an error 500."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"CIS-30: {authority} holds a FIDE record for this {subject_type} already; "
            "amend that record instead"
        ) from None


def _set_keys(session: Session, vault: Vault, row: FideRecord, subject: dict[str, Any]) -> None:
    session.execute(delete(FideKey).where(FideKey.record_id == row.id))
    session.add_all(
        FideKey(record_id=row.id, kind=kind, blind=vault.blind(f"fide:{row.authority}:{kind}", v))
        for kind, v in sorted(subjects.index_keys(row.subject_type, subject))
    )
    session.flush()


def enter(
    session: Session,
    vault: Vault,
    user: CisUser,
    entry: Any,
    *,
    today: date | None = None,
) -> RecordView | None:
    """Enter one record; ``None`` when the supplier withholds it (CIS-32)."""
    _refuse_unknown(entry, RECORD_FIELDS | {"withheld"}, "an entry")
    withheld = entry.get("withheld", False)
    if not isinstance(withheld, bool):
        raise ValidationFailed("CIS-32: withheld is true or false")
    today = today or _today()
    content = _content(session, user, entry, today=today)
    authority = user.authority.code
    audit = {
        "authority": authority,
        "subject_type": content["subject_type"],
        "reason": content["reason"],
        "field": content["field"],
        "contravention": content["contravention"],
    }
    if withheld:
        record(
            session,
            actor=user.actor,
            action="fide_withhold",
            object_type="fide_record",
            purpose=user.purpose,
            detail=audit,
        )
        return None
    identity = _identity(vault, authority, content)
    _refuse_second(session, authority, identity, content["subject_type"], None)
    now = datetime.now(UTC)
    row = FideRecord(
        authority=authority,
        identity=identity,
        entered_on=today,
        entered_at=now,
        entered_by=user.actor.username,
        updated_at=now,
        updated_by=user.actor.username,
    )
    _apply(vault, row, content)
    _save(session, row, authority, content["subject_type"])
    _set_keys(session, vault, row, content["subject"])
    record(
        session,
        actor=user.actor,
        action="fide_enter",
        object_type="fide_record",
        object_id=str(row.id),
        purpose=user.purpose,
        detail=audit | {"expires_on": row.expires_on.isoformat()},
    )
    return _view(vault, row)


def _own(session: Session, user: CisUser, record_id: int) -> FideRecord:
    row = session.get(FideRecord, record_id)
    if row is None or row.authority != user.authority.code:
        raise NotFound(
            f"CIS-17: {user.authority.code} has no FIDE record {record_id} (a supplier "
            "reaches only its own records)"
        )
    return row


def amend(
    session: Session,
    vault: Vault,
    user: CisUser,
    record_id: int,
    changes: Any,
    *,
    today: date | None = None,
) -> RecordView:
    """Change a record: its supplier only (CIS-17). ``subject`` changes merge into the
    record's subject, a ``null`` removing a field; the rest replaces what it names. The
    retention is recomputed from the original date of entry (CIS-35)."""
    _refuse_unknown(changes, AMENDABLE, "an amendment")
    if not changes:
        raise ValidationFailed(f"CIS-29: an amendment changes one of {sorted(AMENDABLE)}")
    row = _own(session, user, record_id)
    today = today or _today()
    current = _view(vault, row)
    merged: dict[str, Any] = {
        "subject_type": row.subject_type,
        "subject": current.subject,
        "reason": row.reason,
        "field": row.field,
        "contravention": row.contravention,
        "handling_authority": row.handling_authority,
        "authority_nationality": row.authority_nationality,
        "contact": row.contact,
        "file_number": row.file_number,
        "last_investigative_act": row.last_investigative_act,
    }
    for key, value in changes.items():
        if key == "subject":
            if not isinstance(value, dict):
                raise ValidationFailed("CIS-31: 'subject' is an object of personal data fields")
            merged["subject"] = {**current.subject, **value}
        elif key == "last_investigative_act" and value is None:
            raise ValidationFailed("CIS-35: the last investigative act cannot be removed")
        else:
            merged[key] = value
    content = _content(session, user, merged, today=today)
    identity = _identity(vault, row.authority, content)
    _refuse_second(session, row.authority, identity, row.subject_type, row.id)
    row.identity = identity
    _apply(vault, row, content)
    row.updated_at = datetime.now(UTC)
    row.updated_by = user.actor.username
    _save(session, row, row.authority, row.subject_type)
    _set_keys(session, vault, row, content["subject"])
    record(
        session,
        actor=user.actor,
        action="fide_amend",
        object_type="fide_record",
        object_id=str(row.id),
        purpose=user.purpose,
        detail={
            "authority": row.authority,
            "changed": sorted(changes),
            "reason": row.reason,
            "expires_on": row.expires_on.isoformat(),
        },
    )
    return _view(vault, row)


def delete_record(session: Session, user: CisUser, record_id: int, *, why: str) -> None:
    """Delete a record at once: its supplier only (CIS-17); ``eliminated`` when the
    subject was eliminated from the inquiry (CIS-36)."""
    if why not in DELETE_REASONS:
        raise ValidationFailed(f"CIS-36: a deletion says why, one of {sorted(DELETE_REASONS)}")
    row = _own(session, user, record_id)
    remove(session, row, actor=user.actor, why=DELETE_REASONS[why], purpose=user.purpose)


def own_record(session: Session, vault: Vault, user: CisUser, record_id: int) -> RecordView:
    """One of the supplier's own records, opened (CIS-17, CIS-51)."""
    return _view(vault, _own(session, user, record_id))


def own_records(
    session: Session, vault: Vault, user: CisUser, *, offset: int = 0, limit: int = 100
) -> Page:
    """The supplier's own records, for its own management: newest first."""
    where = FideRecord.authority == user.authority.code
    total = session.scalar(select(func.count()).select_from(FideRecord).where(where)) or 0
    rows = session.scalars(
        select(FideRecord).where(where).order_by(FideRecord.id.desc()).offset(offset).limit(limit)
    )
    return Page(int(total), [_view(vault, r) for r in rows])


def query(
    session: Session,
    vault: Vault,
    user: CisUser,
    keys: Any,
    *,
    today: date | None = None,
) -> list[Match]:
    """The files on the subject the keys name (CIS-34): every key given must match.

    Keys are blinded per supplier, so the query is blinded once for each authority that
    has records; a record past its retention is never returned, purged or not."""
    subject_type, wanted = subjects.query_keys(keys)
    today = today or _today()
    suppliers = list(session.scalars(select(FideRecord.authority).distinct()))
    blinds = [
        vault.blind(f"fide:{supplier}:{kind}", value)
        for supplier in suppliers
        for kind, value in wanted.items()
    ]
    found: list[FideRecord] = []
    if blinds:
        matched = (
            select(FideKey.record_id)
            .where(FideKey.blind.in_(blinds))
            .group_by(FideKey.record_id)
            .having(func.count(distinct(FideKey.kind)) == len(wanted))
        )
        found = list(
            session.scalars(
                select(FideRecord)
                .where(
                    FideRecord.id.in_(matched),
                    FideRecord.subject_type == subject_type,
                    FideRecord.expires_on > today,
                )
                .order_by(FideRecord.authority, FideRecord.file_number)
            )
        )
    record_query(
        session,
        vault,
        user,
        kind="fide",
        criteria={"subject_type": subject_type, **{k: keys[k] for k in wanted}},
        results=len(found),
    )
    return [
        Match(
            authority=r.authority,
            handling_authority=r.handling_authority,
            authority_nationality=r.authority_nationality,
            contact=r.contact,
            file_number=r.file_number,
            reason=r.reason,
            field=r.field,
        )
        for r in found
    ]


def reindex(session: Session, vault: Vault, *, actor: Actor) -> int:
    """Recompute every record's identity and query keys from its sealed content; returns
    how many records. Needed when name normalisation or the blind-index key changes: keys
    computed the old way would no longer meet the queries computed the new way."""
    actor.require(Permission.MANAGE_SHARING)
    count = 0
    last = 0
    while True:
        rows = list(
            session.scalars(
                select(FideRecord).where(FideRecord.id > last).order_by(FideRecord.id).limit(500)
            )
        )
        if not rows:
            break
        for row in rows:
            subject = vault.open(row.sealed)
            content = {"subject_type": row.subject_type, "subject": subject}
            row.identity = _identity(vault, row.authority, content)
            _set_keys(session, vault, row, subject)
        count += len(rows)
        last = rows[-1].id
    record(
        session,
        actor=actor,
        action="fide_reindex",
        object_type="fide_record",
        detail={"records": count},
    )
    return count
