"""Checking every ``send.php`` parameter against its documented range.

:func:`parse_send` turns the decoded form into a :class:`SendRequest` or raises
:class:`~smsc_frames.sandbox.codes.ErrorAnswer`: error 1 ``parameters error: <name>`` for the
first offending parameter, error 5 for a ``time`` the sandbox cannot read.

Examples
--------
>>> request = parse_send({"phones": "79161234567", "mes": "Hi", "cost": "1"}, now=0.0)
>>> request.cost_mode, request.lines[0].phones, request.sms_id
(1, ('79161234567',), None)
>>> parse_send({"phones": "79161234567", "mes": "Hi", "maxsms": "0"}, now=0.0)
Traceback (most recent call last):
...
smsc_frames.sandbox.codes.ErrorAnswer: 1: parameters error: maxsms
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from smsc_frames.sandbox.codes import ErrorAnswer, parameter_error
from smsc_frames.sandbox.listcodec import ListLine, ListSyntaxError, parse_list, split_phones

CREDENTIALS = frozenset({"login", "psw", "apikey"})
KIND_FLAGS = ("flash", "push", "hlr", "ping", "mms", "mail", "soc", "viber", "whatsapp", "call")
SEND_PARAMS = CREDENTIALS | frozenset(KIND_FLAGS) | {
    "phones", "mes", "list", "nl", "id", "sender", "translit", "tinyurl", "time", "tz",
    "period", "freq", "bin", "tg", "bot", "smsreq", "fileurl", "voice", "param", "subj",
    "charset", "cost", "fmt", "valid", "maxsms", "imgcode", "userip", "err", "op", "pp",
}  # fmt: skip
MAX_TEXT_CHARS = 1000
MOSCOW = timezone(timedelta(hours=3))

_STRING_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
_SENDER = re.compile(r"[A-Za-z0-9 .\-_!?&'()+/:@#*]{1,11}")
_DIGITS_SENDER = re.compile(r"[0-9]{1,15}")
_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")
_VOICE = re.compile(r"(m|m2|m3|m4|w|w2|w3|w4)(,[a-z]{2})?")
_EMAIL = re.compile(r"[^\s@,;:|<>]+@[^\s@,;:|<>]+\.[^\s@,;:|<>]+")
_BIN_TRAILER = re.compile(r"pid: ([0-9]{1,3}), dcs: ([0-9]{1,3})")
BIN_TRAILER_MARK = "\n~~~\n"
_BOT = re.compile(r"@[A-Za-z0-9_]{1,64}bot", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s/]+\S*")
_INT = re.compile(r"-?[0-9]{1,9}")
_DATED_TIME = re.compile(r"[0-9]{10}|[0-9]{2}\.[0-9]{2}\.[0-9]{2} [0-9]{2}:[0-9]{2}")


@dataclass(frozen=True)
class SendRequest:
    """A ``send.php`` request that passed every parameter check (``due``: one time per line)."""

    lines: tuple[ListLine, ...]
    sms_id: str | None
    translit: int
    maxsms: int | None
    cost_mode: int
    op: bool
    err: bool
    due: tuple[float, ...]
    binary: int
    needs_text: bool
    kind: str | None = None
    tinyurl: bool = False
    telegram: bool = False
    #: ``(period in hours, freq in minutes)`` when the mailing is spread over time
    spread: tuple[Decimal, int] | None = None


def is_email(value: str) -> bool:
    """An e-mail address as the sandbox accepts one (``name@domain.tld``, no spaces).

    Examples
    --------
    >>> is_email("ann@example.org"), is_email("79161234567"), is_email("@nick")
    (True, False, False)
    """
    return _EMAIL.fullmatch(value) is not None


def split_binary(text: str, binary: int, name: str) -> str:
    r"""The binary message of *text* without its ``\n~~~\npid: P, dcs: D`` trailer, checked.

    ``bin=2``: an even number of hex digits; the first byte (the UDH length, 0 for none) must
    fit in the message. ``pid`` and ``dcs`` are decimal bytes (0-255), written exactly as the
    page shows (our reading of "значение").

    Examples
    --------
    >>> split_binary("050A0307056048656C6C6F\n~~~\npid: 0, dcs: 4", 2, "mes")
    '050A0307056048656C6C6F'
    >>> split_binary("48656C6C6F", 2, "mes")
    Traceback (most recent call last):
    ...
    smsc_frames.sandbox.codes.ErrorAnswer: 1: parameters error: mes
    """
    body, mark, trailer = text.partition(BIN_TRAILER_MARK)
    if mark:
        match = _BIN_TRAILER.fullmatch(trailer)
        if match is None or int(match[1]) > 255 or int(match[2]) > 255:
            raise parameter_error(name)
    if binary == 2:
        if not re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", body):
            raise parameter_error(name)
        data = bytes.fromhex(body)
        header, size = data[0], len(data)
    else:
        if not body:
            raise parameter_error(name)
        header, size = ord(body[0]), len(body)
    if header + 1 > size:
        raise parameter_error(name)
    return body


def message_id(value: str) -> str:
    """Check an ``id``: 1..2147483647 or up to 40 of ``[A-Za-z0-9._-]``; digits are a number.

    Examples
    --------
    >>> message_id("007"), message_id("camp-1.a_b")
    ('7', 'camp-1.a_b')
    """
    if value.isascii() and value.isdigit():
        if not 1 <= int(value) <= 2147483647:
            raise parameter_error("id")
        return str(int(value))
    if not _STRING_ID.fullmatch(value):
        raise parameter_error("id")
    return value


def check_sender(value: str, name: str = "sender") -> str:
    """Up to 11 Latin letters, digits, space and ``.-_!?&'()+/:@#*``, or up to 15 digits."""
    if not (_DIGITS_SENDER.fullmatch(value) or _SENDER.fullmatch(value)):
        raise parameter_error(name)
    return value


