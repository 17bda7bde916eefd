"""Stored declarations assessed set-at-a-time: every active profile over every stored row.

The rows (``fact_table``) and the profiles, compiled by ``sql``, make one query that
DuckDB runs embedded (here) or Spark on a cluster (``spark``). A hit is the in-process
evaluator's: a declaration, a profile, and the first row on which the profile holds.

A query per profile would scan the rows a thousand times and test every profile on every
row. Instead each profile is reached through its *anchor* (``evaluator.anchor_of``: a
commodity-code prefix, an origin ... that every hit satisfies): one join of the rows with
a small table of anchor values yields the (row, profile) pairs worth testing, and what
is left of each profile is tested only on those. Profiles that differ only in their
values (the usual case: "prefix P, origin in O, unit value below V") share one SQL
*template* whose operands are columns of a parameter table, so a thousand such profiles
are one vectorised expression over their candidate pairs, not a thousand expressions.
Profiles without an anchor are tested on every row (those of one template together,
each row joined with their parameters). With ``anchored=False`` every profile is: the
simpler plan, kept for comparison and as a second path for the equivalence tests.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from tollgate.risk.evaluator import ManagedLists, anchor_of
from tollgate.risk.fact_table import ARROW_TYPES, DECLARATION_ID, ROW_NO, refuse_nan
from tollgate.risk.language import FIELDS, AllOf, Condition, Node
from tollgate.risk.sql import (
    Dialect,
    Param,
    SimilarKey,
    Template,
    identifier,
    literal,
    predicate,
    similar_values,
    template,
)

__all__ = ["BatchHit", "ProfileBatch", "Query", "assess_duckdb", "load_duckdb"]

Anchor = tuple[str, str, tuple[str, ...]]

_ANCHORS = "tollgate_anchors"
_PARAMS = "tollgate_params_"
_TRUE = Template("TRUE", ())


@dataclass(frozen=True, slots=True)
class BatchHit:
    declaration_id: Any
    key: Any
    row_no: int


@dataclass(frozen=True, slots=True)
class Query:
    """The SQL of one assessment, and the small tables it reads besides the rows (anchor
    values, parameters), to be registered under their names first."""

    sql: str
    tables: dict[str, pa.Table]


class ProfileBatch:
    """Active profiles prepared once for set-at-a-time assessment: ``query`` gives the
    SQL for a dialect and a rows table, ``hits`` reads its result back."""

    def __init__(
        self,
        profiles: Iterable[tuple[Any, Node]],
        lists: ManagedLists | None = None,
        *,
        anchored: bool = True,
    ) -> None:
        self.lists = lists or ManagedLists()
        self.keys: list[Any] = []
        self.nodes: list[Node] = []
        #: profile number -> its anchor, and the rest of its tree (None: nothing left)
        self.anchored: dict[int, tuple[Anchor, Node | None]] = {}
        self._queries: dict[tuple[Dialect, str, frozenset[str] | None], Query | None] = {}
        for number, (key, node) in enumerate(profiles):
            self.keys.append(key)
            self.nodes.append(node)
            anchor = anchor_of(node) if anchored else None
            if anchor is not None:
                self.anchored[number] = (anchor, without_anchor(node, anchor))

    def query(
        self, dialect: Dialect, *, facts: str, columns: Collection[str] | None = None
    ) -> Query | None:
        """One query giving ``(declaration_id, profile_no, row_no)`` for every hit, or
        None when nothing can hit. ``facts`` is the (quoted) rows table, ``columns`` its
        fact columns (default: every catalogue field). Compiled once per table."""
        key = (dialect, facts, None if columns is None else frozenset(columns))
        if key not in self._queries:
            self._queries[key] = _Plan(self, dialect, facts, columns).query()
        return self._queries[key]

    def hits(self, result: pa.Table) -> list[BatchHit]:
        """A query's result as hits naming the profiles by their keys."""
        ids = result[DECLARATION_ID].to_pylist()
        numbers = result["profile_no"].to_pylist()
        rows = result[ROW_NO].to_pylist()
        return [BatchHit(i, self.keys[n], r) for i, n, r in zip(ids, numbers, rows, strict=True)]


