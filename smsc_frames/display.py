"""Small HTML pieces for Jupyter: escaped tables, CSS bar charts, banners.

Everything user-supplied (texts, names, phones, reasons) goes through :func:`html.escape` or
``DataFrame.to_html(escape=True)``: pandas' ``Styler`` would need jinja2, which smsc_frames does
not depend on, and no chart needs matplotlib.

Examples
--------
>>> money(1234.5), money(None)
('1,234.50', '—')
>>> "&lt;b&gt;" in banner_html("<b>not bold</b>")
True
"""

from __future__ import annotations

import html
from decimal import Decimal

import pandas as pd

BAR_COLOUR = "#4472c4"
BANNER_COLOURS = {
    "info": ("#e8f0fe", "#1a4fa0"),
    "warning": ("#fff4e5", "#8a4b00"),
    "error": ("#fdecea", "#a61b1b"),
    "success": ("#e6f4ea", "#1e6b34"),
}


def money(value: object) -> str:
    """*value* with thousands separators and two decimals; ``—`` when missing.

    Examples
    --------
    >>> money(Decimal("3456.7"))
    '3,456.70'
    """
    if value is None or (not isinstance(value, Decimal) and pd.isna(value)):
        return "—"
    return f"{Decimal(str(value)):,.2f}"


def banner_html(message: str, *, kind: str = "info") -> str:
    """A coloured box holding the escaped *message*.

    Examples
    --------
    >>> banner_html("Sandbox", kind="warning").startswith("<div")
    True
    """
    background, colour = BANNER_COLOURS[kind]
    return (
        f'<div class="smsc-banner smsc-{kind}" style="background:{background};color:{colour};'
        f'padding:8px 12px;border-radius:4px;margin:4px 0">{html.escape(message)}</div>'
    )


def table_html(frame: pd.DataFrame, *, max_rows: int = 20, index: bool = True) -> str:
    """*frame* as an escaped HTML table; ``Decimal`` cells with two decimals.

    Rows past *max_rows* are left out and counted in a note under the table.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["<script>"], "cost": [Decimal("1.5")]})
    >>> out = table_html(frame)
    >>> "&lt;script&gt;" in out, "<script>" in out, "1.50" in out
    (True, False, True)
    """
    shown = frame.head(max_rows)
    formatters = {
        column: money
        for column in shown.columns
        if any(isinstance(value, Decimal) for value in shown[column])
    }
    table = shown.to_html(
        escape=True, index=index, formatters=formatters, na_rep="", border=0, classes="smsc-table"
    )
    hidden = len(frame) - len(shown)
    note = f"<p><i>… and {hidden:,} more rows</i></p>" if hidden > 0 else ""
    return table + note


def bars_html(values: pd.Series, *, labels: pd.Series | None = None, width: int = 240) -> str:
    """A horizontal bar chart: one row per item of *values*, bar length proportional to it.

    Parameters
    ----------
    values : pandas.Series
        Non-negative numbers (``Decimal`` allowed), indexed by what each bar names.
    labels : pandas.Series, optional
        The text written after each bar (default: the value).
    width : int
        The longest bar, in pixels.

    Examples
    --------
    >>> chart = bars_html(pd.Series({"MTS": 3, "<Beeline>": 1}))
    >>> chart.count('class="smsc-bar"'), "&lt;Beeline&gt;" in chart
    (2, True)
    """
    numbers = pd.Series([float(value) for value in values], index=values.index)
    largest = numbers.max() if len(numbers) else 0
    labels = values if labels is None else labels
    rows = []
    for (name, number), label in zip(numbers.items(), labels):
        length = 0 if largest <= 0 else max(1, round(width * number / largest))
        rows.append(
            f'<tr><td style="text-align:right;padding-right:6px">{html.escape(str(name))}</td>'
            f'<td><div class="smsc-bar" style="background:{BAR_COLOUR};height:12px;'
            f'width:{length}px;display:inline-block"></div> {html.escape(str(label))}</td></tr>'
        )
    return '<table class="smsc-bars">' + "".join(rows) + "</table>"
