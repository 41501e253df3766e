"""Every ``send.php`` parameter a campaign may set, validated locally.

:class:`Options` holds one field per parameter of SMSC's ``send.php`` (the seed page) that a
campaign chooses; each is checked in ``__post_init__`` against the documented range or format,
so a bad value raises :class:`~smsc_frames.errors.ValidationError` naming the parameter and the
rule before any request is made. Values are stored in a normalised form (``datetime`` rendered
to SMSC's ``time`` syntax, numbers as ``int``/``Decimal``) and :meth:`Options.to_params` gives
the wire form of the ones that are set.

The parameters the library sets itself (credentials, recipients, text, ``id``, ``charset``,
``fmt``, ``cost``, ``op``, ``err``, ``nl``) are not options: :meth:`Options.from_kwargs` refuses
them with a message saying so.

Examples
--------
>>> opts = Options.from_kwargs(time="+30", translit=1, valid="12:00")
>>> opts.to_params()
{'translit': '1', 'time': '+30', 'valid': '12:00'}
>>> Options(freq=5)
Traceback (most recent call last):
...
smsc_frames.errors.ValidationError: freq: needs period (SMSC ignores freq without period) (got 5)
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import numbers
import re
import urllib.parse
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from smsc_frames.errors import ValidationError

RESERVED_PARAMETERS: frozenset[str] = frozenset(
    {
        "login",
        "psw",
        "apikey",
        "phones",
        "mes",
        "list",
        "id",
        "charset",
        "fmt",
        "cost",
        "op",
        "err",
        "nl",
    }
)
"""``send.php`` parameters smsc_frames sets itself; never accepted as options."""

MESSAGE_KINDS: tuple[str, ...] = (
    "flash",
    "push",
    "hlr",
    "ping",
    "mms",
    "mail",
    "soc",
    "viber",
    "whatsapp",
    "call",
    "tg",
)
"""0/1 flags choosing the kind of message; at most one may be 1 (``tg`` is a Telegram code
message, so it counts as a kind too)."""

SENDER_SYMBOLS = " .-_!&'+/@#()*?"
"""Symbols accepted in an alphanumeric sender besides Latin letters and digits. SMSC allows
"some symbols" without listing them; this is a safe subset. ``,`` ``|`` and ``:`` are refused
because they would break a ``sender,tz|phones:text`` line of ``list=``."""

_SENDER_ALNUM = re.compile(r"[A-Za-z0-9" + re.escape(SENDER_SYMBOLS) + r"]{1,11}")
_SENDER_DIGITS = re.compile(r"[0-9]{1,15}")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
LONGEST_EMAIL = 64
"""Characters an e-mail address may have, as a recipient or a ``mail=1`` sender (the request
packer lays recipients out this wide)."""
_MESSAGE_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
_VOICES = ("m", "m2", "m3", "m4", "w", "w2", "w3", "w4")
_VOICE = re.compile(r"(?P<voice>[a-z0-9]+)(?:,(?P<lang>[A-Za-z]{2}))?")
_BOT = re.compile(r"@[A-Za-z][A-Za-z0-9_]{1,28}bot", re.IGNORECASE)
_VALID_HHMM = re.compile(r"(\d{2}):(\d{2})")
_TIME_COMPACT = re.compile(r"\d{10}")
_TIME_DOTTED = re.compile(r"\d{2}\.\d{2}\.\d{2} \d{2}:\d{2}")
_TIME_WINDOW = re.compile(r"(\d{1,2})-(\d{1,2})")
_TIME_UNIX = re.compile(r"0\d{0,12}")
_TIME_RELATIVE = re.compile(r"\+(\d{1,7})")
"""``0<ts>`` and ``+<minutes>``: up to 12 and 7 digits, as the sandbox reads them (the page
gives no bound; a longer value is no time SMSC can mean)."""


def is_email(value: str) -> bool:
    """Whether *value* is an e-mail address (a ``mail=1`` recipient or sender).

    Examples
    --------
    >>> is_email("shop@example.org"), is_email("shop@localhost"), is_email("79161234567")
    (True, False, False)
    """
    return len(value) <= LONGEST_EMAIL and _EMAIL.fullmatch(value) is not None


def validate_sender(value: object, *, mail: bool = False) -> str:
    """Check a sender: up to 11 Latin letters/digits/space/safe symbols, or up to 15 digits;
    with ``mail=True`` (``mail=1``) an e-mail address, and only that.

    The page: the sender is "English letters, digits, a space and some symbols, 11 characters
    or 15 digits"; an e-mail (``mail=1``) needs "the sender's address".

    Parameters
    ----------
    value : str
        The sender name as registered in the SMSC account, or the sender's e-mail address.
    mail : bool, default False
        Whether the message is an e-mail (``mail=1``).

    Returns
    -------
    str
        The sender, unchanged.

    Raises
    ------
    ValidationError
        When the value is not a string, is empty, too long, has leading/trailing spaces or holds
        a character outside the safe set (notably ``,`` ``|`` ``:`` which break ``list=`` lines);
        with ``mail=True`` when it is not an e-mail address.

    Examples
    --------
    >>> validate_sender("ShopNews"), validate_sender("79161234567")
    ('ShopNews', '79161234567')
    >>> validate_sender("newsletter@shop.example.org", mail=True)
    'newsletter@shop.example.org'
    >>> validate_sender("Shop|News")
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: sender: ...
    """
    if not isinstance(value, str):
        raise ValidationError("sender", "must be a string", value)
    if mail:
        if is_email(value):
            return value
        raise ValidationError(
            "sender",
            f"with mail=1 must be an e-mail address (name@domain.tld, <= {LONGEST_EMAIL} "
            "characters; the page: an e-mail needs the sender's address)",
            value,
        )
    if _SENDER_DIGITS.fullmatch(value) or (
        _SENDER_ALNUM.fullmatch(value) and value == value.strip()
    ):
        return value
    hint = "; an e-mail address is a sender only with mail=1" if is_email(value) else ""
    raise ValidationError(
        "sender",
        "must be up to 11 Latin letters, digits, spaces (not at the ends) or "
        f"{SENDER_SYMBOLS.strip()!r}, or up to 15 digits; ',', '|' and ':' are not allowed" + hint,
        value,
    )


def validate_message_id(value: object) -> str:
    """Check an SMSC message ``id``: 1..2147483647, or up to 40 chars of ``[A-Za-z0-9._-]``.

    Examples
    --------
    >>> validate_message_id("spring-sale.1"), validate_message_id(42)
    ('spring-sale.1', '42')
    >>> validate_message_id("a b")
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: id: ...
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if 1 <= (number := int(value)) <= 2_147_483_647:
            return str(number)
    elif isinstance(value, str) and _MESSAGE_ID.fullmatch(value):
        return value
    raise ValidationError(
        "id", "must be an integer 1..2147483647 or up to 40 characters of A-Z a-z 0-9 . _ -", value
    )


