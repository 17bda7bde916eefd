"""Risk profiles as governed objects (RM-6, RM-7, RM-10, RM-11, RM-13).

A profile file carries what an analyst writes: the condition (``when``, see ``language``)
and everything an officer and an auditor need to act on and judge a hit — the risk area
of RM-6, the financial-risk type of RM-7, the level, the stage and the suggested control
(RM-10, RM-11), the rationale and instructions, and a validity period. Identity,
version, owner authority and status are the store's business (``risk.store``), not the
file's: a file cannot claim to be an EU criterion or another authority's profile.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from tollgate.risk.language import Node, ProfileError, parse_condition


class RiskArea(StrEnum):
    """The eleven policy areas of the common risk criteria (RM-6)."""

    AVIATION_SECURITY = "aviation-security"
    PRODUCT_SAFETY = "product-safety"
    HEALTH_CONSUMER = "health-consumer"
    ANIMAL_FOOD_PLANT = "animal-food-plant"
    IPR = "ipr"
    FINANCIAL = "financial"
    NON_PROLIFERATION = "non-proliferation"
    ENVIRONMENT = "environment"
    DRUG_PRECURSORS = "drug-precursors"
    CASH = "cash"
    CULTURAL_GOODS = "cultural-goods"


#: Areas where a hit is a security or safety matter: never waived for AEOs (RM-23).
SECURITY_AREAS = frozenset(
    {
        RiskArea.AVIATION_SECURITY,
        RiskArea.NON_PROLIFERATION,
        RiskArea.DRUG_PRECURSORS,
        RiskArea.PRODUCT_SAFETY,
    }
)


class FinancialRisk(StrEnum):
    """The financial risk criteria types (RM-7)."""

    OPERATOR = "operator-at-risk"
    GOODS = "goods-at-risk"
    UNDERVALUATION = "undervaluation"
    ANTI_DUMPING = "anti-dumping-evasion"
    MISCLASSIFICATION = "misclassification"
    QUOTAS = "undue-quota"
    PREFERENTIAL_ORIGIN = "undue-preferential-origin"
    SUSPENSIONS = "undue-suspension"
    PROCEDURE = "procedure-at-risk"
    SIMPLIFICATIONS = "simplifications"


class Stage(StrEnum):
    """Where and when a control is most opportune (RM-10), in the order goods move."""

    PRE_LOADING = "pre-loading"
    PRE_ARRIVAL = "pre-arrival"
    ARRIVAL = "arrival"
    CLEARANCE = "clearance"
    POST_RELEASE = "post-release"


class Control(StrEnum):
    """Control types (RM-11), and the decisions they become, mildest first."""

    RELEASE = "release"
    POST_RELEASE_AUDIT = "post-release-audit"
    DOCUMENTARY = "documentary"
    SCAN = "scan"
    PHYSICAL = "physical"
    DO_NOT_LOAD = "do-not-load"


#: Severity order of decisions: the strongest control among the hits wins.
CONTROL_ORDER = tuple(Control)


class Owner(StrEnum):
    CRC = "crc"  # an EU common risk criterion, applied by every authority
    NATIONAL = "national"  # an authority's own profile
    PCA = "pca"  # a priority-control-area campaign (RM-13)


class Status(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


#: Allowed status changes; expiry is final.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.ACTIVE, Status.EXPIRED}),
    Status.ACTIVE: frozenset({Status.SUSPENDED, Status.EXPIRED}),
    Status.SUSPENDED: frozenset({Status.ACTIVE, Status.EXPIRED}),
    Status.EXPIRED: frozenset(),
}

ProfileId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]{2,63}$")]


class ProfileSpec(BaseModel):
    """One profile as written in a profile file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ProfileId
    title: Annotated[str, StringConstraints(min_length=3, max_length=200)]
    owner: Owner = Owner.NATIONAL
    risk_area: RiskArea
    financial_risk: FinancialRisk | None = None
    risk_level: Annotated[int, Field(ge=1, le=100, description="weight in the risk score")]
    stage: Stage
    control: Control
    valid_from: date | None = None
    valid_to: date | None = None
    rationale: Annotated[str, StringConstraints(min_length=10, max_length=4000)]
    instructions: Annotated[str, StringConstraints(max_length=4000)] = ""
    when: dict[str, Any]

    @model_validator(mode="after")
    def _coherent(self) -> ProfileSpec:
        if self.risk_area is RiskArea.FINANCIAL and self.financial_risk is None:
            raise ValueError("financial_risk is required for the financial risk area (RM-7)")
        if self.risk_area is not RiskArea.FINANCIAL and self.financial_risk is not None:
            raise ValueError("financial_risk applies to the financial risk area only")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.control is Control.RELEASE:
            raise ValueError("a profile suggests a control; release is the absence of hits")
        if self.control is Control.DO_NOT_LOAD and self.stage is not Stage.PRE_LOADING:
            raise ValueError("do-not-load is a pre-loading control (RM-10)")
        return self

    @property
    def security_critical(self) -> bool:
        return self.risk_area in SECURITY_AREAS or self.control is Control.DO_NOT_LOAD

    def condition(
        self, own_country: str | None = None, lists: dict[str, str] | None = None
    ) -> Node:
        """The parsed ``when`` tree; raises ``ProfileError`` with its path."""
        return parse_condition(self.when, path="when", own_country=own_country, lists=lists)


def parse_profile(
    data: Any,
    *,
    path: str = "",
    own_country: str | None = None,
    lists: dict[str, str] | None = None,
) -> tuple[ProfileSpec, Node]:
    """Validate one profile document; every error is a ``ProfileError`` with its path."""
    from pydantic import ValidationError

    prefix = f"{path}." if path else ""
    try:
        spec = ProfileSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "$"
        raise ProfileError(prefix + loc, err["msg"]) from None
    try:
        node = spec.condition(own_country, lists)
    except ProfileError as exc:
        raise ProfileError(prefix + exc.path, exc.reason) from None
    return spec, node


def parse_profile_set(data: Any, **kwargs: Any) -> list[tuple[ProfileSpec, Node]]:
    """A profile file: ``{profiles: [...]}`` or a bare list. Ids must be unique."""
    items = data.get("profiles") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ProfileError("profiles", "expected a list of profiles")
    out: list[tuple[ProfileSpec, Node]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        spec, node = parse_profile(item, path=f"profiles[{i}]", **kwargs)
        if spec.id in seen:
            raise ProfileError(f"profiles[{i}].id", f"duplicate profile id {spec.id!r}")
        seen.add(spec.id)
        out.append((spec, node))
    return out
