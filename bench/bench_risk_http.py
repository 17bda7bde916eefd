"""Dry-run assessments through the HTTP API with 1,000 active profiles (issue 3 point 7).

Target: >= 1,000 assessments/s sustained through the API with p99 <= 50 ms, on this
2-core machine. What it runs:

- a database (SQLite file by default, ``--backend postgresql`` for a schema in the test
  database) migrated and seeded; an analyst of NL and its token; 1,000 active NL profiles
  and the 3,000-EORI watch list they read, from the seeded generator of
  ``bench_risk.py`` (imported, not copied: commodity prefixes with origins and value or
  mass thresholds, routes, modes, descriptions, patterns, watch lists, unanchored ones),
  plus the Commission's starter criteria; the generator's NL operators in the trader
  register (AEO status); synthetic trade (``--declarations``) loaded, so the traders the
  first-time-trader profiles ask about are known as in production;
- a real ``uvicorn`` server process serving ``tollgate.api.app:create_app`` (the app the
  demo serves, configured by ``TOLLGATE_DATABASE_URL``), with 1 and with 2 workers;
- a load generator in its own process posting the trade's NL filings (the JSON the intake
  takes) to ``POST /risk/assess`` over ``--connections`` keep-alive connections for
  ``--duration`` seconds after a warm-up: a closed loop (each connection sends its next
  request when the answer came) measuring the most the server sustains, and with
  ``--rate`` an open loop at that rate whose latencies count from each request's
  scheduled time (so a server that falls behind shows it, no coordinated omission).
  ``--client raw`` (default) speaks HTTP/1.1 on asyncio streams, the cheapest client
  Python has; ``--client httpx`` uses ``httpx.AsyncClient`` with a pool.

The load generator shares the 2 cores with the server: both CPUs are printed (CPU
seconds per wall second, from /proc and getrusage), with the machine and its load.
Each configuration runs ``--runs`` times against one server; the median run (by
throughput) is reported. ``--breakdown`` first times the request path's stages in
process, one request at a time: authentication (a session and a query), JSON parsing with
validation, the engine-cache check, the trader facts (cached), facts, the indexed profile
evaluation, the decision and credibility review, serialisation; then the whole ASGI
application called in process without a socket. What the server process spends per
request beyond that is uvicorn's HTTP and socket work.

    .venv/bin/python bench/bench_risk_http.py [--backend sqlite|postgresql]
        [--workers 1,2] [--duration 30] [--runs 3] [--rate 1000] [--breakdown]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import math
import os
import platform
import pstats
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
POSTGRES = os.environ.get(
    "TOLLGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PATH = "/risk/assess"
AUTHORITY = "NL"

# ----------------------------------------------------------------------------- set-up


@dataclass(slots=True)
class Setup:
    token: str
    documents: Path  # one NL filing per line, as posted
    count: int
    profiles: int
    lists: int


def _spec(i: int, when: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A generated condition as a full profile, with a plausible mix of areas and controls."""
    from tollgate.risk.profiles import FinancialRisk, RiskArea

    area = rng.choice(list(RiskArea))
    spec: dict[str, Any] = {
        "id": f"NL-BENCH-{i:04d}",
        "title": f"Benchmark profile {i}",
        "risk_area": area.value,
        "risk_level": rng.choice((10, 20, 30, 40, 50, 60, 70, 80)),
        "stage": rng.choice(("pre-arrival", "arrival", "clearance", "post-release")),
        "control": rng.choice(("documentary", "documentary", "scan", "physical")),
        "rationale": "Seeded benchmark profile resembling national targeting.",
        "instructions": f"Benchmark instruction {i}.",
        "when": when,
    }
    if area is RiskArea.FINANCIAL:
        spec["financial_risk"] = rng.choice(list(FinancialRisk)).value
    return spec


