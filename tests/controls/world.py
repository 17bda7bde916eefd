"""Names and helpers shared by the controls tests (the fixture is in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tollgate.authorities.service import Actor

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
NL_OFFICER = Actor("nl-officer", None, "NL", frozenset({"officer"}))
TODAY = datetime.now(UTC).date()


def profile(pid: str, prefix: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "title": pid,
        "risk_area": "ipr",
        "risk_level": 40,
        "stage": "clearance",
        "control": "documentary",
        "rationale": "Seen in recent seizures.",
        "when": {"field": "item.commodity_code", "prefix": [prefix]},
        **extra,
    }