def _choice(params: dict[str, str], name: str, allowed: range) -> int:
    value = params.get(name)
    if value is None:
        return allowed[0]
    if not (_INT.fullmatch(value) and int(value) in allowed):
        raise parameter_error(name)
    return int(value)


def _decimal(params: dict[str, str], name: str, low: Decimal, high: Decimal) -> None:
    try:
        number = Decimal(params[name])
    except InvalidOperation:
        raise parameter_error(name) from None
    if not (number.is_finite() and low <= number <= high):
        raise parameter_error(name)


def _check_valid(value: str) -> None:
    match = _HHMM.fullmatch(value)
    if match:
        minutes = int(match[1]) * 60 + int(match[2])
        if int(match[2]) < 60 and 1 <= minutes <= 24 * 60:
            return
    elif _INT.fullmatch(value) and 1 <= int(value) <= 24:
        return
    raise parameter_error("valid")


def _check_pattern(params: dict[str, str], name: str, pattern: re.Pattern[str]) -> None:
    if name in params and not pattern.fullmatch(params[name]):
        raise parameter_error(name)


def due_time(value: str, tz_hours: int, now: float) -> float:
    """When a message with ``time=value`` is due (unix seconds); raises error 5 if unreadable.

    ``DDMMYYhhmm`` and ``DD.MM.YY hh:mm`` are Moscow time shifted by ``tz``; ``h1-h2`` sends
    now inside the window, else at the next ``h1:00``; ``0<ts>`` is a unix time; ``+m``
    minutes from now; ``0`` or a past time is now.

    Examples
    --------
    >>> due_time("+5", 0, 1000.0), due_time("0", 0, 1000.0), due_time("01700000000", 0, 0.0)
    (1300.0, 1000.0, 1700000000.0)
    >>> due_time("0101250000", 0, 0.0) == datetime(2025, 1, 1, tzinfo=MOSCOW).timestamp()
    True
    >>> due_time("31.02.25 10:00", 0, 0.0)
    Traceback (most recent call last):
    ...
    smsc_frames.sandbox.codes.ErrorAnswer: 5: wrong date format
    """
    zone = timezone(timedelta(hours=3 + tz_hours))
    try:
        if re.fullmatch(r"[0-9]{10}", value):
            moment = datetime.strptime(value, "%d%m%y%H%M").replace(tzinfo=zone).timestamp()
        elif re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2} [0-9]{2}:[0-9]{2}", value):
            moment = datetime.strptime(value, "%d.%m.%y %H:%M").replace(tzinfo=zone).timestamp()
        elif re.fullmatch(r"0[0-9]{0,12}", value):
            moment = float(int(value))
        elif re.fullmatch(r"\+[0-9]{1,7}", value):
            moment = now + 60 * int(value[1:])
        elif match := re.fullmatch(r"([0-9]{1,2})-([0-9]{1,2})", value):
            moment = _window_start(int(match[1]), int(match[2]), zone, now)
        else:
            raise ValueError(value)
    except ValueError:
        raise ErrorAnswer(5) from None
    return max(moment, now)


