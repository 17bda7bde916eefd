"""Trade lanes: which goods come from which country by which mode, and at what price.

A lane is an (origin country, HS6 commodity) pair with its own median customs value per kg.
Valuation risk is judged against exactly this — what the same goods from the same country
usually cost — so each lane gets a median of its own (the commodity's value, shifted by the
origin's price level and a lane-specific draw) and consignment values scatter lognormally
around it.

Besides the hand-written catalogue (:mod:`tollgate.synthetic.commodities`), a long tail of
HS6 codes is drawn from the real HS nomenclature, with descriptions derived from the HS text,
so that code-level checks meet the breadth of the nomenclature and not only common goods.

Picking is the hot path of the generator, so weighted choices are precomputed as flat
"expanded" tables: one uniform draw indexes a tuple whose entries repeat in proportion to
their weight.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TypeVar

from tollgate.reference.nomenclature import Nomenclature
from tollgate.synthetic.commodities import (
    CATALOGUE,
    MISCLASSIFICATION,
    RESTRICTED,
    Commodity,
)
from tollgate.synthetic.routes import AIRPORTS, ROAD_ORIGINS, SEA_PORTS

T = TypeVar("T")

#: Spread (lognormal sigma) of consignment unit values around their lane's median.
VALUE_SIGMA = 0.3

#: Price level of an origin relative to the commodity's median value.
_PRICE_LEVEL: dict[str, float] = {
    "CN": 0.85, "VN": 0.9, "BD": 0.8, "PK": 0.8, "IN": 0.9, "KH": 0.8, "ID": 0.9,
    "US": 1.3, "JP": 1.4, "KR": 1.2, "GB": 1.3, "CH": 1.6, "TW": 1.1, "AU": 1.2,
}  # fmt: skip

#: Chapter ranges and the median EUR/kg of their goods, for the nomenclature tail.
_TAIL_VALUE: tuple[tuple[int, int, float], ...] = (
    (1, 24, 3.0), (25, 27, 0.5), (28, 38, 4.0), (39, 40, 3.0), (41, 43, 20.0),
    (44, 49, 2.0), (50, 63, 12.0), (64, 67, 15.0), (68, 70, 2.0), (71, 71, 400.0),
    (72, 83, 3.0), (84, 85, 25.0), (86, 89, 10.0), (90, 92, 60.0), (94, 96, 6.0),
)  # fmt: skip
_TAIL_ORIGINS: dict[str, float] = {
    "CN": 50, "IN": 8, "TR": 8, "US": 8, "VN": 6, "KR": 4, "JP": 4, "TW": 4, "TH": 3,
    "MY": 3, "BR": 2, "GB": 3, "CH": 3,
}  # fmt: skip
#: Chapters left out of the tail: arms, works of art, and special codes.
_TAIL_EXCLUDED_CHAPTERS = frozenset({"93", "97", "98", "99", "77"})


@dataclass(frozen=True, slots=True)
class Lane:
    origin: str
    commodity: Commodity
    #: Median customs value per kg of net mass on this lane (EUR).
    median_unit_value: float
    #: CN 8-digit codes under the HS6 with their supplementary unit (None: none, or a unit
    #: code too long for the model).
    cn: tuple[tuple[str, str | None], ...]
    #: A well-formed CN code that does not exist, for planted DQ-1 findings.
    unknown_cn: str
    #: The regime restricting these goods (firearms, CITES ...), or None.
    regime: str | None = None

    @property
    def hs6(self) -> str:
        return self.commodity.hs6


def expand(items: Sequence[T], weights: Sequence[float], size: int = 2048) -> tuple[T, ...]:
    """A tuple where each item repeats in proportion to its weight (at least once).

    Indexing it with ``int(random() * len(table))`` is a weighted choice in one step.
    """
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("weights must not all be zero")
    out: list[T] = []
    for item, w in zip(items, weights, strict=True):
        if w > 0:
            out.extend([item] * max(1, round(size * w / total)))
    return tuple(out)


def _keyed_random(seed: int, *key: str) -> random.Random:
    """A generator that depends only on the seed and the key, not on call order."""
    digest = hashlib.blake2b(f"{seed}/{'/'.join(key)}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _cn_index(nom: Nomenclature) -> dict[str, list[tuple[str, str | None]]]:
    """CN codes grouped by their HS6, with supplementary units the model can carry."""
    index: dict[str, list[tuple[str, str | None]]] = {}
    for code, unit in nom.cn.items():
        short_unit = unit if unit is not None and len(unit) <= 8 else None
        index.setdefault(code[:6], []).append((code, short_unit))
    return index


def _cn_codes(
    index: dict[str, list[tuple[str, str | None]]], hs6: str
) -> tuple[tuple[str, str | None], ...]:
    out = sorted(index.get(hs6, ()))
    if not out:
        out.append((hs6 + "00", None))
    return tuple(out)


def _unknown_cn(nom: Nomenclature, hs6: str) -> str:
    for tail in ("99", "98", "97", "96", "95", "94", "93", "92", "91"):
        if hs6 + tail not in nom.cn:
            return hs6 + tail
    return hs6 + "00" if hs6 + "00" not in nom.cn else "99999999"


def _mode_class_ok(mode_class: str, origin: str) -> bool:
    """Whether goods can leave ``origin`` by this mode class at all."""
    if mode_class == "sea":
        return origin in SEA_PORTS
    if mode_class in ("air", "small"):
        return origin in AIRPORTS
    return origin in ROAD_ORIGINS or origin == "CN"


_NEC = re.compile(r",?\s*\(?n\.e\.c\.[^;,)]*\)?", re.IGNORECASE)


def describe_from_hs(text: str) -> str:
    """A goods description from HS wording: "Horses; live, pure-bred" -> "Horses, live, ..."."""
    text = _NEC.sub("", text).replace(";", ",").replace(" ,", ",")
    text = re.sub(r"\s+", " ", text).strip(" ,")
    if len(text) > 120:
        text = text[:120].rsplit(" ", 1)[0].rstrip(" ,(")
    return text[:1].upper() + text[1:]


def _tail_commodities(
    rng: random.Random, nom: Nomenclature, count: int, known: set[str]
) -> list[Commodity]:
    candidates = sorted(
        code
        for code, entry in nom.hs.items()
        if entry.level == 6
        and code not in known
        and code[:2] not in _TAIL_EXCLUDED_CHAPTERS
        and not entry.description.lower().startswith("other")
    )
    with_cn = {cn[:6] for cn in nom.cn}
    candidates = [c for c in candidates if c in with_cn]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    origins = list(_TAIL_ORIGINS)
    weights = [_TAIL_ORIGINS[o] for o in origins]
    out = []
    for code in sorted(chosen):
        chapter = int(code[:2])
        median = next((v for lo, hi, v in _TAIL_VALUE if lo <= chapter <= hi), 5.0)
        value = median * math.exp(0.8 * rng.gauss(0.0, 1.0))
        picked = {rng.choices(origins, weights)[0] for _ in range(rng.randint(1, 3))}
        modes = {"sea": 6.0, "air": 2.0 if value > 20 else 0.5, "small": 1.0 if value > 10 else 0.0}
        if picked & {"GB", "CH", "TR"}:
            modes["land"] = 2.0
        out.append(
            Commodity(
                hs6=code,
                unit_value=round(value, 3),
                cargo_kg=3000.0,
                parcel_kg=1.0,
                package="PK",
                kg_per_package=15.0,
                kg_per_unit=1.0,
                duty=0.03,
                modes=modes,
                origins={o: 1.0 for o in sorted(picked)},
                descriptions=(describe_from_hs(nom.hs[code].description),),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class LaneBook:
    """All lanes of a world and the precomputed tables to pick them by mode and origin."""

    #: Origins by mode class, weighted by the volume of their lanes.
    origins: dict[str, tuple[str, ...]]
    #: Lanes by mode class and origin, weighted by volume.
    lanes: dict[str, dict[str, tuple[Lane, ...]]]
    #: Lanes whose goods are misclassified when a misclassification is planted.
    misclassifiable: dict[str, dict[str, tuple[Lane, ...]]]
    #: Restricted-goods lanes by origin (any origin can ship them).
    restricted: dict[str, tuple[Lane, ...]]
    #: Every lane by (origin, HS6), including restricted ones.
    by_key: dict[tuple[str, str], Lane]
    #: CN codes of the HS6 codes that misclassified goods are declared under.
    wrong_cn: dict[str, tuple[tuple[str, str | None], ...]]


def build_lanes(seed: int, nom: Nomenclature, *, tail: int = 300) -> LaneBook:
    """Build every lane for ``seed``: the catalogue, a nomenclature tail, restricted goods."""
    rng = _keyed_random(seed, "tail")
    known = {c.hs6 for c in CATALOGUE} | {c.hs6 for c, _ in RESTRICTED}
    known |= set(MISCLASSIFICATION.values())
    commodities = list(CATALOGUE) + _tail_commodities(rng, nom, tail, known)
    tail_share = 0.2
    curated_total = sum(sum(c.modes.values()) for c in CATALOGUE)
    tail_total = sum(sum(c.modes.values()) for c in commodities[len(CATALOGUE) :]) or 1.0
    tail_scale = curated_total * tail_share / (1 - tail_share) / tail_total

    by_key: dict[tuple[str, str], Lane] = {}
    cn_cache: dict[str, tuple[tuple[str, str | None], ...]] = {}
    cn_index = _cn_index(nom)

    def lane(origin: str, commodity: Commodity, regime: str | None = None) -> Lane:
        key = (origin, commodity.hs6)
        found = by_key.get(key)
        if found is not None:
            return found
        r = _keyed_random(seed, "lane", origin, commodity.hs6)
        level = _PRICE_LEVEL.get(origin, 1.0)
        median = commodity.unit_value * level * math.exp(0.15 * r.gauss(0.0, 1.0))
        cn = cn_cache.get(commodity.hs6)
        if cn is None:
            cn = cn_cache[commodity.hs6] = _cn_codes(cn_index, commodity.hs6)
        made = Lane(origin, commodity, median, cn, _unknown_cn(nom, commodity.hs6), regime)
        by_key[key] = made
        return made

    weighted: dict[str, dict[str, list[tuple[Lane, float]]]] = {}
    for i, commodity in enumerate(commodities):
        scale = 1.0 if i < len(CATALOGUE) else tail_scale
        origin_total = sum(commodity.origins.values())
        for mode_class, mode_weight in commodity.modes.items():
            if mode_weight <= 0:
                continue
            for origin, ow in commodity.origins.items():
                if ow <= 0 or not _mode_class_ok(mode_class, origin):
                    continue
                w = scale * mode_weight * ow / origin_total
                weighted.setdefault(mode_class, {}).setdefault(origin, []).append(
                    (lane(origin, commodity), w)
                )
    origins: dict[str, tuple[str, ...]] = {}
    lanes: dict[str, dict[str, tuple[Lane, ...]]] = {}
    misclassifiable: dict[str, dict[str, tuple[Lane, ...]]] = {}
    for mode_class in sorted(weighted):
        per_origin = weighted[mode_class]
        names = sorted(per_origin)
        origins[mode_class] = expand(names, [sum(w for _, w in per_origin[o]) for o in names])
        lanes[mode_class] = {
            o: expand([ln for ln, _ in per_origin[o]], [w for _, w in per_origin[o]], 1024)
            for o in names
        }
        misclassifiable[mode_class] = {
            o: tuple(ln for ln, _ in per_origin[o] if ln.hs6 in MISCLASSIFICATION) for o in names
        }
    all_origins = sorted({o for mc in weighted.values() for o in mc})
    restricted: dict[str, tuple[Lane, ...]] = {}
    for origin in all_origins:
        own = [lane(origin, c, regime) for c, regime in RESTRICTED if origin in c.origins]
        if not own:
            own = [lane(origin, c, regime) for c, regime in RESTRICTED]
        restricted[origin] = tuple(own)
    wrong_cn = {
        wrong: _cn_codes(cn_index, wrong) for wrong in sorted(set(MISCLASSIFICATION.values()))
    }
    return LaneBook(
        origins=origins,
        lanes=lanes,
        misclassifiable=misclassifiable,
        restricted=restricted,
        by_key=by_key,
        wrong_cn=wrong_cn,
    )


def normal_quantiles(size: int = 4096) -> tuple[float, ...]:
    """Standard normal quantiles at evenly spaced probabilities.

    Indexing this with a uniform draw is a normal draw at a fraction of the cost of
    ``random.gauss``; the discretisation (1/4096) is far below what any check can see.
    """
    nd = NormalDist()
    return tuple(nd.inv_cdf((i + 0.5) / size) for i in range(size))
