"""Posting a campaign's requests in parallel, each recorded in the journal before it leaves.

Examples
--------
>>> stop = CampaignStop()
>>> stop.set("insufficient funds"); stop.set("later reason"); stop.reason
'insufficient funds'
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed

from tqdm.auto import tqdm

from smsc_frames.api import SmscApi
from smsc_frames.campaign.transitions import after_post
from smsc_frames.errors import SmscApiError, SmscConnectionError
from smsc_frames.journal import Journal, JournalEntry
from smsc_frames.records import Refused


class CampaignStop:
    """The first reason a run must stop posting, and the error to raise afterwards, if any."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.fatal: SmscApiError | None = None
        self._lock = threading.Lock()

    def set(self, reason: str, fatal: SmscApiError | None = None) -> None:
        """Stop for *reason* unless the run already stopped (the first reason is kept)."""
        with self._lock:
            if self.reason is None:
                self.reason, self.fatal = reason, fatal


def to_send(entry: JournalEntry) -> bool:
    """Planned, or refused for lack of money (worth another try once topped up)."""
    if entry.state == "planned":
        return True
    return (
        entry.state == "rejected"
        and isinstance(entry.record, Refused)
        and (entry.record.for_lack_of_money)
    )


class Dispatcher:
    """Posts planned requests through the API; the journal records each before and after."""

    def __init__(
        self,
        api: SmscApi,
        journal: Journal,
        params: Mapping[str, Mapping[str, str]],
        stop: CampaignStop,
        *,
        max_workers: int,
        progress: bool,
    ) -> None:
        self.api = api
        self.journal = journal
        self.params = params
        self.stop = stop
        self.max_workers = max_workers
        self.progress = progress

    def dispatch(self, pending: list[JournalEntry]) -> None:
        """Post every *pending* request (in parallel) unless the run stops first.

        A worker's own failure (a bug, not an SMSC answer) stops posting and is raised once the
        other workers have finished; the journal keeps every request's state.
        """
        bar = tqdm(
            total=sum(len(entry.recipients) for entry in pending),
            desc="send",
            unit="phone",
            disable=not self.progress,
        )
        workers = min(self.max_workers, len(pending))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smsc-send")
        failures: list[BaseException] = []
        try:
            futures = {pool.submit(self.post, entry): entry for entry in pending}
            for future in as_completed(futures):
                error = future.exception()
                if error is not None:
                    self.stop.set(f"internal error: {type(error).__name__}: {error}")
                    failures.append(error)
                bar.update(len(futures[future].recipients))
        except BaseException:
            self.stop.set("interrupted")
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            bar.close()
        if failures:
            first = failures[0]
            for other in failures[1:]:
                first.add_note(f"another send worker failed too: {type(other).__name__}: {other}")
            raise first

    def post(self, entry: JournalEntry) -> None:
        """Mark *entry* in flight, post it, and record what its outcome makes of it."""
        if self.stop.reason:
            return
        self.journal.mark(entry.payload_id, "in_flight")
        outcome: dict | SmscApiError | SmscConnectionError
        try:
            outcome = self.api.submit(self.params[entry.payload_id])
        except (SmscApiError, SmscConnectionError) as error:
            outcome = error
        transition = after_post(outcome, sandbox=self.api.is_sandbox)
        self.journal.mark(entry.payload_id, transition.state, record=transition.record)
        if transition.stop:
            fatal = outcome if transition.fatal and isinstance(outcome, SmscApiError) else None
            self.stop.set(transition.stop, fatal)
