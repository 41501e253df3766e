"""Everything the sandbox remembers: accounts, balances, stored messages and the limit windows.

One re-entrant lock guards it all, so a handler holding :attr:`State.lock` sees and changes
balances, messages and windows atomically (a request is stored whole or not at all).

Memory stays bounded by traffic per window, not by traffic ever: every window key (duplicate
digests, ``cost=1`` counts, failed logins, status and balance counts), flood chain and IP
block is dropped once its window has passed (:meth:`State.prune`, run automatically whenever
these tables doubled since the last run), and the request log keeps the last
``SandboxSettings.request_log_size`` requests. Stored messages are SMSC's store and stay.

Examples
--------
>>> from smsc_frames.sandbox.settings import default_accounts
>>> state = State(default_accounts(), SandboxSettings())
>>> state.balance("demo")
Decimal('1000.00')
>>> state.authenticate({"apikey": "demo-apikey"}, "127.0.0.1").login
'demo'
>>> state.remember(("send", "demo", b"digest"), 60.0)
>>> state.seen_within(("send", "demo", b"digest"), 60.0)
True
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from smsc_frames.sandbox.codes import ErrorAnswer
from smsc_frames.sandbox.pricing import PriceTable
from smsc_frames.sandbox.settings import Account, Reading, SandboxSettings, default_reading
from smsc_frames.sandbox.store import MessageBatch, Outbox, StoredMessage, chain_key

__all__ = ["MessageBatch", "Outbox", "RequestRecord", "State", "StoredMessage"]


@dataclass(frozen=True)
class RequestRecord:
    """One answered request: endpoint, parameters without secrets, answer code (0 = OK)."""

    endpoint: str
    params: dict[str, str]
    code: int
    fault: str | None


SECRET_PARAMS = frozenset({"psw", "apikey"})
_NO_CHAIN = (float("-inf"), 0)  # (last message, chain length) of a number with no chain
#: :meth:`State.prune` runs on its own once the window tables hold this many keys (or twice
#: as many as after the last run, whichever is more): amortised O(1) per request.
PRUNE_AT_LEAST = 1024


class State:
    """The sandbox's memory. See the module docstring.

    Parameters
    ----------
    accounts : list of Account
    settings : SandboxSettings
    clock : callable, default ``time.time``
        Unix time; tests may pass a fake clock to cross 60-second windows instantly.
    prices : PriceTable, optional
        Default: the packaged ``prices.csv``.
    """

    def __init__(
        self,
        accounts: list[Account],
        settings: SandboxSettings,
        *,
        clock: Callable[[], float] = time.time,
        prices: PriceTable | None = None,
    ) -> None:
        self.settings = settings
        #: the reading of the open points (``settings.reading``, else the default at start)
        self.reading: Reading = settings.reading or default_reading()
        self.clock = clock
        self.prices = prices or PriceTable.load()
        self.lock = threading.RLock()
        self.accounts = {account.login: account for account in accounts}
        self._by_apikey = {a.apikey: a for a in accounts if a.apikey}
        self._batches: list[MessageBatch] = []
        #: (login, id) -> the batches stored under that id, oldest first
        self._by_id: dict[tuple[str, str], list[MessageBatch]] = {}
        self._ids = itertools.count(1)
        self._next_int_id = 1
        #: login -> its batches in store order, with each one's first int_id and sent_at
        #: (ascending: the index ``get.php?get_messages=1`` bisects instead of scanning)
        self._outbox: dict[str, Outbox] = {}
        self._windows: dict[tuple[object, ...], deque[float]] = {}
        self._expires: dict[tuple[object, ...], float] = {}  # when each window key stops mattering
        #: login -> phone (:func:`~smsc_frames.sandbox.store.chain_key`) -> (time of its last
        #: message, length of its chain of quick messages)
        self._chains: dict[str, dict[int | str, tuple[float, int]]] = {}
        self._blocked_until: dict[str, float] = {}
        self._in_flight: Counter[tuple[str, str]] = Counter()
        self._prune_at = PRUNE_AT_LEAST
        self.requests: deque[RequestRecord] = deque(maxlen=settings.request_log_size)

    # -- accounts -----------------------------------------------------------------------
    def balance(self, login: str) -> Decimal:
        """Current balance of *login*."""
        with self.lock:
            return self.accounts[login].balance

    def set_balance(self, login: str, amount: Decimal | str) -> None:
        """Set the balance of *login* (tests use it to provoke error 3)."""
        with self.lock:
            self.accounts[login].balance = Decimal(amount).quantize(Decimal("0.01"))

    def login_of(self, params: dict[str, str]) -> str:
        """The login a request claims (by ``login`` or ``apikey``), for concurrency counting."""
        account = self._by_apikey.get(params.get("apikey", ""))
        return account.login if account else params.get("login", "")

    def authenticate(self, params: dict[str, str], ip: str) -> Account:
        """The account of *params*, or error 4 (IP blocked) / 2 (failed login, counted)."""
        with self.lock:
            now = self.clock()
            if self._blocked_until.get(ip, 0.0) > now:
                raise ErrorAnswer(4)
            account = self._check_credentials(params)
            if account is not None:
                return account
            settings = self.settings
            key = ("failed_login", ip)
            if self.hit(key, settings.failed_login_limit - 1, settings.failed_login_window):
                self._blocked_until[ip] = now + settings.ip_block_seconds
                self._windows.pop(key, None)
                self._expires.pop(key, None)
            raise ErrorAnswer(2)

    def _check_credentials(self, params: dict[str, str]) -> Account | None:
        if "apikey" in params:
            for apikey, owner in self._by_apikey.items():
                if hmac.compare_digest(apikey.encode(), params["apikey"].encode()):
                    return owner
            return None
        account = self.accounts.get(params.get("login", ""))
        psw = params.get("psw")
        if account is None or psw is None:
            return None
        # the password, or its MD5 in lower-case hex, as SMSC's own libraries say psw may be
        hashed = hashlib.md5(account.password.encode(), usedforsecurity=False).hexdigest()
        if any(
            hmac.compare_digest(known.encode(), psw.encode())
            for known in (account.password, hashed)
        ):
            return account
        return None

    # -- windows ------------------------------------------------------------------------
    def hit(self, key: tuple[object, ...], limit: int, window: float) -> bool:
        """Record one event under *key*; True when *limit* events were already in *window*.

        A refused event is not recorded, so a steady stream is let through at the limit.
        """
        with self.lock:
            now = self.clock()
            events = self._windows.get(key, deque())
            while events and events[0] <= now - window:
                events.popleft()
            if len(events) >= limit:  # limit 0 refuses with no event: then no key is kept
                return True
            events.append(now)
            self._windows[key] = events
            self._expires[key] = now + window
            self._maybe_prune()
            return False

    def seen_within(self, key: tuple[object, ...], window: float) -> bool:
        """True when *key* was :meth:`remember`-ed less than *window* seconds ago."""
        with self.lock:
            events = self._windows.get(key)
            if not events:
                return False
            return events[-1] > self.clock() - window

    def remember(self, key: tuple[object, ...], window: float) -> None:
        """Note that *key* happened now; it is forgotten once *window* seconds have passed.

        Used for accepted send requests, keyed by a digest of their parameters (never the
        parameters themselves), for :meth:`seen_within` with the duplicate window.
        """
        with self.lock:
            now = self.clock()
            self._windows[key] = deque([now])
            self._expires[key] = now + window
            self._maybe_prune()

    def prune(self) -> int:
        """Forget every window key, flood chain and IP block whose window has passed.

        Returns how many entries went. Nothing still able to change an answer is dropped: a
        window key lives until its last event is a full window old, a chain until
        ``flood_interval`` passed since its last message, a block until it ends.
        """
        with self.lock:
            now = self.clock()
            before = self._table_size()
            for key in [key for key, until in self._expires.items() if until <= now]:
                del self._expires[key]
                self._windows.pop(key, None)
            for ip in [ip for ip, until in self._blocked_until.items() if until <= now]:
                del self._blocked_until[ip]
            horizon = now - self.settings.flood_interval
            for login, chains in list(self._chains.items()):
                for phone in [phone for phone, (last, _) in chains.items() if last <= horizon]:
                    del chains[phone]
                if not chains:
                    del self._chains[login]
            after = self._table_size()
            self._prune_at = max(PRUNE_AT_LEAST, 2 * after)
            return before - after

    def _table_size(self) -> int:
        return len(self._windows) + self._chain_count() + len(self._blocked_until)

    def _chain_count(self) -> int:
        return sum(map(len, self._chains.values()))

    def _maybe_prune(self) -> None:
        if self._table_size() >= self._prune_at:
            self.prune()

    def table_sizes(self) -> dict[str, int]:
        """How many entries each per-request table holds (tests check they stay bounded)."""
        with self.lock:
            return {"windows": len(self._windows), "chains": self._chain_count(),
                    "blocked_ips": len(self._blocked_until), "in_flight": len(self._in_flight),
                    "requests": len(self.requests)}  # fmt: skip

    @contextmanager
    def in_flight(self, kind: str, login: str) -> Iterator[int]:
        """Count a request in flight under *login*; yields how many there are, this one included."""
        with self.lock:
            self._in_flight[kind, login] += 1
            count = self._in_flight[kind, login]
        try:
            yield count
        finally:
            with self.lock:
                self._in_flight[kind, login] -= 1
                if not self._in_flight[kind, login]:  # any claimed login gets a key: drop it
                    del self._in_flight[kind, login]

    def in_flight_count(self, kind: str, login: str) -> int:
        """Requests of *kind* (``"send"``/``"status"``) in flight under *login* right now."""
        with self.lock:
            return self._in_flight[kind, login]

    # -- messages -----------------------------------------------------------------------
    def next_id(self) -> str:
        """A fresh server-assigned message id."""
        with self.lock:
            return str(next(self._ids))

    def flood_chains(self, login: str, phones: list[str]) -> list[int]:
        """How long the chain of quick messages to each of *phones* would be with one more now.

        One clock reading for all of them.
        """
        with self.lock:
            now, interval = self.clock(), self.settings.flood_interval
            last_of = self._chains.get(login, {}).get
            lasts = [last_of(chain_key(phone), _NO_CHAIN) for phone in phones]
            return [length + 1 if now - last < interval else 1 for last, length in lasts]

    def store(self, batch: MessageBatch) -> None:
        """Store the messages of one request and extend the flood chains of its numbers.

        A later message with the same login, id and phone shadows an earlier one in lookups.
        A wrong-format number (status 22) reaches no phone and starts no chain.
        """
        with self.lock:
            batch.first_int_id = self._next_int_id
            self._next_int_id += len(batch)
            self._batches.append(batch)
            self._by_id.setdefault((batch.login, batch.sms_id), []).append(batch)
            self._outbox.setdefault(batch.login, Outbox()).add(batch)
            self._extend_chains(batch)
            self._maybe_prune()

    def _extend_chains(self, batch: MessageBatch) -> None:
        chains = self._chains.setdefault(batch.login, {})
        last_of, sent_at = chains.get, batch.sent_at
        now, interval = self.clock(), self.settings.flood_interval
        reaching = (batch.fixed_statuses != 22).tolist()
        for code, reaches in zip(batch.numbers.tolist(), reaching):
            if reaches:
                phone = code if code >= 0 else batch.odd_keys[-1 - code]
                last, length = last_of(phone, _NO_CHAIN)
                chains[phone] = (sent_at, length + 1 if now - last < interval else 1)

    def find(self, login: str, sms_id: str, phone: str) -> StoredMessage | None:
        """The message *sms_id* to *phone* of *login*, or None."""
        with self.lock:
            location = self._locate(login, sms_id, phone)
            return None if location is None else location[0].message(location[1])

    def delete(self, login: str, sms_id: str, phone: str) -> None:
        """Forget the message *sms_id* to *phone* of *login* (``status.php`` with ``del=1``)."""
        with self.lock:
            location = self._locate(login, sms_id, phone)
            if location is not None:
                location[0].deleted.add(location[1])

    def _locate(self, login: str, sms_id: str, phone: str) -> tuple[MessageBatch, int] | None:
        """The batch and index of the message lookups see (the latest), or None if deleted."""
        for batch in reversed(self._by_id.get((login, sms_id), ())):
            index = batch.position(phone)
            if index is not None:
                return None if index in batch.deleted else (batch, index)
        return None

    def outbox(self, login: str) -> Outbox:
        """The index of *login*'s stored batches (read it holding :attr:`lock`)."""
        return self._outbox.get(login) or Outbox()

    def messages(self) -> list[dict[str, object]]:
        """Every stored message, oldest first, with its status now."""
        with self.lock:
            now = self.clock()
            return [batch.message(index).as_dict(now) for batch in self._batches
                    for index in batch.stored()]  # fmt: skip

    def log_request(
        self, endpoint: str, params: dict[str, str], code: int, fault: str | None
    ) -> None:
        """Append to :attr:`requests` (the last ``request_log_size`` kept).

        ``psw`` and ``apikey`` are left out of the stored parameters.
        """
        shown = {key: value for key, value in params.items() if key not in SECRET_PARAMS}
        with self.lock:
            self.requests.append(RequestRecord(endpoint, shown, code, fault))
