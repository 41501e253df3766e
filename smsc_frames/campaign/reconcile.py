"""Settling requests whose answer was lost, recipient by recipient, through ``status.php``.

A request posted without a readable answer (read timeout, dropped connection, HTTP 5xx, an
unreadable body, a process killed mid-request, SMSC's "duplicate request") may have been
accepted. Before anything is posted again:

1. single status checks of its first and last recipient decide *whether* it was accepted
   (any one found: accepted, never re-posted; a request of one or two recipients is settled by
   them alone);
2. paced list requests over (id, phone) of every recipient give *each* recipient's own status:
   a request none of whose recipients SMSC knows is provably unsent and planned again (same
   id, after SMSC's duplicate window when it said "duplicate"); a request some of whose
   recipients SMSC knows is accepted, and each recipient's outcome is its own status (a number
   refused at send leaves no trace: it is reported *not sent*, never re-posted inside a request
   whose other recipients were sent);
3. any doubt (an error, an answer that does not cover every pair) keeps the request *unknown*.

Requests recorded as accepted by a first-format journal's single probe are completed the same
way (step 2), so every recipient's outcome comes from its own status.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
from tqdm.auto import tqdm

from smsc_frames.api import SmscApi
from smsc_frames.campaign.dispatch import CampaignStop
from smsc_frames.campaign.transitions import (
    NOT_FOUND,
    Transition,
    after_reconcile,
    reconcile_failed,
    reconcile_stopped,
)
from smsc_frames.errors import AuthError, IpBlockedError, SmscConnectionError
from smsc_frames.journal import Journal, JournalEntry
from smsc_frames.recipients import is_group_recipient
from smsc_frames.records import Lost, RecipientStatus, Reconciled, decimal_or_none

log = logging.getLogger("smsc_frames.campaign")
"""Says what a long check is waiting for (the command line prints it; a notebook shows the
bar when ``progress`` is on)."""

OPEN_STATES = ("in_flight", "unknown")
"""Journal states of a request whose outcome is not known."""

SINGLE_CHECKS = 10
"""Up to this many never-posted requests are checked one status question each (SMSC limits
those per message, not per minute); more go in paced list requests."""


def seconds_since(timestamp: str | None) -> float:
    """Seconds since an ISO timestamp (infinite for None)."""
    if timestamp is None:
        return float("inf")
    return (datetime.now(UTC) - datetime.fromisoformat(timestamp)).total_seconds()


def incomplete(entry: JournalEntry) -> bool:
    """An accepted request whose reconciliation lacks some recipient's status."""
    return (
        entry.state == "accepted"
        and isinstance(entry.record, Reconciled)
        and bool(entry.record.missing(entry.recipients))
    )


