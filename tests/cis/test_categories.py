"""What an alert may hold (``tollgate.cis.categories.check_alert``): the seven categories
(CIS-2), the closed personal-field schemas (CIS-3..CIS-7), the four suggested actions
(CIS-8) and the justification personal data need (CIS-9). Pure: no database.

Every refusal is a ``ValidationFailed`` whose message starts with the rule id and whose
details name the rule of each problem found.
"""

from __future__ import annotations

from typing import Any

import pytest

from tollgate.cis.categories import (
    CIS_4_FIELDS,
    CIS_5_FIELDS,
    CIS_6_FIELDS,
    SPECIAL_CATEGORIES,
    Action,
    Category,
    check_alert,
)
from tollgate.errors import ValidationFailed

JUSTIFICATION = "Convicted in 2021 of cigarette smuggling; seen loading again in May."
REASON = "Repeated undervaluation of tobacco shipments"

#: a minimal valid subject per category
SUBJECTS: dict[Category, dict[str, Any]] = {
    Category.COMMODITIES: {"commodity_codes": ["240220"], "description": "cigarettes"},
    Category.MEANS_OF_TRANSPORT: {"registrations": ["NL-12-AB"], "transport_mode": "road"},
    Category.BUSINESSES: {"business_name": "Tabak Trading BV"},
    Category.PERSONS: {"description": "courier"},
    Category.FRAUD_TRENDS: {"description": "split consignments", "routes": ["CN-NL"]},
    Category.EXPERTISE: {"field_of_expertise": "tobacco analysis"},
    Category.RETAINED_ITEMS: {"description": "cigarettes", "quantity": 2000, "measure": "pcs"},
}
NAME = {"surname": "Vandermeulen", "forenames": "Ottoline"}

CATEGORIES_A_TO_D = [
    Category.COMMODITIES,
    Category.MEANS_OF_TRANSPORT,
    Category.BUSINESSES,
    Category.PERSONS,
]


def refusal(
    category: str = "persons",
    action: str = "sighting_and_reporting",
    subject: dict[str, Any] | None = None,
    person: dict[str, Any] | None = None,
    justification: str | None = JUSTIFICATION,
    reason: str | None = REASON,
) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        check_alert(category, action, subject or {}, person, justification, reason)
    return caught.value


def rules(error: ValidationFailed) -> dict[str, str]:
    """field -> rule of every problem the error lists."""
    return {d["field"]: d["rule"] for d in error.details}


# --- CIS-2: the seven categories of the central database -------------------------------


def test_cis_2_the_central_database_has_exactly_seven_categories() -> None:
    assert {c.value for c in Category} == {
        "commodities",
        "means_of_transport",
        "businesses",
        "persons",
        "fraud_trends",
        "expertise",
        "retained_items",
    }


@pytest.mark.parametrize("category", list(Category))
def test_cis_2_accepts_an_alert_of_each_category(category: Category) -> None:
    person = NAME if category is Category.PERSONS else None
    cat, act, subject, clean_person = check_alert(
        category.value, "discreet_surveillance", SUBJECTS[category], person, JUSTIFICATION, REASON
    )
    assert cat is category
    assert act is Action.DISCREET_SURVEILLANCE
    assert subject == SUBJECTS[category]
    assert clean_person == person


def test_cis_2_rejects_an_unknown_category() -> None:
    error = refusal(category="weapons")
    assert error.message.startswith("CIS-2:")
    assert rules(error) == {"category": "CIS-2"}


def test_cis_2_rejects_a_subject_field_the_category_does_not_have() -> None:
    error = refusal(category="commodities", subject={"eori": "NL123456789"})
    assert error.message.startswith("CIS-2: subject.eori")
    assert rules(error) == {"subject.eori": "CIS-2"}


def test_cis_2_a_person_alert_names_a_person() -> None:
    error = refusal(category="persons", subject={"description": "courier"}, person=None)
    assert error.message.startswith("CIS-2: person")
    assert rules(error) == {"person": "CIS-2"}


def test_cis_2_a_business_alert_names_the_business_or_one_of_its_identifiers() -> None:
    error = refusal(category="businesses", subject={"description": "a shell company"})
    assert error.message.startswith("CIS-2: subject")
    for identifier in ("business_name", "eori", "vat_number", "excise_number"):
        check_alert("businesses", "operational_analysis", {identifier: "X1"}, None, None, REASON)


