"""Credibility checks at clearance (RM-9): an authority's plausibility parameters per
commodity code, tested against every goods item of a customs declaration.

A profile (``profiles``) *selects* a declaration for a control; a credibility check
*refuses to believe* an entry: shirts at 5 cents a kg, a net mass above the gross mass,
a smartphone weighing 3 kg. Its outcome is either ``block`` — the declaration is not
accepted for release and goes back to the declarant with the reason — or ``flag`` — it
goes on, with a warning and an instruction for the officer. Unlike the data-quality
ranges of DQ-5 (``quality.plausibility``: deliberately wide, fixed, scoring the filer),
these are the authority's own, tunable parameters, versioned and audited like profiles.

A rule set is data (YAML or JSON)::

    rules:
      - id: CC-KNIT-LOW-VALUE
        title: Knitted apparel below the cost of its yarn
        commodity_codes: ["61"]          # HS/CN prefixes, 2 to 10 digits, or "*"
        parameter: unit_value_per_kg     # see ``Parameter``
        min: 1.0                         # lowest credible value, inclusive
        outcome: flag                    # or block
        reason: Apparel below EUR 1/kg is below the cost of the yarn.
        instructions: Ask for the invoice and proof of payment.

Meaning:

- ``min`` and ``max`` are the lowest and highest *credible* values, both inclusive; a rule
  names at least one. A value outside is a finding.
- A missing value (no mass, no supplementary units, no price) triggers nothing: these
  checks judge what was declared; DQ-3 already reports what was not.
- **The most specific prefix wins, per parameter and outcome, within one set.** For an
  item, of the rules of a set that test the same parameter with the same outcome, only
  those whose matching prefix is the longest apply; ``"*"`` (every code) is the least
  specific. A chapter-wide flag (``61``: below EUR 1/kg) is so replaced for a heading
  (``6117``: below EUR 0.50/kg) without touching the chapter's block rule, or the
  universal ``net ≤ gross`` block of ``"*"``.
- **Sets add up.** The Commission's set (``EU-COM``) applies to every authority *in
  addition to* the authority's own set; an authority can tighten, never loosen it.
- Checks run on customs declarations (``kind`` import), the filings lodged *at
  clearance*; an entry summary is a safety-and-security filing and has its own controls.
- A rule set is stored whole, as one new version per change (``CredibilityRuleSet``); a
  finding names the rule, the set's owner and version, so a blocked declaration can
  always be explained with exactly the parameters that blocked it. An empty set is how
  an authority withdraws its checks.

Checking is built to run on every assessment: rules are indexed by prefix and the rules
applying to a commodity code are resolved once per code and cached, so an item costs a
dictionary lookup plus one comparison per applicable rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.authorities.tables import Authority
from tollgate.declarations.models import AnyFiling, ContainerStatusMessage
from tollgate.errors import ValidationFailed
from tollgate.risk.language import ProfileError
from tollgate.risk.profiles import Stage
from tollgate.risk.selection import Decision
from tollgate.risk.tables import CredibilityRuleSet

__all__ = [
    "BLOCKED",
    "CLEARANCE_KINDS",
    "Checks",
    "Finding",
    "Outcome",
    "Parameter",
    "Reviewed",
    "Rule",
    "RuleSet",
    "active_checks",
    "import_rule_set",
    "item_numbers",
    "parse_rule_set",
    "review",
    "starter_checks",
]

#: The decision of an assessment with a ``block`` finding: not accepted for release.
BLOCKED = "blocked"
#: Filing kinds lodged at clearance, the only ones credibility checks judge (see above).
CLEARANCE_KINDS = frozenset({"import"})
#: Bounds that keep one set from bloating every assessment.
MAX_RULES = 10_000
MAX_CODES_PER_RULE = 1_000
#: Commodity codes whose applicable rules are remembered; cleared when full.
_CACHE_LIMIT = 65_536
_ANY = "*"

Row = Mapping[str, Any]


class Outcome(StrEnum):
    BLOCK = "block"  # reject the declaration with the reason
    FLAG = "flag"  # let it go on, with a warning for the officer


class Parameter(StrEnum):
    """What a rule tests, per goods item, from the item's facts (``risk.facts``)."""

    UNIT_VALUE_PER_KG = "unit_value_per_kg"  # EUR per kg of net (else gross) mass
    UNIT_VALUE_PER_UNIT = "unit_value_per_unit"  # EUR per supplementary unit
    NET_MASS_PER_UNIT = "net_mass_per_unit"  # kg of net mass per supplementary unit
    NET_TO_GROSS_MASS = "net_to_gross_mass"  # net mass / gross mass: max 1 is net ≤ gross
    VALUE = "value"  # EUR, the item's statistical value, else its price


