"""Estimate and send a campaign chunk by chunk, so a million rows need bounded memory.

Each chunk (``read_contacts(path, chunksize=N)``, or any iterable of DataFrames labelled
uniquely across chunks) is prepared, its rows repeating a phone an *earlier* chunk already
holds are marked duplicates (the keys in a log on disk, only their 64-bit hashes in memory:
:class:`~smsc_frames.campaign.seenkeys.SeenKeys`), then it is quoted or sent with
:func:`estimate` / :func:`send`. Chunk ``n``'s requests carry the ids ``"<hash>n<n>-<k>"``
(the hash of the chunk's rows): the same file gives the same ids, and each chunk has its own
journal beside ``journal``, so running the same :func:`send_chunks` again after a crash skips
what was accepted and finishes the rest. Whether a chunk was sent before is asked of SMSC
only up to the first chunk it does not know (:class:`SentBefore`), and no chunk is sent after
one SMSC accepted nothing of.

Examples
--------
>>> import pandas as pd
>>> from smsc_frames.sandbox import Sandbox
>>> from smsc_frames.client import Client
>>> chunks = [pd.DataFrame({"phone": ["79161234567"], "text": ["Hi"]}, index=[0]),
...           pd.DataFrame({"phone": ["+7 916 123-45-67"], "text": ["Hi"]}, index=[1])]
>>> with Sandbox() as sandbox:
...     totals = send_chunks(chunks, Client("demo", "demo", url=sandbox.url),
...                          phone="phone", text="text", progress=False)
>>> totals.outcomes["sent"], totals.outcomes["duplicate"]
(1, 1)
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from smsc_frames.api import SmscApi
from smsc_frames.campaign.quote import SHORTFALL_WARNING, estimate, warn_shortfall
from smsc_frames.campaign.reconcile import known_requests
from smsc_frames.campaign.results import OUTCOMES, results_from_journal
from smsc_frames.campaign.seenkeys import SeenKeys
from smsc_frames.campaign.sending import send
from smsc_frames.errors import SmscError, SmscFramesError, ValidationError
from smsc_frames.payloads import payloads as build_payloads
from smsc_frames.plan import prepare
from smsc_frames.planoptions import plan_options
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.resultsfile import ResultsWriter
from smsc_frames.wireformat import Payload

__all__ = [
    "ChunkNotAcceptedError",
    "ChunkedTotals",
    "ResultsNotWrittenError",
    "chunk_journal",
    "chunk_journals",
    "estimate_chunks",
    "results_from_journals",
    "send_chunks",
]


@dataclass
class ChunkedTotals:
    """What a chunked estimate or send adds up to.

    Attributes
    ----------
    chunks, rows : int
        Chunks and contact rows read.
    recipients : int
        Rows that are (or would be) sent: sendable after the duplicates across chunks.
    total_parts : int
        For an estimate, SMSC's ``cnt`` summed; for a send, the parts of the rows sent.
    total_cost : Decimal
        SMSC's costs summed.
    outcomes : dict
        For a send, rows per outcome (:data:`OUTCOMES`); for an estimate, ``duplicate``
        and ``invalid`` only.
    results : pathlib.Path or None
        The results CSV, when one was asked for.
    balance : Decimal or None
        The balance SMSC reported with the last chunk's estimate.
    """

    chunks: int = 0
    rows: int = 0
    recipients: int = 0
    total_parts: int = 0
    total_cost: Decimal = Decimal(0)
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    results: Path | None = None
    balance: Decimal | None = None

    def __str__(self) -> str:
        counted = ", ".join(f"{name} {count:,}" for name, count in self.outcomes.items() if count)
        return (
            f"{self.rows:,} rows in {self.chunks:,} chunks: {self.recipients:,} recipients, "
            f"{self.total_parts:,} parts, cost {self.total_cost:,.2f}"
            + (f" ({counted})" if counted else "")
        )


@contextmanager
def _seen_keys(journal: str | os.PathLike[str] | None) -> Iterator[SeenKeys]:
    with tempfile.TemporaryDirectory(prefix="smsc-chunks-") as folder:
        path = Path(folder) / "seen.sqlite" if journal is None else Path(f"{journal}.seen")
        seen = SeenKeys(path)
        try:
            yield seen
        finally:
            seen.close()


def chunk_journal(journal: str | os.PathLike[str], number: int) -> Path:
    """The journal of chunk *number* (from 0) of a campaign journalled as *journal*.

    Examples
    --------
    >>> chunk_journal("march.journal", 2).name
    'march.journal.2'
    """
    return Path(f"{journal}.{number}")


def chunk_journals(journal: str | os.PathLike[str]) -> list[Path]:
    """The chunk journals written so far under *journal*, in order (``.0``, ``.1``... while
    they exist).

    Examples
    --------
    >>> chunk_journals("no-such.journal")
    []
    """
    found: list[Path] = []
    while (path := chunk_journal(journal, len(found))).is_file():
        found.append(path)
    return found


def results_from_journals(journal: str | os.PathLike[str]) -> pd.DataFrame:
    """The results of a campaign from its journal: one file, or the chunk journals
    :func:`send_chunks` wrote under that name (``<journal>.0``, ``.1``...), in order.

    Raises
    ------
    ValidationError
        Neither *journal* nor ``<journal>.0`` is there, or it is not a journal.

    Examples
    --------
    >>> import tempfile, os
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> chunks = [pd.DataFrame({"phone": ["+79161234567"], "text": ["Hi"]}),
    ...           pd.DataFrame({"phone": ["+79031234567"], "text": ["Hi"]}, index=[1])]
    >>> path = os.path.join(tempfile.mkdtemp(), "c.journal")
    >>> with Sandbox() as sandbox:
    ...     _ = send_chunks(chunks, Client("demo", "demo", url=sandbox.url), journal=path,
    ...                     phone="phone", text="text", progress=False)
    >>> results_from_journals(path)["outcome"].tolist()
    ['sent', 'sent']
    """
    chunks = chunk_journals(journal)
    if not Path(journal).exists() and not chunks:
        raise ValidationError("path", "no such file (nor chunk journals beside it)", str(journal))
    if Path(journal).is_file() or not chunks:
        return results_from_journal(journal)
    results = pd.concat([results_from_journal(path) for path in chunks])
    results.attrs["journal"] = str(journal)
    return results


def _chunk_payloads(plan: pd.DataFrame, chunk: int) -> list[Any]:
    """The chunk's requests, ids ``<hash of the chunk's rows>n<chunk>-<k>``: deterministic."""
    columns = [name for name in ("phone", "text", "sender", "sendable") if name in plan]
    hashed = pd.util.hash_pandas_object(plan[columns].astype(object), index=True)
    content = hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()[:10]
    return build_payloads(plan, plan_options(plan, None), campaign_id=f"{content}n{chunk}")


def _prepared(
    chunks: Iterable[pd.DataFrame], seen: SeenKeys, prepare_kwargs: dict[str, Any]
) -> Iterator[tuple[int, pd.DataFrame]]:
    for number, chunk in enumerate(chunks):
        yield number, seen.mark(prepare(chunk, **prepare_kwargs), number)


class ChunkNotAcceptedError(SmscFramesError):
    """A chunk of which SMSC accepted no request (e.g. no money left): later chunks were not
    sent. ``totals`` holds what was sent before it; the same call again resumes.
    """

    def __init__(self, message: str, totals: ChunkedTotals) -> None:
        super().__init__(message)
        self.totals = totals


class ResultsNotWrittenError(SmscFramesError):
    """The results file failed (disk full, a value its format cannot hold) after a chunk was
    sent; the chunk's requests are in its journal, so the same call again resumes. ``why``:
    the cause in words (its ``strerror`` for an ``OSError``).
    """

    def __init__(self, why: str, totals: ChunkedTotals) -> None:
        super().__init__(f"the results file was not written: {why}")
        self.why = why
        self.totals = totals


def estimate_chunks(
    chunks: Iterable[pd.DataFrame],
    client: Any,
    *,
    max_workers: int = 4,
    retry: RetryPolicy | None = None,
    limits: SmscLimits | None = None,
    **prepare_kwargs: Any,
) -> ChunkedTotals:
    """What the campaign would cost, asked chunk by chunk (nothing is sent).

    Parameters
    ----------
    chunks : iterable of pandas.DataFrame
        The contacts, e.g. ``read_contacts(path, chunksize=100_000)``; labels unique across
        chunks.
    client : smsc_frames.client.Client
    max_workers : int
        Parallel requests per chunk.
    retry, limits : optional
        As for :func:`estimate`.
    **prepare_kwargs
        :func:`smsc_frames.plan.prepare`'s arguments (``phone=``, ``text=``...).

    Returns
    -------
    ChunkedTotals
        The client keeps no chunk's answers (``client.quotes``), so memory stays bounded.
    """
    totals = ChunkedTotals()
    with _seen_keys(None) as seen:
        for number, plan in _prepared(chunks, seen, prepare_kwargs):
            requests = _chunk_payloads(plan, number)
            earlier = {request.digest for request in requests if request.digest in client.quotes}
            with warnings.catch_warnings():  # a chunk's shortfall: said once, for the file
                warnings.filterwarnings("ignore", message=SHORTFALL_WARNING)
                quote = estimate(
                    plan,
                    client,
                    payloads=requests,
                    verify_payloads=False,  # built from this chunk's plan
                    max_workers=max_workers,
                    retry=retry,
                    limits=limits,
                )
            for request in requests:  # the chunk's answers, not kept for the whole file
                if request.digest not in earlier:
                    client.quotes.pop(request.digest, None)
            totals.chunks += 1
            totals.rows += len(plan)
            totals.recipients += quote.recipients
            totals.total_parts += quote.total_parts
            totals.total_cost += quote.total_cost
            totals.balance = quote.balance
            totals.outcomes["duplicate"] += int(plan["duplicate_of"].notna().sum())
            totals.outcomes["invalid"] += int(plan["problem"].notna().sum())
    if totals.balance is not None and totals.total_cost > totals.balance:
        warn_shortfall(totals.total_cost, totals.balance, sandbox=client.is_sandbox)
    return totals


def send_chunks(
    chunks: Iterable[pd.DataFrame],
    client: Any,
    *,
    journal: str | os.PathLike[str] | None = None,
    results: str | os.PathLike[str] | None = None,
    progress: bool = True,
    max_workers: int = 4,
    retry: RetryPolicy | None = None,
    limits: SmscLimits | None = None,
    shape: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame] | None = None,
    sep: str = ",",
    decimal: str = ".",
    **prepare_kwargs: Any,
) -> ChunkedTotals:
    """Send the campaign chunk by chunk, each number once across chunks, resumably.

    Parameters
    ----------
    chunks : iterable of pandas.DataFrame
        The contacts, e.g. ``read_contacts(path, chunksize=100_000)``; labels unique across
        chunks. Give the same chunks to a rerun.
    client : smsc_frames.client.Client
    journal : str or path-like, optional
        The campaign's journal: chunk ``n`` is journaled in ``<journal>.<n>`` and the keys
        seen so far in ``<journal>.seen``. Running the same call again after a crash skips
        what was accepted (a finished chunk posts nothing) and sends the rest.
    results : str or path-like, optional
        A ``.csv`` (:func:`smsc_frames.export.to_csv`'s format) or ``.parquet`` file of every
        row's results (:class:`smsc_frames.resultsfile.ResultsWriter`), written chunk by chunk
        to ``<results>.partial`` and moved into place when the last chunk is done. Stopped
        before (Ctrl-C), the chunks finished so far stay in ``.partial``; the same call again
        rewrites it from chunk 0 (finished chunks' rows come back from their journals).
    progress : bool
        A progress bar per chunk.
    max_workers : int
        Parallel requests.
    retry, limits : optional
        As for :func:`send`.
    shape : callable, optional
        ``shape(results, plan)`` -> the table written for a chunk (e.g. with the input
        columns beside the results); default the results as :func:`send` returns them.
    sep, decimal : str
        As for :func:`smsc_frames.export.to_csv`.
    **prepare_kwargs
        :func:`smsc_frames.plan.prepare`'s arguments (``phone=``, ``text=``...).

    Returns
    -------
    ChunkedTotals
        Summed over the chunks; ``results`` the results file's path.

    Raises
    ------
    ChunkNotAcceptedError
        SMSC accepted none of a chunk's requests: the chunks after it were not sent.
    ResultsNotWrittenError
        The results file failed after a chunk was sent (its journal holds the requests).
    """
    totals = ChunkedTotals()
    written = None if results is None else ResultsWriter(results, sep=sep, decimal=decimal)
    sent_before = SentBefore(SmscApi.of(client, retry, limits))
    with _seen_keys(journal) as seen, written or nullcontext():
        for number, plan in _prepared(chunks, seen, prepare_kwargs):
            this_journal = None if journal is None else chunk_journal(journal, number)
            requests = _chunk_payloads(plan, number)
            sent = send(
                plan,
                client,
                journal=this_journal,
                payloads=requests,
                verify_payloads=False,  # built from this chunk's plan
                progress=progress,
                max_workers=max_workers,
                retry=retry,
                limits=limits,
                check_sent=sent_before.must_check(requests, this_journal),
            )
            _add_sent(totals, sent)
            if written is not None:
                with _results_file(totals):
                    written.write(sent if shape is None else shape(sent, plan))
            _keep_order(number, requests, sent, totals)
    if written is not None:
        if totals.chunks == 0:
            raise ValidationError("chunks", "held no rows", 0)
        with _results_file(totals):
            totals.results = written.finish()
    return totals


@contextmanager
def _results_file(totals: ChunkedTotals) -> Iterator[None]:
    """Say that a failure inside is the results file's, after chunks were sent."""
    try:
        yield
    except OSError as error:
        raise ResultsNotWrittenError(error.strerror or str(error), totals) from error
    except ValidationError as error:
        raise ResultsNotWrittenError(str(error), totals) from error


class SentBefore:
    """Which chunks :func:`send` must look for on SMSC before posting ("sent before?").

    A chunk whose requests SMSC may know (from an earlier run, with this journal, another or
    none) is checked by :func:`send` (``check_sent``), on real SMSC one paced status list (a
    minute) per chunk of more than 10 requests. Checking stops at the first chunk that has
    requests, none of them ever posted by its journal, and none known to SMSC: later chunks
    cannot have been sent. Proof: a run starts chunk ``n + 1`` only once SMSC accepted at
    least one request of chunk ``n`` (:func:`_keep_order`), and an accepted request stays
    known by its (id, first phone); ids are the same in every run of the same chunks.

    Examples
    --------
    >>> from smsc_frames.client import Client
    >>> from smsc_frames.sandbox import Sandbox
    >>> with Sandbox() as sandbox:
    ...     api = SmscApi.of(Client("demo", "demo", url=sandbox.url))
    ...     check = SentBefore(api)
    ...     frame = pd.DataFrame({"phone": ["79161234567"], "text": ["Hi"]})
    ...     plan = prepare(frame, phone="phone", text="text")
    ...     first = check.must_check(_chunk_payloads(plan, 0), None)
    ...     later = check.must_check(_chunk_payloads(plan, 1), None)
    >>> first, later, check.checking
    (False, False, False)
    """

    def __init__(self, api: SmscApi) -> None:
        self.api = api
        #: False once a chunk proved that SMSC has seen none of the chunks after it
        self.checking = True

    def must_check(self, requests: Sequence[Payload], chunk_journal: Path | None) -> bool:
        """``check_sent`` for :func:`send` of a chunk with *requests* and *chunk_journal*.

        While checking, a chunk whose journal exists (it may have posted some requests) is
        left to :func:`send`'s own check, which proves nothing about later chunks. Otherwise
        this looks (id, first phone) of every request up: none known, and neither this
        chunk nor any later one needs :func:`send` to check; one known (or no answer), and
        :func:`send` checks and reconciles them.
        """
        if not self.checking or not requests:
            return self.checking
        if chunk_journal is not None and chunk_journal.exists():
            return True
        try:
            known = known_requests(self.api, [(r.id, r.recipients[0]) for r in requests])
        except SmscError:
            return True  # send's own check meets the same fault and stops before posting
        if known:
            return True
        self.checking = False
        return False


def _keep_order(
    number: int, requests: Sequence[Payload], sent: pd.DataFrame, totals: ChunkedTotals
) -> None:
    """Stop before chunk ``number + 1`` when SMSC accepted none of chunk *number*'s requests.

    This keeps :class:`SentBefore`'s proof: a later chunk is only ever posted after SMSC
    stored something of every earlier chunk with requests.
    """
    if requests and not (sent["outcome"] == "sent").any():
        raise ChunkNotAcceptedError(
            f"chunk {number}: SMSC accepted none of its {len(requests)} requests (see the "
            "reason column); later chunks were not sent. Fix the cause and send again with "
            "the same journal to resume",
            totals,
        )


def _add_sent(totals: ChunkedTotals, sent: pd.DataFrame) -> None:
    totals.chunks += 1
    totals.rows += len(sent)
    counts = sent["outcome"].value_counts()
    for outcome in OUTCOMES:
        totals.outcomes[outcome] += int(counts.get(outcome, 0))
    reached = sent["outcome"] == "sent"
    totals.recipients += int(reached.sum())
    totals.total_parts += int(pd.to_numeric(sent["parts"][reached]).fillna(0).sum())
    totals.total_cost += sum((c for c in sent["cost"][reached] if isinstance(c, Decimal)),
                             Decimal(0))  # fmt: skip
