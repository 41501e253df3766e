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
        unregistered sender gets status 23 / err 254.

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

    def __post_init__(self) -> None:
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
