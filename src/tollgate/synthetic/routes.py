"""Where goods are loaded, where they enter the EU, and the way between.

Routes carry much of the risk signal (RM-4): a container's real path from its status
messages against the itinerary declared in the ENS. So places are real UN/LOCODEs (every code
here is checked against the UN/LOCODE list by the tests), EU entry points are the big ports and
cargo airports with a customs office of first entry, and transshipment goes through the hubs
that carry it in reality.

Office reference numbers follow the EU format (country code + 6 characters). ``NL000396`` is
Rotterdam's; the others are illustrative numbers for the offices of those places, not a copy
of the EU customs office list, which is not part of the shared reference data.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """An EU place of unloading with its customs office of first entry."""

    locode: str
    office: str
    weight: float
    #: The Member State: the first two letters of the UN/LOCODE. Stored, not derived on
    #: each read, because the generator reads it for most consignments.
    country: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "country", self.locode[:2])


def _entries(spec: str) -> tuple[EntryPoint, ...]:
    out = []
    for part in spec.split():
        locode, office, weight = part.split(":")
        out.append(EntryPoint(locode, office, float(weight)))
    return tuple(out)


#: Entry points by transport class, weighted by their share of EU entries of that class.
SEA_ENTRIES = _entries(
    "NLRTM:NL000396:30 BEANR:BE101000:18 DEHAM:DE004851:14 DEBRV:DE004252:5 "
    "FRLEH:FR002300:6 FRFOS:FR001301:3 ITGOA:IT261101:4 ITGIT:IT291100:3 "
    "ESVLC:ES004601:6 ESALG:ES001101:4 PLGDN:PL322010:4 GRPIR:GR002501:4"
)
AIR_ENTRIES = _entries(
    "NLAMS:NL000854:20 DEFRA:DE003303:18 BELGG:BE303000:12 BEBRU:BE200000:6 "
    "FRCDG:FR000690:12 DELEJ:DE008601:8 ITMXP:IT077100:7 ESMAD:ES002801:6 PLWAW:PL141010:4"
)
EXPRESS_ENTRIES = _entries(
    "BELGG:BE303000:30 DELEJ:DE008601:30 DECGN:DE002101:15 FRCDG:FR000690:15 NLAMS:NL000854:10"
)
POSTAL_ENTRIES = _entries(
    "FRCDG:FR000690:20 DEFRA:DE003303:20 NLAMS:NL000854:12 BEBRU:BE200000:10 "
    "ITMXP:IT077100:10 ESMAD:ES002801:10 PLWAW:PL141010:8 ATVIE:AT320300:5 SEARN:SE000138:5"
)

#: Road crossings into the EU by origin country: (place of loading, EU entry point).
ROAD_ROUTES: dict[str, tuple[tuple[str, EntryPoint], ...]] = {
    "GB": (
        ("GBBHM", EntryPoint("FRCQF", "FR000880", 1)),
        ("GBLON", EntryPoint("FRCQF", "FR000880", 1)),
    ),
    "TR": (("TRIST", EntryPoint("BGSVI", "BG002003", 1)),),
    "CH": (
        ("CHBSL", EntryPoint("DEWEI", "DE003851", 1)),
        ("CHZRH", EntryPoint("DEWEI", "DE003851", 1)),
    ),
    "UA": (
        ("UALWO", EntryPoint("PLMED", "PL331020", 1)),
        ("UAIEV", EntryPoint("PLDOR", "PL301030", 1)),
    ),
    "RS": (("RSBEG", EntryPoint("HUROS", "HU006100", 1)),),
}
ROAD_ORIGINS: dict[str, float] = {"GB": 40, "TR": 25, "CH": 20, "UA": 10, "RS": 5}

#: China-Europe rail: terminals of loading, and the border station of entry.
RAIL_LOADING: tuple[str, ...] = ("CNXIA", "CNCKG")
RAIL_ENTRY = EntryPoint("PLMAA", "PL351020", 1)
RAIL_ITINERARY: tuple[str, ...] = ("CN", "KZ", "RU", "BY", "PL")

#: Seaports of loading by country of export. A port may lie in a neighbouring country
#: (Ethiopian coffee leaves through Djibouti), which then joins the itinerary.
SEA_PORTS: dict[str, tuple[str, ...]] = {
    "CN": ("CNSHA", "CNNGB", "CNYTN", "CNSZX", "CNTAO", "CNXMN"),
    "HK": ("HKHKG",),
    "TW": ("TWKHH",),
    "KR": ("KRPUS",),
    "JP": ("JPYOK", "JPTYO"),
    "VN": ("VNSGN", "VNHPH"),
    "TH": ("THLCH",),
    "MY": ("MYPKG", "MYTPP"),
    "ID": ("IDTPP",),
    "PH": ("PHMNL",),
    "KH": ("KHKOS",),
    "MM": ("MMRGN",),
    "BD": ("BDCGP",),
    "IN": ("INNSA", "INMUN", "INMAA"),
    "PK": ("PKKHI",),
    "LK": ("LKCMB",),
    "AE": ("AEJEA",),
    "SA": ("SAJED",),
    "QA": ("QAHMD",),
    "TR": ("TRAMB", "TRMER", "TRIZM", "TRGEB"),
    "EG": ("EGALY", "EGPSD"),
    "MA": ("MAPTM", "MACAS"),
    "TN": ("TNRDS",),
    "ZA": ("ZADUR", "ZACPT"),
    "CI": ("CIABJ",),
    "GH": ("GHTEM",),
    "CM": ("CMDLA",),
    "TG": ("TGLFW",),
    "MU": ("MUPLU",),
    "KE": ("KEMBA",),
    "UG": ("KEMBA",),
    "ET": ("DJJIB",),
    "US": ("USNYC", "USSAV", "USHOU", "USLAX"),
    "CA": ("CAMTR", "CAHAL"),
    "MX": ("MXVER",),
    "BR": ("BRSSZ",),
    "AR": ("ARBUE",),
    "CL": ("CLSAI", "CLVAP"),
    "PE": ("PECLL",),
    "EC": ("ECGYE",),
    "CO": ("COCTG",),
    "CR": ("CRLIO",),
    "HN": ("HNPCR",),
    "AU": ("AUMEL", "AUSYD"),
    "UA": ("UAODS",),
    "GB": ("GBFXT", "GBSOU"),
    "NO": ("NOOSL",),
}

#: Airports of loading by country of export.
AIRPORTS: dict[str, tuple[str, ...]] = {
    "CN": ("CNPVG", "CNCAN", "CNPEK", "CNCTU", "CNCKG"),
    "HK": ("HKHKG",),
    "TW": ("TWTPE",),
    "KR": ("KRICN",),
    "JP": ("JPNRT",),
    "VN": ("VNHAN", "VNSGN"),
    "TH": ("THBKK",),
    "MY": ("MYKUL",),
    "SG": ("SGSIN",),
    "ID": ("IDCGK",),
    "IN": ("INDEL", "INBOM", "INMAA"),
    "PK": ("PKKHI",),
    "BD": ("BDDAC",),
    "KH": ("KHPNH",),
    "LK": ("LKCMB",),
    "AE": ("AEDXB",),
    "QA": ("QADOH",),
    "SA": ("SAJED",),
    "TR": ("TRIST",),
    "US": ("USJFK", "USORD", "USMIA", "USLAX"),
    "CA": ("CATOR",),
    "MX": ("MXVER",),
    "BR": ("BRGRU",),
    "AR": ("ARBUE",),
    "CL": ("CLSCL",),
    "PE": ("PELIM",),
    "EC": ("ECUIO",),
    "CO": ("COBOG",),
    "KE": ("KENBO",),
    "ET": ("ETADD",),
    "GH": ("GHACC",),
    "TG": ("TGLFW",),
    "MA": ("MACAS",),
    "EG": ("EGCAI",),
    "ZA": ("ZAJNB",),
    "CH": ("CHZRH",),
    "GB": ("GBLHR",),
}

#: Sea transshipment hubs and air hubs; a consignment routed through one adds its country
#: to the itinerary, and a container status message reports the transshipment there.
SEA_HUBS: tuple[str, ...] = ("SGSIN", "MYPKG", "LKCMB", "AEJEA", "EGPSD", "MAPTM")
AIR_HUBS: tuple[str, ...] = ("AEDXB", "QADOH", "TRIST")

_FAR_EAST = frozenset(
    ("CN", "HK", "TW", "KR", "JP", "VN", "TH", "MY", "ID", "PH", "KH", "MM", "SG")
)
_SOUTH_ASIA_GULF = frozenset(["BD", "IN", "PK", "LK", "AE", "SA", "QA"])
_MED = frozenset(["TR", "EG", "MA", "TN", "GB", "NO", "UA", "BY", "CH"])


def sea_transit_days(origin: str) -> float:
    """Median days at sea to the EU: the gap between loading and discharge events."""
    if origin in _FAR_EAST:
        return 34.0
    if origin in _SOUTH_ASIA_GULF:
        return 22.0
    if origin in _MED:
        return 6.0
    return 16.0


def hub_probability(origin: str) -> float:
    """How often a container from ``origin`` is transshipped on its way to the EU."""
    if origin in _FAR_EAST:
        return 0.35
    if origin in _MED:
        return 0.05
    return 0.2


def flight_hours(origin: str) -> float:
    if origin in _FAR_EAST:
        return 12.0
    if origin in _SOUTH_ASIA_GULF:
        return 8.0
    if origin in _MED:
        return 3.5
    return 9.0


def all_locodes() -> set[str]:
    """Every UN/LOCODE this module can put into a filing (for checks against the list)."""
    out: set[str] = set()
    for entries in (SEA_ENTRIES, AIR_ENTRIES, EXPRESS_ENTRIES, POSTAL_ENTRIES):
        out.update(e.locode for e in entries)
    for routes in ROAD_ROUTES.values():
        for loading, entry in routes:
            out.update((loading, entry.locode))
    out.update(RAIL_LOADING)
    out.add(RAIL_ENTRY.locode)
    for ports in (*SEA_PORTS.values(), *AIRPORTS.values()):
        out.update(ports)
    out.update(SEA_HUBS)
    out.update(AIR_HUBS)
    return out
