"""How sure a shift is: the G-test of independence with Williams' correction, its p-value
from the chi-square distribution, and Benjamini–Hochberg q-values over every code tested.

Surveillance tests hundreds of codes at once and many of them have a few dozen
declarations, so the test must behave on small counts (Williams' correction shrinks G
where the table is sparse; the caller pools parts with very few declarations) and the
list must not fill with chance results (q-values bound the share of false findings among
those reported). The p-value is kept as its logarithm: a real shift of thousands of
declarations has a p-value far below the smallest float, and the ranking still has to
tell two such shifts apart.

Written here rather than taken from SciPy: ``scipy.stats.chi2.logsf`` takes the log of
the survival function after computing it, so it is -inf beyond about 1e-308 (G = 5,000
with 4 degrees of freedom already), where the ranking needs the logarithm itself. The
regularised upper incomplete gamma function is the textbook series and continued
fraction, kept in log space, and the tests check it against closed forms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["benjamini_hochberg", "chi2_log_sf", "g_test"]

_EPSILON = 1e-15
_TINY = 1e-300
_MAX_TERMS = 10_000


def chi2_log_sf(statistic: float, df: int) -> float:
    """The natural logarithm of P(X >= ``statistic``) for X chi-square with ``df``
    degrees of freedom."""
    if df < 1:
        raise ValueError("a chi-square distribution needs at least one degree of freedom")
    if statistic <= 0:
        return 0.0
    return _log_upper_gamma(df / 2, statistic / 2)


def _log_upper_gamma(a: float, x: float) -> float:
    """log Q(a, x), the regularised upper incomplete gamma function."""
    prefix = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        # below the mode the series for the lower part P converges fast; Q = 1 - P is
        # not small there, so nothing is lost by subtracting
        term = total = 1 / a
        n = a
        for _ in range(_MAX_TERMS):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * _EPSILON:
                break
        lower = math.exp(prefix + math.log(total))
        if lower < 0.9:
            return math.log1p(-lower)
    # above it (or where P is near 1), Q's continued fraction (modified Lentz), which
    # stays in log space and so never reaches log 0
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPSILON:
            break
    return prefix + math.log(h)


def g_test(table: Sequence[Sequence[float]]) -> tuple[float, int, float]:
    """The G-test of independence of a table of counts (rows: the parts, e.g. origins;
    columns: the windows). Returns (G with Williams' correction, degrees of freedom, log
    p-value). Rows and columns without any count carry no information and are dropped."""
    rows = [list(r) for r in table if sum(r) > 0]
    if not rows:
        return 0.0, 0, 0.0
    width = len(rows[0])
    columns = [sum(r[j] for r in rows) for j in range(width)]
    keep = [j for j in range(width) if columns[j] > 0]
    rows = [[r[j] for j in keep] for r in rows]
    columns = [columns[j] for j in keep]
    if len(rows) < 2 or len(columns) < 2:
        return 0.0, 0, 0.0
    totals = [sum(r) for r in rows]
    n = sum(totals)
    g = 0.0
    for r, row_total in zip(rows, totals, strict=True):
        for observed, column_total in zip(r, columns, strict=True):
            if observed > 0:
                g += observed * math.log(observed * n / (row_total * column_total))
    g *= 2
    df = (len(rows) - 1) * (len(columns) - 1)
    # Williams (1976): divides G by a factor just above 1 that grows as the table thins
    q = 1 + (n * sum(1 / t for t in totals) - 1) * (n * sum(1 / c for c in columns) - 1) / (
        6 * n * df
    )
    g = max(g / q, 0.0)
    return g, df, chi2_log_sf(g, df)


def benjamini_hochberg(log_p: Sequence[float]) -> list[float]:
    """The q-value of each test (in the order given): the smallest false-discovery rate
    at which it would be reported among all of them."""
    m = len(log_p)
    order = sorted(range(m), key=lambda i: log_p[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, math.exp(log_p[i]) * m / rank)
        q[i] = running
    return q
