"""DQ-6: consistency between the filings of one consignment, as a pure function.

Each filing can be fine on its own (DQ-1..DQ-5) and still contradict the others: houses
that add up to more packages than the carrier loaded, a house naming a container the
master does not carry, an import declaration for other goods than the ENS announced.
These contradictions are what smuggling through consolidation and mis-declaration look
like, so they are findings too.

A contradiction involves two filings; the finding goes to the **later-lodged** one (ties
broken by the higher filing id), because that is the filing that introduced the
disagreement and the filer who can still correct it. Its ``field`` is a path in that
filing.

The checks read a :class:`LayerView`, the few elements of a filing that DQ-6 compares,
not the full model: the DQ-6 pass re-reads every filing of every changed consignment
from storage, and projecting the stored (already validated) JSON is several times cheaper
than validating it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tollgate.declarations.models import AnyFiling, FilingAdapter
from tollgate.quality.checks import ERROR, WARNING, Finding

__all__ = ["TOTALS_TOLERANCE", "ItemView", "LayerView", "consistency_findings"]

#: Relative difference between the houses' sum and the master's total that is still
#: rounding (mass rounded per house, packages counted differently), not a contradiction.
TOTALS_TOLERANCE = 0.01

_HOUSE_LAYERS = ("house", "complete", "pre-loading")


@dataclass(frozen=True, slots=True)
class ItemView:
    commodity_code: str | None
    origin_country: str | None
    packages: int | None
    gross_mass: float | None
    containers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LayerView:
    """What DQ-6 compares of one filing. ``layer`` is None for other kinds than ENS."""

    kind: str
    layer: str | None
    lrn: str
    lodged_at: datetime
    mrn: str | None
    ens_mrn: str | None
    transport_document: str | None
    master_transport_document: str | None
    house_transport_document: str | None
    total_packages: int | None
    total_gross_mass: float | None
    transport_containers: tuple[str, ...]
    items: tuple[ItemView, ...]
    importer_eori: str | None
    consignee_eori: str | None

    @classmethod
    def of_document(cls, doc: Mapping[str, Any]) -> LayerView:
        """From a filing's stored JSON document (as written by intake, so already valid)."""
        transport = doc.get("transport") or {}
        items = tuple(
            ItemView(
                commodity_code=it.get("commodity_code"),
                origin_country=it.get("origin_country"),
                packages=(it.get("packaging") or {}).get("number"),
                gross_mass=_float(it.get("gross_mass")),
                containers=tuple(it.get("containers") or ()),
            )
            for it in doc.get("goods_items") or ()
        )
        lodged = doc["lodged_at"]
        return cls(
            kind=doc["kind"],
            layer=doc.get("layer"),
            lrn=doc["lrn"],
            lodged_at=lodged if isinstance(lodged, datetime) else datetime.fromisoformat(lodged),
            mrn=doc.get("mrn"),
            ens_mrn=doc.get("ens_mrn"),
            transport_document=doc.get("transport_document"),
            master_transport_document=doc.get("master_transport_document"),
            house_transport_document=doc.get("house_transport_document"),
            total_packages=doc.get("total_packages"),
            total_gross_mass=_float(doc.get("total_gross_mass")),
            transport_containers=tuple(transport.get("containers") or ()),
            items=items,
            importer_eori=(doc.get("importer") or {}).get("eori"),
            consignee_eori=(doc.get("consignee") or {}).get("eori"),
        )

    @classmethod
    def of(cls, filing: AnyFiling) -> LayerView:
        """From a model, through the same JSON form intake stores, so both agree."""
        return cls.of_document(FilingAdapter.dump_python(filing, mode="json"))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


_Member = tuple[int, LayerView]


def _order(member: _Member) -> tuple[datetime, int]:
    return (member[1].lodged_at, member[0])


def _later(a: _Member, b: _Member) -> _Member:
    """The later-lodged of two members; on a tie the one with the higher filing id."""
    return a if _order(a) >= _order(b) else b


