"""API schemas of the quality domain shared by the routes that show findings."""

from __future__ import annotations

from pydantic import BaseModel


class FindingOut(BaseModel):
    """One data-quality finding as the API shows it (rule id, stable code, field path)."""

    rule: str
    code: str
    field: str
    severity: str
    message: str
