"""The trade-flow report (RM-16): one self-contained HTML file with the ranked shifts,
a chart per shift and the exact figures, nothing a suppressed cell holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from surveillance.conftest import BASELINE, RECENT, Planted
from tollgate.authorities.service import SYSTEM
from tollgate.surveillance.report import render_trade_flows
from tollgate.surveillance.tradeflows import trade_flows

GENERATED = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)


def html_of(factory: sessionmaker[Session], planted: Planted, **kw: object) -> str:
    with factory() as session, session.begin():
        result = trade_flows(
            session, planted.history, actor=SYSTEM, authority="NL", baseline=BASELINE, recent=RECENT
        )
    return render_trade_flows(result, generated_at=GENERATED, **kw)  # type: ignore[arg-type]


def test_rm16_report_has_a_chart_and_the_exact_figures_for_every_shift(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    html = html_of(factory, planted)
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 2  # the origin shift and the code shift
    assert "<script" not in html.lower()
    assert "http" not in html  # no link, no namespace URI, nothing fetched
    assert not re.search(r"""(src|href)=["'](?!#)""", html)  # only in-page anchors
    assert "Origins of 730610" in html and "Codes of heading 7318" in html
    # the figures behind the origin shift: CN 192 declarations, EUR 192,000, 80% -> 15%
    assert "EUR 192,000.00" in html and "80.0%" in html and "15.0%" in html
    assert "-65.0 pp" in html and "+65.0 pp" in html
    assert "Generated 2026-04-01 08:30 UTC" in html


def test_rm16_report_shows_no_suppressed_cell_only_how_many(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    html = html_of(factory, planted)
    assert ">KR<" not in html and ">TH<" not in html
    assert '"KR"' not in html and '"TH"' not in html  # nor in the charts' data
    assert re.search(r"fewer than 3 traders</th><td class=\"n\">15<", html)
    assert re.search(r"one trader above 85.0%</th><td class=\"n\">15<", html)


def test_rm16_report_limit_and_an_empty_list(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    assert html_of(factory, planted, limit=1).count("<svg") == 1
    empty = html_of(factory, planted, offset=5)
    assert "<svg" not in empty and "no shift passed the thresholds" in empty
