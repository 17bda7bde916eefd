"""Who may use the CIS, for what and how much of it (``tollgate.cis.access``): designations
(CIS-13, CIS-48), the CIS purpose (CIS-14), Europol (CIS-15) and Eurojust (CIS-16), data
protection before personal data (CIS-38) and each user's competence (CIS-46). On SQLite
and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from cis.conftest import ALL, CisWorld
from tollgate.audit.log import entries
from tollgate.authorities import service as authorities
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, authenticate, get_authority
from tollgate.cis.access import (
    PURPOSES,
    CisUser,
    cleared,
    designate,
    designation_of,
    designations,
    refuse_bulk_copy,
    system_user,
)
from tollgate.errors import NotAuthorised, NotFound, ValidationFailed


def user(
    session: Session,
    world: CisWorld,
    name: str,
    permission: Permission = Permission.CIS_QUERY,
    purpose: str | None = "prevention",
    *,
    category: str | None = None,
    entering: bool = False,
    personal: bool = False,
) -> CisUser:
    actor = authenticate(session, world.tokens[name])
    return cleared(
        session, actor, permission, purpose, category=category, entering=entering, personal=personal
    )


def redesignate(session: Session, code: str, **changes: Any) -> None:
    """Replace ``code``'s designation by a full one with ``changes`` applied."""
    fields: dict[str, Any] = {
        "categories": ALL,
        "purposes": sorted(PURPOSES),
        "may_enter": True,
        "specific_checks_allowed": True,
        "data_protection_in_force": True,
        "supervisory_authority": f"{code} data protection authority",
    }
    fields.update(changes)
    designate(session, actor=SYSTEM, authority_code=code, **fields)


def add_user(session: Session, world: CisWorld, code: str, name: str, roles: list[str]) -> None:
    authorities.create_user(session, actor=SYSTEM, authority_code=code, username=name, roles=roles)
    world.tokens[name] = authorities.issue_token(session, actor=SYSTEM, username=name)


# --- CIS-13: designated authorities only, for their published scope --------------------


