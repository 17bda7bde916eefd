"""``tollgate surveillance trade-flows`` (RM-16): filings stored the normal way, the
history refreshed, the shifts printed and the report written."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine
from typer.testing import CliRunner

from surveillance.conftest import stored_shift_filings
from tollgate.authorities.seed import seed_authorities
from tollgate.authorities.service import SYSTEM
from tollgate.cli.main import app
from tollgate.db import session_factory
from tollgate.intake.service import submit

WINDOWS = ["--baseline", "2026-01-01..2026-01-31", "--recent", "2026-03-01..2026-03-31"]


def store(url: str) -> None:
    engine = create_engine(url)
    with session_factory(engine)() as session, session.begin():
        seed_authorities(session)
        submit(session, actor=SYSTEM, records=stored_shift_filings())
    engine.dispose()


def test_rm16_cli_prints_the_ranked_shifts_and_writes_the_report(
    cli_db: str, tmp_path: Path
) -> None:
    store(cli_db)
    out = tmp_path / "flows.html"
    args = ["surveillance", "trade-flows", "--authority", "NL", *WINDOWS]
    result = CliRunner().invoke(app, [*args, "--min-declarations", "5", "--report", str(out)])
    assert result.exit_code == 0, result.output
    printed = " ".join(result.output.split())  # the console wraps at its width
    assert "history: 30 filing versions added" in printed
    assert "8 cells shown, 0 suppressed" in printed
    assert "2 shifts, strongest evidence first" in printed
    assert "730610" in printed and "640399" in printed
    assert "report written to" in printed
    html = out.read_text()
    assert html.count("<svg") == 2 and "<script" not in html.lower()

    as_json = CliRunner().invoke(app, [*args, "--min-declarations", "5", "--json", "--limit", "1"])
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.output[as_json.output.index("{") :])
    assert (body["total"], len(body["findings"])) == (2, 1)
    (top,) = body["findings"]
    assert (top["lost"][0]["change"], top["gained"][0]["change"]) == (-0.6, 0.6)

    # with the default 20 declarations a window, these codes are too small to test
    quiet = CliRunner().invoke(app, args)
    assert quiet.exit_code == 0, quiet.output
    printed = " ".join(quiet.output.split())
    assert "0 codes and headings tested" in printed
    assert "no shift passed the thresholds" in printed


def test_rm16_cli_errors_are_friendly(cli_db: str) -> None:
    engine = create_engine(cli_db)
    with session_factory(engine)() as session, session.begin():
        seed_authorities(session)
    engine.dispose()
    runner = CliRunner()
    bad = runner.invoke(
        app, ["surveillance", "trade-flows", "--authority", "NL", "--recent", "2026-03-01"]
    )
    assert bad.exit_code == 2 and "--recent takes START..END" in bad.output
    overlap = runner.invoke(
        app,
        [
            "surveillance",
            "trade-flows",
            "--authority",
            "NL",
            "--baseline",
            "2026-01-01..2026-03-10",
            "--recent",
            "2026-03-01..2026-03-31",
        ],
    )
    assert overlap.exit_code == 2
    assert "must end before the recent window starts (2026-03-01)" in " ".join(
        overlap.output.split()
    )
    nobody = runner.invoke(app, ["surveillance", "trade-flows"])
    assert nobody.exit_code == 2 and "--authority" in nobody.output
