"""A labelled NL history with a learnable pattern: shirts (6109) from Bangladesh imported
by one trader are mostly irregular, the rest rarely; October trains, November validates."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import goods, import_h1, party
from tollgate.authorities.seed import seed_authorities
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.declarations.tables import FilingLabel, FilingRecord
from tollgate.intake.service import submit
from tollgate.risk.history import History

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
NL_OFFICER = Actor("nl-officer", None, "NL", frozenset({"officer"}))
DE_ANALYST = Actor("de-analyst", None, "DE", frozenset({"analyst"}))
TRAIN = (date(2026, 10, 1), date(2026, 10, 31))
VALIDATE = (date(2026, 11, 1), date(2026, 11, 20))


def filing(n: int, rng: random.Random) -> tuple[dict[str, object], int | None]:
    month, day = (10, 1 + n % 31) if n < 200 else (11, 1 + n % 20)
    risky = rng.random() < 0.35
    trader = "NL900000001" if risky else f"NL80000{rng.randrange(10):04d}"
    code, origin = ("61091000", "BD") if risky else (rng.choice(["84713000", "64039900"]), "CN")
    irregular = rng.random() < (0.85 if risky else 0.06)
    doc = import_h1(
        lrn=f"S-{n:04d}",
        htd=None,
        lodged_at=f"2026-{month:02d}-{day:02d}T09:00:00Z",
        importer=party("Importer", "NL", eori=trader),
        goods_items=[
            goods(
                commodity_code=code,
                origin_country=origin,
                item_price=f"{rng.randrange(500, 5000)}.00",
                net_mass=float(rng.randrange(20, 400)),
            )
        ],
    )
    label = None if n % 17 == 0 else int(irregular)  # some filings never controlled
    return doc, label


@pytest.fixture
def labelled(factory: sessionmaker[Session], tmp_path: Path) -> History:
    rng = random.Random(7)
    made = [filing(n, rng) for n in range(320)]
    with factory() as session, session.begin():
        seed_authorities(session)
        submit(session, actor=SYSTEM, records=[doc for doc, _ in made])
        ids = {f.lrn: f.id for f in session.scalars(select(FilingRecord))}
        for n, (_, label) in enumerate(made):
            if label is not None:
                session.add(
                    FilingLabel(filing_id=ids[f"S-{n:04d}"], name="fraud", value=str(label))
                )
    store = History(tmp_path / "history.duckdb")
    store.refresh(factory)
    return store


@pytest.fixture(autouse=True)
def one_training_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs two workers on two cores: OpenMP teams of two per worker would
    spin against each other and make a second of training a minute."""
    from tollgate.scoring import model

    monkeypatch.setitem(model.PARAMS, "num_threads", 1)
