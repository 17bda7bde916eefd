"""Names as the CIS compares them: one spelling for the many a name arrives in.

Declarations and alerts write the same person in different scripts, with or without
diacritics, in different word orders. ``normalise`` maps all of them to one Latin,
lower-case, punctuation-free form; fuzzy matching then only has to absorb typos and
transliteration variants.

Transliteration variants are absorbed by ``skeleton``: a token is rewritten so that the
spellings the common conventions give one Cyrillic, Greek or Arabic letter (BGN/PCGN,
ISO 9, German, French, Polish; ``kh``/``ch``/``h``, ``sh``/``sch``/``sz``/``ch``,
``y``/``j``/``i``, ``ou``/``u``, ``w``/``v``, ``ks``/``x``, doubled letters) become one.
The skeleton is deliberately coarse: it is a blocking key and one of two views the scorer
compares, never shown to a user. Where conventions disagree in ways one skeleton cannot merge
(Polish "rz" and Russian "zh", Ukrainian -ii and Russian -ei, Greek "oi" and "i", Wade-Giles
and pinyin syllables), a token gets several (``skeleton_variants``); given names whose forms
in neighbouring languages differ by more than a rule share a group (``GIVEN_NAMES``); and
romanised Arabic, whose short vowels every convention writes its own way, is compared on its
consonants with one slot per vowel (``vowel_frame``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Apostrophes and soft/hard-sign marks join letters (O'Brien, Ol'ga), they do not split words.
_APOSTROPHES = re.compile(r"['’ʼʹʻ`´ʺ]")
# Greek "ου" is one vowel /u/; letter-by-letter it would read "oy".
_GREEK_OU = re.compile(r"ου|οΥ|Ου|ΟΥ|ού|Ού|ΟΎ")
# ELOT 743 (and UN/BGN for Greek): αυ, ευ, ηυ are "av", "ev", "iv" (not "ay"), γγ is "ng".
_GREEK_DIGRAPHS = re.compile(r"([αεηΑΕΗάέή])[υύ]|γγ", re.IGNORECASE)
_GREEK_VOWEL = {"α": "a", "ε": "e", "η": "i", "ά": "a", "έ": "e", "ή": "i"}


def _greek_digraph(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return "ng"
    return _GREEK_VOWEL[match.group(1).lower()] + "v"


# One Chinese character or Korean syllable block is one syllable of a name: keep them apart so
# that "张伟" and "Zhang Wei" have the same tokens.
_SYLLABIC = re.compile(r"([\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff])")


def normalise(text: str) -> str:
    """Transliterated to ASCII, case-folded, punctuation as single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _GREEK_OU.sub("ou", text)
    text = _GREEK_DIGRAPHS.sub(_greek_digraph, text)
    text = _SYLLABIC.sub(r" \1 ", text)
    text = _APOSTROPHES.sub("", text)
    ascii_text = _APOSTROPHES.sub("", anyascii(text)).casefold()  # Cyrillic ь, ъ come out as '
    return _NON_WORD.sub(" ", ascii_text).strip()


def tokens(text: str) -> list[str]:
    """The words of a normalised name."""
    return normalise(text).split()


# ------------------------------------------------------------------------ legal forms

#: Legal forms and their usual abbreviations, as normalised token sequences. They say what
#: kind of company a firm is, not which one, and declarations drop or respell them freely.
_LEGAL_FORMS_TEXT = """
gmbh|g m b h|gmbh co kg|gmbh und co kg|ag|kg|ohg|ug|kgaa|se|e k|ek|ev|e v
ltd|limited|co ltd|co limited|company limited|co|company|corp|corporation|inc|incorporated
llc|l l c|plc|llp|lp|pllc|pty ltd|pty|pte ltd|pte|pvt ltd|pvt|private limited|private
bv|b v|nv|n v|vof|bvba|cvba|sprl|srl|s r l|sa|s a|sas|s a s|sarl|s a r l|sasu|eurl|snc|sca
spa|s p a|sapa|snc|sl|s l|slu|s l u|sau|sa de cv|s a de c v|sac|s a c|saa|spa|sae|s a e
sp z o o|sp zoo|spolka z o o|spolka z ograniczona odpowiedzialnoscia|sp j|sp k|s k a
sro|s r o|spol s r o|as|a s|a s a|kft|zrt|nyrt|bt|kkt|rt
doo|d o o|dd|d d|ad|a d|ood|eood|eood|ead|jsc|ojsc|cjsc|joint stock company|pjsc
ooo|o o o|tov|zao|oao|pao|ao|chp|fop|pp|ip|tdv|llp
ab|aktiebolag|hb|aps|a s|is|oy|oyj|ky|asa|ans|da
lda|ltda|sgps|ei|eireli|me|epp
ae|a e|epe|e p e|ike|i k e|oe|o e|ee|e e
ltd sti|ltd st|limited sirketi|san ve tic a s|san ve tic ltd sti|sanayi ve ticaret a s
sanayi ve ticaret|san ve tic|tic ltd sti|tic a s|as
fze|fzco|fz llc|fzc|wll|w l l|llc fz|est|establishment
sdn bhd|sdn|bhd|berhad|tbk|pt|p t|cv|c v|ud|jsc|co jsc|corp ltd
kk|k k|kabushiki kaisha|yk|gk|godo kaisha|yugen kaisha
dac|uc|clg|cic|cio
ste|sté
"""

