"""FIDE, the files identification database (CIS-26..CIS-38, CIS-47, CIS-50): the service
on SQLite and PostgreSQL. API and command-line tests are in ``test_fide_api.py``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from cis.conftest import CisWorld
from tollgate.audit.tables import AuditEntry
from tollgate.authorities import service as authorities
from tollgate.authorities.service import SYSTEM, authenticate
from tollgate.cis.access import CisUser
from tollgate.cis.tables import CisQuery
from tollgate.db import Base
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from tollgate.fide import contraventions, service
from tollgate.fide.retention import add_years, expires_on, purge_expired
from tollgate.fide.tables import FideContravention, FideKey, FideRecord
from tollgate.tables import metadata

NL_LIST = [
    {"code": "AWR-10", "description": "smuggling of excise goods", "max_imprisonment_months": 48},
    {"code": "AWR-11", "description": "customs fraud", "max_fine_eur": 87_000},
]
DE_LIST = [{"code": "AO-370", "description": "tax evasion", "max_imprisonment_months": 60}]
FIDE_TABLES = ("fide_contraventions", "fide_records", "fide_keys")


def person(**over: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "subject_type": "person",
        "subject": {
            "surname": "Jansen",
            "forenames": "Pieter Jan",
            "maiden_name": "De Vries",
            "former_names": ["Smit"],
            "aliases": ["Piet the Fox"],
            "date_of_birth": "1970-05-01",
            "place_of_birth": "Utrecht",
            "nationality": "NL",
            "sex": "male",
            "address": "Keizersgracht 1, Amsterdam",
        },
        "reason": "suspected",
        "field": "cigarette smuggling",
        "contravention": "AWR-10",
        "contact": "fiod-fide@example.nl",
        "file_number": "F-2020-001",
    }
    entry.update(over)
    return entry


def business(**over: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "subject_type": "business",
        "subject": {
            "business_name": "Noordzee Handel B.V.",
            "trade_name": "NZH",
            "registered_office": "Havenstraat 5, Rotterdam",
            "vat_number": "NL 8512.34.567.B01",
            "excise_number": "NL00000123ABC",
            "address": "Loods 7, Maasvlakte",
        },
        "reason": "contravention_established",
        "field": "excise fraud",
        "contravention": "AWR-11",
        "contact": "fiod-fide@example.nl",
        "file_number": "F-2020-002",
    }
    entry.update(over)
    return entry


@contextmanager
def tx(world: CisWorld) -> Iterator[Session]:
    with world.factory() as session, session.begin():
        yield session


def user(
    session: Session, world: CisWorld, name: str, purpose: str | None = "investigation", **kw: Any
) -> CisUser:
    return service.clear(session, authenticate(session, world.tokens[name]), purpose, **kw)


@pytest.fixture
def fide(cis_world: CisWorld) -> CisWorld:
    """The CIS world with NL's and DE's published lists of serious contraventions."""
    with tx(cis_world) as s:
        contraventions.publish(s, actor=SYSTEM, authority_code="NL", items=NL_LIST)
        contraventions.publish(s, actor=SYSTEM, authority_code="DE", items=DE_LIST)
    return cis_world


def enter(world: CisWorld, name: str, entry: Any, today: date | None = None) -> service.RecordView:
    with tx(world) as s:
        view = service.enter(
            s, world.vault, user(s, world, name, entering=True), entry, today=today
        )
    assert view is not None
    return view


def query(world: CisWorld, name: str, keys: Any, today: date | None = None) -> list[service.Match]:
    with tx(world) as s:
        return service.query(s, world.vault, user(s, world, name), keys, today=today)


def count(world: CisWorld, table: type[Base]) -> int:
    with tx(world) as s:
        return int(s.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


# CIS-26, CIS-30: a separate store, nothing that links


def test_cis_26_fide_tables_have_no_key_out_of_fide() -> None:
    for name in FIDE_TABLES:
        table = metadata.tables[name]
        for fk in table.foreign_keys:
            # the only key: a record's own index rows point at the record
            assert (name, fk.parent.name, fk.column.table.name) == (
                "fide_keys",
                "record_id",
                "fide_records",
            )
    for name, table in metadata.tables.items():
        if name not in FIDE_TABLES:
            assert not [fk for fk in table.foreign_keys if fk.column.table.name in FIDE_TABLES]


def test_cis_30_no_record_refers_to_another_record_alert_or_declaration() -> None:
    records = metadata.tables["fide_records"]
    assert not records.foreign_keys
    suspicious = ("_id", "link", "alert", "declaration", "filing", "parent", "related", "ref")
    assert [c.name for c in records.columns if any(w in c.name for w in suspicious)] == []
    # the migrated database agrees with the model
    assert {c.name for c in records.columns} >= {"authority", "sealed", "file_number"}


def test_cis_26_migrated_database_has_no_foreign_key_out_of_fide(fide: CisWorld) -> None:
    with tx(fide) as s:
        inspector = sa.inspect(s.connection())
        for name in FIDE_TABLES:
            for fk in inspector.get_foreign_keys(name):
                assert (name, fk["referred_table"], fk["constrained_columns"]) == (
                    "fide_keys",
                    "fide_records",
                    ["record_id"],
                )


def test_cis_30_two_suppliers_records_of_one_person_share_no_stored_value(
    fide: CisWorld,
) -> None:
    nl = enter(fide, "nl-investigator", person())
    de = enter(fide, "de-investigator", person(contravention="AO-370", file_number="D-1"))
    with tx(fide) as s:
        rows = {r.id: r for r in s.scalars(sa.select(FideRecord))}
        keys = {
            rid: {k.blind for k in s.scalars(sa.select(FideKey).where(FideKey.record_id == rid))}
            for rid in rows
        }
    assert rows[nl.id].identity != rows[de.id].identity
    assert keys[nl.id] and keys[de.id]
    assert not keys[nl.id] & keys[de.id]  # no join on the index pairs the two records
    # ... and yet a query finds both
    assert {m.authority for m in query(fide, "de-investigator", {"surname": "Jansen"})} == {
        "NL",
        "DE",
    }


def test_cis_30_one_record_per_person_per_supplier(fide: CisWorld) -> None:
    first = enter(fide, "nl-investigator", person())
    again = person(file_number="F-2021-077")
    again["subject"] = {
        "surname": "JANSEN",
        "forenames": "jan  Pieter",
        "date_of_birth": "1970-05-01",
    }
    with pytest.raises(Conflict, match=f"CIS-30: NL holds FIDE record {first.id}"):
        enter(fide, "nl-investigator", again)
    assert count(fide, FideRecord) == 1
    # another person (another date of birth) is another record
    other = person()
    other["subject"] = {**other["subject"], "date_of_birth": "1971-05-01"}
    enter(fide, "nl-investigator", other)
    # and another supplier holds its own record of the same person
    enter(fide, "de-investigator", person(contravention="AO-370"))
    assert count(fide, FideRecord) == 3


def test_cis_30_one_record_per_business_by_vat_number(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", business())
    renamed = business()
    renamed["subject"] = {"business_name": "NZ Trading", "vat_number": "nl851234567b01"}
    with pytest.raises(Conflict, match="CIS-30"):
        enter(fide, "nl-investigator", renamed)


def test_cis_30_an_amendment_cannot_make_two_records_of_one_subject(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person())
    other = person()
    other["subject"] = {"surname": "Bakker", "forenames": "Pieter Jan"}
    second = enter(fide, "nl-investigator", other)
    with tx(fide) as s, pytest.raises(Conflict, match="CIS-30"):
        service.amend(
            s,
            fide.vault,
            user(s, fide, "nl-investigator", entering=True),
            second.id,
            {"subject": {"surname": "Jansen", "date_of_birth": "1970-05-01"}},
        )


def test_cis_30_an_entry_naming_another_record_is_refused(fide: CisWorld) -> None:
    for field in ("alert_id", "linked_records", "declaration", "related_file"):
        with pytest.raises(ValidationFailed, match="CIS-30"):
            enter(fide, "nl-investigator", person(**{field: 7}))


# CIS-27: published lists of serious contraventions


def test_cis_27_only_serious_contraventions_are_listed(cis_world: CisWorld) -> None:
    cases = [(12, None, True), (None, 15_000, True), (11, 14_999, False), (None, None, False)]
    for months, fine, ok in cases:
        item = {"code": "X", "description": "x", "max_imprisonment_months": months}
        item["max_fine_eur"] = fine
        with tx(cis_world) as s:
            if ok:
                rows = contraventions.publish(s, actor=SYSTEM, authority_code="NL", items=[item])
                assert [r.code for r in rows] == ["X"]
            else:
                with pytest.raises(ValidationFailed, match="CIS-27: contravention 'X' is not se"):
                    contraventions.publish(s, actor=SYSTEM, authority_code="NL", items=[item])


MALFORMED_LISTS: list[Any] = [
    {"code": "X"},
    [{"code": "X", "description": "x", "max_imprisonment_months": 24, "penalty": "x"}],
    [{"code": "", "description": "x", "max_imprisonment_months": 24}],
    [{"code": "X", "description": "", "max_imprisonment_months": 24}],
    [{"code": "X", "description": "x", "max_imprisonment_months": "24"}],
    [{"code": "X", "description": "x", "max_imprisonment_months": True}],
    [{"code": "X", "description": "x", "max_fine_eur": -20_000}],
    [{"code": "X", "description": "x", "max_fine_eur": 20_000}] * 2,
    ["X"],
]


def test_cis_27_malformed_lists_are_refused(cis_world: CisWorld) -> None:
    for items in MALFORMED_LISTS:
        with tx(cis_world) as s, pytest.raises(ValidationFailed, match="CIS-27"):
            contraventions.publish(s, actor=SYSTEM, authority_code="NL", items=items)


def test_cis_27_publishing_replaces_the_list_and_each_authority_publishes_its_own(
    fide: CisWorld,
) -> None:
    with tx(fide) as s:
        nl_admin = authenticate(s, fide.tokens["nl-admin"])
        contraventions.publish(s, actor=nl_admin, authority_code=None, items=NL_LIST[:1])
        assert [
            r.code for r in contraventions.published(s, actor=nl_admin, authority_code=None)
        ] == ["AWR-10"]
        with pytest.raises(NotAuthorised, match="CIS-27: each authority publishes its own"):
            contraventions.publish(s, actor=nl_admin, authority_code="DE", items=DE_LIST)
        investigator = authenticate(s, fide.tokens["nl-investigator"])
        with pytest.raises(NotAuthorised, match="manage_sharing"):
            contraventions.publish(s, actor=investigator, authority_code=None, items=NL_LIST)
        # a published list is readable by every investigation service
        de = contraventions.published(s, actor=investigator, authority_code="DE")
        assert [r.code for r in de] == ["AO-370"]
        officer = authenticate(s, fide.tokens["nl-officer"])
        with pytest.raises(NotAuthorised, match="CIS-33"):
            contraventions.published(s, actor=officer, authority_code="NL")


def test_cis_27_an_entry_cites_a_contravention_on_the_suppliers_own_list(fide: CisWorld) -> None:
    with pytest.raises(ValidationFailed, match="CIS-27: 'AWR-99' is not on NL's published"):
        enter(fide, "nl-investigator", person(contravention="AWR-99"))
    # DE's list is not NL's
    with pytest.raises(ValidationFailed, match="CIS-27: 'AO-370' is not on NL's"):
        enter(fide, "nl-investigator", person(contravention="AO-370"))
    with pytest.raises(ValidationFailed, match="CIS-27: a FIDE entry cites"):
        enter(fide, "nl-investigator", person(contravention=None))
    assert count(fide, FideRecord) == 0


def test_cis_27_a_below_threshold_row_written_around_publishing_is_not_citable(
    fide: CisWorld,
) -> None:
    with tx(fide) as s:
        row = s.scalars(
            sa.select(FideContravention).where(FideContravention.code == "AWR-10")
        ).one()
        row.max_imprisonment_months = 6
    with pytest.raises(ValidationFailed, match="CIS-27: 'AWR-10' is below the seriousness"):
        enter(fide, "nl-investigator", person())


def test_cis_27_a_list_keeps_the_contraventions_records_cite(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person())
    with (
        tx(fide) as s,
        pytest.raises(Conflict, match=r"CIS-27: NL's FIDE records cite \['AWR-10'\]"),
    ):
        contraventions.publish(s, actor=SYSTEM, authority_code="NL", items=NL_LIST[1:])
    with tx(fide) as s:
        contraventions.publish(s, actor=SYSTEM, authority_code="NL", items=NL_LIST[:1])


# CIS-29, CIS-31: what a record holds


def test_cis_29_a_record_holds_the_listed_facts(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person(), today=date(2024, 3, 1))
    assert view.authority == "NL"
    assert view.subject_type == "person"
    assert view.reason == "suspected"
    assert view.field == "cigarette smuggling"
    assert view.handling_authority == "Customs administration of Netherlands"  # default: its own
    assert view.authority_nationality == "NL"
    assert (view.contact, view.file_number) == ("fiod-fide@example.nl", "F-2020-001")
    assert view.subject["surname"] == "Jansen"
    assert view.entered_on == view.last_investigative_act == date(2024, 3, 1)


NOT_A_RECORD_FIELD: list[tuple[Any, str]] = [
    ({"comments": "armed"}, "CIS-29: a FIDE record holds only"),
    ({"reason": "rumour"}, "CIS-29: reason is one of"),
    ({"subject_type": "vehicle"}, "CIS-29: subject_type"),
    ({"field": ""}, "CIS-29: a FIDE record states its field"),
    ({"contact": None}, "CIS-29: a FIDE record states its contact"),
    ({"file_number": "x" * 61}, "CIS-29: file number is longer"),
    ({"authority_nationality": "XX"}, "CIS-29: the nationality of the authority"),
    ({"withheld": "yes"}, "CIS-32: withheld is true or false"),
    ([], "CIS-29: an entry is an object"),
]


def test_cis_29_anything_else_is_refused(fide: CisWorld) -> None:
    for over, rule in NOT_A_RECORD_FIELD:
        entry = person(**over) if isinstance(over, dict) else over
        with pytest.raises(ValidationFailed, match=rule):
            enter(fide, "nl-investigator", entry)
    assert count(fide, FideRecord) == 0


NOT_PERSONAL_DATA_OF_FIDE: list[tuple[Any, Any, str]] = [
    (
        person,
        {"surname": "Jansen", "passport_number": "X1"},
        "CIS-31: .* refused: \\['passport_number'\\]",
    ),
    (person, {"surname": "Jansen", "religion": "x"}, "CIS-31"),
    (person, {"surname": "Jansen", "vat_number": "NL1"}, "CIS-31"),
    (person, {"forenames": "Pieter"}, "CIS-31: .* names its surname"),
    (person, {"surname": "Jansen", "date_of_birth": "1970-13-01"}, "CIS-31: date_of_birth"),
    (person, {"surname": "Jansen", "date_of_birth": "2999-01-01"}, "CIS-31: date_of_birth"),
    (person, {"surname": "Jansen", "nationality": "Dutch"}, "CIS-31: nationality"),
    (person, {"surname": "Jansen", "sex": "x"}, "CIS-31: sex"),
    (person, {"surname": "Jansen", "aliases": "Piet"}, "CIS-31: aliases is a list"),
    (person, {"surname": 7}, "CIS-31: surname is text"),
    (person, {"surname": "..."}, "CIS-31: surname '...' has no letters"),
    (business, {"business_name": "NZH", "eori": "NL1"}, "CIS-31"),
    (business, {"business_name": "NZH", "surname": "Jansen"}, "CIS-31"),
    (business, {"trade_name": "NZH"}, "CIS-31: .* names its business_name"),
    (person, ["Jansen"], "CIS-31: 'subject' is an object"),
]


def test_cis_31_personal_data_are_limited_to_the_listed_fields(fide: CisWorld) -> None:
    for maker, subject, rule in NOT_PERSONAL_DATA_OF_FIDE:
        with pytest.raises(ValidationFailed, match=rule):
            enter(fide, "nl-investigator", maker(subject=subject))
    assert count(fide, FideRecord) == 0


def test_cis_31_a_business_holds_the_business_fields(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", business())
    assert set(view.subject) == {
        "business_name",
        "trade_name",
        "registered_office",
        "vat_number",
        "excise_number",
        "address",
    }


# CIS-50: sealed at rest


def test_cis_50_personal_data_are_sealed_at_rest(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person())
    enter(fide, "nl-investigator", business())
    with tx(fide) as s:
        dump = " ".join(
            str(v)
            for name in ("fide_records", "fide_keys")
            for row in s.execute(sa.text(f"SELECT * FROM {name}"))  # noqa: S608 -- fixed names
            for v in row
        )
    # as entered, and as a key would be before blinding (base64 and hex cannot hold these)
    for plain in (
        "Jansen",
        "jansen",
        "Pieter Jan",
        "jan pieter",
        "De Vries",
        "Piet the Fox",
        "1970-05-01",
        "Utrecht",
        "Keizersgracht",
        "Noordzee",
        "noordzee",
        "NL 8512",
        "851234567",
        "Havenstraat",
        "Maasvlakte",
        "maasvlakte",
    ):
        assert plain not in dump, plain


def test_cis_50_key_rotation_reaches_fide() -> None:
    from tollgate.cis.rotation import sealed_columns

    assert ("fide_records", "sealed") in {(t.name, c.name) for t, c in sealed_columns()}


def test_cis_34_keys_are_recomputed_from_the_sealed_content(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person())
    with tx(fide) as s:  # as if normalisation had changed since the keys were computed
        s.execute(sa.update(FideKey).values(blind="0" * 32))
    assert query(fide, "de-investigator", {"surname": "Jansen"}) == []
    with tx(fide) as s:
        assert service.reindex(s, fide.vault, actor=SYSTEM) == 1
    assert [m.file_number for m in query(fide, "de-investigator", {"surname": "Jansen"})] == [
        "F-2020-001"
    ]
    with pytest.raises(Conflict, match=f"record {view.id}"):  # the identity is intact too
        enter(fide, "nl-investigator", person())


# CIS-34: queries by the allowed keys only


PERSON_FOUND_BY: list[dict[str, str]] = [
    {"surname": "Jansen"},
    {"surname": "JANSEN", "date_of_birth": "1970-05-01"},
    {"forenames": "jan pieter"},  # word order aside
    {"forenames": "Pieter-Jan", "surname": "Jansen"},
    {"maiden_name": "de vries"},
    {"former_name": "Smit"},
    {"alias": "the fox piet"},
    {"date_of_birth": "1970-05-01"},
    {"subject_type": "person", "surname": "Jánsen"},  # diacritics aside
]
BUSINESS_FOUND_BY: list[dict[str, str]] = [
    {"business_name": "noordzee handel b.v."},
    {"trade_name": "nzh"},
    {"vat_number": "NL851234567B01"},
    {"excise_number": "nl 00000123 abc"},
    {"address": "Loods 7 Maasvlakte"},
    {"address": "havenstraat 5 rotterdam"},  # the registered office is an address
    {"business_name": "Noordzee Handel B.V.", "vat_number": "NL 851234567 B01"},
]
FOUND_BY_NONE: list[dict[str, str]] = [
    {"surname": "Jansen", "date_of_birth": "1970-05-02"},  # every key must match
    {"forenames": "Pieter"},  # a name is compared whole
    {"surname": "De Vries"},  # the maiden name is not the surname
    {"trade_name": "Jansen"},  # a business key never finds a person
    {"business_name": "Noordzee Handel B.V.", "vat_number": "NL1"},
]
NOT_A_KEY: list[Any] = [
    {"place_of_birth": "Utrecht"},
    {"nationality": "NL"},
    {"sex": "male"},
    {"address": "Keizersgracht 1", "surname": "Jansen"},  # a person's address is no key
    {"registered_office": "Havenstraat 5, Rotterdam"},
    {"file_number": "F-2020-001"},
    {"surname": "Jansen", "vat_number": "NL1"},  # one subject type at a time
    {"subject_type": "business", "surname": "Jansen"},
    {},
    {"subject_type": "person"},
    {"surname": ""},
    {"surname": ["Jansen"]},
    {"date_of_birth": "01-05-1970"},
    {"alias": "***"},
    {"alias": "x" * 501},
    ["Jansen"],
]


def test_cis_34_a_subject_is_found_by_each_allowed_key(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person())
    enter(fide, "nl-investigator", business())
    for keys in PERSON_FOUND_BY:
        assert [m.file_number for m in query(fide, "de-investigator", keys)] == ["F-2020-001"], keys
    for keys in BUSINESS_FOUND_BY:
        assert [m.file_number for m in query(fide, "de-investigator", keys)] == ["F-2020-002"], keys


def test_cis_34_every_key_given_must_match(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person())
    enter(fide, "nl-investigator", business())
    for keys in FOUND_BY_NONE:
        assert query(fide, "de-investigator", keys) == [], keys


def test_cis_34_any_other_key_is_refused(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person())
    for keys in NOT_A_KEY:
        with pytest.raises(ValidationFailed, match="CIS-34"):
            query(fide, "de-investigator", keys)


def test_cis_34_a_query_on_an_empty_database_finds_nothing(fide: CisWorld) -> None:
    assert query(fide, "de-investigator", {"surname": "Jansen"}) == []


# CIS-28: what an answer tells


def test_cis_28_an_answer_says_only_who_investigates_and_why(fide: CisWorld) -> None:
    enter(
        fide,
        "nl-investigator",
        person(handling_authority="FIOD", authority_nationality="NL", reason="sanctioned"),
    )
    enter(fide, "de-investigator", person(contravention="AO-370", file_number="D-9"))
    found = query(fide, "nl-investigator", {"surname": "Jansen", "date_of_birth": "1970-05-01"})
    assert [vars_of(m) for m in found] == [
        {
            "authority": "DE",
            "handling_authority": "Customs administration of Germany",
            "authority_nationality": "DE",
            "contact": "fiod-fide@example.nl",
            "file_number": "D-9",
            "reason": "suspected",
            "field": "cigarette smuggling",
        },
        {
            "authority": "NL",
            "handling_authority": "FIOD",
            "authority_nationality": "NL",
            "contact": "fiod-fide@example.nl",
            "file_number": "F-2020-001",
            "reason": "sanctioned",
            "field": "cigarette smuggling",
        },
    ]


def vars_of(match: service.Match) -> dict[str, Any]:
    return {f: getattr(match, f) for f in match.__slots__}


# CIS-32: withholding


def test_cis_32_a_withheld_entry_is_checked_and_not_entered(fide: CisWorld) -> None:
    with tx(fide) as s:
        u = user(s, fide, "nl-investigator", entering=True)
        assert service.enter(s, fide.vault, u, person(withheld=True)) is None
        with pytest.raises(ValidationFailed, match="CIS-27"):
            service.enter(s, fide.vault, u, person(withheld=True, contravention="none"))
    assert count(fide, FideRecord) == count(fide, FideKey) == 0
    assert query(fide, "de-investigator", {"surname": "Jansen"}) == []
    with tx(fide) as s:
        entry = s.scalars(sa.select(AuditEntry).where(AuditEntry.action == "fide_withhold")).one()
    assert entry.detail["reason"] == "suspected"
    assert "jansen" not in str(entry.detail).casefold()


# CIS-33, CIS-38, CIS-46: who uses FIDE


def test_cis_33_only_investigation_services_enter_and_consult(fide: CisWorld) -> None:
    with tx(fide) as s:
        with pytest.raises(NotAuthorised, match=r"CIS-33: .* lacks permission 'fide'"):
            user(s, fide, "nl-cis")
        with pytest.raises(NotAuthorised, match="CIS-33: FIDE serves investigations"):
            user(s, fide, "nl-investigator", purpose="prevention")
        with pytest.raises(ValidationFailed, match="CIS-14: state the purpose"):
            user(s, fide, "nl-investigator", purpose=None)
        assert user(s, fide, "nl-investigator", purpose="prosecution").authority.code == "NL"


def test_cis_33_an_undesignated_authority_has_no_fide_access(fide: CisWorld) -> None:
    with tx(fide) as s:
        authorities.create_user(
            s, actor=SYSTEM, authority_code="IT", username="it-inv", roles=["investigator"]
        )
        token = authorities.issue_token(s, actor=SYSTEM, username="it-inv")
        with pytest.raises(NotAuthorised, match="CIS-13: IT is not a designated"):
            service.clear(s, authenticate(s, token), "investigation")


def test_cis_33_eurojust_consults_but_does_not_enter(fide: CisWorld) -> None:
    with tx(fide) as s:
        authorities.create_user(
            s, actor=SYSTEM, authority_code="EUROJUST", username="ej-inv", roles=["investigator"]
        )
        token = authorities.issue_token(s, actor=SYSTEM, username="ej-inv")
        actor = authenticate(s, token)
        with pytest.raises(NotAuthorised, match="CIS-16"):
            service.clear(s, actor, "investigation", entering=True)
        assert (
            service.query(s, fide.vault, service.clear(s, actor, "prosecution"), {"alias": "x"})
            == []
        )


def test_cis_38_no_fide_personal_data_before_data_protection_is_in_force(fide: CisWorld) -> None:
    with tx(fide) as s:
        authorities.create_user(
            s, actor=SYSTEM, authority_code="BE", username="be-inv", roles=["investigator"]
        )
        actor = authenticate(s, authorities.issue_token(s, actor=SYSTEM, username="be-inv"))
        with pytest.raises(NotAuthorised, match="CIS-38"):
            service.clear(s, actor, "investigation", entering=True)
        with pytest.raises(NotAuthorised, match="CIS-38"):
            service.clear(s, actor, "investigation")  # a query receives personal data


def test_cis_46_a_user_acts_for_their_own_authority_only(fide: CisWorld) -> None:
    with tx(fide) as s, pytest.raises(NotAuthorised, match="CIS-46"):
        user(s, fide, "nl-investigator", authority_code="DE")


# CIS-17 by analogy: only the supplier changes its records


def test_cis_17_only_the_supplier_reaches_changes_and_deletes_its_records(
    fide: CisWorld,
) -> None:
    view = enter(fide, "nl-investigator", person())
    with tx(fide) as s:
        de = user(s, fide, "de-investigator", entering=True)
        with pytest.raises(NotFound, match="CIS-17: DE has no FIDE record"):
            service.amend(s, fide.vault, de, view.id, {"reason": "sanctioned"})
        with pytest.raises(NotFound, match="CIS-17"):
            service.delete_record(s, de, view.id, why="eliminated")
        with pytest.raises(NotFound, match="CIS-17"):
            service.own_record(s, fide.vault, de, view.id)
        assert service.own_records(s, fide.vault, de).total == 0
        nl = user(s, fide, "nl-investigator")
        page = service.own_records(s, fide.vault, nl)
        assert [v.id for v in page.items] == [view.id] and page.total == 1


def test_cis_17_the_supplier_amends_its_record(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person(), today=date(2024, 1, 10))
    with tx(fide) as s:
        nl = user(s, fide, "nl-investigator", entering=True)
        amended = service.amend(
            s,
            fide.vault,
            nl,
            view.id,
            {
                "reason": "contravention_established",
                "subject": {"aliases": ["Fox"], "address": None},
                "contact": "team-2@example.nl",
            },
            today=date(2024, 6, 1),
        )
        with pytest.raises(ValidationFailed, match="CIS-29: a FIDE record holds only"):
            service.amend(s, fide.vault, nl, view.id, {"subject_type": "business"})
        with pytest.raises(ValidationFailed, match="CIS-29: an amendment changes"):
            service.amend(s, fide.vault, nl, view.id, {})
        with pytest.raises(ValidationFailed, match="CIS-31"):
            service.amend(s, fide.vault, nl, view.id, {"subject": {"eye_colour": "blue"}})
        with pytest.raises(ValidationFailed, match="CIS-35: the last investigative act cannot"):
            service.amend(s, fide.vault, nl, view.id, {"last_investigative_act": None})
    assert amended.reason == "contravention_established"
    assert amended.subject["aliases"] == ["Fox"] and "address" not in amended.subject
    assert amended.contact == "team-2@example.nl"
    assert amended.entered_on == date(2024, 1, 10)
    assert query(fide, "de-investigator", {"alias": "fox"}, today=date(2024, 6, 1))
    assert not query(fide, "de-investigator", {"alias": "piet the fox"}, today=date(2024, 6, 1))


# CIS-35..CIS-37: retention and deletion


@pytest.mark.parametrize(
    ("reason", "entered", "last_act", "expected"),
    [
        ("suspected", date(2020, 1, 1), date(2020, 1, 1), date(2021, 1, 1)),
        ("suspected", date(2020, 1, 1), date(2021, 6, 1), date(2022, 6, 1)),
        ("suspected", date(2020, 1, 1), date(2022, 12, 1), date(2023, 1, 1)),  # 3-year cap
        ("contravention_established", date(2020, 1, 1), date(2020, 1, 1), date(2026, 1, 1)),
        ("sanctioned", date(2020, 1, 1), date(2020, 1, 1), date(2030, 1, 1)),
        ("suspected", date(2020, 2, 29), date(2020, 2, 29), date(2021, 2, 28)),
    ],
)
def test_cis_35_retention_limits_run_from_entry(
    reason: str, entered: date, last_act: date, expected: date
) -> None:
    assert expires_on(reason, entered, last_act) == expected


def test_cis_35_add_years_keeps_the_day() -> None:
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_cis_35_open_file_deleted_one_year_after_last_act(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person(), today=date(2020, 1, 1))
    with tx(fide) as s:
        assert purge_expired(s, date(2020, 12, 31)) == 0
    with tx(fide) as s:  # a new investigative act extends the open file's life...
        service.amend(
            s,
            fide.vault,
            user(s, fide, "nl-investigator", entering=True),
            view.id,
            {"last_investigative_act": "2020-12-01"},
            today=date(2020, 12, 31),
        )
    with tx(fide) as s:
        assert purge_expired(s, date(2021, 1, 1)) == 0
        assert purge_expired(s, date(2021, 12, 1)) == 1
    assert count(fide, FideRecord) == count(fide, FideKey) == 0


def test_cis_35_open_file_lives_at_most_three_years(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person(), today=date(2020, 1, 1))
    for act in ("2020-10-01", "2021-09-01", "2022-08-01", "2022-12-31"):
        with tx(fide) as s:
            service.amend(
                s,
                fide.vault,
                user(s, fide, "nl-investigator", entering=True),
                view.id,
                {"last_investigative_act": act},
                today=date.fromisoformat(act),
            )
    with tx(fide) as s:
        assert s.get(FideRecord, view.id).expires_on == date(2023, 1, 1)  # type: ignore[union-attr]
        assert purge_expired(s, date(2022, 12, 31)) == 0
        assert purge_expired(s, date(2023, 1, 1)) == 1


def test_cis_35_established_and_sanctioned_files_live_six_and_ten_years(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person(reason="contravention_established"), date(2020, 1, 1))
    enter(fide, "nl-investigator", business(reason="sanctioned"), date(2020, 1, 1))
    with tx(fide) as s:
        assert purge_expired(s, date(2025, 12, 31)) == 0
        assert purge_expired(s, date(2026, 1, 1)) == 1
        assert purge_expired(s, date(2029, 12, 31)) == 0
        assert purge_expired(s, date(2030, 1, 1)) == 1


def test_cis_35_a_new_reason_counts_from_the_date_of_entry(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person(), today=date(2020, 1, 1))
    with tx(fide) as s:
        amended = service.amend(
            s,
            fide.vault,
            user(s, fide, "nl-investigator", entering=True),
            view.id,
            {"reason": "sanctioned"},
            today=date(2020, 11, 1),
        )
    assert amended.expires_on == date(2030, 1, 1)


def test_cis_35_the_last_act_is_a_past_date(fide: CisWorld) -> None:
    with pytest.raises(ValidationFailed, match="CIS-35: the last investigative act cannot lie"):
        enter(
            fide, "nl-investigator", person(last_investigative_act="2020-01-02"), date(2020, 1, 1)
        )
    with pytest.raises(ValidationFailed, match="CIS-35: last_investigative_act 'soon'"):
        enter(fide, "nl-investigator", person(last_investigative_act="soon"))
    with pytest.raises(ValidationFailed, match="CIS-35"):
        enter(fide, "nl-investigator", person(last_investigative_act=20200101))


def test_cis_35_an_expired_record_is_never_returned_even_before_the_purge(
    fide: CisWorld,
) -> None:
    enter(fide, "nl-investigator", person(), today=date(2020, 1, 1))
    assert query(fide, "de-investigator", {"surname": "Jansen"}, today=date(2020, 12, 31))
    assert query(fide, "de-investigator", {"surname": "Jansen"}, today=date(2021, 1, 1)) == []


def test_cis_36_an_eliminated_subject_is_deleted_at_once(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person())
    keep = enter(fide, "nl-investigator", business())
    with tx(fide) as s:
        nl = user(s, fide, "nl-investigator")
        with pytest.raises(ValidationFailed, match="CIS-36: a deletion says why"):
            service.delete_record(s, nl, view.id, why="because")
        service.delete_record(s, nl, view.id, why="eliminated")
    with tx(fide) as s:
        assert s.get(FideRecord, view.id) is None
        assert s.scalars(sa.select(FideKey.record_id).distinct()).all() == [keep.id]
        entry = s.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "fide_delete", AuditEntry.object_id == str(view.id)
            )
        ).one()
    assert entry.detail["why"] == "eliminated from the inquiry (CIS-36)"
    assert "jansen" not in str(entry.detail).casefold()
    assert query(fide, "de-investigator", {"surname": "Jansen"}) == []


def test_cis_37_expired_records_are_deleted_automatically(fide: CisWorld) -> None:
    old = enter(fide, "nl-investigator", person(), today=date(2020, 1, 1))
    young = enter(fide, "de-investigator", person(contravention="AO-370"), today=date(2020, 6, 1))
    with tx(fide) as s:
        assert purge_expired(s, date(2021, 1, 1)) == 1
        assert purge_expired(s, date(2021, 1, 1)) == 0  # a second run finds nothing
    with tx(fide) as s:
        assert s.get(FideRecord, old.id) is None
        assert s.get(FideRecord, young.id) is not None
        assert set(s.scalars(sa.select(FideKey.record_id))) == {young.id}
        entry = s.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "fide_delete", AuditEntry.object_id == str(old.id)
            )
        ).one()
    assert entry.detail["why"].startswith("expired (CIS-35, CIS-37)")
    assert "jansen" not in str(entry.detail).casefold()


# CIS-47: everything recorded


def test_cis_47_every_fide_query_is_recorded(fide: CisWorld) -> None:
    enter(fide, "nl-investigator", person())
    query(fide, "de-investigator", {"surname": "Jansen", "date_of_birth": "1970-05-01"})
    query(fide, "de-investigator", {"vat_number": "DE1"})
    with tx(fide) as s:
        rows = list(s.scalars(sa.select(CisQuery).order_by(CisQuery.id)))
    assert [(q.kind, q.actor, q.authority, q.purpose, q.results) for q in rows] == [
        ("fide", "de-investigator", "DE", "investigation", 1),
        ("fide", "de-investigator", "DE", "investigation", 0),
    ]
    assert fide.vault.open(rows[0].sealed_criteria) == {
        "subject_type": "person",
        "surname": "Jansen",
        "date_of_birth": "1970-05-01",
    }
    assert "Jansen" not in rows[0].sealed_criteria


def test_cis_47_entries_changes_and_deletions_are_audited(fide: CisWorld) -> None:
    view = enter(fide, "nl-investigator", person())
    with tx(fide) as s:
        nl = user(s, fide, "nl-investigator", entering=True)
        service.amend(s, fide.vault, nl, view.id, {"field": "tobacco"})
        service.delete_record(s, nl, view.id, why="closed")
    with tx(fide) as s:
        entries = list(
            s.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.object_type == "fide_record")
                .order_by(AuditEntry.seq)
            )
        )
    assert [(e.action, e.actor, e.object_id, e.purpose) for e in entries] == [
        ("fide_enter", "nl-investigator", str(view.id), "investigation"),
        ("fide_amend", "nl-investigator", str(view.id), "investigation"),
        ("fide_delete", "nl-investigator", str(view.id), "investigation"),
    ]
    assert entries[1].detail["changed"] == ["field"]
    assert all("jansen" not in str(e.detail).casefold() for e in entries)
