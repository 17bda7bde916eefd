"""DQ-7: per-filer scorecards over a period, worst first, with finding shares and
rejections — checked against hand-computed values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from factories import house
from tollgate.authorities.service import SYSTEM, Actor, get_authority
from tollgate.intake.service import submit
from tollgate.quality import scorecards as sc

GOOD = "NL100000001"
POOR = "NL300000003"


def _period() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=1), now + timedelta(days=1)


def _load(factory: sessionmaker[Session]) -> None:
    records = [house(lrn=f"G{i}", filer=GOOD, htd=f"G{i}") for i in range(4)]
    records += [
        house(
            lrn=f"P{i}",
            filer=POOR,
            htd=f"P{i}",
            goods_items__0__description="Gifts" if i < 2 else "Men's cotton knitted T-shirts",
        )
        for i in range(4)
    ]
    records.append(house(lrn="P9", filer=POOR, office_of_first_entry="NL39"))  # rejected
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=records)


def test_dq_7_scorecards_rank_worst_first_with_shares(factory: sessionmaker[Session]) -> None:
    _load(factory)
    with factory() as session:
        start, end = _period()
        cards, total = sc.scorecards(session, SYSTEM, received_from=start, received_to=end)
    assert total == 2
    assert [c.filer for c in cards] == [POOR, GOOD]
    poor, good = cards
    assert (poor.rank, poor.filings, poor.rejected_records) == (1, 4, 1)
    vague = [k for k in poor.finding_shares if k.startswith("DQ-3/")]
    assert vague and poor.finding_shares[vague[0]] == 0.5  # 2 of 4 filings
    assert poor.mean_score < good.mean_score
    assert good.rejected_records == 0
    assert not any(k.startswith("DQ-3/") for k in good.finding_shares)
    assert poor.weekly_mean_score and poor.weekly_mean_score[0][1] == poor.mean_score


def test_dq_7_scorecards_respect_authority_and_period(factory: sessionmaker[Session]) -> None:
    _load(factory)
    with factory() as session:
        de = get_authority(session, "DE")
        de_analyst = Actor("de-analyst", de.id, "DE", frozenset({"analyst"}))
        start, end = _period()
        assert sc.scorecards(session, de_analyst, received_from=start, received_to=end) == ([], 0)
        past = datetime.now(UTC) - timedelta(days=30)
        cards, total = sc.scorecards(
            session, SYSTEM, received_from=past - timedelta(days=1), received_to=past
        )
        assert (cards, total) == ([], 0)
        summary = sc.summary(session, SYSTEM, received_from=start, received_to=end)
        assert summary.filings == 8
        assert any(rule == "DQ-3" and n == 2 for rule, _, _, n in summary.by_finding)
