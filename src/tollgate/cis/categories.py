"""What an alert may hold: its category (CIS-2), its suggested action (CIS-8) and, per
category, exactly the personal fields the Decision allows (CIS-3..CIS-7).

The schemas are closed: a field the Decision does not name is refused, not ignored, and
the error names the rule that refuses it. Personal data need a recorded justification
(CIS-9). Special categories of personal data (CIS-7) are refused by name before anything
else so the error says why, not only that the field is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from tollgate.errors import ValidationFailed


class Category(StrEnum):
    """The seven data categories of the central database (CIS-2)."""

    COMMODITIES = "commodities"
    MEANS_OF_TRANSPORT = "means_of_transport"
    BUSINESSES = "businesses"
    PERSONS = "persons"
    FRAUD_TRENDS = "fraud_trends"
    EXPERTISE = "expertise"
    RETAINED_ITEMS = "retained_items"


class Action(StrEnum):
    """The four suggested actions an alert is entered for (CIS-8)."""

    SIGHTING_AND_REPORTING = "sighting_and_reporting"
    DISCREET_SURVEILLANCE = "discreet_surveillance"
    SPECIFIC_CHECKS = "specific_checks"
    OPERATIONAL_ANALYSIS = "operational_analysis"


NAME_FIELDS = ("surname", "maiden_name", "forenames", "former_surnames", "aliases")
"""Name fields; lists (former surnames, aliases) hold several names."""

#: CIS-4: the personal fields allowed in categories (a)-(d)
CIS_4_FIELDS = frozenset(
    {
        *NAME_FIELDS,
        "date_of_birth",
        "place_of_birth",
        "nationality",
        "sex",
        "identity_document_kind",
        "identity_document_number",
        "identity_document_place_of_issue",
        "identity_document_date_of_issue",
        "address",
        "physical_characteristics",
        "warning",
        "registration_number",
    }
)
#: CIS-5: an expert's surname and forenames only
CIS_5_FIELDS = frozenset({"surname", "forenames"})
#: CIS-6: retained, seized or confiscated items
CIS_6_FIELDS = frozenset(
    {*NAME_FIELDS, "date_of_birth", "place_of_birth", "nationality", "sex", "address"}
)

PERSONAL_FIELDS: dict[Category, tuple[str, frozenset[str]]] = {
    Category.COMMODITIES: ("CIS-4", CIS_4_FIELDS),
    Category.MEANS_OF_TRANSPORT: ("CIS-4", CIS_4_FIELDS),
    Category.BUSINESSES: ("CIS-4", CIS_4_FIELDS),
    Category.PERSONS: ("CIS-4", CIS_4_FIELDS),
    Category.FRAUD_TRENDS: ("CIS-3", frozenset()),
    Category.EXPERTISE: ("CIS-5", CIS_5_FIELDS),
    Category.RETAINED_ITEMS: ("CIS-6", CIS_6_FIELDS),
}

#: the non-personal description of what the alert is about, per category
SUBJECT_FIELDS: dict[Category, frozenset[str]] = {
    Category.COMMODITIES: frozenset({"commodity_codes", "description", "origin_countries"}),
    Category.MEANS_OF_TRANSPORT: frozenset(
        {"registrations", "containers", "transport_mode", "description"}
    ),
    Category.BUSINESSES: frozenset(
        {
            "business_name",
            "trade_name",
            "eori",
            "vat_number",
            "excise_number",
            "registered_office",
            "description",
        }
    ),
    Category.PERSONS: frozenset({"description"}),
    Category.FRAUD_TRENDS: frozenset(
        {"description", "commodity_codes", "routes", "modus_operandi"}
    ),
    Category.EXPERTISE: frozenset({"field_of_expertise", "contact", "languages"}),
    Category.RETAINED_ITEMS: frozenset(
        {"description", "commodity_codes", "quantity", "measure", "place", "date"}
    ),
}
LIST_FIELDS = frozenset(
    {
        "former_surnames",
        "aliases",
        "commodity_codes",
        "origin_countries",
        "registrations",
        "containers",
        "routes",
        "languages",
        "warning",
    }
)
WARNINGS = frozenset({"armed", "violent", "escaped"})
IDENTITY_DOCUMENTS = frozenset({"passport", "identity_card", "driving_licence"})

#: CIS-7: special categories of personal data, never stored whatever the category
SPECIAL_CATEGORIES = frozenset(
    {
        "race",
        "racial_origin",
        "ethnic_origin",
        "ethnicity",
        "political_opinion",
        "political_opinions",
        "religion",
        "religious_beliefs",
        "beliefs",
        "health",
        "medical",
        "sex_life",
        "sexual_orientation",
        "criminal_convictions",
        "convictions",
    }
)


def check_alert(
    category: str,
    action: str,
    subject: Mapping[str, Any],
    person: Mapping[str, Any] | None,
    justification: str | None,
    reason: str | None,
) -> tuple[Category, Action, dict[str, Any], dict[str, Any] | None]:
    """The alert's parts, checked and cleaned; every refusal names its rule.

    Returns category, action, the non-personal subject and the personal fields (None when
    the alert holds no personal data).
    """
    problems: list[dict[str, Any]] = []
    try:
        cat = Category(category)
    except ValueError:
        raise ValidationFailed(
            f"CIS-2: category {category!r} is not one of {[c.value for c in Category]}",
            details=[{"field": "category", "rule": "CIS-2", "message": "unknown category"}],
        ) from None
    if not action:
        raise ValidationFailed(
            "CIS-8: an alert needs a suggested action",
            details=[{"field": "action", "rule": "CIS-8", "message": "missing"}],
        )
    try:
        act = Action(action)
    except ValueError:
        raise ValidationFailed(
            f"CIS-8: suggested action {action!r} is not one of {[a.value for a in Action]}",
            details=[{"field": "action", "rule": "CIS-8", "message": "unknown action"}],
        ) from None
    if not isinstance(reason, str) or not reason.strip():
        problems.append(
            {"field": "reason", "rule": "CIS-4", "message": "the reason for the entry is required"}
        )
    clean_subject = _subject(cat, subject, problems)
    clean_person = _person(cat, person, problems) if person else None
    if clean_person and not (isinstance(justification, str) and len(justification.strip()) >= 20):
        problems.append(
            {
                "field": "justification",
                "rule": "CIS-9",
                "message": "personal data need a recorded justification of real indications "
                "of a serious contravention (at least 20 characters)",
            }
        )
    if cat is Category.PERSONS and not clean_person:
        problems.append(
            {"field": "person", "rule": "CIS-2", "message": "a person alert names a person"}
        )
    if cat is Category.BUSINESSES and not (
        clean_subject.get("business_name")
        or clean_subject.get("eori")
        or clean_subject.get("vat_number")
        or clean_subject.get("excise_number")
    ):
        problems.append(
            {
                "field": "subject",
                "rule": "CIS-2",
                "message": "a business alert names the business or one of its identifiers",
            }
        )
    if problems:
        first = problems[0]
        raise ValidationFailed(
            f"{first['rule']}: {first['field']}: {first['message']}", details=problems
        )
    return cat, act, clean_subject, clean_person


def _subject(
    cat: Category, data: Mapping[str, Any], problems: list[dict[str, Any]]
) -> dict[str, Any]:
    allowed = SUBJECT_FIELDS[cat]
    out: dict[str, Any] = {}
    for key, value in data.items():
        where = f"subject.{key}"
        if key.lower() in SPECIAL_CATEGORIES:
            problems.append(_special(where))
        elif key not in allowed:
            problems.append(
                {
                    "field": where,
                    "rule": "CIS-3" if cat is Category.FRAUD_TRENDS else "CIS-2",
                    "message": f"not a field of a {cat.value} alert; allowed: {sorted(allowed)}",
                }
            )
        elif value not in (None, "", []):
            out[key] = _value(key, value, where, problems)
    return out


def _person(
    cat: Category, data: Mapping[str, Any], problems: list[dict[str, Any]]
) -> dict[str, Any]:
    rule, allowed = PERSONAL_FIELDS[cat]
    out: dict[str, Any] = {}
    for key, value in data.items():
        where = f"person.{key}"
        if key.lower() in SPECIAL_CATEGORIES:
            problems.append(_special(where))
        elif key not in allowed:
            why = (
                "fraud trends never contain personal data"
                if cat is Category.FRAUD_TRENDS
                else f"personal field not allowed in a {cat.value} alert; allowed: "
                f"{sorted(allowed)}"
            )
            problems.append({"field": where, "rule": rule, "message": why})
        elif value not in (None, "", []):
            out[key] = _value(key, value, where, problems)
    if out and not (out.get("surname") or out.get("forenames") or out.get("aliases")):
        problems.append(
            {"field": "person.surname", "rule": rule, "message": "personal data name the person"}
        )
    return out


def _special(where: str) -> dict[str, Any]:
    return {
        "field": where,
        "rule": "CIS-7",
        "message": "special categories of personal data are never stored",
    }


def _value(key: str, value: Any, where: str, problems: list[dict[str, Any]]) -> Any:
    if key in LIST_FIELDS:
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and v.strip() for v in items):
            problems.append({"field": where, "rule": "CIS-2", "message": "a list of texts"})
            return []
        cleaned = [v.strip() for v in items]
        if key == "warning" and not set(cleaned) <= WARNINGS:
            problems.append(
                {"field": where, "rule": "CIS-4", "message": f"warnings are {sorted(WARNINGS)}"}
            )
        return cleaned
    if key in ("date_of_birth", "identity_document_date_of_issue", "date"):
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            problems.append({"field": where, "rule": "CIS-4", "message": "an ISO date"})
            return None
    if key == "identity_document_kind" and (
        not isinstance(value, str) or value not in IDENTITY_DOCUMENTS
    ):
        problems.append(
            {
                "field": where,
                "rule": "CIS-4",
                "message": f"identity documents are {sorted(IDENTITY_DOCUMENTS)}",
            }
        )
    if key == "quantity" and isinstance(value, int | float):
        return value
    if not isinstance(value, str) or len(value) > 500:
        problems.append({"field": where, "rule": "CIS-2", "message": "a text of ≤ 500 characters"})
        return None
    return value.strip()
