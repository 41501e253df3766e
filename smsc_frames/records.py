"""What the journal knows about a request: typed, immutable records with a versioned form.

Each answer (or failure) a request gets becomes one record; the journal stores the latest,
the reconciliation and the results read it. Nothing else interprets SMSC's raw answers twice.

=================  =====================================================================
record             meaning
=================  =====================================================================
:class:`Accepted`  SMSC accepted the request; its ``op=1`` rows say number by number
:class:`Refused`   SMSC refused the whole request with an error code (nothing sent)
:class:`Lost`      the answer was lost or unreadable, or SMSC said "duplicate": the
                   request *may* have been accepted (``maybe_sent``)
:class:`Deferred`  not posted, or refused before anything was done (connection never
                   made, too many concurrent requests, credentials, IP blocked)
:class:`Reconciled` SMSC had the request: every recipient's own status from ``status.php``
:class:`NotFound`  ``status.php`` found none of the recipients: provably not sent
=================  =====================================================================

Serialised as JSON with ``"v": 1`` and a ``kind``; :func:`load` also reads the untyped
answers the journal stored before records existed (no ``v``).

Examples
--------
>>> record = Refused(3, "no money")
>>> load(dump(record), state="rejected") == record
True
>>> load('{"error_code": 3, "error": "no money"}', state="rejected")
Refused(code=3, message='no money')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

RECORD_VERSION = 1

FAILED_AT_SEND = frozenset({20, 22, 23, 24, 25})
"""``op=1`` statuses that mean SMSC did not send to a number (undeliverable, wrong number,
forbidden, no money, unreachable)."""

REFUSED_STATUSES = frozenset({-3, 22, 23, 24})
"""``status.php`` statuses that mean a number of an accepted request was not sent: not found
(a number refused at send may leave no trace), wrong number, forbidden, no money."""

NOT_SENT_ERRORS = frozenset({248, 249, 250, 251, 252, 253, 254})
"""``status.php`` errors of SMSC's own refusals before any operator (no route, wrong format,
forbidden, flood, spam filter, unregistered sender): with a failure status the number was
never sent nor charged, e.g. 20 / 248 "no route" (a delivery failure has another error)."""


def refused_by_status(status: int | None, err: int | None) -> bool:
    """Whether a ``status.php`` report says a number of an accepted request was not sent.

    Examples
    --------
    >>> [refused_by_status(*r) for r in ((-3, 0), (22, 249), (20, 248), (20, 1), (1, 0))]
    [True, True, True, False, False]
    """
    return status in REFUSED_STATUSES or (status in FAILED_AT_SEND and err in NOT_SENT_ERRORS)


def _int_or_none(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    try:
        return int(text) if text else None
    except ValueError:
        return None


def refused_at_send(row: Mapping[str, Any]) -> bool:
    """Whether an ``op=1`` row says SMSC refused the number.

    Only an error code or a failure status counts; an empty, ``-1``, ``0`` or ``1`` status is
    an accepted number (SMSC's page allows each reading).

    Examples
    --------
    >>> [refused_at_send(r) for r in ({"status": ""}, {"status": "-1"}, {"status": "0"},
    ...                                {"status": "22", "error": "249"}, {"error": "7"})]
    [False, False, False, True, True]
    """
    status = _int_or_none(row.get("status"))
    error = _int_or_none(row.get("error"))
    return (status is not None and status in FAILED_AT_SEND) or bool(error)


@dataclass(frozen=True)
class RecipientStatus:
    """One recipient's status as ``status.php`` reported it during a reconciliation."""

    phone: str
    status: int
    err: int | None = None
    cost: Decimal | None = None
    sent_at: int | None = None
    """SMSC's ``send_timestamp`` (Unix seconds), when it gave one."""

    @property
    def refused(self) -> bool:
        """Not sent: SMSC has no trace of it or refused it (:func:`refused_by_status`)."""
        return refused_by_status(self.status, self.err)


@dataclass(frozen=True)
class Accepted:
    """SMSC accepted the request (``cost=3&op=1`` answer)."""

    kind: ClassVar[str] = "accepted"
    sms_id: str | None
    cnt: int | None
    cost: Decimal | None
    balance: Decimal | None
    phones: tuple[Mapping[str, Any], ...] = field(repr=False)
    """SMSC's ``op=1`` rows as it sent them (phone, mccmnc, cost, status, error)."""
    sandbox: bool = False

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any], *, sandbox: bool) -> Accepted:
        """The record of a checked ``send.php`` answer."""
        return cls(
            sms_id=None if answer.get("id") is None else str(answer["id"]),
            cnt=_int_or_none(answer.get("cnt")),
            cost=decimal_or_none(answer.get("cost")),
            balance=decimal_or_none(answer.get("balance")),
            phones=tuple(answer.get("phones") or ()),
            sandbox=sandbox,
        )

    def refused_phones(self) -> set[str]:
        """Numbers the ``op=1`` rows report as refused (``+`` dropped)."""
        return {
            str(row.get("phone", "")).lstrip("+") for row in self.phones if refused_at_send(row)
        }


@dataclass(frozen=True)
class Refused:
    """SMSC refused the whole request with an error code; nothing was sent."""

    kind: ClassVar[str] = "refused"
    code: int
    message: str

    @property
    def for_lack_of_money(self) -> bool:
        """Error 3: worth posting again once the account is topped up."""
        return self.code == 3


