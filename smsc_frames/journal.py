"""A durable journal of send requests, so an interrupted campaign resumes exactly once.

SMSC has no idempotency key. What it has is our own message ``id`` per request, ``status.php``
on (id, phone), and error 9 for an identical request within a minute. The journal records each
request -- its id, payload digest, recipients and state -- *before* it is posted and after every
answer, in an sqlite3 file (WAL, ``synchronous=FULL``, mode ``0o600``). It never holds
credentials or message texts: only ids, digests, phones and SMSC's answers.

States of a request::

    planned --> in_flight --> accepted        (SMSC answered with an id)
                          \\-> rejected        (SMSC answered with an error for this request)
                          \\-> unknown         (the answer was lost: reconcile via status.php)
                          \\-> planned         (provably not sent: retry later)

Examples
--------
>>> from smsc_frames.journal import Journal, JournalEntry
>>> entries = [JournalEntry("c-1", "d1", ("79161234567",)),
...            JournalEntry("c-2", "d2", ("79031234567",))]
>>> with Journal.open(None, entries) as journal:
...     journal.mark("c-1", "in_flight")
...     journal.mark("c-1", "accepted", answer={"id": "c-1", "cnt": 1})
...     [(entry.payload_id, entry.state, entry.attempts) for entry in journal.entries()]
[('c-1', 'accepted', 1), ('c-2', 'planned', 0)]
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from smsc_frames.errors import ValidationError

STATES = ("planned", "in_flight", "accepted", "rejected", "unknown")

REFUSED_STATUSES = frozenset({-3, 22, 23, 24})
"""``status.php`` statuses that mean a number of an accepted request was not sent: not found,
wrong number, forbidden, no money (a number refused at send may also leave no trace: -3)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaign (
    plan_digest     TEXT NOT NULL,
    requests        INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    library_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    seq          INTEGER NOT NULL,
    payload_id   TEXT PRIMARY KEY,
    digest       TEXT NOT NULL,
    recipients   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('planned', 'in_flight', 'accepted',
                                                'rejected', 'unknown')),
    answer       TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    posted_at    TEXT,
    answered_at  TEXT,
    updated_at   TEXT NOT NULL
);
"""


class Request(Protocol):
    """What the journal needs of a request (a :class:`smsc_frames.payloads.Payload` fits)."""

    id: str
    digest: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class JournalEntry:
    """One request as the journal knows it.

    Parameters
    ----------
    payload_id : str
        The SMSC message id of the request.
    digest : str
        The payload's digest (sha256 of its canonical parameters).
    recipients : tuple of str
        The phones of the request, in order.
    state : str
        One of :data:`STATES`.
    answer : dict, optional
        The last answer (or error) recorded for the request.
    attempts : int
        How many times the request was marked ``in_flight`` (posted or about to be).
    posted_at, answered_at : str, optional
        UTC ISO timestamps of the last post and the last answer.
    """

    payload_id: str
    digest: str
    recipients: tuple[str, ...]
    state: str = "planned"
    answer: dict[str, Any] | None = field(default=None, compare=False)
    attempts: int = 0
    posted_at: str | None = None
    answered_at: str | None = None

    @property
    def id(self) -> str:
        """The payload id, so an entry can stand in for a request."""
        return self.payload_id


def plan_digest(requests: Iterable[Request]) -> str:
    """Hash a campaign's requests (ids and payload digests, in order) into one digest.

    Examples
    --------
    >>> a = [JournalEntry("c-1", "d1", ("79161234567",))]
    >>> plan_digest(a) == plan_digest(list(a)), plan_digest(a) == plan_digest([])
    (True, False)
    """
    hasher = hashlib.sha256()
    for request in requests:
        hasher.update(f"{request.id}\t{request.digest}\n".encode())
    return hasher.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _library_version() -> str:
    try:
        return metadata.version("smsc-frames")
    except metadata.PackageNotFoundError:
        return "unknown"


def _create_private_file(path: Path) -> None:
    """Create *path* empty with mode 0o600 unless it exists (no window where others may read)."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def _check_private(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ValidationError(
            "journal",
            f"must be readable only by its owner (it is {oct(mode)}; run chmod 600 on it)",
            str(path),
        )


