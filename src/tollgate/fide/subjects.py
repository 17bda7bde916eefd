"""What a FIDE record may say about its subject (CIS-31), and how it is found (CIS-34).

A person is held by names, date and place of birth, nationality, sex and address; a
business by business name, trade name, registered office, VAT and excise numbers and
address. Nothing else is accepted, so an unexpected field is refused rather than stored.

Only the values a query may use become keys. Names are compared after ``normalise`` with
their words sorted: "Jan Pieter" and "pieter JAN" are the same forenames, but "Jan" alone
is not "Jan Pieter" — a query names a value as the record holds it, which keeps a common
given name from returning every file that contains it. Numbers drop every separator;
addresses are compared whole, normalised.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tollgate.cis.names import normalise
from tollgate.errors import ValidationFailed
from tollgate.reference.codes import is_country

SUBJECT_TYPES = ("person", "business")

#: CIS-31: the personal data a record may hold, per subject type
PERSON_FIELDS = frozenset(
    {
        "surname",
        "forenames",
        "maiden_name",
        "former_names",
        "aliases",
        "date_of_birth",
        "place_of_birth",
        "nationality",
        "sex",
        "address",
    }
)
BUSINESS_FIELDS = frozenset(
    {
        "business_name",
        "trade_name",
        "registered_office",
        "vat_number",
        "excise_number",
        "address",
    }
)
FIELDS = {"person": PERSON_FIELDS, "business": BUSINESS_FIELDS}
REQUIRED = {"person": "surname", "business": "business_name"}
LIST_FIELDS = frozenset({"former_names", "aliases"})
SEXES = frozenset({"female", "male", "other", "unknown"})

#: CIS-34: the query keys, per subject type
PERSON_KEYS = (
    "forenames",
    "surname",
    "maiden_name",
    "former_name",
    "alias",
    "date_of_birth",
)
BUSINESS_KEYS = ("business_name", "trade_name", "vat_number", "excise_number", "address")
QUERY_KEYS = {"person": PERSON_KEYS, "business": BUSINESS_KEYS}

_MAX_TEXT = 200
_MAX_ADDRESS = 500
_MAX_LIST = 20


def name_key(value: str) -> str:
    """A name as FIDE compares it: normalised, words in alphabetical order."""
    return " ".join(sorted(normalise(value).split()))


def number_key(value: str) -> str:
    """A VAT or excise number without separators or case: "NL 8512.34 B01" is "nl851234b01"."""
    return normalise(value).replace(" ", "")


def _key_of(kind: str) -> Callable[[str], str]:
    if kind in ("vat_number", "excise_number"):
        return number_key
    if kind == "address":
        return normalise
    if kind == "date_of_birth":
        return _iso_date
    return name_key


def _iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationFailed(f"CIS-34: date of birth {value!r} is not YYYY-MM-DD") from None


def check_subject(subject_type: str, subject: Any) -> dict[str, Any]:
    """The subject's personal data, cleaned, or a refusal naming CIS-31 and the field."""
    if subject_type not in SUBJECT_TYPES:
        raise ValidationFailed(
            f"CIS-29: a FIDE record concerns a person or a business, not {subject_type!r}"
        )
    if not isinstance(subject, dict):
        raise ValidationFailed("CIS-31: 'subject' is an object of personal data fields")
    allowed = FIELDS[subject_type]
    extra = sorted(set(subject) - allowed)
    if extra:
        raise ValidationFailed(
            f"CIS-31: a FIDE record of a {subject_type} holds only {sorted(allowed)}; "
            f"refused: {extra}"
        )
    out: dict[str, Any] = {}
    for field, value in subject.items():
        if value is None or value == [] or value == "":
            continue
        if field in LIST_FIELDS:
            out[field] = _text_list(field, value)
        else:
            out[field] = _field(field, value)
    required = REQUIRED[subject_type]
    if required not in out:
        raise ValidationFailed(f"CIS-31: a FIDE record of a {subject_type} names its {required}")
    return out


