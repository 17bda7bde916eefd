"""Turning one raw record into either a prepared filing or precise errors.

Preparation is pure CPU work (parse, validate, canonicalise, hash, quality-check) with no
database access, so bulk loads can run it in worker processes while the parent writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from pydantic import ValidationError

from tollgate.declarations.models import AnyFiling, FilingAdapter
from tollgate.quality.checks import Finding, check_filing, quality_score


@dataclass(frozen=True, slots=True)
class RecordError:
    """One reason a record was refused: where (position, id, field path), what (code), why."""

    position: int
    record_id: str | None
    field: str
    code: str
    message: str
    filer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "record_id": self.record_id,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


@dataclass(slots=True)
class PreparedFiling:
    position: int
    kind: str
    filer: str
    lrn: str
    filing_type: str
    layer: str | None
    office: str
    amendment: bool
    lodged_at: datetime
    document_json: str  # canonical JSON: what is stored and what the hash covers
    content_hash: str
    findings: list[Finding]
    score: int
    links: list[tuple[str, str]] = field(default_factory=list)
    key: tuple[str, str, str] = ("", "", "")  # (kind, filer, lrn): the filing's identity

    def __post_init__(self) -> None:
        self.key = (self.kind, self.filer, self.lrn)

    @property
    def country(self) -> str:
        return self.office[:2]


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('ens', 'goods_items', 0, 'commodity_code')`` -> ``goods_items[0].commodity_code``."""
    parts: list[str] = []
    for i, item in enumerate(loc):
        if i == 0 and item in ("ens", "import", "csm"):
            continue  # the discriminator tag pydantic puts first
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "$"


def _identity(raw: Any) -> tuple[str | None, str | None]:
    if isinstance(raw, dict):
        lrn, filer = raw.get("lrn"), raw.get("filer")
        return (
            lrn if isinstance(lrn, str) else None,
            filer if isinstance(filer, str) else None,
        )
    return None, None


def _errors_of(exc: ValidationError, position: int, raw: Any) -> list[RecordError]:
    record_id, filer = _identity(raw)
    out = []
    for err in exc.errors(include_url=False):
        code = err["type"]
        if code == "union_tag_invalid":
            code = "unknown_kind"
        elif code == "union_tag_not_found":
            code = "missing_kind"
        out.append(
            RecordError(
                position=position,
                record_id=record_id,
                field=field_path(tuple(err["loc"])),
                code=code,
                message=err["msg"],
                filer=filer,
            )
        )
    return out


def links_of(filing: AnyFiling) -> list[tuple[str, str]]:
    """The keys that tie this filing to others of the same consignment (DM-4)."""
    links: set[tuple[str, str]] = set()
    if filing.kind == "csm":
        links.add(("container", filing.container_number))
        return sorted(links)
    if filing.mrn:
        links.add(("mrn", filing.mrn))
    if filing.transport is not None:
        links.update(("container", c) for c in filing.transport.containers)
    for item in filing.goods_items:
        links.update(("container", c) for c in item.containers)
    if filing.kind == "ens":
        if filing.house_transport_document:
            links.add(("htd", filing.house_transport_document))
        if filing.master_transport_document:
            links.add(("mtd", filing.master_transport_document))
    else:
        if filing.transport_document:
            links.add(("htd", filing.transport_document))
        if filing.ens_mrn:
            links.add(("ens_mrn", filing.ens_mrn))
    return sorted(links)


def prepare_model(filing: AnyFiling, position: int, received_at: datetime) -> PreparedFiling:
    # one serialisation serves storage and hashing; the model fixes the key order, so the
    # same content always gives the same bytes whatever order the filer sent
    document = FilingAdapter.dump_json(filing, exclude_none=True)
    content_hash = hashlib.sha256(document).hexdigest()
    findings = check_filing(filing, received_at=received_at)
    if filing.kind == "ens":
        filing_type, layer = filing.filing_type, filing.layer
    elif filing.kind == "import":
        filing_type, layer = filing.declaration_type, None
    else:
        filing_type, layer = "CSM", None
    return PreparedFiling(
        position=position,
        kind=filing.kind,
        filer=filing.filer,
        lrn=filing.lrn,
        filing_type=filing_type,
        layer=layer,
        office=filing.office,
        amendment=bool(getattr(filing, "amendment", False)),
        lodged_at=filing.lodged_at,
        document_json=document.decode(),
        content_hash=content_hash,
        findings=findings,
        score=quality_score(findings),
        links=links_of(filing),
    )


@dataclass(frozen=True, slots=True)
class Undecodable:
    """Stands in a batch for a record whose bytes did not decode, keeping its position."""

    code: str
    message: str


def prepare(raw: Any, position: int, received_at: datetime) -> PreparedFiling | list[RecordError]:
    """Validate a decoded JSON value (dict) into a prepared filing, or explain why not."""
    if isinstance(raw, Undecodable):
        return [RecordError(position, None, "$", raw.code, raw.message)]
    if not isinstance(raw, dict):
        return [RecordError(position, None, "$", "not_an_object", "a filing must be a JSON object")]
    try:
        filing = FilingAdapter.validate_python(raw)
    except ValidationError as exc:
        return _errors_of(exc, position, raw)
    return prepare_model(filing, position, received_at)


def prepare_json(
    line: bytes, position: int, received_at: datetime
) -> PreparedFiling | list[RecordError]:
    """Like ``prepare`` for one JSON text; malformed JSON and bad bytes are errors too.

    The happy path validates straight from bytes (no intermediate dicts); only a record
    that fails is decoded again to name it in the errors."""
    try:
        filing = FilingAdapter.validate_json(line)
    except ValidationError:
        return prepare(decode_json(line), position, received_at)
    return prepare_model(filing, position, received_at)


def decode_json(line: bytes) -> Any:
    """Decode one JSON text; bad bytes or bad syntax become an ``Undecodable``."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if "utf-8" in str(exc).lower():
            return Undecodable("invalid_utf8", f"not valid UTF-8: {exc}")
        return Undecodable("malformed_json", f"not valid JSON: {exc}")
