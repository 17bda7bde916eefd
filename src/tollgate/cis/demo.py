"""A few CIS alerts for the demo that hit its declarations: a person under discreet
surveillance (entered in another spelling than the one declared), a business for specific
checks (by EORI), a container for sighting and reporting, and a rare commodity for
operational analysis. Taken from the loaded data, so they hit whatever seed was used.

Every customs authority holding filings, and the EU bodies, are designated; one is
designated without specific checks so that the CIS-12 conversion shows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM
from tollgate.authorities.tables import Authority
from tollgate.cis.access import PURPOSES, cleared, designate, designation_of
from tollgate.cis.alerts import enter_alert
from tollgate.cis.categories import Category
from tollgate.cis.crypto import Vault
from tollgate.declarations.tables import FilingRecord, FilingVersion

JUSTIFICATION = (
    "Demo: the person was found with undeclared goods twice in the last year; an "
    "intelligence report links them to an organised smuggling network."
)


@dataclass(frozen=True, slots=True)
class DemoAlert:
    reference: str
    supplier: str
    category: str
    action: str
    about: str


def designate_demo(session: Session) -> list[str]:
    """Designate every customs authority holding filings, and the EU bodies."""
    codes = sorted(
        set(
            session.scalars(
                select(Authority.code)
                .join(FilingRecord, FilingRecord.authority_id == Authority.id)
                .distinct()
            )
        )
        | {"EU-COM", "EUROPOL"}
    )
    for n, code in enumerate(codes):
        authority = session.scalar(select(Authority).where(Authority.code == code))
        if authority is None or designation_of(session, authority.id) is not None:
            continue
        designate(
            session,
            actor=SYSTEM,
            authority_code=code,
            categories=[c.value for c in Category],
            purposes=sorted(PURPOSES),
            may_enter=True,
            # the second authority's law allows no specific checks: they convert (CIS-12)
            specific_checks_allowed=n != 1,
            data_protection_in_force=True,
            supervisory_authority=f"data protection authority of {code}",
            analysis_services=["national risk analysis centre"],
            transmit_to=[c for c in codes if c not in ("EU-COM", "EUROPOL")][:5],
        )
    return codes


def demo_alerts(session: Session, vault: Vault, *, sample: int = 4_000) -> list[DemoAlert]:
    """Enter the demo alerts (once: an existing demo alert set is left alone)."""
    codes = designate_demo(session)
    rows = session.execute(
        select(FilingVersion.document, Authority.code)
        .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        .join(Authority, Authority.id == FilingRecord.authority_id)
        .order_by(FilingVersion.id)
        .limit(sample)
    ).all()
    person: tuple[str, str] | None = None
    business: tuple[str, str, str] | None = None
    box: tuple[str, str] | None = None
    commodities: Counter[str] = Counter()
    owner_of_code: dict[str, str] = {}
    for document, code in rows:
        for role in ("importer", "consignee", "exporter", "consignor", "declarant"):
            party: dict[str, Any] | None = document.get(role)
            if not party:
                continue
            if party.get("is_person") and person is None and len(party["name"].split()) >= 2:
                person = (party["name"], code)
            elif party.get("eori") and business is None and role in ("importer", "consignee"):
                business = (party["name"], party["eori"], code)
        for item in document.get("goods_items", []):
            if item.get("commodity_code"):
                commodities[item["commodity_code"][:6]] += 1
                owner_of_code.setdefault(item["commodity_code"][:6], code)
            if item.get("containers") and box is None:
                box = (item["containers"][0], code)
        transport = document.get("transport") or {}
        if transport.get("containers") and box is None:
            box = (transport["containers"][0], code)

    def supplier_for(code: str) -> str:
        # another authority enters the alert: the hit crosses borders, as the CIS is for
        return next((c for c in codes if c not in (code, "EU-COM", "EUROPOL")), code)

    out: list[DemoAlert] = []

    def enter(code: str, about: str, **kw: Any) -> None:
        user = cleared(
            session, SYSTEM, Permission.CIS_ENTER, "prevention", entering=True, authority_code=code
        )
        alert, _ = enter_alert(session, vault, user, **kw)
        out.append(DemoAlert(alert.reference, code, alert.category, alert.action, about))

    if person is not None:
        name, code = person
        *forenames, surname = name.split()
        # entered surname first, upper case, as a passport reads: the match is fuzzy
        enter(
            supplier_for(code),
            f"person {surname.upper()}, {' '.join(forenames)}",
            category="persons",
            action="discreet_surveillance",
            reason="suspected courier of an organised smuggling network",
            person={"surname": surname.upper(), "forenames": " ".join(forenames)},
            justification=JUSTIFICATION,
        )
    if business is not None:
        name, eori, code = business
        enter(
            supplier_for(code),
            f"business EORI {eori}",
            category="businesses",
            action="specific_checks",
            reason="systematic undervaluation found in a post-release audit",
            subject={"business_name": name, "eori": eori},
        )
    if box is not None:
        number, code = box
        enter(
            supplier_for(code),
            f"container {number}",
            category="means_of_transport",
            action="sighting_and_reporting",
            reason="container used for counterfeit goods in an earlier case",
            subject={"containers": [number]},
        )
    rare = [c for c, n in commodities.most_common() if 2 <= n <= 10]
    if rare:
        code6 = rare[-1]
        enter(
            supplier_for(owner_of_code[code6]),
            f"commodity {code6}",
            category="commodities",
            action="operational_analysis",
            reason="new fraud pattern under analysis",
            subject={"commodity_codes": [code6], "description": "goods under analysis"},
        )
    return out
