"""Start-up configuration of the sandbox: accounts and the limits SMSC enforces.

Every window and limit is a field of :class:`SandboxSettings`; the defaults are SMSC's
documented values (``docs/sandbox.md`` lists them), so tests can shrink them without
touching the server code.

Examples
--------
>>> settings = SandboxSettings(seconds_to_operator=0.1, seconds_to_final=0.2)
>>> settings.duplicate_window, settings.max_recipients
(60.0, 1000)
>>> Account("demo", "demo", apikey="demo-apikey")
Account(login='demo', balance=Decimal('1000.00'), senders=None)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

#: op=1 statuses a reading may give an accepted number.
OP1_STATUSES = ("", "-1", "0", "1")


@dataclass
class Account:
    """A sandbox customer.

    Parameters
    ----------
    login, password : str
        Credentials for ``login`` + ``psw`` authentication.
    apikey : str, optional
        Accepted instead of ``login`` + ``psw``.
    balance : Decimal or str or int
        Starting balance in roubles (converted to ``Decimal`` without going through float).
    senders : iterable of str, optional
        Registered sender names. ``None`` accepts any sender; otherwise a message from an
        unregistered sender gets status 23 / err 254, or its whole request error 6 (see
        :class:`Reading`, ``unregistered_sender``).
    groups : mapping of int to iterable of str, optional
        The account's contact groups: ``phones=G<n>`` sends to every number (or e-mail
        address) of group *n*, as written here.

    Examples
    --------
    >>> Account("shop", "secret", balance="12.50", senders=["SHOP"]).senders
    frozenset({'SHOP'})
    """

    login: str
    password: str = field(repr=False)
    apikey: str | None = field(default=None, repr=False)
    balance: Decimal = Decimal("1000.00")
    senders: frozenset[str] | None = None
    groups: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.groups = {int(number): tuple(members) for number, members in self.groups.items()}
        if isinstance(self.balance, float):
            self.balance = Decimal(repr(self.balance))
        self.balance = Decimal(self.balance).quantize(Decimal("0.01"))
        if self.senders is not None:
            self.senders = frozenset(self.senders)


def default_accounts() -> list[Account]:
    """The account every sandbox has unless told otherwise: ``demo`` / ``demo`` / ``demo-apikey``.

    Examples
    --------
    >>> [a.login for a in default_accounts()]
    ['demo']
    """
    return [Account("demo", "demo", apikey="demo-apikey", balance=Decimal("1000.00"))]


@dataclass(frozen=True)
class Reading:
    """How the sandbox reads the places where SMSC's documentation allows more than one answer.

    ``docs/sandbox.md`` (*Readings*) lists each point; the defaults are our guesses, not facts.

    Attributes
    ----------
    op1_status, op1_error : str
        ``status`` and ``error`` of an *accepted* number in ``op=1`` rows. The page says every
        number gets a status and erroneous ones an error code; what an accepted one carries is
        open: ``""`` (guess), ``"-1"`` (waiting), ``"0"`` (handed to the operator) or ``"1"``.
    json_numbers : bool
        fmt=3 writes ``id``, ``cnt``, ``status``, ``err``, timestamps and ``error_code`` as JSON
        numbers (guess, as the page's ``"id": <id>`` shows) or, when False, as strings.
    status_err : str
        ``"always"`` (guess): status answers carry ``err`` even when it is 0; ``"nonzero"``:
        fmt 0/2/3 leave ``err`` out when it is 0 (fmt 1 is positional and keeps it).
    error_text : str
        ``"named"`` (guess): error 1 reads ``parameters error: <name>``; ``"plain"``: the bare
        ``parameters error`` of SMSC's table.
    unregistered_sender : str
        A sender the account has not registered (``Account(senders=...)``): ``"status"``
        (guess) refuses each of its messages with status 23 / err 254 and sends the rest of the
        request; ``"error"`` refuses the whole request with error 6, which the page describes
        as "Сообщение запрещено (по тексту или по имени отправителя)".
    name : str
        A label for reports and test ids.

    Examples
    --------
    >>> Reading(), READINGS["waiting"].op1_status
    (Reading(name='guess'), '-1')
    """

    op1_status: str = field(default="", repr=False)
    op1_error: str = field(default="", repr=False)
    json_numbers: bool = field(default=True, repr=False)
    status_err: str = field(default="always", repr=False)
    error_text: str = field(default="named", repr=False)
    unregistered_sender: str = field(default="status", repr=False)
    name: str = "guess"

    def __post_init__(self) -> None:
        if self.op1_status not in OP1_STATUSES or self.op1_error not in ("", "0"):
            raise ValueError(f"op1_status must be one of {OP1_STATUSES}, op1_error '' or '0'")
        if self.status_err not in ("always", "nonzero"):
            raise ValueError("status_err must be 'always' or 'nonzero'")
        if self.error_text not in ("named", "plain"):
            raise ValueError("error_text must be 'named' or 'plain'")
        if self.unregistered_sender not in ("status", "error"):
            raise ValueError("unregistered_sender must be 'status' or 'error'")


#: The readings the end-to-end tests run under: every value of every open point appears once.
READINGS = {
    "guess": Reading(),
    "waiting": Reading("-1", "0", json_numbers=False, status_err="nonzero",
                       error_text="plain", unregistered_sender="error", name="waiting"),
    "operator": Reading("0", "0", status_err="nonzero", name="operator"),
    "delivered": Reading("1", "0", json_numbers=False, error_text="plain", name="delivered"),
}  # fmt: skip


@dataclass(frozen=True)
class SandboxSettings:
    """Limits, windows (seconds) and delivery timings of the sandbox.

    Attributes
    ----------
    duplicate_window : float
        An identical accepted send request within this window gets error 9.
    cost_repeat_limit, cost_repeat_window : int, float
        More than ``cost_repeat_limit`` identical ``cost=1`` requests in the window: error 9.
    max_concurrent_sends : int
        This many requests in flight under one login (this one included): error 9.
    flood_messages, flood_interval : int, float
        More than ``flood_messages`` messages to one number, each less than
        ``flood_interval`` after the previous: status 23 / err 251 for that number.
    failed_login_limit, failed_login_window, ip_block_seconds : int, float, float
        That many failed logins from one IP in the window block it (error 4) for
        ``ip_block_seconds``.
    max_recipients, max_body_bytes : int
        Per-request caps (error 1), our documented choice.
    status_checks_per_message, status_check_window : int, float
        More checks of one message in the window: error 9.
    status_lists_per_window, status_list_window : int, float
        More list-form status requests in the window: error 9.
    max_concurrent_status : int
        This many status requests in flight under one login: error 9.
    balance_requests_per_window, balance_window : int, float
        More ``balance.php`` requests in the window: error 9.
    seconds_to_operator, seconds_to_final : float
        After a message is due it shows status -1 until ``seconds_to_operator`` passed, then 0
        until ``seconds_to_final`` passed, then its final status (1, or a magic number's).
    socket_timeout : float
        A client that stops sending mid-request is disconnected after this many seconds.
    denied_marker : str
        A text containing it is refused with error 6 (message is denied).
    request_log_size : int
        ``Sandbox.requests`` keeps the last this many requests (older ones are dropped), so a
        long-running sandbox does not keep every request's parameters forever.
    call_chars_per_second : int
        The sandbox's rate of speech: a voice message (``call=1``) lasts one second per this
        many characters of text (at least one second); ``cnt`` counts these seconds.
    call_file_bytes_per_second : int
        An audio file attached to a call adds one second per this many bytes (128 kbit/s MP3).
    max_files : int
        Files one multipart request may attach (their bytes count in ``max_body_bytes``).
    reading : Reading, optional
        The reading of the points SMSC's documentation leaves open (see :class:`Reading`);
        ``None``: :func:`default_reading` when the sandbox is built.
    """

    duplicate_window: float = 60.0
    cost_repeat_limit: int = 5
    cost_repeat_window: float = 60.0
    max_concurrent_sends: int = 15
    flood_messages: int = 50
    flood_interval: float = 60.0
    failed_login_limit: int = 5
    failed_login_window: float = 1800.0
    ip_block_seconds: float = 1800.0
    max_recipients: int = 1000
    max_body_bytes: int = 262144
    status_checks_per_message: int = 5
    status_check_window: float = 60.0
    status_lists_per_window: int = 1
    status_list_window: float = 60.0
    max_concurrent_status: int = 5
    balance_requests_per_window: int = 10
    balance_window: float = 60.0
    seconds_to_operator: float = 2.0
    seconds_to_final: float = 5.0
    socket_timeout: float = 10.0
    denied_marker: str = "SANDBOX-DENY"
    request_log_size: int = 10_000
    call_chars_per_second: int = 15
    call_file_bytes_per_second: int = 16_000
    max_files: int = 20
    reading: Reading | None = None


_DEFAULT_READING = [Reading()]


def default_reading() -> Reading:
    """The reading of sandboxes built with ``settings.reading=None`` (the guess unless set)."""
    return _DEFAULT_READING[0]


def set_default_reading(reading: Reading) -> Reading:
    """Make *reading* the default of sandboxes built from now on; returns the previous one.

    For test harnesses that run whole test modules under each reading (tests/conftest.py).

    Examples
    --------
    >>> previous = set_default_reading(READINGS["waiting"])
    >>> default_reading().name, set_default_reading(previous).name
    ('waiting', 'waiting')
    """
    previous, _DEFAULT_READING[0] = _DEFAULT_READING[0], reading
    return previous
