"""Screening declarations against active CIS alerts (categories a-d of CIS-2: commodities,
means of transport, businesses, persons), in memory and without a database.

Identifiers, registrations, containers and commodity codes are exact: an officer acts on them
without a second look, so they either match or they do not. Names are fuzzy, because the same
person reaches the border in another script, another romanisation, another word order, with a
typo or without a middle name; a name match carries a score and is reported only at or above a
threshold calibrated on ``bench/data/cis-name-variants.csv`` (see ``bench/bench_cis_screening.py``).

A name is never compared with every alert. Each of its words, and each run of two short
words, is keyed by its transliteration skeletons (with its given-name group), its consonant
skeleton and its spelling with one letter deleted (``blocking_keys``); the keys lead to the
distinct word forms of the alert names and those to the names, so a frequent word is gathered
once, and its names are only intersected with the other words' where that is all that is
needed. Alert names sharing keys with two words are scored, those sharing one uncommon word
are scored if a C-speed comparison of the sorted skeletons finds them alike. A name with many
candidates (common forename pairs) scores only those whose bound from their words' best
similarities can reach the floor (``_upper_bound``: exact, never drops a hit). Word pairs are
judged by transliteration skeletons, a keyboard-aware edit distance (``names.keyboard_distance``)
in the band where a typo is possible, the same distance between skeletons (a typo in another
convention) or, where a typo broke a letter group, the skeletons of the presented word with
one keying error undone (``names.untyped``), the vowels of romanised Arabic in names that are
Arabic, and the rule that masculine and feminine forms of a name are two people; names are
also compared with two short words run together (Min-ho/Minho); names in Arabic or Hebrew
script are compared with romanisations on consonants.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from tollgate.cis.names import (
    GIVEN_NAMES,
    PARTICLES,
    abjad_key,
    abjad_word,
    arabic_vowels_agree,
    consonants,
    gendered,
    is_abjad,
    is_arabic_word,
    keyboard_distance,
    normalise,
    skeleton,
    skeleton_variants,
    strip_legal_forms,
    untyped,
    vowel_frame,
)

#: The default name threshold, calibrated on the even lines of ``cis-name-variants.csv``
#: (the odd lines are held out); ``bench/bench_cis_screening.py`` prints both halves.
DEFAULT_THRESHOLD = 0.82

#: An equal date of birth on both sides adds this to a name score: the same name and the same
#: birthday together are far stronger evidence than the name alone.
DOB_BONUS = 0.06

_IDENTITY_DOCUMENTS = frozenset({"passport", "identity_card", "driving_licence", "identity"})
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")

# Blocking: a candidate sharing one word only with a name of several words is scored only if
# the sorted skeletons of the two names are at least this alike (rapidfuzz ratio, 0..100).
_PREFILTER = 80.0
# ... and only if that word is not met in more alert names than this (a frequent forename or
# trade word in common says nothing: the other words must be alike as well).
_COMMON_WORD = 150
# Two words in common make a candidate unless both are met in more alert names than this
# ("Import & Export", "General Trading", "Van Thang"): then all words must be in common.
_FREQUENT_WORD = 400


@dataclass(frozen=True, slots=True)
class Subject:
    """What an alert watches for, or what a declaration party presents."""

    names: tuple[str, ...] = ()  # full names; for alerts also aliases, maiden and former names
    is_person: bool | None = None  # None = unknown
    date_of_birth: str | None = None  # ISO yyyy-mm-dd
    identifiers: tuple[tuple[str, str], ...] = ()  # (kind, value): eori, vat, excise, passport, ...
    registrations: tuple[str, ...] = ()  # registration numbers of means of transport
    containers: tuple[str, ...] = ()  # ISO 6346 container numbers
    commodities: tuple[str, ...] = ()  # alert: HS/CN code prefixes; declaration: full codes


@dataclass(frozen=True, slots=True)
class Match:
    """One alert a subject hit, with the evidence an officer needs to judge it."""

    alert_id: int
    score: float  # 1.0 for exact kinds; names: calibrated similarity
    kind: str  # "name" | "identifier" | "date_of_birth" | "registration" | "container" | ...
    detail: str  # which alert value matched which presented value


# ------------------------------------------------------------------------ names


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a name in the views the scorer compares, computed once per distinct word."""

    text: str  # normalised spelling: what the keyboard distance reads
    skels: tuple[str, ...]  # transliteration skeletons (with and without a glued article)
    cons: str  # consonant skeleton
    abjad: str  # as an abjad writes it
    particle: bool
    arabic: bool  # marks its name as romanised Arabic (``names.is_arabic_word``)
    heads: frozenset[str]  # first letters of the skeletons long enough for ``_skeleton_typo``
    skelset: frozenset[str]  # ``skels`` as a set
    joined: bool = False  # two words run together (``joined``)


@lru_cache(maxsize=400_000)
def word(text: str) -> Word:
    return _word(text, skeleton_variants(text))


def _word(text: str, skels: tuple[str, ...], joined: bool = False) -> Word:
    return Word(
        text,
        skels,
        consonants(skels[0]),
        abjad_word(text),
        text in PARTICLES,
        is_arabic_word(text),
        frozenset(s[0] for s in skels if len(s) >= _MIN_SKELETON_TYPO and s[0] != "="),
        frozenset(skels),
        joined,
    )