def consistency_findings(members: Sequence[_Member]) -> list[tuple[int, Finding]]:
    """DQ-6 findings of one consignment, each with the id of the filing it is attached to.

    ``members`` are ``(filing_id, view of the latest version)`` of every filing of the
    consignment. Checked: house totals (packages, gross mass) against the master's, within
    ``TOTALS_TOLERANCE``; containers named by houses against the master's containers;
    master transport document named by houses against the master's; an import
    declaration against its ENS on commodity codes (HS 6 digits), origin countries and
    the importer's EORI against the consignee's. Each check runs only when both sides
    carry the data: a missing element is a DQ-2 matter, not a contradiction.

    Only ``house``-layer ENS filings are summed against the ``master``: a pre-loading
    filing repeats its house's data and a ``complete`` filing is its own master.
    """
    out: list[tuple[int, Finding]] = []
    ens = [m for m in members if m[1].kind == "ens"]
    imports = [m for m in members if m[1].kind == "import"]
    masters = [m for m in ens if m[1].layer == "master"]
    if masters:
        # one carrier filing per consignment; if amended under a new LRN, the latest counts
        master = max(masters, key=_order)
        houses = [h for h in ens if h[1].layer == "house"]
        if houses:
            _check_totals(out, master, houses)
            for house in houses:
                _check_containers(out, master, house)
                _check_master_document(out, master, house)
    for declaration in imports:
        matched = _ens_of(declaration[1], ens)
        if matched is not None:
            _check_import_against_ens(out, declaration, matched)
    return out


def can_contradict(kinds_and_layers: Sequence[tuple[str, str | None]]) -> bool:
    """Whether a group of filings could yield any DQ-6 finding at all: a master with a
    house, or an import declaration with an ENS. Lets the DQ-6 pass skip reading groups
    that cannot."""
    layers = {layer for kind, layer in kinds_and_layers if kind == "ens"}
    if "master" in layers and "house" in layers:
        return True
    has_import = any(kind == "import" for kind, _ in kinds_and_layers)
    return has_import and bool(layers & set(_HOUSE_LAYERS))


# ------------------------------------------------------------------------ master/house


def _house_packages(house: LayerView) -> int | None:
    if house.total_packages is not None:
        return house.total_packages
    items = house.items
    if items and all(it.packages is not None for it in items):
        return sum(it.packages for it in items if it.packages is not None)
    return None


def _house_gross_mass(house: LayerView) -> float | None:
    if house.total_gross_mass is not None:
        return house.total_gross_mass
    items = house.items
    if items and all(it.gross_mass is not None for it in items):
        return sum(it.gross_mass for it in items if it.gross_mass is not None)
    return None


def _check_totals(out: list[tuple[int, Finding]], master: _Member, houses: list[_Member]) -> None:
    """Houses must add up to the master: more is impossible (error); less may mean houses
    not yet filed, but risk analysis of the missing part is blind (warning)."""
    latest = max(houses, key=_order)
    target = _later(master, latest)
    m = master[1]
    package_counts = [_house_packages(h[1]) for h in houses]
    if m.total_packages is not None and None not in package_counts:
        houses_total = sum(n for n in package_counts if n is not None)
        _compare_total(
            out, target, "total_packages", "packages", float(houses_total), m.total_packages
        )
    masses = [_house_gross_mass(h[1]) for h in houses]
    if m.total_gross_mass is not None and None not in masses:
        houses_mass = sum(x for x in masses if x is not None)
        _compare_total(
            out, target, "total_gross_mass", "gross mass", houses_mass, m.total_gross_mass
        )


def _compare_total(
    out: list[tuple[int, Finding]],
    target: _Member,
    field: str,
    what: str,
    houses_total: float,
    master_total: float,
) -> None:
    if abs(houses_total - master_total) <= TOTALS_TOLERANCE * master_total:
        return
    above = houses_total > master_total
    code = "house_packages_mismatch" if field == "total_packages" else "house_gross_mass_mismatch"
    out.append(
        (
            target[0],
            Finding(
                "DQ-6",
                code,
                field,
                ERROR if above else WARNING,
                f"house filings total {houses_total:g} {what}, "
                f"{'more' if above else 'less'} than the master's {master_total:g} "
                f"(tolerance {TOTALS_TOLERANCE:.0%})",
            ),
        )
    )


def _master_containers(master: LayerView) -> set[str]:
    found = set(master.transport_containers)
    for item in master.items:
        found.update(item.containers)
    return found


def _check_containers(out: list[tuple[int, Finding]], master: _Member, house: _Member) -> None:
    """A container a house puts its goods in must be one the carrier declared (error: one
    of the two filings is wrong, and a container that is not on the master is a classic
    way to hide goods). Skipped when the master names no containers at all."""
    carried = _master_containers(master[1])
    if not carried:
        return
    house_id, h = house
    named: list[tuple[str, str]] = []
    named += [(f"transport.containers[{j}]", c) for j, c in enumerate(h.transport_containers)]
    for i, item in enumerate(h.items):
        named += [(f"goods_items[{i}].containers[{j}]", c) for j, c in enumerate(item.containers)]
    target = _later(master, house)
    seen: set[str] = set()
    for path, container in named:
        if container in carried or container in seen:
            continue
        seen.add(container)
        field = path if target[0] == house_id else "transport.containers"
        out.append(
            (
                target[0],
                Finding(
                    "DQ-6",
                    "container_not_in_master",
                    field,
                    ERROR,
                    f"container {container} of house {h.house_transport_document or h.lrn!r} "
                    f"is not among the master's containers",
                ),
            )
        )


