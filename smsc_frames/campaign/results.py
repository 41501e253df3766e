"""The per-row results of a campaign, rebuilt from the journal's records alone, and a summary.

Examples
--------
>>> from decimal import Decimal
>>> results = pd.DataFrame({
...     "parts": [1, 2, 1], "cost": [Decimal("1.70"), Decimal("3.40"), None],
...     "outcome": pd.Categorical(["sent", "sent", "invalid"], categories=OUTCOMES),
...     "reason": [None, None, "too short"]})
>>> summary = summarize(results)
>>> summary.loc["sent"].to_dict()["cost"], int(summary.loc["sent", "parts"])
(Decimal('5.10'), 3)
>>> summary.loc["invalid", "note"], int(summary.loc["unknown", "recipients"])
('too short', 0)
"""

from __future__ import annotations

import os
from decimal import Decimal

import numpy as np
import pandas as pd

from smsc_frames.campaign.dispatch import to_send
from smsc_frames.campaign.planrows import plan_from_rows
from smsc_frames.campaign.reconcile import OPEN_STATES
from smsc_frames.campaign.rows import (
    RowRequests,
    per_phone,
    per_row,
    plan_problems,
    price_groups,
    refused_numbers,
)
from smsc_frames.errors import ValidationError, refusal_reason
from smsc_frames.journal import Journal, JournalEntry
from smsc_frames.recipients import is_group
from smsc_frames.records import (
    FAILED_AT_SEND,
    NOT_SENT_ERRORS,
    REFUSED_STATUSES,
    Accepted,
    Reconciled,
    Refused,
)
from smsc_frames.responses import status_names
from smsc_frames.sandboxmark import SANDBOX_REASON, from_sandbox

OUTCOMES = ("sent", "not sent", "unknown", "duplicate", "invalid")
"""What happened to each plan row, in the order :func:`summarize` lists them."""

WAITING = -1
"""SMSC's status "waiting to be sent": what ``send`` reports for an accepted number."""


def request_reasons(entries: list[JournalEntry], stop_reason: str | None) -> dict[str, str]:
    """Why each request's rows were not (or not surely) sent, by payload id."""
    reasons = {}
    for entry in entries:
        record = entry.record
        if entry.state in OPEN_STATES:
            reasons[entry.payload_id] = (
                "answer lost and not yet confirmed through status.php; run the same send with "
                "the journal to settle it (nothing is re-sent blindly)"
            )
        elif isinstance(record, Refused) and record.for_lack_of_money:
            reasons[entry.payload_id] = (
                "insufficient funds (SMSC error 3): top up and run the same send with the journal"
            )
        elif isinstance(record, Refused):
            reasons[entry.payload_id] = refusal_reason(record.code, record.message)
        elif entry.state == "planned":
            reasons[entry.payload_id] = (
                f"not posted: campaign stopped ({stop_reason})"
                if stop_reason
                else "not posted yet; run the same send with the journal"
            )
    return reasons


def _reconciled_frame(entries: list[JournalEntry]) -> pd.DataFrame:
    """(payload_id, phone, status, err, cost) of every recipient a reconciliation reported."""
    records = [
        (entry.payload_id, status.phone, status.status, status.err, status.cost)
        for entry in entries
        if entry.state == "accepted" and isinstance(entry.record, Reconciled)
        for status in entry.record.statuses
    ]
    frame = pd.DataFrame(records, columns=["payload_id", "phone", "status", "err", "cost"])
    return frame.astype(
        {"payload_id": object, "phone": object, "status": "Int64", "err": "Int64", "cost": object}
    )


