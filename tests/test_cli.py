"""The command line: administration, load with a rejection report, quality, audit."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from factories import house
from tollgate.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_init_users_tokens_and_audit(cli_db: str) -> None:
    assert "authorities registered" in invoke("init")
    assert "created in NL" in invoke(
        "user", "add", "anna", "--authority", "NL", "--role", "analyst", "--role", "intake"
    )
    token = invoke("user", "token", "anna").strip().splitlines()[-1]
    assert token.startswith("tg_") and len(token) > 40
    assert "1 token(s) revoked" in invoke("user", "revoke", "anna")
    bad = runner.invoke(app, ["user", "add", "bob", "--authority", "NL", "--role", "emperor"])
    assert bad.exit_code == 2 and "unknown roles" in bad.output
    assert "audit log intact" in invoke("audit", "verify")
    assert "issue_token" in invoke("audit", "list", "--limit", "200")


def test_load_prints_summary_and_writes_report(cli_db: str, tmp_path: Path) -> None:
    src = tmp_path / "f.jsonl"
    src.write_bytes(orjson.dumps(house()) + b"\n" + orjson.dumps(house(lrn="X", filer="Q")) + b"\n")
    report = tmp_path / "rejections.jsonl"
    out = invoke("load", str(src), "--report", str(report))
    assert "load job 1" in out and "invalid_eori" in out
    rows = [orjson.loads(line) for line in report.read_text().splitlines()]
    assert rows == [
        {
            "position": 2,
            "record_id": "X",
            "field": "filer",
            "code": "invalid_eori",
            "message": rows[0]["message"],
        }
    ]
    assert "was loaded before" in invoke("load", str(src))
    assert "NL100000001" in invoke("quality", "scorecards")
    assert "data quality: 1 filing versions" in invoke("quality", "summary")


def test_load_refuses_unknown_format_clearly(cli_db: str, tmp_path: Path) -> None:
    src = tmp_path / "f.xml"
    src.write_text("<x/>")
    result = runner.invoke(app, ["load", str(src)])
    assert result.exit_code == 2 and "cannot tell the format" in result.output
