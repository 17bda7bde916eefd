"""CIS screening: name-matching quality, throughput and per-declaration latency.

(a) Quality on the labelled name pairs of ``bench/data/cis-name-variants.csv``: every distinct
alert name becomes one alert of one index, every candidate is screened against all of them,
and a pair counts as matched when the candidate hits its own alert. Even data lines calibrate
the threshold, odd lines are held out; precision, recall and F1 at the default threshold are
printed for both halves, with a small threshold table.

(b) Throughput: ``--alerts`` synthetic person and business alerts (names of many origins, some
in Cyrillic or Greek script, some with a date of birth, identifiers and aliases) and
``--parties`` declaration parties: the operators of the synthetic trade generator
(``tollgate.synthetic``), private persons, and variants of alert names (typos,
transliterations, word order) so that there are real hits. Timed: building the index, and
``screen_many`` over all parties (median of ``--repeats`` runs, each on a fresh name cache).

(c) Latency: ``--declarations`` declarations of 2-6 parties with identifiers, a transport
registration, containers and commodity codes, screened one at a time with the name cache
cleared before each (every name scored), and again with the cache kept; p50/p99.

    .venv/bin/python bench/bench_cis_screening.py [--alerts 100000] [--parties 1000000]
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import random
import statistics
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

from tollgate.cis.screening import DEFAULT_THRESHOLD, AlertIndex, Subject
from tollgate.synthetic.generator import build_world

DATA = Path(__file__).with_name("data") / "cis-name-variants.csv"

# ------------------------------------------------------------------------------- quality

Labelled = tuple[str, bool, str, bool, str, bool]


def labelled() -> tuple[list[Labelled], list[Labelled]]:
    """The labelled pairs, split by data line: even lines calibrate, odd lines are held out."""
    calibration: list[Labelled] = []
    held_out: list[Labelled] = []
    with DATA.open(encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=1):
            item = (
                row["alert_name"],
                row["alert_is_person"] == "1",
                row["candidate_name"],
                row["candidate_is_person"] == "1",
                row["kind"],
                row["same"] == "1",
            )
            (calibration if n % 2 == 0 else held_out).append(item)
    return calibration, held_out


def pair_scores(rows: Sequence[Labelled]) -> list[float]:
    """The candidate's score against its own alert (0 when blocking never offered it)."""
    index = AlertIndex(threshold=0.5)
    ids: dict[tuple[str, bool], int] = {}
    for alert, alert_person, *_ in rows:
        if (alert, alert_person) not in ids:
            ids[(alert, alert_person)] = len(ids)
            names = tuple(n.strip() for n in alert.split("|"))
            index.add(ids[(alert, alert_person)], Subject(names=names, is_person=alert_person))
    scores = []
    for alert, alert_person, candidate, candidate_person, _, _ in rows:
        aid = ids[(alert, alert_person)]
        hits = index.screen(Subject(names=(candidate,), is_person=candidate_person))
        scores.append(next((m.score for m in hits if m.alert_id == aid), 0.0))
    return scores


