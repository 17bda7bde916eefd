"""Docs that cannot drift: every CLI command, API route and finding code is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from tollgate.api.app import create_app
from tollgate.cli.main import app as cli
from tollgate.config import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(app: typer.Typer, prefix: str = "") -> list[str]:
    out = []
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        out.append(f"{prefix}{name.replace('_', '-')}")
    for group in app.registered_groups:
        assert group.typer_instance is not None
        out.extend(_commands(group.typer_instance, f"{prefix}{group.name} "))
    return out


def test_every_cli_command_is_in_usage() -> None:
    usage = (DOCS / "usage.md").read_text()
    missing = [
        c
        for c in _commands(cli)
        if f"tollgate {c}" not in usage
        and f"`{c.split()[-1]} " not in usage
        and f"/ `{c}" not in usage
    ]
    assert missing == []


def test_every_api_route_is_documented() -> None:
    docs = "\n".join(path.read_text() for path in sorted(DOCS.glob("*.md")))
    app = create_app(Settings(database_url="sqlite://"))
    # the OpenAPI document lists every route, however routers are nested
    paths = {_shape(p) for p in app.openapi()["paths"]}
    assert len(paths) > 20  # the check itself must see the routes
    documented = {_shape(p).rstrip("/") for p in re.findall(r"(/[a-z_{}/.-]+)", docs)}
    assert sorted(p for p in paths - {"/health"} if p not in documented) == []


def _shape(path: str) -> str:
    """A route with its parameters unnamed: ``/filings/{id}`` documents
    ``/filings/{filing_id}``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_finding_code_emitted_on_demo_trade_is_documented() -> None:
    from datetime import UTC, datetime

    from tollgate.intake.records import PreparedFiling, prepare_json
    from tollgate.synthetic.generator import iter_filings

    doc = (DOCS / "data-quality.md").read_text()
    now = datetime.now(UTC)
    emitted: set[str] = set()
    for i, generated in enumerate(iter_filings(declarations=3000, seed=11)):
        out = prepare_json(generated.line, i, now)
        assert isinstance(out, PreparedFiling), out
        emitted |= {f.code for f in out.findings}
    assert len(emitted) >= 8  # the demo data plants problems of many kinds
    assert sorted(c for c in emitted if f"`{c}`" not in doc) == []


def test_every_cis_rule_is_mapped_to_code_and_existing_tests() -> None:
    """The CIS rule table (issue 5's "done when"): a row per rule CIS-1..CIS-51, and every
    test it cites exists in tests/cis."""
    doc = (DOCS / "cis.md").read_text()
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(r"^\| CIS-(\d+) \|.*$", doc, re.M)}
    assert sorted(rows) == list(range(1, 52))
    defined = {
        m.group(1)
        for path in (DOCS.parent / "tests" / "cis").glob("test_*.py")
        for m in re.finditer(r"^def (test_\w+)", path.read_text(), re.M)
    }
    cited = {name for row in rows.values() for name in re.findall(r"`(test_\w+)`", row)}
    assert len(cited) > 60
    assert sorted(cited - defined) == []
