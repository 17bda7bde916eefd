"""Authorities, their users and roles, API tokens and sharing rules."""
