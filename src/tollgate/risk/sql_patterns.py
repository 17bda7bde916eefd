"""``matches`` patterns as each SQL engine must be given them to mean what RE2 means.

The language accepts RE2 syntax only, applied ignoring case and found anywhere in the
text (``language.compile_pattern``). DuckDB runs RE2 too, but an older release that does
not know ``(?<name>...)``; named groups are therefore rewritten as plain groups for both
engines (RE2 has no backreferences, so a group's name never changes what matches).

Spark runs ``java.util.regex``, which reads many of the same characters differently, so
the pattern is translated, not copied. Each construct becomes one whose Java meaning is
the RE2 meaning:

- ``^`` and ``$`` become ``\\A`` / ``\\z`` (or, under ``(?m)``, a look-around for ``\\n``):
  Java's ``$`` also matches before a final line break, and its multi-line ``^`` never
  matches after a final one; ``.`` becomes ``[^\\n]`` (RE2 stops only at ``\\n``, Java at
  any of six line terminators).
- ``\\b`` and ``\\B`` become look-arounds over ``[0-9A-Za-z_]`` (RE2's word characters are
  ASCII; Java 17's ``\\b`` counts every Unicode letter); ``\\s`` becomes ``[\\t\\n\\f\\r ]``
  (Java adds the vertical tab), ``\\v`` the vertical tab (Java: a class), POSIX classes
  ``[[:alpha:]]`` explicit ranges (Java reads a nested class), ``\\p{Greek}`` a Java script
  name ``\\p{IsGreek}``, literal ``{`` and every other literal character ``\\x{..}`` (Java
  rejects a ``{`` that is not a repetition, and reads ``[``, ``&&`` inside a class).
- Case is ignored Unicode-wide in both (``(?iu)`` for Java); ``U`` (ungreedy) is dropped,
  since greediness never changes *whether* a pattern is found, and Java's ``U`` means
  something else.

Where the two still differ, and the equivalence tests therefore stay out: case-insensitive
matching of the characters whose case mapping crosses into ASCII (``ſ``, Kelvin ``K``,
Turkish ``İ`` and ``ı``) and of case-folded Unicode properties (RE2 folds ``(?i)\\p{Lu}``
to every cased letter, and ``(?i)\\p{Greek}`` to the micro sign ``µ``); the Unicode
version of the two engines' tables; and ``\\C`` (one byte of UTF-8), which Java cannot
express and is refused.
"""

from __future__ import annotations

import re

__all__ = ["UnsupportedPattern", "duckdb_pattern", "java_pattern"]


class UnsupportedPattern(ValueError):
    """An RE2 pattern with no equivalent in the engine asked for."""


Ranges = tuple[tuple[int, int], ...]

_MAX = 0x10FFFF
_DIGIT: Ranges = ((0x30, 0x39),)
_WORD: Ranges = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE: Ranges = ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20))  # RE2's \s: no \v
_PERL = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
_POSIX: dict[str, Ranges] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": _DIGIT,
    "graph": ((0x21, 0x7E),),
    "lower": ((0x61, 0x7A),),
    "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),),
    "word": _WORD,
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}
_CONTROL = {"a": 0x07, "f": 0x0C, "t": 0x09, "n": 0x0A, "r": 0x0D, "v": 0x0B}
_CATEGORIES = frozenset(
    [
        "C",
        "Cc",
        "Cf",
        "Co",
        "Cs",
        "L",
        "Ll",
        "Lm",
        "Lo",
        "Lt",
        "Lu",
        "M",
        "Mc",
        "Me",
        "Mn",
        "N",
        "Nd",
        "Nl",
        "No",
        "P",
        "Pc",
        "Pd",
        "Pe",
        "Pf",
        "Pi",
        "Po",
        "Ps",
        "S",
        "Sc",
        "Sk",
        "Sm",
        "So",
        "Z",
        "Zl",
        "Zp",
        "Zs",
    ]
)
_WORDCLASS = "[0-9A-Za-z_]"
_BOUNDARY = f"(?-i:(?<={_WORDCLASS})(?!{_WORDCLASS})|(?<!{_WORDCLASS})(?={_WORDCLASS}))"
_NOT_BOUNDARY = f"(?-i:(?<={_WORDCLASS})(?={_WORDCLASS})|(?<!{_WORDCLASS})(?!{_WORDCLASS}))"

