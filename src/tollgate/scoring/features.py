"""Features: the fact rows of a declaration turned into the numbers a model reads.

The same rows feed every evaluator (``risk.facts``), so a model learns from exactly what
the profiles see: the history store's columns in batch, ``facts.rows_of`` in real time.
Three families of features:

- **codes** (office, origin, procedure, national codes, the HS chapter...) become small
  integers from a vocabulary fixed at training time; a code the vocabulary lacks is
  missing, which the trees route like any gap;
- **numbers** (masses, values, unit values, quality score, the RM-15 deviation facts...)
  pass through, with logarithms of the skewed ones;
- **history** of each *entity* — the trader, the declarant, the seller, the HS6 code from
  an origin, the trader with that code — as the share of its earlier controlled
  declarations that were irregular (smoothed towards the overall rate, so that one bad
  declaration does not condemn a newcomer) and how many there were. This is what a
  targeting officer carries in their head, and it is what the KCS data rewards most.

History is strictly chronological. A training row sees only labels of *earlier days*
(an expanding window computed set-at-a-time in DuckDB); a row scored after training sees
the state at the end of the training window, frozen in the model. So an evaluation on a
later period measures what the model would have done live, never a random split's
optimism. Unit values are compared with the training window's median for the same HS6
and origin (else the HS6): a statistic of prices, not of labels, so it may use the whole
window.

``encode_row`` must give the real-time path exactly the vector ``transform`` gives the
batch path for the same rows; ``tests/scoring`` holds them to it.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import orjson
import pyarrow as pa

from tollgate.risk.language import FIELDS, FieldType

__all__ = [
    "CODE_FIELDS",
    "ENTITIES",
    "NUMBER_FIELDS",
    "FeatureState",
    "fit",
    "source_columns",
]

#: code facts that become vocabulary features when the rows hold them
CODE_FIELDS: tuple[str, ...] = (
    "kind",
    "filing_type",
    "office",
    "transport.mode",
    "transport.loading_country",
    "consignor.country",
    "incoterms",
    "invoice_currency",
    "item.origin_country",
    "item.preferential_origin_country",
    "item.procedure_code",
    "item.preference_code",
    "trader.segment",
    "hs2",
)
#: number and flag facts passed through (a flag as 0/1)
NUMBER_FIELDS: tuple[str, ...] = tuple(
    name
    for name, spec in FIELDS.items()
    if spec.type in (FieldType.NUMBER, FieldType.FLAG)
    # a model never reads another model's score: it would learn its predecessor's errors
    and name not in ("item.value", "item.net_mass", "item.gross_mass", "model.score")
)
#: the entities whose past irregularity rate is a feature: single facts and pairs
ENTITIES: tuple[tuple[str, ...], ...] = (
    ("trader.eori",),
    ("declarant.eori",),
    ("filer",),
    ("consignor.name",),
    ("office",),
    ("item.origin_country",),
    ("hs4",),
    ("hs6",),
    ("hs6", "item.origin_country"),
    ("trader.eori", "hs6"),
    ("declarant.eori", "trader.eori"),
    ("trader.eori", "consignor.name"),
)
#: pseudo-observations of the overall rate added to every entity's record (smoothing)
PRIOR_WEIGHT = 10.0
#: the most codes a vocabulary keeps (the rest share "other")
MAX_CODES = 250
#: a national data element is a number when this share of its values parse as one
NUMERIC_SHARE = 0.95
#: rows behind a unit-value median before it is used
MIN_PRICES = 5
_SEP = "\x1f"
#: decimals the logarithms are rounded to, in both paths. ``math.log`` (one row) and
#: numpy's vectorised log (a batch) may differ in the last bit, and a tree split can fall
#: exactly there: a unit value equal to its median is 0.0 one way and 2.2e-16 the other,
#: which moved a KCS score by 0.34. Rounding (multiply, round to integer, divide: exact
#: IEEE steps, the same for a scalar and an array) makes both paths agree to the bit.
DECIMALS = 6


def _hs(code: Any, digits: int) -> str | None:
    if not isinstance(code, str) or len(code) < digits:
        return None
    return code[:digits]


def _round(value: float) -> float:
    return float(np.round(value, DECIMALS))


def _log(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    number = float(value)
    return _round(math.log1p(number)) if number >= 0 else math.nan


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _unit_value(value: Any, mass: Any) -> float:
    """log of value per kg, or NaN: both must be positive."""
    if value is None or mass is None:
        return math.nan
    v, m = float(value), float(mass)
    return _round(math.log(v / m)) if v > 0 and m > 0 else math.nan


def source_columns(available: Iterable[str]) -> list[str]:
    """The fact columns a model may read, of those a history table holds."""
    wanted = set(CODE_FIELDS) | set(NUMBER_FIELDS)
    wanted |= {"item.commodity_code", "item.value", "item.net_mass", "item.gross_mass"}
    wanted |= {name for entity in ENTITIES for name in entity}
    have = list(available)
    return [c for c in have if c in wanted or c.startswith("national.")]


@dataclass(slots=True)
class FeatureState:
    """Everything a model needs besides its trees to turn rows into features, as of the
    end of its training window. Serialised into the model version (``dumps``)."""

    codes: dict[str, list[str]]
    numbers: list[str]
    entities: list[list[str]]
    prior: float
    #: entity index -> key -> (labelled rows, irregular rows)
    history: list[dict[str, tuple[int, int]]]
    #: "hs6|origin" and "hs6" -> median log unit value
    prices: dict[str, float]
    names: list[str] = field(default_factory=list)
    _lookup: list[dict[str, int]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._lookup = [{code: i for i, code in enumerate(v)} for v in self.codes.values()]
        if not self.names:
            self.names = self._names()

    def _names(self) -> list[str]:
        names = [f"code:{c}" for c in self.codes]
        names += [f"number:{c}" for c in self.numbers]
        names += ["log_value", "log_mass", "log_unit_value", "unit_value_vs_hs6_origin"]
        names += ["unit_value_vs_hs6"]
        for entity in self.entities:
            label = "+".join(entity)
            names += [f"rate:{label}", f"seen:{label}"]
        return names

    @property
    def categorical(self) -> list[int]:
        """Indices of the vocabulary features (LightGBM treats them as categories)."""
        return list(range(len(self.codes)))

    def dumps(self) -> bytes:
        body = {
            "codes": self.codes,
            "numbers": self.numbers,
            "entities": self.entities,
            "prior": self.prior,
            "history": [{k: list(v) for k, v in h.items()} for h in self.history],
            "prices": self.prices,
        }
        return zlib.compress(orjson.dumps(body), 6)

    @classmethod
    def loads(cls, data: bytes) -> FeatureState:
        body = orjson.loads(zlib.decompress(data))
        return cls(
            codes=body["codes"],
            numbers=body["numbers"],
            entities=body["entities"],
            prior=body["prior"],
            history=[{k: (v[0], v[1]) for k, v in h.items()} for h in body["history"]],
            prices=body["prices"],
        )

    # -- one row (real time) -------------------------------------------------------------

    def encode_row(self, row: Mapping[str, Any]) -> list[float]:
        """The feature vector of one fact row, as ``transform`` computes it in batch."""
        derived = _derived(row)
        out: list[float] = []
        for (name, _), lookup in zip(self.codes.items(), self._lookup, strict=True):
            value = derived.get(name, row.get(name))
            if value is None:
                out.append(math.nan)
            else:
                out.append(float(lookup.get(str(value), -1)))
        out += [_number(row.get(name)) for name in self.numbers]
        log_uv = _unit_value(row.get("item.value"), derived["mass"])
        hs6, origin = derived.get("hs6"), row.get("item.origin_country")
        out += [_log(row.get("item.value")), _log(derived["mass"]), log_uv]
        near = self.prices.get(f"{hs6}|{origin}") if hs6 and origin else None
        wide = self.prices.get(str(hs6)) if hs6 else None
        out.append(log_uv - near if near is not None else math.nan)
        out.append(log_uv - wide if wide is not None else math.nan)
        for entity, seen in zip(self.entities, self.history, strict=True):
            key = _key(entity, row, derived)
            n, y = seen.get(key, (0, 0)) if key is not None else (0, 0)
            out.append(_rate(y, n, self.prior) if key is not None else math.nan)
            out.append(_round(math.log1p(n)))
        return out

    def encode_rows(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return np.array([self.encode_row(r) for r in rows], dtype=np.float64).reshape(
            len(rows), len(self.names)
        )

    # -- many rows (batch) ---------------------------------------------------------------

    def transform(self, table: pa.Table) -> np.ndarray:
        """Feature matrix of rows scored after the training window (frozen history)."""
        return _matrix(self, table, expanding=None)


def _rate(irregular: float, labelled: float, prior: float) -> float:
    return (irregular + prior * PRIOR_WEIGHT) / (labelled + PRIOR_WEIGHT)


def _derived(row: Mapping[str, Any]) -> dict[str, Any]:
    code = row.get("item.commodity_code")
    mass = row.get("item.net_mass")
    if mass is None or not float(mass) > 0:
        mass = row.get("item.gross_mass")
    return {"hs2": _hs(code, 2), "hs4": _hs(code, 4), "hs6": _hs(code, 6), "mass": mass}


def _key(entity: Sequence[str], row: Mapping[str, Any], derived: Mapping[str, Any]) -> str | None:
    parts = []
    for name in entity:
        value = derived[name] if name in derived else row.get(name)
        if value is None or value == "":
            return None
        parts.append(str(value))
    return _SEP.join(parts)


# -- fitting -------------------------------------------------------------------------------


def fit(
    table: pa.Table, labels: np.ndarray, days: np.ndarray, *, history: bool = True
) -> tuple[FeatureState, np.ndarray]:
    """Learn the state from training rows and return it with their feature matrix.

    ``labels`` is 1 (irregular), 0 (regular) or -1 (no recorded outcome) per row and
    ``days`` the row's lodgement day as an integer; a row's history features count only
    labelled rows of earlier days. Without ``history`` the entity features are left out
    (``service.train_model`` lets the validation period decide whether they help)."""
    columns = set(table.column_names)
    labelled = labels >= 0
    prior = float(labels[labelled].mean()) if labelled.any() else 0.0
    con = _connect(table)
    codes: dict[str, list[str]] = {}
    numbers: list[str] = [n for n in NUMBER_FIELDS if n in columns]
    for name in [*CODE_FIELDS, *sorted(c for c in columns if c.startswith("national."))]:
        if name not in _DERIVED and name not in columns:
            continue
        expr = _column_sql(name)
        if name.startswith("national.") and _numeric_share(con, expr) >= NUMERIC_SHARE:
            numbers.append(name)
            continue
        found = con.execute(
            f"SELECT CAST({expr} AS VARCHAR) v, count(*) n FROM rows WHERE v IS NOT NULL "  # noqa: S608 -- names from the catalogue
            f"GROUP BY v ORDER BY n DESC, v LIMIT {MAX_CODES}"
        ).fetchall()
        if found:
            codes[name] = [str(v) for v, _ in found]
    entities = [
        list(e) for e in ENTITIES if history and all(n in columns or n in _DERIVED for n in e)
    ]
    state = FeatureState(
        codes=codes,
        numbers=numbers,
        entities=entities,
        prior=prior,
        history=[],
        prices=_prices(con),
    )
    state.history = [_totals(con, entity, labels) for entity in entities]
    matrix = _matrix(state, table, expanding=(labels, days), con=con)
    con.close()
    return state, matrix


_DERIVED = {"hs2", "hs4", "hs6"}


def _column_sql(name: str) -> str:
    if name in _DERIVED:
        digits = name[2:]
        return (
            f'CASE WHEN length("item.commodity_code") >= {digits} '
            f'THEN left("item.commodity_code", {digits}) END'
        )
    return '"' + name.replace('"', '""') + '"'


def _key_sql(entity: Sequence[str]) -> str:
    """The entity key as the real-time path builds it; NULL when a part is missing."""
    parts = [f"NULLIF(CAST({_column_sql(name)} AS VARCHAR), '')" for name in entity]
    return " || chr(31) || ".join(parts)


#: the facts every feature set reads, added as empty columns when a table lacks them
_REQUIRED: dict[str, pa.DataType] = {
    "item.commodity_code": pa.string(),
    "item.origin_country": pa.string(),
    "item.value": pa.float64(),
    "item.net_mass": pa.float64(),
    "item.gross_mass": pa.float64(),
}


def _connect(table: pa.Table) -> duckdb.DuckDBPyConnection:
    for name, type_ in _REQUIRED.items():
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, type_))
    con = duckdb.connect()
    con.register("source", table)
    con.execute("CREATE TEMP TABLE rows AS SELECT row_number() OVER () - 1 AS rid, * FROM source")
    return con


def _numeric_share(con: duckdb.DuckDBPyConnection, expr: str) -> float:
    ((share,),) = con.execute(
        f"SELECT avg(CASE WHEN TRY_CAST({expr} AS DOUBLE) IS NULL THEN 0 ELSE 1 END) "  # noqa: S608 -- names from the catalogue
        f"FROM rows WHERE {expr} IS NOT NULL"
    ).fetchall()
    return float(share) if share is not None else 0.0


def _mass_sql() -> str:
    return 'CASE WHEN "item.net_mass" > 0 THEN "item.net_mass" ELSE "item.gross_mass" END'


def _prices(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    uv = f'ln("item.value" / ({_mass_sql()}))'
    where = f'"item.value" > 0 AND ({_mass_sql()}) > 0 AND length("item.commodity_code") >= 6'
    found = con.execute(
        f"""
        SELECT left("item.commodity_code", 6) || '|' || "item.origin_country", median({uv})
        FROM rows WHERE {where} AND "item.origin_country" IS NOT NULL
        GROUP BY 1 HAVING count(*) >= {MIN_PRICES}
        UNION ALL
        SELECT left("item.commodity_code", 6), median({uv})
        FROM rows WHERE {where} GROUP BY 1 HAVING count(*) >= {MIN_PRICES}
        """  # noqa: S608 -- constants
    ).fetchall()
    return {str(k): float(v) for k, v in found}


def _totals(
    con: duckdb.DuckDBPyConnection, entity: Sequence[str], labels: np.ndarray
) -> dict[str, tuple[int, int]]:
    con.register("labels", pa.table({"label": labels}))
    found = con.execute(
        f"""
        SELECT k, count(*), sum(l.label) FROM (
            SELECT {_key_sql(entity)} AS k, rid FROM rows
        ) r POSITIONAL JOIN (SELECT label FROM labels) l
        WHERE k IS NOT NULL AND l.label >= 0 GROUP BY k
        """  # noqa: S608 -- names from the catalogue
    ).fetchall()
    con.unregister("labels")
    return {str(k): (int(n), int(y)) for k, n, y in found}


def _matrix(
    state: FeatureState,
    table: pa.Table,
    *,
    expanding: tuple[np.ndarray, np.ndarray] | None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> np.ndarray:
    own = con is None
    if con is None:
        con = _connect(table)
    rows = table.num_rows
    out = np.full((rows, len(state.names)), np.nan, dtype=np.float64)
    col = 0
    columns = set(table.column_names)
    for name, vocabulary in state.codes.items():
        if name in columns or name in _DERIVED:
            lookup = pa.table({"v": vocabulary, "i": np.arange(len(vocabulary), dtype=np.float64)})
            con.register("vocabulary", lookup)
            found = con.execute(
                f"SELECT CASE WHEN x IS NULL THEN NULL ELSE coalesce(i, -1) END FROM ("  # noqa: S608 -- names from the catalogue
                f"SELECT rid, CAST({_column_sql(name)} AS VARCHAR) x FROM rows) "
                f"LEFT JOIN vocabulary ON v = x ORDER BY rid"
            ).fetchnumpy()
            con.unregister("vocabulary")
            out[:, col] = _floats(next(iter(found.values())))
        col += 1
    for name in state.numbers:
        if name in columns:
            out[:, col] = _floats(_column(con, f"TRY_CAST({_column_sql(name)} AS DOUBLE)"))
        col += 1
    value = _floats(_column(con, '"item.value"'))
    mass = _floats(_column(con, _mass_sql()))
    code = _strings(con, '"item.commodity_code"')
    origin = _strings(con, '"item.origin_country"')
    with np.errstate(divide="ignore", invalid="ignore"):
        log_value = np.log1p(np.where(value >= 0, value, 0))
        out[:, col] = np.where(value >= 0, np.round(log_value, DECIMALS), np.nan)
        log_mass = np.log1p(np.where(mass >= 0, mass, 0))
        out[:, col + 1] = np.where(mass >= 0, np.round(log_mass, DECIMALS), np.nan)
        positive = (value > 0) & (mass > 0)
        log_uv = np.log(np.where(positive, value / mass, 1.0))
        log_uv = np.where(positive, np.round(log_uv, DECIMALS), np.nan)
    out[:, col + 2] = log_uv
    near = np.array(
        [
            state.prices.get(f"{c[:6]}|{o}", math.nan) if c and len(c) >= 6 and o else math.nan
            for c, o in zip(code, origin, strict=True)
        ],
        dtype=np.float64,
    )
    wide = np.array(
        [state.prices.get(c[:6], math.nan) if c and len(c) >= 6 else math.nan for c in code],
        dtype=np.float64,
    )
    out[:, col + 3] = log_uv - near
    out[:, col + 4] = log_uv - wide
    col += 5
    for entity, seen in zip(state.entities, state.history, strict=True):
        if expanding is None:
            keys = con.execute(f"SELECT {_key_sql(entity)} FROM rows ORDER BY rid").fetchall()  # noqa: S608 -- names from the catalogue
            n = np.zeros(rows)
            y = np.zeros(rows)
            present = np.zeros(rows, dtype=bool)
            for i, (key,) in enumerate(keys):
                if key is not None:
                    present[i] = True
                    n[i], y[i] = seen.get(key, (0, 0))
        else:
            n, y, present = _expanding(con, entity, *expanding)
        out[:, col] = np.where(
            present, (y + state.prior * PRIOR_WEIGHT) / (n + PRIOR_WEIGHT), np.nan
        )
        out[:, col + 1] = np.round(np.log1p(n), DECIMALS)
        col += 2
    if own:
        con.close()
    return out


def _expanding(
    con: duckdb.DuckDBPyConnection, entity: Sequence[str], labels: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: labelled and irregular rows of the same entity on earlier days."""
    con.register("extra", pa.table({"label": labels, "day": days}))
    found = con.execute(
        f"""
        WITH r AS (
            SELECT rid, {_key_sql(entity)} AS k, e.day, e.label
            FROM rows POSITIONAL JOIN extra e
        ),
        daily AS (
            SELECT k, day, count(*) FILTER (WHERE label >= 0) AS n,
                   coalesce(sum(label) FILTER (WHERE label >= 0), 0) AS y
            FROM r WHERE k IS NOT NULL GROUP BY k, day
        ),
        before AS (
            SELECT k, day,
                   sum(n) OVER w - n AS n, sum(y) OVER w - y AS y
            FROM daily WINDOW w AS (PARTITION BY k ORDER BY day ROWS UNBOUNDED PRECEDING)
        )
        SELECT coalesce(b.n, 0)::DOUBLE AS n, coalesce(b.y, 0)::DOUBLE AS y,
               r.k IS NOT NULL AS present
        FROM r LEFT JOIN before b ON b.k = r.k AND b.day = r.day ORDER BY r.rid
        """  # noqa: S608 -- names from the catalogue
    ).fetchnumpy()
    con.unregister("extra")
    return (
        np.asarray(found["n"], dtype=np.float64),
        np.asarray(found["y"], dtype=np.float64),
        np.asarray(found["present"], dtype=bool),
    )


def _floats(values: Any) -> np.ndarray:
    array = np.ma.filled(np.ma.asarray(values, dtype=np.float64), np.nan)
    return np.asarray(array, dtype=np.float64)


def _column(con: duckdb.DuckDBPyConnection, expr: str) -> Any:
    return con.execute(f"SELECT {expr} AS v FROM rows ORDER BY rid").fetchnumpy()["v"]  # noqa: S608 -- names from the catalogue


def _strings(con: duckdb.DuckDBPyConnection, expr: str) -> list[str | None]:
    return [v for (v,) in con.execute(f"SELECT {expr} FROM rows ORDER BY rid").fetchall()]  # noqa: S608 -- names from the catalogue
