"""``tollgate cis``: designations, alerts from a file, screening, review, the daily
housekeeping with a controllable date, and key rotation (CIS-13, CIS-22..25, CIS-49,
CIS-50)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import orjson
import sqlalchemy as sa
from typer.testing import CliRunner

from factories import container, goods, import_h1
from tollgate.cis.crypto import parse_keys
from tollgate.cli.main import app
from tollgate.config import get_settings

runner = CliRunner()
BOX = container("CLI", 3)


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _alerts(tmp_path: Path) -> Path:
    path = tmp_path / "alerts.yaml"
    path.write_text(
        """
alerts:
  - category: means_of_transport
    action: sighting_and_reporting
    reason: container seen in a counterfeit case
    subject: {containers: ["BOX"]}
  - category: persons
    action: discreet_surveillance
    reason: courier of a smuggling network
    person: {surname: Kowalski, forenames: Jan, date_of_birth: "1980-01-01"}
    justification: Seized with 20,000 undeclared cigarettes on 2026-03-01 at Terespol.
""".replace("BOX", BOX)
    )
    return path


def test_cis_13_import_needs_a_designation_then_screens_and_reviews(
    cli_db: str, tmp_path: Path
) -> None:
    invoke("init")
    alerts = _alerts(tmp_path)
    refused = invoke("cis", "import", str(alerts), "--authority", "NL", code=2)
    assert "CIS-13" in refused
    invoke("cis", "designate", "NL", "--supervisory-authority", "Autoriteit Persoonsgegevens")
    assert "2 alerts entered for NL" in invoke("cis", "import", str(alerts), "--authority", "NL")
    source = tmp_path / "filings.jsonl"
    source.write_bytes(
        orjson.dumps(import_h1(lrn="BOXED", htd=None, goods_items=[goods(containers=[BOX])]))
        + b"\n"
    )
    invoke("load", str(source))
    assert "1 new hits awaiting review" in invoke("cis", "screen")
    listed = invoke("cis", "hits", "--authority", "NL")
    assert "CLIU" in listed  # the container that matched
    assert "confirmed" in invoke("cis", "review", "1", "--authority", "NL")


def test_cis_9_import_is_all_or_nothing_and_names_the_alert(cli_db: str, tmp_path: Path) -> None:
    invoke("init")
    invoke("cis", "designate", "NL", "--supervisory-authority", "AP")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {category: commodities, action: specific_checks, reason: r, "
        "subject: {commodity_codes: ['2402']}}\n"
        "- {category: persons, action: specific_checks, reason: r, person: {surname: X}}\n"
    )
    out = invoke("cis", "import", str(bad), "--authority", "NL", code=2)
    assert "alert 2" in out and "CIS-9" in out
    assert "0 queries" in invoke("cis", "coverage")


def test_cis_22_to_25_housekeeping_runs_as_of_a_given_day(cli_db: str, tmp_path: Path) -> None:
    invoke("init")
    invoke("cis", "designate", "NL", "--supervisory-authority", "AP")
    invoke("cis", "import", str(_alerts(tmp_path)), "--authority", "NL")
    today = date.today()
    first = invoke("cis", "retention", "--today", str(today + timedelta(days=340)))
    assert "2 review notices" in first
    moved = invoke("cis", "retention", "--today", str(today + timedelta(days=366)))
    assert "2 moved to the restricted area" in moved
    gone = invoke("cis", "retention", "--today", str(today + timedelta(days=366 + 366)))
    assert "2 deleted" in gone
    assert "not a date" in invoke("cis", "retention", "--today", "soon", code=2)


def test_cis_50_rotate_keys_reencrypts_everything_and_keeps_it_readable(
    cli_db: str, tmp_path: Path
) -> None:
    invoke("init")
    invoke("cis", "designate", "NL", "--supervisory-authority", "AP")
    invoke("cis", "import", str(_alerts(tmp_path)), "--authority", "NL")
    engine = sa.create_engine(cli_db)
    with engine.connect() as conn:
        before = conn.execute(
            sa.text("SELECT sealed FROM cis_alerts WHERE sealed IS NOT NULL")
        ).scalar_one()
    key_file = Path(os.environ["TOLLGATE_CIS_KEY_FILE"])
    old = parse_keys(key_file.read_text())
    assert "Kowalski" not in before and old.open(before)["person"]["surname"] == "Kowalski"
    out = invoke("cis", "rotate-keys")
    assert "re-encrypted" in out and "2 keys" in out
    get_settings.cache_clear()
    new = parse_keys(key_file.read_text())
    with engine.connect() as conn:
        after = conn.execute(
            sa.text("SELECT sealed FROM cis_alerts WHERE sealed IS NOT NULL")
        ).scalar_one()
    engine.dispose()
    assert after != before
    assert new.open(after)["person"]["surname"] == "Kowalski"
    only_new = parse_keys(f"{new.keys[0].decode()},index:{new.index_key.decode()}")
    assert only_new.open(after)["person"]["surname"] == "Kowalski"  # the old key is not needed