_LEGAL_FORMS: frozenset[tuple[str, ...]] = frozenset(
    tuple(form.split())
    for line in _LEGAL_FORMS_TEXT.strip().splitlines()
    for form in line.split("|")
    if form.strip()
)
_LEGAL_FORM_MAX = max(len(f) for f in _LEGAL_FORMS)

#: Joining words of firm names ("Smith & Sons", "Smith and Sons", "Kovács és Társa").
_CONNECTIVES = frozenset({"and", "und", "et", "ve", "och", "og", "en", "y", "e", "es", "i", "u"})


def strip_legal_forms(words: list[str]) -> list[str]:
    """The name without its legal forms and joining words, or the name if nothing else is left.

    Legal forms stand anywhere ("PT Nusantara", "Nusantara PT", "ООО «Ромашка»"), so every
    position is tried, longest form first.
    """
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        for size in range(min(_LEGAL_FORM_MAX, n - i), 0, -1):
            if tuple(words[i : i + size]) in _LEGAL_FORMS:
                i += size
                break
        else:
            if words[i] not in _CONNECTIVES:
                out.append(words[i])
            i += 1
    return out or words


# ------------------------------------------------------------------------ particles

#: Articles and kinship particles (al-, ibn, van, de, ...): half the romanisations write
#: them, half leave them out or glue them to the next word, so they carry little weight.
PARTICLES = frozenset(
    {
        "al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "ez", "ed", "es",
        "bin", "ibn", "ben", "bint", "abu", "abou", "ould", "ag",
        "van", "von", "der", "den", "de", "del", "della", "dei", "di", "da", "dos", "das",
        "do", "du", "la", "le", "lo", "ter", "ten", "zu", "y", "mac", "st",
    }
)  # fmt: skip

# ------------------------------------------------------------------------ skeleton

# Rewrites applied left to right on a normalised token, longest spelling first. Upper-case
# letters are placeholders for a class, lowered at the end.
_RULES: tuple[tuple[str, str], ...] = (
    # the sibilants and affricates of Cyrillic щ, ш, ж, ч, ц in every convention
    ("schtsch", "S"), ("shtsh", "S"), ("shch", "S"), ("chtch", "S"), ("szcz", "S"),
    ("tsch", "S"), ("tch", "S"), ("sch", "S"), ("dzh", "D"), ("dsch", "D"), ("dj", "D"),
    ("sh", "S"), ("zh", "S"), ("ch", "S"), ("cz", "S"), ("sz", "S"), ("zs", "S"), ("cs", "S"),
    ("ts", "S"), ("tz", "S"), ("ks", "X"), ("x", "X"), ("kh", ""), ("gh", "G"),
    # French and Spanish "qu" before e and i is a plain k ("gu" is handled in ``skeleton``)
    ("que", "Ke"), ("qui", "Ki"),
    ("ph", "V"), ("th", "T"), ("dh", "D"), ("ck", "K"), ("q", "K"),
    ("ou", "U"), ("oo", "U"), ("ee", "I"), ("ae", "A"), ("oe", "U"), ("ue", "U"),
    ("ai", "E"), ("ay", "E"), ("aj", "E"), ("ei", "E"), ("ey", "E"), ("ej", "E"),
    ("w", "V"), ("f", "V"), ("y", "I"), ("j", "I"), ("o", "U"), ("h", ""),
    ("ca", "Ka"), ("co", "KU"), ("cu", "KU"), ("cl", "Kl"), ("cr", "Kr"), ("c", "S"),
    ("z", "S"), ("s", "S"),
)  # fmt: skip
_RULE_MAP = dict(_RULES)
_RULE_RE = re.compile("|".join(re.escape(s) for s, _ in sorted(_RULES, key=lambda r: -len(r[0]))))
_DOUBLE = re.compile(r"(.)\1+")
_GU = re.compile(r"(?<=.)gu(?=[ei])")


def _rewrite(match: re.Match[str]) -> str:
    return _RULE_MAP[match.group(0)]


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """The token as its transliteration variants share it (``tchaikovsky`` → ``sekuvski``)."""
    # French and Spanish "gu" before e and i inside a word is a plain g (Sergueï, Miguel); at
    # the start it is German "Gü" written "Gue" (Guenther)
    token = _GU.sub("G", token)
    out = _RULE_RE.sub(_rewrite, token).lower()
    out = out.replace("x", "ks")
    return _DOUBLE.sub(r"\1", out)


