"""CIS name screening: the transliteration, given-name, romanised-Arabic, joined-syllable and
typo rules of ``tollgate.cis.names`` and the scorer, each with the look-alikes it must keep
apart. Pure Python: the index needs no database."""

from __future__ import annotations

import pytest

from tollgate.cis import screening
from tollgate.cis.names import (
    GIVEN_NAMES,
    arabic_vowels_agree,
    keyboard_distance,
    respellings,
    skeleton_variants,
    untyped,
    vowel_frame,
)
from tollgate.cis.screening import AlertIndex, Subject, prepare, similarity


def _same_word(x: str, y: str) -> bool:
    return bool(set(skeleton_variants(x)) & set(skeleton_variants(y)))


def _hits(alert: str, presented: str) -> bool:
    index = AlertIndex()
    index.add(1, Subject(names=(alert,), is_person=True))
    return [m.alert_id for m in index.screen(Subject(names=(presented,), is_person=True))] == [1]


# ------------------------------------------------------------------------ Slavic conventions


@pytest.mark.parametrize(
    ("x", "y"),
    [("krzysztof", "kshishtof"), ("grzegorz", "gzhegozh"), ("rzepka", "zhepka")],
)
def test_cis_screening_polish_rz_matches_zh(x: str, y: str) -> None:
    assert _same_word(x, y)


@pytest.mark.parametrize(
    ("x", "y"),
    [("wojciech", "voytsekh"), ("siergiej", "sergei"), ("kuzniecow", "kuznetsov")],
)
def test_cis_screening_polish_soft_consonants_match_russian_spellings(x: str, y: str) -> None:
    assert _same_word(x, y)


def test_cis_screening_central_asian_dzh_matches_zh() -> None:
    assert _same_word("dzhumabaev", "zhumabaev")
    assert _same_word("schumabajew", "dzhumabaev")  # with Russian -аев written -ajew


def test_cis_screening_initial_j_is_not_read_as_zh() -> None:
    """French writes ж "j" (Joukov), but most names with a "j" are Spanish, English, German or
    Polish ones: reading it as ж would make Joanna a Zuzanna."""
    assert not _hits("Zuzanna Wiśniewski", "Joanna Wisniewski")


def test_cis_screening_conventions_do_not_chain_into_other_letters() -> None:
    """The "ch" written for Serbo-Croatian ć is not then read as German /x/ and dropped."""
    assert not _same_word("claudia", "laudia")
    assert not _hits("Laura Fischer", "Claudia Fischer")


@pytest.mark.parametrize(
    ("x", "y"), [("serhii", "sergei"), ("andrii", "andrey"), ("oleksii", "oleksei")]
)
def test_cis_screening_ukrainian_ii_matches_russian_ei(x: str, y: str) -> None:
    assert _same_word(x, y)


def test_cis_screening_yo_after_hushing_consonants_and_soft_ye() -> None:
    assert _same_word("khrushchov", "khrushchev")
    assert _same_word("grigoryev", "grigorev")
    assert _same_word("feodor", "fedor")
    assert _same_word("chaliapine", "shalyapin")  # French -ine for -ин


def test_cis_screening_greek_oi_matches_i() -> None:
    assert _same_word("oikonomou", "ikonomou")


def test_cis_screening_conventions_combine_within_one_word() -> None:
    """A German spelling needs two rules at once (ch = kh, and ё written o after щ)."""
    assert "khruschtschew" in respellings("chruschtschow")
    assert _same_word("chruschtschow", "khrouchtchev")
    assert len(respellings("schtschedrowitschtschi")) <= 8  # bounded


def test_cis_screening_slavic_rules_keep_other_names_apart() -> None:
    assert not _same_word("marek", "marzek")
    assert not _same_word("petrov", "petrova")
    assert not _same_word("ivan", "iwana")


# ------------------------------------------------------------------------ given names


def test_cis_screening_given_name_forms_match_across_languages() -> None:
    assert _hits("Γεώργιος Παπαδόπουλος", "Jorgos Papadopulos")
    assert _hits("Volodymyr Shevchenko", "Vladimir Shevchenko")
    assert _hits("Yuriy Gagarin", "Jurij Gagarin")
    assert _hits("Dmytro Kovalenko", "Dmitri Kovalenko")


