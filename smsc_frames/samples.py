"""A few rendered messages to read before sending: the first rows and the longest one.

A template that renders a date as ``2025-03-01 00:00:00`` or a discount as ``0.2`` is seen here,
before money is spent. Used by the command line's preview and the notebook panel.

Examples
--------
>>> plan = pd.DataFrame({"phone": ["79161234567", "79031234567", "79261234567"],
...                      "text": ["Hi Anna", "Hi Boris", "Hi Vera, " + "x" * 200],
...                      "parts": [1, 1, 2], "sendable": [True, True, True]})
>>> sample_messages(plan, first=1)[["phone", "parts", "why"]].values.tolist()
[['79161234567', 1, 'first row'], ['79261234567', 2, 'longest']]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from smsc_frames.campaign import Quote

COLUMNS = ["phone", "text", "parts", "why"]


def sample_messages(
    plan: pd.DataFrame, first: int = 3, *, quote: Quote | None = None
) -> pd.DataFrame:
    """The first *first* sendable rows and the longest sendable message, as they will be sent.

    Parameters
    ----------
    plan : pandas.DataFrame
    first : int, default 3
    quote : Quote, optional
        Its ``sendable`` column is used instead of the plan's: rows of a request SMSC would
        refuse whole are not shown as messages that will be sent.

    Returns
    -------
    pandas.DataFrame
        On the plan's index: ``phone``, ``text``, ``parts``, ``why`` (``first row`` or
        ``longest``); empty when nothing is sendable.
    """
    chosen = plan["sendable"] if quote is None else quote.table["sendable"]
    sendable = plan[chosen.astype(bool).to_numpy()]
    if sendable.empty:
        return pd.DataFrame(columns=COLUMNS)
    shown = sendable.head(first).assign(why="first row")
    lengths = sendable["text"].str.len()
    longest = (
        sendable.assign(_length=lengths)
        .sort_values(["parts", "_length"], ascending=False, kind="stable")
        .index[0]
    )
    if longest not in shown.index:
        shown = pd.concat([shown, sendable.loc[[longest]].assign(why="longest")])
    return shown[COLUMNS]


def describe_samples(samples: pd.DataFrame) -> str:
    """The samples as lines of text for a terminal.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567"], "text": ["Hi Anna"], "parts": [1],
    ...                      "sendable": [True]})
    >>> print(describe_samples(sample_messages(plan)))
    Sample messages (as they will be sent):
      row 0, 79161234567, 1 part (first row): Hi Anna
    >>> print(describe_samples(sample_messages(plan.assign(sendable=False))))
    Sample messages: none, no row would be sent.
    """
    if samples.empty:
        return "Sample messages: none, no row would be sent."
    lines = ["Sample messages (as they will be sent):"]
    for label, row in samples.iterrows():
        parts = f"{row['parts']} part" + ("s" if row["parts"] != 1 else "")
        lines.append(f"  row {label}, {row['phone']}, {parts} ({row['why']}): {row['text']}")
    return "\n".join(lines)