@dataclass(frozen=True)
class Lost:
    """The answer was lost, unreadable, or "duplicate request": the request may be accepted."""

    kind: ClassVar[str] = "lost"
    detail: str
    maybe_sent: bool = True
    duplicate: bool = False
    """SMSC answered error 9 "duplicate": an identical request was seen within a minute."""
    reconcile_error: str | None = None
    """Why the last reconciliation could not settle it."""


@dataclass(frozen=True)
class Deferred:
    """Not posted, or refused before anything was done: safe to post again later."""

    kind: ClassVar[str] = "deferred"
    detail: str
    code: int | None = None


@dataclass(frozen=True)
class Reconciled:
    """SMSC had the request: each recipient's own status, found through ``status.php``."""

    kind: ClassVar[str] = "reconciled"
    statuses: tuple[RecipientStatus, ...]
    posted_at: str | None
    """When the post that SMSC stored left (ISO UTC), if known; never the time of the check."""
    sandbox: bool = False

    def refused_phones(self) -> set[str]:
        """Recipients SMSC has no trace of or refused."""
        return {status.phone for status in self.statuses if status.refused}

    def missing(self, recipients: tuple[str, ...]) -> list[str]:
        """*recipients* this record has no status for (an old journal probed only one)."""
        known = {status.phone for status in self.statuses}
        return [phone for phone in recipients if phone not in known]


@dataclass(frozen=True)
class NotFound:
    """``status.php`` found none of the recipients: provably not sent, to be posted again."""

    kind: ClassVar[str] = "not_found"


Record = Accepted | Refused | Lost | Deferred | Reconciled | NotFound

_KINDS: dict[str, type[Record]] = {
    kind.kind: kind for kind in (Accepted, Refused, Lost, Deferred, Reconciled, NotFound)
}


def decimal_or_none(value: object) -> Decimal | None:
    """*value* as an exact Decimal; None when it is missing or not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _encode(value: object) -> object:
    """JSON for what :mod:`json` does not know: Decimal as text, a status as a list."""
    if isinstance(value, RecipientStatus):
        return [value.phone, value.status, value.err, value.cost, value.sent_at]
    return str(value)


def dump(record: Record) -> str:
    """The record as JSON text (``v``, ``kind`` and its fields).

    One C-encoded pass (an ``op=1`` list of 1,000 rows is most of a record): ``Decimal`` becomes
    its text, a :class:`RecipientStatus` a list.
    """
    return json.dumps({"v": RECORD_VERSION, "kind": record.kind, **vars(record)}, default=_encode)


def load(text: str, *, state: str) -> Record:
    """The record a journal cell holds; *state* disambiguates answers of the first format.

    Raises
    ------
    ValueError
        The text is no record this version knows (a journal of a newer version, say).
    """
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"not a journal record: {text[:80]!r}")
    version = data.pop("v", None)
    if version is None:
        return _load_first_format(data, state)
    if version != RECORD_VERSION:
        raise ValueError(f"journal record version {version} is newer than this smsc_frames")
    kind = _KINDS[data.pop("kind")]
    if kind is Accepted:
        return Accepted(
            sms_id=data["sms_id"],
            cnt=data["cnt"],
            cost=decimal_or_none(data["cost"]),
            balance=decimal_or_none(data["balance"]),
            phones=tuple(data["phones"]),
            sandbox=bool(data["sandbox"]),
        )
    if kind is Reconciled:
        return Reconciled(
            statuses=tuple(_recipient_status(*row) for row in data["statuses"]),
            posted_at=data["posted_at"],
            sandbox=bool(data["sandbox"]),
        )
    return kind(**data)


def _recipient_status(
    phone: str, status: int, err: int | None, cost: object = None, sent_at: int | None = None
) -> RecipientStatus:
    return RecipientStatus(phone, int(status), err, decimal_or_none(cost), sent_at)


def _load_first_format(answer: dict[str, Any], state: str) -> Record:
    """A record from the untyped answer dicts of the first journal format."""
    reconciled = answer.get("reconciled")
    if reconciled == "not found":
        return NotFound()
    if isinstance(reconciled, dict):
        statuses = [  # the first format kept [status, err, send timestamp] per phone
            _recipient_status(phone, values[0], values[1], None, values[2])
            for phone, values in (reconciled.get("statuses") or {}).items()
        ]
        if "phone" in reconciled:  # a probe of one recipient: the others are not known yet
            statuses.append(
                _recipient_status(reconciled["phone"], reconciled["status"], reconciled.get("err"))
            )
        return Reconciled(tuple(statuses), answer.get("posted_at"), bool(answer.get("sandbox")))
    if "error_code" in answer:
        code, message = int(answer["error_code"]), str(answer.get("error") or "")
        if state == "rejected":
            return Refused(code, message)
        if state == "unknown":
            return Lost(f"SMSC error {code}: {message}", duplicate=code == 9,
                        reconcile_error=answer.get("reconcile_error"))  # fmt: skip
        return Deferred(f"SMSC error {code}: {message}", code)
    if "transport_error" in answer:
        if state == "unknown":
            return Lost(
                str(answer["transport_error"]),
                maybe_sent=bool(answer.get("maybe_sent", True)),
                reconcile_error=answer.get("reconcile_error"),
            )
        return Deferred(str(answer["transport_error"]))
    return Accepted.from_answer(answer, sandbox=bool(answer.get("sandbox")))
