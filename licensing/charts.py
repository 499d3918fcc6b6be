"""Figures for the public pages, worked out here so that templates only draw them: a horizontal bar chart
(server-rendered SVG, readable without JavaScript). Amounts are written by compliance.format_yuan.

The chart's geometry is in the SVG's own units; the SVG scales to the page's width (viewBox). Each row
has its label above the bar, wrapped over as many lines as it needs, so that long names (in English, or
in Chinese on a phone) are never cut and never collide with the bars.
"""

import dataclasses
import decimal
import unicodedata

from .compliance import format_yuan

# Units of the SVG's viewBox. Narrow on purpose: on a phone the chart scales down to about 330 pixels,
# and its 17-unit labels must stay readable there (compliance.css sets the font sizes).
WIDTH = 420
LABEL_SIZE = 17  # the labels' font size (compliance.css)
LINE_HEIGHT = 21  # a label's lines, baseline to baseline
ROW_GAP = 11  # above each row's label
BAR_GAP = 8  # between a label's last baseline and its bar
BAR_HEIGHT = 22
# Room to the right of the longest bar for its value ("1,802,441,200 yuan" at 15 units).
VALUE_ROOM = 150
VALUE_GAP = 6


def _text_width(text: str) -> float:
    """The width of `text` in label units, by kind of character: a CJK character is a full em, Latin
    letters and digits about 0.6 of one (a bold sans-serif). An estimate, on the generous side."""
    return sum(LABEL_SIZE if unicodedata.east_asian_width(c) in "WF" else LABEL_SIZE * 0.6 for c in text)


def wrap_label(label: str, width: float = WIDTH) -> list[str]:
    """`label` in lines that fit `width`: broken at spaces where it has them, else between characters
    (Chinese has no spaces). A label is never cut short: it takes as many lines as it needs. A line broken
    at a space keeps it at its end (invisible there), so the label's text reads whole to a screen reader."""
    lines, line = [], ""
    tokens = label.split(" ") if " " in label else list(label)
    joiner = " " if " " in label else ""
    for token in tokens:
        candidate = f"{line}{joiner}{token}" if line else token
        if line and _text_width(candidate) > width:
            lines.append(line + joiner)
            line = token
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines or [""]


@dataclasses.dataclass(frozen=True)
class LabelLine:
    text: str
    y: int


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    lines: list[LabelLine]
    value: decimal.Decimal
    value_text: str
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

    @property
    def says_something(self) -> bool:
        """A chart compares: with fewer than two bars there is nothing to compare, and a sentence says
        more than a lone bar."""
        return len(self.bars) >= 2


def bar_chart(items: list[tuple[str, decimal.Decimal]]) -> BarChart:
    """A chart of `items` (label, value), in the order given; bars proportional to the largest value (a
    value of 0 gets no bar, only its figure). Each label takes the lines it needs above its bar."""
    largest = max((value for _label, value in items), default=decimal.Decimal(0))
    room = WIDTH - VALUE_ROOM
    bars = []
    top = 0
    for label, value in items:
        lines = [
            LabelLine(text, top + ROW_GAP + LABEL_SIZE + index * LINE_HEIGHT)
            for index, text in enumerate(wrap_label(label))
        ]
        bar_y = lines[-1].y + BAR_GAP
        width = round(room * value / largest) if largest > 0 else 0
        if value > 0:
            width = max(width, 2)  # a small amount still shows
        bars.append(
            Bar(
                label=label,
                lines=lines,
                value=value,
                value_text=format_yuan(value),
                bar_y=bar_y,
                bar_width=width,
                value_x=width + VALUE_GAP,
                value_y=bar_y + BAR_HEIGHT - 6,
            )
        )
        top = bar_y + BAR_HEIGHT
    return BarChart(bars=bars, width=WIDTH, height=max(top, BAR_HEIGHT) + 4)
