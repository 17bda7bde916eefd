"""The declaration model (DM-1..DM-8) as pydantic v2 schemas.

These are the shapes a filer may send. Hard syntax (types, required elements, EORI and
container check digits, ISO country and currency codes, transport-mode codes) is enforced
here and a record that breaks it is rejected with the field path. Softer validity — a
well-formed commodity code that the nomenclature does not know, an unknown UN/LOCODE,
implausible masses — is *accepted* and recorded as a data-quality finding (DQ-1..DQ-6), so
that filers can be measured on it (RM-3). See ``docs/adr/0002-rejection-or-finding.md``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
)
from pydantic_core import PydanticCustomError

from tollgate.declarations.identifiers import (
    container_problem,
    eori_problem,
    locode_problem,
    office_problem,
)
from tollgate.reference.codes import TransportMode, is_country, is_currency


def _check(code: str, problem: str | None) -> None:
    """Raise with a stable error code, so clients can act on ``code`` without parsing text."""
    if problem is not None:
        raise PydanticCustomError(code, problem)


def _eori(value: str) -> str:
    _check("invalid_eori", eori_problem(value))
    return value


def _container(value: str) -> str:
    _check("invalid_container_number", container_problem(value))
    return value


def _locode(value: str) -> str:
    _check("invalid_locode", locode_problem(value))
    return value


def _office(value: str) -> str:
    _check("invalid_office", office_problem(value))
    return value


def _country(value: str) -> str:
    if not is_country(value):
        _check("unknown_country", f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return value


def _currency(value: str) -> str:
    if not is_currency(value):
        _check("unknown_currency", f"{value!r} is not an ISO 4217 currency code")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=70)]
Eori = Annotated[str, StringConstraints(max_length=17), AfterValidator(_eori)]
ContainerNumber = Annotated[str, StringConstraints(max_length=11), AfterValidator(_container)]
Locode = Annotated[str, StringConstraints(max_length=5), AfterValidator(_locode)]
OfficeRef = Annotated[str, StringConstraints(max_length=8), AfterValidator(_office)]
Country = Annotated[str, StringConstraints(min_length=2, max_length=2), AfterValidator(_country)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3), AfterValidator(_currency)]
CommodityCode = Annotated[str, StringConstraints(pattern=r"^\d{6}(\d{2}){0,2}(\d{1,4})?$")]
ProcedureCode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
FilingType = Annotated[str, StringConstraints(pattern=r"^F[1-5]\d$")]
Mass = Annotated[float, Field(ge=0, le=1e9)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), max_digits=18, decimal_places=4)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(_Model):
    street: Text | None = None
    city: Text | None = None
    postcode: Annotated[str, StringConstraints(max_length=17)] | None = None
    country: Country


class Party(_Model):
    """A party (DM-5). ``is_person`` marks a natural person: their data are personal data."""

    name: Text
    address: Address | None = None
    eori: Eori | None = None
    vat_number: Annotated[str, StringConstraints(max_length=20)] | None = None
    excise_number: Annotated[str, StringConstraints(max_length=20)] | None = None
    is_person: bool = False


class Packaging(_Model):
    number: Annotated[int, Field(ge=0, le=10_000_000)]
    kind: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")] | None = None
    marks: Text | None = None


class GoodsItem(_Model):
    """A goods item (DM-6)."""

    sequence: Annotated[int, Field(ge=1, le=9999)]
    description: Text
    commodity_code: CommodityCode | None = None
    origin_country: Country | None = None
    preferential_origin_country: Country | None = None
    gross_mass: Mass | None = None
    net_mass: Mass | None = None
    supplementary_units: Annotated[float, Field(ge=0)] | None = None
    supplementary_unit_code: Annotated[str, StringConstraints(max_length=8)] | None = None
    packaging: Packaging | None = None
    un_dangerous_goods_number: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] | None = None
    containers: list[ContainerNumber] = Field(default_factory=list, max_length=999)
    item_price: Money | None = None
    currency: Currency | None = None
    statistical_value: Money | None = None
    procedure_code: ProcedureCode | None = None
    additional_procedure_codes: list[
        Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3}$")]
    ] = Field(default_factory=list, max_length=99)
    valuation_method: Annotated[str, StringConstraints(pattern=r"^\d$")] | None = None
    preference_code: Annotated[str, StringConstraints(pattern=r"^\d{3}$")] | None = None
    declared_duties: Money | None = None


class Transport(_Model):
    """Transport at the border (DM-7)."""

    mode: TransportMode
    means_identity: Annotated[str, StringConstraints(max_length=35)] | None = None
    means_nationality: Country | None = None
    voyage: Annotated[str, StringConstraints(max_length=35)] | None = None
    place_of_loading: Locode | None = None
    place_of_unloading: Locode | None = None
    itinerary: list[Country] = Field(default_factory=list, max_length=99)
    containers: list[ContainerNumber] = Field(default_factory=list, max_length=9999)


class _Filing(_Model):
    lrn: Reference = Field(description="Local reference number given by the filer.")
    filer: Eori = Field(description="EORI of the person who lodged this filing.")
    lodged_at: AwareDatetime


class EntrySummaryDeclaration(_Filing):
    """An ICS2 ENS filing of any layer (DM-1); the filing type (F10, F32, ...) is data."""

    kind: Literal["ens"] = "ens"
    filing_type: FilingType
    layer: Literal["pre-loading", "master", "house", "complete"]
    amendment: bool = False
    mrn: Reference | None = None
    office_of_first_entry: OfficeRef
    expected_arrival: AwareDatetime | None = None
    master_transport_document: Reference | None = None
    house_transport_document: Reference | None = None
    consignor: Party | None = None
    consignee: Party | None = None
    notify_party: Party | None = None
    carrier: Party | None = None
    buyer: Party | None = None
    seller: Party | None = None
    transport: Transport | None = None
    total_packages: Annotated[int, Field(ge=0)] | None = None
    total_gross_mass: Mass | None = None
    goods_items: list[GoodsItem] = Field(default_factory=list, max_length=999)

    @property
    def office(self) -> str:
        return self.office_of_first_entry


class ImportDeclaration(_Filing):
    """An import customs declaration, H1 (full) or H7 (low value) (DM-2, DM-8)."""

    kind: Literal["import"] = "import"
    declaration_type: Literal["H1", "H7"]
    amendment: bool = False
    mrn: Reference | None = None
    office_of_lodgement: OfficeRef
    ens_mrn: Reference | None = Field(default=None, description="MRN of the ENS it follows.")
    transport_document: Reference | None = Field(
        default=None, description="House (or master) transport document number it refers to."
    )
    declarant: Party | None = None
    representative: Party | None = None
    importer: Party | None = None
    exporter: Party | None = None
    seller: Party | None = None
    buyer: Party | None = None
    incoterms: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    invoice_currency: Currency | None = None
    invoice_total: Money | None = None
    exchange_rate: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=8)] | None = None
    transport: Transport | None = None
    goods_items: list[GoodsItem] = Field(min_length=1, max_length=999)
    national_data: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")],
        Annotated[str, StringConstraints(max_length=200)],
    ] = Field(
        default_factory=dict,
        max_length=50,
        description="Elements a national system adds beyond the EU data model.",
    )

    @property
    def office(self) -> str:
        return self.office_of_lodgement


class ContainerStatusMessage(_Filing):
    """A carrier's container event (DM-3): the real route of a container (RM-4)."""

    kind: Literal["csm"] = "csm"
    reported_to: Country = Field(description="Country of the customs authority it is sent to.")
    container_number: ContainerNumber
    event: Literal["loaded", "discharged", "gate-in", "gate-out", "transshipped"]
    place: Locode
    event_time: datetime
    vessel: Annotated[str, StringConstraints(max_length=35)] | None = None

    @property
    def office(self) -> str:
        return self.reported_to + "000000"


Filing = Annotated[
    EntrySummaryDeclaration | ImportDeclaration | ContainerStatusMessage,
    Field(discriminator="kind"),
]
FilingAdapter: TypeAdapter[EntrySummaryDeclaration | ImportDeclaration | ContainerStatusMessage]
FilingAdapter = TypeAdapter(Filing)

AnyFiling = EntrySummaryDeclaration | ImportDeclaration | ContainerStatusMessage

ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "ens": ("consignor", "consignee", "notify_party", "carrier", "buyer", "seller"),
    "import": ("declarant", "representative", "importer", "exporter", "seller", "buyer"),
    "csm": (),
}


def parties(filing: AnyFiling) -> list[tuple[str, Party]]:
    """Every party of a filing with its role name."""
    out = []
    for role in ROLE_FIELDS[filing.kind]:
        p = getattr(filing, role)
        if p is not None:
            out.append((role, p))
    return out
