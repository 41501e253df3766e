"""``send``: post a campaign exactly once, resumably, and say what happened to every row.

Each run is rounds of: settle what a previous attempt left open (:mod:`.reconcile`), post what
is provably unsent (:mod:`.dispatch`), until nothing is left, the campaign stops (no money, no
connection, credentials) or ``RetryPolicy.max_rounds`` is reached. The journal is the truth;
the results are rebuilt from it (:mod:`.results`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from smsc_frames.api import SmscApi
from smsc_frames.campaign.dispatch import CampaignStop, Dispatcher, to_send
from smsc_frames.campaign.planrows import to_rows
from smsc_frames.campaign.reconcile import OPEN_STATES, Reconciler, incomplete
from smsc_frames.campaign.results import campaign_results, leftovers
from smsc_frames.errors import IpBlockedError, SmscApiError
from smsc_frames.journal import Journal, JournalEntry
from smsc_frames.options import Options
from smsc_frames.payloads import Payload, check_payloads, recipient_rows
from smsc_frames.payloads import payloads as build_payloads
from smsc_frames.planoptions import plan_options
from smsc_frames.policy import RetryPolicy, SmscLimits


def send(
    plan: pd.DataFrame,
    client: Any,
    *,
    options: Options | None = None,
    journal: str | os.PathLike[str] | None = None,
    progress: bool = True,
    max_workers: int = 4,
    payloads: Sequence[Payload] | None = None,
    verify_payloads: bool = True,
    retry: RetryPolicy | None = None,
    limits: SmscLimits | None = None,
    check_sent: bool = True,
) -> pd.DataFrame:
    """Send the campaign exactly once, resumably, and say what happened to every plan row.

    Parameters
    ----------
    plan : pandas.DataFrame
        From :func:`smsc_frames.plan.prepare`.
    client : smsc_frames.client.Client
    options : Options, optional
        The send options (default: the plan's own, ``plan.attrs["options"]``; a plan that lost
        them in a merge is refused rather than sent without them).
    journal : str or path-like, optional
        The journal file (created ``0o600``). Running the same ``send`` with the same journal
        after a crash, a stop for lack of money or lost answers resumes: accepted requests are
        skipped, lost answers reconciled through ``status.php``, only provably unsent requests
        posted. Without one, the bookkeeping lives in memory for this call only.
    progress : bool
        Show a ``tqdm`` progress bar over recipients.
    max_workers : int
        Parallel requests, 1 to ``limits.max_workers`` (SMSC refuses 15 concurrent ones).
    payloads : sequence of Payload, optional
        The requests to post (default ``payloads(plan, options)``), e.g. built with a smaller
        ``max_recipients``; a journal is tied to them.
    verify_payloads : bool, default True
        Refuse *payloads* carrying a message the plan does not hold (built from another plan,
        or before ``apply_savings`` changed its texts) before any request; the check decodes
        every message (about 1.5 s per 100,000 rows). ``False`` only for payloads just built
        from this very plan.
    retry : RetryPolicy, optional
    limits : SmscLimits, optional
    check_sent : bool, default True
        Before posting a request this journal never posted, ask SMSC whether it already has
        it (request ids are deterministic): a campaign re-run without its journal, with
        another one or from another folder is reconciled, not sent twice. One status question
        per request for up to 10 of them, else paced list requests over (id, first phone).

    Returns
    -------
    pandas.DataFrame
        On the plan's index: ``phone``, ``sms_id`` (the request id: with the phone it names the
        message on SMSC), ``mccmnc``, ``parts``, ``cost`` (Decimal), ``status`` (Int64, SMSC's
        status code, the same column :func:`smsc_frames.delivery.refresh_status` updates
        later), ``status_name``, ``error`` (Int64, SMSC's error for a refused number),
        ``sent_at`` (UTC: when the request was posted; missing when unknown), ``outcome`` (one
        of ``OUTCOMES``) and ``reason``. ``attrs["sandbox"]`` is True when the server was
        the sandbox (the reasons say so too).

        ``status`` right after sending: what SMSC's ``op=1`` row says of an accepted number
        (``-1`` "waiting" when it says nothing), SMSC's refusal for a number it refused inside
        an accepted request (22 wrong number, 23 forbidden, 20 undeliverable, ...; outcome
        ``not sent``, ``error`` says why), and for a request confirmed through ``status.php``
        after a lost answer, the status that check reported for each recipient (-3 "not found"
        for a number SMSC kept no trace of: outcome ``not sent``). Rows of requests that were
        not accepted have no status.

    Raises
    ------
    ValidationError
        The journal belongs to another plan, the plan lost its options, or ``max_workers`` is
        out of range.
    IpBlockedError, AuthError
        SMSC blocked the IP (wait up to 30 min) or refused the credentials; the journal keeps
        the state and the exception's ``results`` attribute holds the results so far.

    Warns
    -----
    UserWarning
        When some rows were not sent (no money, no connection) or their outcome is unknown.

    Examples
    --------
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> from smsc_frames.plan import prepare
    >>> contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "bad"], "text": ["Hi", "Hi"]})
    >>> with Sandbox() as sandbox:
    ...     results = send(prepare(contacts, phone="phone", text="text"),
    ...                    Client("demo", "demo", url=sandbox.url), progress=False)
    >>> results["outcome"].tolist(), results.attrs["sandbox"]
    (['sent', 'invalid'], True)
    """
    api = SmscApi.of(client, retry, limits)
    api.limits.check_workers(max_workers)
    requests = list(
        build_payloads(plan, plan_options(plan, options)) if payloads is None else payloads
    )
    if payloads is not None and verify_payloads:
        check_payloads(plan, requests)
    stop = CampaignStop()
    carriers = recipient_rows(plan, requests)
    rows = None if journal is None else to_rows(plan, carriers)
    with Journal.open(journal, requests, rows) as opened:
        dispatcher = Dispatcher(
            api,
            opened,
            {request.id: request.params for request in requests},
            stop,
            max_workers=max_workers,
            progress=progress,
        )
        reconciler = Reconciler(api, opened, stop, progress=progress)
        entries = run(opened, reconciler, dispatcher, api.retry.max_rounds, check_sent)
    results = campaign_results(
        plan, carriers, entries, sandbox=api.is_sandbox, stop_reason=stop.reason
    )
    if journal is not None:
        results.attrs["journal"] = str(journal)
    if stop.fatal is not None:
        error = type(stop.fatal)(stop.fatal.code, _fatal_message(stop.fatal, journal))
        error.results = results  # type: ignore[attr-defined]
        raise error
    _warn_about_leftovers(results, entries, journal)
    return results


def run(
    journal: Journal,
    reconciler: Reconciler,
    dispatcher: Dispatcher,
    max_rounds: int,
    check_sent: bool,
) -> list[JournalEntry]:
    """Reconcile what a previous attempt left open, post what is provably unsent, repeat.

    With *check_sent*, requests the journal never posted are first looked for on SMSC.
    Returns the journal's entries as the run left them (read after its last change).
    """
    entries = journal.entries()
    if check_sent:
        reconciler.find_earlier_posts(entries)
        entries = journal.entries()
    for round_number in range(max_rounds + 1):
        if any(entry.state in OPEN_STATES or incomplete(entry) for entry in entries):
            reconciler.settle(entries)
            entries = journal.entries()
        pending = [entry for entry in entries if to_send(entry)]
        if dispatcher.stop.reason or not pending or round_number == max_rounds:
            return entries
        dispatcher.dispatch(pending)
        entries = journal.entries()
    return entries


def _fatal_message(error: SmscApiError, journal: object) -> str:
    again = (
        f"run the same send with journal={str(journal)!r} to resume"
        if journal is not None
        else "pass journal=... next time so a run can resume"
    )
    if isinstance(error, IpBlockedError):
        return (
            f"{error.message}: SMSC blocks an IP for up to 30 minutes after frequent errors; "
            f"wait, then {again}"
        )
    return f"{error.message}: check the login, password or API key, then {again}"


def _warn_about_leftovers(
    results: pd.DataFrame, entries: list[JournalEntry], journal: object
) -> None:
    counts = results["outcome"].value_counts()
    unsent, unknown = int(counts["not sent"]), int(counts["unknown"])
    if not (unsent or unknown):
        return
    message = (
        f"{unsent} rows not sent and {unknown} with an unknown outcome (see the reason column)"
    )
    if leftovers(entries):
        again = f"run the same send with journal={str(journal)!r}" if journal else "use a journal"
        message += f"; {again} to finish without sending anyone twice"
    warnings.warn(message, stacklevel=3)