def test_cis_2_values_are_texts_of_bounded_length() -> None:
    error = refusal(person={**NAME, "address": "x" * 501})
    assert rules(error) == {"person.address": "CIS-2"}
    error = refusal(category="commodities", subject={"commodity_codes": [240220]})
    assert rules(error) == {"subject.commodity_codes": "CIS-2"}


def test_cis_2_values_are_cleaned_and_empty_ones_dropped() -> None:
    _, _, subject, person = check_alert(
        "persons",
        "sighting_and_reporting",
        {"description": "  courier  "},
        {**NAME, "aliases": " Otto ", "maiden_name": "", "nationality": None, "sex": " F "},
        JUSTIFICATION,
        REASON,
    )
    assert subject == {"description": "courier"}
    assert person == {**NAME, "aliases": ["Otto"], "sex": "F"}


# --- CIS-3: fraud trends hold no personal data -----------------------------------------


@pytest.mark.parametrize("field", ["surname", "forenames", "date_of_birth", "address"])
def test_cis_3_fraud_trends_refuse_any_personal_field(field: str) -> None:
    error = refusal(
        category="fraud_trends",
        subject=SUBJECTS[Category.FRAUD_TRENDS],
        person={field: "Vandermeulen"},
    )
    assert error.message.startswith(f"CIS-3: person.{field}")
    assert "never contain personal data" in error.message
    assert rules(error) == {f"person.{field}": "CIS-3"}


def test_cis_3_fraud_trends_refuse_personal_fields_smuggled_into_the_subject() -> None:
    error = refusal(
        category="fraud_trends",
        subject={"description": "split consignments", "surname": "Vandermeulen"},
    )
    assert error.message.startswith("CIS-3: subject.surname")
    assert rules(error) == {"subject.surname": "CIS-3"}


def test_cis_3_a_fraud_trend_without_personal_data_needs_no_justification() -> None:
    _, _, subject, person = check_alert(
        "fraud_trends",
        "operational_analysis",
        {"modus_operandi": "undervaluation", "commodity_codes": "240220"},
        None,
        None,
        REASON,
    )
    assert person is None
    assert subject == {"modus_operandi": "undervaluation", "commodity_codes": ["240220"]}


# --- CIS-4: personal data in categories (a)-(d) ----------------------------------------


def test_cis_4_lists_exactly_the_fields_of_the_decision() -> None:
    assert {
        "surname",
        "maiden_name",
        "forenames",
        "former_surnames",
        "aliases",
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
    } == CIS_4_FIELDS


@pytest.mark.parametrize("category", CATEGORIES_A_TO_D)
def test_cis_4_accepts_every_personal_field_the_decision_lists(category: Category) -> None:
    full = {
        "surname": "Vandermeulen",
        "maiden_name": "Jansen",
        "forenames": "Ottoline",
        "former_surnames": ["De Vries"],
        "aliases": ["Otto", "The Dutchess"],
        "date_of_birth": "1979-03-02",
        "place_of_birth": "Utrecht",
        "nationality": "NL",
        "sex": "F",
        "identity_document_kind": "passport",
        "identity_document_number": "NX1234567",
        "identity_document_place_of_issue": "Utrecht",
        "identity_document_date_of_issue": "2019-06-01",
        "address": "Oudegracht 1, Utrecht",
        "physical_characteristics": "scar on left hand",
        "warning": ["armed", "escaped"],
        "registration_number": "NL-12-AB",
    }
    assert set(full) == CIS_4_FIELDS
    _, _, _, person = check_alert(
        category.value, "specific_checks", SUBJECTS[category], full, JUSTIFICATION, REASON
    )
    assert person == full


@pytest.mark.parametrize("category", CATEGORIES_A_TO_D)
@pytest.mark.parametrize("field", ["email", "phone_number", "occupation", "father_name"])
def test_cis_4_rejects_a_personal_field_the_decision_does_not_list(
    category: Category, field: str
) -> None:
    error = refusal(
        category=category.value, subject=SUBJECTS[category], person={**NAME, field: "x"}
    )
    assert error.message.startswith(f"CIS-4: person.{field}")
    assert rules(error) == {f"person.{field}": "CIS-4"}


def test_cis_4_field_names_are_matched_exactly() -> None:
    error = refusal(person={"Surname": "Vandermeulen", "forenames": "Ottoline"})
    assert rules(error) == {"person.Surname": "CIS-4"}


