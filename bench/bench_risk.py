"""Per-declaration risk assessment with 1,000 active profiles, against rule-engine (issue 3).

Synthetic trade is generated (seeded) with its operator register; every filing becomes its
fact rows (``rows_of``, one per goods item; timed, reported apart). 1,000 seeded profiles
resembling customs targeting are drawn from the codes, origins and descriptions of that
trade and from others it never shows: commodity-code prefixes with origins and value or
mass thresholds (60%), origins, consignor and loading countries, transport modes,
descriptions (``contains``, ``matches``), party watch lists (``in_list`` on a managed list
of 3,000 EORIs), ``any``/``not``, and 2.5% without any code to index them by (thresholds,
lists, ``any`` at the top).

Timed per filing with ``time.perf_counter_ns`` (and the thread's CPU time, which a busy
machine does not inflate): ``ProfileIndex.assess(rows)`` on every filing, ``--repeats``
passes after a warm-up, all timings pooled. Then, on an evenly spaced subset (``--baseline``
filings), the same profiles as ``rule_engine.Rule`` expressions (see ``rule_text``)
evaluated as an engine without an index must: every rule on the filing's rows until one
matches. The ratio compares both engines on the same filings. Both must find the same hits
on every filing of the subset, and every profile is also checked against rule-engine on a
few filings of the whole trade (some it hits, some the index offered it and it missed,
some the index did not offer it); the script exits 1 on any disagreement. The benchmark's
own data is frozen out of the garbage collector (``gc.freeze``) so neither engine pays
for traversing it. Prints the machine, a Markdown table and the ratio (targets: p99 <= 200
µs; at least 100 times faster than rule-engine).

    .venv/bin/python bench/bench_risk.py [--declarations 20000] [--baseline 500] [--cprofile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import math
import os
import platform
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import rule_engine

from tollgate.declarations.models import FilingAdapter
from tollgate.reference.codes import EU_MEMBER_STATES
from tollgate.risk.evaluator import ManagedLists, ProfileIndex, index_keys
from tollgate.risk.facts import Context, Row, Trader, rows_of
from tollgate.risk.language import FIELDS, AllOf, AnyOf, Condition, Node, Not, parse_condition
from tollgate.synthetic.generator import generate

Profile = dict[str, Any]

# ------------------------------------------------------------------------------- data


@dataclass(slots=True)
class Trade:
    filings: list[list[Row]]  # the rows of each filing
    facts_ns: list[int]  # rows_of per filing
    register: list[dict[str, Any]]  # the operator register of the generator


def trade(declarations: int, seed: int) -> Trade:
    """Generate, validate and flatten synthetic trade; ``rows_of`` is timed per filing."""
    with tempfile.TemporaryDirectory(prefix="tollgate-bench-") as tmp:
        out, ops = Path(tmp) / "filings.jsonl", Path(tmp) / "operators.jsonl"
        generate(declarations=declarations, seed=seed, out=out, labels_out=None, operators_out=ops)
        with ops.open("rb") as fh:
            register = [json.loads(line) for line in fh]
        traders = {
            r["eori"]: Trader(r["eori"], aeo=bool(r["aeo"])) for r in register if r.get("eori")
        }
        context = Context(traders=traders, known_traders=frozenset(traders))
        filings: list[list[Row]] = []
        facts_ns: list[int] = []
        clock = time.perf_counter_ns
        with out.open("rb") as fh:
            for line in fh:
                filing = FilingAdapter.validate_json(line)
                t0 = clock()
                rows = rows_of(filing, filing.office[:2], context)
                facts_ns.append(clock() - t0)
                filings.append(rows)
    return Trade(filings, facts_ns, register)


# --------------------------------------------------------------------------- profiles


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


EU = tuple(sorted(EU_MEMBER_STATES))
#: origins a targeting centre watches, some absent from the synthetic trade
WATCHED = _codes(
    "CN VN TR IN BD PK AE HK MY TH ID KH KE ET EG MA NG UA BR CO EC PE US GB KR TW JP CH "
    "LK MM LA IR SY RU BY AF GH SN TN DZ MX AR CL PH SG"
)
MODES = _codes("1 2 3 4 5 7 8")
#: description patterns (RE2 syntax; also valid, with the same meaning, in Python's re)
PATTERNS = (
    r"^(general cargo|consolidated|goods|parts|spare parts|gifts?|samples?|accessories|"
    r"various|merchandise)$",
    r"\b(replica|copy|imitation|counterfeit|unbranded)\b",
    r"\b\d+\s*mg\b",
    r"(vape|e-?cig|nicotine|pod devices)",
    r"\b(gold|silver|platinum)\b.*\b(rings?|necklaces?|bracelets?)\b",
    r"(rolex|gucci|nike|adidas|louis vuitton|chanel)",
    r"\b(cbd|thc|hemp|cannabis)\b",
    r"(lithium|batter(y|ies)|power banks?)",
    r"\b(fresh|frozen|chilled)\b.*\b(fish|shrimps?|meat|poultry)\b",
    r"\d+\s*(gb|tb)\b",
)
CODE_PATTERNS = (r"^(8517|8471)\d{2}(00)?$", r"^(6109|6110|6203|6204)\d{4}$", r"^3004\d+$")
#: words of risky descriptions beside the product words of the trade
RISKY_WORDS = _codes("replica sample gift unbranded cbd nitrous ivory caviar counterfeit")
STOP_WORDS = frozenset(_codes("with from without inch pack sets for and the type size"))


class ProfileMaker:
    """Seeded profiles as language data (what an authority writes in YAML). Most are as
    narrow as real targeting: a commodity (4 to 8 digits, seldom a chapter) with origins
    and a value or mass threshold; a few are broad (a chapter, a mode, a country)."""

    def __init__(self, rng: random.Random, trade: Trade) -> None:
        self.rng = rng
        codes: set[str] = set()
        words: set[str] = set()
        origins: set[str] = set()
        for rows in trade.filings:
            for row in rows:
                if row.get("item.commodity_code"):
                    codes.add(row["item.commodity_code"])
                if row.get("item.origin_country"):
                    origins.add(row["item.origin_country"])
                text = (row.get("item.description") or "").lower()
                words.update(re.findall(r"[a-z]{4,}", text))
        self.codes = sorted(codes)
        self.words = sorted(words - STOP_WORDS) + list(RISKY_WORDS)
        self.origins = sorted(origins | set(WATCHED))

    # building blocks
    def prefix(self, lengths: Sequence[int] = (4, 4, 6, 6, 6, 8, 8)) -> str:
        """A commodity-code prefix: mostly of a code in the trade, else of any code."""
        rng = self.rng
        length = rng.choice(lengths)
        if rng.random() < 0.7:
            return rng.choice(self.codes)[:length]
        digits = f"{rng.randint(1, 97):02d}" + "".join(rng.choices("0123456789", k=6))
        return digits[:length]

    def commodity(self, broad: bool = False) -> Profile:
        if broad:  # a chapter or heading
            return {"field": "item.commodity_code", "prefix": [self.prefix((2, 4))]}
        k = self.rng.choice((1, 1, 1, 2, 2, 3, 5))
        return {"field": "item.commodity_code", "prefix": sorted({self.prefix() for _ in range(k)})}

    def countries(self, field: str, low: int = 1, high: int = 5) -> Profile:
        k = self.rng.randint(low, high)
        pool = WATCHED if self.rng.random() < 0.8 else self.origins
        picked = sorted(self.rng.sample(pool, k))
        if k == 1 and self.rng.random() < 0.5:
            return {"field": field, "eq": picked[0]}
        return {"field": field, "in": picked}

    def cheap(self, choices: Sequence[float] = (0.5, 1, 1.5, 2, 2.5, 3, 5, 8)) -> Profile:
        lt = self.rng.choice(choices)
        return {"field": "item.unit_value_per_kg", "lt": float(lt)}

    def valuable(
        self, choices: Sequence[float] = (1000, 2500, 5000, 10000, 22000, 50000)
    ) -> Profile:
        gt = self.rng.choice(choices)
        return {"field": "item.value", "gt": float(gt)}

    def heavy(self) -> Profile:
        field = self.rng.choice(("item.gross_mass", "total_gross_mass"))
        return {"field": field, "gt": float(self.rng.choice((1000, 5000, 10000, 20000)))}

    def described(self) -> Profile:
        k = self.rng.choice((1, 1, 2, 3))
        return {"field": "item.description", "contains": self.rng.sample(self.words, k)}

    def mode(self) -> Profile:
        if self.rng.random() < 0.7:
            return {"field": "transport.mode", "eq": self.rng.choice(MODES)}
        return {"field": "transport.mode", "in": sorted(self.rng.sample(MODES, 2))}

    def not_aeo(self) -> Profile:
        return {"not": {"field": "trader.aeo", "eq": True}}

    def listed(self) -> Profile:
        field = self.rng.choice(("consignor.eori", "consignee.eori", "consignee.eori"))
        return {"field": field, "in_list": "watch_eoris"}

    def either_party_listed(self) -> Profile:
        return {
            "any": [
                {"field": "consignor.eori", "in_list": "watch_eoris"},
                {"field": "consignee.eori", "in_list": "watch_eoris"},
            ]
        }

    def consignee_in_eu(self) -> Profile:
        return {"field": "consignee.country", "in": sorted(self.rng.sample(EU, 24))}

    def origin_or_consignor(self) -> Profile:
        return {
            "any": [
                self.countries("item.origin_country", 1, 4),
                self.countries("consignor.country", 1, 4),
            ]
        }

    def pick(self, options: Sequence[Callable[[], Profile]], low: int, high: int) -> list[Profile]:
        """``low`` to ``high`` conditions from ``options``, each at most once."""
        chosen = self.rng.sample(range(len(options)), self.rng.randint(low, high))
        return [options[i]() for i in sorted(chosen)]

    # the mix
    def commodity_profile(self) -> Profile:
        rng = self.rng
        broad = rng.random() < 0.08
        when = [self.commodity(broad)]
        r = rng.random()
        if r < 0.6 or broad:
            when.append(self.countries("item.origin_country"))
        elif r < 0.7:
            when.append(self.origin_or_consignor())
        elif r < 0.75:
            when.append(self.described())
        elif r < 0.8:  # prohibited or restricted goods: the code alone
            return when[0]
        when += self.pick((self.cheap, self.valuable, self.heavy), 1 if broad else 0, 1)
        when += self.pick((self.mode, self.not_aeo, self.described), 0, 1)
        if len(when) == 1:
            when.append(self.cheap())
        return {"all": when}

    def origin_profile(self) -> Profile:
        when = [self.countries("item.origin_country", 1, 3)]
        when += self.pick((self.cheap, self.valuable, self.heavy), 1, 1)
        when += self.pick((self.described, self.mode, self.not_aeo), 1, 2)
        return {"all": when}

    def route_profile(self) -> Profile:
        field = self.rng.choice(("consignor.country", "transport.loading_country"))
        when = [self.countries(field, 1, 3)]
        when += self.pick((self.mode, self.valuable, self.described, self.not_aeo), 2, 3)
        return {"all": when}

    def mode_profile(self) -> Profile:
        first_time = {"field": "trader.first_time", "eq": True}
        containers = {"field": "transport.container_count", "gte": 5.0}
        when = [self.mode()]
        when += self.pick(
            (self.valuable, self.described, lambda: first_time, lambda: containers, self.cheap),
            2,
            3,
        )
        return {"all": when}

    def description_profile(self) -> Profile:
        anchor = self.rng.choice(
            (
                {"field": "kind", "eq": "ens"},
                {"field": "kind", "eq": "import"},
                {"field": "filing_type", "in": ["H7"]},
                {"field": "filing_type", "in": ["F10", "F11", "F12"]},
                self.mode(),
                self.countries("item.origin_country", 2, 8),
            )
        )
        when = [anchor, self.described()]
        if self.rng.random() < 0.3:
            when.append(self.cheap())
        return {"all": when}

    def pattern_profile(self) -> Profile:
        rng = self.rng
        if rng.random() < 0.2:
            return {
                "all": [
                    self.countries("item.origin_country", 1, 4),
                    {"field": "item.commodity_code", "matches": rng.choice(CODE_PATTERNS)},
                ]
            }
        anchor = rng.choice(
            (self.mode(), {"field": "kind", "eq": "ens"}, self.countries("item.origin_country"))
        )
        return {"all": [anchor, {"field": "item.description", "matches": rng.choice(PATTERNS)}]}

    def list_profile(self) -> Profile:
        rng = self.rng
        anchor = rng.choice(
            (
                {"field": "kind", "eq": rng.choice(("ens", "import"))},
                self.mode(),
                {"field": "office_country", "eq": rng.choice(("NL", "BE", "DE", "FR", "PL"))},
                self.countries("consignor.country", 1, 3),
                self.commodity(),
            )
        )
        listed = self.either_party_listed() if rng.random() < 0.3 else self.listed()
        when = [anchor, *self.pick((self.valuable, self.not_aeo), 0, 1), listed]
        return {"all": when}

    def unanchored_profile(self, i: int) -> Profile:
        """Profiles without a code condition at the top (a top-level ``any``, ``not``, lists,
        thresholds): an index of codes alone would try them on every filing."""
        high = (22000, 50000, 100000)
        variants: tuple[Callable[[], Profile], ...] = (
            lambda: {"all": [self.either_party_listed(), self.valuable()]},
            lambda: {"all": [self.valuable(high), self.cheap((0.5, 1, 1.5))]},
            lambda: {"any": [self.commodity(), self.countries("item.origin_country", 1, 1)]},
            lambda: {"all": [{"field": "trader.first_time", "eq": True}, self.valuable(high)]},
            lambda: {"all": [self.heavy(), self.cheap((0.5, 1)), self.not_aeo()]},
            lambda: {"all": [self.valuable(high), {"not": self.consignee_in_eu()}]},
            lambda: {"all": [self.listed(), self.not_aeo()]},
        )
        return variants[i % len(variants)]()

    def profiles(self, n: int) -> list[Profile]:
        """About 60% commodity, 10% origin, 7% route (consignor or loading country), 5%
        transport mode, 6% description, 2.5% patterns, 7% watch lists, 2.5% unanchored."""
        mix: list[tuple[float, Callable[[int], Profile]]] = [
            (0.60, lambda i: self.commodity_profile()),
            (0.10, lambda i: self.origin_profile()),
            (0.07, lambda i: self.route_profile()),
            (0.05, lambda i: self.mode_profile()),
            (0.06, lambda i: self.description_profile()),
            (0.025, lambda i: self.pattern_profile()),
            (0.07, lambda i: self.list_profile()),
            (0.025, self.unanchored_profile),
        ]
        out: list[Profile] = []
        for share, make in mix:
            out += [make(i) for i in range(round(share * n))]
        while len(out) < n:
            out.append(self.commodity_profile())
        del out[n:]
        self.rng.shuffle(out)
        return out


def watch_list(rng: random.Random, register: list[dict[str, Any]], size: int) -> frozenset[str]:
    """EORIs on watch: the register's known bad actors, a few other traders of the register,
    and parties this trade never shows (most of a real list), ``size`` in all."""
    eoris = sorted(r["eori"] for r in register if r.get("eori"))
    bad = {r["eori"] for r in register if r.get("eori") and r.get("known_bad_actor")}
    chosen = bad | set(rng.sample(eoris, min(len(eoris), size // 50)))
    while len(chosen) < size:
        country = rng.choice(EU)
        chosen.add(country + "".join(rng.choices("0123456789", k=rng.choice((9, 10, 12)))))
    return frozenset(chosen)


# ---------------------------------------------------------------- rule-engine baseline


def _symbol(field: str) -> str:
    return field.replace(".", "_")


def _string(value: str) -> str:
    if "'" in value or "\\" in value:
        raise ValueError(f"cannot quote {value!r}")
    return f"'{value}'"


def _regex(pattern: str) -> str:
    if "'" in pattern:
        raise ValueError(f"cannot quote {pattern!r}")
    return f"r'{pattern}'"


END = r"\Z"  # the end of the text (``$`` also matches before a final newline)


def _one_of(texts: Sequence[str], flags: str = "") -> str:
    """A non-capturing group matching any of ``texts`` literally, with inline ``flags``."""
    return f"(?{flags}:" + "|".join(map(re.escape, texts)) + ")"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _string(str(value))


def rule_text(node: Node) -> str:
    """The rule-engine expression with the meaning of ``node`` (``language`` docstring):

    - a condition on a missing value is false: numeric comparisons (which raise on null in
      rule-engine) and ``ne``/``not_in`` (true on null there) are guarded by ``!= null``;
      ``==``, ``in`` and regular expressions are already false on null;
    - ``prefix`` is an anchored regular expression (``=~``, Python's ``re.match``): in
      rule-engine it costs a sixth of ``starts_with`` calls;
    - ``in`` is ``==`` (or two), else a whole-string regular expression: a set literal
      costs 25 µs per evaluation there (its members' types are inferred every time), an
      expression that misses 4 µs;
    - ``contains`` is a case-insensitive search for the escaped words (``=~~``), ``matches``
      the pattern searched case-insensitively with ASCII classes, as RE2 does;
    - ``in_list`` calls a function the context resolves (``in_watch_eoris(consignee_eori)``,
      a Python set lookup): rule-engine's own ``in`` infers the type of a container by
      visiting every member on each evaluation, 2.8 ms for a list of 3,000 EORIs here,
      which would make the baseline absurdly slow (86% of its time) rather than fair.
    """
    if isinstance(node, AllOf):
        return "(" + " and ".join(rule_text(c) for c in node.children) + ")"
    if isinstance(node, AnyOf):
        return "(" + " or ".join(rule_text(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return f"not {rule_text(node.child)}"
    return _condition_text(node)


def _condition_text(cond: Condition) -> str:
    s = _symbol(cond.field)
    if len(cond.ops) == 1 and cond.ops[0][0] == "exists":
        return f"({s} != null)" if cond.ops[0][1] else f"({s} == null)"
    guard = False
    terms: list[str] = []
    for op, operand in cond.ops:
        if op == "exists":
            terms.append("true" if operand else "false")
        elif op == "eq":
            terms.append(f"{s} == {_literal(operand)}")
        elif op == "ne":
            guard = True
            terms.append(f"{s} != {_literal(operand)}")
        elif op in ("in", "not_in"):
            values = sorted(operand)
            if len(values) <= 2:
                text = "(" + " or ".join(f"{s} == {_string(v)}" for v in values) + ")"
            else:
                text = f"{s} =~ {_regex(_one_of(values) + END)}"
            if op == "not_in":
                guard = True
                text = f"not {text}"
            terms.append(text)
        elif op == "prefix":
            terms.append(f"{s} =~ {_regex(_one_of(operand))}")
        elif op in ("gt", "gte", "lt", "lte"):
            guard = True
            symbol = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
            terms.append(f"{s} {symbol} {_literal(operand)}")
        elif op == "contains":
            terms.append(f"{s} =~~ {_regex(_one_of(operand, 'i'))}")
        elif op == "matches":
            terms.append(f"{s} =~~ {_regex('(?ai:' + operand + ')')}")
        elif op == "in_list":
            terms.append(f"{_list_symbol(operand)}({s})")
        else:
            raise NotImplementedError(f"{cond.path}: no rule-engine translation for {op}")
    if guard:
        terms.insert(0, f"{s} != null")
    return "(" + " and ".join(terms) + ")"


def _list_symbol(name: str) -> str:
    return "in_" + re.sub(r"\W", "_", name)


def rule_context(lists: ManagedLists) -> Any:
    """Symbols name a field of the row (dots as underscores) or a membership function."""
    fields = {_symbol(f): f for f in FIELDS}
    functions = {_list_symbol(name): members.__contains__ for name, members in lists.codes.items()}

    def resolve(row: Row, name: str) -> Any:
        field = fields.get(name)
        return row.get(field) if field is not None else functions[name]

    return rule_engine.Context(resolver=resolve)


def rule_engine_hits(rules: Sequence[tuple[int, Any]], rows: Sequence[Row]) -> list[int]:
    """The baseline: every rule on the filing's rows until one matches."""
    hits = []
    for key, rule in rules:
        for row in rows:
            if rule.matches(row):
                hits.append(key)
                break
    return hits


# --------------------------------------------------------------------------- figures


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest rank."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(ns: Sequence[float]) -> dict[str, float]:
    us = sorted(n / 1000 for n in ns)
    return {
        "p50": percentile(us, 0.50),
        "p90": percentile(us, 0.90),
        "p99": percentile(us, 0.99),
        "max": us[-1],
        "mean": statistics.fmean(us),
    }


def table_row(name: str, n: int, ns: Sequence[float], hits: float | None = None) -> str:
    s = summary(ns)
    return (
        f"| {name} | {n:,} | {s['p50']:,.1f} | {s['p90']:,.1f} | {s['p99']:,.1f} | "
        f"{s['max']:,.0f} | {s['mean']:,.1f} | {'' if hits is None else format(hits, '.2f')} |"
    )


def index_label(node: Node) -> str:
    """How ``ProfileIndex`` finds a profile: the field and kind of its keys (``a | b`` for
    the children of an ``any``), or ``(none)``, tried on every filing."""
    keys = index_keys(node)
    if keys is None:
        return "(none)"
    return " | ".join(sorted({f"{k.field} {k.kind}" for k in keys}))


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass(slots=True)
class Timed:
    wall: list[list[int]]  # per pass, per filing: perf_counter_ns
    cpu: list[list[int]]  # the same, thread CPU time (excludes time this thread waited)
    hits: list[list[int]]  # per filing: the keys of the profiles that hit


def time_tollgate(index: ProfileIndex, filings: Sequence[Sequence[Row]], repeats: int) -> Timed:
    assess = index.assess
    for rows in filings[:2000]:  # warm-up
        assess(rows)
    hits = [sorted(h.key for h in assess(rows)) for rows in filings]
    gc.collect()
    wall_clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    timed = Timed([], [], hits)
    for _ in range(repeats):
        wall, cpu = [], []
        for rows in filings:
            c0 = cpu_clock()
            t0 = wall_clock()
            assess(rows)
            t1 = wall_clock()
            cpu.append(cpu_clock() - c0)
            wall.append(t1 - t0)
        timed.wall.append(wall)
        timed.cpu.append(cpu)
    return timed


def check_each_profile(
    index: ProfileIndex,
    rules: Sequence[tuple[int, Any]],
    filings: Sequence[Sequence[Row]],
    hits: Sequence[Sequence[int]],
    rng: random.Random,
) -> tuple[int, list[str]]:
    """Every profile against rule-engine on a few filings of the whole trade: up to three it
    hits, three where the index offered it and it missed, two the index did not offer.
    Returns the number of (profile, filing) pairs checked and the disagreements."""
    hit_on: dict[int, list[int]] = {key: [] for key, _ in rules}
    missed_on: dict[int, list[int]] = {key: [] for key, _ in rules}
    offered: list[set[int]] = []
    for i, rows in enumerate(filings):
        keys = {e.key for e in index.candidates(rows)}
        offered.append(keys)
        found = set(hits[i])
        for key in keys:
            bucket = hit_on[key] if key in found else missed_on[key]
            if len(bucket) < 3:
                bucket.append(i)
    pairs = 0
    wrong: list[str] = []
    for key, rule in rules:
        others = [i for i in rng.sample(range(len(filings)), 50) if key not in offered[i]][:2]
        for i in hit_on[key] + missed_on[key] + others:
            pairs += 1
            theirs = any(rule.matches(row) for row in filings[i])
            if theirs != (key in hits[i]):
                wrong.append(
                    f"profile {key}, filing {i}: rule-engine {theirs}, Tollgate {not theirs}"
                )
    return pairs, wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=20_000)
    parser.add_argument("--profiles", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over all filings")
    parser.add_argument("--baseline", type=int, default=500, help="filings timed on rule-engine")
    parser.add_argument("--list-size", type=int, default=3_000, help="EORIs on the watch list")
    parser.add_argument(
        "--cprofile", action="store_true", help="also profile one pass of assess, print the top"
    )
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"rule-engine {version('rule-engine')}; {load()}"
    )

    data = trade(args.declarations, args.seed)
    filings = data.filings
    rng = random.Random(args.seed)
    lists = ManagedLists(codes={"watch_eoris": watch_list(rng, data.register, args.list_size)})
    specs = ProfileMaker(rng, data).profiles(args.profiles)
    # the benchmark's own data out of the collector's sight: its traversals of every row
    # of the trade would be charged to whichever engine happened to allocate
    gc.collect()
    gc.freeze()
    parse_ms, build_ms = [], []
    for _ in range(3):
        t0 = time.perf_counter_ns()
        trees = [parse_condition(spec, lists={"watch_eoris": "codes"}) for spec in specs]
        t1 = time.perf_counter_ns()
        index = ProfileIndex(lists)
        for key, tree in enumerate(trees):
            index.add(key, tree)
        t2 = time.perf_counter_ns()
        parse_ms.append((t1 - t0) / 1e6)
        build_ms.append((t2 - t1) / 1e6)
    anchor_field = {key: index_label(tree) for key, tree in enumerate(trees)}
    anchors = Counter(anchor_field.values())
    print(
        f"trade: {args.declarations:,} declarations -> {len(filings):,} filings, "
        f"{sum(len(r) for r in filings):,} rows; watch list of "
        f"{len(lists.codes['watch_eoris']):,} EORIs"
    )
    print(
        f"profiles: {len(trees):,}, by index key: "
        + ", ".join(f"{field} {n}" for field, n in anchors.most_common())
    )

    timed = time_tollgate(index, filings, args.repeats)
    print(f"Tollgate timed: {load()}")
    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [index.assess(rows) for rows in filings])
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(14)
    hits = timed.hits

    t0 = time.perf_counter_ns()
    context = rule_context(lists)
    rules = [
        (key, rule_engine.Rule(rule_text(tree), context=context)) for key, tree in enumerate(trees)
    ]
    t1 = time.perf_counter_ns()
    print(
        f"build, {len(trees):,} profiles (median of 3): parse {statistics.median(parse_ms):.1f} ms"
        f" + ProfileIndex {statistics.median(build_ms):.1f} ms; rule-engine Rules "
        f"{(t1 - t0) / 1e6:,.0f} ms"
    )

    pairs, wrong = check_each_profile(index, rules, filings, hits, rng)
    # the baseline on an evenly spaced subset, every rule on every filing
    step = max(1, len(filings) // args.baseline)
    subset = list(range(0, len(filings), step))[: args.baseline]
    for i in subset[:10]:
        rule_engine_hits(rules, filings[i])
    clock = time.perf_counter_ns
    re_times: list[int] = []
    for i in subset:
        t0 = clock()
        found = sorted(rule_engine_hits(rules, filings[i]))
        re_times.append(clock() - t0)
        if found != hits[i]:
            only_re, only_tg = sorted(set(found) - set(hits[i])), sorted(set(hits[i]) - set(found))
            wrong.append(f"filing {i}: rule-engine only {only_re}, Tollgate only {only_tg}")
    print(f"rule-engine timed: {load()}")
    profiles_hit = {k for i in subset for k in hits[i]}
    if wrong:
        print("\n".join(wrong[:20]), file=sys.stderr)
        print(f"FAIL: rule-engine and Tollgate disagree ({len(wrong)} cases)", file=sys.stderr)
        return 1
    print(
        f"agree: the same hits from both engines on all {len(subset):,} filings of the subset "
        f"({sum(len(hits[i]) for i in subset):,} hits of {len(profiles_hit):,} profiles), and "
        f"on {pairs:,} (profile, filing) pairs over the whole trade, every profile checked "
        f"({sum(1 for k, _ in rules if any(k in h for h in hits)):,} hit somewhere)"
    )

    pooled = [t for wall in timed.wall for t in wall]
    pooled_cpu = [t for cpu in timed.cpu for t in cpu]
    tg_subset = [statistics.median(wall[i] for wall in timed.wall) for i in subset]
    hit_mean = statistics.fmean(len(h) for h in hits)
    sub_hits = statistics.fmean(len(hits[i]) for i in subset)
    offered = Counter(anchor_field[e.key] for rows in filings for e in index.candidates(rows))
    candidates = offered.total() / len(filings)
    print()
    print("| per filing | filings | p50 µs | p90 µs | p99 µs | max µs | mean µs | hits |")
    print("|---|---|---|---|---|---|---|---|")
    name = f"Tollgate `ProfileIndex.assess`, {len(trees):,} profiles"
    print(table_row(f"{name}, wall ({args.repeats} passes)", len(filings), pooled, hit_mean))
    print(table_row(f"{name}, thread CPU", len(filings), pooled_cpu, hit_mean))
    print(table_row("Tollgate, on the baseline subset", len(subset), tg_subset, sub_hits))
    print(table_row("rule-engine, every rule per filing", len(subset), re_times, sub_hits))
    print(table_row("(facts: `rows_of`, before either)", len(filings), data.facts_ns))
    print()
    tg, theirs = summary(tg_subset), summary(re_times)
    wall_s, cpu_s = summary(pooled), summary(pooled_cpu)
    print(
        f"Tollgate: p50 {wall_s['p50']:.0f} µs wall, {cpu_s['p50']:.0f} µs CPU; p99 "
        f"{wall_s['p99']:.0f} µs wall, {cpu_s['p99']:.0f} µs CPU (target <= 200 µs); "
        f"{candidates:.1f} of {len(trees):,} profiles evaluated per filing on average; "
        f"{sum(1 for h in hits if h) / len(filings):.1%} of filings hit"
    )
    print(
        "profiles evaluated per filing, by index key: "
        + ", ".join(f"{f} {n / len(filings):.1f}" for f, n in offered.most_common())
    )
    print(
        f"rule-engine ÷ Tollgate on the same {len(subset):,} filings: mean "
        f"{theirs['mean'] / tg['mean']:,.0f}×, p50 {theirs['p50'] / tg['p50']:,.0f}× "
        "(target >= 100×)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
