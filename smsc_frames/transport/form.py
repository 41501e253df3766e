"""Form POST to ``{url}/sys/{endpoint}``: SMSC's classic HTTP API, and the sandbox's.

:class:`FormTransport` POSTs form-encoded bodies (never GET: credentials stay out of URLs and
server logs), always with ``charset=utf-8`` and ``fmt=3``, decodes the JSON answer and turns
``error_code`` answers into exceptions. It never retries a request that may have reached the
server. Failures map onto :mod:`smsc_frames.errors`:

* ``{"error_code": N}`` -> the :class:`~smsc_frames.errors.SmscApiError` subclass for N.
* The request provably never left (connection refused, DNS failure, connect timeout): retried
  ``connect_retries`` times with exponential backoff, then
  :class:`~smsc_frames.errors.SmscConnectionError` with ``maybe_sent=False``.
* It may have reached the server (read timeout -> :class:`~smsc_frames.errors.SmscTimeoutError`,
  dropped connection, HTTP status other than 200, empty, HTML or truncated body):
  ``maybe_sent=True``, never retried here.

Examples
--------
>>> from smsc_frames.transport import Credentials
>>> transport = FormTransport("http://127.0.0.1:9/", Credentials(apikey="k-123"))
>>> transport.url, transport.is_sandbox, "k-123" in transport.identity
('http://127.0.0.1:9', None, False)
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import warnings
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

from smsc_frames.errors import SmscConnectionError, SmscTimeoutError, ValidationError
from smsc_frames.formencoding import FORM_HEADERS, form_body
from smsc_frames.responses import raise_for_error
from smsc_frames.transport import Credentials

log = logging.getLogger("smsc_frames.client")

ENDPOINTS = frozenset({"send.php", "status.php", "balance.php", "get.php"})
SANDBOX_HEADER = "X-SMSC-Sandbox"
RESERVED_PARAMS = frozenset({"login", "psw", "apikey", "charset", "fmt"})
"""Parameters the transport sets itself; passing them in ``params`` is refused."""

_SNIPPET = 80  # characters of a malformed answer quoted in the error
_SCRUBBED = 64 * 1024  # bytes of it searched for secrets first (a request body is smaller)


class FormTransport:
    """Form-encoded POSTs over ``requests`` sessions (one per thread, keep-alive).

    Parameters
    ----------
    url : str
        Base URL such as ``https://smsc.ru`` (a trailing slash is fine).
    credentials : Credentials
    timeout : float or (float, float), default (5.0, 60.0)
        ``(connect, read)`` seconds, as in ``requests``.
    session : requests.Session, optional
        Used as is and shared by all threads (no retries are mounted on it). By default every
        thread gets its own session with connect-only retries.
    connect_retries : int, default 2
        How many times a request that never left (refused, DNS, connect timeout) is retried.
    retry_backoff : float, default 0.5
        Backoff factor between those retries (urllib3: 0 s, then factor x 2, x 4, ...).
    """

    def __init__(
        self,
        url: str,
        credentials: Credentials,
        *,
        timeout: float | tuple[float, float] = (5.0, 60.0),
        session: requests.Session | None = None,
        connect_retries: int = 2,
        retry_backoff: float = 0.5,
    ) -> None:
        self.url = _base_url(url)
        self.credentials = credentials
        self.timeout = _timeout(timeout)
        if not isinstance(connect_retries, int) or connect_retries < 0:
            raise ValidationError("connect_retries", "must be an integer >= 0", connect_retries)
        self._retry = Retry(
            total=None,
            connect=connect_retries,
            read=False,
            redirect=0,
            status=0,
            other=0,
            backoff_factor=retry_backoff,
            raise_on_status=False,
        )
        self._auth = credentials.form_fields()
        self._shared_session = session
        self._local = threading.local()
        self._own_sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._is_sandbox: bool | None = None

    def __repr__(self) -> str:
        return f"FormTransport(url={self.url!r}, {self.credentials!r})"

    @property
    def identity(self) -> str:
        """``"<url> <account>"``: where and who, never a secret."""
        return f"{self.url} {self.credentials.account}"

    @property
    def is_sandbox(self) -> bool | None:
        """``True`` once an answer carried ``X-SMSC-Sandbox: 1``; ``None`` before any answer."""
        return self._is_sandbox

    def call(self, endpoint: str, params: Mapping[str, object]) -> Any:
        """POST *params* to ``{url}/sys/{endpoint}`` and return the decoded JSON answer.

        Parameters
        ----------
        endpoint : {"send.php", "status.php", "balance.php", "get.php"}
        params : Mapping
            The request's parameters without credentials, ``charset`` and ``fmt`` (added here).
            Values are sent as ``str``; ``None`` values are left out.

        Returns
        -------
        dict or list
            The answer, with JSON numbers that have a decimal point as :class:`~decimal.Decimal`.

        Raises
        ------
        SmscApiError
            The server answered with ``error_code`` (its subclass names the code).
        SmscConnectionError
            The transport failed; ``maybe_sent`` tells whether the request may have arrived.
        ValidationError
            Unknown endpoint, or a parameter the transport sets itself.
        """
        if endpoint not in ENDPOINTS:
            raise ValidationError("endpoint", f"must be one of {sorted(ENDPOINTS)}", endpoint)
        for name in sorted(RESERVED_PARAMS.intersection(params)):
            # The value is not shown: whatever was put under a credential's name may be one.
            raise ValidationError(name, "is set by the Client, leave it out of params")
        form = {name: str(value) for name, value in params.items() if value is not None}
        log.debug("POST %s/sys/%s %s", self.url, endpoint, _loggable(form, self._auth))
        form.update(self._auth, charset="utf-8", fmt="3")
        address, body, headers = self._request(endpoint, form)
        failure: SmscConnectionError | None = None
        try:
            response = self._session().post(
                address, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            failure = self._transport_failure(endpoint, exc)
        if failure is not None:
            # Raised outside the except block, so the requests exception (which holds the
            # prepared request and its body with the credentials) is not chained.
            raise failure
        return self._answer(endpoint, response)

    def fetch_text(self, endpoint: str, params: Mapping[str, str]) -> str:
        """The answer's text for *params* in the ``fmt`` they name (``smsc-frames check``).

        The same POST as :meth:`call`, with the caller's ``fmt``; no parsing, no error mapping
        beyond the transport's own (an HTTP status other than 200 raises).
        """
        form = {name: str(value) for name, value in params.items() if name != "fmt"}
        form.update(self._auth, charset="utf-8", fmt=str(params.get("fmt", "3")))
        address, body, headers = self._request(endpoint, form)
        failure: SmscConnectionError | None = None
        try:
            response = self._session().post(
                address, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            failure = self._transport_failure(endpoint, exc)
        if failure is not None:  # raised outside the except block: no __context__ holding
            raise failure  # the requests exception, whose prepared body has the credentials
        if response.status_code != 200:
            raise self._fault(endpoint, f"HTTP {response.status_code}", response.content)
        return response.content.decode("utf-8", errors="replace")

    def _request(self, endpoint: str, form: dict[str, str]) -> tuple[str, bytes, Mapping[str, str]]:
        """Address, body and headers of one call: a form POST to ``/sys/<endpoint>``."""
        return f"{self.url}/sys/{endpoint}", form_body(form), FORM_HEADERS

    def close(self) -> None:
        """Close the sessions this transport opened (a session passed in is left open)."""
        with self._lock:
            sessions, self._own_sessions = self._own_sessions, []
        for session in sessions:
            session.close()

    def _session(self) -> requests.Session:
        if self._shared_session is not None:
            return self._shared_session
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=self._retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = f"smsc-frames (python-requests/{requests.__version__})"
            self._local.session = session
            with self._lock:
                self._own_sessions.append(session)
        return session

    def _answer(self, endpoint: str, response: requests.Response) -> Any:
        marker = response.headers.get(SANDBOX_HEADER)
        if marker == "1":
            self._is_sandbox = True
        elif self._is_sandbox is None:
            self._is_sandbox = False
        log.debug(
            "%s answered HTTP %s, %d bytes", endpoint, response.status_code, len(response.content)
        )
        if response.status_code != 200:
            raise self._fault(
                endpoint, f"HTTP {response.status_code} {response.reason}", response.content
            )
        if not response.content.strip():
            raise self._fault(endpoint, "empty answer", b"")
        answer = _json_or_none(response.content)
        if not isinstance(answer, dict | list):
            raise self._fault(endpoint, "answer is not a JSON object or array", response.content)
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            answer["error"] = self._scrub(answer["error"])  # it may echo the request
        raise_for_error(answer)
        return answer

    def _fault(self, endpoint: str, what: str, body: bytes) -> SmscConnectionError:
        # scrubbed before it is cut: a secret cut in half would no longer match, and half of
        # it would be shown (a server echoing the request in its error page)
        snippet = self._scrub(body[:_SCRUBBED].decode("utf-8", errors="replace"))[:_SNIPPET]
        shown = f": {snippet!r}" if snippet else ""
        return SmscConnectionError(f"{endpoint}: {what}{shown}", maybe_sent=True)

    def _transport_failure(
        self, endpoint: str, exc: requests.RequestException
    ) -> SmscConnectionError:
        cause = _root_cause(exc)
        never_left = isinstance(exc, requests.ConnectTimeout) or isinstance(
            cause, NewConnectionError | ConnectTimeoutError
        )
        host = urlsplit(self.url).netloc.rpartition("@")[2]
        detail = self._scrub(f"{type(cause).__name__}: {cause}")
        if never_left:
            kind = SmscTimeoutError if isinstance(exc, requests.Timeout) else SmscConnectionError
            return kind(
                f"{endpoint}: could not connect to {host}, request not sent ({detail})",
                maybe_sent=False,
            )
        if isinstance(exc, requests.Timeout):
            return SmscTimeoutError(
                f"{endpoint}: no answer from {host} within {self.timeout[1]} s, the request "
                f"may have been processed ({detail})",
                maybe_sent=True,
            )
        return SmscConnectionError(
            f"{endpoint}: connection to {host} failed after the request was sent, it may have "
            f"been processed ({detail})",
            maybe_sent=True,
        )

    def _scrub(self, text: str) -> str:
        """*text* without the credentials, as written or urlencoded (a server or proxy that
        echoes the request body shows ``psw=Pw%26S3cr%3Dt``)."""
        for secret in self.credentials.secrets():
            for written in dict.fromkeys((secret, quote(secret, safe=""), quote_plus(secret))):
                text = text.replace(written, "***")
        return text


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            "url", "must be an http:// or https:// URL such as https://smsc.ru", url
        )
    if parts.username or parts.password:
        raise ValidationError("url", "must not contain credentials; pass login=/password=")
    if parts.scheme == "http" and not _on_this_machine(parts.hostname or ""):
        warnings.warn(
            f"{parts.hostname}: plain http:// sends the login and password unencrypted over the "
            "network; use https://",
            UserWarning,
            stacklevel=4,
        )
    return url.rstrip("/")


def _on_this_machine(host: str) -> bool:
    """Whether *host* is this machine (the embedded sandbox), where http:// stays local."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _timeout(timeout: float | tuple[float, float]) -> tuple[float, float]:
    pair = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if len(pair) != 2 or not all(
        isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        for value in pair
    ):
        raise ValidationError("timeout", "must be seconds > 0, or a (connect, read) pair", timeout)
    return float(pair[0]), float(pair[1])


def _json_or_none(body: bytes) -> object:
    """The decoded UTF-8 JSON body (decimal points -> ``Decimal``), or ``None`` if it is not."""
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _root_cause(exc: BaseException) -> BaseException:
    """The urllib3 error a ``requests`` exception wraps (``MaxRetryError`` unwrapped)."""
    cause: BaseException = exc
    while cause.args and isinstance(cause.args[0], BaseException):
        cause = cause.args[0]
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        cause = cause.reason
    return cause


def _loggable(form: Mapping[str, str], auth: Mapping[str, str]) -> dict[str, str]:
    """The form as it may appear in a log line: secrets masked, long values shortened."""
    shown = {
        name: value if len(value) <= 200 else f"{value[:200]}... ({len(value)} chars)"
        for name, value in form.items()
    }
    shown.update(
        {name: "***" if name in ("psw", "apikey") else value for name, value in auth.items()}
    )
    return shown