def prepare(
    url: str, work: Path, declarations: int, n_profiles: int, seed: int, preload: bool
) -> Setup:
    """Migrate, seed, create the analyst, store lists and profiles, load the trade."""
    sys.path.insert(0, str(HERE))
    from bench_risk import ProfileMaker, trade, watch_list
    from tollgate.authorities import service as authorities
    from tollgate.authorities.seed import seed_authorities
    from tollgate.authorities.service import SYSTEM
    from tollgate.db import make_engine, session_factory, upgrade
    from tollgate.intake.bulk import bulk_load
    from tollgate.risk import service
    from tollgate.synthetic.generator import generate
    from tollgate.traders.service import import_register

    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    t0 = time.perf_counter()
    data = trade(declarations, seed)
    rng = random.Random(seed)
    watch = watch_list(rng, data.register, 3_000)
    conditions = ProfileMaker(rng, data).profiles(n_profiles)
    specs = [_spec(i, when, rng) for i, when in enumerate(conditions)]
    with factory() as session, session.begin():
        seed_authorities(session)
        authorities.create_user(
            session, actor=SYSTEM, authority_code=AUTHORITY, username="bench", roles=["analyst"]
        )
        token = authorities.issue_token(session, actor=SYSTEM, username="bench")
        service.save_list(
            session,
            actor=SYSTEM,
            name="watch_eoris",
            kind="codes",
            entries=sorted(watch),
            authority=AUTHORITY,
        )
        service.import_profiles(
            session, actor=SYSTEM, data=specs, authority=AUTHORITY, activate=True
        )
        # the generator's operators in NL's trader register: AEO status (RM-23) counts
        operators = [
            {"eori": r["eori"], "aeo": "AEOF" if r.get("aeo") else None}
            for r in data.register
            if r.get("eori") and str(r["eori"]).startswith(AUTHORITY)
        ]
        import_register(session, actor=SYSTEM, records=operators, authority=AUTHORITY)
        eu = service.import_profiles(
            session,
            actor=SYSTEM,
            data=service.starter_criteria(),
            authority=service.EU_AUTHORITY,
            activate=True,
        )
    trade_file = work / "filings.jsonl"
    generate(declarations=declarations, seed=seed, out=trade_file, labels_out=None)
    if preload:
        bulk_load(factory, trade_file, fmt="jsonl", mapping=None, actor=SYSTEM)
    documents = work / "nl.jsonl"
    count = 0
    with trade_file.open("rb") as src, documents.open("wb") as out:
        for line in src:
            doc = orjson.loads(line)
            office = (
                doc.get("office_of_first_entry")
                or doc.get("office_of_lodgement")
                or doc.get("reported_to")
            )
            if str(office).startswith(AUTHORITY):
                out.write(line)
                count += 1
    engine.dispose()
    print(
        f"set-up {time.perf_counter() - t0:.0f} s: {n_profiles:,} active {AUTHORITY} profiles + "
        f"{len(eu.created)} Commission criteria, watch list of {len(watch):,} EORIs, "
        f"{len(operators):,} traders in the register; "
        f"{declarations:,} declarations {'loaded' if preload else 'not loaded'}, "
        f"{count:,} {AUTHORITY} filings to post"
    )
    return Setup(token, documents, count, n_profiles + len(eu.created), 1)


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tollgate-bench-http-db-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# ----------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(
    url: str, workers: int, extra: list[str], launcher: str = ""
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``uvicorn`` serving the application factory, as a deployment would (the demo's
    ``tollgate serve`` runs the same app in one process). ``launcher`` ``nodelay``: the
    same supervisor and workers, started by ``serve_nodelay``; ``reuseport``: one uvicorn
    server per worker on a socket of its own, started by ``serve_reuseport``."""
    port = _free_port()
    if launcher:
        cmd = [sys.executable, __file__, f"--serve-{launcher}", f"{workers}:{port}"]
    else:
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "tollgate.api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            *extra,
        ]
    env = os.environ | {"TOLLGATE_DATABASE_URL": url}
    proc = subprocess.Popen(cmd, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    if s.recv(100).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve_nodelay(workers: int, port: int) -> None:
    """``uvicorn --workers N`` with its listening socket made as ``IPPROTO_TCP``.

    uvicorn's supervisor binds the socket itself with ``proto`` 0 (``Config.bind_socket``),
    accepted connections inherit it, and asyncio sets ``TCP_NODELAY`` only on sockets that
    say ``IPPROTO_TCP``: with Nagle's algorithm left on, every keep-alive request after the
    first waits ~40 ms for the client's delayed ACK (uvicorn issue #3149, open; the fix,
    PRs #3154 and #3155, is this one argument). The single-process server is unaffected:
    asyncio makes its socket from ``getaddrinfo``, which says ``IPPROTO_TCP``."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config(
        "tollgate.api.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