class Reconciler:
    """Settles open requests and completes partial reconciliations, sequentially.

    Sequential on purpose: SMSC refuses 5+ concurrent status requests.
    """

    def __init__(
        self, api: SmscApi, journal: Journal, stop: CampaignStop, *, progress: bool = False
    ) -> None:
        self.api = api
        self.journal = journal
        self.stop = stop
        self.progress = progress
        self.duplicate_wait = 0.0

    def settle(self, entries: list[JournalEntry]) -> None:
        """Settle the open requests of *entries* and complete partial reconciliations."""
        open_entries = [entry for entry in entries if entry.state in OPEN_STATES]
        to_list = [entry for entry in entries if incomplete(entry)]
        if open_entries:
            youngest = min(seconds_since(entry.posted_at) for entry in open_entries)
            if youngest < self.api.retry.settle:
                time.sleep(self.api.retry.settle - youngest)
        for entry in open_entries:
            try:
                probed = self.probe(entry)
            except (IpBlockedError, AuthError) as error:
                self.stop.set(reconcile_stopped(error), fatal=error)
                return
            except Exception as error:  # noqa: BLE001 - any doubt keeps the request unknown
                self.record(entry, reconcile_failed(entry.state, entry.record, error))
                continue
            if set(entry.recipients) <= set(probed):  # the probes covered every recipient
                self.record(entry, self.transition(entry, probed))
            elif any(status.status != NOT_FOUND for status in probed.values()):
                # Accepted for sure: record what is known, the list fills in every recipient.
                partial = Reconciled(tuple(probed.values()), self._posted_at(entry), self.sandbox)
                self.journal.mark(entry.payload_id, "accepted", record=partial)
                to_list.append(replace(entry, state="accepted", record=partial))
            else:
                to_list.append(entry)
        if to_list:
            self.list_and_record(to_list)
        if self.duplicate_wait > 0:
            time.sleep(self.duplicate_wait)
            self.duplicate_wait = 0.0

    def find_earlier_posts(self, entries: list[JournalEntry]) -> None:
        """Ask SMSC about requests this journal never posted: was the campaign sent before?

        Request ids are deterministic, so a run with another (or a lost) journal posted the same
        ids. (id, first phone) and (id, last phone) of every planned request with no attempt
        are checked, as a resumed journal probes them (SMSC may keep no trace of one number); a
        request SMSC knows is recorded as a lost answer (``unknown``) and reconciled, never
        re-posted. When the check cannot be made, the run stops rather than risk a second
        send. ``G<n>`` groups are not looked up (SMSC files their messages under the members'
        numbers): a request to groups only cannot be checked, and a warning says so.
        """
        unposted = [e for e in entries if e.state == "planned" and e.attempts == 0]
        if not unposted:
            return
        pairs = [(e.payload_id, phone) for e in unposted for phone in _ends(e.recipients)]
        unchecked = sum(not _ends(e.recipients) for e in unposted)
        if unchecked:
            warnings.warn(
                f"{unchecked} requests go to G<n> groups only: whether an earlier run sent them "
                "cannot be checked (SMSC files them under the members' numbers); only this "
                "campaign's journal keeps them from being sent twice",
                UserWarning,
                stacklevel=4,
            )
        if not pairs:
            return
        try:
            found = known_requests(self.api, pairs, progress=self.progress)
        except (IpBlockedError, AuthError) as error:
            self.stop.set(reconcile_stopped(error), fatal=error)
            return
        except Exception as error:  # noqa: BLE001 - unknown means: do not post
            could = "could not reach SMSC" if isinstance(error, SmscConnectionError) else "failed"
            self.stop.set(
                f"{could} to check whether this campaign was already sent ({error}); nothing "
                "was posted, run it again"
            )
            return
        for entry in unposted:
            if entry.payload_id in found:
                lost = Lost(
                    "SMSC already had this request before this journal posted it (sent by an "
                    "earlier run, with another journal or none)"
                )
                self.journal.mark(entry.payload_id, "unknown", record=lost)

    @property
    def sandbox(self) -> bool:
        return self.api.is_sandbox

    def _posted_at(self, entry: JournalEntry) -> str | None:
        duplicate = isinstance(entry.record, Lost) and entry.record.duplicate
        return None if duplicate else entry.posted_at

    def transition(self, entry: JournalEntry, statuses: dict[str, RecipientStatus]) -> Transition:
        """:func:`after_reconcile` of *entry* with *statuses*."""
        return after_reconcile(
            entry.state,
            entry.record,
            entry.recipients,
            statuses,
            posted_at=entry.posted_at,
            sandbox=self.sandbox,
        )

    def record(self, entry: JournalEntry, transition: Transition) -> None:
        """Store *transition*; a request planned again after "duplicate" waits for the window."""
        if (
            transition.state == "planned"
            and isinstance(entry.record, Lost)
            and (entry.record.duplicate)
        ):
            left = self.api.limits.duplicate_window - seconds_since(entry.posted_at)
            self.duplicate_wait = max(self.duplicate_wait, left)
        self.journal.mark(entry.payload_id, transition.state, record=transition.record)

    def probe(self, entry: JournalEntry) -> dict[str, RecipientStatus]:
        """Single status checks of the first and last recipient."""
        found = {}
        for phone in dict.fromkeys((entry.recipients[0], entry.recipients[-1])):
            row = self.api.status(entry.payload_id, phone)
            if pd.notna(row["status"]):
                found[phone] = _recipient_status(phone, row)
        return found

    def list_and_record(self, entries: list[JournalEntry]) -> None:
        """One round of paced list requests over every recipient of *entries*, then record."""
        pairs = [(e.payload_id, phone) for e in entries for phone in dict.fromkeys(e.recipients)]
        try:
            why = f"{len(entries):,} requests whose answers were lost or are incomplete"
            frame = listed(self.api, pairs, why, progress=self.progress)
        except (IpBlockedError, AuthError) as error:
            self.stop.set(reconcile_stopped(error), fatal=error)
            return
        except Exception as error:  # noqa: BLE001 - never read a failure as "not sent"
            for entry in entries:
                if entry.state in OPEN_STATES:
                    self.record(entry, reconcile_failed(entry.state, entry.record, error))
            return
        reported: dict[str, dict[str, RecipientStatus]] = {}
        for _, row in frame.iterrows():
            if pd.notna(row["status"]) and pd.notna(row["id"]):
                phone = str(row["phone"])
                reported.setdefault(str(row["id"]), {})[phone] = _recipient_status(phone, row)
        for entry in entries:
            statuses = reported.get(entry.payload_id, {})
            if entry.state == "accepted" and isinstance(entry.record, Reconciled):
                known = {status.phone: status for status in entry.record.statuses}
                merged = {**statuses, **known}
                ordered = tuple(merged[p] for p in dict.fromkeys(entry.recipients) if p in merged)
                completed = Reconciled(ordered, entry.record.posted_at, entry.record.sandbox)
                self.journal.mark(entry.payload_id, "accepted", record=completed)
            else:
                self.record(entry, self.transition(entry, statuses))


