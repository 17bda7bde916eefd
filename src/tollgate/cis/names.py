"""Names as the CIS compares them: one spelling for the many a name arrives in.

Declarations and alerts write the same person in different scripts, with or without
diacritics, in different word orders. ``normalise`` maps all of them to one Latin,
lower-case, punctuation-free form; fuzzy matching then only has to absorb typos and
transliteration variants.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Transliterated to ASCII, case-folded, punctuation as single spaces."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).casefold()
    return _NON_WORD.sub(" ", ascii_text).strip()