def campaign_results(
    plan: pd.DataFrame,
    rows: pd.DataFrame,
    entries: list[JournalEntry],
    *,
    sandbox: bool,
    stop_reason: str | None,
) -> pd.DataFrame:
    """The per-row results of a campaign, from its journal records.

    *rows* says which request carries each plan row (``payload_id``, ``phone``: what
    :func:`~smsc_frames.payloads.recipient_rows` gives).
    """
    by_id = {entry.payload_id: entry for entry in entries}
    answered = {
        pid: e.record for pid, e in by_id.items()
        if e.state == "accepted" and isinstance(e.record, Accepted)
    }  # fmt: skip
    reconciled = {
        pid: e.record for pid, e in by_id.items()
        if e.state == "accepted" and isinstance(e.record, Reconciled)
    }  # fmt: skip
    sandbox = (
        sandbox
        or any(record.sandbox for record in answered.values())
        or any(record.sandbox for record in reconciled.values())
    )

    payload_id = rows["payload_id"].reindex(plan.index)
    request = RowRequests(payload_id)
    is_accepted = request.spread({pid: e.state == "accepted" for pid, e in by_id.items()}, False)
    is_open = request.spread({pid: e.state in OPEN_STATES for pid, e in by_id.items()}, False)
    op_rows = {pid: record.phones for pid, record in answered.items()}
    answer = per_row(rows, per_phone(op_rows)).reindex(plan.index)
    found = per_row(rows, _reconciled_frame(entries)).reindex(plan.index)
    by_reconcile = request.spread({pid: True for pid in reconciled}, False)
    # found on SMSC before this journal ever posted it: another run or journal sent it
    found_earlier = request.spread({pid: by_id[pid].attempts == 0 for pid in reconciled}, False)

    results = pd.DataFrame(index=plan.index)
    results["phone"] = plan["phone"]
    results["sms_id"] = payload_id.where(is_accepted | is_open)
    results["mccmnc"] = answer["mccmnc"]
    results["parts"] = plan["parts"]
    cost = answer["cost"].astype(object).where(answer["cost"].notna(), None)
    cost[by_reconcile] = found["cost"][by_reconcile]
    results["cost"] = cost.where(cost.notna(), None)

    status = answer["status"].astype("Int64")
    error = answer["error"].astype("Int64")
    refused = pd.Series(is_accepted, index=plan.index) & refused_numbers(status, error)
    # An accepted number's op=1 status is empty, -1, 0 or 1 depending on how SMSC reads its own
    # page: it is reported as "waiting" (-1) below, whatever the reading; refresh_status tells.
    status = status.where(refused)
    error = error.where(refused)
    status = status.where(~pd.Series(by_reconcile, index=plan.index), found["status"])
    error = error.where(~pd.Series(by_reconcile, index=plan.index), found["err"])
    found_refused = (
        (
            found["status"].isin(list(REFUSED_STATUSES))
            | (
                found["status"].isin(list(FAILED_AT_SEND))
                & found["err"].isin(list(NOT_SENT_ERRORS))
            )
        )
        .fillna(False)
        .astype(bool)
    )
    group = is_group(plan["phone"])  # SMSC never reports G<n> itself: -3 proves nothing
    found_refused &= ~group
    status = status.mask(group & pd.Series(by_reconcile, index=plan.index))
    refused |= found_refused
    not_reported = pd.Series(by_reconcile, index=plan.index) & found["status"].isna()
    waiting = is_accepted & ~refused.to_numpy() & ~not_reported.to_numpy() & status.isna()
    status[waiting] = WAITING
    results["status"] = status.astype("Int64")
    results["status_name"] = status_names(results["status"])
    results["error"] = error.astype("Int64")
    posted = {pid: by_id[pid].answered_at for pid in answered}
    posted.update({pid: record.posted_at for pid, record in reconciled.items()})
    results["sent_at"] = request.spread_dates(posted)

    outcome = np.full(len(plan), OUTCOMES.index("not sent"), dtype=np.int8)
    outcome[is_accepted & ~refused.to_numpy()] = OUTCOMES.index("sent")
    outcome[is_open | not_reported.to_numpy()] = OUTCOMES.index("unknown")
    outcome[plan["duplicate_of"].notna() & ~plan["sendable"]] = OUTCOMES.index("duplicate")
    outcome[plan["problem"].notna() & ~plan["sendable"]] = OUTCOMES.index("invalid")
    sent = outcome == OUTCOMES.index("sent")
    sent_groups = group & sent
    if sent_groups.any():
        totals = {pid: record.cost for pid, record in answered.items()}
        carried = pd.Series(sent, index=plan.index)
        results["cost"] = price_groups(payload_id, results["cost"], sent_groups, carried, totals)

    reasons = request.spread(request_reasons(entries, stop_reason))
    reason = pd.Series(reasons, index=plan.index, dtype=object)
    prefix = SANDBOX_REASON if sandbox else ""
    reason[sent] = SANDBOX_REASON + "accepted, no real SMS was sent" if sandbox else None
    confirmed = sent & by_reconcile
    reason[confirmed] = prefix + "accepted (answer lost, confirmed through status.php)"
    reason[confirmed & found_earlier] = prefix + (
        "sent before this run (confirmed through status.php before posting: an earlier run or "
        "another journal sent it; not sent again)"
    )
    reason[sent_groups.to_numpy()] = (
        prefix + "sent to the group's members (SMSC reports their numbers, never G<n>)"
    )
    unknown_cost = confirmed & results["cost"].isna().to_numpy()
    reason[unknown_cost] = reason[unknown_cost] + "; cost unknown"
    reason[not_reported.to_numpy()] = (
        "request accepted (confirmed through status.php) but this number's own status is not "
        "known yet; run the same send with the journal to read it"
    )
    refused_here = refused.to_numpy() & ~by_reconcile
    reason[refused_here] = (
        "SMSC refused this number: " + results.loc[refused_here, "status_name"].astype(str)
        + " (error " + results.loc[refused_here, "error"].astype(str) + ")"
    )  # fmt: skip
    not_found = found_refused.to_numpy() & (found["status"] == -3).fillna(False).to_numpy()
    reason[not_found] = (
        "not sent: SMSC accepted the request but has no trace of this number (refused at send, "
        "not charged); it is not re-sent automatically"
    )
    other_refused = found_refused.to_numpy() & ~not_found
    reason[other_refused] = "not sent: status.php reports " + results.loc[
        other_refused, "status_name"
    ].astype(str)
    if sandbox:  # what "SMSC" answered here, the sandbox did
        said = reason.notna() & ~reason.astype(str).str.startswith(SANDBOX_REASON)
        reason[said] = SANDBOX_REASON + reason[said]
    not_sendable = ~plan["sendable"].astype(bool)
    reason[not_sendable] = plan_problems(plan)[not_sendable]
    results["outcome"] = pd.Categorical.from_codes(outcome, categories=OUTCOMES)
    results["reason"] = reason.where(reason.notna(), None)
    results.attrs["sandbox"] = sandbox
    return results