_COLLAPSE = re.compile(r"(.)\1+")
#: Words up to this long are syllables or short names that one spelling joins and another
#: splits (Min-ho/Minho, Hsiao-ming/Xiaoming, Abdul Rahman/Abdulrahman).
_JOINABLE = 6
#: A run shorter than this, or with the skeleton of one of its words (Ho Hung: "hohung" has
#: the skeleton of "hung"), says nothing about the words being joined.
_MIN_RUN = 4


@lru_cache(maxsize=100_000)
def joined(x: str, y: str) -> Word:
    """Two short words run together, with the skeletons of the run and every pairing of the
    words' own skeletons: Wade-Giles and McCune-Reischauer syllables respelt one by one
    (``hsiao`` + ``ming`` has the skeleton of ``xiaoming``)."""
    wx, wy = word(x), word(y)
    parts = set(wx.skels) | set(wy.skels)
    skels = [s for s in skeleton_variants(x + y) if s not in parts and len(s) >= _MIN_RUN]
    for p in wx.skels[:4]:
        for q in wy.skels[:4]:
            if not (p.startswith("=") or q.startswith("=")):
                run = _COLLAPSE.sub(r"\1", p + q)
                if run not in skels and run not in parts and len(run) >= _MIN_RUN:
                    skels.append(run)
    return _word(x + y, tuple(skels or [wx.skels[0] + wy.skels[0]]), joined=True)


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name cut into the words the scorer compares, computed once per distinct text."""

    text: str
    words: tuple[Word, ...]  # normalised, legal forms stripped for firms
    weights: tuple[float, ...]  # what each word contributes; particles little
    content: int  # words that are not particles
    compact: str  # skeletons of the content words run together, for split/merged words
    rotations: tuple[str, ...]  # compact with the first or last word moved round
    sorted_skeletons: str  # content skeletons in alphabetical order: the cheap pre-filter
    abjad: bool  # written in a script without short vowels
    abjad_key: str
    arabic: bool  # romanised Arabic: short vowels compared by ``names.arabic_vowels_agree``
    merged: tuple[tuple[int, Word], ...]  # (i, words i and i + 1 run together)
    skelset: frozenset[str]  # every skeleton of every word
    runset: frozenset[str]  # every skeleton of every run of two words (``merged``)


def prepare(text: str, strip_forms: bool = True) -> PreparedName:
    """Normalise, strip legal forms (unless the subject is known to be a person), skeletonise."""
    texts = normalise(text).split()
    if strip_forms:
        texts = strip_legal_forms(texts)
    words = tuple(word(t) for t in texts)
    content = [w for w in words if not w.particle] or list(words)
    weights = tuple(
        0.5 if w.particle and len(content) < len(words) else float(min(max(len(w.skels[0]), 2), 8))
        for w in words
    )
    parts = [w.skels[0] for w in content]
    merged = tuple(
        (i, joined(x.text, y.text))
        for i, (x, y) in enumerate(itertools.pairwise(words))
        if not (x.particle or y.particle) and len(x.text) <= _JOINABLE >= len(y.text)
    )
    rotations: tuple[str, ...] = ()
    if len(parts) > 1:
        rotations = ("".join(parts[1:] + parts[:1]), "".join(parts[-1:] + parts[:-1]))
    return PreparedName(
        text,
        words,
        weights,
        len(content),
        "".join(parts),
        rotations,
        " ".join(sorted(parts)),
        is_abjad(text),
        abjad_key(texts, [w.abjad for w in words]),
        any(w.arabic for w in words),
        merged,
        frozenset(s for w in words for s in w.skels),
        frozenset(s for _, m in merged for s in m.skels),
    )


#: Word similarities. An equal spelling scores 1; an equal transliteration skeleton (the same
#: name in another convention or without diacritics) a little less; a keyboard slip less
#: again, by its cost; the masculine and feminine form of a name, or two words that are
#: neither transliterations nor typos of each other, score low.
SAME_SKELETON = 0.94
SAME_CONSONANTS = 0.9
#: Keyboard distance up to which two words are one name mistyped; a short word has less room
#: for a typo (Pham/Phan, Liu/Lu, Said/Saad are names), a long one room for two (a dropped
#: and a swapped letter) but not for one letter replaced by an unrelated one
#: (``names.SUB_OTHER``: Pedersen/Petersen).
TYPO_BUDGET = 1.0
TYPO_BUDGET_SHORT = 0.4
TYPO_BUDGET_LONG = 1.3
_SHORT_WORD = 4
_LONG_WORD = 7
TYPO_BASE = 0.97
TYPO_SLOPE = 0.06
#: A typo in a word written in another convention: the skeletons (never shorter than this)
#: are one cheap keying error apart (Nikolay/Nikooaj, Goncharenko/Honcharnko); skeletons
#: merge letters, so anything dearer than a dropped letter is as often another name
#: (Gorashia/Garcia, Belousko/Belsky).
_MIN_SKELETON_TYPO = 5
SKELETON_TYPO_BUDGET = 0.6
GENDERED = 0.2
DIFFERENT = 0.55  # the ceiling for words that are not the same name
_MIN_CONSONANT_WORD = 6  # shorter words (Zhang/Zheng, Liu/Lu) differ in name by one vowel
#: Two romanisations of one Arabic word (``names.arabic_vowels_agree``), in a name that is
#: romanised Arabic.
SAME_ARABIC_VOWELS = 0.9

_word_cache: dict[tuple[str, str], float] = {}


def word_similarity(a: Word, b: Word) -> float:
    """How alike an alert word ``a`` and a presented word ``b`` are, 0..1."""
    if a.text == b.text:
        return 1.0
    key = (a.text, b.text)
    found = _word_cache.get(key)
    if found is not None:
        return found
    s = _word_similarity(a, b)
    if len(_word_cache) > 2_000_000:
        _word_cache.clear()
    _word_cache[key] = s
    return s


def _typo_budget(text: str) -> float:
    n = len(text)
    if n <= _SHORT_WORD:
        return TYPO_BUDGET_SHORT
    return TYPO_BUDGET if n < _LONG_WORD else TYPO_BUDGET_LONG


def _word_similarity(a: Word, b: Word) -> float:
    x, y = a.text, b.text
    best = 0.0
    if _same_skeleton(a, b):
        best = SAME_SKELETON
    elif (
        a.cons == b.cons
        and len(a.cons) >= 3
        and min(len(x), len(y)) >= _MIN_CONSONANT_WORD
        and _romanised_vowels(a, b)
    ):
        best = SAME_CONSONANTS
    if abs(len(x) - len(y)) <= 2 and OSA.distance(x, y, score_cutoff=3) <= 2:
        kd = keyboard_distance(x, y)  # only in the band where a typo is possible
        if kd <= _typo_budget(x):
            best = max(best, TYPO_BASE - TYPO_SLOPE * kd)
    if not best:
        skeleton_kd, near = _skeleton_typo(a, b)
        # spellings further apart than their skeletons: two conventions, one of them mistyped
        if skeleton_kd is None and near and OSA.distance(x, y, score_cutoff=3) > 2:
            skeleton_kd = _untyped_skeleton(a, b)
        if skeleton_kd is not None:
            best = SAME_SKELETON - TYPO_SLOPE * skeleton_kd
    if best:
        return GENDERED if gendered(x, y) else best
    return DIFFERENT * Indel.normalized_similarity(a.skels[0], b.skels[0])


def _same_skeleton(a: Word, b: Word) -> bool:
    """Whether the words share a skeleton, unless one begins with an "h" the skeleton drops
    and the other with a vowel (Ahmed/Hamed, Ali/Hali are other names); a shared given-name
    group counts whatever the spelling."""
    shared = a.skelset & b.skelset
    if not shared:
        return False
    x, y = a.text[0], b.text[0]
    if (x == "h") != (y == "h") and (x in "aeiou" or y in "aeiou"):
        return any(s.startswith("=") for s in shared)
    return True


def _skeleton_typo(a: Word, b: Word) -> tuple[float | None, bool]:
    """The smallest keyboard distance between a skeleton of each word, if one is within the
    typo budget: a keying error in a name written in another convention. Skeletons merge
    letters, so the first one must agree (Hansen/Jansen). Also whether the closest skeletons
    are two edits apart, as a typo breaking a letter group leaves them
    (``_untyped_skeleton``); one edit apart, the keyboard distance has judged them."""
    found: float | None = None
    closest = 3
    if a.heads.isdisjoint(b.heads):
        return found, False
    for p in a.skels:
        if len(p) < _MIN_SKELETON_TYPO or p[0] == "=":
            continue
        budget = min(_typo_budget(p), SKELETON_TYPO_BUDGET)
        for q in b.skels:
            if (
                q[0] == p[0]
                and len(q) >= _MIN_SKELETON_TYPO
                and abs(len(p) - len(q)) <= 1
                and q[0] != "="
            ):
                d = OSA.distance(p, q, score_cutoff=2)
                if d > 2:
                    continue
                closest = min(closest, d)
                kd = keyboard_distance(p, q)
                if kd <= budget and (found is None or kd < found):
                    found = kd
    return found, closest == 2


def _untyped_skeleton(a: Word, b: Word) -> float | None:
    """The cost of the cheapest keying error whose undoing gives the presented word ``b``
    a skeleton of the alert word ``a`` (``names.untyped``): a typo in a name written in
    another convention that breaks one of its letter groups, so that the skeletons differ by
    more than the typo (Chlaiapin for Chaliapin is no skeleton of Shalyapin's, Miedwiedisw
    for Miedwiediew none of Medvedev's). A spelling's other conventions
    (``names.skeleton_variants``) are tried only where its plain skeleton came closer to one
    of ``a``'s: most spellings are discarded at the price of one C-speed comparison."""
    found: float | None = None
    targets = [p for p in a.skels if len(p) >= _MIN_SKELETON_TYPO and p[0] != "="]
    if not targets:
        return found
    before = min(OSA.distance(b.skels[0], p) for p in targets)
    for spelling, skel, group, cost in _untyped_spellings(b.text):
        if found is not None:
            break  # cheapest first
        if (
            skel in a.skelset
            or (group is not None and group in a.skelset)
            or (
                any(OSA.distance(skel, p, score_cutoff=before) < before for p in targets)
                and not a.skelset.isdisjoint(skeleton_variants(spelling))
            )
        ):
            found = cost
    return found


@lru_cache(maxsize=50_000)
def _untyped_spellings(typed: str) -> tuple[tuple[str, str, str | None, float], ...]:
    """The spellings ``names.untyped`` finds for a presented word, cheapest error first, each
    with its plain skeleton and given-name group (``=`` and the group's first spelling)."""
    out = []
    for spelling, cost in sorted(untyped(typed).items(), key=lambda item: item[1]):
        group = GIVEN_NAMES.get(spelling)
        out.append((spelling, skeleton(spelling), None if group is None else "=" + group, cost))
    return tuple(out)


def pair_similarity(a: Word, b: Word, arabic: bool) -> float:
    """``word_similarity``, and in a romanised Arabic name (``arabic``) two romanisations of
    one Arabic word as alike as two of one consonant skeleton (Mohamed/Muhammad,
    Kassem/Qasim, Saleh/Salih), while Hassan/Hussein, Said/Saad, Ahmed/Hamed stay apart."""
    s = word_similarity(a, b)
    if arabic and s < SAME_ARABIC_VOWELS and _arabic_vowels(a, b):
        return SAME_ARABIC_VOWELS
    return s


def _arabic_vowels(a: Word, b: Word) -> bool:
    frame, runs = vowel_frame(a.text)
    other, other_runs = vowel_frame(b.text)
    return frame == other and len(frame) - len(runs) >= 2 and arabic_vowels_agree(runs, other_runs)


_VOWEL_RUNS = re.compile(r"[aeiu]+")


def _romanised_vowels(a: Word, b: Word) -> bool:
    """Whether two words whose skeletons have the same consonants differ in their vowels as
    romanisations do: both begin with a consonant or both with a vowel letter, the same number
    of vowel groups, and every group that differs is a digraph against a single vowel
    (Pietrow/Petrov, Khrushchyov/Khrushchev, Aleksiej/Aleksey). A vowel more or one vowel
    for another
    (Muhammad/Mohammed, Oleksandr/Aleksandr, but also Wagner/Wegner, Mehmet/Mahmut,
    Zhang/Zheng, which are other names) counts only in words of ``_MIN_VOWEL_QUALITY``
    letters or more, and one vowel for another only if the spelled consonants are the same."""
    x, y = a.text, b.text
    if (x[0] in "aeiouy") != (y[0] in "aeiouy") or (x[0] not in "aeiouy" and x[0] != y[0]):
        return False
    rx, ry = _VOWEL_RUNS.findall(a.skels[0]), _VOWEL_RUNS.findall(b.skels[0])
    if len(rx) != len(ry):
        # a vowel written between two consonants by one convention only (Aleksandr/Alexander)
        return abs(len(rx) - len(ry)) == 1 and min(len(x), len(y)) >= _MIN_VOWEL_QUALITY
    if all(p == q or len(p) != len(q) for p, q in zip(rx, ry, strict=True)):
        return True
    return min(len(x), len(y)) >= _MIN_VOWEL_QUALITY and _SPELLED_VOWELS.sub(
        "", x
    ) == _SPELLED_VOWELS.sub("", y)


_SPELLED_VOWELS = re.compile(r"[aeiouy]+")
_MIN_VOWEL_QUALITY = 7


#: How much an extra word of the longer name counts against the score when the shorter name
#: has at least two words: a missing middle name or second surname is normal, not a conflict.
_MISSING_WORD = 0.25
#: A name run together or split (Xiaoming/Xiao Ming, Abdulrahman/Abdul Rahman).
SAME_RUN = 0.9
#: An abjad name and a romanisation with the same consonants.
SAME_ABJAD = 0.9
_ABJAD_SLOPE = 0.8

Rows = dict[str, tuple[float, ...]]


def _weight(w: Word) -> float:
    return float(min(max(len(w.skels[0]), 2), 8))


def similarity(a: PreparedName, b: PreparedName, rows: Rows | None = None) -> float:
    """How alike an alert name ``a`` and a presented name ``b`` are, 0..1, whatever the order
    of their words.

    Words are paired greedily, most similar first; every word of the shorter name is paired.
    The score is the weighted mean of the pairs' similarities, where the unpaired words of the
    longer name weigh little if the shorter name still has two content words (a dropped middle
    name) and fully otherwise. Names written with split or merged words are also compared run
    together, and with two short words run together where the run is a word of the other name
    (Min-ho/Minho); a name in an abjad (Arabic, Persian, Hebrew script) is compared with a
    romanisation on consonants. ``rows``, if given, holds every word of ``a``'s similarities
    to the words of ``b`` (``_upper_bound`` fills it).
    """
    na, nb = len(a.words), len(b.words)
    if na == 0 or nb == 0:
        return 0.0
    arabic = a.arabic or b.arabic
    aw, bw = a.words, b.words
    if na == 1 and nb == 1:
        score = pair_similarity(aw[0], bw[0], arabic)
    else:
        if rows is None:
            pairs = [
                (pair_similarity(aw[i], bw[j], arabic), i, j) for i in range(na) for j in range(nb)
            ]
        else:
            pairs = []
            for i, x in enumerate(aw):
                key = "~" + x.text if arabic else x.text
                row = rows.get(key)
                if row is None:  # the bound stopped early (abjad, run-together names)
                    row = rows[key] = _row(x, bw, arabic)
                pairs.extend((s, i, j) for j, s in enumerate(row[:nb]))
        score = _paired(pairs, a.weights, a.content, b.weights, b.content)
    if (a.runset or b.runset) and _joins_match(a, b):
        score = max(score, _joined_similarity(a, b, arabic))
    if (
        a.content != b.content
        and score < SAME_RUN
        and (a.compact == b.compact or a.compact in b.rotations or b.compact in a.rotations)
    ):
        score = SAME_RUN
    if (a.abjad or b.abjad) and score < SAME_ABJAD and a.abjad_key and b.abjad_key:
        d = OSA.distance(a.abjad_key, b.abjad_key)
        abjad = SAME_ABJAD - _ABJAD_SLOPE * d / max(len(a.abjad_key), len(b.abjad_key))
        score = max(score, abjad)
    return score


def _paired(
    pairs: list[tuple[float, int, int]],
    a_weights: Sequence[float],
    a_content: int,
    b_weights: Sequence[float],
    b_content: int,
) -> float:
    """The greedy pairing of ``similarity`` over the word pairs' similarities."""
    na, nb = len(a_weights), len(b_weights)
    pairs.sort(reverse=True)
    want = na if na < nb else nb
    used_a: list[int] = []
    used_b: list[int] = []
    total = 0.0
    weight = 0.0
    for s, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.append(i)
        used_b.append(j)
        w = (a_weights[i] + b_weights[j]) / 2
        total += w * s
        weight += w
        if len(used_a) == want:
            break
    if na != nb:
        shorter_content = b_content if na > nb else a_content
        missing = _MISSING_WORD if shorter_content >= 2 else 1.0
        longer_w, used = (a_weights, used_a) if na > nb else (b_weights, used_b)
        for k, w in enumerate(longer_w):
            if k not in used:
                weight += w * missing
    return total / weight


def _joins_match(a: PreparedName, b: PreparedName) -> bool:
    """Whether two short words of the name with one word more, run together, have a
    skeleton of a word of the other (then the bound cannot judge the pair: it is always
    scored)."""
    na, nb = len(a.words), len(b.words)
    if na == nb + 1:
        return not a.runset.isdisjoint(b.skelset)
    return nb == na + 1 and not b.runset.isdisjoint(a.skelset)


def _joined_similarity(a: PreparedName, b: PreparedName, arabic: bool) -> float:
    """The best score of the names with two short words of one of them run together, where
    the run has a skeleton of a word of the other name and leaves the names as many words
    (a run that leaves words over is a coincidence: Chen Chen/Shenzhen Hengxin)."""
    best = 0.0
    for one, other, one_is_a in ((a, b, True), (b, a, False)):
        if len(one.words) != len(other.words) + 1:
            continue
        for i, m in one.merged:
            if not any(s in other.skelset for s in m.skels):
                continue
            words = (*one.words[:i], m, *one.words[i + 2 :])
            weights = (*one.weights[:i], _weight(m), *one.weights[i + 2 :])
            pairs = []
            for k, x in enumerate(words):
                for j, y in enumerate(other.words):
                    if k != i:
                        s = (
                            pair_similarity(x, y, arabic)
                            if one_is_a
                            else pair_similarity(y, x, arabic)
                        )
                    elif x.text == y.text:
                        s = 1.0
                    else:  # not cached: the run's text may also be a word with fewer skeletons
                        s = _word_similarity(x, y) if one_is_a else _word_similarity(y, x)
                    pairs.append((s, k, j) if one_is_a else (s, j, k))
            if one_is_a:
                score = _paired(pairs, weights, one.content - 1, other.weights, other.content)
            else:
                score = _paired(pairs, other.weights, other.content, weights, one.content - 1)
            best = max(best, score)
    return best


#: A name with more candidates than this first bounds each candidate's score from its words
#: best similarities (``_upper_bound``) and scores only those that could reach the floor.
_MANY_CANDIDATES = 40


def _upper_bound(a: PreparedName, b: PreparedName, rows: Rows) -> float:
    """A bound that ``similarity(a, b)`` never exceeds, from each word's best similarity to any
    word of the other name: every pair (i, j) the greedy pairing forms scores at most the best
    of word i and the best of word j, and weighs (a_i + b_j) / 2; the shorter name's words are
    all paired, at most as many of the longer one's, and every unpaired word weighs at least a
    quarter of its weight (``_MISSING_WORD``). ``rows`` holds, per alert word, its similarity
    to each word of ``b`` and then the best of them (shared between the candidates of one
    name). Names that may be lifted to ``SAME_RUN``, compared as abjads or with words run
    together get 1.0: they are always scored."""
    if a.abjad or b.abjad:
        return 1.0
    if a.content != b.content and (
        a.compact == b.compact or a.compact in b.rotations or b.compact in a.rotations
    ):
        return 1.0
    if (a.runset or b.runset) and _joins_match(a, b):
        return 1.0
    arabic = a.arabic or b.arabic
    bw = b.words
    nb = len(bw)
    top_a: list[float] = []
    found: list[tuple[float, ...]] = []
    for w, x in zip(a.weights, a.words, strict=True):
        key = "~" + x.text if arabic else x.text
        row = rows.get(key)
        if row is None:
            row = rows[key] = _row(x, bw, arabic)
        found.append(row)
        top_a.append(w * row[-1])  # the row's best, kept after the similarities
    col: list[float] = list(map(max, zip(*found, strict=True)))[:nb]  # each word of b's best
    top_b = [w * c for w, c in zip(b.weights, col, strict=True)]
    na = len(a.words)
    if na == nb:
        return (sum(top_a) + sum(top_b)) / (sum(a.weights) + sum(b.weights))
    if na < nb:
        short, short_w, long_, long_w = top_a, a.weights, top_b, b.weights
    else:
        short, short_w, long_, long_w = top_b, b.weights, top_a, a.weights
    paired = sorted(long_, reverse=True)[: len(short)]
    return (sum(short) + sum(paired)) / (sum(short_w) + 2 * _MISSING_WORD * sum(long_w))


def _row(x: Word, bw: tuple[Word, ...], arabic: bool = False) -> tuple[float, ...]:
    """An alert word's similarity to each word of a presented name, followed by the best."""
    if arabic:
        row = [pair_similarity(x, y, True) for y in bw]
    else:
        row = [word_similarity(x, y) for y in bw]
    row.append(max(row))
    return tuple(row)


def _deletions(text: str) -> Iterator[str]:
    for k in range(len(text)):
        yield text[:k] + text[k + 1 :]


#: Words shorter than this are not keyed by their one-typo neighbourhood (it would be most
#: other short words).
_MIN_DELETION_LENGTH = 4


def _word_keys(w: Word) -> list[str]:
    keys = ["s" + s for s in w.skels]
    if len(w.cons) >= 3 and len(w.text) >= _MIN_CONSONANT_WORD:
        keys.append("c" + w.cons)
    keys.append("d" + w.text)
    if len(w.text) >= _MIN_DELETION_LENGTH:
        keys.extend("d" + d for d in _deletions(w.text))
    return keys


def word_forms(name: PreparedName) -> list[Word]:
    """The content words of a name and each run of two short words (Xiao Ming, Abdul Rahman);
    all its words if fewer than two are content words (Le Van Thang, Do Trading: Vietnamese
    surnames that are also particles)."""
    content = [w for w in name.words if not w.particle]
    if len(content) < 2:
        content = list(name.words)
    forms = list(content)
    for x, y in itertools.pairwise(content):
        if len(x.text) <= _JOINABLE >= len(y.text):
            forms.append(joined(x.text, y.text))
    return forms


def blocking_keys(name: PreparedName) -> list[list[str]]:
    """The blocking keys of a name, per word: its skeletons, its consonant skeleton, its
    spelling and the spellings one typo away (letter deleted; the same on both sides finds
    substitutions, insertions and swaps). An alert name sharing a key with one word of a name
    is worth scoring; keys never decide a match."""
    return [_word_keys(w) for w in word_forms(name)]


def abjad_keys(name: PreparedName) -> list[str]:
    """Keys comparing a name in an abjad with romanisations: each word's consonants."""
    content = [w for w in name.words if not w.particle] or list(name.words)
    return ["a" + w.abjad for w in content if len(w.abjad) >= 2]


# ------------------------------------------------------------------------ the index


@dataclass(slots=True)
class _Entry:
    """One distinct alert name; several alerts may share it."""

    name: PreparedName
    words: int  # content words
    alert_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Alert:
    subject: Subject
    entries: tuple[int, ...]
    identifiers: tuple[tuple[str, str], ...]
    registrations: tuple[str, ...]
    containers: tuple[str, ...]
    commodities: tuple[str, ...]


def identifier_family(kind: str) -> str:
    """Identity documents are one family (a passport number written as an identity card
    number is still the person's); every other kind stands alone."""
    kind = kind.strip().lower()
    return "identity_document" if kind in _IDENTITY_DOCUMENTS else kind


def normalise_code(value: str) -> str:
    """Identifiers, registrations and container numbers without spaces or punctuation."""
    return _NOT_ALNUM.sub("", value.upper())


def _same_date(a: str, b: str) -> bool:
    """Equal as far as both are known ("1975" agrees with "1975-03-02")."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


class AlertIndex:
    """The active alerts of the CIS, indexed for screening.

    ``add`` and ``remove`` are incremental. ``screen`` reports, per alert, the best match at or
    above the threshold, best first. ``screen_many`` shares work between parties: distinct
    names are scored once while the index does not change.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._alerts: dict[int, _Alert] = {}
        self._entries: list[_Entry] = []
        self._entry_of: dict[tuple[str, bool], int] = {}
        # blocking keys lead to the distinct word forms of the alert names, and each form to the
        # names it is in: a frequent word met by many of a presented word's keys (its
        # skeletons, its spelling, its one-letter deletions) is gathered once, not once a key
        self._forms: dict[tuple[str, bool], int] = {}  # (text, run together) -> form id
        self._form_entries: list[set[int]] = []
        self._key_forms: dict[str, list[int]] = {}
        self._postings: dict[str, list[int]] = {}  # abjad keys of names written in an abjad
        self._abjad_postings: dict[str, list[int]] = {}
        self._identifiers: dict[tuple[str, str], set[int]] = {}
        self._registrations: dict[str, set[int]] = {}
        self._containers: dict[str, set[int]] = {}
        self._commodities: dict[str, set[int]] = {}
        self._name_cache: dict[tuple[str, bool], tuple[tuple[int, float], ...]] = {}
        self._cache_limit = 500_000

    def __len__(self) -> int:
        return len(self._alerts)

    def __contains__(self, alert_id: object) -> bool:
        return alert_id in self._alerts

    # -------------------------------------------------------------- maintenance

    def add(self, alert_id: int, subject: Subject) -> None:
        """Index an alert; adding an id again replaces the earlier version."""
        if alert_id in self._alerts:
            self.remove(alert_id)
        strip = subject.is_person is not True
        entries = tuple(
            dict.fromkeys(self._entry(text, strip) for text in subject.names if text.strip())
        )
        for e in entries:
            self._entries[e].alert_ids.add(alert_id)
        alert = _Alert(
            subject=subject,
            entries=entries,
            identifiers=tuple(
                (identifier_family(k), normalise_code(v))
                for k, v in subject.identifiers
                if normalise_code(v)
            ),
            registrations=tuple(r for r in map(normalise_code, subject.registrations) if r),
            containers=tuple(c for c in map(normalise_code, subject.containers) if c),
            commodities=tuple(c for c in (_NOT_DIGIT.sub("", c) for c in subject.commodities) if c),
        )
        self._alerts[alert_id] = alert
        for key in alert.identifiers:
            self._identifiers.setdefault(key, set()).add(alert_id)
        for r in alert.registrations:
            self._registrations.setdefault(r, set()).add(alert_id)
        for c in alert.containers:
            self._containers.setdefault(c, set()).add(alert_id)
        for c in alert.commodities:
            self._commodities.setdefault(c, set()).add(alert_id)
        if entries:
            self._name_cache.clear()  # cached results may lack the new names

    def remove(self, alert_id: int) -> None:
        """Forget an alert; unknown ids are ignored (removal is idempotent)."""
        alert = self._alerts.pop(alert_id, None)
        if alert is None:
            return
        for e in alert.entries:
            self._entries[e].alert_ids.discard(alert_id)  # the entry stays, matching nothing
        for key in alert.identifiers:
            self._identifiers[key].discard(alert_id)
        for r in alert.registrations:
            self._registrations[r].discard(alert_id)
        for c in alert.containers:
            self._containers[c].discard(alert_id)
        for c in alert.commodities:
            self._commodities[c].discard(alert_id)

    def _entry(self, text: str, strip: bool) -> int:
        key = (normalise(text), strip)
        found = self._entry_of.get(key)
        if found is not None:
            return found
        name = prepare(text, strip)
        entry_id = len(self._entries)
        self._entries.append(_Entry(name, name.content))
        self._entry_of[key] = entry_id
        for w in word_forms(name):
            form_key = (w.text, w.joined)
            form = self._forms.get(form_key)
            if form is None:
                form = self._forms[form_key] = len(self._form_entries)
                self._form_entries.append(set())
                for k in dict.fromkeys(_word_keys(w)):
                    forms = self._key_forms.get(k)
                    if forms is None:
                        self._key_forms[k] = [form]
                    else:
                        forms.append(form)
            self._form_entries[form].add(entry_id)
        if name.abjad:
            for k in abjad_keys(name):  # met by romanised names' abjad keys
                posting = self._postings.get(k)
                if posting is None:
                    self._postings[k] = [entry_id]
                else:
                    posting.append(entry_id)
        else:
            for k in abjad_keys(name):  # met by names written in an abjad only
                posting = self._abjad_postings.get(k)
                if posting is None:
                    self._abjad_postings[k] = [entry_id]
                else:
                    posting.append(entry_id)
        return entry_id

    def clear_cache(self) -> None:
        """Forget the scored names and words (the benchmark times cold runs with it)."""
        self._name_cache.clear()
        _word_cache.clear()
        word.cache_clear()
        joined.cache_clear()
        vowel_frame.cache_clear()
        _untyped_spellings.cache_clear()

    # -------------------------------------------------------------- names

    def _candidates(self, name: PreparedName) -> Iterable[int]:
        """Alert names sharing a key with at least one word of ``name``. Those sharing only one
        word with a name of several are kept only if their skeletons, sorted and run together,
        are not far apart (a C-speed pre-filter: one word alike and the rest unlike can never
        reach the threshold)."""
        postings = self._postings
        key_forms = self._key_forms
        form_entries = self._form_entries
        empty: tuple[int, ...] = ()
        # per word form, the names it is in: a set, or for a frequent word the sets of the
        # alert word forms it met (united only if needed: most are only intersected)
        sets: list[set[int] | None] = []
        parts: list[list[set[int]]] = []
        sizes: list[int] = []
        runs: list[bool] = []  # two words run together, not a word of the name
        of_word: dict[tuple[str, bool], int] = {}  # a word met twice is looked up once
        for w in word_forms(name):  # as ``blocking_keys``
            form_key = (w.text, w.joined)
            k = of_word.get(form_key)
            runs.append(w.joined)
            if k is not None:
                sets.append(sets[k])
                parts.append(parts[k])
                sizes.append(sizes[k])
                continue
            of_word[form_key] = len(sets)
            forms: set[int] = set()
            for key in _word_keys(w):
                forms.update(key_forms.get(key, empty))
            found_w = [form_entries[f] for f in forms]
            size = sum(map(len, found_w))
            parts.append(found_w)
            sizes.append(size)
            if len(found_w) == 1:
                sets.append(found_w[0])  # read only
            elif size <= _FREQUENT_WORD:
                sets.append(set().union(*found_w))
            else:
                sets.append(None)
        # names written in an abjad met on consonants: always scored
        abjad = abjad_keys(name)
        found: set[int] = set().union(*(postings.get(k, empty) for k in abjad))
        if name.abjad or len(sets) <= 1:
            if name.abjad:
                found.update(*(self._abjad_postings.get(k, empty) for k in abjad))
            for x, ps in zip(sets, parts, strict=True):
                if x is None:
                    found.update(*ps)
                else:
                    found.update(x)
            return found
        # two words in common, one of them not a frequent one, or every word in common: scored
        rare = [(k, x) for k, x in enumerate(sets) if x is not None and len(x) <= _FREQUENT_WORD]
        strong = found
        for k, x in rare:
            for m, y in enumerate(sets):
                if m == k:
                    continue
                if y is not None:
                    strong.update(x & y)
                else:
                    for p in parts[m]:
                        strong.update(x & p)
        if all(runs[k] for k, _ in rare):
            # every word frequent: the names with all of them, from the least frequent one
            order = sorted((k for k in range(len(sets)) if not runs[k]), key=sizes.__getitem__)
            first = order[0]
            x = sets[first]
            common = set(x) if x is not None else set().union(*parts[first])
            for m in order[1:]:
                y = sets[m]
                if y is not None:
                    common &= y
                else:
                    common = {e for e in common if any(e in p for p in parts[m])}
                if not common:
                    break
            strong.update(common)
        # one word in common: scored if that word is not a common one and the names are alike
        weak = list(
            set().union(*(x for x in sets if x is not None and len(x) <= _COMMON_WORD)) - strong
        )
        if weak:
            entries = self._entries
            texts = [entries[e].name.sorted_skeletons for e in weak]
            for _, _, k in process.extract(
                name.sorted_skeletons,
                texts,
                scorer=fuzz.ratio,
                processor=None,
                limit=None,
                score_cutoff=_PREFILTER,
            ):
                strong.add(weak[k])
        return strong

    def name_hits(self, text: str, strip_forms: bool = True) -> tuple[tuple[int, float], ...]:
        """Alert-name entries similar to ``text`` (scores that a date of birth could lift over
        the threshold included), cached per distinct text while the index does not grow."""
        key = (text, strip_forms)
        cached = self._name_cache.get(key)
        if cached is not None:
            return cached
        name = prepare(text, strip_forms)
        floor = self.threshold - DOB_BONUS
        hits: list[tuple[int, float]] = []
        if name.words:
            entries = self._entries
            candidates = list(self._candidates(name))
            bound = len(candidates) > _MANY_CANDIDATES and not name.abjad
            rows: dict[str, tuple[float, ...]] = {}
            for e in candidates:
                entry = entries[e]
                if not entry.alert_ids:
                    continue
                if not bound:
                    s = similarity(entry.name, name)
                elif _upper_bound(entry.name, name, rows) < floor - 1e-9:
                    continue
                else:
                    s = similarity(entry.name, name, rows)
                if s >= floor:
                    hits.append((e, s))
        result = tuple(hits)
        if len(self._name_cache) >= self._cache_limit:
            self._name_cache.clear()
        self._name_cache[key] = result
        return result

    # -------------------------------------------------------------- screening

    def screen(self, subject: Subject) -> list[Match]:
        """Every alert the subject hits, its best match each, best first."""
        best: dict[int, Match] = {}

        def consider(m: Match) -> None:
            held = best.get(m.alert_id)
            if held is None or m.score > held.score:
                best[m.alert_id] = m

        for kind, value in subject.identifiers:
            code = normalise_code(value)
            for aid in self._identifiers.get((identifier_family(kind), code), ()):
                consider(Match(aid, 1.0, "identifier", f"{kind} {value!r} = {code}"))
        for value in subject.registrations:
            code = normalise_code(value)
            for aid in self._registrations.get(code, ()):
                consider(Match(aid, 1.0, "registration", f"registration {value!r} = {code}"))
        for value in subject.containers:
            code = normalise_code(value)
            for aid in self._containers.get(code, ()):
                consider(Match(aid, 1.0, "container", f"container {value!r} = {code}"))
        if self._commodities:
            for value in subject.commodities:
                code = _NOT_DIGIT.sub("", value)
                for n in range(2, min(len(code), 10) + 1):
                    for aid in self._commodities.get(code[:n], ()):
                        consider(Match(aid, 1.0, "commodity", f"commodity {code} under {code[:n]}"))
        strip = subject.is_person is not True
        for text in subject.names:
            for e, s in self.name_hits(text, strip):
                entry = self._entries[e]
                for aid in entry.alert_ids:
                    m = self._name_match(aid, entry.name.text, text, s, subject)
                    if m is not None:
                        consider(m)
        return sorted(best.values(), key=lambda m: (-m.score, m.alert_id))

    def _name_match(
        self, aid: int, alert_name: str, text: str, score: float, subject: Subject
    ) -> Match | None:
        watched = self._alerts[aid].subject
        if (
            watched.is_person is not None
            and subject.is_person is not None
            and watched.is_person != subject.is_person
        ):
            return None  # a person alert is not a firm of the same words, nor the reverse
        kind = "name"
        note = ""
        if watched.date_of_birth and subject.date_of_birth:
            if not _same_date(watched.date_of_birth, subject.date_of_birth):
                return None
            lifted = min(1.0, score + DOB_BONUS)
            note = f", born {subject.date_of_birth}"
            if score < self.threshold:
                kind = "date_of_birth"  # the name alone would not have been reported
            score = lifted
        if score < self.threshold:
            return None
        return Match(
            aid, round(score, 4), kind, f"name {alert_name!r} ~ {text!r} ({score:.2f}){note}"
        )

    def screen_many(self, subjects: Sequence[Subject]) -> list[list[Match]]:
        """``screen`` for each subject; repeated names are scored once."""
        return [self.screen(s) for s in subjects]
