"""How long to wait and how often to retry, apart from what SMSC itself allows.

Two immutable objects, taken alike by :func:`~smsc_frames.campaign.estimate`,
:func:`~smsc_frames.campaign.send`, :func:`~smsc_frames.delivery.refresh_status`, the notebook
panel and the command line:

* :class:`RetryPolicy`: *our* choices (back-offs, how many retries, how long a posted request is
  given to settle, how many reconcile rounds one call makes);
* :class:`SmscLimits`: *SMSC's* documented limits (one status list request a minute, 1,000
  pairs per list request, the one-minute duplicate window, at most 15 concurrent connections).
  Tests shrink the waits; against real SMSC the defaults are the documented figures.

Examples
--------
>>> RetryPolicy().retries, SmscLimits().status_list_interval
(6, 60.0)
>>> SmscLimits(status_list_interval=-1)
Traceback (most recent call last):
...
smsc_frames.errors.ValidationError: status_list_interval: must be a number of seconds >= 0 (got -1)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from smsc_frames.errors import ValidationError


def _check_seconds(owner: object, *names: str) -> None:
    for name in names:
        value = getattr(owner, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValidationError(name, "must be a number of seconds >= 0", value)


def _check_counts(owner: object, *names: str, minimum: int = 0) -> None:
    for name in names:
        value = getattr(owner, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValidationError(name, f"must be an integer >= {minimum}", value)


@dataclass(frozen=True)
class RetryPolicy:
    """Our waiting and retrying choices; the defaults suit SMSC.

    Parameters
    ----------
    backoff : float
        First back-off in seconds (doubled after each retry, jittered, capped by
        ``max_backoff``) after error 9 "too many concurrent requests", or a status check refused
        for pace or lost in transit.
    max_backoff : float
        The longest single back-off.
    retries : int
        How many times one call is retried after such refusals before the campaign stops.
    settle : float
        Seconds a posted request is given to reach SMSC's store before ``status.php`` may
        declare it unsent (a killed process's last request may still be on its way).
    max_rounds : int
        How many reconcile-and-repost rounds one :func:`~smsc_frames.campaign.send` call makes
        before it leaves the remaining requests *unknown* for the next run.

    Examples
    --------
    >>> delays = RetryPolicy(backoff=1.0, max_backoff=3.0, retries=4).delays()
    >>> len(delays), all(0.5 <= d <= 3.0 for d in delays)
    (4, True)
    """

    backoff: float = 0.5
    max_backoff: float = 30.0
    retries: int = 6
    settle: float = 3.0
    max_rounds: int = 4

    def __post_init__(self) -> None:
        _check_seconds(self, "backoff", "max_backoff", "settle")
        _check_counts(self, "retries", "max_rounds")

    def delays(self) -> list[float]:
        """The jittered back-offs, one per retry."""
        return [
            min(self.backoff * 2**attempt, self.max_backoff) * random.uniform(0.5, 1.0)
            for attempt in range(self.retries)
        ]


SMSC_CONCURRENT_REFUSED = 15
"""SMSC answers error 9 "too many concurrent requests" from this many at once, one login."""


@dataclass(frozen=True)
class SmscLimits:
    """SMSC's documented limits, as the client respects them.

    Parameters
    ----------
    status_list_interval : float
        Seconds between the starts of two ``status.php`` list requests of one account (SMSC
        answers error 9 to more than one a minute).
    status_batch_size : int
        (id, phone) pairs per list request. An id is at most 40 characters and a phone at most
        15 digits, each followed by an url-encoded comma, so a request stays under
        1000 x (40 + 3 + 15 + 3) = 61 KB.
    duplicate_window : float
        How long SMSC refuses an identical request (60 s, plus a second of margin): a send
        request reconciled as unsent after a "duplicate" answer is posted again only once this
        has passed since its last post, and a history page refused as the fourth identical
        request of the minute is asked again this much later.
    max_workers : int
        The most parallel send requests allowed, at most 14 (SMSC refuses 15 concurrent
        connections).

    Examples
    --------
    >>> SmscLimits(status_batch_size=0)
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: status_batch_size: must be an integer >= 1 (got 0)
    """

    status_list_interval: float = 60.0
    status_batch_size: int = 1000
    duplicate_window: float = 61.0
    max_workers: int = 8

    def __post_init__(self) -> None:
        _check_seconds(self, "status_list_interval", "duplicate_window")
        _check_counts(self, "status_batch_size", "max_workers", minimum=1)
        if self.max_workers >= SMSC_CONCURRENT_REFUSED:
            raise ValidationError(
                "max_workers",
                f"must be at most {SMSC_CONCURRENT_REFUSED - 1}: SMSC refuses "
                f"{SMSC_CONCURRENT_REFUSED} or more concurrent requests of one login (error 9)",
                self.max_workers,
            )

    def check_workers(self, max_workers: object) -> int:
        """*max_workers* when it is an integer from 1 to :attr:`max_workers`, else an error.

        Examples
        --------
        >>> SmscLimits().check_workers(9)
        Traceback (most recent call last):
        ...
        smsc_frames.errors.ValidationError: max_workers: must be an integer from 1 to 8 \
(SMSC refuses 15 concurrent requests) (got 9)
        """
        if (
            isinstance(max_workers, bool)
            or not isinstance(max_workers, int)
            or not 1 <= max_workers <= self.max_workers
        ):
            raise ValidationError(
                "max_workers",
                f"must be an integer from 1 to {self.max_workers} "
                "(SMSC refuses 15 concurrent requests)",
                max_workers,
            )
        return max_workers
