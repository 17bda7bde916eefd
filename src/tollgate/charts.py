"""What every offline HTML report shares: charts as inline SVG and the number formats.

Reports (monitoring, scoring evaluations, trade-flow surveillance) are single files a
coordinator can mail, which must open anywhere, offline and years later. So their charts
are rendered here on the server from Vega-Lite specs (``vl-convert``, which bundles Vega
and runs it without a browser) into SVG with no script and no namespace URIs (an HTML
parser does not need them), and a reader scanning the file for "http" finds nothing.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2
import vl_convert as vlc
from markupsafe import Markup

__all__ = ["VEGA_LITE", "count", "decimal", "environment", "eur", "pct", "svg"]

#: The Vega-Lite version the charts are written for; pinned so that an upgrade of
#: ``vl-convert`` (which bundles several) cannot silently change how they look.
VEGA_LITE = "6.4"

_CONFIG: dict[str, Any] = {
    "background": "white",
    "font": "sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
    "title": {"fontSize": 12, "anchor": "start"},
}

# Namespace URIs are identifiers, never fetched, but a reader scanning the file for
# "http" should find nothing: inline SVG in HTML needs no xmlns declarations.
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def svg(spec: dict[str, Any]) -> Markup:
    """Render a Vega-Lite spec to inline SVG. ``allowed_base_urls=[]`` forbids Vega to
    load anything: the data are always inline, and a report must not fetch."""
    drawn = vlc.vegalite_to_svg(
        {**spec, "config": _CONFIG}, vl_version=VEGA_LITE, allowed_base_urls=[]
    )
    drawn = _XMLNS.sub("", drawn, count=2)
    if not drawn.startswith("<svg") or "<script" in drawn.lower():  # pragma: no cover
        raise ValueError("vl-convert returned something other than a plain SVG chart")
    return Markup(drawn)  # noqa: S704 -- Vega's own output; it escapes the data it draws


def count(value: Any) -> str:
    return "n/a" if value is None else f"{value:,}"


def pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def decimal(value: Any, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def eur(value: Any) -> str:
    return "n/a" if value is None else f"EUR {value:,.2f}"


def environment(package: str) -> jinja2.Environment:
    """The templates of ``package``'s ``templates`` folder, with the number formats as
    filters. Everything is autoescaped (the data hold filer names and analysts' words),
    and an undefined name fails, so that a renamed figure breaks the tests rather than
    printing an empty cell. Callers cache it and add their own filters once."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(count=count, pct=pct, decimal=decimal, eur=eur)
    return env
