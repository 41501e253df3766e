"""The HTTP layer: routing, bounded body reading, charset, concurrency, fault injection.

:class:`Sandbox` runs a ``ThreadingHTTPServer`` in a background thread. Every answer carries
``X-SMSC-Sandbox: 1``. Errors are HTTP 200 with SMSC's error text; only injected faults (and
a path that is not an endpoint) produce anything else.

Examples
--------
>>> import urllib.request
>>> with Sandbox() as sandbox:
...     answer = urllib.request.urlopen(sandbox.url + "/sys/balance.php?login=demo&psw=demo&fmt=3")
...     answer.headers["X-SMSC-Sandbox"], answer.read()
('1', b'{"balance": "1000.00"}')
"""

from __future__ import annotations

import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from smsc_frames.sandbox.codes import ErrorAnswer, parameter_error
from smsc_frames.sandbox.formats import encode_answer, render_error
from smsc_frames.sandbox.forms import (
    answer_style,
    decode_raw_pairs,
    multipart_pairs,
    raw_pairs,
    rest_params,
    rest_style,
)
from smsc_frames.sandbox.handlers import HANDLERS, RequestContext, handle
from smsc_frames.sandbox.pricing import PriceTable
from smsc_frames.sandbox.settings import Account, SandboxSettings, default_accounts
from smsc_frames.sandbox.state import RequestRecord, State

FAULTS = ("drop_after_accept", "http_500", "slow", "html_error", "truncated_json", "empty_body")
#: Faults answered before the request is processed: nothing is stored.
FAULTS_BEFORE_PROCESSING = frozenset({"http_500", "html_error"})
ENDPOINT_KINDS = {
    "send.php": "send", "status.php": "status", "balance.php": "balance", "get.php": "get",
}  # fmt: skip
#: The page's "POST https://smsc.ru/rest/send/" with a JSON body: send.php's parameters and
#: answers (logged and fault-injected as ``send.php``).
REST_SEND_PATHS = frozenset({"/rest/send/", "/rest/send"})
HTML_ERROR_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
#: Oversized bodies up to this many times the cap are read and dropped so the client gets the
#: error answer; larger ones are answered at once and the connection is closed.
DRAIN_FACTOR = 4


@dataclass(frozen=True)
class Fault:
    """One injected fault waiting for a request to ``endpoint``."""

    name: str
    endpoint: str
    delay: float
    status: int


