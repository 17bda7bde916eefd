"""Roles and what they permit. Authorisation asks for a permission, never for a role name,
so a new role is a line here and not a hunt through the routes."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    SUBMIT_FILINGS = "submit_filings"
    READ_FILINGS = "read_filings"
    READ_PERSONAL_DATA = "read_personal_data"
    READ_QUALITY = "read_quality"
    MANAGE_USERS = "manage_users"
    MANAGE_SHARING = "manage_sharing"
    READ_AUDIT = "read_audit"
    READ_PROFILES = "read_profiles"
    MANAGE_PROFILES = "manage_profiles"
    ASSESS = "assess"
    #: take control tasks and record their results (RM-11, RM-26)
    CONTROL = "control"
    #: query and consult the Customs Information System (CIS-13)
    CIS_QUERY = "cis_query"
    #: enter alerts and change one's own authority's alerts (CIS-17)
    CIS_ENTER = "cis_enter"
    #: review screening hits and send hit reports (CIS-10)
    CIS_REVIEW = "cis_review"
    #: enter and consult the files identification database (CIS-33)
    FIDE = "fide"
    #: the committee's oversight: lawfulness checks of queries, the restricted area
    #: (CIS-25, CIS-44, CIS-49)
    CIS_OVERSIGHT = "cis_oversight"
    #: supervisory authorities' read-only inspection (CIS-25, CIS-44)
    CIS_INSPECT = "cis_inspect"
    #: designated analysts copy CIS data into national risk systems (CIS-40)
    CIS_COPY = "cis_copy"
    #: data-subject access, rectification and erasure requests (CIS-42, CIS-43)
    CIS_DATA_PROTECTION = "cis_data_protection"
    #: strategic analysis of trade flows on anonymised aggregates (RM-16, CIS-45)
    ANALYSE_TRADE_FLOWS = "analyse_trade_flows"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    # the filing gateway's system account and intake staff
    "intake": frozenset({Permission.SUBMIT_FILINGS}),
    # risk analysts write and test the profiles (RM-6, RM-7)
    "analyst": frozenset(
        {
            Permission.READ_FILINGS,
            Permission.READ_PERSONAL_DATA,
            Permission.READ_QUALITY,
            Permission.READ_PROFILES,
            Permission.MANAGE_PROFILES,
            Permission.ASSESS,
            Permission.ANALYSE_TRADE_FLOWS,
        }
    ),
    "officer": frozenset(
        {
            Permission.READ_FILINGS,
            Permission.READ_PERSONAL_DATA,
            Permission.READ_PROFILES,
            Permission.ASSESS,
            Permission.CONTROL,
            Permission.CIS_REVIEW,
        }
    ),
    # EU-level or national coordinators: aggregate views, no personal data; the
    # Commission's coordinators own the common risk criteria
    "coordinator": frozenset(
        {
            Permission.READ_FILINGS,
            Permission.READ_QUALITY,
            Permission.READ_PROFILES,
            Permission.MANAGE_PROFILES,
            Permission.ANALYSE_TRADE_FLOWS,
        }
    ),
    # data-protection supervisors inspect the audit trail
    "supervisor": frozenset({Permission.READ_AUDIT, Permission.CIS_INSPECT}),
    # Customs Information System users of a designated authority (CIS-13); at Europol,
    # the specifically authorised staff (CIS-15)
    "cis_officer": frozenset({Permission.CIS_QUERY, Permission.CIS_ENTER, Permission.CIS_REVIEW}),
    # Eurojust's national members and assistants: query and consult, never add (CIS-16)
    "eurojust_member": frozenset({Permission.CIS_QUERY}),
    # investigation services that open files and consult FIDE (CIS-33)
    "investigator": frozenset({Permission.FIDE}),
    # designated analysts of a listed risk management service (CIS-40)
    "cis_analyst": frozenset({Permission.CIS_QUERY, Permission.CIS_COPY}),
    # the joint supervisory authority: inspects every supplier's data (CIS-44); a national
    # ``supervisor`` inspects its own authority's only
    "joint_supervisor": frozenset({Permission.CIS_INSPECT}),
    # the committee's representatives (CIS-25, CIS-44, CIS-49)
    "committee": frozenset({Permission.CIS_OVERSIGHT}),
    # the data protection office answering data subjects (CIS-42, CIS-43)
    "dp_officer": frozenset({Permission.CIS_DATA_PROTECTION}),
    "administrator": frozenset(
        {Permission.MANAGE_USERS, Permission.MANAGE_SHARING, Permission.READ_AUDIT}
    ),
}

ROLES = frozenset(ROLE_PERMISSIONS)

AUTHORITY_KINDS = frozenset({"customs", "eu_body", "partner"})
