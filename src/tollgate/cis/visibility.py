"""Who sees that the CIS played a part in an assessment (CIS-11, CIS-46).

A confirmed hit leaves a reason (``source: cis``) and an officer instruction (a line
starting ``CIS ``) in the assessment it adds. Readers who review CIS hits see both;
everyone else sees the assessment as if the CIS had not been asked, and the trader-facing
outcome (``tollgate.risk.release``) never reads either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CIS_LINE = "CIS "


def visible_reasons(reasons: Iterable[dict[str, Any]], *, cis: bool) -> list[dict[str, Any]]:
    return [r for r in reasons if cis or r.get("source") != "cis"]


def visible_instructions(text: str, *, cis: bool) -> str:
    if cis:
        return text
    return "\n".join(line for line in text.split("\n") if not line.startswith(CIS_LINE))
