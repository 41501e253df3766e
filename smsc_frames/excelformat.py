"""Excel number formats: a cell's value as the text Excel shows for it.

Covers what contact lists use: dates and times (``dd.mm.yyyy``, ``d mmmm yyyy``, ``hh:mm``),
percentages, fixed decimals, thousands separators, currency literals (``"₽"``, ``[$₽-419]``),
digit masks (``+7 (000) 000-00-00``), scientific notation and sections (``pos;neg;zero;text``).
Colours, conditions, fills (``*``) and fractions are not drawn: a fraction format falls back to
General. Separators follow a locale: ``"ru"`` (``1 500,00``: a plain space, because a
non-breaking one would make an SMS UCS-2) or ``"en"`` (``1,500.00``); a ``[$-409]`` or
``[$₽-419]`` tag in the format wins.

Examples
--------
>>> import datetime
>>> render(0.2, "0%"), render(1500, '#,##0.00\\\\ "₽"'), render(1500.0, "General")
('20%', '1 500,00 ₽', '1500')
>>> render(datetime.datetime(2025, 3, 1, 9, 5), "d mmmm yyyy, hh:mm")
'1 марта 2025, 09:05'
>>> render(9161234567, "+7 (000) 000-00-00"), render(True, "General", "en")
('+7 (916) 123-45-67', 'TRUE')
"""

from __future__ import annotations

import datetime
import decimal
import functools
import math
import re
from dataclasses import dataclass

__all__ = ["BUILTIN_FORMATS", "LOCALES", "is_date_format", "render", "render_general"]

LOCALES = {
    "ru": {"thousands": " ", "decimal": ",", "true": "ИСТИНА", "false": "ЛОЖЬ"},
    "en": {"thousands": ",", "decimal": ".", "true": "TRUE", "false": "FALSE"},
}
_LCID_LOCALES = {0x419: "ru", 0x409: "en", 0x809: "en"}

_MONTHS = {
    "ru": (
        "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
        "янв фев мар апр май июн июл авг сен окт ноя дек",
    ),
    "en": (
        "January February March April May June July August September October November December",
        "January February March April May June July August September October November December",
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    ),
}
_WEEKDAYS = {
    "ru": ("понедельник вторник среда четверг пятница суббота воскресенье",
           "пн вт ср чт пт сб вс"),
    "en": ("Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
           "Mon Tue Wed Thu Fri Sat Sun"),
}  # fmt: skip

DEFAULT_DATE = "dd.mm.yyyy"
DEFAULT_DATETIME = "dd.mm.yyyy hh:mm"

BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "General", 13: "General", 14: DEFAULT_DATE, 15: "d-mmm-yy",
    16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "hh:mm",
    21: "hh:mm:ss", 22: DEFAULT_DATETIME, 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss",
    47: "mm:ss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip
"""Excel's built-in format ids (14 and 22, the locale's short date, read as the Russian one)."""

_EPOCH = datetime.datetime(1899, 12, 30)
_TOKEN = re.compile(
    r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]|[eE][+-]|AM/PM|am/pm|A/P|a/p|'
    r"y+|Y+|m+|M+|d+|D+|h+|H+|s+|S+|[0#?]|.",
    re.DOTALL,
)
_DATE_LETTERS = re.compile(r"[yYdDhHsS]|[mM]")


@dataclass(frozen=True)
class _Section:
    tokens: tuple[str, ...]
    is_date: bool
    locale: str | None
    has_sign_literal: bool


def _split_sections(code: str) -> list[str]:
    sections: list[str] = []
    current: list[str] = []
    quoted, bracket, escaped = False, False, False
    for char in code:
        if escaped:
            escaped = False
        elif char == "\\" and not quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "[" and not quoted:
            bracket = True
        elif char == "]" and not quoted:
            bracket = False
        elif char == ";" and not (quoted or bracket):
            sections.append("".join(current))
            current = []
            continue
        current.append(char)
    sections.append("".join(current))
    return sections


