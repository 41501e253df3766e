"""The plan's rows as the journal keeps them, and back: results can be written from a journal.

A journal records each plan row once (index label, phone, parts, whether it is sendable and
why not, which request carries it), never its text, so ``smsc-frames results JOURNAL`` and
:func:`~smsc_frames.campaign.results_from_journal` rebuild the results after a crash or a
results file that could not be written, without the contact file.

Examples
--------
>>> plan = pd.DataFrame({"phone": ["79161234567", None], "phone_input": ["8 916 123-45-67", "x"],
...                      "parts": [1, 1], "sendable": [True, False], "problem": [None, "letters"],
...                      "duplicate_of": [None, None]}, index=["a", ("b", 2)])
>>> carriers = pd.DataFrame({"payload_id": ["c-1", None], "phone": plan["phone"]}, plan.index)
>>> back, back_carriers = plan_from_rows(list(to_rows(plan, carriers)))
>>> back.index.tolist(), back["problem"].tolist(), back_carriers["payload_id"].tolist()
(['a', ('b', 2)], [None, 'letters'], ['c-1', None])
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pandas as pd

from smsc_frames.journal import PlanRow


def _label_json(label: object) -> str:
    """An index label as JSON (tuples as lists, numpy scalars as Python); else its ``str``."""
    if isinstance(label, np.generic):
        label = label.item()
    try:
        return json.dumps(label)
    except TypeError:
        return json.dumps(str(label))


def _label(text: str) -> object:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


def _text_or_none(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def to_rows(plan: pd.DataFrame, carriers: pd.DataFrame) -> Iterator[PlanRow]:
    """:class:`~smsc_frames.journal.PlanRow` of every plan row (*carriers*: ``payload_id``)."""
    inputs = plan["phone_input"] if "phone_input" in plan else plan["phone"]
    duplicate_of = plan["duplicate_of"].astype(object)
    for position, (label, payload_id, phone, phone_input, parts, sendable, problem, dup) in (
        enumerate(zip(plan.index, carriers["payload_id"].astype(object), plan["phone"],
                      inputs, plan["parts"], plan["sendable"], plan["problem"], duplicate_of))
    ):  # fmt: skip
        yield PlanRow(
            position,
            _label_json(label),
            _text_or_none(payload_id),
            _text_or_none(phone),
            _text_or_none(phone_input),
            None if pd.isna(parts) else int(parts),
            int(bool(sendable)),
            _text_or_none(problem),
            None
            if dup is None or (not isinstance(dup, tuple) and pd.isna(dup))
            else _label_json(dup),
        )


def plan_from_rows(rows: list[PlanRow]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A plan (without texts) and its carriers frame, from a journal's rows."""
    index = pd.Index([_label(row.label) for row in rows], tupleize_cols=False)
    plan = pd.DataFrame(
        {
            "phone": pd.Series([row.phone for row in rows], dtype=object),
            "phone_input": pd.Series([row.phone_input for row in rows], dtype=object),
            "parts": pd.Series([row.parts for row in rows], dtype="Int64"),
            "sendable": pd.Series([bool(row.sendable) for row in rows], dtype=bool),
            "problem": pd.Series([row.problem for row in rows], dtype=object),
            "duplicate_of": pd.Series(
                [None if row.duplicate_of is None else _label(row.duplicate_of) for row in rows],
                dtype=object,
            ),
        }
    )
    plan.index = index
    carriers = pd.DataFrame(
        {
            "payload_id": pd.Series([row.payload_id for row in rows], dtype=object, index=index),
            "phone": plan["phone"],
        },
        index=index,
    )
    return plan, carriers
