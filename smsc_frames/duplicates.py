"""Duplicates: a number is sent once (by default), or once per text and sender, or every row.

Examples
--------
>>> plan = pd.DataFrame({"phone": ["79161234567"] * 2, "text": ["Hi", "Hi"],
...                      "sender": [None, None], "problem": [None, None]})
>>> mark_duplicates(plan)["duplicate_of"].tolist()
[None, 0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smsc_frames.objectcodes import combine_codes, first_positions
from smsc_frames.sorting import stable_argsort

__all__ = ["find_duplicates", "mark_duplicates"]


def mark_duplicates(plan: pd.DataFrame) -> pd.DataFrame:
    """``duplicate_of`` and ``sendable`` recomputed from a plan's columns, with prepare's rule.

    Among the rows without a ``problem``, a row repeating an earlier row's phone (the plan's
    ``attrs["duplicates"]`` rule: ``"phone"``, the default; ``"phone+text"``: its ``(phone,
    text, sender)``; ``"keep"``: none) gets ``duplicate_of`` = the label of the first such
    row; ``sendable`` is true for the rows with neither. Use it after changing texts (under
    ``"phone+text"``, texts that became equal for the same phone and sender become
    duplicates).

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan: columns ``phone``, ``text``, ``sender``, ``problem`` at least.

    Returns
    -------
    pandas.DataFrame
        A new plan, same index, columns and ``attrs``; only ``duplicate_of`` and
        ``sendable`` differ.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567"] * 3, "text": ["Hi", "Bye", "Hi"],
    ...                      "sender": [None] * 3, "problem": [None] * 3}, index=[10, 11, 12])
    >>> plan.attrs["duplicates"] = "phone+text"
    >>> mark_duplicates(plan)[["duplicate_of", "sendable"]]
       duplicate_of  sendable
    10         None      True
    11         None      True
    12           10     False
    """
    rule = plan.attrs.get("duplicates", "phone")
    clean = plan["problem"].isna().to_numpy()
    if rule == "keep":
        duplicate_of = np.full(len(plan), None, dtype=object)
        is_duplicate = np.zeros(len(plan), dtype=bool)
    else:
        ignored = np.zeros(len(plan), dtype=np.int64)
        text_codes, sender_codes = ignored, ignored
        if rule == "phone+text":
            text_codes = pd.factorize(plan["text"].to_numpy(dtype=object), use_na_sentinel=False)[0]
            sender_codes = pd.factorize(
                plan["sender"].to_numpy(dtype=object), use_na_sentinel=False
            )[0]
        phone_codes = pd.factorize(plan["phone"].to_numpy(dtype=object), use_na_sentinel=False)[0]
        duplicate_of, is_duplicate = find_duplicates(
            plan.index, phone_codes, text_codes, sender_codes, clean
        )
    return plan.assign(
        duplicate_of=pd.Series(duplicate_of, index=plan.index, dtype=object),
        sendable=pd.Series(clean & ~is_duplicate, index=plan.index),
    )


def _occurs_more_than_once(keys: np.ndarray) -> np.ndarray:
    """Which *keys* occur more than once: one stable radix sort, equal neighbours.

    Examples
    --------
    >>> _occurs_more_than_once(np.array([5, 79161234567, 5, 2])).tolist()
    [True, False, True, False]
    """
    order = stable_argsort(keys)
    ranked = keys[order]
    same = ranked[1:] == ranked[:-1]
    repeated = np.zeros(len(keys), dtype=bool)
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    return repeated


def find_duplicates(
    index: pd.Index,
    phone_codes: np.ndarray,
    text_codes: np.ndarray,
    sender_codes: np.ndarray,
    candidates: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate row repeating an earlier candidate's (phone, text, sender): its label
    (``None`` elsewhere); and which rows those are (a label may itself be ``None``).

    The codes must be ``>= 0``: *phone_codes* are integers equal exactly where the phones
    are (the candidates' phone keys, or codes). Only rows whose phone occurs more than once
    are looked at; their tuples are coded, and each code's first row found by
    :func:`~smsc_frames.objectcodes.first_positions`.
    """
    rows = np.flatnonzero(candidates)
    rows = rows[_occurs_more_than_once(phone_codes[rows])]  # only they can repeat a row
    key = combine_codes([phone_codes[rows], text_codes[rows], sender_codes[rows]], len(rows))
    first = first_positions(key, int(key.max(initial=-1)) + 1)
    repeated = first[key] != np.arange(len(rows))
    duplicate_of = np.full(len(index), None, dtype=object)
    is_duplicate = np.zeros(len(index), dtype=bool)
    if repeated.any():
        originals = rows[first[key[repeated]]]
        duplicate_of[rows[repeated]] = index[originals].to_numpy(dtype=object)
        is_duplicate[rows[repeated]] = True
    return duplicate_of, is_duplicate