def _check_master_document(out: list[tuple[int, Finding]], master: _Member, house: _Member) -> None:
    """A house names the master transport document it travels under; it must be the
    master's (warning: the link still holds through containers or references)."""
    m_doc = master[1].master_transport_document
    h_doc = house[1].master_transport_document
    if m_doc is None or h_doc is None or m_doc == h_doc:
        return
    target = _later(master, house)
    out.append(
        (
            target[0],
            Finding(
                "DQ-6",
                "master_document_mismatch",
                "master_transport_document",
                WARNING,
                f"house names master transport document {h_doc!r}, the master filing {m_doc!r}",
            ),
        )
    )


# ---------------------------------------------------------------------- import vs ENS


def _ens_of(declaration: LayerView, ens: list[_Member]) -> _Member | None:
    """The ENS (house level) an import declaration follows: matched by ENS MRN, else by
    transport document, else the only house-level ENS of the consignment. Among several
    matches, a house or complete filing beats a pre-loading one, then the latest wins."""
    candidates = [e for e in ens if e[1].layer in _HOUSE_LAYERS and e[1].items]
    if not candidates:
        return None
    matches: list[_Member] = []
    if declaration.ens_mrn is not None:
        matches = [e for e in candidates if e[1].mrn == declaration.ens_mrn]
    if not matches and declaration.transport_document is not None:
        doc = declaration.transport_document
        matches = [e for e in candidates if e[1].house_transport_document == doc]
    if not matches:
        full = [e for e in candidates if e[1].layer != "pre-loading"]
        if len(full) == 1:
            return full[0]
        if len(candidates) == 1:
            return candidates[0]
        return None
    return max(matches, key=lambda e: (e[1].layer != "pre-loading", _order(e)))


def _check_import_against_ens(
    out: list[tuple[int, Finding]],
    declaration: _Member,
    ens: _Member,
) -> None:
    """An import declaration must declare the goods the ENS announced (DQ-6): same HS
    subheadings, same origins, and the importer should be the ENS consignee. Compared as
    sets, because the two filings need not split the goods into the same items; each
    value of the later filing that the earlier one does not know is a finding (warning:
    brokers re-classify legitimately, but a shift is also how duties are evaded)."""
    target = _later(declaration, ens)
    later_is_import = target[0] == declaration[0]
    later_items = declaration[1].items if later_is_import else ens[1].items
    earlier_items = ens[1].items if later_is_import else declaration[1].items
    other = "ENS" if later_is_import else "import declaration"

    known_codes = {it.commodity_code[:6] for it in earlier_items if it.commodity_code}
    if known_codes:
        for i, item in enumerate(later_items):
            code = item.commodity_code
            if code is not None and code[:6] not in known_codes:
                out.append(
                    (
                        target[0],
                        Finding(
                            "DQ-6",
                            "ens_import_commodity_mismatch",
                            f"goods_items[{i}].commodity_code",
                            WARNING,
                            f"commodity code {code} (HS {code[:6]}) is not among the "
                            f"{other}'s codes {', '.join(sorted(known_codes))}",
                        ),
                    )
                )
    known_origins = {it.origin_country for it in earlier_items if it.origin_country}
    if known_origins:
        for i, item in enumerate(later_items):
            origin = item.origin_country
            if origin is not None and origin not in known_origins:
                out.append(
                    (
                        target[0],
                        Finding(
                            "DQ-6",
                            "ens_import_origin_mismatch",
                            f"goods_items[{i}].origin_country",
                            WARNING,
                            f"country of origin {origin} is not among the {other}'s "
                            f"origins {', '.join(sorted(known_origins))}",
                        ),
                    )
                )
    importer = declaration[1].importer_eori
    consignee = ens[1].consignee_eori
    if importer is not None and consignee is not None and importer != consignee:
        field = "importer.eori" if later_is_import else "consignee.eori"
        out.append(
            (
                target[0],
                Finding(
                    "DQ-6",
                    "ens_import_party_mismatch",
                    field,
                    WARNING,
                    f"importer EORI {importer} differs from the ENS consignee's EORI {consignee}",
                ),
            )
        )