#: Letters that one family of conventions reads one way and another family another way, so
#: that no single skeleton can merge them: each rule that applies to a token gives it more
#: skeletons (of the token respelt by the rule, alone and together with the other rules that
#: apply), and two words are one name if any of their skeletons agree. Each rule is a
#: convention, never a name; it is (letters a token must contain for it to apply, where it
#: applies, the other convention's spelling).
_ALTERNATES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # Slavic Latin scripts (Czech, Slovak, Polish, Croatian, Slovene; ISO 9 and scholarly
    # transliteration of Cyrillic ц): "c" is /ts/ everywhere, while English and Romance
    # spellings read "c" before a, o, u as k (Kuznecov/Kuznetsov, Voroncov/Vorontsov).
    ("c", re.compile(r"c(?=[aou])"), "ts"),
    # Polish "ci", "ni", "si", "zi" before a vowel are the soft ć, ń, ś, ź that Russian
    # spellings write "ts", "n", "s", "z" (Wojciech/Voytsekh, Kuzniecow/Kuznetsov), and Polish
    # "ie" after a consonant is Cyrillic е, written "e" elsewhere (Siergiej/Sergei,
    # Miedwiediew/Medvedev).
    ("ci", re.compile(r"(?<=[a-z])ci(?=[aeou])"), "ts"),
    ("ie", re.compile(r"(?<=[bcdfgklmnprstvwz])i(?=e)"), ""),
    # "ch" is /x/ in German, Czech, Polish and Greek ELOT 743 (χ), where BGN/PCGN and phonetic
    # English spellings write "kh" or "h" (Chalid/Khalid, Chatzi/Hatzi, Christo/Hristo);
    # not inside "sch"/"tch", which are sibilants, nor the "ch" the next rule writes for ć.
    ("ch", re.compile(r"(?<![st])ch"), "kh"),
    # Serbian and Croatian "ć", "č" (Cyrillic ћ, ч) lose their diacritics to a bare "c"; English
    # and French spellings write them "ch"/"tch" (Ćosić/Chosich, Petrović/Petrovich).
    ("c", re.compile(r"c(?![hzsik])"), "ch"),
    # Polish "dż", Serbo-Croatian "dž"/"đ" written without diacritics as "dz" are the affricate
    # that BGN/PCGN writes "dzh" and French/Serbian Latin "dj" (Dżordżewić/Djordjevitch).
    ("dz", re.compile(r"dz(?!h)"), "dzh"),
    # Kazakh, Uzbek and Kyrgyz ж is /dʒ/: Russian-based spellings write "dzh", the Russian
    # reading "zh" (and German "sch", French "j") (Dzhumabaev/Zhumabaev).
    ("dzh", re.compile(r"dzh"), "zh"),
    # Polish "rz" is ż, the "zh"/"sh" of other conventions (Krzysztof/Kshishtof,
    # Grzegorz/Gzhegozh).
    ("rz", re.compile(r"rz"), "zh"),
    # Ukrainian and Belarusian г is /h/ and romanised "h" (KMU 2010, BGN/PCGN for Ukrainian);
    # the Russian form of the same name, and Russian spellings of foreign /h/, write "g"
    # (Honcharenko/Goncharenko, Serhii/Sergii).
    ("h", re.compile(r"(?<![cksztpgdh])h(?!h)"), "g"),
    # Ukrainian -ій of given names is Russian -ей (Serhii/Sergei, Andrii/Andrei, Oleksii/Aleksei).
    ("i", re.compile(r"(?<=[a-z]{3})i[iyj]$"), "ei"),
    # Greek γ before a front vowel is /j/: ELOT 743 writes "g" + the vowel (Georgios,
    # Karagiannis, Panagiotis), phonetic spellings "y" or "j" and drop the glide vowel before
    # another vowel (Yorgos, Karayannis, Panajotis).
    ("g", re.compile(r"g[ei](?=[aou])"), "y"),
    # Greek τζ is "tz" in ELOT 743 and "dz"/"dj" in phonetic and French-style spellings
    # (Chatzigeorgiou/Hadjigeorgiou).
    ("d", re.compile(r"d[jz](?!h)"), "tz"),
    # Greek οι is /i/: ELOT 743 writes "oi", phonetic spellings "i" (Oikonomou/Ikonomou).
    ("oi", re.compile(r"oi(?![aeiou])"), "i"),
    # Russian ё is "yo"/"ë" in BGN/PCGN, "io" in Polish and French, "eo" in older English
    # spellings and "e" once its diaeresis is dropped, as Russian itself usually writes it
    # (Fyodor/Fiodor/Feodor/Fëdor/Fedor, Pyotr/Petr); after ж, ч, ш, щ it is written "o"
    # (Khrushchov/Khrushchev, Gorbachov/Gorbachev).
    ("o", re.compile(r"(?<=[bcdfgklmnprstvwz])[yije]o(?=[a-z])"), "e"),
    ("o", re.compile(r"(?<=sh|ch|zh|sz|cz|rz)o(?=[a-z])"), "e"),
    # Russian ье, and е after a consonant in some spellings, is "ye" in BGN/PCGN and "e" or
    # "ie" elsewhere (Grigoryev/Grigorev/Grigoriev, Vorobyeva/Vorobeva).
    ("e", re.compile(r"(?<=[bcdfgklmnprstvwz])[yj]e"), "e"),
    # Russian -аев/-аева: "ae" is two vowels, written "aye"/"aje" by other conventions
    # (Dzhumabaev/Zhumabayev/Schumabajew), not the German ä.
    ("ae", re.compile(r"ae(?=[vw])"), "aye"),
    # French spells a final -ин "-ine" so that it is not read as a nasal vowel
    # (Chaliapine/Shalyapin, Raspoutine/Rasputin).
    ("ine", re.compile(r"(?<=[a-z]{3}in)e$"), ""),
    # Korean: McCune-Reischauer writes ㅓ "ŏ" (plain "o" without the breve) where the Revised
    # Romanisation writes "eo" (sŏng/seong); ㅚ is "oe" in both, "oi" in common use (Choe/Choi).
    ("eo", re.compile(r"eo"), "o"),
    ("oe", re.compile(r"oe$"), "oi"),
)
#: A token of many rules is respelt in at most this many ways (the combinations of its first
#: rules): long compound words would otherwise get hundreds of skeletons.
_MAX_RESPELLINGS = 8

