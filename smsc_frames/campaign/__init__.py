"""Estimate and send a campaign, exactly once, over SMSC's ``send.php``.

One module per step:

* :mod:`.quote`: :func:`estimate` posts the very payloads :func:`send` would post, with
  ``cost=1&op=1`` (nothing is sent), and returns a :class:`Quote`;
* :mod:`.dispatch`: posting requests in parallel, each recorded in the journal first;
* :mod:`.reconcile`: settling requests whose answer was lost, recipient by recipient;
* :mod:`.transitions`: the pure table from an answer, an error or a status check to the next
  journal state and record;
* :mod:`.results`: the per-row results (rebuilt from the journal alone) and :func:`summarize`;
* :mod:`.sending`: :func:`send` itself;
* :mod:`.chunked`: :func:`estimate_chunks` and :func:`send_chunks`, chunk by chunk in
  bounded memory.

Running the same ``send`` again after a crash resumes without sending anyone a second SMS and
without forgetting anyone:

* an *accepted* request is never posted again;
* a request whose answer was lost is *unknown* and reconciled through ``status.php`` before
  anything is re-posted; only a request none of whose recipients SMSC knows is posted again;
* error 9 "duplicate request" means an identical request was seen: reconcile, never a failure;
  error 9 "too many concurrent requests" backs off and retries;
* error 3 (no money) stops the campaign and the results say who was sent and who was not (top up
  and run the same ``send`` again to finish); error 4 (IP blocked) and error 2 (authorisation)
  stop it with an exception, the journal keeping the state.

Results keep the plan's index, so they join back onto the contacts.
"""

from smsc_frames.campaign.chunked import (
    ChunkedTotals,
    ChunkNotAcceptedError,
    ResultsNotWrittenError,
    estimate_chunks,
    results_from_journals,
    send_chunks,
)
from smsc_frames.campaign.quote import Quote, estimate, quote_cache_key
from smsc_frames.campaign.results import OUTCOMES, WAITING, results_from_journal, summarize
from smsc_frames.campaign.sending import send
from smsc_frames.campaign.transitions import NOT_FOUND
from smsc_frames.policy import RetryPolicy, SmscLimits

__all__ = [
    "ChunkNotAcceptedError",
    "ChunkedTotals",
    "NOT_FOUND",
    "OUTCOMES",
    "WAITING",
    "Quote",
    "ResultsNotWrittenError",
    "RetryPolicy",
    "SmscLimits",
    "estimate",
    "estimate_chunks",
    "quote_cache_key",
    "results_from_journal",
    "results_from_journals",
    "send",
    "send_chunks",
    "summarize",
]
