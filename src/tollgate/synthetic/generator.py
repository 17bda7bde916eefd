"""The streaming core: consignments in, filings out, block by block.

What one call produces
----------------------
``declarations`` is the number of *declaration units*: every consignment counts once for its
entry summary declaration (however many ENS layers, versions and amendments it has) and once
more if an import declaration (H1 or H7) follows it. Master-level ENS filings, amendments and
container status messages are generated alongside and are not counted. The total is exact:
a run with ``declarations=N`` has ``consignments + import declarations == N``.

For each consignment, by mode (shares of consignments):

* maritime (30%): a house ENS ``F33`` per consignment, filed by a forwarder, and a master
  ``F32`` per bill of lading filed by the carrier, listing the containers of several houses;
  container status messages (loaded, transshipped, discharged, sometimes gate-out);
* air cargo (17%): pre-loading ``F10`` then house ``F12`` per consignment (forwarder), then a
  master ``F11`` per air waybill (airline) shared by 2-8 houses;
* express (25%): a complete ENS ``F15`` by the integrator;
* postal (20%): pre-loading ``F20`` and house ``F21`` by the postal operator, S10 item ids;
* road (6%): a complete ``F50`` by the haulier; rail (2%): a complete ``F40`` by the operator;
* then, for most consignments, an import declaration (H7 when the value is at most EUR 150)
  whose ``transport_document`` is the house transport document of its ENS.

Determinism and memory
----------------------
Declarations are generated in blocks of :data:`BLOCK_DECLARATIONS`. A block is a pure function
of (seed, rates, start, block index, its budget): it draws from its own random generator,
numbers its documents and containers from its index, and closes every flight, voyage and
truck it opens. So blocks can be generated in any order or process and concatenated, the
output is byte-identical for the same arguments, and memory holds one block at a time.
Within a block, records are grouped by flight/voyage; ``lodged_at`` is consistent within a
group (pre-loading before house before master before import) but the stream as a whole is not
sorted by time.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from tollgate.reference.nomenclature import nomenclature
from tollgate.synthetic import irregularities as irr
from tollgate.synthetic.commodities import LAUNDERING_GOODS, LAUNDERING_VIA, MISCLASSIFICATION
from tollgate.synthetic.irregularities import Rates
from tollgate.synthetic.lanes import VALUE_SIGMA, Lane, LaneBook, build_lanes, expand
from tollgate.synthetic.lanes import normal_quantiles as _normal_quantiles
from tollgate.synthetic.operators import Carrier, Operator, OperatorPool, build_operators
from tollgate.synthetic.routes import (
    AIR_ENTRIES,
    AIR_HUBS,
    AIRPORTS,
    EXPRESS_ENTRIES,
    POSTAL_ENTRIES,
    RAIL_ENTRY,
    RAIL_ITINERARY,
    RAIL_LOADING,
    ROAD_ORIGINS,
    ROAD_ROUTES,
    SEA_ENTRIES,
    SEA_HUBS,
    SEA_PORTS,
    EntryPoint,
    flight_hours,
    hub_probability,
    sea_transit_days,
)
from tollgate.synthetic.writer import default_workers, ordered_map

#: Declaration units per block: the unit of work, of parallelism and of memory.
BLOCK_DECLARATIONS = 2000
#: Simulated time between two declaration units (so arrivals advance through the stream).
SECONDS_PER_DECLARATION = 3
DEFAULT_START = datetime(2025, 3, 3, tzinfo=UTC)

#: Consignment shares by mode and mean consignments per group (flight, voyage, truck ...).
_MODE_SHARES: dict[str, tuple[float, float]] = {
    "sea": (0.30, 3.4),
    "air": (0.17, 5.0),
    "express": (0.25, 7.5),
    "postal": (0.20, 7.5),
    "road": (0.06, 2.0),
    "rail": (0.02, 4.0),
}

#: Invoice currencies by origin with the EUR value of one unit (fixed reference rates).
_EUR_PER_UNIT: dict[str, float] = {
    "USD": 0.925926,
    "CNY": 0.128205,
    "GBP": 1.176471,
    "JPY": 0.00625,
    "CHF": 1.052632,
    "TRY": 0.028571,
    "INR": 0.011111,
    "KRW": 0.000690,
    "EUR": 1.0,
}
_INVOICE_CURRENCY: dict[str, tuple[str, ...]] = {
    "CN": ("USD",) * 7 + ("CNY",) * 2 + ("EUR",),
    "US": ("USD",),
    "GB": ("GBP",) * 3 + ("EUR",),
    "JP": ("JPY",) * 3 + ("USD",),
    "CH": ("CHF",) * 2 + ("EUR",) * 2,
    "TR": ("USD",) * 2 + ("EUR",) * 2 + ("TRY",),
    "IN": ("USD",) * 3 + ("INR",),
    "KR": ("USD",) * 3 + ("KRW",),
}
_DEFAULT_CURRENCY = ("USD",) * 3 + ("EUR",)

#: Preference codes (EU data element 14 11): 100 third-country duty, 200 GSP, 300 agreement.
_FTA = frozenset(
    ("VN", "KR", "JP", "MA", "TN", "EG", "ZA", "CL", "PE", "CO", "EC", "CR", "HN", "MX", "GB",
     "CH", "NO", "UA", "RS", "CA", "MU", "CI", "GH", "CM", "TR")
)  # fmt: skip
_GSP = frozenset(("BD", "PK", "LK", "KH", "MM", "ID", "PH", "IN"))

#: Preference code and the share of the third-country duty that remains, by origin.
_PREFERENCE: dict[str, tuple[str, float]] = {
    **{c: ("300", 0.0) for c in _FTA},
    **{c: ("200", 0.3) for c in _GSP},
}
_NO_PREFERENCE = ("100", 1.0)

_INCOTERMS: dict[str, tuple[str, ...]] = {
    "sea": ("FOB",) * 4 + ("CIF",) * 3 + ("EXW", "FCA", "DAP"),
    "air": ("FCA",) * 3 + ("EXW", "CPT", "DAP"),
    "land": ("DAP",) * 3 + ("EXW", "FCA"),
    "small": ("DDP", "DAP"),
}

_DAYS: dict[int, str] = {}
#: "HH:MM:SSZ" for every second of a day: formatting times is on the hot path.
_SECONDS_OF_DAY = tuple(
    f"{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60) for s in range(60)
)


def iso(epoch: int) -> str:
    """UTC ISO 8601 time of an epoch second, fast (day prefixes are cached)."""
    day = epoch // 86400
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
        _DAYS[day] = prefix
    return prefix + _SECONDS_OF_DAY[epoch - day * 86400]


def _block_seed(seed: int, block: int) -> int:
    digest = hashlib.blake2b(f"tollgate-synthetic/{seed}/{block}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


#: ``10**digits`` for :func:`scramble`: looked up, not computed, for every document number.
_POWERS_OF_TEN: tuple[int, ...] = tuple(10**d for d in range(19))


def scramble(n: int, digits: int) -> int:
    """Spread serial ``n`` over ``digits`` digits: distinct for the first 10**digits values.

    Document and container numbers then look like real ones (not 0000001, 0000002 ...)
    while staying unique and deterministic; 7919 is prime to 10, so this is a bijection.
    """
    return (n * 7919 + 104729) % _POWERS_OF_TEN[digits]


def padded(n: int, digits: int) -> str:
    """``f"{n:0{digits}d}"`` for the generator's serials, at half the cost.

    Serials are formatted a few thousand times per block; ``str.zfill`` gives the same
    text as the ``0Nd`` format specification (sign first, then zeros) without parsing one.
    """
    return str(n).zfill(digits)


#: ISO 6346 letter values: A=10 upward, skipping multiples of 11 (A=10, B=12 ... Z=38).
_LETTER_VALUES = {
    letter: value
    for letter, value in zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ", (v for v in range(10, 39) if v % 11), strict=True
    )
}
#: ISO 6346 weighted sums of a serial's first and last three digits (weights 2**4 .. 2**9):
#: with the owner code's sum, the check digit is two table look-ups away.
_CONTAINER_HIGH = tuple(
    sum(int(d) << w for d, w in zip(f"{n:03d}", (4, 5, 6), strict=True)) for n in range(1000)
)
_CONTAINER_LOW = tuple(
    sum(int(d) << w for d, w in zip(f"{n:03d}", (7, 8, 9), strict=True)) for n in range(1000)
)
#: Weighted sum of each owner code followed by the category letter U.
_OWNER_SUMS: dict[str, int] = {}


def container_number(owner: str, serial: int) -> str:
    """An ISO 6346 container number with its check digit (category U: freight container).

    Same digit as :func:`~tollgate.declarations.identifiers.container_check_digit`, from
    tables: containers are numbered on the hot path.
    """
    owner_sum = _OWNER_SUMS.get(owner)
    if owner_sum is None:
        owner_sum = sum(
            (_LETTER_VALUES[ch] if ch.isalpha() else int(ch)) << i
            for i, ch in enumerate(owner + "U")
        )
        _OWNER_SUMS[owner] = owner_sum
    number = scramble(serial, 6)
    high, low = divmod(number, 1000)
    check = (owner_sum + _CONTAINER_HIGH[high] + _CONTAINER_LOW[low]) % 11 % 10
    return f"{owner}U{padded(number, 6)}{check}"


def _awb(prefix: str, serial: int) -> str:
    """An air waybill number: airline prefix, 7-digit serial and its modulo-7 check digit."""
    s7 = scramble(serial, 7)
    return f"{prefix}-{padded(s7, 7)}{s7 % 7}"


_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
#: Weighted digit sums of the S10 check for the high and low four digits of a serial.
_S10_HIGH = tuple(
    sum(int(d) * w for d, w in zip(f"{n:04d}", _S10_WEIGHTS[:4], strict=True)) for n in range(10000)
)
_S10_LOW = tuple(
    sum(int(d) * w for d, w in zip(f"{n:04d}", _S10_WEIGHTS[4:], strict=True)) for n in range(10000)
)


def s10_check_digit(number: int) -> int:
    """The UPU S10 check digit of an 8-digit item serial number."""
    high, low = divmod(number, 10000)
    check = 11 - (_S10_HIGH[high] + _S10_LOW[low]) % 11
    return 0 if check == 10 else 5 if check == 11 else check


def s10_item_id(service: str, serial: int, country: str) -> str:
    """A UPU S10 postal item identifier (e.g. ``LX123456785CN``) with its check digit."""
    number = scramble(serial, 8)
    return f"{service}{padded(number, 8)}{s10_check_digit(number)}{country}"


# ----------------------------------------------------------------------------- the world


@dataclass(frozen=True, slots=True)
class World:
    """Everything that does not change during a run: operators, lanes and pick tables.

    Built once per (seed, rates) and process; its size does not depend on the run length.
    """

    seed: int
    rates: Rates
    operators: OperatorPool
    lanes: LaneBook
    importers: tuple[Operator, ...]
    exporters: dict[str, tuple[Operator, ...]]
    forwarders: tuple[Operator, ...]
    groups: tuple[str, ...]
    launder_group_p: float
    sea_entries: tuple[EntryPoint, ...]
    air_entries: tuple[EntryPoint, ...]
    express_entries: tuple[EntryPoint, ...]
    postal_entries: tuple[EntryPoint, ...]
    road_origins: tuple[str, ...]
    laundering_lanes: tuple[Lane, ...]
    vague: tuple[str, ...]
    #: Customs brokers by Member State (where entry countries have none: the importer's).
    brokers: dict[str, tuple[Operator, ...]]
    #: Lognormal multipliers (median 1) for masses and for unit values around a lane median.
    mass_spread: tuple[float, ...]
    value_spread: tuple[float, ...]
    #: Cumulative rates of the fraud kinds and data-quality problems, in draw order.
    fraud_cum: tuple[float, ...]
    dq_cum: tuple[float, ...]


_FRAUD_ORDER = (
    irr.RESTRICTED_GOODS,
    irr.MISCLASSIFICATION,
    irr.UNDERVALUATION,
    irr.VAGUE_DESCRIPTION,
)
_DQ_ORDER = (irr.DQ_NON_LATIN, irr.DQ_INCOMPLETE, irr.DQ_UNKNOWN_CODE, irr.DQ_IMPLAUSIBLE_MASS)
#: Irregularities that live in the import declaration, so they force one to be lodged.
_IMPORT_FRAUD = frozenset({irr.MISCLASSIFICATION, irr.UNDERVALUATION})
_IMPORT_DQ = frozenset({irr.DQ_UNKNOWN_CODE, irr.DQ_IMPLAUSIBLE_MASS})
_dumps = orjson.dumps
_NEWLINE = orjson.OPT_APPEND_NEWLINE
_KIND_OF_TYPE = {"H1": "import", "H7": "import", "CSM": "csm"}
#: What a house-level ENS adds to its group's head, in output order (see ``house_head``).
_HOUSE_KEYS = (
    "lrn",
    "lodged_at",
    "house_transport_document",
    "consignor",
    "consignee",
    "transport",
    "total_packages",
    "total_gross_mass",
    "goods_items",
)
_NO_CONTAINERS: tuple[str, ...] = ()


def _cumulative(values: list[float]) -> tuple[float, ...]:
    out = []
    total = 0.0
    for v in values:
        total += v
        out.append(total)
    return tuple(out)


def _entries(entries: tuple[EntryPoint, ...]) -> tuple[EntryPoint, ...]:
    return expand(entries, [e.weight for e in entries], 256)


def build_world(seed: int, rates: Rates | None = None) -> World:
    """The synthetic world of ``seed``: deterministic, cached per process."""
    return _build_world(seed, rates or Rates())


@lru_cache(maxsize=4)
def _build_world(seed: int, rates: Rates) -> World:
    nom = nomenclature()
    lanes = build_lanes(seed, nom)
    origin_weights: dict[str, float] = {}
    for mode_class, table in lanes.origins.items():
        for origin in table:
            origin_weights[origin] = origin_weights.get(origin, 0.0) + 1.0
        if mode_class == "sea":
            for via, _port in LAUNDERING_VIA:
                origin_weights[via] = origin_weights.get(via, 0.0) + 5.0
    rng = random.Random(_block_seed(seed, -1))
    ops = build_operators(rng, origin_weights, bad_actor_share=rates.bad_actor_share)
    modes = list(_MODE_SHARES)
    group_w = [share / size for share, size in _MODE_SHARES.values()]
    launder_w = rates.origin_laundering / max(1e-9, 1 - rates.origin_laundering)
    return World(
        seed=seed,
        rates=rates,
        operators=ops,
        lanes=lanes,
        importers=expand(ops.importers, [o.volume for o in ops.importers], 16384),
        exporters={
            c: expand(e, [o.volume for o in e], 1024) for c, e in sorted(ops.exporters.items())
        },
        forwarders=ops.forwarders,
        groups=expand(modes, group_w, 4096),
        launder_group_p=launder_w / (sum(group_w) + launder_w),
        sea_entries=_entries(SEA_ENTRIES),
        air_entries=_entries(AIR_ENTRIES),
        express_entries=_entries(EXPRESS_ENTRIES),
        postal_entries=_entries(POSTAL_ENTRIES),
        road_origins=expand(
            [o for o in sorted(ROAD_ORIGINS) if o in lanes.lanes.get("land", {})],
            [ROAD_ORIGINS[o] for o in sorted(ROAD_ORIGINS) if o in lanes.lanes.get("land", {})],
            256,
        ),
        laundering_lanes=tuple(
            lanes.by_key[("CN", hs6)] for hs6 in LAUNDERING_GOODS if ("CN", hs6) in lanes.by_key
        ),
        vague=irr.checked_vague_terms(),
        brokers=ops.declarants,
        mass_spread=tuple(math.exp(0.5 * z) for z in _normal_quantiles()),
        value_spread=tuple(math.exp(VALUE_SIGMA * z) for z in _normal_quantiles()),
        fraud_cum=_cumulative([getattr(rates, name) for name in _FRAUD_ORDER]),
        dq_cum=_cumulative([getattr(rates, name) for name in _DQ_ORDER]),
    )


# ----------------------------------------------------------------------------- output


class GeneratedFiling(NamedTuple):
    """One filing as a JSON line (no newline) and its ground-truth label record, if any."""

    line: bytes
    label: dict[str, Any] | None


@dataclass(slots=True)
class GenerationStats:
    """What a run produced. ``by_type`` counts F10..F50 filings, H1/H7 and CSM events."""

    declarations: int = 0
    consignments: int = 0
    filings: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    amendments: int = 0
    #: Labelled filings per label (a filing with two labels counts under both).
    labelled_filings: dict[str, int] = field(default_factory=dict)
    #: Consignments with each planted irregularity.
    labelled_consignments: dict[str, int] = field(default_factory=dict)
    bytes_written: int = 0
    seconds: float = 0.0

    def merge(self, other: GenerationStats) -> None:
        self.declarations += other.declarations
        self.consignments += other.consignments
        self.filings += other.filings
        self.amendments += other.amendments
        self.bytes_written += other.bytes_written
        for mine, theirs in (
            (self.by_kind, other.by_kind),
            (self.by_type, other.by_type),
            (self.labelled_filings, other.labelled_filings),
            (self.labelled_consignments, other.labelled_consignments),
        ):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v

    def to_dict(self) -> dict[str, Any]:
        return {
            "declarations": self.declarations,
            "consignments": self.consignments,
            "filings": self.filings,
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_type": dict(sorted(self.by_type.items())),
            "amendments": self.amendments,
            "labelled_filings": dict(sorted(self.labelled_filings.items())),
            "labelled_consignments": dict(sorted(self.labelled_consignments.items())),
            "bytes_written": self.bytes_written,
            "seconds": round(self.seconds, 3),
        }


# ----------------------------------------------------------------------------- one block


class _Item:
    """A goods item as it is, and as it is declared."""

    __slots__ = (
        "cn8",
        "desc",
        "desc_ens",
        "desc_imp",
        "gross",
        "gross_imp",
        "hs6",
        "lane",
        "net",
        "packages",
        "packaging",
        "seq",
        "supp",
        "supp_code",
        "value",
        "value_decl",
    )

    cn8: str
    desc: str
    desc_ens: str
    desc_imp: str
    gross: float
    gross_imp: float
    hs6: str
    lane: Lane
    net: float
    packages: int
    #: The packaging element, shared by the ENS and the H1 goods item.
    packaging: dict[str, Any]
    seq: int
    supp: int
    supp_code: str | None
    value: float
    value_decl: float


class _Cons:
    """One consignment while its group is open."""

    __slots__ = (
        "consignee",
        "consignor",
        "containers",
        "doc",
        "ens_goods",
        "ens_labels",
        "exporter",
        "filer_code",
        "gross",
        "has_import",
        "imp_labels",
        "importer",
        "items",
        "lane",
        "mc",
        "no_code",
        "origin",
        "packages",
        "serial",
        "serial10",
    )

    consignee: Any
    consignor: Any
    containers: Sequence[str]
    doc: str
    #: The ENS goods items, built by the first ENS filing and shared by later ones.
    ens_goods: list[dict[str, Any]] | None
    ens_labels: dict[str, dict[str, Any]] | None
    exporter: Operator
    #: Code of the ENS filer, the first part of its LRNs.
    filer_code: str
    gross: float
    has_import: bool
    imp_labels: dict[str, dict[str, Any]] | None
    importer: Operator
    items: list[_Item]
    lane: Lane
    mc: str
    no_code: bool
    origin: str
    packages: int
    serial: int
    #: ``serial`` as ten digits, as it appears in every LRN of the consignment.
    serial10: str


_Labels = dict[str, dict[str, Any]]


class _Block:
    """Generates one block of filings as JSON Lines into ``self.buf``.

    Lines go straight into one reused byte buffer rather than into a list of ``bytes``:
    keeping hundreds of thousands of 1 kB objects alive costs more than making them.
    Labels are rare and kept as (record index, label) pairs.
    """

    def __init__(self, world: World, block: int, budget: int, start: int) -> None:
        self.w = world
        self.rates = world.rates
        rng = random.Random(_block_seed(world.seed, block))
        self.r = rng.random
        self.block = block
        self.budget = budget
        self.remaining = budget
        self.start = start
        self.serial = block * BLOCK_DECLARATIONS
        self.container_serial = block * BLOCK_DECLARATIONS
        self.message_serial = block * 10 * BLOCK_DECLARATIONS
        self.t = start
        self.buf = bytearray()
        self.labels: list[tuple[int, dict[str, Any]]] = []
        #: The type of every filing emitted so far: its length is the record count.
        self.types: list[str] = []
        self.amendments = 0
        self.stats = GenerationStats()
        self.spread = world.mass_spread
        self.value_spread = world.value_spread
        self.n_spread = len(world.mass_spread)
        # Read on every consignment: kept here rather than looked up through the world.
        self.fraud_any = world.fraud_cum[-1]
        self.dq_any = world.dq_cum[-1]
        self.import_share = world.rates.import_declaration

    # -- small helpers ---------------------------------------------------------------

    def pick(self, table: tuple[Any, ...] | list[Any]) -> Any:
        return table[int(self.r() * len(table))]

    def emit(
        self, rec: dict[str, Any], ftype: str, labels: _Labels | None, consignment: str, /
    ) -> None:
        """Append one filing; ``ftype`` is its filing type, H1/H7, or CSM (for the stats)."""
        self.buf += _dumps(rec, option=_NEWLINE)
        types = self.types
        if labels:
            names = list(labels)
            self.labels.append(
                (
                    len(types),
                    {
                        "kind": rec["kind"],
                        "filer": rec["filer"],
                        "lrn": rec["lrn"],
                        "consignment": consignment,
                        "labels": names,
                        "details": labels,
                    },
                )
            )
        types.append(ftype)

    def plant(
        self, cons: _Cons, name: str, ens: dict[str, Any] | None, imp: dict[str, Any] | None
    ) -> None:
        """Record a planted irregularity on the consignment's ENS and/or import labels."""
        if ens is not None:
            if cons.ens_labels is None:
                cons.ens_labels = {}
            cons.ens_labels[name] = ens
        if imp is not None:
            if cons.imp_labels is None:
                cons.imp_labels = {}
            cons.imp_labels[name] = imp
        lc = self.stats.labelled_consignments
        lc[name] = lc.get(name, 0) + 1

    # -- consignments ----------------------------------------------------------------

    def item(self, seq: int, lane: Lane, mc: str) -> _Item:
        r = self.r
        c = lane.commodity
        if mc == "small":
            kg = c.parcel_kg
        elif mc == "air":
            kg = c.air_kg
        else:
            kg = c.cargo_kg
        n = self.n_spread
        net = kg * self.spread[int(r() * n)]
        value = net * lane.median_unit_value * self.value_spread[int(r() * n)]
        gross = net * (1.04 + 0.12 * r())
        it = _Item()
        it.seq = seq
        it.lane = lane
        it.hs6 = c.hs6
        cn = lane.cn
        it.cn8, supp_code = cn[int(r() * len(cn))]
        it.supp_code = supp_code
        it.supp = int(net / c.kg_per_unit + 0.5) or 1 if supp_code else 0
        descs = c.descriptions
        it.desc = it.desc_ens = it.desc_imp = descs[int(r() * len(descs))]
        # int(x * 1000 + 0.5) / 1000 is round(x, 3) for positive x, at a third of the cost.
        it.net = int(net * 1000 + 0.5) / 1000 if net < 100 else int(net * 10 + 0.5) / 10
        it.gross = it.gross_imp = (
            int(gross * 1000 + 0.5) / 1000 if gross < 100 else int(gross * 10 + 0.5) / 10
        )
        packages = int(gross / c.kg_per_package + 0.5) or 1
        it.packages = packages
        it.packaging = {"number": packages, "kind": c.package}
        it.value = it.value_decl = int(value * 100 + 0.5) / 100 if value > 0.5 else 0.5
        return it

    def consignment(
        self,
        mc: str,
        origin: str,
        *,
        to_person: bool = False,
        launder: tuple[Lane, str] | None = None,
    ) -> _Cons:
        """Draw one consignment on ``origin``'s lanes of mode class ``mc``, plant what falls.

        At most one fraud kind (restricted goods, misclassification, undervaluation, vague
        description) and one data-quality problem are planted per consignment; the chance of
        each is its rate times the trader's risk factor. ``launder``: (true-origin lane,
        declared origin) for an origin-laundering consignment.
        """
        w = self.w
        r = self.r
        cons = _Cons()
        serial = self.serial
        cons.serial = serial
        cons.serial10 = padded(serial, 10)
        self.serial = serial + 1
        cons.mc = mc
        cons.ens_goods = None
        cons.ens_labels = None
        cons.imp_labels = None
        cons.containers = _NO_CONTAINERS
        cons.no_code = False
        cons.origin = origin
        exporters = w.exporters[origin]
        exporter: Operator = exporters[int(r() * len(exporters))]
        cons.exporter = exporter
        cons.consignor = exporter.party
        if to_person:
            persons = w.operators.persons
            importer: Operator = persons[int(r() * len(persons))]
            risk = exporter.risk
        else:
            importers = w.importers
            importer = importers[int(r() * len(importers))]
            risk = importer.risk
        cons.importer = importer
        cons.consignee = importer.party

        fraud = ""
        if launder is not None:
            lane = launder[0]
        else:
            table = w.lanes.lanes[mc][origin]
            lane = table[int(r() * len(table))]
            u = r() / risk
            if u < self.fraud_any:
                fraud = _FRAUD_ORDER[next(i for i, t in enumerate(w.fraud_cum) if u < t)]
                if fraud == irr.RESTRICTED_GOODS:
                    lane = self.pick(w.lanes.restricted[origin])
                elif fraud == irr.MISCLASSIFICATION:
                    cands = w.lanes.misclassifiable[mc].get(origin)
                    if cands:
                        lane = self.pick(cands)
                    else:
                        fraud = ""
        cons.lane = lane
        first = self.item(1, lane, mc)
        if r() < (0.1 if mc == "small" else 0.3):
            table = w.lanes.lanes[mc][origin]
            items = [first, self.item(2, table[int(r() * len(table))], mc)]
            if r() < 0.3:
                items.append(self.item(3, table[int(r() * len(table))], mc))
        else:
            items = [first]
        cons.items = items
        u = r()
        dq = ""
        if u < self.dq_any:
            dq = _DQ_ORDER[next(i for i, t in enumerate(w.dq_cum) if u < t)]

        needs_import = launder is not None or fraud in _IMPORT_FRAUD or dq in _IMPORT_DQ
        has_import = self.remaining >= 2 and (needs_import or r() < self.import_share)
        cons.has_import = has_import
        self.remaining -= 2 if has_import else 1
        if fraud or dq or launder is not None or importer.bad_actor or exporter.bad_actor:
            self.plant_all(cons, fraud, dq, launder)
        if len(items) == 1:
            cons.packages = first.packages
            cons.gross = first.gross
        else:
            packages = 0
            gross = 0.0
            for it in items:
                packages += it.packages
                gross += it.gross
            cons.packages = packages
            cons.gross = round(gross, 3)
        return cons

    def plant_all(self, cons: _Cons, fraud: str, dq: str, launder: tuple[Lane, str] | None) -> None:
        """Apply the drawn irregularities to the consignment and write their ground truth."""
        r = self.r
        w = self.w
        first = cons.items[0]
        lane = cons.lane
        exporter = cons.exporter
        importer = cons.importer
        has_import = cons.has_import
        if launder is not None:
            true_lane, declared = launder
            self.plant(
                cons,
                irr.ORIGIN_LAUNDERING,
                {"item": 1, "declared_origin": declared, "true_origin": true_lane.origin},
                {"item": 1, "declared_origin": declared, "true_origin": true_lane.origin},
            )
        if fraud == irr.RESTRICTED_GOODS:
            d = {"item": 1, "commodity_code": lane.hs6, "regime": lane.regime}
            self.plant(cons, irr.RESTRICTED_GOODS, d, d if has_import else None)
        elif fraud == irr.MISCLASSIFICATION:
            wrong = MISCLASSIFICATION[lane.hs6]
            wrong_cn = w.lanes.wrong_cn[wrong]
            first.hs6 = wrong
            first.cn8, first.supp_code = wrong_cn[int(r() * len(wrong_cn))]
            if not first.supp_code:
                first.supp = 0
            elif not first.supp:
                first.supp = max(1, int(first.net + 0.5))
            self.plant(
                cons,
                irr.MISCLASSIFICATION,
                {"item": 1, "declared_code": wrong, "true_code": lane.hs6},
                {"item": 1, "declared_code": first.cn8, "true_code": lane.hs6}
                if has_import
                else None,
            )
        elif fraud == irr.UNDERVALUATION and has_import:
            factor = irr.undervaluation_factor(r())
            first.value_decl = round(max(first.value * factor, 0.1), 2)
            self.plant(
                cons,
                irr.UNDERVALUATION,
                None,
                {
                    "item": 1,
                    "declared_value": first.value_decl,
                    "true_value": first.value,
                    "net_mass": first.net,
                    "declared_unit_value": round(first.value_decl / first.net, 4),
                    "lane_median_unit_value": round(lane.median_unit_value, 4),
                    "ratio": round(first.value_decl / first.value, 4),
                },
            )
        elif fraud == irr.VAGUE_DESCRIPTION:
            term = self.pick(w.vague)
            first.desc_ens = term
            d = {"item": 1, "description": term, "true_description": first.desc}
            small = cons.mc == "small"
            if small:
                first.desc_imp = term
            self.plant(cons, irr.VAGUE_DESCRIPTION, d, d if small and has_import else None)
        if dq == irr.DQ_NON_LATIN:
            zh = lane.commodity.zh
            native = exporter.party_native
            if native is not None and (zh is None or r() < 0.5):
                cons.consignor = native
                self.plant(cons, irr.DQ_NON_LATIN, {"field": "consignor.name"}, None)
            elif zh is not None and fraud != irr.VAGUE_DESCRIPTION:
                first.desc_ens = zh
                self.plant(cons, irr.DQ_NON_LATIN, {"field": "goods_items[1].description"}, None)
        elif dq == irr.DQ_INCOMPLETE:
            if r() < 0.5:
                cons.consignee = importer.party_no_address
                self.plant(cons, irr.DQ_INCOMPLETE, {"field": "consignee.address"}, None)
            else:
                cons.no_code = True
                self.plant(
                    cons, irr.DQ_INCOMPLETE, {"field": "goods_items[1].commodity_code"}, None
                )
        elif dq == irr.DQ_UNKNOWN_CODE and has_import and fraud != irr.MISCLASSIFICATION:
            first.cn8 = lane.unknown_cn
            self.plant(cons, irr.DQ_UNKNOWN_CODE, None, {"item": 1, "commodity_code": first.cn8})
        elif dq == irr.DQ_IMPLAUSIBLE_MASS and has_import:
            first.gross_imp = round(first.net * 0.8, 3)
            self.plant(
                cons,
                irr.DQ_IMPLAUSIBLE_MASS,
                None,
                {"item": 1, "gross_mass": first.gross_imp, "net_mass": first.net},
            )
        if importer.bad_actor or exporter.bad_actor:
            ens_parties = []
            imp_parties = []
            for op, ens_role, imp_role in (
                (importer, "consignee", "importer"),
                (exporter, "consignor", "exporter"),
            ):
                if op.bad_actor:
                    ens_parties.append({"role": ens_role, "eori": op.eori, "name": op.name})
                    imp_parties.append({"role": imp_role, "eori": op.eori, "name": op.name})
            self.plant(
                cons,
                irr.KNOWN_BAD_ACTOR,
                {"parties": ens_parties},
                {"parties": imp_parties} if has_import else None,
            )

    # -- filings ---------------------------------------------------------------------

    @staticmethod
    def ens_goods(cons: _Cons) -> list[dict[str, Any]]:
        """The consignment's ENS goods items, built once and shared by all its ENS filings."""
        out = cons.ens_goods
        if out is not None:
            return out
        out = []
        containers = cons.containers
        origin = cons.origin
        for it in cons.items:
            c = it.lane.commodity
            g = {
                "sequence": it.seq,
                "description": it.desc_ens,
                "commodity_code": it.hs6,
                "origin_country": origin,
                "gross_mass": it.gross,
                "packaging": it.packaging,
            }
            if cons.no_code and it.seq == 1:
                del g["commodity_code"]
            if containers:
                g["containers"] = containers
            if c.un_number is not None:
                g["un_dangerous_goods_number"] = c.un_number
            out.append(g)
        cons.ens_goods = out
        return out

    @staticmethod
    def head(
        ftype: str,
        layer: str,
        filer: Operator,
        entry: EntryPoint,
        arrival: str | None,
        master_doc: str | None,
    ) -> dict[str, Any]:
        """The part of an ENS shared by all filings of one type in one group."""
        head: dict[str, Any] = {
            "kind": "ens",
            "filing_type": ftype,
            "layer": layer,
            "filer": filer.eori,
            "office_of_first_entry": entry.office,
        }
        if arrival is not None:
            head["expected_arrival"] = arrival
        if master_doc is not None:
            head["master_transport_document"] = master_doc
        return head

    @classmethod
    def house_head(
        cls,
        ftype: str,
        layer: str,
        filer: Operator,
        entry: EntryPoint,
        arrival: str | None,
        master_doc: str | None,
    ) -> dict[str, Any]:
        """:meth:`head` followed by empty slots for what each house-level filing adds.

        :meth:`house` copies it and fills the slots, which keeps the keys in output order
        at about half the cost of merging the head into a new dict for every filing.
        """
        head = cls.head(ftype, layer, filer, entry, arrival, master_doc)
        head.update(dict.fromkeys(_HOUSE_KEYS))
        return head

    def house(
        self,
        cons: _Cons,
        head: dict[str, Any],
        tag: str,
        lodged: int,
        transport: dict[str, Any],
        carrier: Operator | None = None,
    ) -> dict[str, Any]:
        """A house-level (or pre-loading, or complete) ENS for one consignment.

        ``head`` comes from :meth:`house_head`. ``tag`` (P: pre-loading, H: house or
        complete) makes the LRN unique per layer.
        """
        rec = head.copy()
        rec["lrn"] = f"{cons.filer_code}{tag}{cons.serial10}"
        rec["lodged_at"] = iso(lodged)
        rec["house_transport_document"] = cons.doc
        rec["consignor"] = cons.consignor
        rec["consignee"] = cons.consignee
        rec["transport"] = transport
        rec["total_packages"] = cons.packages
        rec["total_gross_mass"] = cons.gross
        rec["goods_items"] = self.ens_goods(cons)
        if carrier is not None:
            rec["carrier"] = carrier.party
        self.emit(rec, head["filing_type"], cons.ens_labels, cons.doc)
        return rec

    def amend(self, rec: dict[str, Any], lodged: int) -> None:
        """A later version of a filing: same kind, filer and LRN, with corrected content."""
        new = dict(rec)
        new["amendment"] = True
        new["lodged_at"] = iso(lodged)
        r = self.r()
        if r < 0.4 and "total_gross_mass" in rec:
            mass = rec["total_gross_mass"] * (1.01 + 0.05 * self.r())
            new["total_gross_mass"] = int(mass * 1000 + 0.5) / 1000
        elif r < 0.7 and "total_packages" in rec:
            new["total_packages"] = rec["total_packages"] + 1 + int(self.r() * 3)
        elif "expected_arrival" in rec:
            delay = 3600 * (2 + int(self.r() * 46))
            new["expected_arrival"] = iso(lodged + delay)
        else:
            new["total_gross_mass"] = int(rec.get("total_gross_mass", 1.0) * 1020 + 0.5) / 1000
        self.amendments += 1
        self.emit(new, new["filing_type"], None, "")

    def declaration(
        self,
        cons: _Cons,
        entry: EntryPoint,
        lodged: int,
        transport: dict[str, Any],
        small_filer: Operator | None = None,
    ) -> None:
        """The import declaration (H1, or H7 up to EUR 150) following a consignment's ENS."""
        r = self.r
        items = cons.items
        total = 0.0
        for it in items:
            total += it.value_decl
        h7 = total <= 150.0
        importer = cons.importer
        if small_filer is not None:
            declarant = small_filer
        elif importer.size == "large" and not importer.is_person and r() < 0.5:
            declarant = importer
        else:
            brokers = self.w.brokers.get(entry.country) or self.w.brokers[importer.country]
            declarant = brokers[int(r() * len(brokers))]
        origin = cons.origin
        goods = []
        if h7:
            for it in items:
                goods.append(
                    {
                        "sequence": it.seq,
                        "description": it.desc_imp,
                        "commodity_code": it.cn8,
                        "origin_country": origin,
                        "gross_mass": it.gross_imp,
                        "item_price": it.value_decl,
                        "currency": "EUR",
                        "procedure_code": "4000",
                    }
                )
        else:
            preference, duty_factor = _PREFERENCE.get(origin, _NO_PREFERENCE)
            p4200 = self.rates.procedure_4200
            containers = cons.containers
            for it in items:
                c = it.lane.commodity
                duty = it.value_decl * c.duty * duty_factor
                g: dict[str, Any] = {
                    "sequence": it.seq,
                    "description": it.desc_imp,
                    "commodity_code": it.cn8,
                    "origin_country": origin,
                    "gross_mass": it.gross_imp,
                    "net_mass": it.net,
                    "packaging": it.packaging,
                    "item_price": it.value_decl,
                    "currency": "EUR",
                    "procedure_code": "4200" if r() < p4200 else "4000",
                    "valuation_method": "1",
                    "preference_code": preference,
                    "declared_duties": int(duty * 100 + 0.5) / 100,
                }
                if it.supp:
                    g["supplementary_units"] = it.supp
                    g["supplementary_unit_code"] = it.supp_code
                if preference == "300":
                    g["preferential_origin_country"] = origin
                if containers:
                    g["containers"] = containers
                goods.append(g)
        rec: dict[str, Any] = {
            "kind": "import",
            "declaration_type": "H7" if h7 else "H1",
            "lrn": f"{declarant.code}D{cons.serial10}",
            "filer": declarant.eori,
            "lodged_at": iso(lodged),
            "office_of_lodgement": entry.office,
            "transport_document": cons.doc,
            "declarant": declarant.party,
            "importer": importer.party,
            "transport": transport,
            "goods_items": goods,
        }
        if not h7:
            rec["exporter"] = cons.exporter.party
            incoterms = _INCOTERMS[cons.mc]
            rec["incoterms"] = incoterms[int(r() * len(incoterms))]
            currencies = _INVOICE_CURRENCY.get(cons.exporter.country, _DEFAULT_CURRENCY)
            currency = currencies[int(r() * len(currencies))]
            rate = _EUR_PER_UNIT[currency]
            rec["invoice_currency"] = currency
            rec["invoice_total"] = int(total / rate * 100 + 0.5) / 100
            rec["exchange_rate"] = rate
        self.emit(rec, rec["declaration_type"], cons.imp_labels, cons.doc)

    def csm(
        self,
        carrier: Carrier,
        container: str,
        event: str,
        place: str,
        at: int,
        reported_to: str,
        vessel: str,
    ) -> None:
        op = carrier.operator
        self.message_serial += 1
        self.emit(
            {
                "kind": "csm",
                "lrn": f"{op.code}S{padded(self.message_serial, 11)}",
                "filer": op.eori,
                "lodged_at": iso(at + 300 + int(self.r() * 7200)),
                "reported_to": reported_to,
                "container_number": container,
                "event": event,
                "place": place,
                "event_time": iso(at),
                "vessel": vessel,
            },
            "CSM",
            None,
            "",
        )

    # -- groups ----------------------------------------------------------------------

    def open_consignments(
        self, n: int, mc: str, origin: str, filer_code: str, *, to_person: float = 0.0
    ) -> list[_Cons]:
        out = []
        r = self.r
        for _ in range(n):
            if self.remaining <= 0:
                break
            cons = self.consignment(mc, origin, to_person=to_person > 0.0 and r() < to_person)
            cons.filer_code = filer_code
            out.append(cons)
        return out

    def sea(self, launder: bool = False) -> None:
        """A master bill of lading on one vessel: 1-4 containers, each with 1-4 houses."""
        w = self.w
        r = self.r
        carrier: Carrier = self.pick(w.operators.sea_carriers)
        vessel = self.pick(carrier.vessels)
        fwd: Operator = self.pick(w.forwarders)
        entry: EntryPoint = self.pick(w.sea_entries)
        launder_lane: Lane | None = None
        if launder:
            launder_lane = self.pick(w.laundering_lanes)
            origin, via_port = self.pick(LAUNDERING_VIA)
            true_port = self.pick(SEA_PORTS["CN"])
            pol = via_port
            hub: str | None = via_port
        else:
            origin = self.pick(w.lanes.origins["sea"])
            pol = self.pick(SEA_PORTS[origin])
            true_port = pol
            hub = None
            if r() < hub_probability(origin):
                hub = self.pick(SEA_HUBS)
                if hub[:2] == pol[:2]:
                    hub = None
        itinerary = [origin]
        for place in (pol, hub):
            if place is not None and place[:2] not in itinerary:
                itinerary.append(place[:2])
        if entry.country not in itinerary:
            itinerary.append(entry.country)
        transit = sea_transit_days("CN" if launder else origin) * (0.85 + 0.3 * r())
        arrival = self.t + int(r() * 43200)
        departure = arrival - int(transit * 86400)
        mbl = f"{carrier.prefix}{padded(scramble(self.serial, 10), 10)}"
        voyage = f"{100 + int(r() * 900)}{'W' if r() < 0.5 else 'E'}"

        containers: list[tuple[str, list[_Cons]]] = []
        n_containers = 1 if launder else self.pick((1, 1, 1, 1, 2, 2, 2, 3, 3, 4))
        for _ in range(n_containers):
            if self.remaining <= 0:
                break
            number = container_number(carrier.owner_code, self.container_serial)
            self.container_serial += 1
            if launder:
                assert launder_lane is not None
                cons = self.consignment("sea", origin, launder=(launder_lane, origin))
                cons.filer_code = fwd.code
                where = {"loaded_at": true_port, "transshipped_at": via_port, "container": number}
                for labels in (cons.ens_labels, cons.imp_labels):
                    if labels is not None and irr.ORIGIN_LAUNDERING in labels:
                        labels[irr.ORIGIN_LAUNDERING].update(where)
                houses = [cons]
            else:
                n = 1 if r() < 0.65 else 2 + int(r() * 3)
                houses = self.open_consignments(n, "sea", origin, fwd.code)
            for cons in houses:
                cons.containers = [number]
                cons.doc = f"{fwd.code}B{padded(scramble(cons.serial, 9), 9)}"
            containers.append((number, houses))
        all_houses = [c for _, hs in containers for c in hs]
        if not all_houses:
            return

        arrival_iso = iso(arrival)
        head = self.house_head("F33", "house", fwd, entry, arrival_iso, mbl)
        recs = []
        for cons in all_houses:
            transport = {
                "mode": 1,
                "place_of_loading": pol,
                "place_of_unloading": entry.locode,
                "itinerary": itinerary,
                "containers": cons.containers,
            }
            lodged = departure - 86400 - int(r() * 3 * 86400)
            recs.append(self.house(cons, head, "H", lodged, transport))
        master = {
            **self.head("F32", "master", carrier.operator, entry, arrival_iso, mbl),
            "lrn": f"{carrier.operator.code}M{all_houses[0].serial10}",
            "lodged_at": iso(departure - 86400 + int(r() * 43200)),
            "consignor": fwd.party,
            "consignee": fwd.party,
            "carrier": carrier.operator.party,
            "transport": {
                "mode": 1,
                "means_identity": vessel.imo,
                "means_nationality": vessel.flag,
                "voyage": voyage,
                "place_of_loading": pol,
                "place_of_unloading": entry.locode,
                "itinerary": itinerary,
                "containers": [number for number, _ in containers],
            },
            "total_packages": sum(c.packages for c in all_houses),
            "total_gross_mass": int(sum(c.gross for c in all_houses) * 1000 + 0.5) / 1000,
        }
        self.emit(master, "F32", None, "")
        reported_to = entry.country
        for number, _ in containers:
            if not launder and r() < 0.15:
                continue  # not every carrier reports every container
            at = departure + int(r() * 43200)
            self.csm(carrier, number, "loaded", true_port, at, reported_to, vessel.name)
            if hub is not None:
                at_hub = departure + int(transit * 0.55 * 86400)
                self.csm(carrier, number, "transshipped", hub, at_hub, reported_to, vessel.name)
            at = arrival - int(r() * 21600)
            self.csm(carrier, number, "discharged", entry.locode, at, reported_to, vessel.name)
            if r() < 0.3:
                at += 3600 * (6 + int(r() * 60))
                self.csm(carrier, number, "gate-out", entry.locode, at, reported_to, vessel.name)
        amend_p = self.rates.amendment
        for rec in recs:
            if r() < amend_p:
                self.amend(rec, departure - int(r() * 86400))
        if r() < amend_p / 2:
            self.amend(master, departure + 86400)
        for cons in all_houses:
            if cons.has_import:
                transport = {"mode": 1, "containers": cons.containers}
                self.declaration(cons, entry, arrival + 3600 + int(r() * 4 * 86400), transport)

    def air(self) -> None:
        """One air waybill: 2-8 forwarder houses, each pre-loading then house, then master."""
        w = self.w
        r = self.r
        origin = self.pick(w.lanes.origins["air"])
        airline: Carrier = self.pick(w.operators.airlines)
        fwd: Operator = self.pick(w.forwarders)
        entry: EntryPoint = self.pick(w.air_entries)
        pol = self.pick(AIRPORTS[origin])
        itinerary = [origin]
        if r() < 0.25:
            hub = self.pick(AIR_HUBS)
            if hub[:2] not in itinerary:
                itinerary.append(hub[:2])
        if entry.country not in itinerary:
            itinerary.append(entry.country)
        arrival = self.t + int(r() * 7200)
        departure = arrival - int(flight_hours(origin) * 3600 * (0.9 + 0.3 * r()))
        flight = f"{airline.prefix}{100 + int(r() * 8900)}"
        houses = self.open_consignments(2 + int(r() * 7), "air", origin, fwd.code)
        if not houses:
            return
        mawb = _awb(airline.awb_prefix, houses[0].serial)
        for cons in houses:
            cons.doc = f"{fwd.code}{padded(scramble(cons.serial, 9), 9)}"
        pre_transport = {"mode": 4, "place_of_loading": pol}
        transport = {
            "mode": 4,
            "place_of_loading": pol,
            "place_of_unloading": entry.locode,
            "itinerary": itinerary,
        }
        arrival_iso = iso(arrival)
        recs = []
        head = self.house_head("F10", "pre-loading", fwd, entry, None, mawb)
        for cons in houses:
            lodged = departure - 7200 - int(r() * 86400)
            recs.append(self.house(cons, head, "P", lodged, pre_transport))
        head = self.house_head("F12", "house", fwd, entry, arrival_iso, mawb)
        for cons in houses:
            lodged = departure - int(r() * 7200)
            recs.append(self.house(cons, head, "H", lodged, transport))
        master = {
            **self.head("F11", "master", airline.operator, entry, arrival_iso, mawb),
            "lrn": f"{airline.operator.code}M{houses[0].serial10}",
            "lodged_at": iso(departure + int(r() * 1800)),
            "consignor": fwd.party,
            "consignee": fwd.party,
            "carrier": airline.operator.party,
            "transport": {
                "mode": 4,
                "means_identity": flight,
                "means_nationality": airline.operator.country,
                "place_of_loading": pol,
                "place_of_unloading": entry.locode,
                "itinerary": itinerary,
            },
            "total_packages": sum(c.packages for c in houses),
            "total_gross_mass": int(sum(c.gross for c in houses) * 1000 + 0.5) / 1000,
        }
        self.emit(master, "F11", None, "")
        amend_p = self.rates.amendment
        for rec in recs:
            if r() < amend_p / 2:
                self.amend(rec, departure + int(r() * 3600))
        import_transport = {"mode": 4}
        for cons in houses:
            if cons.has_import:
                lodged = arrival + 1800 + int(r() * 86400)
                self.declaration(cons, entry, lodged, import_transport)

    def complete(self, kind: str) -> None:
        """Groups whose consignments each have one complete ENS: express, post, road, rail."""
        w = self.w
        r = self.r
        postal = kind == "postal"
        if kind in ("express", "postal"):
            origin = self.pick(w.lanes.origins["small"])
            entry = self.pick(w.express_entries if kind == "express" else w.postal_entries)
            pol = self.pick(AIRPORTS[origin])
            mc = "small"
            if kind == "express":
                integrator: Carrier = self.pick(w.operators.integrators)
                filer = integrator.operator
                carrier: Operator | None = filer
                means: str | None = f"{integrator.prefix}{100 + int(r() * 900)}"
            else:
                filer = w.operators.postal[entry.country]
                carrier = None
                means = None
            houses = self.open_consignments(
                3 + int(r() * 10), mc, origin, filer.code, to_person=0.85
            )
            mode = 4 if kind == "express" else 5
            transport: dict[str, Any] = {"mode": mode}
            if means is not None:
                transport["means_identity"] = means
            itinerary = [origin] if origin == entry.country else [origin, entry.country]
            hours = flight_hours(origin)
        elif kind == "road":
            origin = self.pick(w.road_origins)
            pol, entry = self.pick(ROAD_ROUTES[origin])
            mc = "land"
            haulier: Operator = self.pick(w.operators.hauliers[origin])
            filer = carrier = haulier
            houses = self.open_consignments(1 + int(r() * 3), mc, origin, filer.code)
            letters = chr(65 + int(r() * 26)) + chr(65 + int(r() * 26))
            plate = f"{origin}-{int(r() * 9000) + 1000}-{letters}"
            transport = {"mode": 3, "means_identity": plate, "means_nationality": origin}
            itinerary = [origin, entry.country]
            hours = 20.0
        else:
            origin = "CN"
            pol = self.pick(RAIL_LOADING)
            entry = RAIL_ENTRY
            mc = "land"
            op: Carrier = self.pick(w.operators.rail)
            filer = carrier = op.operator
            houses = self.open_consignments(2 + int(r() * 5), mc, origin, filer.code)
            transport = {"mode": 2, "means_identity": f"X{8000 + int(r() * 1999)}"}
            itinerary = list(RAIL_ITINERARY)
            hours = 18 * 24.0
        if not houses:
            return
        transport["place_of_loading"] = pol
        transport["place_of_unloading"] = entry.locode
        transport["itinerary"] = itinerary
        arrival = self.t + int(r() * 7200)
        departure = arrival - int(hours * 3600)
        arrival_iso = iso(arrival)
        ftype = {"express": "F15", "postal": "F21", "road": "F50", "rail": "F40"}[kind]
        layer = "house" if postal else "complete"
        head = self.house_head(ftype, layer, filer, entry, arrival_iso, None)
        pre_head = self.house_head("F20", "pre-loading", filer, entry, None, None)
        pre_transport = {"mode": 5, "place_of_loading": pol}
        recs = []
        for cons in houses:
            if postal:
                cons.doc = s10_item_id("LX" if r() < 0.6 else "RB", cons.serial, origin)
            elif kind == "express":
                cons.doc = padded(scramble(cons.serial, 10), 10)
            else:
                prefix = "CMR" if kind == "road" else "CIM"
                cons.doc = f"{prefix}{padded(scramble(cons.serial, 9), 9)}"
            t = transport
            if kind == "rail":
                number = container_number(filer.code, self.container_serial)
                self.container_serial += 1
                cons.containers = [number]
                t = {**transport, "containers": cons.containers}
            if postal:
                lodged = departure - 7200 - int(r() * 86400)
                self.house(cons, pre_head, "P", lodged, pre_transport)
            lodged = departure - int(r() * 7200)
            recs.append(self.house(cons, head, "H", lodged, t, carrier))
        amend_p = self.rates.amendment
        for rec in recs:
            if r() < amend_p / 2:
                self.amend(rec, departure + int(r() * 3600))
        small_filer = filer if mc == "small" else None
        import_transport = {"mode": transport["mode"]}
        for cons in houses:
            if cons.has_import:
                lodged = arrival + 1800 + int(r() * 86400)
                it = import_transport
                if cons.containers:
                    it = {**import_transport, "containers": cons.containers}
                self.declaration(cons, entry, lodged, it, small_filer)

    # -- driver ----------------------------------------------------------------------

    def run(self) -> None:
        w = self.w
        r = self.r
        launder_p = w.launder_group_p if w.laundering_lanes else 0.0
        while self.remaining > 0:
            self.t = self.start + (self.budget - self.remaining) * SECONDS_PER_DECLARATION
            if r() < launder_p:
                self.sea(launder=True)
                continue
            kind = self.pick(w.groups)
            if kind == "sea":
                self.sea()
            elif kind == "air":
                self.air()
            else:
                self.complete(kind)
        stats = self.stats
        stats.declarations = self.budget
        stats.consignments = self.serial - self.block * BLOCK_DECLARATIONS
        stats.filings = len(self.types)
        stats.amendments = self.amendments
        stats.by_type = dict(Counter(self.types))
        for ftype, n in stats.by_type.items():
            kind = _KIND_OF_TYPE.get(ftype, "ens")
            stats.by_kind[kind] = stats.by_kind.get(kind, 0) + n
        lf = stats.labelled_filings
        for _, label in self.labels:
            for name in label["labels"]:
                lf[name] = lf.get(name, 0) + 1
        self.types = []