#: Wade-Giles (Chinese) and McCune-Reischauer (Korean) write unaspirated initials k, t, p, ch,
#: ts and aspirated ones k', t', p', ch', ts' (the apostrophe is dropped by ``normalise``, so
#: both readings are kept); pinyin and the Revised Romanisation write the unaspirated ones g,
#: d, b, j/zh, z and the aspirated ones k, t, p, q/ch, c (Kuo/Guo, Pak/Bak, Chi/Ji/Qi,
#: Chang/Zhang, Chien/Jian/Qian), pinyin the Wade-Giles "hs" as x (Hsiao/Xiao), "-ien" as
#: "-ian", "-ih" after ch, sh, j as "-i" (Chih/Zhi, Shih/Shi) and "-ung" as "-ong".
#: Only single syllables are respelt, the words these conventions produce.
_SYLLABLE = re.compile(r"^(?:ch|hs|sh|ts|tz|[ktpj])?[aeiou]+(?:ng|n|m|k|l|r|h)?$")
_SYLLABLE_INITIALS: dict[str, tuple[str, ...]] = {
    "k": ("g",),
    "t": ("d",),
    "p": ("b",),
    "hs": ("x",),
    "ts": ("z", "c"),
    "tz": ("z",),
}
_SYLLABLE_INITIAL = re.compile(r"^(?:ch|hs|ts|tz|[ktp])")
_FRONT = re.compile(r"^ch(?=[iuy])")


def _romanised_syllables(token: str) -> list[str]:
    if len(token) > 6 or _SYLLABLE.match(token) is None:
        return []
    rest = token
    if rest.endswith("h"):
        if not rest.startswith(("ch", "sh", "j")) or not rest.endswith("ih"):
            return []
        rest = rest[:-1]
    rest = rest.replace("ien", "ian").replace("ung", "ong")
    if rest.startswith("ch"):
        # before i and ü: j (unaspirated) or q (aspirated); elsewhere zh or ch
        initials = ("j", "q") if _FRONT.match(rest) and not token.endswith("ih") else ("zh",)
        out = [i + rest[2:] for i in initials]
    else:
        match = _SYLLABLE_INITIAL.match(rest)
        spellings = _SYLLABLE_INITIALS[match.group(0)] if match is not None else ()
        out = [s + rest[match.end() :] for s in spellings if match is not None]
        out.append(rest)
    return [s for s in out if s != token]


def skeleton_variants(token: str) -> tuple[str, ...]:
    """The skeleton, the skeleton without a glued article (``alhassan`` → ``asan``), the
    skeletons of the token respelt by the conventions of ``_ALTERNATES`` that apply to it, and
    the shared form (``=`` and the group's first spelling) of a given name written
    differently in neighbouring languages (``GIVEN_NAMES``)."""
    skel = skeleton(token)
    out = [skel]
    if len(token) > 5 and token[:2] in ("al", "el") and token[2] not in "aeiou":
        if token[2] in "tdsznr" and token[2] == token[3]:
            bare = skeleton(token[3:])  # sun-letter assimilation: "ash-Shami" written "ashshami"
        else:
            bare = skeleton(token[2:])
        if bare != skel and len(bare) >= 3:
            out.append(bare)
    for respelt in respellings(token)[1:]:
        alt = skeleton(respelt)
        if alt not in out:
            out.append(alt)
    for syllable in _romanised_syllables(token):
        alt = skeleton(syllable)
        if alt not in out:
            out.append(alt)
    group = GIVEN_NAMES.get(token)
    if group is not None:
        out.append("=" + group)
    return tuple(out)


def respellings(token: str) -> tuple[str, ...]:
    """The token and its respellings by each convention of ``_ALTERNATES`` that applies to it,
    alone and combined (``chruschtschow`` → ``khruschtschow``, ``chruschtschew``,
    ``khruschtschew``, ...)."""
    out = [token]
    written = ""  # what the rules applied so far wrote, which later rules may apply to
    for needle, pattern, spelling in _ALTERNATES:
        if needle not in token and needle not in written:
            continue
        for k in range(len(out)):
            if len(out) >= _MAX_RESPELLINGS:
                return tuple(out)
            text = out[k]
            if needle in text and pattern.search(text) is not None:
                respelt = pattern.sub(spelling, text)
                if respelt not in out:
                    out.append(respelt)
                    written += " " + spelling
    return tuple(out)


# ------------------------------------------------------------------------ given names

