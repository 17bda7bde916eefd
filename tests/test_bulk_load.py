"""Bulk load (issue 2 §6): JSON Lines, CSV with a mapping, Parquet; resumable; never loses
or duplicates a record, even when killed with SIGKILL and run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import house, import_h1
from tollgate.authorities.service import SYSTEM
from tollgate.declarations.tables import FilingLabel, FilingRecord, FilingVersion
from tollgate.errors import ValidationFailed
from tollgate.intake.bulk import bulk_load, rejections
from tollgate.intake.mapping import load_mapping
from tollgate.intake.tables import LoadJob

ROOT = Path(__file__).resolve().parents[1]


def write_jsonl(path: Path, n: int, bad_every: int = 0) -> int:
    """n records; every ``bad_every``-th is broken. Returns the number of good ones."""
    good = 0
    with path.open("wb") as fh:
        for i in range(1, n + 1):
            if bad_every and i % bad_every == 0:
                fh.write(b'{"kind": "ens", "lrn": "bad' + str(i).encode() + b'"}\n')
                continue
            fh.write(orjson.dumps(house(lrn=f"H{i}", htd=f"HAWB{i}")) + b"\n")
            good += 1
    return good


def counts(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as session:
        filings = session.scalar(select(func.count()).select_from(FilingRecord)) or 0
        versions = session.scalar(select(func.count()).select_from(FilingVersion)) or 0
        return int(filings), int(versions)


def test_jsonl_load_reports_rejections_and_is_idempotent(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    src = tmp_path / "f.jsonl"
    good = write_jsonl(src, 250, bad_every=50)
    src.write_bytes(src.read_bytes() + b'\n\xff\xfe not utf8\n{"kind": \n')
    summary = bulk_load(factory, src, fmt="jsonl", mapping=None, actor=SYSTEM, batch_size=60)
    assert (summary.accepted, summary.rejected) == (good, 5 + 2)
    assert counts(factory) == (good, good)
    with factory() as session:
        rej = rejections(session, summary.job_id, limit=1000)
        assert {r.code for r in rej} == {"missing", "invalid_utf8", "malformed_json"}
        assert [r.position for r in rej if r.code == "invalid_utf8"] == [252]
        assert all(r.record_id == f"bad{r.position}" for r in rej if r.code == "missing")
    again = bulk_load(factory, src, fmt="jsonl", mapping=None, actor=SYSTEM)
    assert again.already_done and counts(factory) == (good, good)
    # the same records under another name: recognised record by record
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(src.read_bytes() + b"\n")
    third = bulk_load(factory, copy, fmt="jsonl", mapping=None, actor=SYSTEM)
    assert (third.accepted, third.unchanged) == (0, good)
    assert counts(factory) == (good, good)


def test_csv_with_mapping_loads_kcs_sample_and_labels(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    kcs = Path(__file__).resolve().parents[2] / "shared/data/kcs-declarations/df_syn_valid_eng.csv"
    lines = kcs.read_text(encoding="utf-8").splitlines()[:201]
    src = tmp_path / "kcs.csv"
    src.write_text("\n".join([*lines, "1,2,3", '"unterminated']) + "\n", encoding="utf-8")
    summary = bulk_load(
        factory,
        src,
        fmt="csv",
        mapping=load_mapping(ROOT / "mappings/kcs.yaml"),
        actor=SYSTEM,
        batch_size=64,
    )
    assert summary.accepted + summary.rejected == 202
    assert summary.accepted >= 195
    with factory() as session:
        codes = {r.code for r in rejections(session, summary.job_id, limit=100)}
        assert "broken_csv_row" in codes
        fraud = session.scalar(
            select(func.count()).select_from(FilingLabel).where(FilingLabel.name == "fraud")
        )
        assert fraud == summary.accepted
        doc = session.scalars(select(FilingVersion)).first()
        assert doc is not None and doc.document["office_of_lodgement"].startswith("KR")
        assert "tax_type" in doc.document["national_data"]


def test_worker_processes_load_the_same_as_in_process(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    src = tmp_path / "w.jsonl"
    good = write_jsonl(src, 900, bad_every=100)
    summary = bulk_load(
        factory, src, fmt="jsonl", mapping=None, actor=SYSTEM, batch_size=100, workers=2
    )
    assert (summary.accepted, summary.rejected) == (good, 9)
    assert counts(factory) == (good, good)
    with factory() as session:
        positions = sorted({r.position for r in rejections(session, summary.job_id, limit=1000)})
        assert positions == list(range(100, 901, 100))


def test_csv_missing_mapping_columns_is_refused_before_loading(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    src = tmp_path / "x.csv"
    src.write_text("Declaration ID,Date\n1,2020-01-01\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"lacks the columns the mapping needs: .*Office ID"):
        bulk_load(
            factory, src, fmt="csv", mapping=load_mapping(ROOT / "mappings/kcs.yaml"), actor=SYSTEM
        )
    assert counts(factory) == (0, 0)


def test_parquet_in_tollgate_shape(factory: sessionmaker[Session], tmp_path: Path) -> None:
    docs = [import_h1(lrn=f"P{i}", htd=None) for i in range(30)]
    for d in docs:  # parquet has no Decimal-as-string: store money as text columns
        d["invoice_total"] = str(d["invoice_total"])
    pq.write_table(pa.Table.from_pylist(docs), tmp_path / "f.parquet")
    summary = bulk_load(factory, tmp_path / "f.parquet", fmt="parquet", mapping=None, actor=SYSTEM)
    assert (summary.accepted, summary.rejected) == (30, 0)


@pytest.mark.slow
def test_sigkill_mid_load_then_rerun_loses_and_duplicates_nothing(
    factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    src = tmp_path / "big.jsonl"
    good = write_jsonl(src, 12_000, bad_every=97)
    env = {**os.environ, "TOLLGATE_DATABASE_URL": database_url}
    cmd = [
        sys.executable,
        "-m",
        "tollgate",
        "load",
        str(src),
        "--batch-size",
        "300",
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    position = 0
    while time.monotonic() < deadline and proc.poll() is None:
        with factory() as session:
            position = session.scalar(select(func.max(LoadJob.committed_position))) or 0
        if position >= 1200:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the load finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = counts(factory)
    assert 0 < partial[0] < good
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "resumed job" in done.stdout
    assert counts(factory) == (good, good)
    with factory() as session:
        job = session.scalars(select(LoadJob)).one()
        assert job.status == "done"
        assert job.accepted == good and job.rejected == 12_000 - good
        assert job.accepted + job.rejected + job.unchanged == 12_000