_NAMED_GROUP = re.compile(r"\(\?P?<\w+>")
_FLAG_GROUP = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")
_REPEAT = re.compile(r"\{\d+(?:,\d*)?\}")
_POSIX_ITEM = re.compile(r"\[:(\^?)([a-z]+):\]")
_HEX = re.compile(r"x(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))")
_PROPERTY = re.compile(r"[pP](?:\{(\^?)(\w+)\}|(\w))")


def duckdb_pattern(pattern: str) -> str:
    """The pattern for DuckDB's ``regexp_matches``: RE2 as written, named groups plain."""
    return _Translator(pattern, java=False).run()


def java_pattern(pattern: str) -> str:
    """The pattern for Spark's ``rlike`` (``java.util.regex``), meaning what RE2 means."""
    return "(?iu)" + _Translator(pattern, java=True).run()


def _char(cp: int) -> str:
    if 0x30 <= cp <= 0x39 or 0x41 <= cp <= 0x5A or 0x61 <= cp <= 0x7A:
        return chr(cp)
    return f"\\x{{{cp:X}}}"


def _ranges(ranges: Ranges) -> str:
    return "".join(_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in ranges)


def _complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in sorted(ranges):
        if lo > start:
            out.append((start, lo - 1))
        start = max(start, hi + 1)
    if start <= _MAX:
        out.append((start, _MAX))
    return tuple(out)