#: How each parameter is named in findings and officer instructions.
LABELS: dict[Parameter, str] = {
    Parameter.UNIT_VALUE_PER_KG: "unit value per kg (EUR)",
    Parameter.UNIT_VALUE_PER_UNIT: "unit value per supplementary unit (EUR)",
    Parameter.NET_MASS_PER_UNIT: "net mass per supplementary unit (kg)",
    Parameter.NET_TO_GROSS_MASS: "net mass / gross mass",
    Parameter.VALUE: "item value (EUR)",
}


def _ratio(row: Row, numerator: str, denominator: str) -> float | None:
    top, bottom = row.get(numerator), row.get(denominator)
    if top is None or not bottom:
        return None
    return float(top) / float(bottom)


#: Parameter -> its value on one fact row, None when the entries it needs are missing.
MEASURES: dict[Parameter, Callable[[Row], float | None]] = {
    Parameter.UNIT_VALUE_PER_KG: lambda row: row.get("item.unit_value_per_kg"),
    Parameter.UNIT_VALUE_PER_UNIT: lambda row: row.get("item.unit_value_per_unit"),
    Parameter.NET_MASS_PER_UNIT: lambda row: _ratio(
        row, "item.net_mass", "item.supplementary_units"
    ),
    Parameter.NET_TO_GROSS_MASS: lambda row: _ratio(row, "item.net_mass", "item.gross_mass"),
    Parameter.VALUE: lambda row: row.get("item.value"),
}


# ------------------------------------------------------------------------- the rule file


def _code(value: Any) -> Any:
    """Refuse numbers before they become codes: YAML reads ``0101`` as a number (65, in
    YAML 1.1) and drops the zeros that make an HS code."""
    if isinstance(value, int | float):  # bool is an int too
        raise ValueError(f"write the code {value!r} as quoted text; YAML reads it as a number")
    if isinstance(value, str) and value != _ANY and not (2 <= len(value) <= 10 and value.isdigit()):
        raise ValueError(f"expected an HS/CN code prefix of 2 to 10 digits, or '*', not {value!r}")
    return value


Bound = Annotated[float, Field(strict=True, allow_inf_nan=False)]
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]{2,63}$")]
CodePrefix = Annotated[str, BeforeValidator(_code)]


class Rule(BaseModel):
    """One credibility rule as written in a rule file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId
    title: Annotated[str, StringConstraints(min_length=3, max_length=200)]
    commodity_codes: Annotated[list[CodePrefix], Field(min_length=1)]
    parameter: Parameter
    min: Bound | None = None
    max: Bound | None = None
    outcome: Outcome
    reason: Annotated[str, StringConstraints(min_length=10, max_length=1000)]
    instructions: Annotated[str, StringConstraints(max_length=2000)] = ""


def _path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse_rule(data: Any, path: str = "rule") -> Rule:
    """Validate one rule; every error is a ``ProfileError`` naming its path."""
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        reason = str(err["msg"]).removeprefix("Value error, ")
        raise ProfileError(path + _path(err["loc"]), reason) from None
    codes = rule.commodity_codes
    if len(codes) > MAX_CODES_PER_RULE:
        raise ProfileError(f"{path}.commodity_codes", f"at most {MAX_CODES_PER_RULE:,} codes")
    if _ANY in codes and len(codes) > 1:
        raise ProfileError(f"{path}.commodity_codes", "'*' (every code) must stand alone")
    if rule.min is None and rule.max is None:
        raise ProfileError(path, "give min, max or both: the credible range of the parameter")
    for name in ("min", "max"):
        bound = getattr(rule, name)
        if bound is not None and bound < 0:
            raise ProfileError(
                f"{path}.{name}", "must be 0 or more: every parameter is a mass, value or ratio"
            )
    if rule.min is not None and rule.max is not None and rule.min > rule.max:
        raise ProfileError(f"{path}.max", f"max {rule.max:g} is below min {rule.min:g}")
    # canonical form: the same rule written twice is the same stored version
    return rule.model_copy(update={"commodity_codes": sorted(set(codes))})


def parse_rule_set(data: Any) -> list[Rule]:
    """A rule file: ``{rules: [...]}`` or a bare list; ids unique. Sorted by id, so a
    reordered file is the same set."""
    if isinstance(data, dict):
        extra = sorted(set(data) - {"rules"})
        if extra:
            raise ProfileError(str(extra[0]), "unknown key; a rule set is {rules: [...]}")
        items = data.get("rules")
    else:
        items = data
    if not isinstance(items, list):
        raise ProfileError("rules", "expected a list of rules")
    if len(items) > MAX_RULES:
        raise ProfileError("rules", f"at most {MAX_RULES:,} rules in a set")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        rule = parse_rule(item, path=f"rules[{i}]")
        if rule.id in seen:
            raise ProfileError(f"rules[{i}].id", f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        rules.append(rule)
    return sorted(rules, key=lambda r: r.id)


# ------------------------------------------------------------------------------ checking


@dataclass(frozen=True, slots=True)
class Finding:
    """One goods item outside one rule's credible range."""

    rule_id: str
    title: str
    authority: str  # owner of the rule set
    version: int  # of the rule set
    outcome: Outcome
    row: int  # fact row (0-based, as in profile hits)
    item: int  # goods item number as declared
    parameter: Parameter
    value: float
    min: float | None
    max: float | None
    reason: str
    instructions: str

    def describe(self) -> str:
        """One line an officer (and the declarant, for a block) can act on."""
        if self.min is not None and self.value < self.min:
            where = f"below the minimum {_number(self.min)}"
        else:
            where = f"above the maximum {_number(self.max)}"
        return (
            f"item {self.item}: {LABELS[self.parameter]} {_number(self.value)} is {where} "
            f"({self.rule_id}, {self.authority} v{self.version}). {self.reason}"
        )

    def as_reason(self) -> dict[str, Any]:
        """The finding as an assessment reason (JSON), marked ``kind: credibility``."""
        return {
            "kind": "credibility",
            "rule_id": self.rule_id,
            "title": self.title,
            "authority": self.authority,
            "version": self.version,
            "outcome": self.outcome.value,
            "row": self.row,
            "item": self.item,
            "parameter": self.parameter.value,
            "value": self.value,
            "min": self.min,
            "max": self.max,
            "reason": self.reason,
        }


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.6g}"