def _integer(name: str, value: object, low: int, high: int | None = None) -> int:
    """An integer (or a string of one) within ``low..high``; bools are refused."""
    rule = (
        f"must be an integer from {low} to {high}"
        if high is not None
        else (f"must be an integer >= {low}")
    )
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        number = int(value)
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)
    else:
        raise ValidationError(name, rule, value)
    if number < low or (high is not None and number > high):
        raise ValidationError(name, rule, value)
    return number


def _flag(name: str, value: object, choices: tuple[int, ...] = (0, 1)) -> int:
    """A small integer flag (``True``/``False`` accepted for 0/1 flags)."""
    if isinstance(value, bool) and choices == (0, 1):
        return int(value)
    rule = "must be " + " or ".join(map(str, choices))
    if isinstance(value, bool):
        raise ValidationError(name, rule, value)
    try:
        number = _integer(name, value, min(choices), max(choices))
    except ValidationError:
        raise ValidationError(name, rule, value) from None
    return number


def _time_form(wire: str) -> str:
    """Classify a validated ``time``: ``"date"``, ``"window"`` or ``"instant"`` (0ts, +m)."""
    if _TIME_COMPACT.fullmatch(wire) or _TIME_DOTTED.fullmatch(wire):
        return "date"
    return "window" if _TIME_WINDOW.fullmatch(wire) else "instant"


