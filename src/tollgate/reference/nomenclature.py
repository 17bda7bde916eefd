"""HS 2022 and CN 2026 nomenclatures and UN/LOCODE, read from the shared reference folder.

Loaded once per process and kept as plain dicts and sets: the intake path asks "does this
code exist?" tens of thousands of times per second, so a lookup must be a hash probe.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tollgate.config import get_settings
from tollgate.errors import ReferenceDataMissing


@dataclass(frozen=True, slots=True)
class HsCode:
    code: str
    description: str
    parent: str
    level: int
    section: str


@dataclass(frozen=True, slots=True)
class Nomenclature:
    """HS codes by code (2, 4 and 6 digits) and CN 8-digit codes with their supplementary unit."""

    hs: dict[str, HsCode]
    cn: dict[str, str | None]

    def hs_exists(self, code: str) -> bool:
        return code in self.hs

    def commodity_code_exists(self, code: str) -> bool:
        """A code is valid at its declared length (DQ-1).

        6 digits: in the HS. 8 digits: in the CN. 10 digits and longer (TARIC, national):
        their first 8 digits are a CN code. Other lengths are never valid.
        """
        n = len(code)
        if n == 6:
            return code in self.hs
        if n == 8:
            return code in self.cn if self.cn else code[:6] in self.hs
        if n >= 10:
            return self.commodity_code_exists(code[:8])
        return False

    def description_path(self, code: str) -> list[str]:
        """Chapter, heading and subheading descriptions of a code, broadest first."""
        out = []
        for n in (2, 4, 6):
            entry = self.hs.get(code[:n])
            if entry is not None:
                out.append(entry.description)
        return out


def _require(path: Path) -> Path:
    if not path.exists():
        raise ReferenceDataMissing(
            f"reference file {path} not found; set TOLLGATE_REFERENCE_DIR to the folder that "
            "holds hs-nomenclature/, cn-nomenclature/, un-locode/ and goods-descriptions/"
        )
    return path


def load_nomenclature(reference_dir: Path) -> Nomenclature:
    hs: dict[str, HsCode] = {}
    with _require(reference_dir / "hs-nomenclature" / "harmonized-system.csv").open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        for row in csv.DictReader(fh):
            code = row["hscode"]
            if not code.isdigit():
                continue
            hs[code] = HsCode(
                code=code,
                description=row["description"],
                parent=row["parent"],
                level=int(row["level"]),
                section=row["section"],
            )
    cn: dict[str, str | None] = {}
    cn_path = reference_dir / "cn-nomenclature" / "cnCodes_2026.json"
    if cn_path.exists():
        for entry in json.loads(cn_path.read_text(encoding="utf-8")):
            cn[entry["code"]] = entry.get("supplementaryUnit")
    return Nomenclature(hs=hs, cn=cn)


@lru_cache(maxsize=1)
def nomenclature() -> Nomenclature:
    return load_nomenclature(get_settings().reference_dir)


@lru_cache(maxsize=1)
def locodes() -> frozenset[str]:
    """All UN/LOCODEs as five-letter strings (country + location, e.g. ``NLRTM``)."""
    path = _require(get_settings().reference_dir / "un-locode" / "unlocode-code-list.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        # csv.reader, not DictReader: 116k rows are read at the start of every load
        rows = csv.reader(fh)
        header = next(rows)
        country, location = header.index("country"), header.index("location")
        return frozenset(row[country] + row[location] for row in rows)


@lru_cache(maxsize=1)
def vague_description_terms() -> frozenset[str]:
    """Terms that alone do not describe goods (DQ-3), lower-cased."""
    path = _require(
        get_settings().reference_dir / "goods-descriptions" / "goods_description_stopterms.csv"
    )
    with path.open(encoding="utf-8", newline="") as fh:
        return frozenset(
            row["term"].strip().lower()
            for row in csv.DictReader(fh)
            if row["field"] == "goods_description"
        )