class _Plan:
    """The query of one batch for one dialect and table: anchored profiles grouped by
    template, each group joined per anchored field and prefix length (a *slot*)."""

    def __init__(
        self, batch: ProfileBatch, dialect: Dialect, facts: str, columns: Collection[str] | None
    ) -> None:
        self.batch = batch
        self.dialect = dialect
        self.facts = facts
        self.columns = frozenset(FIELDS) if columns is None else frozenset(columns)
        self.id = identifier(DECLARATION_ID, dialect)
        self.row_no = identifier(ROW_NO, dialect)
        self.false = literal(False, dialect)
        self.similar: dict[SimilarKey, str] = {}  # derived sets the tests refer to
        self.tables: dict[str, pa.Table] = {}

    def query(self) -> Query | None:
        branches = self.anchored() + self.unanchored()
        if not branches:
            return None
        derived = [
            f"{name} AS ({similar_values(key, self.batch.lists, self.dialect, facts=self.facts)})"
            for key, name in self.similar.items()
        ]
        union = "\nUNION ALL\n".join(branches)
        sql = (
            (f"WITH {', '.join(derived)}\n" if derived else "")
            + f"SELECT {self.id} AS {DECLARATION_ID}, profile_no, MIN({self.row_no}) AS "
            + f"{ROW_NO}\nFROM (\n{union}\n) AS candidates\nGROUP BY {self.id}, profile_no"
        )
        return Query(sql, self.tables)

    def anchored(self) -> list[str]:
        shapes: dict[Template, int] = {}  # a template without values -> its number
        members: dict[int, list[tuple[int, Template]]] = {}
        slots: dict[tuple[str, int | None, int], int] = {}  # (field, length, shape)
        anchor_rows: list[tuple[int, str, int]] = []
        for number, ((field_name, kind, values), rest) in self.batch.anchored.items():
            if field_name not in self.columns:
                continue  # missing on every row: no candidates
            shape = _TRUE if rest is None else self.template(rest)
            if shape.sql == self.false:
                continue
            shape_no = shapes.setdefault(_without_values(shape), len(shapes))
            members.setdefault(shape_no, []).append((number, shape))
            for value in values:
                length = len(value) if kind == "prefix" else None
                slot = slots.setdefault((field_name, length, shape_no), len(slots))
                anchor_rows.append((slot, value, number))
        if anchor_rows:
            slot_nos, anchor_values, numbers = zip(*anchor_rows, strict=True)
            self.tables[_ANCHORS] = pa.table(
                {
                    "anchor_slot": pa.array(slot_nos, pa.int32()),
                    "anchor_value": pa.array(anchor_values, pa.string()),
                    "profile_no": pa.array(numbers, pa.int32()),
                }
            )
        for shape_no, shaped in members.items():
            if shaped[0][1].params:
                self.tables[f"{_PARAMS}{shape_no}"] = _params_table(shaped)
        tests = {no: shape.sql for shape, no in shapes.items()}
        return [
            self.branch(field_name, length, slot, shape_no, tests[shape_no])
            for (field_name, length, shape_no), slot in slots.items()
        ]

    def branch(
        self, field_name: str, length: int | None, slot: int, shape_no: int, test: str
    ) -> str:
        col = identifier(field_name, self.dialect)
        key = col if length is None else f"left({col}, {length})"
        sql = (
            f"SELECT {self.id}, {self.row_no}, a.profile_no FROM {self.facts} AS f "  # noqa: S608 -- identifiers quoted, values escaped
            f"JOIN {_ANCHORS} AS a ON a.anchor_slot = {slot} AND a.anchor_value = {key}"
        )
        params = f"{_PARAMS}{shape_no}"
        if params in self.tables:
            return f"{sql} JOIN {params} AS p ON p.profile_no = a.profile_no WHERE {test}"
        if test == _TRUE.sql:
            return sql
        # what stays literal (patterns, managed lists, names) is costly: one expression
        # over both sides keeps the optimiser from pushing it below the join, onto every
        # row rather than the anchor's candidates
        return f"{sql} WHERE CASE WHEN a.profile_no IS NULL THEN FALSE ELSE {test} END"

    def unanchored(self) -> list[str]:
        """Profiles without an anchor, tested on every row: one branch each, or, for
        several of one template, one branch joining every row with their parameters."""
        groups: dict[Template, list[tuple[int, Template]]] = {}
        for number, node in enumerate(self.batch.nodes):
            if number not in self.batch.anchored:
                shape = self.template(node)
                if shape.sql != self.false:
                    groups.setdefault(_without_values(shape), []).append((number, shape))
        branches = []
        for group_no, (shape, members) in enumerate(groups.items()):
            if len(members) > 1:
                params = f"{_PARAMS}u{group_no}"
                self.tables[params] = _params_table(members)
                branches.append(
                    f"SELECT {self.id}, {self.row_no}, p.profile_no FROM {self.facts} AS f "  # noqa: S608 -- identifiers quoted, values escaped
                    f"CROSS JOIN {params} AS p WHERE {shape.sql}"
                )
                continue
            ((number, _),) = members
            test = predicate(
                self.batch.nodes[number],
                self.batch.lists,
                self.dialect,
                columns=self.columns,
                similar=self.similar,
            )
            branches.append(
                f"SELECT {self.id}, {self.row_no}, {number} AS profile_no "  # noqa: S608 -- identifiers quoted, values escaped
                f"FROM {self.facts} AS f WHERE {test}"
            )
        return branches

    def template(self, node: Node) -> Template:
        return template(
            node, self.batch.lists, self.dialect, columns=self.columns, similar=self.similar
        )


