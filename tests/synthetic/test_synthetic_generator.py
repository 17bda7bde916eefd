"""The synthetic trade generator: valid filings, exact counts, planted truth that holds."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from tollgate.declarations.models import FilingAdapter
from tollgate.reference.codes import EU_MEMBER_STATES
from tollgate.reference.nomenclature import locodes, nomenclature, vague_description_terms
from tollgate.synthetic import irregularities as irr
from tollgate.synthetic.generator import GenerationStats, generate, iter_filings
from tollgate.synthetic.irregularities import Rates

DECLARATIONS = 30_000
SEED = 20250303


@dataclass
class Run:
    stats: GenerationStats
    filings: list[dict[str, Any]]
    raw: list[bytes]
    labels: list[dict[str, Any]]
    operators: list[dict[str, Any]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    d = tmp_path_factory.mktemp("synthetic")
    stats = generate(
        declarations=DECLARATIONS,
        seed=SEED,
        out=d / "filings.jsonl",
        labels_out=d / "labels.jsonl",
        operators_out=d / "operators.jsonl",
        workers=1,
    )
    raw = (d / "filings.jsonl").read_bytes().splitlines()
    return Run(
        stats=stats,
        filings=[orjson.loads(line) for line in raw],
        raw=raw,
        labels=[orjson.loads(x) for x in (d / "labels.jsonl").read_bytes().splitlines()],
        operators=[orjson.loads(x) for x in (d / "operators.jsonl").read_bytes().splitlines()],
    )


def _ftype(f: dict[str, Any]) -> str:
    return str(f.get("filing_type") or f.get("declaration_type") or "CSM")


def _identity(f: dict[str, Any]) -> tuple[str, str, str]:
    return (f["kind"], f["filer"], f["lrn"])


def _consignments(run: Run) -> int:
    """House-level ENS first versions: one per consignment."""
    return sum(
        1
        for f in run.filings
        if f["kind"] == "ens" and f["layer"] in ("house", "complete") and not f.get("amendment")
    )


# ------------------------------------------------------------------------- validity


def test_every_sampled_filing_validates_against_the_declaration_model(run: Run) -> None:
    by_type: dict[str, list[bytes]] = defaultdict(list)
    for line, f in zip(run.raw, run.filings, strict=True):
        by_type[_ftype(f)].append(line)
    # A few thousand records, with every filing type represented.
    sample = [line for lines in by_type.values() for line in lines[:300]]
    assert len(sample) > 3000
    for line in sample:
        FilingAdapter.validate_json(line)


def test_every_filing_type_of_every_mode_is_produced(run: Run) -> None:
    types = Counter(_ftype(f) for f in run.filings)
    expected = {"F10", "F11", "F12", "F15", "F20", "F21", "F32", "F33", "F40", "F50"}
    assert expected <= set(types)
    assert {"H1", "H7", "CSM"} <= set(types)


def test_declaration_units_are_exactly_consignments_plus_import_declarations(run: Run) -> None:
    imports = sum(1 for f in run.filings if f["kind"] == "import")
    assert _consignments(run) + imports == DECLARATIONS
    assert run.stats.declarations == DECLARATIONS
    assert run.stats.consignments == _consignments(run)


def test_stats_count_what_the_files_contain(run: Run) -> None:
    assert run.stats.filings == len(run.filings)
    assert run.stats.by_kind == dict(Counter(f["kind"] for f in run.filings))
    assert run.stats.by_type == dict(Counter(_ftype(f) for f in run.filings))
    assert run.stats.amendments == sum(1 for f in run.filings if f.get("amendment"))
    per_label = Counter(name for lab in run.labels for name in lab["labels"])
    assert run.stats.labelled_filings == dict(per_label)
    assert run.stats.bytes_written == sum(len(line) + 1 for line in run.raw)


def test_most_consignments_are_followed_by_an_import_declaration(run: Run) -> None:
    share = sum(1 for f in run.filings if f["kind"] == "import") / _consignments(run)
    assert 0.8 < share < 0.95


def test_import_codes_are_eight_digit_cn_codes_starting_with_the_ens_hs6(run: Run) -> None:
    nom = nomenclature()
    hs6_by_doc: dict[str, str] = {}
    for f in run.filings:
        if f["kind"] == "ens" and f["layer"] in ("house", "complete"):
            code = f["goods_items"][0].get("commodity_code")
            if code:
                hs6_by_doc[f["house_transport_document"]] = code
    unknown = {lab["lrn"] for lab in run.labels if irr.DQ_UNKNOWN_CODE in lab["labels"]}
    checked = 0
    for f in run.filings:
        if f["kind"] != "import":
            continue
        first = f["goods_items"][0]
        code = first["commodity_code"]
        assert len(code) == 8 and code.isdigit()
        assert nom.commodity_code_exists(code) == (f["lrn"] not in unknown)
        ens_code = hs6_by_doc.get(f["transport_document"])
        if ens_code is not None:
            assert code.startswith(ens_code)
            checked += 1
    assert checked > 1000


def test_h7_is_used_exactly_for_consignments_of_at_most_150_euro(run: Run) -> None:
    for f in run.filings:
        if f["kind"] == "import":
            total = sum(g["item_price"] for g in f["goods_items"])
            assert (f["declaration_type"] == "H7") == (total <= 150)


def test_procedure_4000_dominates_with_some_4200(run: Run) -> None:
    codes = Counter(
        g["procedure_code"] for f in run.filings if f["kind"] == "import" for g in f["goods_items"]
    )
    assert codes["4000"] > 10 * codes["4200"] > 0


def test_import_filer_is_the_declarant(run: Run) -> None:
    for f in run.filings:
        if f["kind"] == "import":
            assert f["declarant"]["eori"] == f["filer"]


def test_places_are_real_un_locodes_and_offices_are_in_the_eu(run: Run) -> None:
    known = locodes()
    for f in run.filings:
        t = f.get("transport") or {}
        for key in ("place_of_loading", "place_of_unloading"):
            if key in t:
                assert t[key] in known
        if f["kind"] == "csm":
            assert f["place"] in known
            assert f["reported_to"] in EU_MEMBER_STATES
        office = f.get("office_of_first_entry") or f.get("office_of_lodgement")
        if office is not None:
            assert office[:2] in EU_MEMBER_STATES


def test_identities_are_unique_except_for_amendments(run: Run) -> None:
    first_versions = Counter(_identity(f) for f in run.filings if not f.get("amendment"))
    assert max(first_versions.values()) == 1


def test_some_descriptions_and_party_names_are_in_non_latin_script(run: Run) -> None:
    def non_latin(text: str) -> bool:
        return any(ord(ch) > 0x2FF for ch in text)

    descriptions = [
        g["description"]
        for f in run.filings
        if f["kind"] == "ens"
        for g in f.get("goods_items", [])
        if non_latin(g["description"])
    ]
    names = [
        f["consignor"]["name"]
        for f in run.filings
        if f["kind"] == "ens" and "consignor" in f and non_latin(f["consignor"]["name"])
    ]
    assert descriptions and names
    share = (len(descriptions) + len(names)) / len(run.filings)
    assert share < 0.02


# ------------------------------------------------------------------------- linking


def test_import_declarations_reference_a_house_document_filed_before_them(run: Run) -> None:
    seen: set[str] = set()
    imports = 0
    for f in run.filings:
        if f["kind"] == "ens" and "house_transport_document" in f:
            seen.add(f["house_transport_document"])
        elif f["kind"] == "import":
            imports += 1
            assert f["transport_document"] in seen
    assert imports > 0


def test_amendments_share_identity_with_an_earlier_filing_and_change_it(run: Run) -> None:
    earlier: dict[tuple[str, str, str], dict[str, Any]] = {}
    amendments = 0
    for f in run.filings:
        key = _identity(f)
        if f.get("amendment"):
            amendments += 1
            original = earlier[key]
            changed = {
                k for k in f if k not in ("amendment", "lodged_at") and f[k] != original.get(k)
            }
            assert changed
            assert f["lodged_at"] > original["lodged_at"]
        else:
            earlier[key] = f
    assert amendments > 0.02 * _consignments(run)


def test_house_and_master_are_filed_by_different_filers(run: Run) -> None:
    masters = {
        f["master_transport_document"]: f["filer"]
        for f in run.filings
        if f["kind"] == "ens" and f["layer"] == "master"
    }
    houses = [
        f
        for f in run.filings
        if f["kind"] == "ens" and f["layer"] == "house" and "master_transport_document" in f
    ]
    assert houses
    for h in houses:
        assert h["filer"] != masters[h["master_transport_document"]]


def test_masters_are_shared_by_several_houses_and_total_their_first_versions(run: Run) -> None:
    houses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in run.filings:
        house = f["kind"] == "ens" and f["layer"] == "house" and not f.get("amendment")
        if house and "master_transport_document" in f:
            houses[f["master_transport_document"]].append(f)
    masters = [
        f
        for f in run.filings
        if f["kind"] == "ens" and f["layer"] == "master" and not f.get("amendment")
    ]
    assert statistics.mean(len(houses[m["master_transport_document"]]) for m in masters) > 2
    for m in masters:
        hs = houses[m["master_transport_document"]]
        assert m["total_packages"] == sum(h["total_packages"] for h in hs)
        assert m["total_gross_mass"] == pytest.approx(sum(h["total_gross_mass"] for h in hs))


def test_air_pre_loading_comes_before_house_before_master(run: Run) -> None:
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for i, f in enumerate(run.filings):
        if f["kind"] != "ens" or f.get("amendment"):
            continue
        if f["filing_type"] in ("F10", "F12"):
            first[(f["filing_type"], f["house_transport_document"])] = (i, f["lodged_at"])
        elif f["filing_type"] == "F11":
            first[("F11", f["master_transport_document"])] = (i, f["lodged_at"])
    masters_of = {
        f["house_transport_document"]: f["master_transport_document"]
        for f in run.filings
        if f["kind"] == "ens" and f["filing_type"] == "F12"
    }
    assert masters_of
    for doc, mawb in masters_of.items():
        pre, house, master = first[("F10", doc)], first[("F12", doc)], first[("F11", mawb)]
        assert pre[0] < house[0] < master[0]  # in the stream
        assert pre[1] < house[1] <= master[1]  # and in time


def test_container_status_messages_are_about_containers_of_master_filings(run: Run) -> None:
    master_containers = {
        c
        for f in run.filings
        if f["kind"] == "ens" and f["layer"] == "master"
        for c in f["transport"].get("containers", [])
    }
    csms = [f for f in run.filings if f["kind"] == "csm"]
    assert csms
    for f in csms:
        assert f["container_number"] in master_containers
    assert {f["event"] for f in csms} >= {"loaded", "transshipped", "discharged"}


# ------------------------------------------------------------------------- ground truth


def test_labels_are_kept_out_of_the_filings_and_point_at_real_filings(run: Run) -> None:
    identities = {_identity(f) for f in run.filings}
    for line in run.raw:
        assert b'"labels"' not in line and b'"details"' not in line
    for lab in run.labels:
        assert (lab["kind"], lab["filer"], lab["lrn"]) in identities
        assert set(lab["labels"]) == set(lab["details"]) <= set(irr.LABELS)
    assert len({(lab["kind"], lab["filer"], lab["lrn"]) for lab in run.labels}) == len(run.labels)


def test_every_label_kind_is_planted_at_roughly_its_configured_rate(run: Run) -> None:
    rates = Rates()
    per_consignment = {
        name: len({lab["consignment"] for lab in run.labels if name in lab["labels"]})
        for name in irr.LABELS
    }
    assert all(per_consignment[name] > 0 for name in irr.LABELS), per_consignment
    n = _consignments(run)
    for name in irr.LABELS:
        if name == irr.KNOWN_BAD_ACTOR:
            continue
        observed = per_consignment[name] / n
        expected = getattr(rates, name)
        assert 0.4 * expected < observed < 1.8 * expected, (name, observed, expected)
    assert per_consignment == run.stats.labelled_consignments


def test_planted_undervaluation_is_far_below_its_lane_median(run: Run) -> None:
    under = {
        lab["lrn"]: lab["details"][irr.UNDERVALUATION]
        for lab in run.labels
        if irr.UNDERVALUATION in lab["labels"]
    }
    honest: dict[tuple[str, str], list[float]] = defaultdict(list)
    planted: list[tuple[tuple[str, str], float]] = []
    for f in run.filings:
        if f["kind"] != "import":
            continue
        for g in f["goods_items"]:
            lane = (g["commodity_code"][:6], g["origin_country"])
            unit = g["item_price"] / g["gross_mass"]
            if f["lrn"] in under and g["sequence"] == 1:
                planted.append((lane, unit))
            else:
                honest[lane].append(unit)
    ratios = [
        unit / statistics.median(honest[lane]) for lane, unit in planted if len(honest[lane]) >= 8
    ]
    assert len(ratios) > 50
    assert statistics.median(ratios) < 0.35
    assert sum(r < 0.6 for r in ratios) / len(ratios) > 0.9
    for detail in under.values():
        assert detail["declared_value"] < 0.4 * detail["true_value"]


def test_misclassified_goods_keep_their_true_description_under_another_code(run: Run) -> None:
    labels = {
        (lab["filer"], lab["lrn"]): lab["details"][irr.MISCLASSIFICATION]
        for lab in run.labels
        if irr.MISCLASSIFICATION in lab["labels"]
    }
    checked = 0
    for f in run.filings:
        detail = labels.get((f["filer"], f["lrn"]))
        if detail is None or f.get("amendment"):
            continue
        code = f["goods_items"][0]["commodity_code"]
        assert code.startswith(detail["declared_code"][:6])
        assert not code.startswith(detail["true_code"])
        checked += 1
    assert checked > 20


def test_laundered_containers_were_loaded_in_a_country_left_out_of_the_itinerary(
    run: Run,
) -> None:
    loaded = {
        f["container_number"]: f["place"]
        for f in run.filings
        if f["kind"] == "csm" and f["event"] == "loaded"
    }
    ens = {
        (f["filer"], f["lrn"]): f
        for f in run.filings
        if f["kind"] == "ens" and f["layer"] == "house" and not f.get("amendment")
    }
    checked = 0
    for lab in run.labels:
        if lab["kind"] != "ens" or irr.ORIGIN_LAUNDERING not in lab["labels"]:
            continue
        detail = lab["details"][irr.ORIGIN_LAUNDERING]
        house = ens[(lab["filer"], lab["lrn"])]
        itinerary = house["transport"]["itinerary"]
        place = loaded[detail["container"]]
        assert place == detail["loaded_at"]
        assert place[:2] == detail["true_origin"] not in itinerary
        assert house["goods_items"][0]["origin_country"] == detail["declared_origin"]
        assert itinerary[0] == detail["declared_origin"]
        checked += 1
    assert checked > 20


def test_vague_descriptions_are_terms_from_the_reference_stop_list(run: Run) -> None:
    terms = vague_description_terms()
    vague = [lab for lab in run.labels if irr.VAGUE_DESCRIPTION in lab["labels"]]
    assert vague
    for lab in vague:
        detail = lab["details"][irr.VAGUE_DESCRIPTION]
        assert detail["description"].lower() in terms
        assert detail["true_description"].lower() not in terms


def test_restricted_goods_carry_their_restricted_codes(run: Run) -> None:
    restricted_headings = {"9303", "2939", "0106", "2903"}
    found = [
        lab["details"][irr.RESTRICTED_GOODS]
        for lab in run.labels
        if irr.RESTRICTED_GOODS in lab["labels"]
    ]
    assert found
    assert {d["commodity_code"][:4] for d in found} <= restricted_headings
    assert {d["regime"] for d in found} >= {"firearms", "drug precursors"}


def test_known_bad_actors_in_labels_are_flagged_in_the_operator_register(run: Run) -> None:
    flagged = {op["eori"] for op in run.operators if op["known_bad_actor"] and op["eori"]}
    named = {
        p["eori"]
        for lab in run.labels
        if irr.KNOWN_BAD_ACTOR in lab["labels"]
        for p in lab["details"][irr.KNOWN_BAD_ACTOR]["parties"]
        if p["eori"]
    }
    assert named and named <= flagged
    register_keys = {"eori", "name", "country", "aeo", "size", "compliance_history"}
    assert register_keys <= set(run.operators[0])
    assert any(op["aeo"] for op in run.operators)


# ------------------------------------------------------------------------- determinism


def _files(tmp: Path, name: str, **kw: Any) -> tuple[bytes, bytes]:
    out, labels = tmp / f"{name}.jsonl", tmp / f"{name}.labels.jsonl"
    generate(out=out, labels_out=labels, **kw)
    return out.read_bytes(), labels.read_bytes()


def test_same_seed_and_size_give_byte_identical_output_in_any_number_of_processes(
    tmp_path: Path,
) -> None:
    args: dict[str, Any] = {"declarations": 9_000, "seed": 11}
    first = _files(tmp_path, "a", workers=1, **args)
    again = _files(tmp_path, "b", workers=1, **args)
    parallel = _files(tmp_path, "c", workers=2, **args)
    assert first == again == parallel
    other_seed = _files(tmp_path, "d", workers=1, declarations=9_000, seed=12)
    assert other_seed[0] != first[0]


def test_iter_filings_yields_the_same_lines_and_labels_as_generate(tmp_path: Path) -> None:
    filings, labels = _files(tmp_path, "g", declarations=4_500, seed=5, workers=1)
    items = list(iter_filings(declarations=4_500, seed=5))
    assert b"".join(i.line + b"\n" for i in items) == filings
    assert [i.label for i in items if i.label] == [orjson.loads(x) for x in labels.splitlines()]


def test_progress_reports_declarations_written_after_each_block(tmp_path: Path) -> None:
    seen: list[int] = []
    generate(
        declarations=5_000,
        seed=1,
        out=tmp_path / "p.jsonl",
        labels_out=None,
        progress=seen.append,
        workers=1,
    )
    assert seen == sorted(seen) and seen[-1] == 5_000 and len(seen) == 3


def test_zero_declarations_write_empty_files(tmp_path: Path) -> None:
    stats = generate(
        declarations=0, seed=1, out=tmp_path / "e.jsonl", labels_out=tmp_path / "e.l.jsonl"
    )
    assert stats.filings == 0
    assert (tmp_path / "e.jsonl").read_bytes() == b""
