"""``send.php``, and :func:`handle`, which answers every endpoint: decoded parameters in, answer
text in the requested ``fmt`` out (``status.php`` and ``balance.php`` are answered by
:mod:`smsc_frames.sandbox.lookups`, ``get.php`` by :mod:`smsc_frames.sandbox.history`).

Each handler returns ``(text, code)`` where ``code`` is 0 for success or SMSC's error code;
errors are answered with HTTP 200 like SMSC does. The HTTP layer (``server.py``) decodes the
form and encodes the answer; the memory lives in ``state.py``.

Examples
--------
>>> from smsc_frames.sandbox.settings import SandboxSettings, default_accounts
>>> from smsc_frames.sandbox.state import State
>>> state = State(default_accounts(), SandboxSettings())
>>> context = RequestContext(ip="127.0.0.1", fmt=3, concurrent=1)
>>> params = {"login": "demo", "psw": "demo", "phones": "79161234567", "mes": "Hi", "cost": "3"}
>>> handle("send.php", state, params, context)
('{"id": 1, "cnt": 1, "cost": "5.45", "balance": "994.55"}', 0)
>>> handle("balance.php", state, {"apikey": "demo-apikey", "cur": "1"}, context)
('{"balance": "994.55", "currency": "RUR"}', 0)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal

from smsc_frames.sandbox.codes import TOO_MANY_CONCURRENT, ErrorAnswer, parameter_error
from smsc_frames.sandbox.context import RequestContext, money
from smsc_frames.sandbox.formats import render_error, render_send
from smsc_frames.sandbox.history import handle_history
from smsc_frames.sandbox.listcodec import ListLine, normalize_phones
from smsc_frames.sandbox.lookups import handle_balance, handle_status
from smsc_frames.sandbox.pricing import MAIL_ROUTE, TELEGRAM_ROUTE, UNROUTED, Route
from smsc_frames.sandbox.segments import count_parts, normalize, transliterate, truncate_to_parts
from smsc_frames.sandbox.sendparams import (
    CREDENTIALS,
    KIND_FLAGS,
    SendRequest,
    is_email,
    parse_send,
)
from smsc_frames.sandbox.settings import Account, Reading, SandboxSettings
from smsc_frames.sandbox.state import MessageBatch, State

ZERO = Decimal(0)
#: Parameters that only shape the answer: two send requests differing only in them are identical.
NOT_IN_IDENTITY = CREDENTIALS | {"fmt", "charset", "op", "err", "cost"}

#: Final status and err of the magic numbers (delivered = 1 / 0 for every other number).
MAGIC_FINAL = {"79990000020": (20, 1), "79990000025": (25, 6), "79990000003": (3, 6)}
DELIVERED = (1, 0)  # the final status and err of every other number
#: Refused at send time with status 20 / err 248 (no route), not charged; alone: error 8.
MAGIC_UNDELIVERABLE = frozenset({"79990000008"})
#: ``type`` in status answers, by the kind flag of the request (0 = plain SMS, 2 = binary).
KIND_TYPES = {"flash": 1, "push": 3, "hlr": 4, "ping": 5, "mms": 6, "call": 7, "mail": 8,
              "soc": 9, "viber": 10, "whatsapp": 12}  # fmt: skip


def handle(
    endpoint: str, state: State, params: dict[str, str], context: RequestContext
) -> tuple[str, int]:
    """Answer one request to *endpoint* (a key of :data:`HANDLERS`)."""
    handler: Callable[[State, dict[str, str], RequestContext], str] = HANDLERS[endpoint]
    try:
        return handler(state, params, context), 0
    except ErrorAnswer as error:
        answer = render_error(
            context.fmt, error.code, error.description, error.sms_id, state.reading
        )
        return answer, error.code


# -- send.php ---------------------------------------------------------------------------------
@dataclass(slots=True)
class _Recipients:
    """The distinct numbers of one send request, one list per attribute, in request order.

    ``phones`` holds E.164 digits, or None for a wrong-format token; ``keys`` what is stored
    and answered (the phone, else the token as written); ``lines`` the index of the number's
    line. :func:`_judge` fills the verdicts: ``mccmnc``, ``statuses``/``errors`` (SMSC's
    strings, empty for an accepted number), ``costs`` and ``routes``.
    """

    phones: list[str | None]
    keys: list[str]
    lines: list[int]
    mccmnc: list[str] = dc_field(default_factory=list)
    statuses: list[str] = dc_field(default_factory=list)
    errors: list[str] = dc_field(default_factory=list)
    costs: list[Decimal] = dc_field(default_factory=list)
    routes: list[Route] = dc_field(default_factory=list)

    def valid_phones(self) -> list[str]:
        """The phones of every valid-format number."""
        return [phone for phone in self.phones if phone is not None]

    def valid_statuses(self) -> list[str]:
        """The statuses :func:`_judge` gave every valid-format number."""
        return [status for phone, status in zip(self.phones, self.statuses) if phone is not None]

    def charged_parts(self, parts_per_line: list[int]) -> int:
        """SMS parts of the numbers :func:`_judge` accepted (SMSC's ``cnt``)."""
        return sum(
            [parts_per_line[line] for line, status in zip(self.lines, self.statuses) if not status]
        )


#: Links ``tinyurl=1`` shortens, and what each becomes: a placeholder of fixed length (20).
_LINK = re.compile(r"(?:https?://|www\.)[^\s]+", re.IGNORECASE)
SHORT_LINK_PREFIX = "https://s.sbx/"
#: Kinds that are one message per recipient whatever the text (not split into SMS parts).
WHOLE_MESSAGE_KINDS = frozenset({"hlr", "ping", "mms", "mail", "tg"})


def short_link(link: str) -> str:
    """The placeholder ``tinyurl=1`` puts in place of *link*: 20 characters, the same for the
    same link.

    Examples
    --------
    >>> short_link("https://example.org/a/very/long/path?utm=1")
    'https://s.sbx/02f8ff'
    >>> len(short_link("www.example.org"))
    20
    """
    return SHORT_LINK_PREFIX + hashlib.sha256(link.encode("utf-8", "surrogatepass")).hexdigest()[:6]


def _measure(
    text: str, request: SendRequest, settings: SandboxSettings, file_sizes: list[int]
) -> tuple[str, int, int]:
    """``(text as sent, units in cnt, units billed)`` of one message to one recipient.

    SMS: parts, billed per part. Binary: 140 bytes, 134 per part when split, not counting a
    leading zero byte ("без UDH заголовка ... нулевой байт": no header, not data). hlr, ping, mms,
    mail and Telegram codes: 1. call: seconds of speech (``call_chars_per_second``) plus
    attached audio (``call_file_bytes_per_second``), billed per started minute.
    """
    if request.binary:
        data = bytes.fromhex(text) if request.binary == 2 else text.encode("latin-1")
        size = len(data) - 1 if data[0] == 0 else len(data)
        parts = 1 if size <= 140 else -(-size // 134)
        return text, parts, parts
    prepared = transliterate(normalize(text), request.translit)
    if request.tinyurl:
        prepared = _LINK.sub(lambda link: short_link(link[0]), prepared)
    if request.kind == "call":
        seconds = -(-len(prepared) // settings.call_chars_per_second)
        seconds += sum(-(-size // settings.call_file_bytes_per_second) for size in file_sizes)
        seconds = max(seconds, 1)
        return prepared, seconds, -(-seconds // 60)
    if request.kind in WHOLE_MESSAGE_KINDS:
        return prepared, 1, 1
    if request.maxsms is not None:
        prepared = truncate_to_parts(prepared, request.maxsms)
    parts = count_parts(prepared)
    return prepared, parts, parts


_GROUP = re.compile(r"G([0-9]{1,9})")
_TELEGRAM = re.compile(r"@[A-Za-z0-9_]{5,32}|#[0-9]{1,20}")


def _expand(lines: tuple[ListLine, ...], account: Account) -> tuple[list[str], list[int]]:
    """Every recipient token of *lines* and its line, each ``G<n>`` of a group of *account*
    replaced by the group's members (an unknown group stays a token, a wrong recipient)."""
    tokens: list[str] = []
    line_of: list[int] = []
    groups = account.groups
    for index, line in enumerate(lines):
        for token in line.phones:
            group = _GROUP.fullmatch(token) if groups else None
            members = groups.get(int(group[1])) if group else None
            if members is None:
                tokens.append(token)
                line_of.append(index)
            else:
                tokens.extend(members)
                line_of.extend([index] * len(members))
    return tokens, line_of


def _keys(tokens: list[str], request: SendRequest) -> list[str | None]:
    """What each token addresses: E.164 digits, an e-mail address (``mail=1`` only), a Telegram
    ``@nick`` or ``#ID`` (``tg=1`` or ``bot`` only), or None for a wrong recipient."""
    if request.kind == "mail":
        return [token if is_email(token) else None for token in tokens]
    keys = normalize_phones(tokens)
    if request.telegram:
        keys = [
            token if key is None and _TELEGRAM.fullmatch(token) else key
            for key, token in zip(keys, tokens)
        ]
    return keys


def _recipients(
    request: SendRequest, account: Account, max_recipients: int, field: str
) -> _Recipients:
    """Every recipient of the request: a number may appear on several lines of ``list`` (one
    message per line, as the page's own example does); a repeat on one line is dropped."""
    tokens, line_of = _expand(request.lines, account)
    phones = _keys(tokens, request)
    keys = [phone or token for phone, token in zip(phones, tokens)]
    pairs = list(zip(keys, line_of))
    if len(set(pairs)) < len(pairs):
        first: dict[tuple[str, int], int] = {}
        for position, pair in enumerate(pairs):
            first.setdefault(pair, position)
        kept = sorted(first.values())
        phones = [phones[i] for i in kept]
        keys = [keys[i] for i in kept]
        line_of = [line_of[i] for i in kept]
    if len(keys) > max_recipients:
        raise parameter_error(field)
    return _Recipients(phones, keys, line_of)


def _kind(params: dict[str, str]) -> int:
    if params.get("bin", "0") not in ("0", ""):
        return 2
    return next((KIND_TYPES[name] for name in KIND_FLAGS if params.get(name) == "1"), 0)


def handle_send(state: State, params: dict[str, str], context: RequestContext) -> str:
    """``/sys/send.php``: check, price, store atomically, answer."""
    account = state.authenticate(params, context.ip)
    settings = state.settings
    if context.concurrent >= settings.max_concurrent_sends:
        raise ErrorAnswer(9, TOO_MANY_CONCURRENT)
    now = state.clock()
    request = parse_send(params, now=now, files=len(context.files))
    if context.files and request.kind not in ("mms", "mail", "call"):
        raise parameter_error(context.files[0][0])  # the page attaches files to these only
    field = "list" if "list" in params else "phones"
    recipients = _recipients(request, account, settings.max_recipients, field)
    prepared: dict[str, tuple[str, int, int]] = {}  # lines often repeat a text: measure it once
    file_sizes = [size for _, size in context.files]
    texts = []
    for line in request.lines:
        text = prepared.get(line.text)
        if text is None:
            text = prepared[line.text] = _measure(line.text, request, settings, file_sizes)
        texts.append(text)
    sms_id = request.sms_id
    if any(settings.denied_marker in line.text for line in request.lines) or (
        state.reading.unregistered_sender == "error" and _unregistered_sender(account, request)
    ):
        raise ErrorAnswer(6, sms_id=sms_id or state.next_id())
    valid = recipients.valid_phones()
    if not valid:
        raise ErrorAnswer(7, sms_id=sms_id or state.next_id())
    request_key = ("send", account.login, request_digest(params))
    with state.lock:
        if request.cost_mode != 1 and state.seen_within(request_key, settings.duplicate_window):
            raise ErrorAnswer(9)
        if request.cost_mode == 1 and state.hit(
            ("cost", *request_key), settings.cost_repeat_limit, settings.cost_repeat_window
        ):
            raise ErrorAnswer(9)
        _judge(state, account, recipients, request.lines, texts)
        if all(status == "20" for status in recipients.valid_statuses()):
            raise ErrorAnswer(8, sms_id=sms_id or state.next_id())
        total = sum(recipients.costs, ZERO)
        count = recipients.charged_parts([units for _, units, _ in texts])
        if request.cost_mode == 1:
            return _send_answer(
                context.fmt,
                request,
                recipients,
                [("cost", money(total)), ("cnt", count)],
                state.reading,
            )
        sms_id = sms_id or state.next_id()
        if total > account.balance:
            raise ErrorAnswer(3, sms_id=sms_id)
        # wrong-format numbers too: SMSC keeps them with status 22
        batch = _batch(state, account, sms_id, recipients, request, texts, now, params)
        batch.files = tuple(file_sizes)
        if request.spread is not None:
            batch.delays = spread_delays(len(recipients.keys), *request.spread)
        state.store(batch)
        account.balance -= total
        state.remember(request_key, settings.duplicate_window)
        fields: list[tuple[str, object]] = [("id", sms_id), ("cnt", count)]
        if request.cost_mode >= 2:
            fields.append(("cost", money(total)))
        if request.cost_mode == 3:
            fields.append(("balance", money(account.balance)))
        return _send_answer(context.fmt, request, recipients, fields, state.reading)


def spread_delays(count: int, period_hours: Decimal, freq_minutes: int) -> tuple[float, ...]:
    """Seconds each of *count* recipients waits when ``period`` and ``freq`` spread a mailing.

    The page: every ``freq`` minutes the next group is sent, the group size "computed from
    period and freq". Ours: ``period / freq`` groups (at least 1), as equal as can be, in
    request order.

    Examples
    --------
    >>> spread_delays(5, Decimal("0.5"), 10)  # 3 groups of at most 2, 10 minutes apart
    (0.0, 0.0, 600.0, 600.0, 1200.0)
    >>> spread_delays(2, Decimal("0.1"), 60)  # one group: no wait
    (0.0, 0.0)
    """
    groups = max(1, int(period_hours * 60 // freq_minutes))
    size = max(1, -(-count // groups))
    return tuple(float(index // size * freq_minutes * 60) for index in range(count))


def request_digest(params: dict[str, str]) -> bytes:
    """sha256 of the parameters that make two send requests identical (see NOT_IN_IDENTITY).

    The duplicate and ``cost=1`` windows remember this 32-byte digest, never the parameters
    (up to 256 KiB each).

    Examples
    --------
    >>> a = request_digest({"phones": "79161234567", "mes": "Hi", "fmt": "3", "psw": "x"})
    >>> a == request_digest({"mes": "Hi", "phones": "79161234567", "cost": "2"}), len(a)
    (True, 32)
    >>> a == request_digest({"phones": "79161234567", "mes": "Hi!"})
    False
    """
    identity = sorted((key, value) for key, value in params.items() if key not in NOT_IN_IDENTITY)
    return hashlib.sha256(
        json.dumps(identity, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ).digest()


def _unregistered_sender(account: Account, request: SendRequest) -> bool:
    """Whether a line of the request names a sender the account has not registered."""
    senders = account.senders
    return senders is not None and any(
        line.sender is not None and line.sender not in senders for line in request.lines
    )


def _judge(
    state: State,
    account: Account,
    recipients: _Recipients,
    lines: tuple[ListLine, ...],
    texts: list[tuple[str, int, int]],
) -> None:
    """Fill each recipient's route, status/error (refusals) and cost (accepted ones)."""
    route_of = state.prices.route
    senders = account.senders
    refused_sender = [senders is not None and line.sender is not None and line.sender not in senders
                      for line in lines]  # fmt: skip
    valid = recipients.valid_phones()
    chains = dict(zip(valid, state.flood_chains(account.login, valid)))
    flood_messages = state.settings.flood_messages
    costs: dict[tuple[Decimal, int], Decimal] = {}
    mccmnc, statuses, errors = recipients.mccmnc, recipients.statuses, recipients.errors
    charged, routes = recipients.costs, recipients.routes
    for phone, line in zip(recipients.phones, recipients.lines):
        if phone is None:
            route, status, error = UNROUTED, "22", "249"
        else:
            route = route_of(phone) if phone.isdigit() else _special_route(phone)
            flooded = chains[phone] > flood_messages
            chains[phone] += 1  # the request's next line to it comes less than a minute later
            status, error = _refusal(phone, refused_sender[line], flooded)
        cost = ZERO
        if not status:
            key = (route.price, texts[line][2])
            known = costs.get(key)
            if known is None:
                known = costs[key] = key[0] * key[1]
            cost = known
        routes.append(route)
        mccmnc.append(route.mccmnc)
        statuses.append(status)
        errors.append(error)
        charged.append(cost)


def _special_route(key: str) -> Route:
    """Where an e-mail address or a Telegram ``@nick`` / ``#ID`` goes (illustrative prices)."""
    return TELEGRAM_ROUTE if key[0] in "@#" else MAIL_ROUTE


def _refusal(phone: str, refused_sender: bool, flooded: bool) -> tuple[str, str]:
    """SMSC's status and error for a valid number refused at send, or ``("", "")``."""
    if phone in MAGIC_UNDELIVERABLE:
        return "20", "248"
    if refused_sender:
        return "23", "254"
    if flooded:
        return "23", "251"
    return "", ""


def _batch(
    state: State,
    account: Account,
    sms_id: str,
    recipients: _Recipients,
    request: SendRequest,
    texts: list[tuple[str, int, int]],
    now: float,
    params: dict[str, str],
) -> MessageBatch:
    """What :meth:`State.store` keeps of an accepted request."""
    settings = state.settings
    # a wrong-format number (phone None) is fixed at status 22: its final pair is never shown
    finals = [MAGIC_FINAL.get(phone or "", DELIVERED) for phone in recipients.phones]
    return MessageBatch(
        sms_id=sms_id,
        login=account.login,
        kind=_kind(params),
        sent_at=now,
        phones=tuple(recipients.keys),
        lines=tuple(recipients.lines),
        costs=tuple(recipients.costs),
        routes=tuple(recipients.routes),
        fixed_statuses=tuple([int(status) if status else None for status in recipients.statuses]),
        final_statuses=tuple([status for status, _ in finals]),
        final_errors=tuple(
            [int(error) if error else final[1] for error, final in zip(recipients.errors, finals)]
        ),
        texts=tuple(text for text, _, _ in texts),
        senders=tuple(line.sender for line in request.lines),
        parts=tuple(units for _, units, _ in texts),
        operator_at=tuple(due + settings.seconds_to_operator for due in request.due),
        final_at=tuple(due + settings.seconds_to_final for due in request.due),
    )


def _send_answer(
    fmt: int,
    request: SendRequest,
    recipients: _Recipients,
    fields: list[tuple[str, object]],
    reading: Reading,
) -> str:
    """The answer; ``op=1`` rows give an accepted number the reading's status and error."""
    rows = None
    if request.op or request.err:
        costs = {cost: money(cost) for cost in set(recipients.costs)}
        accepted = (reading.op1_status, reading.op1_error)
        rows = [
            (key, mccmnc, costs[cost], *((status, error) if status else accepted))
            for key, mccmnc, cost, status, error in zip(
                recipients.keys,
                recipients.mccmnc,
                recipients.costs,
                recipients.statuses,
                recipients.errors,
            )
            if request.op or status
        ]
    return render_send(fmt, fields, rows, reading)


HANDLERS = {
    "send.php": handle_send,
    "status.php": handle_status,
    "balance.php": handle_balance,
    "get.php": handle_history,
}