#: One given name as neighbouring languages and scripts write it, where the forms differ by
#: more than a transliteration rule: East Slavic (Russian, Ukrainian, Belarusian) forms of one
#: name, the formal and everyday forms of Greek names, the spellings of the common Korean
#: family names (one syllable each, so a family name is as often the first word as a given
#: name: the Revised Romanisation, McCune-Reischauer, North Korean initial r and l, and the
#: usual English spellings Park, Lee, Rhee, Kwon, Suh, Paik), and the common romanisations of
#: Arabic names (short words whose vowels differ). A general resource, one group per line,
#: the first spelling naming the group; a name in a group is the same name as every other one
#: of the group, and nothing else.
_GIVEN_NAMES_TEXT = """
aleksandr|oleksandr|aliaksandr|alyaksandr|alexandr|aleksander|alexander
aleksei|aleksey|alexei|alexey|oleksii|oleksiy|aliaksei|alyaksei|aleksiej
andrei|andrey|andrii|andriy|andrej|andrij
anatoli|anatoly|anatolii|anatoliy|anatolij
dmitri|dmitry|dmitrii|dmitriy|dmitrij|dmytro|dzmitry|dzmitryi
evgeni|evgeny|evgenii|evgeniy|yevgeni|yevgeny|yevgeniy|yevhen|ievgen|jewgeni|jewgenij|yauhen
fyodor|fedor|fiodor|feodor|fedir|fiodar|fjodor
georgi|georgy|georgii|georgiy|heorhii|heorhiy|georgij
grigori|grigory|grigorii|grigoriy|hryhorii|hryhoriy|ryhor|grigorij
ivan|iwan|ivane
konstantin|kostiantyn|kostyantyn|kanstantsin
maksim|maxim|maksym|maxym
mikhail|michail|mykhailo|mykhaylo|mihail|michalis|mikhalis
nikolai|nikolay|nikolaj|mykola|mikalai|mikola
oleg|oleh|aleh
olga|olha|volha
pavel|pavlo|paval|pawel
pyotr|petr|petro|piatro|pjotr
sergei|sergey|sergii|sergiy|serhii|serhiy|serhij|siarhei|sergej|siergiej|serguei
vasili|vasily|vasilii|vasiliy|vasyl|vasil|wasilij|vasilij
vladimir|volodymyr|uladzimir|wladimir
yakov|yakiv|jakov|jakow|iakov
yuri|yury|yurii|yuriy|yurij|iurii|iouri|jurij|juri|yurij
ekaterina|yekaterina|kateryna|katsiaryna|katerina|jekaterina
elena|yelena|olena|alena|jelena
natalia|natalya|nataliya|natallia|natalija
tatiana|tatyana|tetiana|tetyana|tatsiana|tatjana
yulia|yuliya|iuliia|julija|yuliia
anastasia|anastasiya|anastasija|nastassia
georgios|giorgos|yorgos|jorgos|yiorgos
ioannis|giannis|yannis|jannis|yiannis|ioannes
konstantinos|kostas|konstandinos
dimitrios|dimitris|demetrios
nikolaos|nikos|nicolaos
panagiotis|panayiotis|panagiotes|panos
vasileios|vasilis|vassilis|vasilios
athanasios|thanasis|thanos
evangelos|vangelis|vaggelis
anastasios|tasos|anastassios
emmanouil|manolis
spyridon|spyros|spiros
theodoros|thodoris
park|pak|bak|bahk
lee|yi|rhee|ri|rhie|yee
cho|jo|joh
jang|chang
lim|im|rim|yim
seo|suh|so
kwon|gwon|kweon
jeon|jun|chun|chon|jeun
noh|roh|rho|ro
yoo|yu|ryu|ryoo
kwak|gwak
joo|ju|chu|choo
heo|huh|hur
baek|paek|paik|baik
muhammad|mohammed|mohammad|mohamed|muhammed|mohamad|mouhamad|muhamad
ahmad|ahmed|ahmet|achmed|ahmat
mahmoud|mahmud|mahmood|mahmut
mustafa|mostafa|moustafa|mustapha|moustapha|mustafah
husayn|hussein|husain|hussain|hossein|hosein|husein|huseyin|hussien
hasan|hassan|hasen|hassen
ali|aly
umar|omar|omer|ummar
uthman|othman|osman|usman|othmane|outhman
yusuf|youssef|yousef|yusef|yousif|yussuf|youssouf|yousuf|jusuf|yusif
ibrahim|ebrahim|brahim|ibragim|ibraheem
ismail|ismael|smail|esmail|ismoil|ismayil
khalid|khaled|chalid|halid|khalled|kaled
abdullah|abdallah|abdellah|abdulla|abdalla|abdoulaye|abdulah|abdollah
karim|kareem|kerim|karem
said|saeed|saied|saaid
salih|saleh
tariq|tarek|tarik|tareq|tarique
walid|waleed|velid|oualid
nabil|nabeel|nebil
samir|sameer|semir
jamal|gamal|djamel|cemal|jamel|djamal
kamal|kemal|kamel|camal
hamza|hamzah|hamze
yahya|yehia|yahia|jahja
yunus|younes|yunis|younis|younus|junus
musa|moussa|mousa|moosa
isa|issa|eisa
sulayman|suleiman|sulaiman|soliman|suleyman|sleiman|souleymane|sulejman
zakariya|zakaria|zakariyya|zakarya
qasim|kassem|qassem|qasem|kasim|kacem|gasim
rashid|rachid|rasheed|reshid|rashed
nasir|nasser|naser|nasr|nacer
jabir|jaber|djaber|gaber
fatima|fatma|fatimah|fatemeh|fatime|fatouma
aisha|aicha|ayesha|ayse|aysha|aischa
maryam|mariam|meryem
zaynab|zainab|zeynab|zeynep|zineb|zaineb
layla|leila|leyla|laila
nur|nour|noor
"""

#: Groups of Arabic given names: a name with one of them is romanised Arabic, whose short
#: vowels every convention writes differently (``arabic_vowels``).
_ARABIC_GROUPS_FROM = "muhammad"


