"""Credibility checks at clearance (RM-9): parameterised plausibility rules per commodity
code whose outcome is block or flag (issue 3 point 3), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from factories import goods, house, import_h1
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.authorities.tables import Authority
from tollgate.cli.main import app
from tollgate.declarations.models import FilingAdapter
from tollgate.declarations.tables import FilingVersion
from tollgate.errors import NotAuthorised, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import credibility, service
from tollgate.risk.credibility import Checks, Finding, Outcome, Parameter, RuleSet
from tollgate.risk.facts import rows_of
from tollgate.risk.language import ProfileError
from tollgate.risk.tables import Assessment, CredibilityRuleSet

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
DE_ANALYST = Actor("de-analyst", None, "DE", frozenset({"analyst"}))
NL_OFFICER = Actor("nl-officer", None, "NL", frozenset({"officer"}))


def rule(**overrides: Any) -> dict[str, Any]:
    """A valid rule: knitted apparel below EUR 1 per kg is flagged."""
    r: dict[str, Any] = {
        "id": "CC-KNIT-LOW",
        "title": "Knitted apparel below EUR 1/kg",
        "commodity_codes": ["61"],
        "parameter": "unit_value_per_kg",
        "min": 1.0,
        "outcome": "flag",
        "reason": "Below the cost of the yarn.",
        "instructions": "Ask for the invoice.",
    }
    r.update(overrides)
    return {k: v for k, v in r.items() if v is not None}


def rows(*items: dict[str, Any], kind: str = "import") -> list[dict[str, Any]]:
    """The fact rows of an H1 import (or an ENS house filing) with these goods items."""
    doc = import_h1(goods_items=list(items)) if kind == "import" else house(goods_items=list(items))
    return rows_of(FilingAdapter.validate_python(doc), "NL")


def check(rules: list[dict[str, Any]], *items: dict[str, Any]) -> list[Finding]:
    ruleset = RuleSet(credibility.parse_rule_set({"rules": rules}), "EU-COM", 1)
    return Checks([ruleset]).check(rows(*items))


# ------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        (
            {"rules": [rule(), rule(id="CC-BAD", commodity_codes=["61", "6x"])]},
            "rules[1].commodity_codes[1]",
            "expected an HS/CN code prefix of 2 to 10 digits, or '*', not '6x'",
        ),
        (
            {"rules": [rule(commodity_codes=["61091000001"])]},
            "rules[0].commodity_codes[0]",
            "expected an HS/CN code prefix of 2 to 10 digits, or '*', not '61091000001'",
        ),
        (
            {"rules": [rule(commodity_codes=["6"])]},
            "rules[0].commodity_codes[0]",
            "expected an HS/CN code prefix of 2 to 10 digits, or '*', not '6'",
        ),
        (
            {"rules": [rule(commodity_codes=[61])]},
            "rules[0].commodity_codes[0]",
            "write the code 61 as quoted text; YAML reads it as a number",
        ),
        (
            {"rules": [rule(commodity_codes=[])]},
            "rules[0].commodity_codes",
            "List should have at least 1 item after validation, not 0",
        ),
        (
            {"rules": [rule(commodity_codes=["*", "61"])]},
            "rules[0].commodity_codes",
            "'*' (every code) must stand alone",
        ),
        (
            {"rules": [rule(min=None)]},
            "rules[0]",
            "give min, max or both: the credible range of the parameter",
        ),
        ({"rules": [rule(min=2, max=1)]}, "rules[0].max", "max 1 is below min 2"),
        (
            {"rules": [rule(min=-1)]},
            "rules[0].min",
            "must be 0 or more: every parameter is a mass, value or ratio",
        ),
        ({"rules": [rule(min="1.0")]}, "rules[0].min", "Input should be a valid number"),
        ({"rules": [rule(max=float("inf"))]}, "rules[0].max", "Input should be a finite number"),
        (
            {"rules": [rule(parameter="price")]},
            "rules[0].parameter",
            "Input should be 'unit_value_per_kg', 'unit_value_per_unit', 'net_mass_per_unit',"
            " 'net_to_gross_mass' or 'value'",
        ),
        (
            {"rules": [rule(outcome="reject")]},
            "rules[0].outcome",
            "Input should be 'block' or 'flag'",
        ),
        ({"rules": [rule(severity=3)]}, "rules[0].severity", "Extra inputs are not permitted"),
        ({"rules": [rule(), rule()]}, "rules[1].id", "duplicate rule id 'CC-KNIT-LOW'"),
        ({"rules": "CC-KNIT-LOW"}, "rules", "expected a list of rules"),
        ({"profiles": []}, "profiles", "unknown key; a rule set is {rules: [...]}"),
    ],
)
def test_rm9_invalid_rule_sets_name_the_path_and_reason(data: Any, path: str, reason: str) -> None:
    with pytest.raises(ProfileError) as exc:
        credibility.parse_rule_set(data)
    assert (exc.value.path, exc.value.reason) == (path, reason)


def test_rm9_unquoted_yaml_codes_are_refused_not_mangled() -> None:
    """YAML 1.1 reads 0101 as the octal number 65: the file must quote codes."""
    data = yaml.safe_load(
        "rules:\n  - {id: CC-HORSES, title: Horses, commodity_codes: [0101],"
        " parameter: value, max: 1, outcome: flag, reason: Horses are never this cheap.}"
    )
    with pytest.raises(ProfileError) as exc:
        credibility.parse_rule_set(data)
    assert exc.value.path == "rules[0].commodity_codes[0]"
    assert exc.value.reason == "write the code 65 as quoted text; YAML reads it as a number"


def test_rm9_a_set_is_canonical_whatever_the_order() -> None:
    a = credibility.parse_rule_set([rule(commodity_codes=["62", "61", "61"]), rule(id="CC-A")])
    b = credibility.parse_rule_set({"rules": [rule(id="CC-A"), rule(commodity_codes=["61", "62"])]})
    assert a == b and [r.id for r in a] == ["CC-A", "CC-KNIT-LOW"]
    assert a[1].commodity_codes == ["61", "62"]


def test_rm9_the_starter_set_is_valid_and_covers_every_parameter() -> None:
    rules = credibility.parse_rule_set(credibility.starter_checks())
    assert {r.parameter for r in rules} == set(Parameter)
    assert {r.outcome for r in rules} == set(Outcome)
    net_gross = next(r for r in rules if r.id == "CC-NET-ABOVE-GROSS")
    assert (net_gross.commodity_codes, net_gross.max, net_gross.outcome) == (["*"], 1.0, "block")


# ---------------------------------------------------------------------------- parameters

T_SHIRTS = "61091000"  # goods(): EUR 2400, gross 120 kg, net 110 kg


@pytest.mark.parametrize(
    ("parameter", "item", "bounds", "value"),
    [
        ("unit_value_per_kg", {}, {"min": 25.0}, 2400 / 110),
        ("unit_value_per_kg", {"net_mass": None}, {"min": 25.0}, 2400 / 120),  # gross
        ("unit_value_per_unit", {"supplementary_units": 100}, {"min": 30.0}, 24.0),
        ("net_mass_per_unit", {"supplementary_units": 100}, {"max": 1.0}, 1.1),
        ("net_to_gross_mass", {"net_mass": 130.0}, {"max": 1.0}, 130 / 120),
        ("net_to_gross_mass", {"net_mass": 12.0}, {"min": 0.5}, 0.1),
        ("value", {}, {"max": 2000.0}, 2400.0),
        ("value", {"item_price": None, "statistical_value": "900"}, {"min": 1000.0}, 900.0),
    ],
)
def test_rm9_each_parameter_is_measured_on_the_goods_item(
    parameter: str, item: dict[str, Any], bounds: dict[str, float], value: float
) -> None:
    found = check(
        [rule(parameter=parameter, **({"min": None} | bounds))],
        goods(commodity_code=T_SHIRTS, **item),
    )
    assert len(found) == 1
    assert found[0].parameter == parameter
    assert found[0].value == pytest.approx(value)
    assert (found[0].min, found[0].max) == (bounds.get("min"), bounds.get("max"))


@pytest.mark.parametrize(
    ("parameter", "item", "bounds"),
    [
        ("unit_value_per_kg", {}, {"min": 2400 / 110}),  # bounds are inclusive
        ("net_to_gross_mass", {"net_mass": 120.0}, {"max": 1.0}),  # net = gross is fine
        ("value", {}, {"max": 2400.0}),
        ("unit_value_per_kg", {"item_price": None}, {"min": 25.0}),  # no value
        ("unit_value_per_kg", {"net_mass": None, "gross_mass": None}, {"min": 25.0}),
        ("unit_value_per_unit", {}, {"min": 30.0}),  # no supplementary units
        ("net_mass_per_unit", {"supplementary_units": 0}, {"max": 0.5}),
        ("net_mass_per_unit", {"net_mass": None, "supplementary_units": 10}, {"max": 0.5}),
        ("net_to_gross_mass", {"gross_mass": None, "net_mass": 999.0}, {"max": 1.0}),
        ("value", {"item_price": None}, {"max": 1.0}),
    ],
)
def test_rm9_credible_or_missing_values_trigger_nothing(
    parameter: str, item: dict[str, Any], bounds: dict[str, float]
) -> None:
    assert (
        check(
            [rule(parameter=parameter, **({"min": None} | bounds))],
            goods(commodity_code=T_SHIRTS, **item),
        )
        == []
    )


def test_rm9_a_finding_names_rule_set_item_value_and_bounds() -> None:
    items = [goods(1, commodity_code="84713000"), goods(7, commodity_code=T_SHIRTS)]
    filing = FilingAdapter.validate_python(import_h1(goods_items=items))
    ruleset = RuleSet(credibility.parse_rule_set([rule(min=25.0, max=30.0)]), "NL", 3)
    [found] = Checks([ruleset]).check(rows_of(filing, "NL"), credibility.item_numbers(filing))
    assert (found.rule_id, found.authority, found.version, found.outcome) == (
        "CC-KNIT-LOW",
        "NL",
        3,
        Outcome.FLAG,
    )
    assert (found.row, found.item) == (1, 7)  # the declared item number, not the row
    assert found.describe() == (
        "item 7: unit value per kg (EUR) 21.8182 is below the minimum 25 "
        "(CC-KNIT-LOW, NL v3). Below the cost of the yarn."
    )
    assert found.as_reason()["kind"] == "credibility"


def test_rm9_only_declarations_at_clearance_are_checked() -> None:
    """An entry summary (safety and security, pre-arrival) is not a clearance filing."""
    ruleset = RuleSet(credibility.parse_rule_set([rule(min=25.0)]), "EU-COM", 1)
    item = goods(commodity_code="610910")
    assert len(Checks([ruleset]).check(rows(item))) == 1
    assert Checks([ruleset]).check(rows(item, kind="ens")) == []


# ---------------------------------------------------------------------------- specificity


SPECIFIC = [
    rule(id="CC-61-FLAG", commodity_codes=["61"], min=30.0),
    rule(id="CC-6117-FLAG", commodity_codes=["6117"], min=10.0),
    rule(id="CC-61-BLOCK", commodity_codes=["61"], min=5.0, outcome="block"),
    rule(id="CC-ANY-BLOCK", commodity_codes=["*"], parameter="value", max=1000.0, outcome="block"),
    rule(
        id="CC-6117-VALUE",
        commodity_codes=["611710"],
        parameter="value",
        max=5000.0,
        outcome="block",
    ),
]


@pytest.mark.parametrize(
    ("code", "price", "expected"),
    [
        # 21.8 EUR/kg: below the chapter's flag; 2400 EUR: above the "*" block
        (T_SHIRTS, "2400", {"CC-61-FLAG", "CC-ANY-BLOCK"}),
        # the heading's flag (min 10) replaces the chapter's (min 30); 611710 replaces "*"
        ("61171000", "2400", set()),
        # below the heading's flag, and below the chapter's block, which 6117 did not replace
        ("61171000", "500", {"CC-6117-FLAG", "CC-61-BLOCK"}),
        ("61171000", "5500", {"CC-6117-VALUE"}),
        # no code: only "*" rules apply
        (None, "2400", {"CC-ANY-BLOCK"}),
    ],
)
def test_rm9_the_most_specific_prefix_wins_per_parameter_and_outcome(
    code: str | None, price: str, expected: set[str]
) -> None:
    item = goods(commodity_code=code, item_price=price)
    assert {f.rule_id for f in check(SPECIFIC, item)} == expected


def test_rm9_sets_add_up_an_authority_cannot_loosen_the_commission() -> None:
    eu = RuleSet(credibility.parse_rule_set([rule(min=30.0)]), "EU-COM", 1)
    nl = RuleSet(credibility.parse_rule_set([rule(min=10.0, commodity_codes=["6109"])]), "NL", 1)
    found = Checks([eu, nl]).check(rows(goods(commodity_code=T_SHIRTS)))
    assert [(f.authority, f.rule_id) for f in found] == [("EU-COM", "CC-KNIT-LOW")]


def test_rm9_an_item_is_tested_only_against_the_rules_of_its_code() -> None:
    """Thousands of rules, each item tested against only the rules of its own code
    prefixes: the work per item follows the applicable rules, not the size of the set.
    (The speed itself is measured by bench/bench_risk.py, not by a timed test.)"""
    rnd = random.Random(9)
    many = [
        rule(id=f"CC-{i:05d}", commodity_codes=[f"{rnd.randrange(10, 97)}{i % 100:02d}"])
        for i in range(5000)
    ]
    checks = Checks([RuleSet(credibility.parse_rule_set(many), "EU-COM", 1)])
    items = [
        goods(n + 1, commodity_code=f"{rnd.randrange(10, 97)}{rnd.randrange(10**6):06d}")
        for n in range(200)
    ]
    examined = 0
    for row in rows(*items):
        code = row["item.commodity_code"]
        candidates = checks._rules_for(code)
        assert all(any(code.startswith(p) for p in c.rule.commodity_codes) for c in candidates)
        examined += len(candidates)
    assert examined <= 200 * 3  # about one rule in 2,000 applies to a random code


# ------------------------------------------------------------------------------- storage


def test_rm9_every_change_is_a_new_audited_version(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        first = credibility.import_rule_set(session, actor=NL_ANALYST, data=[rule()])
        again = credibility.import_rule_set(session, actor=NL_ANALYST, data={"rules": [rule()]})
        changed = credibility.import_rule_set(session, actor=NL_ANALYST, data=[rule(min=2.0)])
        emptied = credibility.import_rule_set(session, actor=NL_ANALYST, data={"rules": []})
    assert (first.authority, first.version, first.created, first.rules) == ("NL", 1, True, 1)
    assert (again.version, again.created) == (1, False)
    assert (changed.version, changed.created) == (2, True)
    assert (emptied.version, emptied.created, emptied.rules) == (3, True, 0)
    with factory() as session:
        stored = session.scalars(select(CredibilityRuleSet).order_by("version")).all()
        assert [(s.version, len(s.rules), s.changed_by) for s in stored] == [
            (1, 1, "nl-analyst"),
            (2, 1, "nl-analyst"),
            (3, 0, "nl-analyst"),
        ]
        assert stored[0].rules[0]["min"] == 1.0 and stored[1].rules[0]["min"] == 2.0
        audited = session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.action == "credibility_rule_set")
        ).all()
        assert audited == ["NL/v1", "NL/v2", "NL/v3"]
        nl = session.scalars(select(Authority).where(Authority.code == "NL")).one()
        assert not credibility.active_checks(session, nl)  # the empty set withdrew them


def test_rm9_an_invalid_set_changes_nothing(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        with pytest.raises(ValidationFailed) as exc:
            credibility.import_rule_set(
                session, actor=NL_ANALYST, data=[rule(), rule(id="CC-X", min=3, max=2)]
            )
        assert exc.value.details == [{"path": "rules[1].max", "reason": "max 2 is below min 3"}]
    with factory() as session:
        assert session.scalars(select(CredibilityRuleSet)).all() == []


def test_rm9_an_authority_manages_only_its_own_set(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        for target in ("DE", "EU-COM"):
            with pytest.raises(NotAuthorised, match=f"credibility checks of {target}"):
                credibility.import_rule_set(
                    session, actor=NL_ANALYST, data=[rule()], authority=target
                )
        with pytest.raises(NotAuthorised, match="manage_profiles"):
            credibility.import_rule_set(session, actor=NL_OFFICER, data=[rule()])
        assert credibility.import_rule_set(session, actor=DE_ANALYST, data=[rule()]).authority == (
            "DE"
        )
    with factory() as session:
        owners = session.scalars(
            select(Authority.code).join(
                CredibilityRuleSet, CredibilityRuleSet.authority_id == Authority.id
            )
        ).all()
        assert owners == ["DE"]


def test_rm9_the_commission_set_applies_to_everyone_a_national_set_to_its_own(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        credibility.import_rule_set(session, actor=SYSTEM, data=[rule()], authority="EU-COM")
        credibility.import_rule_set(session, actor=DE_ANALYST, data=[rule(id="CC-DE")])
        by_code = {a.code: a for a in session.scalars(select(Authority))}
        loaded = {
            code: [(s.authority, s.version) for s in credibility.active_checks(session, a).sets]
            for code, a in by_code.items()
            if code in ("NL", "DE", "EU-COM")
        }
    assert loaded == {
        "NL": [("EU-COM", 1)],
        "DE": [("EU-COM", 1), ("DE", 1)],
        "EU-COM": [("EU-COM", 1)],
    }


# ---------------------------------------------------------------------------- assessment


def _assess(factory: sessionmaker[Session], *filings: dict[str, Any]) -> list[Assessment]:
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=list(filings))
    service.assess_pending(factory, actor=SYSTEM)
    with factory() as session:
        return list(session.scalars(select(Assessment).order_by(Assessment.filing_version_id)))


def test_rm9_a_block_finding_blocks_the_declaration(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        credibility.import_rule_set(
            session, actor=SYSTEM, data=credibility.starter_checks(), authority="EU-COM"
        )
    net_above_gross = goods(2, commodity_code=T_SHIRTS, net_mass=150.0, gross_mass=120.0)
    [assessment] = _assess(factory, import_h1(goods_items=[goods(1), net_above_gross]))
    assert (assessment.decision, assessment.stage) == ("blocked", "clearance")
    [reason] = [r for r in assessment.reasons if r.get("kind") == "credibility"]
    assert reason == {
        "kind": "credibility",
        "rule_id": "CC-NET-ABOVE-GROSS",
        "title": "Net mass above gross mass",
        "authority": "EU-COM",
        "version": 1,
        "outcome": "block",
        "row": 1,
        "item": 2,
        "parameter": "net_to_gross_mass",
        "value": pytest.approx(1.25),
        "min": None,
        "max": 1.0,
        "reason": reason["reason"],
    }
    assert assessment.instructions.startswith(
        "Blocked (RM-9) item 2: net mass / gross mass 1.25 is above the maximum 1 "
        "(CC-NET-ABOVE-GROSS, EU-COM v1)."
    )
    assert "not accepted for release" in assessment.instructions


def test_rm9_a_flag_warns_the_officer_without_changing_the_decision(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        credibility.import_rule_set(session, actor=NL_ANALYST, data=[rule(min=25.0)])
        service.import_profiles(
            session,
            actor=NL_ANALYST,
            data=[
                {
                    "id": "NL-SHIRTS",
                    "title": "T-shirts",
                    "risk_area": "ipr",
                    "risk_level": 40,
                    "stage": "arrival",
                    "control": "documentary",
                    "rationale": "Counterfeit shirts seen in 2026.",
                    "when": {"field": "item.commodity_code", "prefix": ["6109"]},
                }
            ],
            activate=True,
        )
    flagged, released = _assess(
        factory,
        import_h1(),
        import_h1(lrn="I-0002", goods_items=[goods(commodity_code="84713000")]),
    )
    assert (flagged.decision, flagged.stage, flagged.score) == ("documentary", "arrival", 40)
    kinds = [(r.get("kind"), r.get("profile_id") or r["rule_id"]) for r in flagged.reasons]
    assert kinds == [(None, "NL-SHIRTS"), ("credibility", "CC-KNIT-LOW")]
    assert flagged.reasons[1]["outcome"] == "flag" and flagged.reasons[1]["item"] == 1
    assert flagged.instructions == (
        "Credibility flag (RM-9) item 1: unit value per kg (EUR) 21.8182 is below the minimum "
        "25 (CC-KNIT-LOW, NL v1). Below the cost of the yarn. Ask for the invoice."
    )
    assert (released.decision, released.reasons, released.instructions) == ("release", [], "")


def test_rm9_an_assessment_names_the_set_version_that_applied(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        credibility.import_rule_set(session, actor=NL_ANALYST, data=[rule(min=25.0)])
        credibility.import_rule_set(
            session, actor=NL_ANALYST, data=[rule(min=25.0, outcome="block")]
        )
    [assessment] = _assess(factory, import_h1())
    assert assessment.decision == "blocked"
    assert [(r["rule_id"], r["version"], r["outcome"]) for r in assessment.reasons] == [
        ("CC-KNIT-LOW", 2, "block")
    ]


def test_rm9_another_authoritys_set_does_not_apply(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        credibility.import_rule_set(
            session, actor=DE_ANALYST, data=[rule(min=25.0, outcome="block")]
        )
    [assessment] = _assess(factory, import_h1())  # lodged in NL
    assert (assessment.decision, assessment.reasons) == ("release", [])


def test_rm9_entry_summaries_are_not_blocked(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        credibility.import_rule_set(
            session, actor=SYSTEM, data=credibility.starter_checks(), authority="EU-COM"
        )
    [assessment] = _assess(factory, house(goods_items=[goods(net_mass=150.0)]))
    assert assessment.decision == "release"


def test_rm9_rules_are_loaded_once_per_authority_per_batch(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with factory() as session, session.begin():
        credibility.import_rule_set(session, actor=NL_ANALYST, data=[rule(min=25.0)])
        submit(
            session,
            actor=SYSTEM,
            records=[import_h1(lrn=f"I-{n}") for n in range(4)]
            + [import_h1(lrn="I-DE", office_of_lodgement="DE004853", filer="DE123456789")],
        )
    loads: list[str] = []
    real = credibility.active_checks

    def counting(session: Session, authority: Authority) -> Checks:
        loads.append(authority.code)
        return real(session, authority)

    monkeypatch.setattr(service, "active_checks", counting)
    with factory() as session, session.begin():
        ids = list(session.scalars(select(FilingVersion.id)))
        assessed = service.assess_versions(session, ids, trigger="test")
    assert sorted(loads) == ["DE", "NL"]
    assert [a.decision for a in assessed] == ["release"] * 5  # flags only
    assert sum(bool(a.reasons) for a in assessed) == 4  # the NL rule on NL filings only


# ----------------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_rm9_cli_imports_the_starter_and_a_national_file(
    factory: sessionmaker[Session], cli_db: str, tmp_path: Path
) -> None:
    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    starter = invoke("risk", "credibility", "import", "--starter")
    assert "credibility checks of EU-COM v1: 14 rules (new version)" in starter
    assert "EU-COM v1: 14 rules (unchanged)" in invoke("risk", "credibility", "import", "--starter")
    source = tmp_path / "nl.yaml"
    source.write_text(yaml.safe_dump({"rules": [rule()]}))
    out = invoke("risk", "credibility", "import", str(source), "--authority", "NL")
    assert "credibility checks of NL v1: 1 rules (new version)" in out
    source.write_text(yaml.safe_dump({"rules": [rule(commodity_codes=["6x"])]}))
    bad = invoke("risk", "credibility", "import", str(source), "--authority", "NL", code=2)
    assert "rules[0].commodity_codes[0]" in bad and "2 to 10 digits" in bad
    assert invoke("risk", "credibility", "import", code=2)  # neither a file nor --starter