def results_from_journal(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The results of a campaign from its journal alone (no plan, no server needed).

    For when the results file could not be written after sending, or a run was interrupted:
    who was sent, who was not and why, exactly as ``send`` would have returned them (without
    the texts, which a journal never keeps). ``attrs["journal"]`` names the file.

    Raises
    ------
    ValidationError
        *path* is not a journal, or it was written without the plan's rows (by smsc_frames
        before 0.2: run ``send`` with the plan and this journal instead).

    Examples
    --------
    >>> import tempfile, os
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> from smsc_frames.plan import prepare
    >>> from smsc_frames.campaign import send
    >>> path = os.path.join(tempfile.mkdtemp(), "c.journal")
    >>> plan = prepare(pd.DataFrame({"phone": ["+7 916 123-45-67", "12"], "text": ["Hi", "Hi"]}),
    ...                phone="phone", text="text")
    >>> with Sandbox() as sandbox:
    ...     _ = send(plan, Client("demo", "demo", url=sandbox.url), journal=path, progress=False)
    >>> results_from_journal(path)["outcome"].tolist()
    ['sent', 'invalid']
    """
    with Journal.read(path) as journal:
        rows = journal.plan_rows()
        entries = journal.entries()
    if not rows:
        raise ValidationError(
            "journal",
            "holds no plan rows (written by an older smsc_frames): run send with the plan and "
            "this journal to write the results",
            str(path),
        )
    plan, carriers = plan_from_rows(rows)
    results = campaign_results(plan, carriers, entries, sandbox=False, stop_reason=None)
    results.attrs["journal"] = str(path)
    return results


def leftovers(entries: list[JournalEntry]) -> bool:
    """Whether a later run with the same journal has anything left to post or settle."""
    return any(to_send(entry) or entry.state in OPEN_STATES for entry in entries)


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Count the rows, parts and cost of each outcome of ``send``.

    Returns
    -------
    pandas.DataFrame
        Indexed by outcome (every one of :data:`OUTCOMES`), columns ``recipients``, ``parts``
        (local count), ``cost`` (Decimal: the sum of the known costs), ``cost_unknown`` (sent
        rows whose cost SMSC did not report, not in ``cost``; 0 for the other outcomes, which
        cost nothing) and ``note`` (the most frequent reason, ``""`` when there is none).
        ``attrs["sandbox"]`` says whether the sandbox answered
        (:func:`~smsc_frames.sandboxmark.from_sandbox`).
    """
    grouped = results.groupby("outcome", observed=False)
    sent = results["outcome"].astype(object).eq("sent")
    unknown_cost = (sent & results["cost"].isna()).groupby(results["outcome"], observed=False)
    summary = pd.DataFrame(
        {
            "recipients": grouped.size(),
            "parts": grouped["parts"].sum(),
            "cost": grouped["cost"].agg(
                # Decimal from send; float once read back from a file
                lambda costs: sum((Decimal(str(c)) for c in costs.dropna()), Decimal(0))
            ),
            "cost_unknown": unknown_cost.sum().astype(int),
            "note": grouped["reason"].agg(
                lambda reasons: str(reasons.mode().iloc[0]) if reasons.notna().any() else ""
            ),
        }
    )
    summary.attrs["sandbox"] = from_sandbox(results)
    return summary
