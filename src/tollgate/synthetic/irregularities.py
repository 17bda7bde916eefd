"""Planted irregularities and their ground truth.

Risk rules and models can only be measured against known answers. The generator plants
irregularities at controlled rates and writes, for every filing that carries one, a label
with the details (what was declared, what is true) to a separate file — never into the filing
itself, so nothing downstream can read the answer off the data.

Fraud kinds (RM-1, RM-2): undervaluation, misclassification, origin laundering through
transshipment, vague goods descriptions, prohibited or restricted goods, and parties that are
known bad actors. Data-quality kinds (RM-3): non-Latin script (DQ-4), missing risk-analysis
elements (DQ-2), commodity codes that do not exist (DQ-1) and gross mass below net mass
(DQ-5).
"""

from __future__ import annotations

from dataclasses import dataclass

from tollgate.reference.nomenclature import vague_description_terms

UNDERVALUATION = "undervaluation"
MISCLASSIFICATION = "misclassification"
ORIGIN_LAUNDERING = "origin_laundering"
VAGUE_DESCRIPTION = "vague_description"
RESTRICTED_GOODS = "restricted_goods"
KNOWN_BAD_ACTOR = "known_bad_actor"
DQ_NON_LATIN = "dq_non_latin"
DQ_INCOMPLETE = "dq_incomplete"
DQ_UNKNOWN_CODE = "dq_unknown_code"
DQ_IMPLAUSIBLE_MASS = "dq_implausible_mass"

#: Every label the generator can write.
LABELS: tuple[str, ...] = (
    UNDERVALUATION,
    MISCLASSIFICATION,
    ORIGIN_LAUNDERING,
    VAGUE_DESCRIPTION,
    RESTRICTED_GOODS,
    KNOWN_BAD_ACTOR,
    DQ_NON_LATIN,
    DQ_INCOMPLETE,
    DQ_UNKNOWN_CODE,
    DQ_IMPLAUSIBLE_MASS,
)


@dataclass(frozen=True, slots=True)
class Rates:
    """How often each irregularity is planted, as a share of consignments.

    A consignment's chance is the rate times its trader's risk factor (high for known bad
    actors, low for AEOs); the factors average 1 over the trade volume, so the observed
    share stays close to the rate. A consignment carries at most one fraud kind (restricted
    goods, misclassification, undervaluation or vague description) and at most one
    data-quality problem; origin laundering has its own maritime consignments.
    ``known_bad_actor`` has no rate of its own: it follows from ``bad_actor_share`` of the
    operators and the volume they trade.
    """

    undervaluation: float = 0.03
    misclassification: float = 0.015
    origin_laundering: float = 0.01
    vague_description: float = 0.03
    restricted_goods: float = 0.004
    dq_non_latin: float = 0.006
    dq_incomplete: float = 0.01
    dq_unknown_code: float = 0.004
    dq_implausible_mass: float = 0.005
    #: Share of operators (importers; half of it for exporters) that are known bad actors.
    bad_actor_share: float = 0.02
    #: Share of house-level ENS filings later amended by their filer.
    amendment: float = 0.05
    #: Share of consignments followed by an import declaration (irregular ones always are).
    import_declaration: float = 0.85
    #: Share of H1 declarations under customs procedure 42 (VAT-exempt onward supply).
    procedure_4200: float = 0.06


#: Vague descriptions used for planted DQ-3 findings, as filers write them. Each lower-cased
#: is on the shared list of terms that alone do not describe goods (the tests check it).
VAGUE_TERMS: tuple[str, ...] = (
    "Gifts",
    "Parts",
    "Spare parts",
    "General cargo",
    "Accessories",
    "GOODS",
    "Various goods",
    "Consolidated cargo",
    "Merchandise",
    "Said to contain",
    "Electronics",
    "Clothing",
    "Textiles",
    "Misc",
    "STC",
    "Gift",
)


def checked_vague_terms() -> tuple[str, ...]:
    """The vague terms that the reference list knows, so every planted one is detectable."""
    known = vague_description_terms()
    return tuple(t for t in VAGUE_TERMS if t.lower() in known)


def undervaluation_factor(u: float) -> float:
    """Declared share of the true value for a uniform draw ``u``: 12% to 37%.

    Deep enough to stand out from the lane's lognormal spread (sigma 0.3, so 95% of honest
    values lie above 55% of the median) — the fraud typical of e-commerce and textiles.
    """
    return 0.12 + 0.25 * u