def _given_names() -> tuple[dict[str, str], frozenset[str]]:
    groups: dict[str, str] = {}
    arabic: set[str] = set()
    in_arabic = False
    for line in _GIVEN_NAMES_TEXT.strip().splitlines():
        spellings = line.split("|")
        in_arabic = in_arabic or spellings[0] == _ARABIC_GROUPS_FROM
        for spelling in spellings:
            groups.setdefault(spelling, spellings[0])
            if in_arabic:
                arabic.add(spelling)
    return groups, frozenset(arabic)


#: The group (its first spelling) of each spelling of ``_GIVEN_NAMES_TEXT``.
GIVEN_NAMES, ARABIC_GIVEN_NAMES = _given_names()


# ------------------------------------------------------------------------ consonants

_SKELETON_VOWELS = re.compile(r"[aeiu]+")


def consonants(skel: str) -> str:
    """A skeleton without its vowels (``_`` for a leading one): romanisations of one name
    disagree mostly about vowels (Aleksiej/Aleksey, Oleksandr/Aleksandr, Kuzniecow/Kuznetsov,
    Khrushchev/Khrushchyov)."""
    lead = "_" if skel[:1] in ("a", "e", "i", "u") else ""
    return lead + _SKELETON_VOWELS.sub("", skel)


# ------------------------------------------------------------------------ keyboard

_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, frozenset[str]]:
    """Keys touching each key on a QWERTY keyboard (same row left/right, rows above/below
    offset by half a key)."""
    where = {ch: (r, c) for r, row in enumerate(_QWERTY_ROWS) for c, ch in enumerate(row)}
    out: dict[str, frozenset[str]] = {}
    for ch, (r, c) in where.items():
        near = set()
        for other, (r2, c2) in where.items():
            if other == ch:
                continue
            if (
                (r2 == r and abs(c2 - c) == 1)
                or (r2 == r - 1 and c2 in (c, c + 1))
                or (r2 == r + 1 and c2 in (c - 1, c))
            ):
                near.add(other)
        out[ch] = frozenset(near)
    return out


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()

#: Costs of the keyboard-aware edit distance. A typist hits a neighbouring key, swaps two
#: letters, doubles or drops one; a different name differs by arbitrary letters.
SUB_NEIGHBOUR = 0.4
SUB_OTHER = 1.4  # dearer than any typo budget: one letter for another is another name
TRANSPOSE = 0.4
DROP_DOUBLE = 0.25  # one letter of a doubled pair missing
DROP_OTHER = 0.6  # any other letter missing
INSERT_DOUBLE = 0.25  # a letter keyed twice
INSERT_NEIGHBOUR = 0.5  # a neighbouring key caught with the intended one
INSERT_OTHER = 1.4
#: Substitutions and swaps touching the first letter of a word cost this many times more:
#: typists rarely miss the first letter, while different names often differ there
#: (Hansen/Jansen, Ahmed/Hamed).
FIRST_LETTER = 3.0
#: A first letter dropped or added costs this many times more in a word of
#: ``FIRST_GAP_LENGTH`` letters or more (a word typed after a space loses or doubles its
#: first letter as easily as any other, Rahimi/ahimi), and ``FIRST_LETTER`` times in a
#: shorter one, where it is as often another name (Ivan/Van, Lena/Elena).
FIRST_GAP = 1.5
FIRST_GAP_LENGTH = 6
#: A swapped pair one of whose letters is also a neighbouring key (Markovic/Markovco) is two
#: keying errors in one place: counted as such only in words of this many letters or more,
#: which have room for two (a shorter word two errors away is as often another name:
#: Ramos/Ramao, Polat/Polra).
SWAP_SLIP_LENGTH = 7


def _sub_cost(x: str, y: str) -> float:
    if x == y:
        return 0.0
    near = KEYBOARD_NEIGHBOURS.get(x)
    return SUB_NEIGHBOUR if near is not None and y in near else SUB_OTHER


def _drop_cost(word: str, i: int) -> float:
    ch = word[i]
    if (i > 0 and word[i - 1] == ch) or (i + 1 < len(word) and word[i + 1] == ch):
        return DROP_DOUBLE
    return DROP_OTHER


def _insert_cost(word: str, j: int, intended: str) -> float:
    ch = word[j]
    before = word[j - 1] if j > 0 else ""
    after = word[j + 1] if j + 1 < len(word) else ""
    if ch in (before, after) and ch in intended:
        return INSERT_DOUBLE  # a letter of the name keyed twice, not a new doubled letter
    near = KEYBOARD_NEIGHBOURS.get(ch, frozenset())
    if before in near or after in near:
        return INSERT_NEIGHBOUR
    return INSERT_OTHER


_NO_KEYS: frozenset[str] = frozenset()