class Journal:
    """The sqlite3 journal of one campaign; use :meth:`Journal.open`.

    Every method is safe to call from several threads (one lock serialises the writes), and
    every state change is committed with ``synchronous=FULL`` before the method returns.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._decoded: dict[tuple[str, str], tuple[str, Any]] = {}
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None, requests: Iterable[Request]) -> Journal:
        """Open (or create) the journal at *path* for the campaign made of *requests*.

        Parameters
        ----------
        path : str or path-like or None
            The journal file. ``None`` keeps the journal in memory (nothing survives the
            process, but the same bookkeeping applies within one run).
        requests : iterable of Request
            The campaign's requests, in order. A new journal records them as ``planned``; an
            existing one must have been written for exactly these requests.

        Raises
        ------
        ValidationError
            The file was written for a different plan, or others may read it.

        Examples
        --------
        >>> import tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> path = os.path.join(folder, "c.journal")
        >>> entries = [JournalEntry("c-1", "d1", ("79161234567",))]
        >>> Journal.open(path, entries).close()
        >>> oct(os.stat(path).st_mode & 0o777)
        '0o600'
        >>> changed = [JournalEntry("c-1", "other", ("79161234567",))]
        >>> Journal.open(path, changed)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        smsc_frames.errors.ValidationError: journal: was written for a different plan ...
        """
        requests = list(requests)
        digest = plan_digest(requests)
        if path is None:
            file_path = None
            connection = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            file_path = Path(path)
            _create_private_file(file_path)
            _check_private(file_path)
            connection = sqlite3.connect(file_path, check_same_thread=False, timeout=30.0)
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        journal = cls(connection, file_path)
        journal._initialise(digest, requests)
        return journal

    def _initialise(self, digest: str, requests: list[Request]) -> None:
        with self._lock, self._connection:
            self._connection.executescript(_SCHEMA)
            row = self._connection.execute("SELECT plan_digest FROM campaign").fetchone()
            if row is not None:
                if row[0] != digest:
                    raise ValidationError("journal", self._other_plan_message(), str(self.path))
                return
            now = _now()
            self._connection.execute(
                "INSERT INTO campaign VALUES (?, ?, ?, ?)",
                (digest, len(requests), now, _library_version()),
            )
            self._connection.executemany(
                "INSERT INTO requests (seq, payload_id, digest, recipients, state, updated_at) "
                "VALUES (?, ?, ?, ?, 'planned', ?)",
                [
                    (seq, request.id, request.digest, json.dumps(list(request.recipients)), now)
                    for seq, request in enumerate(requests)
                ],
            )

    def _other_plan_message(self) -> str:
        """Why the journal is refused, and how to go on without sending anyone twice."""
        rows = self._connection.execute(
            "SELECT payload_id, recipients, state, answer FROM requests"
        ).fetchall()
        reached = _reached_rows(rows, include_unknown=False)
        maybe = _reached_rows(rows, include_unknown=True)
        where = "path" if self.path is None else repr(str(self.path))
        message = (
            "was written for a different plan (other recipients, texts, options or batching). "
            f"This journal records {len(reached)} messages as accepted by SMSC"
        )
        if len(maybe) > len(reached):
            message += (
                f" and {len(maybe) - len(reached)} more whose outcome is unknown (they may "
                "have been sent)"
            )
        return message + (
            ". Run the original plan with it to resume. A new journal file would send to "
            "those recipients again unless you remove them from the plan first: "
            f"done = smsc_frames.journal.accepted_phones({where}, include_unknown=True); "
            "plan = plan[~plan['phone'].isin(done['phone'])]"
        )

    def mark(self, payload_id: str, state: str, *, answer: dict[str, Any] | None = None) -> None:
        """Record that request *payload_id* is now in *state*, durably, before returning.

        ``in_flight`` counts an attempt and stamps ``posted_at``; the other states stamp
        ``answered_at`` and store *answer* (kept as it was when *answer* is ``None``).

        Examples
        --------
        >>> with Journal.open(None, [JournalEntry("c-1", "d1", ("79161234567",))]) as journal:
        ...     journal.mark("c-1", "sent")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        smsc_frames.errors.ValidationError: state: must be one of planned, ... (got 'sent')
        """
        if state not in STATES:
            raise ValidationError("state", f"must be one of {', '.join(STATES)}", state)
        now = _now()
        encoded = None
        if state == "in_flight":
            sql = (
                "UPDATE requests SET state = ?, attempts = attempts + 1, posted_at = ?, "
                "updated_at = ? WHERE payload_id = ?"
            )
            values: tuple[Any, ...] = (state, now, now, payload_id)
        else:
            sql = (
                "UPDATE requests SET state = ?, answer = COALESCE(?, answer), answered_at = ?, "
                "updated_at = ? WHERE payload_id = ?"
            )
            encoded = None if answer is None else json.dumps(answer, default=str)
            values = (state, encoded, now, now, payload_id)
        with self._lock, self._connection:
            updated = self._connection.execute(sql, values).rowcount
        if updated != 1:
            raise ValidationError("payload_id", "is not a request of this journal", payload_id)
        if encoded is not None:  # decoded here, in the caller's thread, for entries() to reuse
            self._decode(payload_id, "answer", encoded)

    def entries(self) -> list[JournalEntry]:
        """Every request of the campaign, in plan order, as last recorded.

        One query; each stored JSON text (recipients, answer) is decoded once and reused while it
        stays the same, so the returned ``answer`` dicts may be shared between calls: read them,
        do not change them.
        """
        with self._lock:
            rows = self._connection.execute(
                "SELECT payload_id, digest, recipients, state, answer, attempts, posted_at, "
                "answered_at FROM requests ORDER BY seq"
            ).fetchall()
        return [
            JournalEntry(
                payload_id=payload_id,
                digest=digest,
                recipients=self._decode(payload_id, "recipients", recipients),
                state=state,
                answer=self._decode(payload_id, "answer", answer),
                attempts=attempts,
                posted_at=posted_at,
                answered_at=answered_at,
            )
            for payload_id, digest, recipients, state, answer, attempts, posted_at, answered_at in rows
        ]

    def _decode(self, payload_id: str, column: str, text: str | None) -> Any:
        """The value of a JSON cell (recipients as a tuple), decoded once per distinct text."""
        if text is None:
            return None
        cached = self._decoded.get((payload_id, column))
        if cached is not None and cached[0] == text:
            return cached[1]
        value = json.loads(text)
        if column == "recipients":
            value = tuple(value)
        self._decoded[(payload_id, column)] = (text, value)
        return value

    def close(self) -> None:
        """Close the database (every change is already committed)."""
        self._connection.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "in memory" if self.path is None else str(self.path)
        return f"Journal({where})"


def _reached_rows(
    rows: Iterable[tuple[str, str, str, str | None]], *, include_unknown: bool
) -> list[tuple[str, str, str]]:
    """(payload id, phone, state) of every message SMSC accepted (or may have, if asked).

    *rows* are ``(payload_id, recipients JSON, state, answer JSON)``. Numbers an accepted
    request's answer reports as refused (a status in ``op=1``, or one of
    :data:`REFUSED_STATUSES` found through ``status.php``) were not sent and are left out.
    """
    states = {"accepted", "in_flight", "unknown"} if include_unknown else {"accepted"}
    reached = []
    for payload_id, recipients, state, answer_text in rows:
        if state not in states:
            continue
        answer = json.loads(answer_text) if answer_text else {}
        refused = set()
        if state == "accepted" and isinstance(answer, dict):
            for row in answer.get("phones") or []:
                if isinstance(row, dict) and str(row.get("status") or "").strip():
                    refused.add(str(row.get("phone", "")).lstrip("+"))
            found = answer.get("reconciled")
            if isinstance(found, dict):
                statuses = dict(found.get("statuses") or {})
                if "phone" in found:
                    statuses[found["phone"]] = [found.get("status")]
                refused |= {
                    phone
                    for phone, value in statuses.items()
                    if value and value[0] in REFUSED_STATUSES
                }
        for phone in json.loads(recipients):
            if phone.lstrip("+") not in refused and phone not in refused:
                reached.append((payload_id, phone, state))
    return reached


def accepted_phones(path: str | os.PathLike[str], *, include_unknown: bool = False) -> Any:
    """The messages a journal records as accepted by SMSC: who was already reached.

    Use it before sending a *changed* plan with a new journal, so nobody gets the campaign
    twice: ``plan[~plan["phone"].isin(accepted_phones(path)["phone"])]``.

    Parameters
    ----------
    path : str or path-like
        An existing journal file (opened read-only; nothing is changed).
    include_unknown : bool, default False
        Also list the recipients of requests whose outcome is unknown (posted, answer lost,
        not yet reconciled): they may have been sent. Pass True to exclude every recipient
        who *may* have been reached.

    Returns
    -------
    pandas.DataFrame
        Columns ``sms_id`` (the request id), ``phone`` and ``state`` (``accepted``, or
        ``in_flight`` / ``unknown``), in plan order. Numbers SMSC refused inside an accepted
        request (wrong number, ...) are left out: they were not sent.

    Raises
    ------
    ValidationError
        When *path* is not a journal file.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "c.journal")
    >>> entries = [JournalEntry("c-1", "d1", ("79161234567", "12345")),
    ...            JournalEntry("c-2", "d2", ("79031234567",))]
    >>> with Journal.open(path, entries) as journal:
    ...     journal.mark("c-1", "accepted", answer={"id": "c-1", "cnt": 1, "phones": [
    ...         {"phone": "79161234567", "status": ""}, {"phone": "12345", "status": "22"}]})
    ...     journal.mark("c-2", "in_flight")
    >>> accepted_phones(path).values.tolist()
    [['c-1', '79161234567', 'accepted']]
    >>> len(accepted_phones(path, include_unknown=True))
    2
    """
    import pandas as pd

    file_path = Path(path)
    if not file_path.is_file():
        raise ValidationError("path", "is not a journal file", str(path))
    connection = sqlite3.connect(f"{file_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT payload_id, recipients, state, answer FROM requests ORDER BY seq"
        ).fetchall()
    except sqlite3.DatabaseError as error:
        raise ValidationError("path", f"is not a journal file ({error})", str(path)) from error
    finally:
        connection.close()
    reached = _reached_rows(rows, include_unknown=include_unknown)
    return pd.DataFrame(reached, columns=["sms_id", "phone", "state"], dtype=object)
