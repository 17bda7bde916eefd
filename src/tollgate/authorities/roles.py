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
        }
    ),
    "officer": frozenset(
        {
            Permission.READ_FILINGS,
            Permission.READ_PERSONAL_DATA,
            Permission.READ_PROFILES,
            Permission.ASSESS,
            Permission.CONTROL,
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
        }
    ),
    # data-protection supervisors inspect the audit trail
    "supervisor": frozenset({Permission.READ_AUDIT}),
    "administrator": frozenset(
        {Permission.MANAGE_USERS, Permission.MANAGE_SHARING, Permission.READ_AUDIT}
    ),
}

ROLES = frozenset(ROLE_PERMISSIONS)

AUTHORITY_KINDS = frozenset({"customs", "eu_body", "partner"})
