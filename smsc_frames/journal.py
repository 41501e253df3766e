"""A durable journal of send requests, so an interrupted campaign resumes exactly once.

SMSC has no idempotency key. What it has is our own message ``id`` per request, ``status.php``
on (id, phone), and error 9 for an identical request within a minute. The journal records each
request -- its id, payload digest, recipients and state -- *before* it is posted and after every
answer, in an sqlite3 file (WAL, ``synchronous=FULL``, mode ``0o600``). It never holds
credentials or message texts: only ids, digests, phones and typed records of SMSC's answers
(:mod:`smsc_frames.records`; journals of the first format, untyped answers, are read too).

States of a request::

    planned --> in_flight --> accepted        (SMSC answered with an id)
                          \\-> rejected        (SMSC answered with an error for this request)
                          \\-> unknown         (the answer was lost: reconcile via status.php)
                          \\-> planned         (provably not sent: retry later)

Examples
--------
>>> from smsc_frames.journal import Journal, JournalEntry
>>> from smsc_frames.records import Accepted
>>> entries = [JournalEntry("c-1", "d1", ("79161234567",)),
...            JournalEntry("c-2", "d2", ("79031234567",))]
>>> with Journal.open(None, entries) as journal:
...     journal.mark("c-1", "in_flight")
...     journal.mark("c-1", "accepted", record=Accepted("c-1", 1, None, None, ()))
...     [(entry.payload_id, entry.state, entry.attempts) for entry in journal.entries()]
[('c-1', 'accepted', 1), ('c-2', 'planned', 0)]
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol

from smsc_frames import records
from smsc_frames.errors import ValidationError
from smsc_frames.records import Record

STATES = ("planned", "in_flight", "accepted", "rejected", "unknown")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaign (
    plan_digest     TEXT NOT NULL,
    requests        INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    library_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_rows (
    position     INTEGER PRIMARY KEY,
    label        TEXT NOT NULL,
    payload_id   TEXT,
    phone        TEXT,
    phone_input  TEXT,
    parts        INTEGER,
    sendable     INTEGER NOT NULL,
    problem      TEXT,
    duplicate_of TEXT
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

    @property
    def id(self) -> str: ...

    @property
    def digest(self) -> str: ...

    @property
    def recipients(self) -> tuple[str, ...]: ...


class PlanRow(NamedTuple):
    """One plan row as the journal keeps it (never its text)."""

    position: int
    label: str
    """The row's index label as JSON (its ``str`` when JSON cannot hold it)."""
    payload_id: str | None
    phone: str | None
    phone_input: str | None
    parts: int | None
    sendable: int
    problem: str | None
    duplicate_of: str | None
    """The index label of the row it duplicates, as JSON, or None."""


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
    record : Record, optional
        What the last answer (or failure, or reconciliation) said: a :mod:`smsc_frames.records`
        record.
    attempts : int
        How many times the request was marked ``in_flight`` (posted or about to be).
    posted_at, answered_at : str, optional
        UTC ISO timestamps of the last post and the last answer.
    """

    payload_id: str
    digest: str
    recipients: tuple[str, ...]
    state: str = "planned"
    record: Record | None = field(default=None, compare=False)
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

    def __init__(
        self, connection: sqlite3.Connection, path: Path | None, holder: IO[bytes] | None = None
    ) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._decoded: dict[tuple[str, str], tuple[str, Any]] = {}
        self._holder = holder
        self.path = path

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None,
        requests: Iterable[Request],
        rows: Iterable[PlanRow] | None = None,
    ) -> Journal:
        """Open (or create) the journal at *path* for the campaign made of *requests*.

        Parameters
        ----------
        path : str or path-like or None
            The journal file. ``None`` keeps the journal in memory (nothing survives the
            process, but the same bookkeeping applies within one run).
        requests : iterable of Request
            The campaign's requests, in order. A new journal records them as ``planned``; an
            existing one must have been written for exactly these requests.
        rows : iterable of PlanRow, optional
            The plan's rows (no texts), recorded once, so the results can be written from the
            journal alone (:func:`smsc_frames.campaign.results_from_journal`).

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
        holder = None
        if path is None:
            file_path = None
            connection = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            file_path = Path(path)
            if file_path.is_dir():
                raise ValidationError("journal", "is a folder; name a file (in it, say)", str(path))
            if not file_path.parent.is_dir():
                raise ValidationError("journal", "is in a folder that does not exist", str(path))
            _create_private_file(file_path)
            _check_private(file_path)
            holder = _hold(file_path)
            connection = sqlite3.connect(file_path, check_same_thread=False, timeout=30.0)
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        journal = cls(connection, file_path, holder)
        try:
            journal._initialise(digest, requests)
            if rows is not None:
                journal._record_rows(rows)
        except BaseException:
            journal.close()  # a refused journal is not left locked
            raise
        return journal

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Journal:
        """Open an existing journal to read it, whatever plan it was written for.

        Raises
        ------
        ValidationError
            *path* is not a journal file.
        """
        file_path = Path(path)
        if not file_path.is_file():
            raise ValidationError("journal", "is not a journal file", str(path))
        connection = sqlite3.connect(
            f"{file_path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        try:
            connection.execute("SELECT plan_digest FROM campaign").fetchone()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise ValidationError(
                "journal", f"is not a journal file ({error})", str(path)
            ) from error
        return cls(connection, file_path)

    def _record_rows(self, rows: Iterable[PlanRow]) -> None:
        """Store the plan's rows unless the journal already holds them."""
        with self._lock, self._connection:
            if self._connection.execute("SELECT 1 FROM plan_rows LIMIT 1").fetchone():
                return
            self._connection.executemany(
                "INSERT INTO plan_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tuple(row) for row in rows),
            )

    def plan_rows(self) -> list[PlanRow]:
        """The plan's rows as recorded (empty for a journal written without them)."""
        with self._lock:
            try:
                found = self._connection.execute(
                    "SELECT * FROM plan_rows ORDER BY position"
                ).fetchall()
            except sqlite3.OperationalError:  # a journal written before plan rows were kept
                return []
        return [PlanRow(*row) for row in found]

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

    def mark(self, payload_id: str, state: str, *, record: Record | None = None) -> None:
        """Record that request *payload_id* is now in *state*, durably, before returning.

        ``in_flight`` counts an attempt and stamps ``posted_at``; the other states stamp
        ``answered_at`` and store *record* (the previous one is kept when *record* is ``None``).

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
            encoded = None if record is None else records.dump(record)
            values = (state, encoded, now, now, payload_id)
        with self._lock, self._connection:
            updated = self._connection.execute(sql, values).rowcount
        if updated != 1:
            raise ValidationError("payload_id", "is not a request of this journal", payload_id)
        if record is not None and encoded is not None:  # reused by entries() without decoding
            self._decoded[(payload_id, "answer")] = (f"{state}\0{encoded}", record)

    def entries(self) -> list[JournalEntry]:
        """Every request of the campaign, in plan order, as last recorded.

        One query; each stored JSON text (recipients, record) is decoded once and reused while it
        stays the same.
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
                record=self._record(payload_id, state, answer),
                attempts=attempts,
                posted_at=posted_at,
                answered_at=answered_at,
            )
            for (payload_id, digest, recipients, state, answer, attempts, posted_at,
                 answered_at) in rows
        ]  # fmt: skip

    def _decode(self, payload_id: str, column: str, text: str) -> Any:
        """The recipients of a request as a tuple, decoded once per distinct text."""
        cached = self._decoded.get((payload_id, column))
        if cached is not None and cached[0] == text:
            return cached[1]
        value = tuple(json.loads(text))
        self._decoded[(payload_id, column)] = (text, value)
        return value

    def _record(self, payload_id: str, state: str, text: str | None) -> Record | None:
        """The record in a request's answer cell, decoded once per distinct (state, text)."""
        if text is None:
            return None
        key = f"{state}\0{text}"
        cached = self._decoded.get((payload_id, "answer"))
        if cached is not None and cached[0] == key:
            return cached[1]
        record = records.load(text, state=state)
        self._decoded[(payload_id, "answer")] = (key, record)
        return record

    def close(self) -> None:
        """Close the database (every change is already committed) and let other runs open it."""
        self._connection.close()
        if self._holder is not None:
            self._holder.close()  # closing the file releases its lock
            self._holder = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "in memory" if self.path is None else str(self.path)
        return f"Journal({where})"


