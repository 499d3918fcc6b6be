"""Figures for the public pages, worked out here so that templates only draw them: a horizontal bar chart
(server-rendered SVG, readable without JavaScript) and amounts of money in words people use.

The chart's geometry is in the SVG's own units; the SVG scales to the page's width (viewBox). Each row
has its label on a line of its own above the bar, so that long names (in English, or in Chinese on a
phone) never collide with the bars.
"""

import dataclasses
import decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .compliance import format_yuan

# Units of the SVG's viewBox. Narrow on purpose: on a phone the chart scales down to about 330 pixels,
# and its 17-unit labels must stay readable there (compliance.css sets the font sizes).
WIDTH = 420
ROW_HEIGHT = 60
LABEL_BASELINE = 19  # the label's baseline, from the top of its row
BAR_TOP = 27
BAR_HEIGHT = 22
# Room to the right of the longest bar for its value ("¥145,000,000.00" at 15 units).
VALUE_ROOM = 140
VALUE_GAP = 6


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    value: decimal.Decimal
    value_text: str
    label_y: int
    bar_y: int
    bar_width: int
    value_x: int
    value_y: int


@dataclasses.dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT


def bar_chart(items: list[tuple[str, decimal.Decimal]]) -> BarChart:
    """A chart of `items` (label, value), in the order given; bars proportional to the largest value (a
    value of 0 gets no bar, only its figure)."""
    largest = max((value for _label, value in items), default=decimal.Decimal(0))
    room = WIDTH - VALUE_ROOM
    bars = []
    for index, (label, value) in enumerate(items):
        top = index * ROW_HEIGHT
        width = round(room * value / largest) if largest > 0 else 0
        if value > 0:
            width = max(width, 2)  # a small amount still shows
        bars.append(
            Bar(
                label=label,
                value=value,
                value_text=f"¥{format_yuan(value)}",
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
                bar_width=width,
                value_x=width + VALUE_GAP,
                value_y=top + BAR_TOP + BAR_HEIGHT - 6,
            )
        )
    return BarChart(bars=bars, width=WIDTH, height=max(len(items), 1) * ROW_HEIGHT)


HUNDRED_MILLION = decimal.Decimal(100_000_000)
TEN_THOUSAND = decimal.Decimal(10_000)
MILLION = decimal.Decimal(1_000_000)


def _trim(value: decimal.Decimal, places: int) -> str:
    """`value` rounded to `places` decimals, without trailing zeros, with thousands separators."""
    text = f"{value.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def yuan_words(value: decimal.Decimal | None) -> str:
    """An amount as a reader says it: "248.38 million yuan"; in Chinese "2.4838亿元" or "5,866万元"."""
    if value is None:
        return ""
    if (get_language() or "").startswith("zh"):
        if value >= HUNDRED_MILLION:
            return _("%(amount)s hundred million yuan") % {"amount": _trim(value / HUNDRED_MILLION, 4)}
        if value >= TEN_THOUSAND:
            return _("%(amount)s ten thousand yuan") % {"amount": _trim(value / TEN_THOUSAND, 2)}
        return _("%(amount)s yuan") % {"amount": format_yuan(value)}
    if value >= MILLION:
        return _("%(amount)s million yuan") % {"amount": _trim(value / MILLION, 2)}
    return _("%(amount)s yuan") % {"amount": format_yuan(value)}
