"""The pure table from what happened to a request to its next journal state and record.

No HTTP, no journal, no clock: :func:`after_post` reads the outcome of one ``send.php`` post
(an answer or an exception), :func:`after_reconcile` the statuses ``status.php`` gave for a
request whose answer was lost. Each gives a :class:`Transition`: the new state, the record to
store, and whether (and how loudly) the campaign must stop.

Examples
--------
>>> from smsc_frames.errors import api_error
>>> after_post(api_error(3, "no money"), sandbox=False)
Transition(state='rejected', record=Refused(code=3, message='no money'), stop='insufficient \
funds', fatal=False)
>>> after_post({"id": "c-1", "cnt": 1, "phones": []}, sandbox=True).state
'accepted'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smsc_frames.errors import (
    AuthError,
    DuplicateRequestError,
    InsufficientFundsError,
    IpBlockedError,
    SmscApiError,
    SmscConnectionError,
)
from smsc_frames.recipients import is_group_recipient
from smsc_frames.records import (
    Accepted,
    Deferred,
    Lost,
    NotFound,
    RecipientStatus,
    Reconciled,
    Record,
    Refused,
)

NOT_FOUND = -3
"""``status.php`` status of a message SMSC does not have."""


@dataclass(frozen=True)
class Transition:
    """A request's next state and record, and whether the campaign stops.

    Attributes
    ----------
    state : str
        One of :data:`smsc_frames.journal.STATES`.
    record : Record
    stop : str or None
        Why no further request may be posted in this run (None: go on).
    fatal : bool
        The error is raised to the caller once the run has stopped (credentials, IP block).
    """

    state: str
    record: Record
    stop: str | None = None
    fatal: bool = False


def after_post(outcome: Mapping[str, Any] | SmscApiError | SmscConnectionError, *,
               sandbox: bool) -> Transition:  # fmt: skip
    """What a ``send.php`` post's outcome makes of its request.

    ==========================================  =========  ===========  ======================
    outcome                                     state      record       stop
    ==========================================  =========  ===========  ======================
    a readable answer                           accepted   Accepted     -
    error 9 "too many concurrent requests"      planned    Deferred     yes (SMSC kept saying)
    error 9 "duplicate request"                 unknown    Lost(dup.)   -
    transport fault, request may have arrived   unknown    Lost         -
    transport fault, request never left         planned    Deferred     yes
    error 3 (no money)                          rejected   Refused      yes
    error 2 (credentials), 4 (IP blocked)       planned    Deferred     yes, fatal
    any other SMSC error                        rejected   Refused      -
    ==========================================  =========  ===========  ======================
    """
    if isinstance(outcome, Mapping):
        return Transition("accepted", Accepted.from_answer(outcome, sandbox=sandbox))
    if isinstance(outcome, DuplicateRequestError):
        if outcome.too_many_concurrent:
            return Transition(
                "planned",
                Deferred(outcome.message, outcome.code),
                stop="SMSC kept refusing: too many concurrent requests",
            )
        return Transition("unknown", Lost(f"SMSC error 9: {outcome.message}", duplicate=True))
    if isinstance(outcome, SmscConnectionError):
        if outcome.maybe_sent:
            return Transition("unknown", Lost(str(outcome)))
        return Transition(
            "planned", Deferred(str(outcome)), stop=f"could not reach SMSC ({outcome})"
        )
    if isinstance(outcome, InsufficientFundsError):
        return Transition("rejected", Refused(3, outcome.message), stop="insufficient funds")
    if isinstance(outcome, IpBlockedError | AuthError):
        return Transition(
            "planned",
            Deferred(outcome.message, outcome.code),
            stop=f"SMSC error {outcome.code}: {outcome.message}",
            fatal=True,
        )
    return Transition("rejected", Refused(outcome.code, outcome.message))


def lost_detail(state: str, record: Record | None) -> Lost:
    """The :class:`Lost` record an open request (``in_flight`` or ``unknown``) stands on."""
    if isinstance(record, Lost):
        return record
    if state == "in_flight":
        return Lost("the run stopped while the request was in flight (no answer recorded)")
    return Lost("answer lost")


def after_reconcile(
    state: str,
    record: Record | None,
    recipients: Sequence[str],
    statuses: Mapping[str, RecipientStatus],
    *,
    posted_at: str | None,
    sandbox: bool,
) -> Transition:
    """What ``status.php`` makes of a request whose answer was lost.

    Parameters
    ----------
    state, record : the request's journal state (``in_flight`` or ``unknown``) and record.
    recipients : every phone of the request.
    statuses : what ``status.php`` reported, by phone (a phone it did not report is absent).
    posted_at : the journal's stamp of the last post (ISO UTC).
    sandbox : whether the server is the sandbox.

    ===============================================  =========  ====================
    statuses                                         state      record
    ===============================================  =========  ====================
    some recipient not reported                      unknown    Lost (why)
    every recipient "not found" (-3)                 planned    NotFound
    any recipient found                              accepted   Reconciled (all)
    ===============================================  =========  ====================

    The posting time of a reconciled request is the journal's in-flight stamp (the post SMSC
    stored), unless SMSC called that post a duplicate (an earlier post was stored: SMSC's
    ``send_timestamp`` when it gave one, else unknown). Never the time of the check.

    Examples
    --------
    >>> found = {"7916": RecipientStatus("7916", -1), "7903": RecipientStatus("7903", -3)}
    >>> after_reconcile("unknown", None, ["7916", "7903"], found, posted_at="2026-01-01T00:00:00",
    ...                 sandbox=False).record.refused_phones()
    {'7903'}
    """
    missing = [phone for phone in recipients if phone not in statuses]
    if missing:
        return reconcile_failed(state, record, "status.php did not report every recipient")
    if all(statuses[phone].status == NOT_FOUND for phone in recipients):
        if any(is_group_recipient(phone) for phone in recipients):
            # SMSC keeps a group's messages under its members' numbers: G<n> is never found
            return reconcile_failed(
                state,
                record,
                "status.php cannot tell whether a G<n> group was sent (SMSC "
                "reports its members' numbers), so it is never re-sent automatically",
            )
        return Transition("planned", NotFound())
    duplicate = isinstance(record, Lost) and record.duplicate
    when = None if duplicate else posted_at
    if when is None:
        stamps = [stamp for phone in recipients if (stamp := statuses[phone].sent_at)]
        if stamps:
            when = pd.Timestamp(min(stamps), unit="s", tz="UTC").isoformat()
    ordered = tuple(statuses[phone] for phone in dict.fromkeys(recipients))
    return Transition("accepted", Reconciled(ordered, when, sandbox))


def reconcile_failed(state: str, record: Record | None, why: object) -> Transition:
    """A request stays ``unknown`` when ``status.php`` could not settle it; never "not sent"."""
    lost = lost_detail(state, record)
    return Transition("unknown", Lost(lost.detail, lost.maybe_sent, lost.duplicate, str(why)))


def reconcile_stopped(error: SmscApiError) -> str:
    """Why a campaign stops when ``status.php`` refuses the credentials or the IP."""
    return f"SMSC error {error.code}: {error.message}"
