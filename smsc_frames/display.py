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

import numpy as np
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


TABLE_CSS = """<style>
.smsc-table{border-collapse:collapse;margin:4px 0 8px 0;font-size:13px;color:inherit}
.smsc-table th,.smsc-table td{padding:3px 10px;text-align:left;vertical-align:top;
border-bottom:1px solid var(--jp-border-color2,#ddd);white-space:nowrap}
.smsc-table th{font-weight:600;background:var(--jp-layout-color2,#f3f3f3);
border-bottom:1px solid var(--jp-border-color1,#bbb)}
.smsc-table th.smsc-num,.smsc-table td.smsc-num{text-align:right;
font-variant-numeric:tabular-nums}
.smsc-table td.smsc-wrap{white-space:normal;min-width:240px;max-width:640px}
</style>"""
"""The tables' style: one rule per alignment (numbers right, text left, headers like their
column), colours from JupyterLab's theme variables so the light and the dark theme both read."""


def _is_number_column(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    present = [value for value in values if not _missing(value)]
    return bool(present) and all(
        isinstance(value, (int, float, Decimal, np.number)) and not isinstance(value, bool)
        for value in present
    )


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell(value: object) -> str:
    """One cell as text: money with two decimals, integers with separators, missing empty."""
    if value is None or _missing(value):
        return ""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{value:,.2f}"
    return str(value)


def table_html(
    frame: pd.DataFrame, *, max_rows: int = 20, index: bool = True, wrap: tuple[str, ...] = ()
) -> str:
    """*frame* as an escaped, styled HTML table; ``Decimal`` cells with two decimals.

    The index becomes the first column (its name on the header row, not on a row of its
    own); number columns are right-aligned under right-aligned headers, text left-aligned;
    missing values are empty cells (never ``NaN``). Columns named in *wrap* may wrap (long
    texts). Rows past *max_rows* are left out and counted in a note under the table.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["<script>"], "cost": [Decimal("1234.5")]},
    ...                      index=pd.Index([7], name="row"))
    >>> out = table_html(frame)
    >>> "&lt;script&gt;" in out, "<script>" in out, "1,234.50" in out
    (True, False, True)
    >>> '<th class="smsc-num">row</th>' in out, out.count("<tr>")
    (True, 2)
    """
    shown = frame.head(max_rows)
    if index:
        names = [name if name is not None else "" for name in shown.index.names]
        shown = shown.reset_index(names=names if len(names) > 1 else names[0] or " ")
    head, rows = [], []
    classes = []
    for position, name in enumerate(shown.columns):
        kind = []
        if _is_number_column(shown.iloc[:, position]):
            kind.append("smsc-num")
        if str(name) in wrap:
            kind.append("smsc-wrap")
        classes.append(f' class="{" ".join(kind)}"' if kind else "")
        head.append(f"<th{classes[-1]}>{html.escape(str(name).strip())}</th>")
    for values in shown.itertuples(index=False, name=None):
        cells = "".join(
            f"<td{kind}>{html.escape(_cell(value))}</td>" for value, kind in zip(values, classes)
        )
        rows.append(f"<tr>{cells}</tr>")
    table = (
        f'{TABLE_CSS}<table class="smsc-table"><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
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