def test_cis_13_an_authority_without_a_designation_has_no_access(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        add_user(session, cis_world, "AT", "at-cis", ["cis_officer"])
        with pytest.raises(NotAuthorised, match=r"^CIS-13: AT is not a designated CIS authority"):
            user(session, cis_world, "at-cis")


def test_cis_13_the_published_list_states_each_authoritys_data_and_purposes(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        published = {a.code: d for a, d in designations(session)}
    assert set(published) == {"NL", "DE", "FR", "BE", "EUROPOL", "EUROJUST", "EU-COM"}
    assert published["NL"].categories == sorted(ALL)
    assert published["NL"].purposes == sorted(PURPOSES)
    assert published["EUROJUST"].purposes == ["investigation", "prosecution"]
    assert published["EUROJUST"].may_enter is False
    assert published["FR"].specific_checks_allowed is False
    assert published["BE"].data_protection_in_force is False


def test_cis_13_each_authority_publishes_its_own_designation(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        admin = authenticate(session, cis_world.tokens["nl-admin"])
        with pytest.raises(NotAuthorised, match=r"^CIS-13: each authority publishes its own"):
            designate(
                session,
                actor=admin,
                authority_code="DE",
                categories=["commodities"],
                purposes=["prevention"],
                may_enter=False,
                specific_checks_allowed=False,
                data_protection_in_force=False,
                supervisory_authority=None,
            )
        officer = authenticate(session, cis_world.tokens["nl-cis"])
        with pytest.raises(NotAuthorised, match="manage_sharing"):
            designate(
                session,
                actor=officer,
                authority_code="NL",
                categories=["commodities"],
                purposes=["prevention"],
                may_enter=False,
                specific_checks_allowed=False,
                data_protection_in_force=False,
                supervisory_authority=None,
            )
        row = designate(
            session,
            actor=admin,
            authority_code="NL",
            categories=["commodities", "commodities", "persons"],
            purposes=["prevention"],
            may_enter=True,
            specific_checks_allowed=True,
            data_protection_in_force=True,
            supervisory_authority="Autoriteit Persoonsgegevens",
            transmit_to=["DE"],
        )
        session.commit()
        assert row.categories == ["commodities", "persons"]
        assert row.updated_by == "nl-admin"
        audit = entries(session, action="cis_designate", object_id="NL")
        assert audit[-1].actor == "nl-admin"
        assert audit[-1].detail["categories"] == ["commodities", "persons"]
        assert audit[-1].detail["transmit_to"] == ["DE"]
    with cis_world.factory() as session:
        nl = designation_of(session, get_authority(session, "NL").id)
        assert nl is not None and nl.purposes == ["prevention"]


def test_cis_13_use_is_limited_to_the_designated_purposes(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        with pytest.raises(NotAuthorised, match=r"^CIS-13: EUROJUST is designated for"):
            user(session, cis_world, "eurojust-member", purpose="prevention")
        member = user(session, cis_world, "eurojust-member", purpose="investigation")
        assert member.purpose == "investigation"
        assert member.authority.code == "EUROJUST"


def test_cis_13_an_authority_not_designated_to_enter_does_not_enter(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        redesignate(session, "DE", may_enter=False)
        with pytest.raises(NotAuthorised, match=r"^CIS-13: DE is not designated to enter"):
            user(session, cis_world, "de-cis", Permission.CIS_ENTER, entering=True)
        assert user(session, cis_world, "de-cis").designation.may_enter is False


def test_cis_13_the_system_operator_names_the_authority_it_acts_for(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        with pytest.raises(ValidationFailed, match=r"^CIS-13: name the authority"):
            cleared(session, SYSTEM, Permission.CIS_QUERY, "prevention")
        operator = system_user(session, "DE")
        assert operator.authority.code == "DE"
        with pytest.raises(NotAuthorised, match=r"^CIS-13: AT is not a designated"):
            system_user(session, "AT")


# --- CIS-14: the CIS purpose; any other use needs consent ------------------------------


def test_cis_14_a_use_states_its_purpose(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        for purpose in (None, ""):
            with pytest.raises(ValidationFailed, match=r"^CIS-14: state the purpose"):
                user(session, cis_world, "nl-cis", purpose=purpose)


def test_cis_14_a_use_outside_the_cis_purpose_needs_the_suppliers_consent(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session, pytest.raises(NotAuthorised) as caught:
        user(session, cis_world, "nl-cis", purpose="tax_assessment")
    assert "prior consent (CIS-14)" in caught.value.message


def test_cis_14_a_designation_names_only_cis_purposes(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        with pytest.raises(ValidationFailed, match=r"^CIS-14: purposes \['marketing'\]"):
            redesignate(session, "NL", purposes=["prevention", "marketing"])
        assert {"prevention", "investigation", "prosecution", "operational_analysis"} == PURPOSES


def test_cis_2_a_designation_names_only_known_categories(cis_world: CisWorld) -> None:
    with cis_world.factory() as session, pytest.raises(ValidationFailed, match=r"^CIS-2:"):
        redesignate(session, "NL", categories=["commodities", "weapons"])


# --- CIS-15: Europol -------------------------------------------------------------------


def test_cis_15_europol_queries_and_adds_data_within_its_mandate(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        europol = user(
            session, cis_world, "europol-cis", Permission.CIS_ENTER, entering=True, personal=True
        )
    assert europol.authority.code == "EUROPOL"
    assert europol.sees_personal_data


def test_cis_15_only_specifically_authorised_europol_staff_have_access(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        for permission in (Permission.CIS_QUERY, Permission.CIS_ENTER):
            with pytest.raises(NotAuthorised, match=permission.value):
                user(session, cis_world, "europol-clerk", permission)


def test_cis_15_europol_may_not_download_or_copy_cis_data(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        europol = user(session, cis_world, "europol-cis")
    with pytest.raises(NotAuthorised, match=r"^CIS-15: EUROPOL may not download or copy"):
        refuse_bulk_copy(europol)


# --- CIS-16: Eurojust ------------------------------------------------------------------


def test_cis_16_eurojust_queries_and_consults_but_does_not_add(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        member = user(session, cis_world, "eurojust-member", purpose="prosecution", personal=True)
        assert member.sees_personal_data
        with pytest.raises(NotAuthorised, match="cis_enter"):
            user(session, cis_world, "eurojust-member", Permission.CIS_ENTER, "prosecution")
        # even a Eurojust user holding the officer role
        with pytest.raises(NotAuthorised, match=r"^CIS-16: Eurojust may query and consult"):
            user(
                session,
                cis_world,
                "eurojust-cis",
                Permission.CIS_ENTER,
                "investigation",
                entering=True,
            )


def test_cis_16_eurojust_cannot_be_designated_to_add_data(cis_world: CisWorld) -> None:
    with cis_world.factory() as session, pytest.raises(ValidationFailed, match=r"^CIS-16:"):
        redesignate(session, "EUROJUST", may_enter=True)


def test_cis_16_no_access_for_other_eurojust_staff(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        add_user(session, cis_world, "EUROJUST", "eurojust-clerk", ["intake"])
        with pytest.raises(NotAuthorised, match="cis_query"):
            user(session, cis_world, "eurojust-clerk", purpose="investigation")


def test_cis_16_eurojust_may_not_download_or_copy_cis_data(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        member = user(session, cis_world, "eurojust-member", purpose="investigation")
        national = user(session, cis_world, "nl-cis")
    with pytest.raises(NotAuthorised, match=r"^CIS-16: EUROJUST may not download or copy"):
        refuse_bulk_copy(member)
    refuse_bulk_copy(national)  # national authorities are not under this limit


# --- CIS-38: data protection before personal data --------------------------------------


def test_cis_38_data_protection_in_force_needs_a_supervisory_authority(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        for named in (None, "   "):
            with pytest.raises(ValidationFailed, match=r"^CIS-38:"):
                redesignate(session, "BE", supervisory_authority=named)


def test_cis_38_no_personal_data_before_data_protection_is_in_force(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        with pytest.raises(NotAuthorised, match=r"^CIS-38: BE may not enter or receive personal"):
            user(session, cis_world, "be-cis", personal=True)
        with pytest.raises(NotAuthorised, match=r"^CIS-38:"):
            user(session, cis_world, "be-cis", Permission.CIS_ENTER, entering=True, personal=True)
        be = user(session, cis_world, "be-cis")
        assert not be.sees_personal_data
        redesignate(session, "BE", supervisory_authority="Autorité de protection des données")
        assert user(session, cis_world, "be-cis", personal=True).sees_personal_data


def test_cis_38_an_authority_without_data_protection_still_enters_non_personal_data(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        be = user(session, cis_world, "be-cis", Permission.CIS_ENTER, entering=True)
    assert be.authority.code == "BE"


# --- CIS-46: users reach only the data of their competence -----------------------------


def test_cis_46_users_act_for_their_own_authority_only(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        actor = authenticate(session, cis_world.tokens["nl-cis"])
        with pytest.raises(NotAuthorised, match=r"^CIS-46: user 'nl-cis' acts for NL only"):
            cleared(session, actor, Permission.CIS_QUERY, "prevention", authority_code="DE")
        assert (
            cleared(
                session, actor, Permission.CIS_QUERY, "prevention", authority_code="NL"
            ).authority.code
            == "NL"
        )


def test_cis_46_users_reach_only_the_categories_designated(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        redesignate(session, "DE", categories=["commodities", "means_of_transport"])
        with pytest.raises(NotAuthorised, match=r"^CIS-46: DE is not designated for persons"):
            user(session, cis_world, "de-cis", category="persons")
        assert user(session, cis_world, "de-cis", category="commodities").authority.code == "DE"


def test_cis_46_a_role_without_the_permission_is_refused(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        with pytest.raises(NotAuthorised, match="cis_enter"):
            user(session, cis_world, "nl-cis-analyst", Permission.CIS_ENTER, entering=True)
        with pytest.raises(NotAuthorised, match="cis_query"):
            user(session, cis_world, "nl-analyst")
        with pytest.raises(NotAuthorised, match="cis_oversight"):
            user(session, cis_world, "nl-cis", Permission.CIS_OVERSIGHT)


# --- CIS-48: where data may be transmitted ---------------------------------------------


def test_cis_48_the_designation_records_where_data_may_be_transmitted(
    cis_world: CisWorld,
) -> None:
    with cis_world.factory() as session:
        published = {a.code: d for a, d in designations(session)}
        assert published["NL"].transmit_to == ["DE", "NL"]
        assert published["EUROJUST"].transmit_to == []
        redesignate(session, "NL", transmit_to=["FR", "EUROPOL", "FR"])
        assert {a.code: d for a, d in designations(session)}["NL"].transmit_to == [
            "EUROPOL",
            "FR",
        ]
        with pytest.raises(NotFound):
            redesignate(session, "NL", transmit_to=["ATLANTIS"])