@dataclass(slots=True)
class BlockOutput:
    """One block's filings and labels as JSON Lines, ready to append to the files.

    A block made in a helper process comes back as ``spool``: the path stem of two files
    holding its filings and labels, which the writing process appends with ``sendfile``.
    Pickling megabytes through a pipe would cost the writing process more than making them.
    """

    #: The block's buffer itself (not copied: it is written out once and dropped).
    filings: bytes | bytearray
    labels: bytes
    stats: GenerationStats
    spool: str | None = None


def _budget(declarations: int, block: int) -> int:
    return min(BLOCK_DECLARATIONS, declarations - block * BLOCK_DECLARATIONS)


def block_count(declarations: int) -> int:
    return -(-declarations // BLOCK_DECLARATIONS)


def _run_block(world: World, declarations: int, block: int, start: datetime) -> _Block:
    epoch = int(start.timestamp()) + block * BLOCK_DECLARATIONS * SECONDS_PER_DECLARATION
    b = _Block(world, block, _budget(declarations, block), epoch)
    b.run()
    return b


def generate_block(
    *, seed: int, rates: Rates, declarations: int, block: int, start: datetime
) -> BlockOutput:
    """Block ``block`` of a run of ``declarations``: a pure function of its arguments."""
    b = _run_block(build_world(seed, rates), declarations, block, start)
    labels = b"".join(_dumps(label, option=_NEWLINE) for _, label in b.labels)
    b.stats.bytes_written = len(b.buf)
    return BlockOutput(b.buf, labels, b.stats)


def iter_filings(
    *,
    declarations: int,
    seed: int,
    rates: Rates | None = None,
    start: datetime = DEFAULT_START,
    progress: Callable[[int], None] | None = None,
) -> Iterator[GeneratedFiling]:
    """Filings one by one, in process, in the same order and bytes as :func:`generate`.

    ``declarations`` counts consignments plus import declarations (see the module doc).
    Memory holds one block of :data:`BLOCK_DECLARATIONS` at a time.
    """
    if declarations < 0:
        raise ValueError("declarations must not be negative")
    world = build_world(seed, rates or Rates())
    done = 0
    for block in range(block_count(declarations)):
        b = _run_block(world, declarations, block, start)
        lines = bytes(b.buf).split(b"\n")
        labels = dict(b.labels)
        del b
        for i in range(len(lines) - 1):
            yield GeneratedFiling(lines[i], labels.get(i))
        done += _budget(declarations, block)
        if progress is not None:
            progress(done)


# ----------------------------------------------------------------------------- files

_WORKER: dict[str, Any] = {}


def _init_worker(
    seed: int, rates: Rates, declarations: int, start: datetime, spool: str | None
) -> None:
    """Set up a helper process (or this one) to make blocks of one run."""
    _WORKER.update(seed=seed, rates=rates, declarations=declarations, start=start, spool=spool)
    build_world(seed, rates)


def _local_block(block: int) -> BlockOutput:
    return generate_block(
        seed=_WORKER["seed"],
        rates=_WORKER["rates"],
        declarations=_WORKER["declarations"],
        block=block,
        start=_WORKER["start"],
    )


def _spooled_block(block: int) -> BlockOutput:
    """Make a block in a helper process and leave its bytes in spool files."""
    result = _local_block(block)
    stem = os.path.join(_WORKER["spool"], f"block-{block}")
    with open(stem + ".filings", "wb") as fh:
        fh.write(result.filings)
    with open(stem + ".labels", "wb") as fh:
        fh.write(result.labels)
    return BlockOutput(b"", b"", result.stats, stem)


def _append(target: BinaryIO, path: str) -> None:
    """Append a file's bytes to ``target`` in the kernel, then delete the file."""
    with open(path, "rb") as src:
        size = os.fstat(src.fileno()).st_size
        sendfile = getattr(os, "sendfile", None)
        if sendfile is None:
            shutil.copyfileobj(src, target)
        else:
            target.flush()
            offset = 0
            while offset < size:
                offset += sendfile(target.fileno(), src.fileno(), offset, size - offset)
    os.unlink(path)


def _spool_dir(near: Path) -> str:
    """A private scratch folder for helper output: in memory (/dev/shm) where there is one."""
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp folder inside it
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else near
    return tempfile.mkdtemp(prefix="tollgate-synthetic-", dir=base)


def generate(
    *,
    declarations: int,
    seed: int,
    out: Path,
    labels_out: Path | None,
    progress: Callable[[int], None] | None = None,
    rates: Rates | None = None,
    start: datetime = DEFAULT_START,
    workers: int | None = None,
    operators_out: Path | None = None,
) -> GenerationStats:
    """Write ``declarations`` declaration units of synthetic trade as JSON Lines.

    ``declarations`` counts consignments (each with its ENS filings) plus the import
    declarations that follow them; masters, amendments and container status messages come
    on top (see the module doc). ``out`` receives the filings, one JSON object per line,
    each valid for ``FilingAdapter.validate_json``; ``labels_out`` (if given) the ground
    truth, one line per labelled filing; ``operators_out`` (if given) the operator register
    (EORI, AEO, size, compliance history, known bad actor). ``progress`` is called with the
    number of declaration units written so far after each block.

    Same arguments, same bytes — whatever ``workers`` is (default: up to 2 processes for
    runs of several blocks). Memory is bounded by a few blocks, not by ``declarations``.
    """
    if declarations < 0:
        raise ValueError("declarations must not be negative")
    rates = rates or Rates()
    began = time.perf_counter()
    count = block_count(declarations)
    if workers is None:
        workers = default_workers() if count >= 4 else 1
    world = build_world(seed, rates)
    stats = GenerationStats()
    done = 0
    spool = _spool_dir(out.parent) if workers > 1 else None
    try:
        with out.open("wb") as fh, ExitStack() as stack:
            lh = stack.enter_context(labels_out.open("wb")) if labels_out is not None else None
            for result in ordered_map(
                _local_block,
                count,
                workers=workers,
                remote=_spooled_block,
                initializer=_init_worker,
                initargs=(seed, rates, declarations, start, spool),
            ):
                if result.spool is None:
                    fh.write(result.filings)
                    if lh is not None:
                        lh.write(result.labels)
                else:
                    _append(fh, result.spool + ".filings")
                    if lh is not None:
                        _append(lh, result.spool + ".labels")
                    else:
                        os.unlink(result.spool + ".labels")
                stats.merge(result.stats)
                done += result.stats.declarations
                if progress is not None:
                    progress(done)
    finally:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    if operators_out is not None:
        with operators_out.open("wb") as oh:
            for op in world.operators.all():
                oh.write(_dumps(op.register_entry(), option=_NEWLINE))
    stats.seconds = time.perf_counter() - began
    return stats
