"""Per-request values spread over plan rows: the joins shared by quotes and results.

SMSC answers per request (``cnt``, ``cost``) and per (request, phone) (``op=1`` rows, statuses);
a plan has rows. These helpers key both sides together once and take arrays, never a lookup
per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from smsc_frames.records import FAILED_AT_SEND
from smsc_frames.responses import phones_frame


def per_phone(op_rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> pd.DataFrame:
    """The ``op=1`` rows of several requests as one frame, with a ``payload_id`` column.

    The raw lists are concatenated first and converted in one vectorised pass.

    Examples
    --------
    >>> frame = per_phone({"c-1": [{"phone": "79161234567", "mccmnc": "25001",
    ...                             "cost": "1.70", "status": "", "error": ""}]})
    >>> frame[["payload_id", "phone", "mccmnc"]].values.tolist()
    [['c-1', '79161234567', '25001']]
    """
    lists = list(op_rows.values())
    frame = phones_frame([row for rows in lists for row in rows])
    payload_ids = np.repeat(np.array(list(op_rows), dtype=object), [len(rows) for rows in lists])
    frame.insert(0, "payload_id", pd.Series(payload_ids, index=frame.index, dtype=object))
    return frame


def _pair_keys(rows: pd.DataFrame, answers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One integer per distinct (``payload_id``, ``phone``) pair, for *rows* and *answers*.

    Both sides are factorized together, so equal pairs get equal keys; missing values get their
    own.
    """

    def both(column: str) -> np.ndarray:
        return np.concatenate(
            [rows[column].to_numpy(dtype=object), answers[column].to_numpy(dtype=object)]
        )

    request, _ = pd.factorize(both("payload_id"), use_na_sentinel=True)
    phone, phones = pd.factorize(both("phone"), use_na_sentinel=True)
    keys = request.astype(np.int64) * (len(phones) + 1) + (phone + 1)
    return keys[: len(rows)], keys[len(rows) :]


def per_row(rows: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """*answers* values (keyed by ``payload_id`` and ``phone``) on the index of *rows*.

    The first answer row of each (payload id, phone) pair counts; rows that no answer names get
    missing values. Both sides are keyed together (a hash join, no sort).

    Examples
    --------
    >>> rows = pd.DataFrame({"payload_id": ["c-1", "c-1"], "phone": ["7916", "7903"]},
    ...                     index=[10, 11])
    >>> answers = pd.DataFrame({"payload_id": ["c-1"], "phone": ["7903"], "status": [22]})
    >>> per_row(rows, answers)["status"].tolist()
    [nan, 22.0]
    """
    values = answers.drop(columns=["payload_id", "phone"])
    position = np.full(len(rows), -1)
    if len(answers):
        row_keys, answer_keys = _pair_keys(rows, answers)
        first = ~pd.Index(answer_keys).duplicated()
        position = pd.Index(answer_keys[first]).get_indexer(row_keys)
        values = values[first].reset_index(drop=True)
    found = values.reindex(position)
    found.index = rows.index
    return found


def price_groups(
    payload_id: pd.Series,
    cost: pd.Series,
    group_rows: pd.Series,
    carried: pd.Series,
    totals: Mapping[str, Decimal | None],
) -> pd.Series:
    """*cost* with each ``G<n>`` group row given its request's total (*totals*) less the other
    *carried* rows' costs, when the request holds one group (SMSC's ``op=1`` lists the members'
    numbers, never the group); the group rows of other requests keep their (missing) cost.

    Examples
    --------
    >>> ids = pd.Series(["c-1", "c-1", "c-2"])
    >>> cost = pd.Series([Decimal("5.45"), None, None], dtype=object)
    >>> price_groups(ids, cost, pd.Series([False, True, True]), pd.Series([True] * 3),
    ...              {"c-1": Decimal("16.15"), "c-2": None}).tolist()
    [Decimal('5.45'), Decimal('10.70'), None]
    """
    cost = cost.astype(object).copy()
    per_request = payload_id[group_rows].value_counts()
    for pid in per_request.index[per_request == 1]:
        total = totals.get(pid)
        if total is None:
            continue
        in_request = payload_id == pid
        others = cost[carried & in_request & ~group_rows]
        known = sum((c for c in others if c is not None and pd.notna(c)), Decimal(0))
        cost[group_rows & in_request] = total - known
    return cost


def plan_problems(plan: pd.DataFrame) -> pd.Series:
    """Why each plan row will not be sent (``None`` for sendable rows)."""
    problem = plan["problem"].astype(object).where(plan["problem"].notna(), None)
    duplicate = plan["duplicate_of"].notna() & problem.isna()
    problem[duplicate] = "duplicate of row " + plan.loc[duplicate, "duplicate_of"].astype(str)
    return problem


class RowRequests:
    """Per-request values spread over the plan rows each request carries.

    The rows' payload ids are factorized once, so each spread is an array take rather than a
    dictionary lookup per row.

    Examples
    --------
    >>> spread = RowRequests(pd.Series(["c-1", None, "c-2"]))
    >>> spread.spread({"c-1": True}, False).tolist()
    [True, False, False]
    """

    def __init__(self, payload_id: pd.Series) -> None:
        self.codes, self.ids = pd.factorize(payload_id)  # code -1: the row has no request
        self.index = payload_id.index

    def spread(self, values: Mapping[str, Any], missing: Any = None) -> np.ndarray:
        """``values[payload id]`` of every row; *missing* where the row has no request or value.

        A bool *missing* gives a bool array, anything else an object array.
        """
        table = np.empty(len(self.ids) + 1, dtype=bool if isinstance(missing, bool) else object)
        for position, pid in enumerate(self.ids):
            table[position] = values.get(pid, missing)
        table[-1] = missing  # what code -1 takes
        return table[self.codes]

    def spread_dates(self, stamps: Mapping[str, str | None]) -> pd.Series:
        """ISO timestamps per request as UTC datetimes of every row (each parsed once)."""
        texts = pd.Series([*(stamps.get(pid) for pid in self.ids), None], dtype=object)
        dates = pd.to_datetime(texts, utc=True, format="ISO8601")
        return pd.Series(dates.array.take(self.codes), index=self.index)


def refused_numbers(status: pd.Series, error: pd.Series) -> pd.Series:
    """Rows whose ``op=1`` status or error says SMSC refused the number.

    :func:`smsc_frames.records.refused_at_send` over columns: a failure status
    (:data:`~smsc_frames.records.FAILED_AT_SEND`) or a non-zero error code; an empty, -1, 0 or
    1 status is an accepted number.

    Examples
    --------
    >>> status = pd.Series([None, -1, 0, 22, None], dtype="Int64")
    >>> error = pd.Series([None, None, None, 249, 7], dtype="Int64")
    >>> refused_numbers(status, error).tolist()
    [False, False, False, True, True]
    """
    failed = status.isin(list(FAILED_AT_SEND)).fillna(False).astype(bool)
    erred = error.fillna(0).ne(0).astype(bool)
    return failed | erred