def test_cis_4_warnings_are_armed_violent_or_escaped() -> None:
    _, _, _, person = check_alert(
        "persons", "specific_checks", {}, {**NAME, "warning": "violent"}, JUSTIFICATION, REASON
    )
    assert person is not None and person["warning"] == ["violent"]
    error = refusal(person={**NAME, "warning": ["armed", "dangerous"]})
    assert error.message.startswith("CIS-4: person.warning")
    assert rules(error) == {"person.warning": "CIS-4"}


def test_cis_4_identity_documents_are_passport_identity_card_or_driving_licence() -> None:
    for kind in ("passport", "identity_card", "driving_licence"):
        check_alert(
            "persons",
            "specific_checks",
            {},
            {**NAME, "identity_document_kind": kind},
            JUSTIFICATION,
            REASON,
        )
    error = refusal(person={**NAME, "identity_document_kind": "library_card"})
    assert rules(error) == {"person.identity_document_kind": "CIS-4"}


def test_cis_4_dates_are_iso_dates() -> None:
    error = refusal(person={**NAME, "date_of_birth": "02/03/1979"})
    assert error.message.startswith("CIS-4: person.date_of_birth")
    _, _, _, person = check_alert(
        "persons",
        "specific_checks",
        {},
        {**NAME, "date_of_birth": "19790302"},
        JUSTIFICATION,
        REASON,
    )
    assert person is not None and person["date_of_birth"] == "1979-03-02"


def test_cis_4_personal_data_name_the_person() -> None:
    error = refusal(person={"nationality": "NL", "sex": "M"})
    assert error.message.startswith("CIS-4: person.surname")
    for naming in ({"surname": "Vandermeulen"}, {"forenames": "Otto"}, {"aliases": ["Otto"]}):
        check_alert("persons", "specific_checks", {}, naming, JUSTIFICATION, REASON)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_cis_4_the_reason_for_the_entry_is_required(reason: str | None) -> None:
    error = refusal(category="commodities", subject=SUBJECTS[Category.COMMODITIES], reason=reason)
    assert error.message.startswith("CIS-4: reason")
    assert rules(error) == {"reason": "CIS-4"}


# --- CIS-5: an expert's surname and forenames only -------------------------------------


def test_cis_5_expertise_keeps_the_experts_surname_and_forenames() -> None:
    assert frozenset({"surname", "forenames"}) == CIS_5_FIELDS
    _, _, _, person = check_alert(
        "expertise",
        "operational_analysis",
        SUBJECTS[Category.EXPERTISE],
        NAME,
        JUSTIFICATION,
        REASON,
    )
    assert person == NAME


@pytest.mark.parametrize(
    "field", ["date_of_birth", "nationality", "address", "aliases", "maiden_name"]
)
def test_cis_5_expertise_refuses_any_other_personal_field(field: str) -> None:
    error = refusal(
        category="expertise", subject=SUBJECTS[Category.EXPERTISE], person={**NAME, field: "x"}
    )
    assert error.message.startswith(f"CIS-5: person.{field}")
    assert rules(error) == {f"person.{field}": "CIS-5"}


# --- CIS-6: retained, seized or confiscated items --------------------------------------


def test_cis_6_retained_items_keep_names_birth_nationality_sex_and_address() -> None:
    person = {
        **NAME,
        "maiden_name": "Jansen",
        "former_surnames": ["De Vries"],
        "aliases": ["Otto"],
        "date_of_birth": "1979-03-02",
        "place_of_birth": "Utrecht",
        "nationality": "NL",
        "sex": "F",
        "address": "Oudegracht 1, Utrecht",
    }
    assert set(person) == CIS_6_FIELDS
    _, _, _, clean = check_alert(
        "retained_items",
        "sighting_and_reporting",
        SUBJECTS[Category.RETAINED_ITEMS],
        person,
        JUSTIFICATION,
        REASON,
    )
    assert clean == person


@pytest.mark.parametrize(
    "field",
    [
        "identity_document_number",
        "physical_characteristics",
        "warning",
        "registration_number",
        "email",
    ],
)
def test_cis_6_retained_items_refuse_any_other_personal_field(field: str) -> None:
    error = refusal(
        category="retained_items",
        subject=SUBJECTS[Category.RETAINED_ITEMS],
        person={**NAME, field: "armed"},
    )
    assert error.message.startswith(f"CIS-6: person.{field}")
    assert rules(error) == {f"person.{field}": "CIS-6"}


# --- CIS-7: special categories of personal data are never stored ----------------------