def _without_values(shape: Template) -> Template:
    """What profiles of one template share: its text and the types of its parameters."""
    return Template(shape.sql, tuple(Param(None, p.type) for p in shape.params))


def _params_table(members: Sequence[tuple[int, Template]]) -> pa.Table:
    columns: dict[str, pa.Array] = {
        "profile_no": pa.array([number for number, _ in members], pa.int32())
    }
    for i, param in enumerate(members[0][1].params):
        type_ = pa.list_(pa.string()) if param.type is None else ARROW_TYPES[param.type]
        columns[f"c{i}"] = pa.array([shape.params[i].value for _, shape in members], type_)
    return pa.table(columns)


def without_anchor(node: Node, anchor: Anchor) -> Node | None:
    """``node`` less the test its anchor stands for, which every candidate the anchor
    join finds passes already; None when nothing is left to test. (The anchor is a
    condition of ``node`` itself or of its top-level ``all``: ``evaluator.anchor_of``.)"""
    candidates = [node] if isinstance(node, Condition) else []
    if isinstance(node, AllOf):
        candidates = [c for c in node.children if isinstance(c, Condition)]
    for cond in candidates:
        if anchor_of(cond) != anchor:
            continue
        # anchor_of reads eq, else in, else prefix
        used = "prefix" if anchor[1] == "prefix" else "eq" if cond.op("eq") is not None else "in"
        ops = tuple((op, v) for op, v in cond.ops if op != used)
        rest = replace(cond, ops=ops) if ops else None
        if isinstance(node, Condition):
            return rest
        assert isinstance(node, AllOf)
        children = list(node.children)
        position = next(i for i, c in enumerate(children) if c is cond)
        if rest is None:
            del children[position]
        else:
            children[position] = rest
        return AllOf(tuple(children)) if children else None
    raise ValueError(f"{anchor} is not an anchor of this profile")  # pragma: no cover


# ---------------------------------------------------------------------------- DuckDB


def load_duckdb(connection: Any, table: pa.Table, name: str = "facts") -> None:
    """Store rows (``fact_table.facts_table``) in a DuckDB table — columnar, compressed,
    with statistics — replacing any of that name."""
    refuse_nan(table)
    connection.register("tollgate_rows_in", table)
    try:
        connection.execute(
            f"CREATE OR REPLACE TABLE {identifier(name, Dialect.DUCKDB)} AS "  # noqa: S608 -- identifier quoted
            "SELECT * FROM tollgate_rows_in"
        )
    finally:
        connection.unregister("tollgate_rows_in")


def assess_duckdb(batch: ProfileBatch, connection: Any, facts: str = "facts") -> pa.Table:
    """Every hit of ``batch`` over the rows in DuckDB table ``facts``, as an Arrow table
    of ``(declaration_id, profile_no, row_no)`` (``batch.hits`` names the profiles)."""
    quoted = identifier(facts, Dialect.DUCKDB)
    columns = [row[0] for row in connection.execute(f"DESCRIBE {quoted}").fetchall()]
    query = batch.query(Dialect.DUCKDB, facts=quoted, columns=columns)
    if query is None:
        query = Query(
            f"SELECT {DECLARATION_ID}, CAST(NULL AS INTEGER) AS profile_no, {ROW_NO} "  # noqa: S608 -- identifiers quoted
            f"FROM {quoted} LIMIT 0",
            {},
        )
    for name, table in query.tables.items():
        connection.register(name, table)
    try:
        result: pa.Table = connection.sql(query.sql).to_arrow_table()
    finally:
        for name in query.tables:
            connection.unregister(name)
    return result
