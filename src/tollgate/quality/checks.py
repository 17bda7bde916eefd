"""Per-filing data-quality checks DQ-1..DQ-5 (RM-3), as pure functions.

A filing that passed the model's hard syntax (``tollgate.declarations.models``) may still be
poor data for risk analysis: a commodity code that does not exist, a vague goods
description, a party name in a script the common risk criteria cannot match, a mass that
cannot be true. Such filings are *accepted* and every defect is recorded as a
:class:`Finding`, so that filers can be measured (DQ-7) and analysts know what to distrust.

``check_filing`` runs inside bulk intake, next to parsing and storage, at tens of
thousands of filings per second. Hence:

* reference data are module-level or ``lru_cache``\\d lookups (hash probes only);
* everything a goods item's description and commodity code say on their own (DQ-3
  pattern and vague-term checks, DQ-4 script, DQ-1 code existence, DQ-3 description vs.
  code) is computed once per distinct (description, code) pair and cached — bulk data
  repeat both heavily. ``clear_caches`` forgets them when reference data are reloaded;
* a clean filing allocates nothing but its (empty) result list; message strings and
  field paths are only built when a finding is emitted.

Severities: ``error`` — the element is mandatory and missing, or its value is invalid or
impossible; ``warning`` — a risk-analysis element is missing or a value is implausible;
``info`` — a hint that deserves a look (description vs. commodity code).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import cast

from tollgate.declarations.models import (
    AnyFiling,
    EntrySummaryDeclaration,
    GoodsItem,
    ImportDeclaration,
    Party,
    Transport,
)
from tollgate.quality.plausibility import (
    DEFAULT_VALUE_PER_KG,
    MASS_PER_PACKAGE,
    VALUE_PER_KG_BY_CHAPTER,
    mass_per_unit_range,
)
from tollgate.reference.nomenclature import locodes, nomenclature, vague_description_terms

__all__ = [
    "ERROR",
    "INFO",
    "WARNING",
    "Finding",
    "check_filing",
    "clear_caches",
    "quality_score",
]

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One data-quality defect of one filing (DQ-1..DQ-6).

    ``rule`` is the requirement id (``"DQ-3"``), ``code`` a stable snake_case name that
    scorecards count (DQ-7), ``field`` the path of the element in the filing
    (``goods_items[0].commodity_code``), ``severity`` one of ``error``, ``warning``,
    ``info``, and ``message`` a sentence for the filer that names the offending value.
    """

    rule: str
    code: str
    field: str
    severity: str
    message: str


#: Lodgement times up to this far after receipt are clock skew between the filer's system
#: and ours, not a date in the future (DQ-1).
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)

#: EU low-value consignment limit for the H7 reduced data set (DM-2), in EUR.
H7_VALUE_LIMIT = Decimal(150)

_PENALTY = {ERROR: 20, WARNING: 5, INFO: 1}


def quality_score(findings: Sequence[Finding]) -> int:
    """A filing's data-quality score, 0..100 (RM-3, input to the DQ-7 scorecards).

    Starts at 100 and loses 20 per error, 5 per warning and 1 per info finding, floored at
    0. Why these weights: an error makes the filing unusable for at least one risk rule
    (a missing party, an impossible code or mass), so five of them mean the data are
    worthless, which is what 0 says. A warning degrades risk analysis without defeating it
    (a missing address, an implausible value per kg): it takes four warnings to weigh as
    much as one error. An info finding is only a hint (a description that does not echo
    its commodity code, which is often fine) and must not move a filer's ranking much.
    """
    score = 100
    for finding in findings:
        score -= _PENALTY.get(finding.severity, 0)
    return max(score, 0)


# --------------------------------------------------------------------------- helpers


def _q(text: str) -> str:
    """Quote a filer's value for a message, shortened so messages stay under 500 chars."""
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def _n(value: float | Decimal) -> str:
    return f"{float(value):.6g}"


