"""Trade-flow surveillance (RM-16) on planted history: the planted shifts come first with
their figures, stable codes stay out, and no figure shows a cell behind which fewer than
three traders, or one dominant trader, stand (CIS-45)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from surveillance.conftest import BASELINE, RECENT, Planted
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import Actor
from tollgate.errors import NotAuthorised, ValidationFailed
from tollgate.risk.history import History
from tollgate.surveillance.significance import benjamini_hochberg, chi2_log_sf, g_test
from tollgate.surveillance.tradeflows import TradeFlows, Window, trade_flows

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
NL_COORDINATOR = Actor("nl-coordinator", None, "NL", frozenset({"coordinator"}))
NL_OFFICER = Actor("nl-officer", None, "NL", frozenset({"officer"}))


def run(
    factory: sessionmaker[Session],
    history: History,
    actor: Actor = NL_ANALYST,
    **kw: Any,
) -> TradeFlows:
    kw.setdefault("baseline", BASELINE)
    kw.setdefault("recent", RECENT)
    with factory() as session, session.begin():
        return trade_flows(session, history, actor=actor, **kw)


def test_rm16_origin_shift_after_an_anti_dumping_duty_ranks_first_with_its_figures(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(factory, planted.history)
    origin = [f for f in result.findings if f.kind == "origin_shift"]
    top = origin[0]
    assert top.code == "730610"
    assert result.findings[0] is top  # the strongest evidence of all
    assert [p.key for p in top.lost] == ["CN"] and [p.key for p in top.gained] == ["MY"]
    cn, my = top.lost[0], top.gained[0]
    assert (cn.baseline.declarations, cn.recent.declarations) == (16 * 12, 3 * 3)
    assert (my.baseline.declarations, my.recent.declarations) == (4 * 12, 17 * 3)
    assert [cn.baseline_share, cn.recent_share] == pytest.approx([0.8, 0.15])
    assert [my.baseline_share, my.recent_share] == pytest.approx([0.2, 0.85])
    assert cn.baseline.value == pytest.approx(192_000.0)
    assert cn.baseline.traders == 4 and cn.recent.traders == 3
    assert top.share_moved == pytest.approx(0.65)
    assert top.df == 1 and top.statistic > 50
    assert top.p_value < 1e-12 and top.q_value < 1e-12


def test_rm16_code_shift_to_the_neighbouring_subheading_is_found_within_the_heading(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(factory, planted.history)
    codes = [f for f in result.findings if f.kind == "code_shift"]
    assert [f.code for f in codes] == ["7318"]
    (shift,) = codes
    assert [p.key for p in shift.lost] == ["731815"] and [p.key for p in shift.gained] == ["731816"]
    assert shift.lost[0].baseline_share == pytest.approx(0.75)
    assert shift.lost[0].recent_share == pytest.approx(0.2)
    assert shift.share_moved == pytest.approx(0.55)


def test_rm16_stable_codes_and_headings_are_tested_but_not_reported(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(factory, planted.history)
    # 730610 and 847130 (origins), 7318 and 8471 (codes); single-part families are not
    assert result.tested == 4
    assert sorted((f.kind, f.code) for f in result.findings) == [
        ("code_shift", "7318"),
        ("origin_shift", "730610"),
    ]
    assert [f.rank for f in result.findings] == [1, 2]


def test_rm16_cells_with_few_traders_or_one_dominant_trader_are_suppressed_everywhere(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(factory, planted.history)
    # KR has two traders each month, TH one trader with 97% of the value: 15 months each
    assert result.suppressed == {"few_traders": 15, "dominated": 15}
    (tubes,) = [f for f in result.findings if f.code == "730610"]
    assert {p.key for p in tubes.parts} == {"CN", "MY"}
    assert {key for _, key, _ in tubes.series} == {"CN", "MY"}
    # totals and shares are of visible cells only: KR and TH add nothing anywhere
    assert tubes.baseline_total.declarations == 20 * 12
    assert sum(p.baseline_share for p in tubes.parts) == pytest.approx(1.0)
    page = result.as_dict()
    assert '"KR"' not in repr(page).replace("'", '"')
    assert '"TH"' not in repr(page).replace("'", '"')


def test_rm16_a_cell_with_exactly_min_traders_shows_and_raising_the_floor_hides_it(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    shown = run(factory, planted.history)
    # the recent CN cells of 730610 have three traders each: shown at 3, hidden at 4
    strict = run(factory, planted.history, min_traders=4)
    assert strict.suppressed["few_traders"] == shown.suppressed["few_traders"] + 3
    tubes = [f for f in strict.findings if f.code == "730610"]
    assert tubes and {p.key: p.recent.declarations for p in tubes[0].parts}["CN"] == 0


def test_rm16_the_anonymity_rule_can_be_tightened_but_not_loosened(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    with pytest.raises(ValidationFailed, match="at least 3 traders"):
        run(factory, planted.history, min_traders=2)
    with pytest.raises(ValidationFailed, match=r"dominance must be between 0\.5 and 0\.85"):
        run(factory, planted.history, dominance=0.9)


def test_rm16_only_the_own_authoritys_imports_are_counted(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(factory, planted.history)
    (tubes,) = [f for f in result.findings if f.code == "730610"]
    # the DE declarations from ID and the NL entry summary are not NL imports
    assert "ID" not in {p.key for p in tubes.parts}
    assert tubes.recent_total.declarations == 20 * 3
    with pytest.raises(NotAuthorised, match="cannot analyse the trade flows of DE"):
        run(factory, planted.history, authority="DE")


def test_rm16_coordinators_and_analysts_may_officers_may_not(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    assert run(factory, planted.history, actor=NL_COORDINATOR).findings
    with pytest.raises(NotAuthorised, match="analyse_trade_flows"):
        run(factory, planted.history, actor=NL_OFFICER)


def test_rm16_every_run_is_audited(factory: sessionmaker[Session], planted: Planted) -> None:
    run(factory, planted.history, level="hs4")
    with factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "trade_flow_surveillance")
        ).one()
        assert entry.actor == "nl-analyst"
        assert entry.object_id == "NL/2025-01-01..2025-12-31/2026-01-01..2026-03-31"
        assert entry.detail["level"] == "hs4" and entry.detail["min_traders"] == 3


def test_rm16_default_windows_end_with_the_newest_import(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(factory, planted.history, baseline=None, recent=None)
    assert result.recent == Window(date(2026, 1, 1), date(2026, 3, 17))
    assert result.baseline == Window(date(2025, 1, 1), date(2025, 12, 31))
    assert [f.code for f in result.findings][:1] == ["730610"]


def test_rm16_only_a_recent_window_gives_the_twelve_months_before_as_baseline(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(
        factory, planted.history, baseline=None, recent=Window(date(2026, 2, 1), date(2026, 3, 31))
    )
    assert result.baseline == Window(date(2025, 2, 1), date(2026, 1, 31))


@pytest.mark.parametrize(
    ("baseline", "recent", "message"),
    [
        (
            Window(date(2025, 12, 31), date(2025, 1, 1)),
            RECENT,
            r"the baseline window ends \(2025-01-01\) before it starts \(2025-12-31\)",
        ),
        (
            BASELINE,
            Window(date(2026, 3, 31), date(2026, 1, 1)),
            r"the recent window ends",
        ),
        (
            Window(date(2025, 1, 1), date(2026, 1, 15)),
            RECENT,
            r"must end before the recent window starts \(2026-01-01\)",
        ),
        (BASELINE, None, "a baseline needs a recent window"),
        (Window(date(2010, 1, 1), date(2010, 12, 31)), RECENT, "at most 3660 days"),
    ],
)
def test_rm16_bad_windows_are_refused_with_a_precise_message(
    factory: sessionmaker[Session],
    planted: Planted,
    baseline: Window,
    recent: Window | None,
    message: str,
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        run(factory, planted.history, baseline=baseline, recent=recent)


def test_rm16_weekly_cells_and_another_measure_find_the_same_shifts(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    weekly = run(factory, planted.history, period="week", measure="net_mass")
    assert sorted(f.code for f in weekly.findings) == ["730610", "7318"]
    tubes = next(f for f in weekly.findings if f.code == "730610")
    assert tubes.measure == "net_mass"
    assert all(p.weekday() == 0 for p, _, _ in tubes.series)  # weeks start on Monday
    # finer cells hold fewer traders, so more are suppressed; the chart and the table are
    # sums of the same visible cells all the same
    assert weekly.suppressed["few_traders"] > 15
    cn = next(p for p in tubes.parts if p.key == "CN")
    charted = sum(a for _, k, a in tubes.series if k == "CN")
    assert charted == pytest.approx(cn.baseline.net_mass + cn.recent.net_mass)
    assert charted < 201 * 100.0


def test_rm16_cn8_level_compares_codes_within_the_subheading(
    factory: sessionmaker[Session], planted: Planted
) -> None:
    result = run(factory, planted.history, level="cn8")
    assert ("origin_shift", "73061011") in {(f.kind, f.code) for f in result.findings}
    # the screws' CN8 codes are in different HS6 subheadings: nothing to compare within
    assert not [f for f in result.findings if f.kind == "code_shift"]


def test_rm16_an_empty_history_gives_an_empty_list(
    factory: sessionmaker[Session], tmp_path: Any
) -> None:
    result = run(factory, History(tmp_path / "empty.duckdb"))
    assert (result.findings, result.tested, result.cells) == ([], 0, 0)


def test_rm16_chi_square_tail_matches_closed_forms() -> None:
    # df 2: exp(-x/2); df 1: erfc(sqrt(x/2)); the usual 5% critical values
    for x in (0.1, 1.0, 5.0, 40.0, 3000.0):
        assert chi2_log_sf(x, 2) == pytest.approx(-x / 2)
    for x in (0.2, 1.0, 3.0, 9.0):
        assert math.exp(chi2_log_sf(x, 1)) == pytest.approx(math.erfc(math.sqrt(x / 2)))
    assert math.exp(chi2_log_sf(3.841458820694124, 1)) == pytest.approx(0.05)
    assert math.exp(chi2_log_sf(11.070497693516351, 5)) == pytest.approx(0.05)
    assert math.exp(chi2_log_sf(30.0, 10)) == pytest.approx(0.000856641, rel=1e-5)
    assert chi2_log_sf(0.0, 3) == 0.0


def test_rm16_g_test_sees_no_shift_in_proportional_counts_and_a_clear_one_otherwise() -> None:
    assert g_test([[12, 6], [8, 4]])[0] == pytest.approx(0.0)
    g, df, log_p = g_test([[12, 3], [3, 12]])
    assert df == 1 and 10 < g < 12 and math.exp(log_p) < 0.001
    assert g_test([[5, 0]])[1] == 0  # one part: nothing to compare


def test_rm16_benjamini_hochberg_q_values() -> None:
    q = benjamini_hochberg([math.log(p) for p in (0.01, 0.04, 0.03, 0.5)])
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
