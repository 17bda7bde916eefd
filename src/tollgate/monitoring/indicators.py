"""The monitoring framework's indicators (RM-28), per authority and period, with
drill-down by office and by filer.

Every figure reuses data the platform holds already (RM-29: no extra collection): the
fact rows of the declarations (``risk.history``), and the assessments, control tasks
and newest results copied beside them (``monitoring.store``). Declarations count in the
period they were lodged; controls in the period of the assessment that asked for them.
A control is a task that was not superseded; a result is the newest version of a
task's result.

Definitions, so that two authorities' figures mean the same:

- control rate: controls / declarations, per control type and stage;
- share of controls with an irregularity: irregular results / results;
- detection rate: irregular results per 1,000 declarations;
- risk-based versus random: controls selected by a random draw (RM-12) / all controls;
- positive rate of random controls, with a 95% Wilson interval: the unbiased estimate
  of the irregularity rate of all trade (RM-12);
- items subject to common-risk-criteria analysis: goods items of assessed declarations;
  automated hits: declarations on which a common (EU) criterion hit; final hits: risk-based
  controls that found an irregularity; false positives: those that found none;
- AEO versus non-AEO: declarations, controls, control rate and irregular results by the
  trader's AEO status (RM-23);
- data quality: share of declarations and of ENS without findings, findings per code,
  and per filer the share of clean filings (the filers' compliance rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tollgate.monitoring.store import ASSESSMENTS, HITS, RESULTS, TASKS, ensure_tables
from tollgate.periods import day_bounds
from tollgate.risk.history import AUTHORITY_ID, TABLE, History

Z95 = 1.959963984540054


def wilson(positives: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion: honest at small n and near 0, where
    the textbook interval is not (random controls find few irregularities)."""
    if n == 0:
        return None
    p = positives / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True, slots=True)
class Period:
    authority_id: int
    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return day_bounds(self.start, self.end)


# One CTE per source, restricted to the authority and period; the indicators read them.
_BASE = f"""
WITH decl AS (
    SELECT declaration_id, kind, filer, office, "trader.aeo" AS aeo,
           coalesce(len("quality.codes"), 0) AS findings, "quality.codes" AS codes
    FROM {TABLE}
    WHERE {AUTHORITY_ID} = $authority AND row_no = 0
      AND lodged_at >= $lo AND lodged_at < $hi
),
items AS (
    SELECT count(*) AS n FROM {TABLE}
    WHERE {AUTHORITY_ID} = $authority AND lodged_at >= $lo AND lodged_at < $hi
),
asm AS (
    SELECT * FROM {ASSESSMENTS}
    WHERE authority_id = $authority AND assessed_at >= $lo AND assessed_at < $hi
),
ctl AS (
    SELECT t.id, t.office, t.stage, t.control, t.random, a.filing_version_id
    FROM {TASKS} t JOIN asm a ON a.id = t.assessment_id
    WHERE t.status <> 'superseded'
),
res AS (
    SELECT r.task_id, r.outcome, r.duties_at_stake
    FROM {RESULTS} r
    JOIN (SELECT task_id, max(version) AS v FROM {RESULTS} GROUP BY task_id) n
      ON n.task_id = r.task_id AND n.v = r.version
)
"""  # noqa: S608 -- constants