def _ends(recipients: tuple[str, ...]) -> list[str]:
    """The first and last of *recipients* that ``status.php`` can find (not ``G<n>``)."""
    findable = [phone for phone in recipients if not is_group_recipient(phone)]
    return list(dict.fromkeys(findable[:1] + findable[-1:]))


def known_requests(
    api: SmscApi, pairs: list[tuple[str, str]], *, progress: bool = False
) -> set[str]:
    """The ids of the requests SMSC knows, looked up by (id, phone) pairs (any one known).

    One ``status.php`` check a request up to :data:`SINGLE_CHECKS` requests, else one paced
    status list for all of them.
    """
    if len(pairs) <= SINGLE_CHECKS:
        return {pair[0] for pair in pairs if _known(api.status(*pair)["status"])}
    why = f"whether an earlier run sent {len({pair[0] for pair in pairs}):,} requests"
    frame = listed(api, pairs, why, progress=progress)
    known = frame["status"].map(_known).astype(bool)
    return set(frame.loc[known, "id"].astype(str))


def listed(
    api: SmscApi, pairs: list[tuple[str, str]], why: str, *, progress: bool = False
) -> pd.DataFrame:
    """:meth:`SmscApi.status_list` over *pairs*, said first in a log line (it may wait
    minutes: one list request a minute) and shown as a bar when *progress*."""
    requests = math.ceil(len(pairs) / api.limits.status_batch_size)
    log.info(
        "checking %s with status.php: %s recipients, %s list request%s at most one every %.0f s",
        why, f"{len(pairs):,}", requests, "s," if requests > 1 else ",",
        api.limits.status_list_interval,
    )  # fmt: skip
    with tqdm(total=len(pairs), desc="status.php", unit="recipient", disable=not progress) as bar:
        return api.status_list(pairs, progress=bar.update)


def _known(status: object) -> bool:
    """Whether a ``status.php`` status says SMSC has the message."""
    return not pd.isna(status) and int(status) != NOT_FOUND  # type: ignore[call-overload]


def _recipient_status(phone: str, row: pd.Series) -> RecipientStatus:
    """A :class:`RecipientStatus` from a :func:`~smsc_frames.responses.parse_status` row."""
    err = row.get("err")
    stamp = row.get("send_timestamp")
    return RecipientStatus(
        phone,
        int(row["status"]),
        None if pd.isna(err) else int(err),
        decimal_or_none(row.get("cost")),
        None if stamp is None or pd.isna(stamp) or int(stamp) <= 0 else int(stamp),
    )