class _Translator:
    """One pass over a pattern RE2 has accepted (so well-formed), tracking the ``m`` and
    ``s`` flags per group, since they decide what ``^``, ``$`` and ``.`` become."""

    def __init__(self, pattern: str, *, java: bool) -> None:
        self.p = pattern
        self.i = 0
        self.java = java
        self.multiline = False
        self.dotall = False
        self.saved: list[tuple[bool, bool]] = []
        self.out: list[str] = []

    def run(self) -> str:
        while self.i < len(self.p):
            self._step()
        return "".join(self.out)

    def _emit(self, java: str, start: int) -> None:
        self.out.append(java if self.java else self.p[start : self.i])

    def _step(self) -> None:
        p, start = self.p, self.i
        c = p[start]
        self.i += 1
        if c == "\\":
            self._escape(start)
        elif c == "[":
            self._class(start)
        elif c == "(":
            self._open(start)
        elif c == ")":
            self.multiline, self.dotall = self.saved.pop()
            self._emit(")", start)
        elif c == "^":
            self._emit("(?:\\A|(?<=\\n))" if self.multiline else "(?:\\A)", start)
        elif c == "$":
            self._emit("(?=\\n|\\z)" if self.multiline else "(?:\\z)", start)
        elif c == ".":
            self._emit("(?s:.)" if self.dotall else "[^\\n]", start)
        elif c in "|*+?":
            self._emit(c, start)
        elif c == "{" and (repeat := _REPEAT.match(p, start)):
            self.i = repeat.end()
            self._emit(repeat.group(), start)
        else:
            self._emit(_char(ord(c)), start)

    def _open(self, start: int) -> None:
        p = self.p
        self.saved.append((self.multiline, self.dotall))
        named = _NAMED_GROUP.match(p, start)
        if named:
            self.i = named.end()
            self.out.append("(")
            return
        flags = _FLAG_GROUP.match(p, start)
        if not flags:
            self._emit("(", start)
            return
        self.i = flags.end()
        on, off, end = flags.group(1), flags.group(2) or "", flags.group(3)
        for letter in on + off:
            if letter == "m":
                self.multiline = letter in on
            elif letter == "s":
                self.dotall = letter in on
        if end == ")":  # (?flags) sets them until the enclosing group closes
            self.saved.pop()
        java_on, java_off = on.replace("U", ""), off.replace("U", "")
        if not java_on and not java_off:
            self._emit("" if end == ")" else "(?:", start)
        else:
            self._emit(f"(?{java_on}{'-' + java_off if java_off else ''}{end}", start)

    def _escape(self, start: int) -> None:
        p = self.p
        c = p[self.i]
        self.i += 1
        if c == "Q":
            end = p.find("\\E", self.i)
            text = p[self.i :] if end < 0 else p[self.i : end]
            self.i = len(p) if end < 0 else end + 2
            self._emit("".join(_char(ord(ch)) for ch in text), start)
        elif c in "dws":
            self._emit(f"[{_ranges(_PERL[c])}]", start)
        elif c in "DWS":
            self._emit(f"[^{_ranges(_PERL[c.lower()])}]", start)
        elif c == "b":
            self._emit(_BOUNDARY, start)
        elif c == "B":
            self._emit(_NOT_BOUNDARY, start)
        elif c == "A":
            self._emit("(?:\\A)", start)
        elif c == "z":
            self._emit("(?:\\z)", start)
        elif c == "C":
            if self.java:
                raise UnsupportedPattern("\\C (any byte) has no equivalent in Java regex")
            self._emit("", start)
        elif c in "pP":
            self.i -= 1
            self._emit(self._property(), start)
        else:
            self.i -= 1
            self._emit(_char(self._escaped_char()), start)

    def _escaped_char(self) -> int:
        """The character of an escape that stands for one (``\\x41``, ``\\101``, ``\\n``,
        ``\\.``), reading from just after the backslash."""
        p = self.p
        c = p[self.i]
        hexa = _HEX.match(p, self.i)
        if hexa:
            self.i = hexa.end()
            return int(hexa.group(1) or hexa.group(2), 16)
        self.i += 1
        if c in "01234567":  # RE2: up to three octal digits in all
            code = int(c)
            for _ in range(2):
                if self.i < len(p) and p[self.i] in "01234567":
                    code = code * 8 + int(p[self.i])
                    self.i += 1
                else:
                    break
            return code
        if c in _CONTROL:
            return _CONTROL[c]
        return ord(c)

    def _property(self) -> str:
        """``\\pL``, ``\\p{Greek}``, ``\\P{^Lu}`` ... as a Java class item."""
        prop = _PROPERTY.match(self.p, self.i)
        assert prop is not None, "RE2 accepted the pattern"
        self.i = prop.end()
        negated = (prop.group(0)[0] == "P") != (prop.group(1) == "^")
        name = prop.group(2) or prop.group(3)
        if name == "Any":
            return "[^\\x{0}-\\x{10FFFF}]" if negated else "[\\x{0}-\\x{10FFFF}]"
        java = name if name in _CATEGORIES else f"Is{name}"
        return f"\\{'P' if negated else 'p'}{{{java}}}"

    def _class(self, start: int) -> None:
        """A bracketed class, rebuilt item by item: RE2 reads ``[``, ``&&`` and a leading
        ``]`` inside a class as literals, Java does not."""
        p = self.p
        negated = p.startswith("^", self.i)
        self.i += negated
        items: list[str] = []
        first = True
        while not (p[self.i] == "]" and not first):
            first = False
            posix = _POSIX_ITEM.match(p, self.i)
            if posix:
                self.i = posix.end()
                ranges = _POSIX[posix.group(2)]
                items.append(_ranges(_complement(ranges) if posix.group(1) else ranges))
                continue
            item = self._class_item()
            if isinstance(item, str):
                items.append(item)
            elif p[self.i] == "-" and p[self.i + 1] != "]":
                self.i += 1
                high = self._class_item()
                assert isinstance(high, int), "RE2 accepted the pattern"
                items.append(_ranges(((item, high),)))
            else:
                items.append(_char(item))
        self.i += 1
        self._emit(f"[{'^' if negated else ''}{''.join(items)}]", start)

    def _class_item(self) -> int | str:
        """One character of a class, or a class of its own (``\\d``, ``\\pL``) as Java."""
        p = self.p
        c = p[self.i]
        self.i += 1
        if c != "\\":
            return ord(c)
        e = p[self.i]
        if e in "dws":
            self.i += 1
            return _ranges(_PERL[e])
        if e in "DWS":
            self.i += 1
            return _ranges(_complement(_PERL[e.lower()]))
        if e in "pP":
            return self._property()
        return self._escaped_char()