def compute_indicators(history: History, period: Period, *, top_filers: int = 20) -> dict[str, Any]:
    """Every indicator of RM-28 that the platform's data support, for one authority and
    period, as one JSON-ready document (see the module docstring for the definitions)."""
    ensure_tables(history)
    history.ensure_table()
    lo, hi = period.bounds
    params = {"authority": period.authority_id, "lo": lo, "hi": hi}
    with history.connection() as con:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(_BASE + sql, params).fetchall()

        ((declarations, ens, clean, clean_ens, aeo_declarations),) = rows(
            """SELECT count(*), count(*) FILTER (kind = 'ens'), count(*) FILTER (findings = 0),
                      count(*) FILTER (kind = 'ens' AND findings = 0),
                      count(*) FILTER (aeo) FROM decl"""
        )
        ((items,),) = rows("SELECT n FROM items")
        by_kind = dict(rows("SELECT kind, count(*) FROM decl GROUP BY 1 ORDER BY 1"))
        by_code = dict(
            rows(
                "SELECT code, count(*) FROM (SELECT unnest(codes) AS code FROM decl) "
                "GROUP BY 1 ORDER BY 1"
            )
        )
        filers = rows(
            f"""SELECT filer, count(*) AS n, count(*) FILTER (findings = 0) AS ok
                FROM decl GROUP BY 1 ORDER BY ok / n, n DESC, filer LIMIT {int(top_filers)}"""  # noqa: S608 -- an int
        )
        ((filer_count, compliant_filers),) = rows(
            """SELECT count(*), count(*) FILTER (ok = n)
               FROM (SELECT filer, count(*) AS n, count(*) FILTER (findings = 0) AS ok
                     FROM decl GROUP BY 1)"""
        )
        ((automated, any_hit),) = rows(
            f"""SELECT count(DISTINCT a.filing_version_id) FILTER (h.common),
                       count(DISTINCT a.filing_version_id)
                FROM asm a JOIN {HITS} h ON h.assessment_id = a.id
                WHERE a.consignment_id IS NULL"""  # noqa: S608 -- constants
        )
        controls = rows(
            """SELECT control, stage, count(*), count(*) FILTER (random)
               FROM ctl GROUP BY 1, 2 ORDER BY 1, 2"""
        )
        (
            (
                n_controls,
                n_random,
                n_results,
                irregular,
                duties,
                random_results,
                random_irregular,
                final_hits,
                false_positives,
            ),
        ) = rows(
            """SELECT count(*), count(*) FILTER (c.random), count(r.task_id),
                      count(*) FILTER (r.outcome = 'irregularity'),
                      coalesce(sum(r.duties_at_stake) FILTER (r.outcome = 'irregularity'), 0),
                      count(r.task_id) FILTER (c.random),
                      count(*) FILTER (c.random AND r.outcome = 'irregularity'),
                      count(*) FILTER (NOT c.random AND r.outcome = 'irregularity'),
                      count(*) FILTER (NOT c.random AND r.outcome = 'no-irregularity')
               FROM ctl c LEFT JOIN res r ON r.task_id = c.id"""
        )
        offices = rows(
            """SELECT coalesce(d.office, k.office), coalesce(d.n, 0), coalesce(k.n, 0),
                      coalesce(k.results, 0), coalesce(k.irregular, 0)
               FROM (SELECT office, count(*) AS n FROM decl GROUP BY 1) d
               FULL OUTER JOIN (
                   SELECT c.office, count(*) AS n, count(r.task_id) AS results,
                          count(*) FILTER (r.outcome = 'irregularity') AS irregular
                   FROM ctl c LEFT JOIN res r ON r.task_id = c.id GROUP BY 1
               ) k ON k.office = d.office
               ORDER BY 1"""
        )
        aeo = rows(
            f"""SELECT coalesce(f."trader.aeo", false) AS aeo, count(*), count(r.task_id),
                       count(*) FILTER (r.outcome = 'irregularity')
                FROM ctl c LEFT JOIN res r ON r.task_id = c.id
                LEFT JOIN {TABLE} f ON f.declaration_id = c.filing_version_id AND f.row_no = 0
                GROUP BY 1 ORDER BY 1"""  # noqa: S608 -- constants
        )
    by_aeo = {bool(flag): (n, results, irr) for flag, n, results, irr in aeo}

    def share(a: float, b: float) -> float | None:
        return round(a / b, 6) if b else None

    def aeo_block(flag: bool, base: int) -> dict[str, Any]:
        n, results, irr = by_aeo.get(flag, (0, 0, 0))
        return {
            "declarations": base,
            "controls": n,
            "control_rate": share(n, base),
            "results": results,
            "irregular": irr,
            "irregular_share": share(irr, results),
        }

    interval = wilson(random_irregular, random_results)
    return {
        "authority_id": period.authority_id,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "declarations": {"total": declarations, "by_kind": by_kind, "ens": ens},
        "data_quality": {
            "clean_share": share(clean, declarations),
            "ens_clean_share": share(clean_ens, ens),
            "findings_by_code": by_code,
            "filers": filer_count,
            "compliant_filers": compliant_filers,
            "filer_compliance_rate": share(compliant_filers, filer_count),
            "least_compliant_filers": [
                {"filer": f, "declarations": n, "clean": ok, "clean_share": share(ok, n)}
                for f, n, ok in filers
            ],
        },
        "analysis": {
            "items_subject_to_crc": items,
            "automated_hits": automated,
            "declarations_with_any_hit": any_hit,
            "final_hits": final_hits,
            "false_positives": false_positives,
        },
        "controls": {
            "total": n_controls,
            "control_rate": share(n_controls, declarations),
            "by_type_and_stage": [
                {
                    "control": c,
                    "stage": s,
                    "controls": n,
                    "random": r,
                    "control_rate": share(n, declarations),
                }
                for c, s, n, r in controls
            ],
            "random_share": share(n_random, n_controls),
            "risk_based_share": share(n_controls - n_random, n_controls),
            "by_office": [
                {
                    "office": o,
                    "declarations": d,
                    "controls": n,
                    "control_rate": share(n, d),
                    "results": res,
                    "irregular": irr,
                }
                for o, d, n, res, irr in offices
            ],
        },
        "results": {
            "results": n_results,
            "irregular": irregular,
            "irregular_share": share(irregular, n_results),
            "detection_rate_per_1000": (
                round(1000 * irregular / declarations, 4) if declarations else None
            ),
            "duties_at_stake": round(float(duties), 2),
        },
        "random_controls": {
            "results": random_results,
            "positive": random_irregular,
            "positive_rate": share(random_irregular, random_results),
            "ci95": None if interval is None else [round(interval[0], 6), round(interval[1], 6)],
        },
        "aeo": {
            "aeo": aeo_block(True, aeo_declarations),
            "non_aeo": aeo_block(False, declarations - aeo_declarations),
        },
    }