def test_cis_screening_given_name_groups_are_disjoint_and_keep_other_names_apart() -> None:
    assert GIVEN_NAMES["serhii"] == GIVEN_NAMES["sergei"] == "sergei"
    assert GIVEN_NAMES["pavel"] != GIVEN_NAMES["pyotr"]
    assert GIVEN_NAMES["hassan"] != GIVEN_NAMES["hussein"]
    assert not _hits("Pavel Petrov", "Pyotr Petrov")
    assert not _hits("Mohammed Ali", "Mahmoud Ali")


@pytest.mark.parametrize(
    ("alert", "presented"),
    [
        ("Park Min-jun", "Pak Minjun"),  # usual English spelling / McCune-Reischauer
        ("Lee Seung-hoon", "Rhee Seunghoon"),
        ("Lim Hyun-woo", "Im Hyunwoo"),  # initial r/l dropped in the South
        ("Kwon Ji-yong", "Gwon Jiyong"),  # Revised Romanisation
    ],
)
def test_cis_screening_korean_family_name_spellings_match(alert: str, presented: str) -> None:
    assert _hits(alert, presented)


def test_cis_screening_korean_family_name_groups_keep_other_names_apart() -> None:
    assert GIVEN_NAMES["park"] == GIVEN_NAMES["bak"] == "park"
    assert GIVEN_NAMES["rhee"] == GIVEN_NAMES["yi"] == "lee"
    assert GIVEN_NAMES["baek"] != GIVEN_NAMES["park"]  # 백 and 박 are two families
    assert not _hits("Park Ji-sung", "Baek Ji-sung")


# ------------------------------------------------------------------------ romanised Arabic


def test_cis_screening_arabic_vowel_frames() -> None:
    assert vowel_frame("khaled") == ("hVlVd", ("a", "e"))
    assert vowel_frame("chalid") == ("hVlVd", ("a", "i"))
    assert vowel_frame("mohammed")[0] == vowel_frame("muhammad")[0]
    assert vowel_frame("mahmoud")[0] != vowel_frame("mohamed")[0]
    assert vowel_frame("abdullah")[0] == vowel_frame("abdulla")[0]  # final -h after a vowel
    assert arabic_vowels_agree(("u", "ai"), ("u", "ei"))  # Husain/Hussein
    assert not arabic_vowels_agree(("a", "a"), ("u", "ei"))  # Hassan/Hussein
    assert not arabic_vowels_agree(("ai",), ("aa",))  # Said/Saad
    assert not arabic_vowels_agree(("e", "e"), ("a", "u"))  # Mehmet/Mahmut


@pytest.mark.parametrize(
    ("alert", "presented"),
    [
        ("Mohamed Abdellah", "Mohammad Abdullah"),
        ("Khaled Al-Mansour", "Chalid al-Mansur"),
        ("Abdelrahman El Kassem", "Abdulrahman Alqasim"),
        ("Saleh Al-Omari", "Salih al-Umari"),
        ("Ahmad Husain", "Ahmed Hussain"),
    ],
)
def test_cis_screening_romanised_arabic_vowels_match(alert: str, presented: str) -> None:
    assert _hits(alert, presented)


@pytest.mark.parametrize(
    ("alert", "presented"),
    [
        ("Hassan Al-Tamimi", "Hussein Al-Tamimi"),
        ("Said Al-Amri", "Saad Al-Amri"),
        ("Ahmed Khalil", "Hamed Khalil"),
        ("Mohammed Hassan", "Mahmoud Hassan"),
        ("Mehmet Yilmaz", "Mahmut Yilmaz"),
        ("Stefan Wagner", "Stefan Wegner"),  # not Arabic: one vowel for another is a name
    ],
)
def test_cis_screening_arabic_vowel_tolerance_keeps_other_names_apart(
    alert: str, presented: str
) -> None:
    assert not _hits(alert, presented)


# ------------------------------------------------------------------------ joined syllables


@pytest.mark.parametrize(
    ("alert", "presented"),
    [
        ("Liu Hsiao-ming", "Xiaoming Liu"),  # Wade-Giles hs = x, run together
        ("Xu Zhiqiang", "Hsu Chih-chiang"),  # Wade-Giles ch(ih) = zh(i), ch = q
        ("Ch'oe Min-ho", "Choi Minho"),
        ("Kim Min-jun", "Kim Minjun"),
    ],
)
def test_cis_screening_joined_and_split_syllables_match(alert: str, presented: str) -> None:
    assert _hits(alert, presented)