def _field(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(f"CIS-31: {field} is text")
    text = value.strip()
    limit = _MAX_ADDRESS if field in ("address", "registered_office") else _MAX_TEXT
    if len(text) > limit:
        raise ValidationFailed(f"CIS-31: {field} is longer than {limit} characters")
    if field == "date_of_birth":
        try:
            born = date.fromisoformat(text)
        except ValueError:
            raise ValidationFailed(f"CIS-31: date_of_birth {text!r} is not YYYY-MM-DD") from None
        if born > date.today():
            raise ValidationFailed("CIS-31: date_of_birth lies in the future")
        return born.isoformat()
    if field == "nationality":
        if not is_country(text.upper()):
            raise ValidationFailed(f"CIS-31: nationality {text!r} is not an ISO 3166 code")
        return text.upper()
    if field == "sex":
        if text.lower() not in SEXES:
            raise ValidationFailed(f"CIS-31: sex is one of {sorted(SEXES)}")
        return text.lower()
    if field in _KEYED and not normalise(text):
        raise ValidationFailed(f"CIS-31: {field} {text!r} has no letters or digits")
    return text


def _text_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"CIS-31: {field} is a list of names")
    if len(value) > _MAX_LIST:
        raise ValidationFailed(f"CIS-31: at most {_MAX_LIST} {field}")
    return [_field(field, v) for v in value if v.strip()]


#: record field -> query key kind (CIS-34); a business's registered office is an address
_INDEX = {
    "person": {
        "forenames": "forenames",
        "surname": "surname",
        "maiden_name": "maiden_name",
        "former_names": "former_name",
        "aliases": "alias",
        "date_of_birth": "date_of_birth",
    },
    "business": {
        "business_name": "business_name",
        "trade_name": "trade_name",
        "vat_number": "vat_number",
        "excise_number": "excise_number",
        "address": "address",
        "registered_office": "address",
    },
}
_KEYED = frozenset(f for fields in _INDEX.values() for f in fields)


def index_keys(subject_type: str, subject: dict[str, Any]) -> set[tuple[str, str]]:
    """The (kind, normalised value) pairs a query can find this subject by (CIS-34)."""
    out: set[tuple[str, str]] = set()
    for field, kind in _INDEX[subject_type].items():
        value = subject.get(field)
        values = value if isinstance(value, list) else [value] if value else []
        for v in values:
            key = _key_of(kind)(v)
            if key:
                out.add((kind, key))
    return out


def identity(subject_type: str, subject: dict[str, Any]) -> str:
    """What makes two entries of one supplier the same subject (CIS-30), unblinded.

    A person: full name (forenames and surname, word order aside) and date of birth. A
    business: its VAT number, else its excise number, else its business name."""
    if subject_type == "person":
        name = name_key(f"{subject.get('forenames', '')} {subject['surname']}")
        return f"person:{name}:{subject.get('date_of_birth', '')}"
    for field in ("vat_number", "excise_number"):
        if subject.get(field):
            return f"{field}:{number_key(subject[field])}"
    return f"business_name:{name_key(subject['business_name'])}"


def query_keys(keys: Any) -> tuple[str, dict[str, str]]:
    """A query's subject type and its (kind -> normalised value) keys, or a refusal
    naming CIS-34 for a key the Decision does not allow."""
    if not isinstance(keys, dict) or not keys:
        raise ValidationFailed(
            f"CIS-34: a FIDE query names at least one key: persons {list(PERSON_KEYS)}, "
            f"businesses {list(BUSINESS_KEYS)}"
        )
    given = {k: v for k, v in keys.items() if k != "subject_type"}
    declared = keys.get("subject_type")
    kinds = [t for t in SUBJECT_TYPES if set(given) <= set(QUERY_KEYS[t])]
    if not given or not kinds:
        allowed = set(PERSON_KEYS) | set(BUSINESS_KEYS)
        bad = sorted(set(given) - allowed) or sorted(given)
        raise ValidationFailed(
            f"CIS-34: a FIDE query uses only these keys: persons {list(PERSON_KEYS)}, "
            f"businesses {list(BUSINESS_KEYS)} (one subject type at a time); refused: {bad}"
        )
    if declared is not None and declared not in kinds:
        raise ValidationFailed(
            f"CIS-34: keys {sorted(given)} are not keys of a {declared!r} "
            f"(allowed: {list(QUERY_KEYS.get(str(declared), ()))})"
        )
    subject_type = declared if declared is not None else kinds[0]
    out: dict[str, str] = {}
    for kind, value in given.items():
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(f"CIS-34: key {kind} is a non-empty text")
        if len(value) > _MAX_ADDRESS:
            raise ValidationFailed(f"CIS-34: key {kind} is longer than {_MAX_ADDRESS} characters")
        key = _key_of(kind)(value)
        if not key:
            raise ValidationFailed(f"CIS-34: key {kind} {value!r} has no letters or digits")
        out[kind] = key
    return str(subject_type), out