def keyboard_distance(intended: str, typed: str) -> float:
    """Weighted edit distance from the ``intended`` spelling to the ``typed`` one (Damerau,
    optimal string alignment, where a swapped pair may also hold a neighbouring key) with
    keyboard-aware costs: cheap for the errors typists make, expensive for the differences
    between two real names."""
    n, m = len(intended), len(typed)
    drops = [_drop_cost(intended, i) for i in range(n)]
    inserts = [_insert_cost(typed, j, intended) for j in range(m)]
    gap = FIRST_GAP if max(n, m) >= FIRST_GAP_LENGTH else FIRST_LETTER
    long = min(n, m) >= SWAP_SLIP_LENGTH
    if n:
        drops[0] *= gap
    if m:
        inserts[0] *= gap
    prev2: list[float] = []
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + inserts[j - 1]
    for i in range(1, n + 1):
        a = intended[i - 1]
        near_a = KEYBOARD_NEIGHBOURS.get(a, _NO_KEYS)
        near_before = KEYBOARD_NEIGHBOURS.get(intended[i - 2], _NO_KEYS) if i > 1 else _NO_KEYS
        cur = [prev[0] + drops[i - 1]] + [0.0] * m
        for j in range(1, m + 1):
            b = typed[j - 1]
            best = prev[j - 1]
            if a != b:
                best += _sub_cost(a, b) * (FIRST_LETTER if i == 1 or j == 1 else 1.0)
            d = prev[j] + drops[i - 1]
            if d < best:
                best = d
            d = cur[j - 1] + inserts[j - 1]
            if d < best:
                best = d
            if i > 1 and j > 1 and a != b:
                # two letters swapped, one of them perhaps also a neighbouring key
                # (Markovic/Markovci/Markovco): the swap and the slip are one keying error
                # each, which optimal string alignment alone would not combine
                swap = 0.0
                if a == typed[j - 2]:
                    if intended[i - 2] == b:
                        swap = TRANSPOSE
                    elif b in near_before and long:
                        swap = TRANSPOSE + SUB_NEIGHBOUR
                elif long and intended[i - 2] == b and typed[j - 2] in near_a:
                    swap = TRANSPOSE + SUB_NEIGHBOUR
                if swap:
                    d = prev2[j - 2] + swap * (FIRST_LETTER if i == 2 else 1.0)
                    if d < best:
                        best = d
            cur[j] = best
        prev2, prev = prev, cur
    return prev[m]


def untyped(typed: str) -> dict[str, float]:
    """The spellings a typed word may have been meant as, each with one cheap keying error
    undone, and that error's cost: two letters swapped, a neighbouring key hit for the
    intended one, a neighbouring key caught with the intended one (``chlaiapin`` →
    ``chaliapin``, ``miedwiedisw`` → ``miedwiediew``). Doubled and dropped letters are left
    out (skeletons merge doubled letters; a dropped one could be any), and the first letter
    is kept: typists rarely miss it, and different names often differ there."""
    out: dict[str, float] = {}

    def put(spelling: str, cost: float) -> None:
        if cost < out.get(spelling, INSERT_OTHER):
            out[spelling] = cost

    n = len(typed)
    for i in range(1, n):
        ch = typed[i]
        before = typed[i - 1]
        head, tail = typed[:i], typed[i + 1 :]
        if i >= 2 and ch != before:
            put(typed[: i - 1] + ch + before + tail, TRANSPOSE)
        near = KEYBOARD_NEIGHBOURS.get(ch, _NO_KEYS)
        for key in near:
            put(head + key + tail, SUB_NEIGHBOUR)
        if ch != before and (before in near or tail[:1] in near):
            put(head + tail, INSERT_NEIGHBOUR)
    return out


# ------------------------------------------------------------------------ gendered forms

#: Masculine and feminine forms of one family name in Slavic, Baltic, Czech and Polish
#: usage: (masculine ending, feminine ending). A pair differing only so is two people.
_GENDERED_ENDINGS: tuple[tuple[str, str], ...] = (
    ("ov", "ova"), ("ev", "eva"), ("in", "ina"), ("yn", "yna"), ("iy", "aya"),
    ("skiy", "skaya"), ("skii", "skaya"), ("skyi", "ska"), ("sky", "ska"), ("ski", "ska"),
    ("cki", "cka"), ("dzki", "dzka"), ("ckiy", "ckaya"), ("y", "a"), ("i", "a"),
    ("as", "aite"), ("as", "iene"), ("is", "yte"), ("is", "iene"), ("ys", "yte"),
    ("us", "ute"), ("us", "iene"), ("", "ova"), ("", "a"),
)  # fmt: skip


def gendered(x: str, y: str) -> bool:
    """Whether two normalised words are the masculine and feminine form of one name
    (Petrov/Petrova, Kowalski/Kowalska, Novák/Nováková, Jan/Jana, Ivan/Ivana)."""
    if x == y:
        return False
    if len(x) > len(y):
        x, y = y, x
    for masc, fem in _GENDERED_ENDINGS:
        if y.endswith(fem) and x.endswith(masc):
            stem = y[: len(y) - len(fem)]
            # (Pereira/Pereiraa is a doubled key, not a feminine form)
            if len(stem) >= 2 and x[: len(x) - len(masc)] == stem and (masc or x[-1:] != "a"):
                return True
    return False


# ------------------------------------------------------------------------ abjads

#: Scripts that write consonants and long vowels only (Arabic, Persian, Urdu, Hebrew,
#: Syriac): their romanisation by ``normalise`` has no short vowels ("mhmd").
_ABJAD = re.compile(
    r"[\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufeff]"
)
_ARTICLE_WORDS = frozenset(
    {"al", "el", "ul", "il", "ad", "ed", "an", "en", "as", "es", "ash", "esh", "at", "et",
     "az", "ez", "ar", "er", "ud", "ur", "un", "us"}
)  # fmt: skip
_GLUED_ARTICLE = re.compile(r"^(?:[aeu]l(?=[^aeiou]{1}[a-z]{2})|[aeu]([tdsznrl])(?=\1))")
_ABD = re.compile(r"^abd(?:[aeiou][lrsdnz]?)(?=[a-z]{3})")
_ABJAD_LETTERS = (
    ("ddsch", "j"), ("dsch", "j"), ("dzh", "j"), ("dj", "j"), ("g", "j"), ("jh", "G"),
    ("sch", "S"), ("sh", "S"), ("kh", "h"), ("ch", "h"), ("th", "s"), ("dh", "z"),
    ("q", "k"), ("c", "k"), ("ph", "f"), ("v", "f"), ("p", "b"), ("x", "ks"),
)  # fmt: skip
_ABJAD_RE = re.compile("|".join(re.escape(s) for s, _ in _ABJAD_LETTERS))
_ABJAD_MAP = dict(_ABJAD_LETTERS)
_ABJAD_VOWELS = re.compile(r"[aeiouyw]+")