def test_cis_screening_joined_syllables_keep_other_names_apart() -> None:
    assert not _hits("Kim Min-jun", "Kim Minjae")
    # "ho" + "hung" has the skeleton of "hung": a run that is one of its words is not a join
    name = prepare("Ho Hung")
    assert all(not (set(m.skels) & set(name.words[1].skels)) for _, m in name.merged)


# ------------------------------------------------------------------------ typos


def test_cis_screening_first_letter_dropped_or_swapped_in_a_long_word_is_a_typo() -> None:
    assert _hits("Abebe Tesfaye", "Abebe esfaye")
    assert _hits("Arash Rahimi", "Atash ahimi")
    assert _hits("Joao Oliveira", "Joao lOiveira")
    assert keyboard_distance("rahimi", "ahimi") < keyboard_distance("ivan", "van")


def test_cis_screening_typo_in_another_convention_matches() -> None:
    assert _hits("Nikolay Zhukov", "Nikooaj Žukov")
    assert _hits("Volodymyr Honcharenko", "Vladimir Goncharnko")


def test_cis_screening_typo_breaking_a_letter_group_in_another_convention_matches() -> None:
    """A keying error inside a letter group of another convention leaves skeletons two edits
    apart; undone, the presented word has the alert word's skeleton."""
    assert "kuzniecow" in untyped("kuznircow")  # Polish spelling, e for r
    assert _hits("Oleg Kuznetsov", "Oleg Kuznircow")
    assert _hits("Fyodor Chaliapin", "Fiodor Shlayapin")  # "al" swapped: "ay" is one vowel
    # skeletons one edit apart are judged by the keyboard distance alone
    assert not _hits("Stefan Danor", "Stefan Dangor")


def test_names_keyboard_distance_swap_with_a_neighbouring_key() -> None:
    """A swapped pair one of whose letters is also a neighbouring key is two errors in one
    place: a typo in a long word, another name in a short one."""
    assert keyboard_distance("markovic", "markovco") <= screening.TYPO_BUDGET_LONG
    assert _hits("Milan Petrovic", "Milan Petrovco")
    assert keyboard_distance("ramos", "ramao") > screening.TYPO_BUDGET
    assert not _hits("Luis Ramos", "Luis Ramao")


def test_cis_screening_typo_rules_keep_other_names_apart() -> None:
    assert not _hits("Peter Hansen", "Peter Jansen")  # first letter: another name
    assert not _hits("Mikkel Pedersen", "Mikkel Petersen")  # one letter for another
    assert keyboard_distance("elena", "lena") > screening.TYPO_BUDGET  # short: another name


# ------------------------------------------------------------------------ candidates


def test_cis_screening_frequent_words_are_intersected_without_losing_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Names of frequent words only are found through the names holding all of them, and a
    rare word with a frequent one through their common names, whether the frequent word's
    names are united or only intersected."""
    monkeypatch.setattr(screening, "_FREQUENT_WORD", 3)
    monkeypatch.setattr(screening, "_COMMON_WORD", 2)
    index = AlertIndex()
    words = ["Global", "Trading", "Import", "Export", "Logistics", "Shipping"]
    ids: dict[str, int] = {}
    for a in words:
        for b in words:
            if a != b:
                ids[f"{a} {b}"] = len(ids) + 1
                index.add(len(ids), Subject(names=(f"{a} {b} LLC",), is_person=False))
    index.add(1000, Subject(names=("Zafirakis Import LLC",), is_person=False))
    for k, other in enumerate(words, start=2000):  # "import" now meets two alert words
        index.add(k, Subject(names=(f"Imports {other} LLC",), is_person=False))
    firm = Subject(names=("Import Export LLC",), is_person=False)
    found = [m.alert_id for m in index.screen(firm)]
    assert sorted(found[:2]) == [ids["Import Export"], ids["Export Import"]]
    rare = Subject(names=("Zafirakis Imoprt LLC",), is_person=False)
    assert 1000 in [m.alert_id for m in index.screen(rare)]
    alert, presented = prepare("Zafirakis Import"), prepare("Zafirakis Imoprt")
    assert similarity(alert, presented) >= index.threshold


def test_cis_screening_words_without_a_skeleton_are_screened() -> None:
    """A lone "h" has an empty skeleton; runs and shared skeletons must not index into it."""
    assert similarity(prepare("H Ho Hung"), prepare("Ho H Hung")) == 1.0
    assert _hits("H Kh Hung", "Kh H Hung")