def _render_time(value: object) -> str:
    """Validate ``time`` in one of SMSC's forms and return its wire string."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # an absolute instant: a unix timestamp is exact
            if value.timestamp() < 0:
                raise ValidationError(
                    "time", "an instant before 1970 has no timestamp (time=0 sends at once)", value
                )
            return "0" + str(int(value.timestamp()))
        if not 2000 <= value.year <= 2099:
            raise ValidationError("time", "year must be 2000..2099 (SMSC uses two digits)", value)
        return value.strftime("%d%m%y%H%M")
    if isinstance(value, timedelta):
        minutes, rest = divmod(value, timedelta(minutes=1))
        if rest or not 1 <= minutes <= 9_999_999:
            raise ValidationError(
                "time", "a timedelta must be a whole number of minutes, 1 to 9,999,999", value
            )
        return f"+{minutes}"
    if not isinstance(value, str):
        raise ValidationError("time", "must be a string, a datetime or a timedelta", value)
    for pattern, fmt in ((_TIME_COMPACT, "%d%m%y%H%M"), (_TIME_DOTTED, "%d.%m.%y %H:%M")):
        if pattern.fullmatch(value):
            try:
                datetime.strptime(value, fmt)
            except ValueError:
                raise ValidationError("time", "is not a real date and time", value) from None
            return value
    window = _TIME_WINDOW.fullmatch(value)
    if window:
        start, end = int(window[1]), int(window[2])
        if not 0 <= start < end <= 24:
            raise ValidationError("time", "a window h1-h2 needs hours 0 <= h1 < h2 <= 24", value)
        return value
    if _TIME_UNIX.fullmatch(value) or _TIME_RELATIVE.fullmatch(value):
        return value
    raise ValidationError(
        "time",
        "must be DDMMYYhhmm, 'DD.MM.YY hh:mm', h1-h2 (hours), 0<unix timestamp> (up to 12 "
        "digits) or +<minutes> (up to 7 digits)",
        value,
    )


def _render_period(value: object) -> Decimal:
    rule = "must be a number of hours from 0.1 to 720"
    if isinstance(value, bool):
        raise ValidationError("period", rule, value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError("period", rule, value) from None
    if not number.is_finite() or not Decimal("0.1") <= number <= 720:
        raise ValidationError("period", rule, value)
    return number


def _render_valid(value: object) -> int | str:
    if isinstance(value, str):
        match = _VALID_HHMM.fullmatch(value)
        if match:
            hours, minutes = int(match[1]), int(match[2])
            if minutes < 60 and 1 <= hours * 60 + minutes <= 24 * 60:
                return value
            raise ValidationError("valid", "hh:mm must be from 00:01 to 24:00", value)
    return _integer("valid", value, 1, 24)


def _render_voice(value: object) -> str:
    if (
        not isinstance(value, str)
        or not (match := _VOICE.fullmatch(value))
        or match["voice"] not in _VOICES
    ):
        raise ValidationError(
            "voice",
            f"must be one of {', '.join(_VOICES)}, optionally ',<2-letter language>'",
            value,
        )
    return value


def _render_param(value: object) -> str:
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)) or len(parts) != 3:
        raise ValidationError("param", "must be 'w,i,n' (three integers) for a call", value)
    wait = _integer("param", parts[0], 0, 99)
    interval = _integer("param", parts[1], 0, 3600)
    tries = _integer("param", parts[2], 0, 9)
    return f"{wait},{interval},{tries}"


def _render_fileurl(value: object) -> str:
    if (
        not isinstance(value, str)
        or (parsed := urllib.parse.urlsplit(value)).scheme not in ("http", "https")
        or not parsed.netloc
        or any(ch.isspace() for ch in value)
    ):
        raise ValidationError("fileurl", "must be a full http:// or https:// URL", value)
    return value


def _render_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "must be a non-empty string", value)
    return value


@dataclasses.dataclass(frozen=True)
class Options:
    """The ``send.php`` parameters of a campaign, validated; ``None`` means "not sent".

    Parameters
    ----------
    sender : str, optional
        Sender name, see :func:`validate_sender`; with ``mail=1`` the sender's e-mail address.
    translit : {0, 1, 2}, optional
        0 none, 1 ``translit``, 2 ``mpaHc/Ium``.
    tinyurl : {0, 1}, optional
        Shorten links.
    time : str, datetime or timedelta, optional
        ``DDMMYYhhmm``, ``DD.MM.YY hh:mm``, ``h1-h2`` (0 <= h1 < h2 <= 24), ``0<unix ts>`` or
        ``+<minutes>``. A naive ``datetime`` becomes ``DDMMYYhhmm`` (seconds dropped), an aware
        one ``0<unix ts>``, a ``timedelta`` ``+<minutes>``.
    tz : int, optional
        Hours relative to Moscow, -15..11; only with a ``DDMMYYhhmm``/``DD.MM.YY hh:mm``/``h1-h2``
        ``time``.
    period, freq : optional
        Spread the campaign over ``period`` hours (0.1..720) every ``freq`` minutes (1..1440);
        ``freq`` needs ``period``.
    flash, push, hlr, ping, mms, mail, soc, viber, whatsapp, call, tg : {0, 1}, optional
        Message kind; at most one may be 1.
    bin : {0, 1, 2}, optional
        Binary message (1 urlencoded, 2 hex).
    bot : str, optional
        Telegram bot, ``@name_bot``.
    smsreq : int, optional
        10..999 days.
    fileurl : str, optional
        http(s) URL of a file to attach.
    voice : str, optional
        ``m m2 m3 m4 w w2 w3 w4`` with an optional ``,<lang>``; only with ``call=1``.
    param : str or tuple, optional
        ``w,i,n`` for calls (wait 0..99 s, retry interval 0..3600 s, tries 0..9; SMSC clamps
        to its working ranges); only with ``call=1``.
    subj : str, optional
        Subject; only with ``mms=1`` or ``mail=1``.
    valid : int or str, optional
        Lifetime, 1..24 hours or ``hh:mm`` from ``00:01`` to ``24:00``.
    maxsms : int, optional
        Longest a text may be, in SMS parts (>= 1); longer texts are truncated. Only the
        kinds counted in SMS parts are cut (not calls, hlr/ping, mms/mail/tg, nor, as the
        sandbox reads the page, binary messages): see ``smsc_frames.campaign.truncation``.
    imgcode, userip : str, optional
        Captcha code and the end user's IP address; imgcode needs userip, userip may come
        alone (SMSC's page).
    pp : int, optional
        Partner id (positive integer).

    Examples
    --------
    >>> from datetime import datetime
    >>> Options(time=datetime(2025, 3, 8, 9, 30), tz=2).to_params()
    {'time': '0803250930', 'tz': '2'}
    >>> Options(maxsms=0)
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: maxsms: must be an integer >= 1 (got 0)
    """

    sender: str | None = None
    translit: int | None = None
    tinyurl: int | None = None
    time: str | datetime | timedelta | None = None
    tz: int | None = None
    period: Decimal | float | str | None = None
    freq: int | None = None
    flash: int | None = None
    bin: int | None = None
    push: int | None = None
    hlr: int | None = None
    ping: int | None = None
    mms: int | None = None
    mail: int | None = None
    soc: int | None = None
    viber: int | None = None
    whatsapp: int | None = None
    call: int | None = None
    tg: int | None = None
    bot: str | None = None
    smsreq: int | None = None
    fileurl: str | None = None
    voice: str | None = None
    param: str | tuple[int, int, int] | None = None
    subj: str | None = None
    valid: int | str | None = None
    maxsms: int | None = None
    imgcode: str | None = None
    userip: str | None = None
    pp: int | None = None

    def __post_init__(self) -> None:
        checks: dict[str, Callable[[object], object]] = {
            "translit": lambda v: _flag("translit", v, (0, 1, 2)),
            "tinyurl": lambda v: _flag("tinyurl", v),
            "time": _render_time,
            # Moscow is UTC+3; the world's zones run from UTC-12 to UTC+14.
            "tz": lambda v: _integer("tz", v, -15, 11),
            "period": _render_period,
            "freq": lambda v: _integer("freq", v, 1, 1440),
            "bin": lambda v: _flag("bin", v, (0, 1, 2)),
            "bot": lambda v: self._bot(v),
            "smsreq": lambda v: _integer("smsreq", v, 10, 999),
            "fileurl": _render_fileurl,
            "voice": _render_voice,
            "param": _render_param,
            "subj": lambda v: _render_text("subj", v),
            "valid": _render_valid,
            "maxsms": lambda v: _integer("maxsms", v, 1),
            "imgcode": lambda v: _render_text("imgcode", v),
            "userip": self._userip,
            "pp": lambda v: _integer("pp", v, 1),
            **{kind: functools.partial(_flag, kind) for kind in MESSAGE_KINDS},
        }
        for name, check in checks.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check(value))
        if self.sender is not None:  # after the kinds: mail=1 wants an e-mail address
            object.__setattr__(self, "sender", validate_sender(self.sender, mail=self.mail == 1))
        self._check_combinations()

    @staticmethod
    def _bot(value: object) -> str:
        if isinstance(value, str) and _BOT.fullmatch(value):
            return value
        raise ValidationError("bot", "must be a Telegram bot name like '@name_bot'", value)

    @staticmethod
    def _userip(value: object) -> str:
        if isinstance(value, (str, int, bytes, ipaddress.IPv4Address, ipaddress.IPv6Address)):
            try:
                return str(ipaddress.ip_address(value))
            except ValueError:
                pass  # refused below, as any other value
        raise ValidationError("userip", "must be an IPv4 or IPv6 address", value)

    def _check_combinations(self) -> None:
        kinds = [kind for kind in MESSAGE_KINDS if getattr(self, kind) == 1]
        if len(kinds) > 1:
            raise ValidationError(
                kinds[1], f"only one message kind may be set, {kinds[0]}=1 is already", 1
            )
        if self.freq is not None and self.period is None:
            raise ValidationError(
                "freq", "needs period (SMSC ignores freq without period)", self.freq
            )
        if self.tz is not None:
            if self.time is None:
                raise ValidationError("tz", "only has a meaning together with time", self.tz)
            if _time_form(str(self.time)) == "instant":  # validated: its wire string
                raise ValidationError(
                    "tz",
                    "has no effect on a unix timestamp or relative (+minutes) time",
                    self.tz,
                )
        for name in ("voice", "param"):
            if getattr(self, name) is not None and self.call != 1:
                raise ValidationError(
                    name, "only applies to voice messages (call=1)", getattr(self, name)
                )
        if self.subj is not None and self.mms != 1 and self.mail != 1:
            raise ValidationError(
                "subj", "only applies to MMS (mms=1) or e-mail (mail=1)", self.subj
            )
        if self.imgcode is not None and self.userip is None:
            # The page: imgcode needs the visitor's userip; userip alone is a valid parameter.
            raise ValidationError("userip", "is required with imgcode (the visitor's IP address)")

    @classmethod
    def from_kwargs(cls, **kwargs: object) -> Options:
        """Build options from keyword arguments, refusing unknown and reserved names.

        Examples
        --------
        >>> Options.from_kwargs(flash=True).to_params()
        {'flash': '1'}
        >>> Options.from_kwargs(cost=1)
        Traceback (most recent call last):
        ...
        smsc_frames.errors.ValidationError: cost: is set by smsc_frames itself ...
        """
        known = {field.name for field in dataclasses.fields(cls)}
        for name in kwargs:
            if name in RESERVED_PARAMETERS:
                raise ValidationError(
                    name,
                    "is set by smsc_frames itself (credentials come from the Client, recipients "
                    "and texts from the plan, cost/op from estimate/send); it is not an option",
                )
            if name not in known:
                raise ValidationError(
                    name, f"is not a send.php option; known options: {', '.join(sorted(known))}"
                )
        checked_later: dict[str, Any] = kwargs  # each value is validated by __post_init__
        return cls(**checked_later)

    def set_values(self) -> dict[str, object]:
        """The fields that are set (not ``None``), in their normalised form.

        Examples
        --------
        >>> Options(maxsms="3", flash=False).set_values()
        {'flash': 0, 'maxsms': 3}
        """
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if getattr(self, field.name) is not None
        }

    def to_params(self) -> dict[str, str]:
        """The set parameters in wire form (all strings), in field order.

        Examples
        --------
        >>> Options(period=1.5, freq=10, param=(20, 60, 3), call=1).to_params()
        {'period': '1.5', 'freq': '10', 'call': '1', 'param': '20,60,3'}
        """
        return {
            name: format(value, "f") if isinstance(value, Decimal) else str(value)
            for name, value in self.set_values().items()
        }