@functools.lru_cache(maxsize=512)
def _parse(code: str) -> tuple[_Section, ...]:
    sections = []
    for text in _split_sections(code):
        tokens = tuple(_TOKEN.findall(text))
        locale = None
        for token in tokens:
            tag = re.fullmatch(r"\[\$[^-\]]*-([0-9A-Fa-f]+)\]", token)
            if tag:
                locale = _LCID_LOCALES.get(int(tag.group(1), 16) & 0xFFFF, locale)
        plain = [t for t in tokens if not t.startswith(('"', "\\", "_", "*", "["))]
        is_date = any(_DATE_LETTERS.fullmatch(t[0]) for t in plain if t[0] not in "eE") or any(
            re.fullmatch(r"\[[hHmMsS]+\]", t) for t in tokens
        )
        has_sign = any(t in ("-", "(") or t.startswith('"-') for t in tokens)
        sections.append(_Section(tokens, is_date, locale, has_sign))
    return tuple(sections)


@functools.lru_cache(maxsize=512)
def is_date_format(code: str) -> bool:
    """Whether *code* shows a date or a time (``dd.mm.yyyy``, ``hh:mm``, ``[h]:mm``)."""
    return code.lower() != "general" and any(section.is_date for section in _parse(code))


def _literal(token: str) -> str | None:
    """The text a literal token shows, or ``None`` when *token* is not a literal."""
    if token.startswith('"'):
        return token[1:-1]
    if token.startswith("\\"):
        return token[1:]
    if token.startswith("_"):
        return " "
    if token.startswith("*"):
        return ""
    if token.startswith("["):
        currency = re.fullmatch(r"\[\$([^-\]]*)(?:-[0-9A-Fa-f]+)?\]", token)
        return currency.group(1) if currency else ""
    return None