def _window_start(first_hour: int, last_hour: int, zone: timezone, now: float) -> float:
    if not 0 <= first_hour < last_hour <= 24:
        raise ValueError("h1-h2 needs 0 <= h1 < h2 <= 24")
    local = datetime.fromtimestamp(now, zone)
    if first_hour <= local.hour < last_hour:
        return now
    start = local.replace(hour=first_hour, minute=0, second=0, microsecond=0)
    if local.hour >= last_hour:
        start += timedelta(days=1)
    return start.timestamp()


def _check_options(params: dict[str, str]) -> None:
    """Range checks of the options that do not change what the sandbox stores."""
    kinds = [name for name in (*KIND_FLAGS, "tg") if _choice(params, name, range(2))]
    if len(kinds) > 1:
        raise parameter_error(kinds[-1])
    for name in ("tinyurl", "err", "op", "nl"):
        _choice(params, name, range(2))
    for name, allowed in (
        ("smsreq", range(10, 1000)),
        ("pp", range(1, 10**9)),
    ):
        if name in params:
            _choice(params, name, allowed)
    if "period" in params and "freq" in params:  # the page: without period freq is ignored
        _choice(params, "freq", range(1, 1441))
    if "period" in params:
        _decimal(params, "period", Decimal("0.1"), Decimal("720"))
    if "valid" in params:
        _check_valid(params["valid"])
    # ``param``: the page says a value out of range makes every call parameter default: no error
    for name, pattern in (
        ("voice", _VOICE),
        ("bot", _BOT),
        ("fileurl", _URL),
    ):
        _check_pattern(params, name, pattern)
    if "subj" in params and not 0 < len(params["subj"]) <= 100:
        raise parameter_error("subj")
    if "imgcode" in params and ("userip" not in params or not params["imgcode"].strip()):
        raise parameter_error("imgcode")
    if "userip" in params:
        try:
            ipaddress.ip_address(params["userip"])
        except ValueError:
            raise parameter_error("userip") from None


def _check_text(text: str, name: str, needs_text: bool, kind: str | None) -> None:
    if len(text) > MAX_TEXT_CHARS or (needs_text and not text):
        raise parameter_error(name)
    if kind == "push" and "\n" not in text.strip("\n"):  # a link and a title, one per line
        raise parameter_error(name)