def is_abjad(text: str) -> bool:
    """Whether the text is written (partly) in a script that omits short vowels."""
    return _ABJAD.search(text) is not None


def abjad_word(word: str) -> str:
    """A normalised word as an abjad would write it: no article, consonants only, one
    letter per Arabic letter whatever the romanisation (``al-Najjar``, ``an-Naddschar``,
    ``Naggar`` and ``النجار`` → ``nj``)."""
    word = _ABD.sub("abd", word)
    word = _GLUED_ARTICLE.sub("", word)
    if word.startswith("l") and len(word) > 1:
        word = word[1:]  # the article as an abjad writes it, glued ("lshryf")
    word = _ABJAD_RE.sub(lambda m: _ABJAD_MAP[m.group(0)], word).lower()
    word = _ABJAD_VOWELS.sub("", word)
    if word.endswith("h") and len(word) > 1:
        word = word[:-1]  # ta marbuta: Fatima, Fatimah, فاطمة
    return _DOUBLE.sub(r"\1", word)


def abjad_key(words: list[str], abjad: list[str] | None = None) -> str:
    """The name as an abjad writes it: article words left out, the rest run together
    (``abjad``, if given, holds each word's ``abjad_word``)."""
    if abjad is None:
        abjad = [abjad_word(w) for w in words]
    return "".join(a for w, a in zip(words, abjad, strict=True) if w not in _ARTICLE_WORDS)


# ------------------------------------------------------------------------ romanised Arabic

#: Words that mark a name as Arabic: articles and kinship words written apart, and compounds
#: with ʿabd ("servant of").
_ARABIC_MARKERS = frozenset({"al", "el", "bin", "ibn", "bint", "abu", "abou", "ould"})
#: The short vowel each simple vowel spelling may stand for: fatha is written "a" or "e",
#: kasra "i" or "e", damma "u", "o" or "ou" (Turkish "e" for damma, as in Mehmet/Mahmut, is
#: another name). Long vowels are written like short ones (Nabil/Nabeel).
_ARABIC_VOWEL_CLASS = {
    "a": frozenset("a"),
    "aa": frozenset("a"),
    "e": frozenset("ai"),
    "ee": frozenset("i"),
    "i": frozenset("i"),
    "ii": frozenset("i"),
    "o": frozenset("u"),
    "oo": frozenset("u"),
    "ou": frozenset("u"),
    "u": frozenset("u"),
    "uu": frozenset("u"),
}
_FRAME_VOWEL = re.compile(r"[aeiou]+(?:[yw](?![aeiou]))?")


def is_arabic_word(word: str) -> bool:
    """Whether a normalised word marks its name as romanised Arabic."""
    return (
        word in _ARABIC_MARKERS
        or word in ARABIC_GIVEN_NAMES
        or (word.startswith("abd") and len(word) > 5)
    )


@lru_cache(maxsize=100_000)
def vowel_frame(word: str) -> tuple[str, tuple[str, ...]]:
    """A romanised Arabic word as its consonants (one letter per Arabic letter, doubled ones
    once, without a glued article or a final "h" after a vowel) with a slot per vowel group,
    and the vowel groups (``khaled`` → ``("hVlVd", ("a", "e"))``): two romanisations of one
    Arabic word have the same frame and differ in the spelling of their short vowels only."""
    word = _GLUED_ARTICLE.sub("", word)
    word = _ABJAD_RE.sub(lambda m: _ABJAD_MAP[m.group(0)], word).lower()
    word = _DOUBLE.sub(r"\1", word)
    if len(word) > 2 and word[-1] == "h" and word[-2] in "aeiou":
        word = word[:-1]  # ta marbuta, or the long vowel of Abdullah written "-ah"
    runs = tuple(_FRAME_VOWEL.findall(word))
    return _FRAME_VOWEL.sub("V", word), runs


def arabic_vowels_agree(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Whether the vowel groups of two words of one frame can be one Arabic word's: each pair
    spells one short or long vowel (Muhammad/Mohamed, Khalid/Khaled, Omar/Umar) or one
    diphthong (Hussein/Husain); a diphthong against a plain vowel is another name
    (Hassan/Hussein, Said/Saad), and so are "a" against "i" or "u" (Hamad/Hamid)."""
    for p, q in zip(x, y, strict=True):
        if p == q:
            continue
        cp, cq = _ARABIC_VOWEL_CLASS.get(p), _ARABIC_VOWEL_CLASS.get(q)
        if cp is None and cq is None:
            continue  # two spellings of a diphthong (ei/ai/ay)
        if cp is None or cq is None or not cp & cq:
            return False
    return True
