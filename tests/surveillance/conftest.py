"""Trade planted straight into the history store: fifteen months of NL imports in which
two flows shift on 1 January 2026 and the rest stays put.

Every month has 20 declarations (one goods item each, EUR 1,000 and 100 kg) of each
flow, spread round-robin over four traders per cell so that every planted cell passes
the anonymity rule, except the two planted to fail it:

- 730610 (steel tubes): CN 16 / MY 4 a month in 2025, CN 3 / MY 17 from 2026 — the
  circumvention pattern after an anti-dumping duty on CN;
- 7318 (screws): 731815 15 / 731816 5 a month in 2025, 4 / 16 from 2026 (origin TW) —
  goods moved to the neighbouring subheading;
- 847130 CN 12 / VN 8 and 847150 CN 10 every month: stable codes, stable heading;
- 730610 from KR: two traders only (suppressed, few traders); from TH: four traders of
  which one declares 97% of the value (suppressed, dominated);
- a DE declaration that NL must never count.

``stored_shift_filings`` is a small shift for the API and the CLI, stored the normal way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import goods, import_h1, party
from tollgate.authorities.tables import Authority
from tollgate.risk.history import TABLE, History
from tollgate.surveillance.tradeflows import Window

MONTHS = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 4)]
SHIFT = date(2026, 1, 1)
BASELINE = Window(date(2025, 1, 1), date(2025, 12, 31))
RECENT = Window(date(2026, 1, 1), date(2026, 3, 31))

#: (code, origin) -> (declarations a month before SHIFT, from SHIFT on)
FLOWS: dict[tuple[str, str], tuple[int, int]] = {
    ("73061011", "CN"): (16, 3),
    ("73061011", "MY"): (4, 17),
    ("73181500", "TW"): (15, 4),
    ("73181600", "TW"): (5, 16),
    ("84713000", "CN"): (12, 12),
    ("84713000", "VN"): (8, 8),
    ("84715000", "CN"): (10, 10),
}


@dataclass
class Planted:
    history: History
    nl: int
    de: int


class _Rows:
    def __init__(self) -> None:
        self.columns: dict[str, list[object]] = {
            "declaration_id": [],
            "row_no": [],
            "kind": [],
            "lodged_at": [],
            "item.commodity_code": [],
            "item.origin_country": [],
            "item.net_mass": [],
            "item.value": [],
            "trader.eori": [],
            "authority_id": [],
            "filing_id": [],
        }

    def add(
        self,
        authority: int,
        day: datetime,
        code: str,
        origin: str,
        trader: str,
        value: float = 1000.0,
        kind: str = "import",
    ) -> None:
        n = len(self.columns["declaration_id"]) + 1
        for name, v in (
            ("declaration_id", n),
            ("row_no", 0),
            ("kind", kind),
            ("lodged_at", day),
            ("item.commodity_code", code),
            ("item.origin_country", origin),
            ("item.net_mass", 100.0),
            ("item.value", value),
            ("trader.eori", trader),
            ("authority_id", authority),
            ("filing_id", n),
        ):
            self.columns[name].append(v)

    def table(self) -> pa.Table:
        return pa.table(
            {
                **self.columns,
                "lodged_at": pa.array(self.columns["lodged_at"], pa.timestamp("us", tz="UTC")),
                "row_no": pa.array(self.columns["row_no"], pa.int32()),
            }
        )


def plant(history: History, nl: int, de: int) -> None:
    rows = _Rows()
    for month in MONTHS:
        recent = month >= SHIFT
        for (code, origin), counts in FLOWS.items():
            for i in range(counts[recent]):
                day = datetime(month.year, month.month, 1 + i % 28, 9, tzinfo=UTC)
                rows.add(nl, day, code, origin, f"NL{code[:4]}{origin}{i % 4:04d}")
        at = datetime(month.year, month.month, 10, 9, tzinfo=UTC)
        for i in range(2):
            rows.add(nl, at, "73061011", "KR", f"NLKR{i:08d}")
        for i, value in enumerate((97_000.0, 1000.0, 1000.0, 1000.0)):
            rows.add(nl, at, "73061011", "TH", f"NLTH{i:08d}", value)
    rows.add(nl, datetime(2026, 2, 2, tzinfo=UTC), "73061011", "CN", "NLENS0000001", kind="ens")
    for i in range(40):
        rows.add(de, datetime(2026, 2, 2, tzinfo=UTC), "73061011", "ID", f"DE{i:010d}")
    history.ensure_table()
    with history.connection() as con:
        con.register("planted", rows.table())
        con.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM planted")  # noqa: S608
        con.unregister("planted")


@pytest.fixture
def planted(factory: sessionmaker[Session], tmp_path: Path) -> Iterator[Planted]:
    with factory() as session:
        ids = {code: aid for code, aid in session.execute(select(Authority.code, Authority.id))}
    history = History(tmp_path / "planted.duckdb")
    plant(history, ids["NL"], ids["DE"])
    yield Planted(history, ids["NL"], ids["DE"])
    history.close()


def stored_shift_filings() -> list[dict[str, object]]:
    """Thirty NL import declarations for the normal path (intake, then the history's
    refresh): in January 2026 tubes (730610) come 12 from CN and 3 from MY, in March 3
    from CN and 12 from MY; footwear (640399) moves from VN to ID the same way. Three
    importers take turns, so every cell passes the anonymity rule."""
    out: list[dict[str, object]] = []
    for month, (cn, my) in ((1, (12, 3)), (3, (3, 12))):
        for i, origin in enumerate(["CN"] * cn + ["MY"] * my):
            other = "VN" if origin == "CN" else "ID"
            eori = f"NL{100000001 + i % 3}"
            out.append(
                import_h1(
                    lrn=f"TF-{month}-{i}",
                    htd=None,
                    lodged_at=f"2026-{month:02d}-{1 + i:02d}T09:00:00Z",
                    importer=party("Importer", "NL", eori=eori),
                    goods_items=[
                        goods(1, commodity_code="73061011", origin_country=origin),
                        goods(2, commodity_code="64039900", origin_country=other),
                    ],
                )
            )
    return out