def _lines(params: dict[str, str], needs_text: bool, kind: str | None) -> tuple[ListLine, ...]:
    check = _check_mail_sender if kind == "mail" else check_sender
    sender = check(params["sender"]) if "sender" in params else None
    if "list" in params:
        for name in ("phones", "mes"):
            if name in params:
                raise parameter_error(name)
        try:
            lines = parse_list(params["list"], nl=params.get("nl", "0") == "1")
        except ListSyntaxError:
            raise parameter_error("list") from None
        if not lines:
            raise parameter_error("list")
        for line in lines:
            _check_text(line.text, "list", needs_text, kind)
            if line.sender is not None:
                check(line.sender, "list")
            if line.tz is not None and not (_INT.fullmatch(line.tz) and -15 <= int(line.tz) <= 11):
                raise parameter_error("list")
        return tuple(
            ListLine(
                line.phones,
                line.text if needs_text or kind not in ("hlr", "ping") else "",
                line.sender if line.sender is not None else sender,
                line.tz,
            )
            for line in lines
        )
    if "phones" not in params or not split_phones(params["phones"]):
        raise parameter_error("phones")
    text = params.get("mes", "")
    if kind in ("hlr", "ping"):
        text = ""  # the page: "mes is not used"
    _check_text(text, "mes", needs_text, kind)
    return (ListLine(tuple(split_phones(params["phones"])), text, sender, None),)


def _check_mail_sender(value: str, name: str = "sender") -> str:
    """An e-mail's sender is an address (the page: "адрес отправителя")."""
    if not is_email(value):
        raise parameter_error(name)
    return value


def _needs_text(params: dict[str, str], kind: str | None, files: int) -> bool:
    """Whether ``mes`` (or each ``list`` text) must be non-empty for this kind of message."""
    if kind in ("hlr", "ping"):
        return False
    if kind == "mail":
        for name in ("subj", "sender"):  # the page: subject, text and sender are required
            if name not in params:
                raise parameter_error(name)
        return True
    if kind == "mms":
        return "subj" not in params  # the page: a subject or a text
    if kind == "call":
        return files == 0  # a voice message may be only attached audio
    return True


def parse_send(params: dict[str, str], *, now: float, files: int = 0) -> SendRequest:
    """Check a decoded ``send.php`` form; see the module docstring and ``docs/sandbox.md``.

    *files* is how many files the (multipart) request attached.
    """
    unknown = sorted(set(params) - SEND_PARAMS)
    if unknown:
        raise parameter_error(", ".join(unknown))
    _check_options(params)
    kind = next((name for name in (*KIND_FLAGS, "tg") if params.get(name) == "1"), None)
    needs_text = _needs_text(params, kind, files)
    lines = _lines(params, needs_text, kind)
    binary = _choice(params, "bin", range(3))
    if binary:
        name = "list" if "list" in params else "mes"
        lines = tuple(
            ListLine(line.phones, split_binary(line.text, binary, name), line.sender, line.tz)
            for line in lines
        )
    maxsms = _choice(params, "maxsms", range(1, 10000)) if "maxsms" in params else None
    tz = _choice(params, "tz", range(-15, 12)) if "tz" in params else 0
    # the page: a list line's tz "works only when time is DDMMYYhhmm or DD.MM.YY hh:mm"
    dated = "time" in params and _DATED_TIME.fullmatch(params["time"]) is not None
    due = tuple(
        due_time(params["time"], int(line.tz) if dated and line.tz is not None else tz, now)
        if "time" in params
        else now
        for line in lines
    )
    return SendRequest(
        lines=lines,
        sms_id=_request_id(params),
        translit=_choice(params, "translit", range(3)),
        maxsms=maxsms,
        cost_mode=_choice(params, "cost", range(4)),
        op=params.get("op") == "1",
        err=params.get("err") == "1",
        due=due,
        binary=binary,
        needs_text=needs_text,
        kind=kind,
        tinyurl=params.get("tinyurl") == "1",
        telegram=kind == "tg" or "bot" in params,
        spread=(Decimal(params["period"]), int(params["freq"]))
        if "period" in params and "freq" in params
        else None,
    )


def _request_id(params: dict[str, str]) -> str | None:
    """The client's ``id``, or None when the server assigns one: absent, or ``0`` (the
    official libraries send ``id=0`` on every call, meaning "none")."""
    value = params.get("id")
    if value is None or (value.isascii() and value.isdigit() and int(value) == 0):
        return None
    return message_id(value)