def _number_text(digits: str, separator: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return separator.join([digits, *reversed(groups)])


def _fill_digits(placeholders_and_literals: list[str], digits: str, grouped: bool,
                 separator: str) -> str:  # fmt: skip
    """The integer part: *digits* written into the placeholders from the right."""
    placeholders = [t for t in placeholders_and_literals if t in "0#?"]
    if grouped and all(t in "0#?," for t in placeholders_and_literals):
        minimum = sum(1 for t in placeholders if t == "0")
        digits = digits.lstrip("0") or ""
        digits = digits.rjust(minimum, "0")
        return _number_text(digits, separator) if digits else ""
    out: list[str] = []
    remaining = digits.lstrip("0") if placeholders and placeholders[0] != "0" else digits
    first_placeholder = next(
        (i for i, t in enumerate(placeholders_and_literals) if t in "0#?"), None
    )
    for position in range(len(placeholders_and_literals) - 1, -1, -1):
        token = placeholders_and_literals[position]
        if token in "0#?":
            if position == first_placeholder:
                piece = remaining or {"0": "0", "#": "", "?": " "}[token]
                remaining = ""
            elif remaining:
                piece, remaining = remaining[-1], remaining[:-1]
            else:
                piece = {"0": "0", "#": "", "?": " "}[token]
            out.append(piece)
        elif token != ",":
            out.append(token)
    return "".join(reversed(out))


def _render_number(value: float, section: _Section, locale: str, negative_sign: bool) -> str:
    separators = LOCALES[section.locale or locale]
    tokens = list(section.tokens)
    percent = sum(1 for t in tokens if t == "%")
    scientific = next((i for i, t in enumerate(tokens) if t[0] in "eE" and len(t) == 2), None)
    exponent = 0
    number = decimal.Decimal(repr(float(value))) if isinstance(value, float) else (
        decimal.Decimal(value))  # fmt: skip
    number = abs(number) * (100**percent)
    # the placeholder tokens, split into integer and decimal parts
    digit_area = [i for i, t in enumerate(tokens) if t in "0#?"]
    if not digit_area:
        text = "".join(_literal(t) or ("" if t.startswith("[") else t) for t in tokens)
        return ("-" if negative_sign else "") + text
    end = scientific if scientific is not None else len(tokens)
    point = next((i for i in range(digit_area[0], end) if tokens[i] == "."), None)
    last_digit = max(i for i in digit_area if i < end)
    int_end = point if point is not None else last_digit + 1
    int_tokens = [t if _literal(t) is None else (_literal(t) or "") for t in
                  tokens[digit_area[0]:int_end]]  # fmt: skip
    decimals = [t for t in tokens[int_end : last_digit + 1] if t in "0#?"] if point else []
    scaling = 0
    trailing = last_digit + 1
    while trailing < len(tokens) and tokens[trailing] == ",":
        scaling += 1
        trailing += 1
    number /= decimal.Decimal(1000) ** scaling
    grouped = "," in int_tokens[:-1] and any(
        t in "0#?" for t in int_tokens[int_tokens.index(",") :]
    )
    if scientific is not None and number:
        int_places = max(1, sum(1 for t in int_tokens if t in "0#?"))
        exponent = number.adjusted() - (int_places - 1 if int_places > 1 else 0)
        if int_places > 1:  # engineering style: the exponent a multiple of the places
            exponent = (number.adjusted() // int_places) * int_places
        number = number.scaleb(-exponent)
    rounded = number.quantize(decimal.Decimal(1).scaleb(-len(decimals)),
                              rounding=decimal.ROUND_HALF_UP)  # fmt: skip
    whole, _, fraction = f"{rounded:f}".partition(".")
    fraction_text = ""
    if decimals:
        kept = list(fraction.ljust(len(decimals), "0"))
        for position in range(len(decimals) - 1, -1, -1):
            if kept[position] == "0" and decimals[position] in "#?":
                kept[position] = "" if decimals[position] == "#" else " "
            else:
                break
        fraction_text = "".join(kept)
    integer = _fill_digits(int_tokens, whole, grouped, separators["thousands"])
    body = integer + (separators["decimal"] if point is not None else "") + fraction_text
    if scientific is not None:
        exp_tokens = [t for t in tokens[scientific + 1 :] if t in "0#?"]
        sign = "-" if exponent < 0 else ("+" if tokens[scientific][1] == "+" else "")
        body += tokens[scientific][0] + sign + str(abs(exponent)).rjust(
            sum(1 for t in exp_tokens if t == "0"), "0")  # fmt: skip
        after = [t for t in tokens[scientific + 1 :] if t not in "0#?"]
    else:
        after = tokens[trailing:]
    before = tokens[: digit_area[0]]
    text = "".join(_show(t) for t in before) + body + "".join(_show(t) for t in after if t != ".")
    return ("-" if negative_sign else "") + text


def _show(token: str) -> str:
    literal = _literal(token)
    return token if literal is None else literal


def _as_datetime(value: object) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, datetime.time):
        return datetime.datetime.combine(_EPOCH.date(), value)
    if isinstance(value, datetime.timedelta):
        return _EPOCH + value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 2958466:
        return _EPOCH + datetime.timedelta(days=float(value))
    return None


def _render_date(value: datetime.datetime, section: _Section, locale: str,
                 elapsed: datetime.timedelta | None) -> str:  # fmt: skip
    locale = section.locale or locale
    tokens = [t for t in section.tokens]
    twelve_hour = any(t.upper() in ("AM/PM", "A/P") for t in tokens)
    fraction_digits = 0
    out: list[str] = []
    has_day = any(t[0] in "dD" for t in tokens)
    # rounding to the shown precision, as Excel does
    for index, token in enumerate(tokens):
        lower = token.lower()
        kind = lower[0]
        if token.startswith("[") and re.fullmatch(r"\[[hms]+\]", lower):
            total = (elapsed or (value - _EPOCH)).total_seconds()
            unit = {"h": 3600, "m": 60, "s": 1}[lower[1]]
            out.append(str(int(total // unit)).rjust(len(lower) - 2, "0"))
        elif _literal(token) is not None:
            out.append(_literal(token) or "")
        elif kind == "y":
            out.append(str(value.year)[-2:] if len(token) <= 2 else str(value.year))
        elif kind == "m" and lower not in ("am/pm",):
            if len(token) <= 2 and _is_minute(tokens, index):
                out.append(str(value.minute).rjust(len(token), "0"))
            elif len(token) <= 2:
                out.append(str(value.month).rjust(len(token), "0"))
            else:
                full, genitive, short = _MONTHS[locale]
                names = (genitive if has_day and locale == "ru" else full) if len(token) == 4 \
                    else short if len(token) == 3 else full  # fmt: skip
                name = names.split()[value.month - 1]
                out.append(name[0] if len(token) == 5 else name)
        elif kind == "d":
            if len(token) <= 2:
                out.append(str(value.day).rjust(len(token), "0"))
            else:
                full, short = _WEEKDAYS[locale]
                out.append((full if len(token) >= 4 else short).split()[value.weekday()])
        elif kind == "h":
            hour = value.hour
            if twelve_hour:
                hour = hour % 12 or 12
            out.append(str(hour).rjust(min(len(token), 2), "0"))
        elif kind == "s":
            out.append(str(value.second).rjust(min(len(token), 2), "0"))
        elif lower in ("am/pm", "a/p"):
            morning = value.hour < 12
            out.append(("AM" if morning else "PM") if lower == "am/pm" else
                       ("A" if morning else "P"))  # fmt: skip
        elif token == "0" and out and out[-1] and fraction_digits < 3:
            fraction_digits += 1
            out.append(str(value.microsecond // 10 ** (6 - fraction_digits) % 10))
        elif token == ".":
            out.append(LOCALES[locale]["decimal"] if index + 1 < len(tokens) and
                       tokens[index + 1] == "0" else ".")  # fmt: skip
        elif token == "@":
            continue
        else:
            out.append(token)
    return "".join(out)


def _is_minute(tokens: list[str], index: int) -> bool:
    """An ``m``/``mm`` right after hours or right before seconds means minutes."""
    for step, kinds in ((-1, "h"), (1, "s")):
        position = index + step
        while 0 <= position < len(tokens):
            token = tokens[position].lower()
            if token[0] in "ymdhs" and not token.startswith("["):
                return token[0] == kinds
            if re.fullmatch(r"\[[hs]+\]", token):
                return token[1] == kinds
            position += step
    return False


def render_general(value: object, locale: str = "ru") -> str:
    """*value* in Excel's General format: whole numbers with all their digits, no ``.0``.

    Unlike Excel's narrow columns, no ``7,92E+10``: a phone stored as a number keeps its digits.
    """
    if isinstance(value, bool):
        return LOCALES[locale]["true" if value else "false"]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        if not math.isfinite(value):
            return str(value)
        text = format(value, ".15g")
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}E{int(exponent):+03d}"
        return text.replace(".", LOCALES[locale]["decimal"])
    if isinstance(value, datetime.datetime):
        midnight = value.time() == datetime.time(0)
        return render(value, DEFAULT_DATE if midnight else DEFAULT_DATETIME, locale)
    if isinstance(value, datetime.date):
        return render(value, DEFAULT_DATE, locale)
    if isinstance(value, datetime.time):
        return render(value, "hh:mm:ss" if value.second else "hh:mm", locale)
    if isinstance(value, datetime.timedelta):
        return render(value, "[h]:mm:ss", locale)
    return str(value)


def render(value: object, code: str, locale: str = "ru") -> str:
    """*value* (number, bool, date, time, text) as a cell with number format *code* shows it.

    Parameters
    ----------
    value : object
        What the workbook stores (calamine's Python value).
    code : str
        The cell's number format, e.g. ``"0.00%"`` or ``'dd.mm.yyyy'``.
    locale : {"ru", "en"}
        Separators and month names, unless the format carries a locale tag.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not code or code.lower() == "general" or code == "@":
        return render_general(value, locale)
    sections = _parse(code)
    if any(section.is_date for section in sections):
        moment = _as_datetime(value)
        if moment is None:
            return render_general(value, locale)
        elapsed = value if isinstance(value, datetime.timedelta) else None
        return _render_date(moment, sections[0], locale, elapsed)
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds() / 86400
    elif isinstance(value, (datetime.date, datetime.time)):
        return render_general(value, locale)
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(
            value)):  # fmt: skip
        return str(value)
    if any("/" in t and t != "/" for t in sections[0].tokens) or (
        "?/" in code or "#/" in code or "0/" in code
    ):
        return render_general(value, locale)  # fractions are not drawn
    if value < 0 and len(sections) >= 2:
        shown = _render_number(value, sections[1], locale, negative_sign=False)
    elif value == 0 and len(sections) >= 3:
        shown = _render_number(value, sections[2], locale, negative_sign=False)
    else:
        shown = _render_number(value, sections[0], locale, negative_sign=value < 0)
    return shown.strip(" ")  # padding (_) at the ends aligns a column, and shows as nothing
