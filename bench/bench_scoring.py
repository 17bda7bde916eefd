"""Learned risk scoring: quality on KCS, training time at 1,000,000 declarations, real-time
latency (issue 6, "Performance and quality": precision@5% >= 0.92 and @10% >= 0.80 on the
withheld 2021-Q2 quarter; training on 1,000,000 declarations <= 5 minutes on 2 cores;
real-time scoring p99 <= 1 ms).

1. **Quality.** Both labelled KCS files (``../shared/data/kcs-declarations``) are loaded
   into a fresh SQLite database through ``mappings/kcs.yaml`` (rows the intake rejects are
   counted and printed) and the DuckDB history store is refreshed, as
   ``bench_backtest.py`` does. The model is trained on 2020 and validated on 2021-Q1 by
   ``service.train_model``, the product path behind ``tollgate scoring train``: precision
   and recall when inspecting the top 1, 2, 5 and 10% of the quarter's declarations, and
   AUC, beside the paper's best (LightGBM, 0.762 @5%, 0.641 @10%) and the issue's targets
   for the withheld quarter. The validation quarter also chooses the number of trees
   (early stopping), so its figures are slightly optimistic; the withheld quarter is the
   honest test and is not in the files. Our own baseline is run in the same process: a
   plain LightGBM (default parameters, same early stopping) on the raw KCS columns as the
   history store holds them — the codes as categories (vocabulary of 2020), mass, value
   and tax rate as numbers, no history, unit-value or derived features — once with the
   party identifiers as categories and once without, scored per declaration and measured
   by the same ``metrics.evaluate``. The difference is the gain of the feature
   engineering.
2. **Training time at scale.** The 2020 labelled rows (``dataset.labelled_rows``) are
   replicated to ``--rows`` rows as a pyarrow table, each copy's trader, declarant, filer
   and seller identifiers suffixed with the copy number (so entities stay as numerous
   relative to the rows as in KCS, and their histories do not pool across copies) and each
   row keeping its own 2020 day; the table is sorted by day as the history store reads it.
   Timed: ``service.fit_best``, exactly the steps ``train_model`` runs between reading and
   storing: for both feature sets (with and without the entity histories), ``features.fit``
   (vocabularies, unit-value medians, the expanding per-entity histories in DuckDB),
   ``state.transform`` of the 2021-Q1 rows used for early stopping and ``model.train`` with
   that validation set, keeping the set with the lower loss. Not timed at this scale:
   reading rows and labels from the history store and the control results (that is measured
   at KCS scale only, inside the whole ``service.train_model``, also timed here for
   reference with its own clock split), building the replicated table. Each figure is the
   median of ``--repeats`` runs, with the process CPU time beside the wall time (the machine
   is shared: LightGBM's OpenMP threads wait for cores when other work runs, so the wall
   time is the one that counts and the load average is printed around it).
3. **Real-time latency.** The KCS model as stored (``service.Scorer(stored)``: the state
   and booster deserialised) scores each 2021-Q1 declaration on its own with
   ``Scorer.score(rows)``, the rows being the declaration's fact rows as dicts
   (``rows.table.slice(...).to_pylist()``, prepared before timing), for ``--latency``
   declarations after a warm-up: wall-time p50/p99/max in µs (and the thread CPU time,
   which a busy machine does not inflate), with the split between ``encode_rows`` and
   ``model.predict``. The one-at-a-time scores are checked against the batch path
   (``state.transform`` + ``score_matrix``) for the same declarations. ``Scorer.explain``
   (TreeSHAP, on demand, not in the real-time path) is timed the same way, on the first
   1,000 of them, for reference.

LightGBM runs OpenMP threads; libgomp's default wait policy spins at every barrier, which
on a shared machine (load above the core count) makes two threads several times slower
than one. ``OMP_WAIT_POLICY`` and ``OMP_NUM_THREADS`` are printed with the machine; run
once as the product runs and once with ``OMP_WAIT_POLICY=passive`` to see the difference.

    .venv/bin/python bench/bench_scoring.py [--repeats 3] [--rows 1000000]
        [--latency 5000] [--skip-scale]
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-declarations"
FILES = ("df_syn_train_eng.csv", "df_syn_valid_eng.csv")
TRAIN = (date(2020, 1, 1), date(2020, 12, 31))
VALIDATE = (date(2021, 1, 1), date(2021, 3, 31))
SHARES = (0.01, 0.02, 0.05, 0.10)
#: the KCS paper's best model on the synthetic data (Table 3, LightGBM)
PUBLISHED = {0.05: 0.762, 0.10: 0.641}
#: issue 6's targets, for the withheld 2021-Q2 quarter
TARGETS = {0.05: 0.92, 0.10: 0.80}
#: the identifiers made distinct per copy in the replicated table
ENTITY_COLUMNS = ("trader.eori", "declarant.eori", "filer", "consignor.name")
#: raw KCS columns as the history store holds them (the mapping's targets)
RAW_IDENTIFIERS = ("declarant.eori", "trader.eori", "consignor.name")
RAW_CODES = (
    "office",
    "item.commodity_code",
    "item.origin_country",
    "national.KR.process_type",
    "national.KR.import_type",
    "national.KR.import_use",
    "national.KR.payment_type",
    "national.KR.transport_mode",
    "national.KR.departure_country",
    "national.KR.tax_type",
    "national.KR.origin_indicator",
    "national.KR.courier",
)
RAW_NUMBERS = ("item.net_mass", "item.value", "national.KR.tax_rate")
#: declarations explained (TreeSHAP costs milliseconds each)
EXPLAINED = 1000
BASELINE_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "metric": "binary_logloss",
    "seed": 1,
    "deterministic": True,
    "verbosity": -1,
}


def load() -> str:
    return f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def print_evaluation(what: str, evaluation: Any) -> None:
    cells = "  ".join(
        f"@{share:.0%} P {evaluation.at[share][1]:.3f} R {evaluation.at[share][2]:.3f}"
        for share in SHARES
    )
    auc = "-" if evaluation.auc is None else f"{evaluation.auc:.4f}"
    print(f"  {what:<58} {cells}  AUC {auc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per training time")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the scaled table")
    parser.add_argument("--latency", type=int, default=5000, help="declarations scored")
    parser.add_argument("--skip-scale", action="store_true", help="skip the 1M training")
    args = parser.parse_args()
    repeats = max(1, args.repeats)

    from tollgate.authorities.seed import seed_authorities
    from tollgate.authorities.service import SYSTEM
    from tollgate.db import make_engine, session_factory, upgrade
    from tollgate.intake.bulk import bulk_load
    from tollgate.intake.mapping import load_mapping
    from tollgate.risk.history import History
    from tollgate.scoring import service
    from tollgate.scoring.dataset import labelled_rows

    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python "
        f"{sys.version.split()[0]}, {service.LEARNER}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}"
    )
    print(f"start: {load()}")
    workdir = Path(tempfile.mkdtemp(prefix="tollgate-scoring-"))
    engine = make_engine(f"sqlite:///{workdir / 'tollgate.db'}")
    try:
        upgrade(engine)
        factory = session_factory(engine)
        with factory() as session, session.begin():
            seed_authorities(session)
        mapping = load_mapping(ROOT / "mappings" / "kcs.yaml")
        began = time.perf_counter()
        in_files = accepted = rejected = 0
        for name in FILES:
            in_files += csv_rows(KCS / name)
            summary = bulk_load(factory, KCS / name, fmt="csv", mapping=mapping, actor=SYSTEM)
            accepted += summary.accepted
            rejected += summary.rejected
        print(
            f"KCS: {in_files:,} rows in the files, {accepted:,} loaded, {rejected:,} rejected "
            f"by the intake ({time.perf_counter() - began:.1f} s)"
        )
        history = History(workdir / "history.duckdb")
        began = time.perf_counter()
        added, _ = history.refresh(factory)
        print(f"history refresh: {added:,} filings in {time.perf_counter() - began:.1f} s")

        # -- 1. quality, and the product path's time at KCS scale ------------------------
        print(f"\n[1] KCS quality: train {TRAIN[0]}..{TRAIN[1]}, validate {VALIDATE[0]}..")
        print(f"    {VALIDATE[1]} via service.train_model ({load()})")
        runs: list[tuple[float, float, dict[str, float]]] = []
        stored_scorer: Any = None
        evaluation: Any = None
        authority_id = trees = features_count = 0
        for run in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            with factory() as session, session.begin():
                trained = service.train_model(
                    session,
                    history,
                    actor=SYSTEM,
                    train=TRAIN,
                    validate=VALIDATE,
                    authority="KR",
                )
                if run == 0:
                    stored_scorer = service.Scorer(trained.model)
                    authority_id = trained.model.authority_id
                    trees = trained.model.trees
                    features_count = len(trained.model.features)
                    evaluation = trained.evaluation
                elif trained.evaluation is not None and evaluation is not None:
                    same = trained.evaluation.at == evaluation.at
                    if not same:
                        print(f"  run {run + 1}: figures differ from run 1 (not deterministic)")
            runs.append(
                (time.perf_counter() - wall, time.process_time() - cpu, dict(trained.seconds))
            )
        assert evaluation is not None
        print(
            f"  {evaluation.declarations:,} declarations with an outcome, "
            f"{evaluation.irregular:,} irregular "
            f"(base rate {evaluation.irregular / evaluation.declarations:.3f}); "
            f"{trees} trees, {features_count} features"
        )
        print_evaluation("tollgate (service.train_model)", evaluation)
        print(
            f"  {'published best (KCS paper, LightGBM)':<58} "
            f"@5% P {PUBLISHED[0.05]:.3f}  @10% P {PUBLISHED[0.10]:.3f}"
        )
        print(
            f"  {'issue target, withheld 2021-Q2':<58} "
            f"@5% P >= {TARGETS[0.05]:.2f}  @10% P >= {TARGETS[0.10]:.2f}"
        )
        with factory() as session:
            train_rows = labelled_rows(session, history, authority_id, *TRAIN)
            valid_rows = labelled_rows(session, history, authority_id, *VALIDATE)
        for name, columns in (
            ("baseline: raw columns, identifiers as codes", (*RAW_IDENTIFIERS, *RAW_CODES)),
            ("baseline: raw columns, no identifiers", RAW_CODES),
        ):
            result, used = raw_baseline(train_rows, valid_rows, columns)
            print_evaluation(f"{name} ({used} trees)", result)
        walls = [w for w, _, _ in runs]
        split = {key: statistics.median(c.get(key, 0.0) for _, _, c in runs) for key in runs[0][2]}
        print(
            f"  service.train_model at KCS scale ({len(train_rows):,} rows): median "
            f"{statistics.median(walls):.1f} s wall, "
            f"{statistics.median(c for _, c, _ in runs):.1f} s CPU "
            f"(runs {', '.join(f'{w:.1f}' for w in walls)} s; "
            + ", ".join(f"{k} {v:.1f} s" for k, v in split.items())
            + ")"
        )

        # -- 2. training time at scale ---------------------------------------------------
        if not args.skip_scale:
            print(f"\n[2] training on {args.rows:,} declarations ({load()})")
            scale(train_rows, valid_rows, args.rows, repeats)

        # -- 3. real-time latency -------------------------------------------------------
        print(f"\n[3] real-time scoring, one 2021-Q1 declaration at a time ({load()})")
        latency(stored_scorer, valid_rows, args.latency)
        history.close()
    finally:
        engine.dispose()
    print(f"\nend: {load()}")


def raw_baseline(train: Any, valid: Any, codes: Sequence[str]) -> tuple[Any, int]:
    """A plain LightGBM on the raw columns, measured per declaration like the product."""
    # loaded after tollgate.scoring (by main), which sets OMP_WAIT_POLICY first
    import lightgbm as lgb

    from tollgate.scoring.dataset import by_declaration
    from tollgate.scoring.metrics import evaluate
    from tollgate.scoring.model import MAX_TREES, PATIENCE

    vocabularies = {c: pc.unique(pc.drop_null(train.table[c].combine_chunks())) for c in codes}

    def matrix(table: pa.Table) -> np.ndarray:
        out = np.full((table.num_rows, len(codes) + len(RAW_NUMBERS)), np.nan)
        for i, name in enumerate(codes):
            index = pc.index_in(table[name], value_set=vocabularies[name])
            out[:, i] = index.to_numpy(zero_copy_only=False)
        for j, name in enumerate(RAW_NUMBERS):
            values = pc.cast(table[name], pa.float64(), safe=False)
            out[:, len(codes) + j] = values.to_numpy(zero_copy_only=False)
        return out

    names = [c.replace(".", "_") for c in (*codes, *RAW_NUMBERS)]
    train_mask, valid_mask = train.labelled, valid.labelled
    train_matrix, valid_matrix = matrix(train.table), matrix(valid.table)
    data = lgb.Dataset(
        train_matrix[train_mask],
        label=train.labels[train_mask],
        feature_name=names,
        categorical_feature=list(range(len(codes))),
    )
    check = lgb.Dataset(valid_matrix[valid_mask], label=valid.labels[valid_mask], reference=data)
    booster = lgb.train(
        BASELINE_PARAMS,
        data,
        num_boost_round=MAX_TREES,
        valid_sets=[check],
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
    )
    scores = np.asarray(booster.predict(valid_matrix, num_iteration=booster.best_iteration))
    _, declared, labels = by_declaration(valid, scores)
    known = labels >= 0
    return evaluate(declared[known], labels[known]), int(booster.best_iteration)


def replicate(rows: Any, target: int) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """``rows`` copied until ``target`` rows, each copy's parties suffixed with its number,
    sorted by day (stable) as the history store reads them."""
    copies = -(-target // len(rows))
    tables, labels, days = [], [], []
    for copy in range(copies):
        table = rows.table
        if copy:
            for name in ENTITY_COLUMNS:
                if name in table.column_names:
                    column = pc.binary_join_element_wise(table[name], f"#{copy}", "")
                    table = table.set_column(table.column_names.index(name), name, column)
        tables.append(table)
        labels.append(rows.labels)
        days.append(rows.days)
    whole = pa.concat_tables(tables).slice(0, target)
    label = np.concatenate(labels)[:target]
    day = np.concatenate(days)[:target]
    order = np.argsort(day, kind="stable")
    return whole.take(pa.array(order)).combine_chunks(), label[order], day[order]


def scale(train: Any, valid: Any, target: int, repeats: int) -> None:
    from tollgate.scoring import service
    from tollgate.scoring.dataset import Rows

    began = time.perf_counter()
    table, labels, days = replicate(train, target)
    distinct = len(pc.unique(table["trader.eori"]))
    print(
        f"  replicated table: {table.num_rows:,} rows ({distinct:,} traders, "
        f"{int((labels == 1).sum()):,} irregular, days {days.min()}..{days.max()}), "
        f"built in {time.perf_counter() - began:.1f} s (not timed below)"
    )
    ids = np.arange(table.num_rows, dtype=np.int64)
    replicated = Rows(table, ids, ids, days, labels)
    del train
    timings: list[dict[str, float]] = []
    trees: list[int] = []
    for run in range(repeats):
        gc.collect()
        clock: dict[str, float] = {}
        cpu = time.process_time()
        wall = time.perf_counter()
        fitted = service.fit_best(replicated, valid, clock=clock)
        clock["total"] = time.perf_counter() - wall
        clock["cpu"] = time.process_time() - cpu
        timings.append(clock)
        trees.append(fitted.trained.trees)
        print(
            f"  run {run + 1}: features {clock['features']:.1f} s, training "
            f"{clock['train']:.1f} s (both feature sets; kept: "
            f"{'with' if fitted.state.entities else 'without'} entity histories, "
            f"{fitted.trained.trees} trees), total {clock['total']:.1f} s wall, "
            f"{clock['cpu']:.1f} s CPU; {load()}"
        )
        del fitted
    med = {key: statistics.median(t[key] for t in timings) for key in timings[0]}
    print(
        f"  median of {repeats}: features {med['features']:.1f} s, "
        f"training {med['train']:.1f} s, "
        f"total {med['total']:.1f} s wall ({med['cpu']:.1f} s CPU), "
        f"trees {statistics.median(trees):.0f}; target <= 300 s: "
        f"{'met' if med['total'] <= 300 else 'missed'}"
    )


def latency(scorer: Any, valid: Any, count: int) -> None:
    from tollgate.scoring import model

    declarations = valid.declarations
    starts = np.flatnonzero(np.r_[True, declarations[1:] != declarations[:-1]])
    ends = np.r_[starts[1:], len(declarations)]
    batch = scorer.score_matrix(scorer.state.transform(valid.table))
    prepared: list[list[dict[str, Any]]] = []
    expected: list[float] = []
    for i in range(min(count, starts.size)):
        s, e = int(starts[i]), int(ends[i])
        prepared.append(valid.table.slice(s, e - s).to_pylist())
        expected.append(float(batch[s:e].max()))
    while len(prepared) < count:  # more than the quarter holds: go round again
        prepared.append(prepared[len(prepared) % starts.size])
        expected.append(expected[len(expected) % starts.size])
    items = sum(len(r) for r in prepared)
    print(
        f"  {len(prepared):,} declarations ({items:,} goods items), "
        f"{len(scorer.state.names)} features, {scorer.booster.num_trees()} trees"
    )

    def timed(call: Callable[[list[dict[str, Any]]], Any], warm: int) -> tuple[Any, ...]:
        for rows in prepared[:warm]:
            call(rows)
        gc.collect()
        gc.disable()
        walls, cpus, out = [], [], []
        try:
            for rows in prepared:
                c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
                result = call(rows)
                w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
                walls.append((w1 - w0) / 1000)
                cpus.append((c1 - c0) / 1000)
                out.append(result)
        finally:
            gc.enable()
        return walls, cpus, out

    def report(what: str, walls: Sequence[float], cpus: Sequence[float]) -> None:
        print(
            f"  {what:<28} wall p50 {percentile(walls, 0.5):7.0f} µs  "
            f"p99 {percentile(walls, 0.99):7.0f} µs  max {max(walls):8.0f} µs  |  "
            f"thread CPU p50 {percentile(cpus, 0.5):6.0f} µs  p99 {percentile(cpus, 0.99):6.0f}"
        )

    warm = min(500, len(prepared))
    walls, cpus, scores = timed(scorer.score, warm)
    report("Scorer.score", walls, cpus)
    p99 = percentile(walls, 0.99)
    print(f"  target p99 <= 1,000 µs: {'met' if p99 <= 1000 else 'missed'}")
    encode_walls, encode_cpus, vectors = timed(scorer.state.encode_rows, warm)
    report("  of which encode_rows", encode_walls, encode_cpus)

    def predict(rows: list[dict[str, Any]]) -> Any:
        return model.predict(scorer.booster, lookup[id(rows)], threads=1)

    lookup = {id(rows): vector for rows, vector in zip(prepared, vectors, strict=True)}
    predict_walls, predict_cpus, _ = timed(predict, warm)
    report("  of which model.predict", predict_walls, predict_cpus)
    gap = float(np.max(np.abs(np.asarray(scores) - np.asarray(expected))))
    print(
        f"  one-at-a-time vs batch (transform + score_matrix): max |difference| {gap:.2e}"
        + ("" if gap < 1e-9 else "  <-- the real-time and batch paths disagree")
    )
    prepared = prepared[:EXPLAINED]
    walls, cpus, _ = timed(scorer.explain, min(100, len(prepared)))
    report(f"Scorer.explain ({len(prepared):,})", walls, cpus)


if __name__ == "__main__":
    main()