if sys.platform == "win32":
    import msvcrt

    def _lock_exclusively(handle: IO[bytes]) -> None:
        """Lock *handle*'s first byte, or raise :class:`OSError` when another holds it."""
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock_exclusively(handle: IO[bytes]) -> None:
        """Lock *handle*'s file, or raise :class:`OSError` when another holds it."""
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _hold(file_path: Path) -> IO[bytes]:
    """An exclusive lock on *file_path*'s ``.lock`` companion, held until the file returned is
    closed: two runs of one campaign (a second click, another notebook or terminal) each see
    the other's requests as not yet posted, and both would post them.

    Raises
    ------
    ValidationError
        Another run holds the journal.
    """
    descriptor = os.open(
        file_path.with_name(file_path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600
    )
    holder = os.fdopen(descriptor, "r+b")  # held until the journal closes
    try:
        _lock_exclusively(holder)
    except OSError:
        holder.close()
        raise ValidationError(
            "journal",
            "is in use by another run of this campaign (another click, notebook or terminal): "
            "wait for it to finish, then run again to resume",
            str(file_path),
        ) from None
    return holder


def _reached_rows(
    rows: Iterable[tuple[str, str, str, str | None]], *, include_unknown: bool
) -> list[tuple[str, str, str]]:
    """(payload id, phone, state) of every message SMSC accepted (or may have, if asked).

    *rows* are ``(payload_id, recipients JSON, state, record JSON)``. Numbers an accepted
    request's record reports as refused (an ``op=1`` refusal, or a status of
    :func:`~smsc_frames.records.refused_by_status` found through ``status.php``) were not sent
    and are left out.
    """
    states = {"accepted", "in_flight", "unknown"} if include_unknown else {"accepted"}
    reached = []
    for payload_id, recipients, state, record_text in rows:
        if state not in states:
            continue
        record = records.load(record_text, state=state) if record_text else None
        refused: set[str] = set()
        if state == "accepted" and isinstance(record, records.Accepted | records.Reconciled):
            refused = record.refused_phones()
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
    >>> from smsc_frames.records import Accepted
    >>> with Journal.open(path, entries) as journal:
    ...     journal.mark("c-1", "accepted", record=Accepted("c-1", 1, None, None, (
    ...         {"phone": "79161234567", "status": ""}, {"phone": "12345", "status": "22"})))
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