class FaultQueue:
    """Thread-safe FIFO of injected faults; each request to an endpoint takes the oldest one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def add(self, fault: Fault, count: int) -> None:
        with self._lock:
            self._queue.extend([fault] * count)

    def take(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self._queue:
                if fault.endpoint == endpoint:
                    self._queue.remove(fault)
                    return fault
            return None

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # bursts of concurrent clients must reach the concurrency check

    def __init__(self, address: tuple[str, int], state: State, faults: FaultQueue) -> None:
        self.state = state
        self.faults = faults
        super().__init__(address, _Handler)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """A client that went away mid-request (killed, timed out) is no sandbox error: say
        nothing, where socketserver printed a traceback; anything else is printed as before."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # per server, so not the class attribute ``timeout`` StreamRequestHandler.setup reads
        self.connection.settimeout(self.server.state.settings.socket_timeout)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: request lines may carry ``psw`` in a GET query."""

    def end_headers(self) -> None:
        self.send_header("X-SMSC-Sandbox", "1")
        super().end_headers()

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    # -- plumbing ---------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _read_body(self) -> bytes:
        """The POST body, never reading more than the cap (+ a bounded drain) or waiting forever."""
        if self.command != "POST":
            return b""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise parameter_error("body")
        declared = self.headers.get("Content-Length")
        if declared is None:
            self.close_connection = True
            return b""
        if not declared.strip().isdigit():
            self.close_connection = True
            raise parameter_error("body")
        length, cap = int(declared), self.server.state.settings.max_body_bytes
        if length > cap:
            self.close_connection = True
            if length <= DRAIN_FACTOR * cap:
                self.rfile.read(length)
            raise parameter_error("body")
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            raise parameter_error("body")
        return body

    def _serve(self) -> None:
        try:
            self._serve_endpoint()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # noqa: BLE001
            # anything else is a sandbox bug: it must not hang the client or leak a traceback
            traceback.print_exc()
            self.close_connection = True
            self._send(500, b"internal sandbox error", "text/plain; charset=utf-8")

    def _serve_endpoint(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        rest = url.path in REST_SEND_PATHS
        if rest:
            endpoint = "send.php"
        else:
            endpoint = url.path.rpartition("/")[2] if url.path.startswith("/sys/") else ""
        if endpoint not in HANDLERS:
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        query = url.query.encode("latin-1")
        fmt, charset = answer_style(raw_pairs(query))
        files: tuple[tuple[str, int], ...] = ()
        try:
            body = self._read_body()
            if rest:
                fmt, charset = rest_style(query, body)
                params, fmt, charset = rest_params(query, body)
            else:
                content_type = self.headers.get("Content-Type", "")
                if content_type.lower().startswith("multipart/form-data"):
                    body_pairs, files = multipart_pairs(body, content_type)
                else:
                    body_pairs = raw_pairs(body)
                pairs = raw_pairs(query) + body_pairs
                fmt, charset = answer_style(pairs)
                params, fmt, charset = decode_raw_pairs(pairs)
            if files and endpoint != "send.php":
                raise parameter_error(files[0][0])
            if len(files) > state.settings.max_files:
                raise parameter_error(files[state.settings.max_files][0])
        except ErrorAnswer as error:
            state.log_request(endpoint, {}, error.code, None)
            answer = render_error(fmt, error.code, error.description, None, state.reading)
            self._answer(answer, fmt, charset, None)
            return
        fault = self.server.faults.take(endpoint)
        if fault is not None and fault.name in FAULTS_BEFORE_PROCESSING:
            state.log_request(endpoint, params, -1, fault.name)
            if fault.name == "http_500":
                self._send(500, b"Internal Server Error", "text/plain; charset=utf-8")
            else:
                self._send(fault.status, HTML_ERROR_PAGE.encode(), "text/html; charset=utf-8")
            return
        with state.in_flight(ENDPOINT_KINDS[endpoint], state.login_of(params)) as concurrent:
            text, code = handle(
                endpoint,
                state,
                params,
                RequestContext(self.client_address[0], fmt, concurrent, files),
            )
            state.log_request(endpoint, params, code, fault.name if fault else None)
            self._answer(text, fmt, charset, fault)

    def _answer(self, text: str, fmt: int, charset: str, fault: Fault | None) -> None:
        body, content_type = encode_answer(text, fmt, charset)
        if fault is None:
            self._send(200, body, content_type)
        elif fault.name == "drop_after_accept":
            self.close_connection = True
        elif fault.name == "slow":
            time.sleep(fault.delay)
            self._send(200, body, content_type)
        elif fault.name == "truncated_json":
            self._send(200, body[: len(body) // 2], content_type)
        else:  # empty_body
            self._send(200, b"", content_type)


class Sandbox:
    """An SMSC-compatible server on ``host:port`` (``port=0``: a free port).

    Parameters
    ----------
    port : int, default 0
    host : str, default ``"127.0.0.1"``
    accounts : list of Account, optional
        Default: login ``demo``, password ``demo``, apikey ``demo-apikey``, balance 1000.00.
    settings : SandboxSettings, optional
        Limits, windows and delivery timings (SMSC's values by default).
    clock : callable, default ``time.time``
        Unix time, injectable so tests can cross 60-second windows without waiting.
    prices : PriceTable, optional
        Default: the packaged ``prices.csv``.

    Examples
    --------
    >>> sandbox = Sandbox().start()
    >>> sandbox.url.startswith("http://127.0.0.1:"), sandbox.balance("demo")
    (True, Decimal('1000.00'))
    >>> sandbox.stop()
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        accounts: list[Account] | None = None,
        settings: SandboxSettings | None = None,
        clock: Callable[[], float] = time.time,
        prices: PriceTable | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.state = State(
            accounts if accounts is not None else default_accounts(),
            settings or SandboxSettings(),
            clock=clock,
            prices=prices,
        )
        self._faults = FaultQueue()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` without a trailing slash (available once started)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running: call start() or use it in a with block")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> Sandbox:
        """Bind and serve in a daemon thread; returns self."""
        self._server = _Server((self.host, self.port), self.state, self._faults)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:  # start() sets both
            server.shutdown()
            server.server_close()
            thread.join()
            self._server = self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def inject(
        self,
        fault: str,
        *,
        count: int = 1,
        endpoint: str = "send.php",
        delay: float = 0.0,
        status: int = 502,
    ) -> None:
        """Make the next *count* requests to *endpoint* misbehave (see ``docs/sandbox.md``).

        Parameters
        ----------
        fault : str
            ``"drop_after_accept"`` (stored, socket closed without an answer), ``"http_500"``
            (not stored), ``"slow"`` (stored, answered after *delay* seconds), ``"html_error"``
            (an HTML page with HTTP *status*, not stored), ``"truncated_json"`` (stored, half
            of the answer), ``"empty_body"`` (stored, HTTP 200 with an empty body).
        status : int, default 502
            HTTP status of ``html_error`` (200 or 502 are the realistic ones).
        """
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(FAULTS)}, not {fault!r}")
        if endpoint not in HANDLERS:
            raise ValueError(f"endpoint must be one of {', '.join(HANDLERS)}, not {endpoint!r}")
        if count < 1 or delay < 0:
            raise ValueError("count must be >= 1 and delay >= 0")
        self._faults.add(Fault(fault, endpoint, delay, status), count)

    def pending_faults(self) -> int:
        """Injected faults not consumed yet."""
        return self._faults.pending()

    def messages(self) -> list[dict[str, object]]:
        """Every stored message (``id, phone, text, sender, parts, cost, mccmnc, status, error,
        login, sent_at, files``), oldest first; ``files``: sizes of the attached files."""
        return self.state.messages()

    def balance(self, login: str = "demo") -> Decimal:
        """The current balance of *login*."""
        return self.state.balance(login)

    @property
    def requests(self) -> list[RequestRecord]:
        """The request log, oldest first, as a list snapshot: ``RequestRecord(endpoint, params
        without secrets, code, fault)``; the last ``settings.request_log_size`` requests."""
        with self.state.lock:
            return list(self.state.requests)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    login: str = "demo",
    password: str = "demo",
    apikey: str | None = "demo-apikey",
    balance: Decimal | str = "1000.00",
    settings: SandboxSettings | None = None,
) -> None:
    """Run a sandbox in the foreground until Ctrl+C, after printing its URL and credentials."""
    account = Account(login, password, apikey=apikey, balance=Decimal(str(balance)))
    with Sandbox(port, host, accounts=[account], settings=settings) as sandbox:
        print(f"SMSC sandbox (not real SMSC) at {sandbox.url}", flush=True)
        print(
            f"  login={login} password={password} apikey={apikey or '-'} balance={account.balance}",
            flush=True,
        )
        print(
            f"  export SMSC_URL={sandbox.url} SMSC_LOGIN={login} SMSC_PASSWORD={password}",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("sandbox stopped", flush=True)