@dataclass(frozen=True, slots=True, eq=False)
class _Compiled:
    rule: Rule
    authority: str
    version: int
    measure: Callable[[Row], float | None]
    low: float
    high: float


class RuleSet:
    """One version of one authority's rules, indexed by commodity-code prefix."""

    def __init__(self, rules: Sequence[Rule], authority: str = "", version: int = 0) -> None:
        self.authority = authority
        self.version = version
        self.rules = list(rules)
        self._index: dict[str, list[_Compiled]] = {}
        for rule in self.rules:
            compiled = _Compiled(
                rule,
                authority,
                version,
                MEASURES[rule.parameter],
                -math.inf if rule.min is None else rule.min,
                math.inf if rule.max is None else rule.max,
            )
            for prefix in rule.commodity_codes:
                self._index.setdefault(prefix, []).append(compiled)

    def applicable(self, code: str | None) -> list[_Compiled]:
        """The rules that apply to an item of this code: per (parameter, outcome), those
        of the longest matching prefix only (``"*"`` is the shortest)."""
        keys = [code[:k] for k in range(min(len(code), 10), 1, -1)] if code else []
        keys.append(_ANY)
        claimed: dict[tuple[Parameter, Outcome], str] = {}
        out: list[_Compiled] = []
        for key in keys:
            for compiled in self._index.get(key, ()):
                tier = (compiled.rule.parameter, compiled.rule.outcome)
                if claimed.setdefault(tier, key) == key and compiled not in out:
                    out.append(compiled)
        return out