_WORD = re.compile(r"[^\W\d_]+")
#: bytes.translate table keeping ASCII letters and blanking everything else: splitting an
#: ASCII text into words this way is several times faster than a regular expression.
_ASCII_LETTERS_ONLY = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))
_HAS_DIGIT = re.compile(r"\d")
_REPEATED = re.compile(r"(.)(?:\s*\1){2,}", re.IGNORECASE | re.DOTALL)
_FILE_NAME = re.compile(
    r"[\w\-. ]*\.(?:pdf|docx?|xlsx?|xlsm|csv|txt|rtf|odt|ods|xml|json|html?|jpe?g|png|gif|"
    r"bmp|tiff?|zip|rar|7z|eml|msg|pptx?|dat|exe|bin)",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    """The lower-cased runs of letters of a text (digits and punctuation separate)."""
    low = text.lower()
    if low.isascii():
        return low.encode("ascii").translate(_ASCII_LETTERS_ONLY).decode("ascii").split()
    return _WORD.findall(low)


def _stem(word: str) -> str:
    """Crude English plural stripping (``boxes``->``box``, ``batteries``->``battery``).

    Applied identically to both sides of every comparison, so it only has to be
    consistent, not linguistically right.
    """
    if len(word) > 3 and word[-1] == "s":
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        if word.endswith(("sses", "xes", "ches", "shes", "zes")):
            return word[:-2]
        if not word.endswith(("ss", "us", "is")):
            return word[:-1]
    return word


# DQ-3 vague descriptions ------------------------------------------------------------

#: Vague terms named in the spec (DQ-3) that the reference list lacks, or carries only for
#: party data (``n/a``).
_EXTRA_VAGUE_TERMS = frozenset(
    {
        "consumer goods",
        "daily necessities",
        "household goods",
        "n/a",
        "na",
        "nil",
        "freight of all kinds",
        "gift(s)",
    }
)

#: Words that join vague terms without adding meaning: "parts and accessories" is as
#: vague as its two terms.
_JOINERS = frozenset({"and", "or", "of", "for", "with", "the", "etc", "plus", "all", "in", "to"})


#: Where a description lists several things: "parts and accessories", "gifts, toys".
_LIST_SEPARATOR = re.compile(r"[,;/&+|]|\b(?:and|or|with|plus|etc)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _VagueIndex:
    phrases: frozenset[tuple[str, ...]]
    vocabulary: frozenset[str]  # every stemmed word of a vague term, and the joiners


def _normalise_words(text: str) -> tuple[str, ...]:
    return _content(_stem(w) for w in _words(text))


def _content(stemmed: Iterable[str]) -> tuple[str, ...]:
    return tuple(w for w in stemmed if w not in _JOINERS)


@lru_cache(maxsize=1)
def _vague_index() -> _VagueIndex:
    phrases = {_normalise_words(t) for t in vague_description_terms() | _EXTRA_VAGUE_TERMS}
    phrases.discard(())
    return _VagueIndex(
        phrases=frozenset(phrases),
        vocabulary=frozenset(w for p in phrases for w in p) | _JOINERS,
    )


def _is_vague(description: str, stemmed: list[str]) -> bool:
    """True when a description is a vague term, or a list of vague terms, and nothing
    else (DQ-3): "Gifts", "GENERAL CARGO", "parts and accessories", "toys, textiles".

    Terms only count as a list where the filer separated them (comma, "and", ...): "fish
    food" is a product although "fish" and "food" are each vague. A cheap vocabulary test
    rejects almost every real description before any splitting happens.
    """
    index = _vague_index()
    if not index.vocabulary.issuperset(stemmed):
        return False
    words = _content(stemmed)
    if not words:
        return False
    if words in index.phrases:
        return True
    listed = False
    for part in _LIST_SEPARATOR.split(description):
        part_words = _normalise_words(part)
        if part_words:
            if part_words not in index.phrases:
                return False
            listed = True
    return listed


# DQ-4 scripts -------------------------------------------------------------------------

_LATIN_NAME_PREFIXES = ("LATIN ", "FULLWIDTH LATIN ", "MODIFIER LETTER ")
_SCRIPT_LABELS = {"CJK": "Han (CJK)"}


def _non_latin_letter(text: str) -> str | None:
    """The first letter of ``text`` whose script is not Latin, or None (DQ-4).

    Digits, punctuation, symbols and combining marks are not letters and always pass.
    Every letter up to U+024F (Basic Latin to Latin Extended-B) is Latin; beyond that the
    Unicode character name says which script a letter belongs to.
    """
    if text.isascii():
        return None
    for ch in text:
        if (
            ch > "\u024f"
            and ch.isalpha()
            and not unicodedata.name(ch, "").startswith(_LATIN_NAME_PREFIXES)
        ):
            return ch
    return None


def _script_of(ch: str) -> str:
    first = unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
    return _SCRIPT_LABELS.get(first, first.capitalize())


# DQ-3 description vs. commodity code ---------------------------------------------------

#: Function words and classification boilerplate that say nothing about what goods are.
_STOP_WORDS = frozenset(
    {
        "and", "the", "for", "with", "from", "other", "than", "not", "whether", "its",
        "their", "thereof", "therefor", "such", "this", "that", "into", "being", "are",
        "was", "were", "has", "have", "but", "only", "etc", "nec", "nes", "per", "non",
        "any", "all", "more", "less", "our", "your", "new", "used", "incl", "including",
        "excluding", "elsewhere", "specified", "included", "heading", "subheading",
    }
)  # fmt: skip


_WordInfo = tuple[str, str]
#: Per-word (stem, key) cache. A plain dict probed with ``map`` at C speed: per-word
#: calls of an ``lru_cache``d function cost several times more on the cold path.
_WORD_INFO: dict[str, _WordInfo] = {}
_WORD_INFO_LIMIT = 200_000
_STEM_OF = itemgetter(0)
_KEY_OF = itemgetter(1)
_NO_KEY = frozenset({""})


def _word_info(word: str) -> _WordInfo:
    """A lower-cased word's plural-stripped stem, and its key for the description/code
    comparison: the stem cut to five letters so that ``electric``/``electrical`` and
    ``print``/``printed`` meet, or "" for stop words and words under three letters.
    Crude on purpose: DQ-3's mismatch hint must err towards *not* flagging."""
    stem = _stem(word)
    return stem, (stem[:5] if len(word) >= 3 and word not in _STOP_WORDS else "")


def _infos(words: list[str]) -> list[_WordInfo]:
    """(stem, key) of each word, from the cache; the vocabulary of goods descriptions is
    small, so after warm-up almost every word is a hit."""
    cache = _WORD_INFO
    found: list[_WordInfo | None] = list(map(cache.get, words))
    if None in found:
        if len(cache) > _WORD_INFO_LIMIT:
            cache.clear()
        for w in words:
            if w not in cache:
                cache[w] = _word_info(w)
        return [cache[w] for w in words]
    return cast("list[_WordInfo]", found)  # no None in it, checked above


def _keys(infos: list[_WordInfo]) -> frozenset[str]:
    return frozenset(map(_KEY_OF, infos)) - _NO_KEY


# The cached text verdict of a goods item ------------------------------------------------

#: A finding of a goods item without its index: (rule, code, element, severity, message).
_ItemFinding = tuple[str, str, str, str, str]


@lru_cache(maxsize=65_536)
def _description_verdict(description: str) -> tuple[tuple[_ItemFinding, ...], frozenset[str]]:
    """DQ-3 (patterns, vague terms) and DQ-4 (script) findings of a description, and the
    word stems for the code plausibility test (empty when the text is already flagged)."""
    found: list[_ItemFinding] = []
    problem = message = ""
    words = _words(description)
    infos = _infos(words)
    stemmed: list[str] = list(map(_STEM_OF, infos))
    if not words:
        if _HAS_DIGIT.search(description):
            problem = "description_digits_only"
            message = f"goods description {_q(description)} consists only of digits"
        else:
            problem = "description_without_letters"
            message = (
                f"goods description {_q(description)} consists only of blanks or special characters"
            )
    elif words[0][0] == words[-1][-1] and _REPEATED.fullmatch(description.strip()):
        problem = "description_repeated_character"
        message = f"goods description {_q(description)} is one character repeated"
    elif "." in description and _FILE_NAME.fullmatch(description.strip()):
        problem = "description_file_name"
        message = (
            f"goods description {_q(description)} is a file name, not a description of the goods"
        )
    elif _is_vague(description, stemmed):
        problem = "vague_description"
        message = (
            f"goods description {_q(description)} consists only of vague terms; name the goods "
            "precisely enough to classify them"
        )
    if problem:
        found.append(("DQ-3", problem, "description", ERROR, message))
    letter = _non_latin_letter(description)
    if letter is not None:
        found.append(
            (
                "DQ-4",
                "non_latin_script",
                "description",
                ERROR,
                f"goods description {_q(description)} contains {_script_of(letter)} letters "
                f"(first: {letter!r}); give it in Latin script",
            )
        )
    return tuple(found), (frozenset() if found else _keys(infos))


@lru_cache(maxsize=8_192)
def _code_verdict(code: str) -> tuple[bool, frozenset[str], str]:
    """Whether a commodity code exists at its declared length (DQ-1), the stems of its
    chapter, heading and subheading texts and the most specific text (for DQ-3)."""
    nom = nomenclature()
    if not nom.commodity_code_exists(code):
        return False, frozenset(), ""
    path = nom.description_path(code)
    infos = _infos(_words(" ".join(path)))
    return True, _keys(infos), (path[-1] if path else "")


@lru_cache(maxsize=65_536)
def _item_text_findings(description: str, code: str | None) -> tuple[_ItemFinding, ...]:
    """Everything a goods item's description and commodity code say on their own:
    DQ-3/DQ-4 on the description, DQ-1 on the code, and the DQ-3 plausibility of the one
    for the other. Cached per distinct pair, because bulk data repeat both heavily and
    these are the costly checks; a clean pair caches to an empty tuple."""
    found, stems = _description_verdict(description)
    if code is None:
        return found
    exists, code_stems, text = _code_verdict(code)
    if not exists:
        n = len(code)
        if n in (6, 8):
            why = f"does not exist in the {'HS' if n == 6 else 'CN'} nomenclature"
        elif n >= 10:
            why = f"does not exist: its first 8 digits {code[:8]!r} are not a CN code"
        else:
            why = "has a length no nomenclature uses (6, 8, or 10 and more digits)"
        return (
            *found,
            (
                "DQ-1",
                "unknown_commodity_code",
                "commodity_code",
                ERROR,
                f"commodity code {code!r} ({n} digits) {why}",
            ),
        )
    if stems and code_stems and code_stems.isdisjoint(stems):
        # Only a hint (info): true descriptions often use trade names the nomenclature
        # does not ("laptop" for "automatic data processing machine").
        return (
            *found,
            (
                "DQ-3",
                "description_code_mismatch",
                "description",
                INFO,
                f"goods description {_q(description)} shares no word with the nomenclature "
                f"text of {code[:6]} ({_q(text)})",
            ),
        )
    return found


def clear_caches() -> None:
    """Forget cached verdicts, e.g. after the reference data were reloaded."""
    for cached in (
        _vague_index,
        _description_verdict,
        _code_verdict,
        _item_text_findings,
    ):
        cached.cache_clear()
    _WORD_INFO.clear()


# ----------------------------------------------------------------------- requirements


@dataclass(frozen=True, slots=True)
class _ItemRules:
    """Per-item completeness rules (DQ-2) of one filing kind/layer."""

    commodity_code: str | None  # severity when missing, None when not asked for
    min_code_digits: int = 6
    origin: bool = False
    price: bool = False
    currency: bool = False
    procedure: bool = False


_ENS_ITEMS = _ItemRules(commodity_code=WARNING)
_MASTER_ITEMS = _ItemRules(commodity_code=None)
_H1_ITEMS = _ItemRules(
    commodity_code=ERROR, min_code_digits=8, origin=True, price=True, currency=True, procedure=True
)
_H7_ITEMS = _ItemRules(commodity_code=WARNING, price=True, currency=True)

#: Every party role of a filing kind; all are checked for script (DQ-4).
_ROLES = {
    "ens": ("consignor", "consignee", "notify_party", "carrier", "buyer", "seller"),
    "import": ("declarant", "representative", "importer", "exporter", "seller", "buyer"),
}
#: The trading parties, whose address risk analysis needs wherever they appear (DQ-2).
_TRADING_ROLES = frozenset({"consignor", "consignee", "buyer", "seller", "importer", "exporter"})
_NO_ROLES: frozenset[str] = frozenset()
_HOUSE_ADDRESSES = frozenset({"consignor", "consignee"})
_H7_ADDRESSES = frozenset({"importer"})

_PACKAGE_LOW, _PACKAGE_HIGH = MASS_PER_PACKAGE
_chapter_range = VALUE_PER_KG_BY_CHAPTER.get
_DEFAULT_RANGE = DEFAULT_VALUE_PER_KG


def _add(out: list[Finding], rule: str, code: str, field: str, severity: str, msg: str) -> None:
    out.append(Finding(rule, code, field, severity, msg))


def _missing(out: list[Finding], code: str, field: str, severity: str, message: str) -> None:
    out.append(Finding("DQ-2", code, field, severity, message))


def _zero(out: list[Finding], code: str, field: str, what: str) -> None:
    out.append(Finding("DQ-1", code, field, ERROR, f"{what} is zero; it must be positive"))


def _require_party(out: list[Finding], party: Party | None, role: str) -> None:
    """A mandatory party (DQ-2) is missing: an error. Its address is checked with the
    other parties in ``_check_parties``."""
    if party is None:
        _missing(out, f"missing_{role}", role, ERROR, f"{role} is missing")


# ------------------------------------------------------------------------ DQ-1 places


def _check_place(out: list[Finding], place: str | None, field: str) -> None:
    """DQ-1: a well-formed UN/LOCODE (the model checks syntax) must also exist."""
    if place is not None and place not in locodes():
        _add(out, "DQ-1", "unknown_locode", field, ERROR, f"{place!r} is not a UN/LOCODE")


def _check_transport_places(out: list[Finding], transport: Transport | None) -> None:
    if transport is not None:
        _check_place(out, transport.place_of_loading, "transport.place_of_loading")
        _check_place(out, transport.place_of_unloading, "transport.place_of_unloading")


# ------------------------------------------------------------------ DQ-2 / DQ-4 parties


def _check_parties(
    out: list[Finding],
    filing: EntrySummaryDeclaration | ImportDeclaration,
    mandatory_addresses: frozenset[str],
) -> None:
    """Addresses of trading parties (DQ-2) and the script of all party data (DQ-4).

    A trading party without street and city cannot be risk-analysed by location: an error
    where the layer makes the address mandatory, a warning elsewhere. A name or address
    in a non-Latin script cannot be matched against EU-wide common risk criteria and
    watch lists: a warning, because the party is usually still identified by its EORI.
    """
    for role in _ROLES[filing.kind]:
        party: Party | None = getattr(filing, role)
        if party is None:
            continue
        address = party.address
        if role in _TRADING_ROLES and (
            address is None or address.street is None or address.city is None
        ):
            _address_finding(out, role, party, role in mandatory_addresses)
        if party.name.isascii() and (
            address is None
            or (
                (address.street is None or address.street.isascii())
                and (address.city is None or address.city.isascii())
                and (address.postcode is None or address.postcode.isascii())
            )
        ):
            continue
        _check_party_script(out, role, "name", party.name)
        if address is not None:
            _check_party_script(out, role, "address.street", address.street)
            _check_party_script(out, role, "address.city", address.city)
            _check_party_script(out, role, "address.postcode", address.postcode)


def _address_finding(out: list[Finding], role: str, party: Party, mandatory: bool) -> None:
    address = party.address
    if address is None:
        gap = "has no address"
    elif address.street is None and address.city is None:
        gap = "has no street and no city in its address"
    elif address.street is None:
        gap = "has no street in its address"
    else:
        gap = "has no city in its address"
    severity = ERROR if mandatory else WARNING
    _missing(
        out, "missing_party_address", f"{role}.address", severity, f"{role} {_q(party.name)} {gap}"
    )


def _check_party_script(out: list[Finding], role: str, element: str, value: str | None) -> None:
    if value is None:
        return
    letter = _non_latin_letter(value)
    if letter is not None:
        _add(
            out,
            "DQ-4",
            "non_latin_script",
            f"{role}.{element}",
            WARNING,
            f"{role} {element.removeprefix('address.')} {_q(value)} contains "
            f"{_script_of(letter)} letters (first: {letter!r}); give it in Latin script",
        )


# --------------------------------------------------------------------------- goods items


def _eur_factor(currency: str | None, filing: AnyFiling) -> float | None:
    """Multiplier from ``currency`` to EUR, or None when it cannot be known (DQ-5).

    EUR is 1. Another currency converts only on an import declaration whose
    ``exchange_rate`` is given for that currency as its invoice currency, read as the EU
    customs convention "1 EUR = rate units of the currency". Anything else is skipped
    rather than guessed.
    """
    if currency == "EUR":
        return 1.0
    if (
        currency is not None
        and isinstance(filing, ImportDeclaration)
        and filing.exchange_rate is not None
        and currency == filing.invoice_currency
    ):
        return 1.0 / float(filing.exchange_rate)
    return None


def _check_items(
    out: list[Finding],
    filing: EntrySummaryDeclaration | ImportDeclaration,
    rules: _ItemRules,
) -> None:
    """DQ-1..DQ-5 on each goods item, in one pass; the common (clean) path builds no
    strings and calls no helpers beyond the cached text verdict."""
    code_severity = rules.commodity_code
    min_digits = rules.min_code_digits
    need_origin = rules.origin
    need_procedure = rules.procedure
    need_currency = rules.currency
    need_price = rules.price
    header_currency = filing.invoice_currency if filing.kind == "import" else None
    for i, item in enumerate(filing.goods_items):
        code = item.commodity_code
        for rule, fcode, element, severity, message in _item_text_findings(item.description, code):
            _add(out, rule, fcode, f"goods_items[{i}].{element}", severity, message)
        if code is None:
            if code_severity is not None:
                _missing(
                    out,
                    "missing_commodity_code",
                    f"goods_items[{i}].commodity_code",
                    code_severity,
                    f"goods item {item.sequence} has no commodity code",
                )
        elif len(code) < min_digits and _code_verdict(code)[0]:
            _missing(
                out,
                "commodity_code_too_short",
                f"goods_items[{i}].commodity_code",
                ERROR,
                f"commodity code {code!r} has {len(code)} digits; "
                f"at least {min_digits} are required",
            )
        if need_origin and item.origin_country is None:
            _missing(
                out,
                "missing_origin_country",
                f"goods_items[{i}].origin_country",
                ERROR,
                f"goods item {item.sequence} has no country of origin",
            )
        if need_procedure and item.procedure_code is None:
            _missing(
                out,
                "missing_procedure_code",
                f"goods_items[{i}].procedure_code",
                ERROR,
                f"goods item {item.sequence} has no procedure code",
            )
        currency = item.currency or header_currency
        if need_currency and currency is None:
            _missing(
                out,
                "missing_currency",
                f"goods_items[{i}].currency",
                ERROR,
                f"goods item {item.sequence} has no currency and the declaration no "
                "invoice currency",
            )

        # masses, packages, values: zero (DQ-1) and plausibility (DQ-5)
        gross = item.gross_mass
        net = item.net_mass
        if gross == 0:
            _zero(out, "zero_mass", f"goods_items[{i}].gross_mass", "gross mass")
        if net == 0:
            _zero(out, "zero_mass", f"goods_items[{i}].net_mass", "net mass")
        if gross and net and net > gross:
            _add(
                out,
                "DQ-5",
                "net_mass_exceeds_gross_mass",
                f"goods_items[{i}].net_mass",
                ERROR,
                f"net mass {_n(net)} kg exceeds gross mass {_n(gross)} kg",
            )
        packaging = item.packaging
        if packaging is not None:
            packages = packaging.number
            if packages == 0:
                _zero(out, "zero_packages", f"goods_items[{i}].packaging.number", "packages")
            elif gross and not _PACKAGE_LOW <= gross / packages <= _PACKAGE_HIGH:
                _mass_per_package_finding(out, f"goods_items[{i}].gross_mass", gross, packages)
        mass = net or gross
        price = item.item_price
        if price is None:
            if need_price:
                _missing(
                    out,
                    "missing_item_price",
                    f"goods_items[{i}].item_price",
                    ERROR,
                    f"goods item {item.sequence} has no item price",
                )
        elif not price:
            _zero(out, "zero_value", f"goods_items[{i}].item_price", "item price")
        elif mass:
            factor = 1.0 if currency == "EUR" else _eur_factor(currency, filing)
            if factor is not None:
                per_kg = float(price) * factor / mass
                low, high = _chapter_range(code[:2], _DEFAULT_RANGE) if code else _DEFAULT_RANGE
                if not low <= per_kg <= high:
                    _value_per_kg_finding(out, i, code, per_kg * mass, mass, low, high)
        if item.statistical_value == 0:
            _zero(out, "zero_value", f"goods_items[{i}].statistical_value", "statistical value")
        units = item.supplementary_units
        if units is not None:
            if units == 0:
                _zero(
                    out,
                    "zero_supplementary_units",
                    f"goods_items[{i}].supplementary_units",
                    "quantity in supplementary units",
                )
            elif mass:
                _check_mass_per_unit(out, i, item, mass, units)


def _mass_per_package_finding(out: list[Finding], field: str, gross: float, packages: int) -> None:
    _add(
        out,
        "DQ-5",
        "implausible_mass_per_package",
        field,
        WARNING,
        f"gross mass {_n(gross)} kg in {packages} package(s) is {_n(gross / packages)} kg "
        f"per package, outside the credible range {_n(_PACKAGE_LOW)}..{_n(_PACKAGE_HIGH)} kg",
    )


def _value_per_kg_finding(
    out: list[Finding],
    i: int,
    code: str | None,
    value_eur: float,
    mass: float,
    low: float,
    high: float,
) -> None:
    what = f"HS chapter {code[:2]}" if code else "goods without commodity code"
    _add(
        out,
        "DQ-5",
        "implausible_value_per_kg",
        f"goods_items[{i}].item_price",
        WARNING,
        f"item price {_n(value_eur)} EUR for {_n(mass)} kg is {_n(value_eur / mass)} EUR/kg, "
        f"outside the credible range {_n(low)}..{_n(high)} EUR/kg for {what}",
    )


def _check_mass_per_unit(
    out: list[Finding], i: int, item: GoodsItem, mass: float, units: float
) -> None:
    """DQ-5: kg per supplementary unit, with the item's unit or else the CN code's."""
    unit = item.supplementary_unit_code
    if unit is None and item.commodity_code is not None:
        unit = nomenclature().cn.get(item.commodity_code[:8])
    bounds = mass_per_unit_range(unit)
    if bounds is None:
        return
    low, high = bounds
    per_unit = mass / units
    if not low <= per_unit <= high:
        _add(
            out,
            "DQ-5",
            "implausible_mass_per_unit",
            f"goods_items[{i}].supplementary_units",
            WARNING,
            f"{_n(mass)} kg for {_n(units)} {unit} is {_n(per_unit)} kg per unit, "
            f"outside the credible range {_n(low)}..{_n(high)} kg",
        )


# ------------------------------------------------------------------------ filing kinds


def _check_ens(out: list[Finding], ens: EntrySummaryDeclaration) -> None:
    """DQ-1/DQ-2/DQ-5 at filing level for an ENS; the mandatory set depends on the layer
    (DM-1): the carrier's transport data on master and complete filings, the "7+1" on
    pre-loading, parties with addresses, house document and goods on house and complete.
    """
    if ens.expected_arrival is not None and ens.lodged_at > ens.expected_arrival:
        _add(
            out,
            "DQ-1",
            "lodged_after_expected_arrival",
            "lodged_at",
            ERROR,
            f"lodged at {ens.lodged_at.isoformat()}, after the expected arrival "
            f"{ens.expected_arrival.isoformat()}",
        )
    transport = ens.transport
    _check_transport_places(out, transport)
    layer = ens.layer
    if layer == "master" or layer == "complete":
        _require_master_data(out, ens, transport)
    mandatory_addresses = _NO_ROLES
    if layer != "master":
        _require_party(out, ens.consignor, "consignor")
        _require_party(out, ens.consignee, "consignee")
        if ens.house_transport_document is None:
            _missing(
                out,
                "missing_house_transport_document",
                "house_transport_document",
                ERROR,
                "house transport document number is missing",
            )
        if not ens.goods_items:
            _missing(
                out,
                "missing_goods_items",
                "goods_items",
                ERROR,
                f"{layer} ENS has no goods items, so no goods description",
            )
        if layer == "pre-loading":
            _require_totals(out, ens)
        else:
            mandatory_addresses = _HOUSE_ADDRESSES
    _check_parties(out, ens, mandatory_addresses)
    total_packages = ens.total_packages
    total_mass = ens.total_gross_mass
    if total_mass == 0:
        _zero(out, "zero_mass", "total_gross_mass", "total gross mass")
    if total_packages == 0:
        _zero(out, "zero_packages", "total_packages", "total number of packages")
    elif (
        total_packages
        and total_mass
        and not _PACKAGE_LOW <= total_mass / total_packages <= _PACKAGE_HIGH
    ):
        _mass_per_package_finding(out, "total_gross_mass", total_mass, total_packages)
    _check_items(out, ens, _MASTER_ITEMS if layer == "master" else _ENS_ITEMS)


def _require_master_data(
    out: list[Finding], ens: EntrySummaryDeclaration, transport: Transport | None
) -> None:
    if transport is None:
        _missing(out, "missing_transport", "transport", ERROR, f"{ens.layer} ENS has no transport")
    else:
        if transport.means_identity is None:
            _missing(
                out,
                "missing_transport_means",
                "transport.means_identity",
                ERROR,
                "identity of the means of transport is missing",
            )
        if transport.place_of_loading is None:
            _missing(
                out,
                "missing_place_of_loading",
                "transport.place_of_loading",
                ERROR,
                "place of loading is missing",
            )
        if transport.place_of_unloading is None:
            _missing(
                out,
                "missing_place_of_unloading",
                "transport.place_of_unloading",
                ERROR,
                "place of unloading is missing",
            )
        if not transport.itinerary:
            # a risk-analysis element (routing via high-risk countries), not mandatory
            _missing(
                out,
                "missing_itinerary",
                "transport.itinerary",
                WARNING,
                "countries of routing (itinerary) are missing",
            )
    # a complete (direct) filing has one transport document: its house number serves
    if ens.master_transport_document is None and not (
        ens.layer == "complete" and ens.house_transport_document is not None
    ):
        _missing(
            out,
            "missing_master_transport_document",
            "master_transport_document",
            ERROR,
            "master transport document number is missing",
        )


def _require_totals(out: list[Finding], ens: EntrySummaryDeclaration) -> None:
    """Pre-loading "7+1": number of packages and gross mass, as totals or on every item."""
    items = ens.goods_items
    if ens.total_packages is None and not (items and all(it.packaging for it in items)):
        _missing(
            out,
            "missing_packages",
            "total_packages",
            ERROR,
            "number of packages is missing (neither a total nor on every goods item)",
        )
    if ens.total_gross_mass is None and not (
        items and all(it.gross_mass is not None for it in items)
    ):
        _missing(
            out,
            "missing_gross_mass",
            "total_gross_mass",
            ERROR,
            "gross mass is missing (neither a total nor on every goods item)",
        )


def _check_import(out: list[Finding], dec: ImportDeclaration) -> None:
    """DQ-1/DQ-2/DQ-5 at declaration level for H1 (full data) and H7 (reduced data for
    low-value consignments, DM-2)."""
    _check_transport_places(out, dec.transport)
    importer = dec.importer
    h1 = dec.declaration_type == "H1"
    _require_party(out, importer, "importer")
    if h1:
        if importer is not None and importer.eori is None:
            _missing(
                out,
                "missing_importer_eori",
                "importer.eori",
                ERROR,
                f"importer {_q(importer.name)} has no EORI number",
            )
        _require_party(out, dec.declarant, "declarant")
    if dec.exporter is None and dec.seller is None:
        _missing(
            out,
            "missing_exporter",
            "exporter",
            WARNING,
            "neither exporter nor seller is given; risk analysis needs the foreign party",
        )
    _check_parties(out, dec, _NO_ROLES if h1 else _H7_ADDRESSES)
    if dec.invoice_total == 0:
        _zero(out, "zero_value", "invoice_total", "invoice total")
    _check_items(out, dec, _H1_ITEMS if h1 else _H7_ITEMS)
    if not h1:
        _check_h7_value(out, dec)


def _check_h7_value(out: list[Finding], dec: ImportDeclaration) -> None:
    """DQ-5: the H7 reduced data set is only for consignments of intrinsic value up to
    EUR 150. Summed over the goods items' prices, else the invoice total; skipped when a
    currency cannot be converted."""
    limit = float(H7_VALUE_LIMIT)
    total = 0.0
    for item in dec.goods_items:
        if item.item_price is None:
            break
        factor = _eur_factor(item.currency or dec.invoice_currency, dec)
        if factor is None:
            return
        total += float(item.item_price) * factor
    else:
        if total > limit:
            _h7_finding(out, "goods_items", total, "summed item prices")
        return
    if dec.invoice_total is not None:
        factor = _eur_factor(dec.invoice_currency, dec)
        if factor is not None and float(dec.invoice_total) * factor > limit:
            _h7_finding(out, "invoice_total", float(dec.invoice_total) * factor, "invoice total")


def _h7_finding(out: list[Finding], field: str, value_eur: float, what: str) -> None:
    _add(
        out,
        "DQ-5",
        "h7_value_above_threshold",
        field,
        ERROR,
        f"H7 declaration with {what} of {value_eur:.2f} EUR, above the "
        f"{H7_VALUE_LIMIT} EUR low-value limit; an H1 declaration is required",
    )


def check_filing(filing: AnyFiling, *, received_at: datetime) -> list[Finding]:
    """All per-filing data-quality findings (DQ-1..DQ-5) of one filing, in a stable order.

    ``received_at`` (timezone-aware) is when the platform received the filing: a
    lodgement time later than that, beyond ``CLOCK_SKEW_TOLERANCE``, is in the future
    (DQ-1). Container status messages only get the UN/LOCODE check of their place: they
    are carrier event data with no goods, parties or value. Consistency across the
    filings of a consignment (DQ-6) is ``tollgate.quality.consistency``.
    """
    out: list[Finding] = []
    # dispatch on the discriminator, not ``isinstance``: the models' metaclass is an
    # ABCMeta, whose negative isinstance answer costs several times more on this hot path
    if filing.kind == "csm":
        _check_place(out, filing.place, "place")
        return out
    if filing.lodged_at > received_at + CLOCK_SKEW_TOLERANCE:
        _add(
            out,
            "DQ-1",
            "lodged_in_future",
            "lodged_at",
            ERROR,
            f"lodged at {filing.lodged_at.isoformat()}, after it was received "
            f"({received_at.isoformat()})",
        )
    if filing.kind == "ens":
        _check_ens(out, filing)
    else:
        _check_import(out, filing)
    return out