def quality(scores: Sequence[float], same: Sequence[bool], t: float) -> tuple[float, float, float]:
    tp = sum(1 for s, y in zip(scores, same, strict=True) if y and s >= t)
    fp = sum(1 for s, y in zip(scores, same, strict=True) if not y and s >= t)
    fn = sum(1 for s, y in zip(scores, same, strict=True) if y and s < t)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def report_quality(show_errors: str | None) -> None:
    calibration, held_out = labelled()
    print(f"## (a) quality: {DATA.name}, {len(calibration) + len(held_out)} pairs")
    print(f"default threshold {DEFAULT_THRESHOLD}")
    halves: dict[str, tuple[list[Labelled], list[float], list[bool]]] = {}
    for label, rows in (("calibration", calibration), ("held-out", held_out)):
        scores = pair_scores(rows)
        same = [r[5] for r in rows]
        halves[label] = (rows, scores, same)
        p, r, f = quality(scores, same, DEFAULT_THRESHOLD)
        positives = sum(same)
        print(
            f"{label:12} {len(rows):4} pairs ({positives} same, {len(rows) - positives} not): "
            f"precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}"
        )
    all_scores = halves["calibration"][1] + halves["held-out"][1]
    all_same = halves["calibration"][2] + halves["held-out"][2]
    p, r, f = quality(all_scores, all_same, DEFAULT_THRESHOLD)
    print(
        f"{'whole set':12} {len(all_same):4} pairs ({sum(all_same)} same, "
        f"{len(all_same) - sum(all_same)} not): precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}"
    )
    print(
        "\n| threshold | calib. P | calib. R | calib. F1 | held-out P | held-out R | held-out F1 |"
    )
    print("|---|---|---|---|---|---|---|")
    for t in (0.76, 0.78, 0.80, 0.81, 0.82, 0.83, 0.84, 0.86, 0.88, 0.90):
        _, cs, cy = halves["calibration"]
        _, hs, hy = halves["held-out"]
        cp, cr, cf = quality(cs, cy, t)
        hp, hr, hf = quality(hs, hy, t)
        mark = " (default)" if abs(t - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(
            f"| {t:.2f}{mark} | {cp:.3f} | {cr:.3f} | {cf:.3f} | {hp:.3f} | {hr:.3f} | {hf:.3f} |"
        )
    print("\nheld-out recall by kind of variant / share of negatives wrongly matched:")
    rows, scores, same = halves["held-out"]
    kinds = sorted({r[4] for r in rows})
    for kind in kinds:
        picked = [(s, y) for r, s, y in zip(rows, scores, same, strict=True) if r[4] == kind]
        pos = [s for s, y in picked if y]
        neg = [s for s, y in picked if not y]
        parts = []
        if pos:
            parts.append(f"recall {sum(s >= DEFAULT_THRESHOLD for s in pos) / len(pos):.2f}")
        if neg:
            parts.append(f"false matches {sum(s >= DEFAULT_THRESHOLD for s in neg)}/{len(neg)}")
        print(f"  {kind:16} {len(picked):4} pairs: {', '.join(parts)}")
    if show_errors:
        for label in ("calibration", "held-out") if show_errors == "both" else (show_errors,):
            rows, scores, same = halves[label]
            print(f"\nerrors ({label}):")
            for row, score, y in zip(rows, scores, same, strict=True):
                if y != (score >= DEFAULT_THRESHOLD):
                    wrong = "FN" if y else "FP"
                    print(f"  {wrong} {score:.3f} {row[4]:15} {row[0]!r} ~ {row[2]!r}")


# ------------------------------------------------------------------------------- names

# Given names and surnames of many origins; surnames are also built from stems and
# endings so that the alert list has the long tail of a real one.
_CULTURES: dict[str, tuple[str, str, str]] = {
    "ru": (
        "Aleksandr|Aleksei|Andrei|Anton|Boris|Dmitri|Evgeni|Fedor|Grigori|Igor|Ilya|Ivan|"
        "Kirill|Konstantin|Leonid|Maksim|Mikhail|Nikolai|Oleg|Pavel|Roman|Sergei|Stanislav|"
        "Timur|Vadim|Valentin|Viktor|Vladimir|Yuri|Anna|Elena|Irina|Natalia|Olga|Svetlana|"
        "Tatiana|Yulia|Ekaterina|Marina|Ksenia|Daria|Vera|Lyudmila",
        "Petr|Ivan|Sokol|Volk|Moroz|Lebed|Kozl|Novik|Fedor|Orl|Bel|Medved|Zaits|Pavl|Semen|"
        "Vasil|Smirn|Kuznets|Popov|Vinogrado|Bogdan|Karp|Grom|Kalin|Tikhon|Zhukov|Chern|"
        "Krasn|Rybak|Gusev|Titov|Kovalev|Ilyin|Gorbun|Tarasov|Belous|Makar|Nikitin|Zakhar|"
        "Shcherbak|Vorontsov|Dolgorukov|Shevchenk",
        "ov|ev|in|sky|enko|ovich|yuk|ko",
    ),
    "pl": (
        "Adam|Andrzej|Bartosz|Grzegorz|Jakub|Jan|Kamil|Krzysztof|Marek|Michal|Pawel|Piotr|"
        "Tomasz|Wojciech|Agnieszka|Anna|Ewa|Joanna|Katarzyna|Magdalena|Malgorzata|Zofia",
        "Kowal|Nowak|Wisniew|Wojcik|Kaminsk|Lewandow|Zielin|Szyman|Wozniak|Dabrow|Kozlow|"
        "Jankow|Mazur|Krawczyk|Piotrow|Grabow|Pawlow|Michalsk|Krol|Wieczor|Jablon|Wroblew",
        "ski|ska|czyk|ak|ek|icz|iak",
    ),
    "de": (
        "Andreas|Christian|Daniel|Dieter|Frank|Hans|Jens|Jürgen|Karl|Klaus|Lukas|Markus|"
        "Matthias|Michael|Peter|Stefan|Thomas|Uwe|Wolfgang|Anja|Claudia|Katrin|Sabine|Ursula",
        "Müll|Schmid|Schneid|Fisch|Web|Mey|Wagn|Beck|Hoffm|Schulz|Koch|Richt|Klein|Wolf|"
        "Schröd|Neum|Schwarz|Zimmerm|Braun|Krüg|Hofm|Hartm|Lang|Werner|Krause|Lehm|Köhl",
        "er|mann|ert|el|inger|hardt|",
    ),
    "ar": (
        "Mohammed|Ahmed|Ali|Omar|Khaled|Youssef|Hassan|Hussein|Ibrahim|Mahmoud|Mustafa|Tarek|"
        "Walid|Nabil|Samir|Karim|Said|Abdullah|Abdelaziz|Fatima|Aisha|Mariam|Leila|Nour|Zainab",
        "Haddad|Mansour|Khalil|Nasser|Saleh|Hamdan|Qasim|Rashid|Najjar|Shami|Masri|Omari|"
        "Tamimi|Zahrani|Ghamdi|Harbi|Otaibi|Dosari|Shehri|Qahtani|Mutairi|Anazi|Shammari|"
        "Hashimi|Bakr|Jaber|Barakat|Sabbagh|Khoury|Daher",
        "|i|",
    ),
    "tr": (
        "Mehmet|Mustafa|Ahmet|Ali|Hüseyin|Hasan|Ibrahim|Emre|Murat|Burak|Kemal|Serkan|Ayşe|"
        "Fatma|Emine|Hatice|Zeynep|Elif|Merve",
        "Yılmaz|Kaya|Demir|Şahin|Çelik|Yıldız|Yıldırım|Öztürk|Aydın|Özdemir|Arslan|Doğan|"
        "Kılıç|Aslan|Çetin|Kara|Koç|Kurt|Özkan|Şimşek|Polat|Korkmaz|Karaca|Tekin|Güneş",
        "|oğlu|",
    ),
    "zh": (
        "Wei|Fang|Na|Min|Jing|Li|Qiang|Lei|Jun|Yang|Yong|Yan|Jie|Tao|Ming|Chao|Xiuying|Xia|"
        "Ping|Gang|Hui|Bo|Jian|Hua|Xiaoming|Zhiqiang|Jianguo|Haiyan|Guoqiang",
        "Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Xu|Sun|Ma|Zhu|Hu|Guo|He|Lin|Gao|"
        "Luo|Zheng|Liang|Xie|Song|Tang|Han|Feng|Deng|Cao|Peng",
        "",
    ),
    "es": (
        "Jose|Juan|Carlos|Luis|Miguel|Javier|Antonio|Manuel|Pedro|Alejandro|Maria|Carmen|"
        "Ana|Laura|Lucia|Isabel|Rosa|Paula|Joao|Francisco|Rafael",
        "Garc|Fernánd|Gonzál|Rodríg|Lóp|Martín|Sánch|Pér|Góm|Dí|Hernánd|Álvar|Jimén|Ruiz|"
        "Moreno|Muñoz|Romero|Alonso|Navarro|Torres|Domínguez|Vázquez|Ramos|Gil|Serrano|"
        "Silva|Santos|Ferreira|Pereira|Oliveira|Costa|Carvalho",
        "ez|ia|o|",
    ),
    "gr": (
        "Georgios|Ioannis|Konstantinos|Dimitrios|Nikolaos|Panagiotis|Vasileios|Christos|"
        "Athanasios|Michail|Evangelos|Maria|Eleni|Aikaterini|Vasiliki|Sofia|Angeliki",
        "Papadopoul|Georgi|Oikonom|Dimitri|Nikolai|Papadak|Vasilei|Karagian|Pappa|Makr|"
        "Christodoul|Antoniad|Stavropoul|Alexandr|Konstantin|Theodor|Chatzi",
        "os|ou|is|akis|idis|",
    ),
    "vi": (
        "Van Thang|Van Minh|Thi Lan|Thi Huong|Minh Duc|Quoc Bao|Thi Mai|Van Long|Thanh|Hung|"
        "Anh|Tuan|Hai|Dung|Linh|Phuong",
        "Nguyen|Tran|Le|Pham|Hoang|Huynh|Phan|Vu|Vo|Dang|Bui|Do|Ho|Ngo|Duong|Ly",
        "",
    ),
    "en": (
        "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Mary|Patricia|Jennifer|"
        "Linda|Elizabeth|Sean|Patrick|Aoife|Siobhan|Kwame|Chinedu|Samuel|Grace",
        "Smith|Johnson|William|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Moore|Jackson|"
        "Murphy|Kelly|O'Sullivan|Walsh|Byrne|Okafor|Mensah|Eze|Adeyemi|Owusu|Boateng|Harris",
        "|son|",
    ),
}

_BUSINESS_WORDS = [
    "Trading",
    "Import",
    "Export",
    "Import & Export",
    "General Trading",
    "Logistics",
    "Shipping",
    "Industries",
    "Textiles",
    "Electronics",
    "Chemicals",
    "Foods",
    "Agro",
    "Metals",
    "Pharma",
    "Distribution",
    "Supply",
    "Holdings",
    "Handels",
    "Commerce",
    "Technology",
    "Global",
    "International",
    "Freight",
    "Marine",
    "Energy",
    "Tobacco",
    "Spirits",
]
_LEGAL = [
    "GmbH",
    "Ltd",
    "Co., Ltd.",
    "LLC",
    "S.A.",
    "S.r.l.",
    "B.V.",
    "Sp. z o.o.",
    "OOO",
    "A.Ş.",
    "FZE",
    "Inc.",
    "SARL",
    "AB",
    "s.r.o.",
    "d.o.o.",
    "Kft.",
    "Pvt. Ltd.",
    "Sdn. Bhd.",
    "JSC",
    "S.L.",
    "AG",
    "NV",
    "Lda.",
]

_TO_CYRILLIC = (
    ("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("yu", "ю"),
    ("ya", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
)  # fmt: skip
_GERMAN_STYLE = (("shch", "schtsch"), ("sh", "sch"), ("ch", "tsch"), ("zh", "sch"),
                 ("kh", "ch"), ("v", "w"), ("y", "j"), ("ts", "z"))  # fmt: skip
_FRENCH_STYLE = (("shch", "chtch"), ("sh", "ch"), ("ch", "tch"), ("zh", "j"), ("u", "ou"),
                 ("y", "i"))  # fmt: skip


def _convert(name: str, table: Sequence[tuple[str, str]], title: bool = True) -> str:
    out = []
    low = name.lower()
    i = 0
    while i < len(low):
        for src, dst in table:
            if low.startswith(src, i):
                out.append(dst)
                i += len(src)
                break
        else:
            out.append(low[i])
            i += 1
    text = "".join(out)
    return " ".join(w.capitalize() for w in text.split()) if title else text


_SYLLABLES = [
    "ba",
    "bo",
    "da",
    "di",
    "ka",
    "ko",
    "la",
    "li",
    "ma",
    "mi",
    "na",
    "no",
    "ra",
    "ri",
    "sa",
    "se",
    "ta",
    "to",
    "va",
    "vi",
    "za",
    "zu",
    "an",
    "el",
    "or",
    "ur",
    "in",
    "ash",
    "ber",
    "dan",
    "gor",
    "han",
    "kal",
    "lev",
    "mor",
    "nik",
    "pol",
    "ros",
    "sol",
    "tar",
    "vel",
    "zar",
    "kin",
    "mur",
    "sen",
    "tul",
    "yan",
    "hui",
    "qing",
]


def _side(stem: str) -> int:
    """Which generator may use a surname stem: alerts (0) or parties (1). Real watch lists and
    declarations share forenames but seldom families, so the two pools of surnames are
    disjoint (by stem, so that Silva and Silvao are not on both sides) and only the planted
    variants of alert names are meant to hit."""
    return zlib.crc32(stem.lower().encode()) & 1


def _surname(
    rng: random.Random, stems: Sequence[str], endings: Sequence[str], side: int = 0
) -> str:
    """A listed stem, or for half the names a made-up one: the long tail of real lists."""
    while True:
        if rng.random() < 0.5:
            stem = rng.choice(stems)
        else:
            stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if _side(stem) == side:
            return stem + rng.choice(endings)


def person_name(rng: random.Random, culture: str, side: int = 0) -> str:
    given, stems, endings = (part.split("|") for part in _CULTURES[culture])
    surname = _surname(rng, stems, endings, side)
    first = rng.choice(given)
    if culture in ("zh", "vi") and rng.random() < 0.5:
        first = (rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)).capitalize()
    if culture in ("zh", "vi"):
        return f"{surname} {first}"
    if culture == "ru" and rng.random() < 0.2:
        return f"{first} {rng.choice(given)}ovich {surname}"
    if culture == "es" and rng.random() < 0.4:
        return f"{first} {surname} {_surname(rng, stems, endings, side)}"
    return f"{first} {surname}"


def business_name(rng: random.Random, side: int = 0) -> str:
    culture = rng.choice(list(_CULTURES))
    _, stems, endings = (part.split("|") for part in _CULTURES[culture])
    stem = _surname(rng, stems, endings, side)
    if rng.random() < 0.4:
        stem += " " + _surname(rng, stems, endings, side)
    return f"{stem} {rng.choice(_BUSINESS_WORDS)} {rng.choice(_LEGAL)}"


def variant(rng: random.Random, name: str) -> str:
    """A declaration's spelling of an alert name: typo, order, convention, case."""
    roll = rng.random()
    if roll < 0.3:
        i = rng.randrange(1, len(name))
        return name[:i] + name[i + 1 :] if name[i].isalpha() else name
    if roll < 0.5 and " " in name:
        first, _, rest = name.partition(" ")
        return f"{rest.upper()}, {first}"
    if roll < 0.7:
        return _convert(name, _GERMAN_STYLE)
    if roll < 0.85:
        return _convert(name, _FRENCH_STYLE)
    return name.upper()


def alerts(n: int, seed: int) -> list[Subject]:
    """Alerts on persons (70%) and businesses (30%), with dates, identifiers and aliases."""
    rng = random.Random(seed)
    cultures = list(_CULTURES)
    out = []
    for i in range(n):
        if rng.random() < 0.7:
            culture = rng.choice(cultures)
            name = person_name(rng, culture)
            if culture == "ru" and rng.random() < 0.15:
                name = _convert(name, _TO_CYRILLIC, title=False).title()
            names = [name]
            if rng.random() < 0.2:
                names.append(person_name(rng, culture))  # alias or former name
            dob = (
                f"{rng.randrange(1950, 2004)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
                if rng.random() < 0.5
                else None
            )
            ids: tuple[tuple[str, str], ...] = (
                (("passport", f"P{rng.randrange(10**7, 10**8)}"),) if rng.random() < 0.3 else ()
            )
            out.append(Subject(tuple(names), True, dob, ids))
        else:
            ids = (("eori", f"DE{i:012d}"),) if rng.random() < 0.5 else ()
            if rng.random() < 0.2:
                ids += (("vat", f"NL{i:09d}B01"),)
            out.append(Subject((business_name(rng),), False, identifiers=ids))
    return out


Pool = tuple[list[tuple[str, bool | None]], list[tuple[str, bool | None]]]


def party_pool(alert_list: Sequence[Subject], seed: int) -> Pool:
    """Distinct party names with their kind: trade operators and private persons and firms
    whose surnames no alert uses, and apart from them variants of alert names to plant."""
    rng = random.Random(seed)
    world = build_world(seed)
    ops = world.operators.all() + list(world.operators.persons)
    pool: list[tuple[str, bool | None]] = [(op.name, bool(op.is_person)) for op in ops]
    cultures = list(_CULTURES)
    pool += [(person_name(rng, rng.choice(cultures), side=1), True) for _ in range(60_000)]
    pool += [(business_name(rng, side=1), False) for _ in range(15_000)]
    planted = [
        (variant(rng, subject.names[0]), subject.is_person)
        for subject in rng.sample(list(alert_list), min(len(alert_list), 12_000))
    ]
    return pool, planted


#: The share of parties that are planted variants of alert names.
PLANTED = 0.01


def parties(pools: Pool, n: int, seed: int) -> list[Subject]:
    """``n`` parties drawn from the pool; a few names are far more frequent than the rest,
    as the big importers and carriers are on real declarations; ``PLANTED`` of them are
    variants of alert names."""
    pool, planted = pools
    rng = random.Random(seed)
    weights = [1.0 / (1 + (i % 5000)) ** 0.3 for i in range(len(pool))]
    picked = rng.choices(pool, weights=weights, k=n)
    for k in range(n):
        if rng.random() < PLANTED:
            picked[k] = rng.choice(planted)
    return [Subject(names=(name,), is_person=person) for name, person in picked]


# ------------------------------------------------------------------------------- timing


def throughput(args: argparse.Namespace) -> tuple[AlertIndex, Pool]:
    print(f"\n## (b) throughput: {args.parties:,} parties against {args.alerts:,} alerts")
    alert_list = alerts(args.alerts, args.seed)
    t0 = time.perf_counter()
    index = AlertIndex()
    for i, subject in enumerate(alert_list):
        index.add(i, subject)
    build = time.perf_counter() - t0
    print(f"index built in {build:.1f} s ({len(index):,} alerts)")
    pool = party_pool(alert_list, args.seed + 1)
    subjects = parties(pool, args.parties, args.seed + 2)
    distinct = len({s.names[0] for s in subjects})
    gc.collect()
    gc.freeze()
    times = []
    hits = 0
    for run in range(args.repeats):
        index.clear_cache()
        t0 = time.perf_counter()
        results = index.screen_many(subjects)
        elapsed = time.perf_counter() - t0
        times.append(elapsed)
        hits = sum(1 for r in results if r)
        print(
            f"run {run + 1}: {elapsed:.1f} s = {args.parties / elapsed:,.0f} parties/s, "
            f"{hits:,} parties with hits",
            flush=True,
        )
    med = statistics.median(times)
    print(
        f"median: {med:.1f} s for {args.parties:,} parties ({distinct:,} distinct names) = "
        f"{args.parties / med:,.0f} parties/s, {hits:,} parties with hits; "
        f"with the index build {med + build:.1f} s"
    )
    return index, pool


def latency(index: AlertIndex, pools: Pool, args: argparse.Namespace) -> None:
    print(f"\n## (c) latency: {args.declarations:,} declarations of 2-6 parties")
    rng = random.Random(args.seed + 3)
    declarations = []
    for _ in range(args.declarations):
        subjects = []
        for _ in range(rng.randint(2, 6)):
            name, person = rng.choice(pools[1] if rng.random() < PLANTED else pools[0])
            ids = (("eori", f"DE{rng.randrange(10**12):012d}"),) if not person else ()
            subjects.append(Subject(names=(name,), is_person=person, identifiers=ids))
        subjects.append(
            Subject(
                registrations=(f"AB{rng.randrange(1000):03d}CD",),
                containers=tuple(f"MSCU{rng.randrange(10**7):07d}" for _ in range(2)),
                commodities=tuple(f"{rng.randrange(10**10):010d}" for _ in range(3)),
            )
        )
        declarations.append(subjects)
    for label, cold in (("every name scored (cache cleared)", True), ("shared name cache", False)):
        index.clear_cache()
        samples = []
        for subjects in declarations:
            if cold:
                index.clear_cache()
            t0 = time.perf_counter_ns()
            index.screen_many(subjects)
            samples.append(time.perf_counter_ns() - t0)
        samples.sort()
        p50 = samples[len(samples) // 2] / 1e6
        p99 = samples[int(len(samples) * 0.99)] / 1e6
        print(f"{label}: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {samples[-1] / 1e6:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--declarations", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument(
        "--errors",
        nargs="?",
        const="both",
        choices=("calibration", "held-out", "both"),
        help="list misclassified pairs (of one half only: look at the calibration half's "
        "errors when changing the matcher, so that the held-out figures stay honest)",
    )
    args = parser.parse_args(argv)
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
        f"{platform.platform()}, Python {sys.version.split()[0]}"
    )
    report_quality(args.errors)
    if args.quality_only:
        return 0
    index, pool = throughput(args)
    latency(index, pool, args)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