def serve_reuseport(workers: int, port: int) -> None:
    """``workers`` uvicorn servers, each on its own listening socket of one port
    (``SO_REUSEPORT``, and ``IPPROTO_TCP`` as in ``serve_nodelay``).

    With one socket shared by every worker (uvicorn's ``--workers``), whichever worker
    wakes first accepts every connection waiting (asyncio accepts in a batch): a client
    opening its few keep-alive connections at once often lands them all on one worker,
    and the other idles. With a socket per worker the kernel spreads new connections
    over the workers by a hash of their addresses."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_reuseport_worker, args=(port,)) for _ in range(workers)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.join()


def _reuseport_worker(port: int) -> None:
    from uvicorn import Config, Server

    config = Config(
        "tollgate.api.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    Server(config).run(sockets=[sock])


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's workers are children of its supervisor)."""
    parents: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(stat[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def cpu_seconds(pids: list[int], name: str | None = None) -> float:
    """CPU time (user + system) used so far by these processes, or by every process whose
    command starts with ``name`` (PostgreSQL's backends)."""
    if name is not None:
        pids = [int(p) for p in filter(str.isdigit, os.listdir("/proc"))]
    ticks = 0
    for pid in pids:
        try:
            if name is not None and not Path(f"/proc/{pid}/comm").read_text().startswith(name):
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------- load generator


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


#: how long after the end an open loop still sends what it scheduled: a server that is
#: further behind than that does not sustain the rate, and the rest counts as missed
GRACE = 5.0


async def _next(tickets: asyncio.Queue[float | None] | None, end: float) -> float | None:
    """When the next request counts from (now, or its scheduled time), None to stop."""
    now = time.perf_counter()
    if tickets is None:
        return now if now < end else None
    ticket = await tickets.get()
    if ticket is None or time.perf_counter() > end + GRACE:
        return None
    return ticket


async def _raw_worker(
    port: int,
    requests: list[bytes],
    offset: int,
    tickets: asyncio.Queue[float | None] | None,
    end: float,
    out: dict[str, Any],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    clock = time.perf_counter
    latencies: list[float] = out["latencies"]
    i = offset
    try:
        while (start := await _next(tickets, end)) is not None:
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lower = head.lower()
            at = lower.index(b"content-length:") + 15
            length = int(lower[at : lower.index(b"\r\n", at)])
            body = await reader.readexactly(length)
            latencies.append(clock() - start)
            _tally(out, status, body, i)
    finally:
        writer.close()


async def _httpx_worker(
    client: Any,
    bodies: list[bytes],
    headers: dict[str, str],
    offset: int,
    tickets: asyncio.Queue[float | None] | None,
    end: float,
    out: dict[str, Any],
) -> None:
    clock = time.perf_counter
    latencies: list[float] = out["latencies"]
    i = offset
    while (start := await _next(tickets, end)) is not None:
        r = await client.post(PATH, content=bodies[i % len(bodies)], headers=headers)
        i += 1
        latencies.append(clock() - start)
        _tally(out, r.status_code, r.content, i)


def _tally(out: dict[str, Any], status: int, body: bytes, i: int) -> None:
    out["statuses"][status] += 1
    if status == 200 and i % 10 == 0:  # a sample of the answers, to describe the load
        answer = orjson.loads(body)
        out["decisions"][answer["decision"]] += 1
        out["hits"].append(len(answer["reasons"]))


async def _pace(
    tickets: asyncio.Queue[float | None],
    rate: float,
    start: float,
    end: float,
    workers: int,
    out: dict[str, Any],
) -> None:
    i = 0
    while True:
        due = start + i / rate
        if due >= end:
            break
        now = time.perf_counter()
        if due > now:
            await asyncio.sleep(due - now)
        tickets.put_nowait(due)
        i += 1
        out["issued"] = i
    for _ in range(workers):
        tickets.put_nowait(None)


async def _load(cfg: dict[str, Any]) -> dict[str, Any]:
    with open(cfg["documents"], "rb") as fh:
        bodies = [line.rstrip(b"\n") for line in fh]
    random.Random(1).shuffle(bodies)
    headers = {"Authorization": f"Bearer {cfg['token']}", "Content-Type": "application/json"}
    out: dict[str, Any] = {
        "latencies": [],
        "statuses": Counter(),
        "decisions": Counter(),
        "hits": [],
        "issued": 0,
    }
    n, rate = cfg["connections"], cfg["rate"]
    start = time.perf_counter()
    end = start + cfg["duration"]
    tickets: asyncio.Queue[float | None] | None = asyncio.Queue() if rate else None
    offsets = [k * len(bodies) // n for k in range(n)]
    tasks: list[Any] = []
    if tickets is not None:
        tasks.append(_pace(tickets, rate, start, end, n, out))
    if cfg["client"] == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        base = f"http://127.0.0.1:{cfg['port']}"
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            tasks += [_httpx_worker(client, bodies, headers, o, tickets, end, out) for o in offsets]
            await asyncio.gather(*tasks)
    else:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        start_line = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
        requests = [f"{start_line}Content-Length: {len(b)}\r\n\r\n".encode() + b for b in bodies]
        tasks += [_raw_worker(cfg["port"], requests, o, tickets, end, out) for o in offsets]
        await asyncio.gather(*tasks)
    seconds = min(time.perf_counter() - start, cfg["duration"])
    completed = len(out["latencies"])
    # a scheduled request never sent in time waited forever, as far as its sender knows
    missed = max(0, out["issued"] - completed) if rate else 0
    lat = sorted(out["latencies"]) + [math.inf] * missed
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "completed": completed,
        "missed": missed,
        "seconds": seconds,
        "statuses": dict(out["statuses"]),
        "p50": percentile(lat, 0.50) * 1000,
        "p95": percentile(lat, 0.95) * 1000,
        "p99": percentile(lat, 0.99) * 1000,
        "max": (lat[-1] if lat else math.nan) * 1000,
        "client_cpu": usage.ru_utime + usage.ru_stime,
        "decisions": dict(out["decisions"]),
        "mean_hits": statistics.fmean(out["hits"]) if out["hits"] else 0.0,
    }


def client_main(cfg: dict[str, Any]) -> None:
    print(json.dumps(asyncio.run(_load(cfg))))


@dataclass(slots=True)
class Run:
    throughput: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: int
    missed: int
    server_us: float  # server CPU per answered request
    client_us: float
    server_cores: float
    db_cores: float
    client_cores: float
    decisions: dict[str, int]
    mean_hits: float
    load: str


def run_load(
    proc: subprocess.Popen[bytes],
    port: int,
    setup: Setup,
    *,
    duration: float,
    connections: int,
    rate: float,
    client: str,
    postgres: bool,
) -> Run:
    cfg = {
        "port": port,
        "token": setup.token,
        "documents": str(setup.documents),
        "duration": duration,
        "connections": connections,
        "rate": rate,
        "client": client,
    }
    pids = _tree(proc.pid)
    server0 = cpu_seconds(pids)
    db0 = cpu_seconds([], "postgres") if postgres else 0.0
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--client-run", json.dumps(cfg)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    server = cpu_seconds(pids) - server0
    db = (cpu_seconds([], "postgres") - db0) if postgres else 0.0
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(
        throughput=r["completed"] / r["seconds"],
        p50=r["p50"],
        p95=r["p95"],
        p99=r["p99"],
        max=r["max"],
        errors=sum(n for s, n in r["statuses"].items() if s != "200"),
        missed=r["missed"],
        server_us=server / max(1, r["completed"]) * 1e6,
        client_us=r["client_cpu"] / max(1, r["completed"]) * 1e6,
        server_cores=server / wall,
        db_cores=db / wall,
        client_cores=r["client_cpu"] / r["seconds"],
        decisions=r["decisions"],
        mean_hits=r["mean_hits"],
        load=", ".join(f"{x:.2f}" for x in os.getloadavg()),
    )


# --------------------------------------------------------------------------- breakdown


def breakdown(url: str, setup: Setup, n: int, profile: bool) -> None:
    """The request path's stages, timed in process one request at a time (CPU time of
    this thread, medians and means in µs), then the whole ASGI app without a socket."""
    from tollgate.api.app import create_app
    from tollgate.authorities.tables import Authority
    from tollgate.config import Settings
    from tollgate.risk.engines import ActorCache, EngineCache, TraderCache

    app = create_app(Settings(database_url=url))
    factory = app.state.session_factory
    with setup.documents.open("rb") as fh:
        bodies = [line.rstrip(b"\n") for line in fh][:n]
    with factory() as session:
        authority_id = session.scalar(sa.select(Authority.id).where(Authority.code == AUTHORITY))
    t0 = time.perf_counter()
    cache = EngineCache(factory)
    entry = cache.get(authority_id)
    build = time.perf_counter() - t0
    traders = TraderCache(factory)
    actors = ActorCache(max_age=3600)
    stages: dict[str, list[int]] = {}
    for _ in range(2):  # the first pass warms the caches, the second is kept
        stages.clear()
        for body in bodies:
            _stages(body, setup.token, factory, cache, traders, authority_id, stages, actors)
    print(
        f"\nin process, {len(bodies):,} filings (thread CPU µs per request); engine build "
        f"{build * 1000:.0f} ms for {entry.size:,} profiles"
    )
    print("| stage | median µs | mean µs |\n|---|---|---|")
    total = 0.0
    for name, ns in stages.items():
        mean = statistics.fmean(ns) / 1000
        total += mean if "uncached" not in name else 0.0
        print(f"| {name} | {statistics.median(ns) / 1000:.1f} | {mean:.1f} |")
    print(f"| **sum of the stages the dry run pays** | | **{total:.0f}** |")
    asgi = asyncio.run(_asgi(app, bodies, setup.token, profile))
    print(
        f"| whole ASGI app in process (FastAPI + Starlette, no socket; wall µs) | "
        f"{statistics.median(asgi):.0f} | {statistics.fmean(asgi):.0f} |"
    )


def _stages(
    body: bytes,
    token: str,
    factory: Any,
    cache: Any,
    traders: Any,
    authority_id: int,
    stages: dict[str, list[int]],
    actors: Any,
) -> None:
    """One dry run, stage by stage, as ``risk.views`` and ``risk.engines`` do it."""
    from tollgate.authorities.service import authenticate
    from tollgate.declarations.models import FilingAdapter
    from tollgate.risk.credibility import item_numbers, review
    from tollgate.risk.engines import dry_run_context
    from tollgate.risk.facts import rows_of, trader_eori
    from tollgate.risk.selection import decide

    clock = time.thread_time_ns
    header = f"Bearer {token}"
    received_at = datetime.now(UTC)

    def authenticate_once(token: str) -> Any:
        with factory() as session:
            return authenticate(session, token)

    def timed(name: str, t: int) -> int:
        now = clock()
        stages.setdefault(name, []).append(now - t)
        return now

    t = clock()
    with factory() as session:
        authenticate(session, token)
    t = timed("authenticate, uncached (session + query; not on the path when cached)", t)
    if actors.get(header) is None:
        actors.put(header, authenticate_once(token))
    t = timed("actor cache hit (what the dry run pays)", t)
    filing = FilingAdapter.validate_json(body)
    t = timed("parse + validate (pydantic)", t)
    entry = cache.fresh(authority_id) or cache.get(authority_id)
    t = timed("engine cache check", t)
    trader = traders.lookup(authority_id, trader_eori(filing), filing.lodged_at.date())
    t = timed("trader facts (cached)", t)
    context = dry_run_context(entry, filing, trader, received_at)
    rows = rows_of(filing, entry.country or filing.office[:2], context)
    t = timed("facts (rows_of)", t)
    hits = entry.engine.hits(rows)
    t = timed("profile evaluation (index)", t)
    aeo = bool(rows[0].get("trader.aeo"))
    decision = decide(hits, aeo=aeo, declaration_key="x", stratum=filing.kind, randomness=None)
    reviewed = review(decision, entry.checks.check(rows, item_numbers(filing)))
    t = timed("decision + credibility review", t)
    orjson.dumps({"reasons": reviewed.reasons, "decision": reviewed.decision})
    timed("serialise (orjson)", t)


async def _asgi(app: Any, bodies: list[bytes], token: str, profile: bool) -> list[float]:
    """Call the application as uvicorn would, without a socket: per request wall µs."""
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
    ]

    async def call(body: bytes) -> int:
        sent: list[dict[str, Any]] = []
        chunks = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return chunks.pop() if chunks else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": PATH,
            "raw_path": PATH.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        await app(scope, receive, send)
        return int(sent[0]["status"])

    for body in bodies:  # one pass fills the caches (engine, callers, traders)
        assert await call(body) == 200
    out: list[float] = []
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    for body in bodies:
        t0 = time.perf_counter()
        await call(body)
        out.append((time.perf_counter() - t0) * 1e6)
    if profiler is not None:
        profiler.disable()
        print()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    return out


# --------------------------------------------------------------------------------- main


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    return (
        f"machine: {platform.machine()} {model}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
        f"{platform.python_implementation()} {platform.python_version()}, uvicorn "
        f"{version('uvicorn')} (h11{', httptools' if _has('httptools') else ''}"
        f"{', uvloop' if _has('uvloop') else ''}), fastapi {version('fastapi')}; "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--declarations", type=int, default=10_000)
    parser.add_argument("--profiles", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers",
        default="1,2,2+nodelay,2+reuseport",
        help="uvicorn worker counts to try; N+nodelay: N workers, listener as IPPROTO_TCP; "
        "N+reuseport: N servers, a socket each",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--rate", type=float, default=0.0, help="also run an open loop at this rate (per s)"
    )
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--no-preload", action="store_true", help="do not load the trade")
    parser.add_argument("--breakdown", action="store_true", help="time the stages in process")
    parser.add_argument("--cprofile", action="store_true", help="profile the in-process ASGI")
    parser.add_argument("--uvicorn", default="", help="extra uvicorn options, e.g. '--http h11'")
    parser.add_argument("--client-run", help=argparse.SUPPRESS)
    parser.add_argument("--serve-nodelay", help=argparse.SUPPRESS)
    parser.add_argument("--serve-reuseport", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client_run:
        client_main(json.loads(args.client_run))
        return 0
    if args.serve_nodelay or args.serve_reuseport:
        workers, port = map(int, (args.serve_nodelay or args.serve_reuseport).split(":"))
        (serve_nodelay if args.serve_nodelay else serve_reuseport)(workers, port)
        return 0

    # a terminated run still drops its schema and removes its files
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(machine())
    with (
        database(args.backend) as url,
        tempfile.TemporaryDirectory(prefix="tollgate-bench-http-") as work,
    ):
        setup = prepare(
            url, Path(work), args.declarations, args.profiles, args.seed, not args.no_preload
        )
        if args.breakdown or args.cprofile:
            breakdown(url, setup, 3_000, args.cprofile)
        modes = [("closed loop", 0.0)] + (
            [(f"open loop {args.rate:,.0f}/s", args.rate)] * bool(args.rate)
        )
        rows: list[str] = []
        for spec in args.workers.split(","):
            workers, _, launcher = spec.partition("+")
            with server(url, int(workers), args.uvicorn.split(), launcher) as (proc, port):
                run_load(
                    proc,
                    port,
                    setup,
                    duration=args.warmup,
                    connections=args.connections,
                    rate=0.0,
                    client=args.client,
                    postgres=args.backend == "postgresql",
                )
                for mode, rate in modes:
                    runs = []
                    for k in range(args.runs):
                        run = run_load(
                            proc,
                            port,
                            setup,
                            duration=args.duration,
                            connections=args.connections,
                            rate=rate,
                            client=args.client,
                            postgres=args.backend == "postgresql",
                        )
                        runs.append(run)
                        print(
                            f"  {spec} worker(s), {mode}, run {k + 1}: {run.throughput:,.0f}/s, "
                            f"p50 {run.p50:.1f} p95 {run.p95:.1f} p99 {run.p99:.1f} "
                            f"max {run.max:.0f} ms, errors {run.errors}, missed {run.missed}, "
                            f"CPU µs/request server {run.server_us:.0f} client "
                            f"{run.client_us:.0f}, CPU cores server "
                            f"{run.server_cores:.2f} db {run.db_cores:.2f} client "
                            f"{run.client_cores:.2f}; load {run.load}",
                            flush=True,
                        )
                    # the median run: by throughput in a closed loop, by p99 at a fixed rate
                    runs.sort(key=lambda r: r.p99 if rate else r.throughput)
                    median = runs[len(runs) // 2]
                    rows.append(_row(args.backend, spec, mode, args, median, runs))
                    decisions = ", ".join(
                        f"{d} {n / sum(median.decisions.values()):.0%}"
                        for d, n in sorted(median.decisions.items(), key=lambda kv: -kv[1])
                    )
                    print(f"  answers (sample): {decisions}; {median.mean_hits:.2f} hits each")
    print()
    print(
        "| backend | uvicorn workers | load | assessments/s | p50 ms | p95 ms | p99 ms | "
        "max ms | errors, missed | server CPU µs/request | server CPU (cores) | "
        "PostgreSQL CPU (cores) | client CPU (cores) | runs (/s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


def _row(
    backend: str, workers: str, mode: str, args: argparse.Namespace, m: Run, runs: list[Run]
) -> str:
    load = f"{mode}, {args.connections} conns, {args.client} client"
    db = f"{m.db_cores:.2f}" if backend == "postgresql" else "-"
    return (
        f"| {backend} | {workers} | {load} | **{m.throughput:,.0f}** | {m.p50:.1f} | "
        f"{m.p95:.1f} | **{m.p99:.1f}** | {m.max:.0f} | {m.errors}, {m.missed} | "
        f"{m.server_us:.0f} | {m.server_cores:.2f} | {db} | {m.client_cores:.2f} | "
        f"{', '.join(f'{r.throughput:,.0f}' for r in runs)} |"
    )


if __name__ == "__main__":
    sys.exit(main())
