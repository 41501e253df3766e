"""The account a campaign talks to: credentials, server, transport, and what belongs to them.

:class:`Client` is what users build: it resolves the credentials (arguments or ``SMSC_*``
variables) and the server (``url=``, ``SMSC_URL``, else ``https://smsc.ru``), and holds

* the :mod:`transport <smsc_frames.transport>` that carries calls (form POST today);
* the account's quote memory (``cost=1`` answers by payload digest, so an unchanged plan is
  never quoted twice: SMSC refuses a 6th identical ``cost=1`` request within a minute);
* the account's status-list pacer (SMSC allows one ``status.php`` list request a minute, however
  many functions ask).

It satisfies the :class:`~smsc_frames.transport.Transport` protocol itself (``call`` goes to its
transport), so :class:`~smsc_frames.api.SmscApi` can sit on a client or a bare transport.

Examples
--------
>>> client = Client(apikey="k-123", url="http://127.0.0.1:9/", environ={})
>>> client
Client(url='http://127.0.0.1:9', auth='apikey')
>>> client.is_sandbox is None, "k-123" in client.identity
(True, False)
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from smsc_frames.errors import ValidationError
from smsc_frames.transport import Credentials
from smsc_frames.transport.form import FormTransport
from smsc_frames.transport.jsonbody import JsonTransport

DEFAULT_URL = "https://smsc.ru"
TRANSPORTS: dict[str, type[FormTransport]] = {"form": FormTransport, "json": JsonTransport}
"""The transports a :class:`Client` can use, by name."""


class Pacer:
    """Space calls at least *interval* seconds apart across threads: from the start of the
    previous one, or from its answer when :meth:`answered` marks it (the server received it
    before then, so the gap it sees is at least *interval*, however long the request was on
    the way).

    Examples
    --------
    >>> now = [0.0]
    >>> pacer = Pacer(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    >>> pacer.wait(60.0); now[0] += 5.0; pacer.wait(60.0); now[0]  # the second call waited 55 s
    60.0
    >>> now[0] += 2.0; pacer.answered(); pacer.wait(60.0); now[0]  # 60 s after the answer
    122.0
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None
        self._lock = threading.Lock()

    def wait(self, interval: float) -> None:
        """Sleep until *interval* has passed since the previous call, then mark this one."""
        with self._lock:
            if self._last is not None:
                remaining = self._last + interval - self._clock()
                if remaining > 0:
                    self._sleep(remaining)
            self._last = self._clock()

    def answered(self) -> None:
        """Mark the previous call's answer: the next :meth:`wait` counts from now."""
        with self._lock:
            self._last = self._clock()


class Client:
    """A connection to SMSC (or to a compatible server such as the sandbox).

    Parameters
    ----------
    login, password : str, optional
        Account credentials; they must be given together.
    apikey : str, optional
        An API key, used instead of login and password (it wins when both are available).
    url : str, optional
        Base URL; ``SMSC_URL`` from *environ*, else ``https://smsc.ru``. A trailing slash is fine.
    timeout : float or (float, float), default (5.0, 60.0)
        ``(connect, read)`` seconds, as in ``requests``.
    environ : Mapping, default os.environ
        Where ``SMSC_LOGIN``, ``SMSC_PASSWORD``, ``SMSC_APIKEY`` and ``SMSC_URL`` are read from.
        Credentials come from the arguments when any credential argument is given, else from
        *environ*; never a mix of the two.
    session : requests.Session, optional
        Used as is and shared by all threads (no retries are mounted on it). By default every
        thread gets its own session with connect-only retries.
    connect_retries : int, default 2
        How many times a request that never left (refused, DNS, connect timeout) is retried.
    retry_backoff : float, default 0.5
        Backoff factor between those retries (urllib3: 0 s, then factor x 2, x 4, ...).
    transport : {"form", "json"}, default "form"
        ``"form"`` posts every call as a form to ``/sys/<endpoint>``; ``"json"`` posts
        ``send.php`` calls as JSON to ``/rest/send/`` (SMSC's JSON interface), the others as
        forms.

    Raises
    ------
    ValidationError
        Missing or half-given credentials (the message names the variables), a bad URL or
        timeout.

    Examples
    --------
    >>> Client(environ={"SMSC_LOGIN": "alex", "SMSC_PASSWORD": "s3cret"})
    Client(url='https://smsc.ru', auth='login alex')
    >>> Client(login="alex", environ={})
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: password: login and password must be given together \
(arguments login=/password= or variables SMSC_LOGIN/SMSC_PASSWORD)
    """

    def __init__(
        self,
        login: str | None = None,
        password: str | None = None,
        apikey: str | None = None,
        url: str | None = None,
        *,
        timeout: float | tuple[float, float] = (5.0, 60.0),
        environ: Mapping[str, str] = os.environ,
        session: requests.Session | None = None,
        connect_retries: int = 2,
        retry_backoff: float = 0.5,
        transport: str = "form",
    ) -> None:
        credentials = Credentials.resolve(login, password, apikey, environ=environ)
        if transport not in TRANSPORTS:
            raise ValidationError("transport", f"must be one of {', '.join(TRANSPORTS)}", transport)
        self.transport = TRANSPORTS[transport](
            url if url is not None else environ.get("SMSC_URL") or DEFAULT_URL,
            credentials,
            timeout=timeout,
            session=session,
            connect_retries=connect_retries,
            retry_backoff=retry_backoff,
        )
        self.quotes: dict[str, Any] = {}
        """``cost=1`` answers of this client's account by payload digest (see ``estimate``)."""
        self.status_list_pacer = Pacer()
        """Paces this account's ``status.php`` list requests (see ``SmscLimits``)."""

    def __repr__(self) -> str:
        credentials = self.transport.credentials
        auth = "apikey" if credentials.apikey else f"login {credentials.login}"
        return f"Client(url={self.url!r}, auth={auth!r})"

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self.transport.url

    @property
    def timeout(self) -> tuple[float, float]:
        """``(connect, read)`` seconds."""
        return self.transport.timeout

    @property
    def identity(self) -> str:
        """``"<url> <account>"``: the server and the login (or a sha256 of the API key).

        Never a secret; quote caches and journals' default places are keyed by it.
        """
        return self.transport.identity

    @property
    def is_sandbox(self) -> bool | None:
        """``True`` once an answer carried ``X-SMSC-Sandbox: 1``; ``None`` before any answer."""
        return self.transport.is_sandbox

    def call(self, endpoint: str, params: Mapping[str, object]) -> Any:
        """One call through the transport: see :meth:`FormTransport.call`.

        Examples
        --------
        >>> Client(apikey="k", environ={}).call("send.php", {"fmt": "0"})
        Traceback (most recent call last):
        ...
        smsc_frames.errors.ValidationError: fmt: is set by the Client, leave it out of params
        """
        return self.transport.call(endpoint, params)

    def close(self) -> None:
        """Close the sessions this client opened (a session passed in is left open)."""
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
