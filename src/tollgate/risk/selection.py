"""From hits to one decision (RM-10..RM-12, RM-23, RM-24).

The strongest control any hit suggests is the decision; the risk score combines the
hits' levels as independent probabilities (two 50s make 75, not 100), so many weak
signals rank below one strong one only when they are weak. AEO facilitation (RM-23)
lowers the weight and the control of a hit by one step, except for security-critical
criteria, which are never waived. A seeded random draw per declaration (RM-12) selects a
share of declarations whatever their risk, marked as random so its results can estimate
the true irregularity rate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tollgate.risk.profiles import CONTROL_ORDER, Control, ProfileSpec, Stage

#: one step milder, for AEO facilitation of non-security hits
_FACILITATED = {
    Control.PHYSICAL: Control.DOCUMENTARY,
    Control.SCAN: Control.DOCUMENTARY,
    Control.DOCUMENTARY: Control.POST_RELEASE_AUDIT,
    Control.POST_RELEASE_AUDIT: Control.POST_RELEASE_AUDIT,
    Control.DO_NOT_LOAD: Control.DO_NOT_LOAD,
    Control.RELEASE: Control.RELEASE,
}


@dataclass(frozen=True, slots=True)
class RandomSelection:
    """Random control rates per stratum (the filing kind: ens, import, csm), else
    ``default``; a random selection gets ``control``."""

    rates: Mapping[str, float] = field(default_factory=lambda: {"default": 0.0})
    control: Control = Control.DOCUMENTARY
    seed: str = "tollgate"

    def draw(self, declaration_key: str, stratum: str) -> bool:
        rate = self.rates.get(stratum, self.rates.get("default", 0.0))
        return seeded_draw(self.seed, declaration_key, rate)


def seeded_draw(seed: str, declaration_key: str, chance: float) -> bool:
    """Whether a declaration is drawn, with ``chance``: a hash of the seed and the
    declaration, not a random generator, so that a re-assessment of the same declaration
    draws the same way and nobody can steer a draw by timing a filing."""
    if chance <= 0:
        return False
    digest = hashlib.sha256(f"{seed}:{declaration_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < chance


@dataclass(frozen=True, slots=True)
class ProfileHit:
    profile_id: str
    version: int
    spec: ProfileSpec
    row: int
    values: dict[str, Any]
    #: where in a consignment the hit was found (its filing), for consignment decisions
    source: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    decision: Control
    score: int
    random: bool
    stage: Stage | None
    reasons: list[dict[str, Any]]
    instructions: str


def decide(
    hits: Sequence[ProfileHit],
    *,
    aeo: bool,
    declaration_key: str,
    stratum: str,
    randomness: RandomSelection | None = None,
) -> Decision:
    """One decision for one declaration from its hits (see module docstring)."""
    reasons: list[dict[str, Any]] = []
    decision = Control.RELEASE
    stage: Stage | None = None
    remaining = 1.0
    instructions: list[str] = []
    for hit in sorted(hits, key=lambda h: (-h.spec.risk_level, h.profile_id)):
        spec = hit.spec
        control, level, facilitated = spec.control, spec.risk_level, False
        if aeo and not spec.security_critical:
            control, level, facilitated = _FACILITATED[control], level // 2, True
        remaining *= 1 - level / 100
        if CONTROL_ORDER.index(control) > CONTROL_ORDER.index(decision):
            decision, stage = control, spec.stage
        elif control == decision and stage is not None and _earlier(spec.stage, stage):
            stage = spec.stage
        reasons.append(
            {
                "profile_id": hit.profile_id,
                "version": hit.version,
                "title": spec.title,
                "risk_area": spec.risk_area.value,
                "financial_risk": spec.financial_risk.value if spec.financial_risk else None,
                "risk_level": spec.risk_level,
                "control": control.value,
                "aeo_facilitated": facilitated,
                "row": hit.row,
                "matched": hit.values,
            }
            | ({"filing": hit.source} if hit.source is not None else {})
        )
        if spec.instructions:
            instructions.append(f"[{hit.profile_id} v{hit.version}] {spec.instructions}")
    score = round((1 - remaining) * 100)
    is_random = randomness is not None and randomness.draw(declaration_key, stratum)
    if is_random:
        assert randomness is not None
        if CONTROL_ORDER.index(randomness.control) > CONTROL_ORDER.index(decision):
            decision = randomness.control
            stage = stage or Stage.CLEARANCE
        instructions.append("Random control (RM-12): record the result whatever is found.")
    return Decision(decision, score, is_random, stage, reasons, "\n".join(instructions))


def _earlier(a: Stage, b: Stage) -> bool:
    order = list(Stage)
    return order.index(a) < order.index(b)