@pytest.mark.parametrize("category", list(Category))
@pytest.mark.parametrize(
    "field", ["racial_origin", "political_opinions", "religion", "health", "sex_life"]
)
def test_cis_7_refuses_special_categories_as_personal_fields_in_every_category(
    category: Category, field: str
) -> None:
    error = refusal(
        category=category.value, subject=SUBJECTS[category], person={**NAME, field: "x"}
    )
    assert rules(error)[f"person.{field}"] == "CIS-7"
    if category is not Category.FRAUD_TRENDS:  # there, the names are refused first (CIS-3)
        assert error.message.startswith(f"CIS-7: person.{field}")
    assert "special categories" in str(error.details)


@pytest.mark.parametrize("category", list(Category))
@pytest.mark.parametrize("field", ["criminal_convictions", "Religion", "ETHNIC_ORIGIN"])
def test_cis_7_refuses_special_categories_in_the_subject_whatever_their_case(
    category: Category, field: str
) -> None:
    error = refusal(category=category.value, subject={**SUBJECTS[category], field: "x"})
    assert error.message.startswith(f"CIS-7: subject.{field}")
    assert "special categories of personal data are never stored" in error.message


def test_cis_7_every_listed_special_category_is_refused_by_name() -> None:
    for field in sorted(SPECIAL_CATEGORIES):
        error = refusal(person={**NAME, field: "x"})
        assert rules(error) == {f"person.{field}": "CIS-7"}, field


# --- CIS-8: one of four suggested actions ----------------------------------------------


def test_cis_8_there_are_exactly_four_suggested_actions() -> None:
    assert {a.value for a in Action} == {
        "sighting_and_reporting",
        "discreet_surveillance",
        "specific_checks",
        "operational_analysis",
    }


@pytest.mark.parametrize("action", list(Action))
def test_cis_8_accepts_each_suggested_action(action: Action) -> None:
    _, act, _, _ = check_alert(
        "commodities", action.value, SUBJECTS[Category.COMMODITIES], None, None, REASON
    )
    assert act is action


def test_cis_8_refuses_an_alert_without_a_suggested_action() -> None:
    error = refusal(category="commodities", action="", subject=SUBJECTS[Category.COMMODITIES])
    assert error.message == "CIS-8: an alert needs a suggested action"
    assert rules(error) == {"action": "CIS-8"}


@pytest.mark.parametrize("action", ["arrest", "SPECIFIC_CHECKS", "seize"])
def test_cis_8_refuses_an_action_outside_the_four(action: str) -> None:
    error = refusal(category="commodities", action=action, subject=SUBJECTS[Category.COMMODITIES])
    assert error.message.startswith("CIS-8:")
    assert rules(error) == {"action": "CIS-8"}


# --- CIS-9: personal data need a recorded justification --------------------------------


@pytest.mark.parametrize("justification", [None, "", "suspicious", " " * 30, "x" * 19])
def test_cis_9_refuses_personal_data_without_a_justification_of_real_indications(
    justification: str | None,
) -> None:
    error = refusal(person=NAME, justification=justification)
    assert error.message.startswith("CIS-9: justification")
    assert rules(error) == {"justification": "CIS-9"}


@pytest.mark.parametrize(
    "category", [Category.COMMODITIES, Category.EXPERTISE, Category.RETAINED_ITEMS]
)
def test_cis_9_applies_to_personal_data_in_any_category(category: Category) -> None:
    error = refusal(
        category=category.value, subject=SUBJECTS[category], person=NAME, justification=None
    )
    assert rules(error) == {"justification": "CIS-9"}


def test_cis_9_a_justification_of_twenty_characters_is_accepted() -> None:
    _, _, _, person = check_alert(
        "persons", "discreet_surveillance", {}, NAME, "  " + "x" * 20 + "  ", REASON
    )
    assert person == NAME


def test_cis_9_no_justification_is_needed_without_personal_data() -> None:
    _, _, _, person = check_alert(
        "commodities", "specific_checks", SUBJECTS[Category.COMMODITIES], {}, None, REASON
    )
    assert person is None


def test_cis_9_every_problem_is_listed_with_its_rule() -> None:
    error = refusal(
        category="persons",
        subject={"eori": "NL1"},
        person={**NAME, "email": "o@example.org", "health": "x"},
        justification=None,
        reason="",
    )
    assert rules(error) == {
        "reason": "CIS-4",
        "subject.eori": "CIS-2",
        "person.email": "CIS-4",
        "person.health": "CIS-7",
        "justification": "CIS-9",
    }
    assert error.message.startswith("CIS-4: reason")