class Checks:
    """The rule sets that apply to one authority's declarations (its own and the
    Commission's), with the applicable rules cached per commodity code."""

    def __init__(self, sets: Sequence[RuleSet]) -> None:
        self.sets = [s for s in sets if s.rules]
        self._cache: dict[str | None, tuple[_Compiled, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self.sets)

    def _rules_for(self, code: str | None) -> tuple[_Compiled, ...]:
        found = self._cache.get(code)
        if found is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[code] = tuple(c for s in self.sets for c in s.applicable(code))
        return found

    def check(self, rows: Sequence[Row], items: Sequence[int] | None = None) -> list[Finding]:
        """The findings on a filing's fact rows (``facts.rows_of``); ``items`` are the goods
        item numbers of the rows (default: row + 1). Blocks first, then in row order."""
        if not self.sets or not rows or rows[0].get("kind") not in CLEARANCE_KINDS:
            return []
        out: list[Finding] = []
        for n, row in enumerate(rows):
            for c in self._rules_for(row.get("item.commodity_code")):
                value = c.measure(row)
                if value is None or c.low <= value <= c.high:
                    continue
                rule = c.rule
                out.append(
                    Finding(
                        rule.id,
                        rule.title,
                        c.authority,
                        c.version,
                        rule.outcome,
                        n,
                        items[n] if items is not None else n + 1,
                        rule.parameter,
                        float(value),
                        rule.min,
                        rule.max,
                        rule.reason,
                        rule.instructions,
                    )
                )
        out.sort(key=lambda f: f.outcome is not Outcome.BLOCK)
        return out


def item_numbers(filing: AnyFiling) -> list[int]:
    """The declared goods item numbers, in the order of the fact rows."""
    if isinstance(filing, ContainerStatusMessage):
        return []
    return [item.sequence for item in filing.goods_items]


@dataclass(frozen=True, slots=True)
class Reviewed:
    """An assessment's decision after the credibility checks."""

    decision: str
    stage: str | None
    reasons: list[dict[str, Any]]
    instructions: str


def review(decision: Decision, findings: Sequence[Finding]) -> Reviewed:
    """Fold credibility findings into a profile decision: any block makes it ``blocked``
    (at clearance, whatever the profiles selected: a declaration that is not accepted is
    not controlled either); flags only add reasons and instructions for the officer."""
    stage = decision.stage.value if decision.stage else None
    if not findings:
        return Reviewed(decision.decision.value, stage, decision.reasons, decision.instructions)
    lines: list[str] = []
    for f in findings:
        if f.outcome is Outcome.BLOCK:
            lines.append(
                f"Blocked (RM-9) {f.describe()} The declaration is not accepted for release: "
                "return it to the declarant with this reason."
            )
        else:
            lines.append(f"Credibility flag (RM-9) {f.describe()} {f.instructions}".rstrip())
    blocked = any(f.outcome is Outcome.BLOCK for f in findings)
    return Reviewed(
        BLOCKED if blocked else decision.decision.value,
        Stage.CLEARANCE.value if blocked else stage,
        [*decision.reasons, *(f.as_reason() for f in findings)],
        "\n".join(filter(None, [*lines, decision.instructions])),
    )


# ------------------------------------------------------------------------------- storage


def _now() -> datetime:
    return datetime.now(UTC)


def _current(session: Session, authority_id: int) -> CredibilityRuleSet | None:
    return session.scalar(
        select(CredibilityRuleSet)
        .where(CredibilityRuleSet.authority_id == authority_id)
        .order_by(CredibilityRuleSet.version.desc())
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class RuleSetImport:
    authority: str
    version: int
    created: bool  # False: identical to the current version, nothing stored
    rules: int


def import_rule_set(
    session: Session, *, actor: Actor, data: Any, authority: str | None = None
) -> RuleSetImport:
    """Store a rule set as the authority's next version, audited; an identical set is
    left alone and an invalid one changes nothing (422 with path and reason)."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = acting_for(session, actor, authority, "change the credibility checks of")
    try:
        rules = parse_rule_set(data)
    except ProfileError as exc:
        raise ValidationFailed(
            f"invalid credibility rules: {exc}", details=[{"path": exc.path, "reason": exc.reason}]
        ) from None
    document = [rule.model_dump(mode="json") for rule in rules]
    current = _current(session, owner.id)
    if current is not None and current.rules == document:
        return RuleSetImport(owner.code, current.version, False, len(rules))
    row = CredibilityRuleSet(
        authority_id=owner.id,
        version=(current.version if current else 0) + 1,
        rules=document,
        changed_by=actor.username,
        changed_at=_now(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="credibility_rule_set",
        object_type="credibility_rule_set",
        object_id=f"{owner.code}/v{row.version}",
        detail={"rules": len(rules), "block": sum(r.outcome is Outcome.BLOCK for r in rules)},
    )
    return RuleSetImport(owner.code, row.version, True, len(rules))


def active_checks(session: Session, authority: Authority) -> Checks:
    """The checks for an authority's declarations: the newest version of the
    Commission's set and of its own (one query)."""
    # imported here: the service module imports this one for assess_versions
    from tollgate.risk.service import EU_AUTHORITY

    newest = (
        select(CredibilityRuleSet.authority_id, func.max(CredibilityRuleSet.version).label("v"))
        .group_by(CredibilityRuleSet.authority_id)
        .subquery()
    )
    query = (
        select(Authority.code, CredibilityRuleSet)
        .join(Authority, Authority.id == CredibilityRuleSet.authority_id)
        .join(
            newest,
            (CredibilityRuleSet.authority_id == newest.c.authority_id)
            & (CredibilityRuleSet.version == newest.c.v),
        )
        .where((Authority.id == authority.id) | (Authority.code == EU_AUTHORITY))
    )
    # the Commission's set first, so its findings come first
    rows = sorted(session.execute(query).all(), key=lambda r: r[0] != EU_AUTHORITY)
    return Checks(
        [
            RuleSet([Rule.model_validate(r) for r in row.rules], code, row.version)
            for code, row in rows
        ]
    )


def starter_checks() -> Any:
    """The starter credibility checks shipped with Tollgate, for the Commission's set."""
    import yaml

    path = Path(__file__).parent / "starter" / "credibility-checks.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))
