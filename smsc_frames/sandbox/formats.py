"""Answers in SMSC's four formats: ``fmt`` 0 (text), 1 (numbers), 2 (XML), 3 (JSON).

Pure functions from values to the answer text, byte for byte as the ``send.php`` page and
``docs/sandbox.md`` show them, plus :func:`encode_answer` for the requested ``charset``.

Examples
--------
>>> render_error(0, 3, "no money", "17")
'ERROR = 3 (no money), ID - 17'
>>> render_error(1, 1, "parameters error: maxsms", None)
'0,-1'
>>> print(render_send(2, [("id", "5"), ("cnt", 2)], None))
<result>
<id>5</id>
<cnt>2</cnt>
</result>
>>> render_send(3, [("cost", "1.40"), ("cnt", 2)], None)
'{"cost": "1.40", "cnt": 2}'
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from smsc_frames.sandbox.codes import ERROR_TEXT
from smsc_frames.sandbox.forms import CHARSETS
from smsc_frames.sandbox.settings import Reading

GUESS = Reading()

CONTENT_TYPES = {0: "text/plain", 1: "text/plain", 2: "application/xml", 3: "application/json"}
PHONE_FIELDS = ("phone", "mccmnc", "cost", "status", "error")

Fields = Sequence[tuple[str, object]]
PhoneRow = tuple[str, str, str, str, str]
"""One ``op=1`` row: the values of :data:`PHONE_FIELDS`, in that order."""


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters the charset lacks become JSON ``\\uXXXX`` escapes."""
    assert isinstance(error, UnicodeEncodeError)
    text = error.object[error.start : error.end]
    escaped = json.dumps(text, ensure_ascii=True)[1:-1]
    return escaped, error.end


codecs.register_error("smsc_sandbox_json", _json_escape)


def json_id(sms_id: str) -> int | str:
    """Message ids go out as JSON numbers when numeric, as strings otherwise.

    Examples
    --------
    >>> json_id("1234"), json_id("camp-1")
    (1234, 'camp-1')
    """
    return int(sms_id) if sms_id.isdigit() else sms_id


def _xml(root: str, fields: Fields, extra: str = "") -> str:
    lines = [f"<{root}>"]
    lines += [f"<{key}>{escape(str(value))}</{key}>" for key, value in fields]
    return "\n".join(lines) + "\n" + extra + f"</{root}>"


def _json(fields: Fields, reading: Reading = GUESS) -> dict[str, object]:
    """Fields as a JSON object: ids and integers as numbers, or as strings when the
    reading says ``json_numbers=False``."""
    if not reading.json_numbers:
        return {
            key: str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            for key, value in fields
        }
    return {
        key: json_id(value) if key == "id" and isinstance(value, str) else value
        for key, value in fields
    }


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_error(
    fmt: int, code: int, description: str, sms_id: str | None, reading: Reading = GUESS
) -> str:
    """An error answer; *sms_id* only for errors 3, 6, 7 and 8.

    Under ``error_text="plain"`` error 1 loses the parameter name.

    Examples
    --------
    >>> render_error(0, 1, "parameters error: id", None, Reading(error_text="plain"))
    'ERROR = 1 (parameters error)'
    """
    if code == 1 and reading.error_text == "plain":
        description = ERROR_TEXT[1]
    if fmt == 0:
        return f"ERROR = {code} ({description})" + (f", ID - {sms_id}" if sms_id else "")
    if fmt == 1:
        return f"{sms_id or 0},-{code}"
    fields: list[tuple[str, object]] = [("error", description), ("error_code", code)]
    if sms_id:
        fields.append(("id", sms_id))
    return _xml("result", fields) if fmt == 2 else _dumps(_json(fields, reading))


def render_send(
    fmt: int, fields: Fields, phones: list[PhoneRow] | None, reading: Reading = GUESS
) -> str:
    """A ``send.php`` success answer.

    Parameters
    ----------
    fmt : int
        0-3.
    fields : sequence of (name, value)
        In SMSC's order: ``id, cnt[, cost[, balance]]`` or, for ``cost=1``, ``cost, cnt``.
    phones : list of tuple, optional
        ``op=1`` / ``err=1`` rows: the strings of :data:`PHONE_FIELDS`, in that order.

    Examples
    --------
    >>> row = ("79161234567", "25001", "5.45", "", "")
    >>> print(render_send(0, [("id", "7"), ("cnt", 1), ("cost", "5.45")], [row]))
    OK - 1 SMS, ID - 7, COST - 5.45
    79161234567,25001,5.45,,
    >>> render_send(3, [("id", "7"), ("cnt", 1)], [row])
    '{"id": 7, "cnt": 1, "phones": [{"phone": "79161234567", "mccmnc": "25001", "cost": "5.45", \
"status": "", "error": ""}]}'
    """
    values = dict(fields)
    if fmt in (0, 1):
        if fmt == 1:
            head = ",".join(str(value) for _, value in fields)
        elif "id" not in values:
            head = f"{values['cost']} ({values['cnt']} SMS)"
        else:
            head = f"OK - {values['cnt']} SMS, ID - {values['id']}"
            head += "".join(
                f", {key.upper()} - {values[key]}" for key in ("cost", "balance") if key in values
            )
        lines = [",".join(row) for row in phones or []]
        return "\n".join([head, *lines])
    if fmt == 2:
        extra = ""
        if phones is not None:
            rows = [
                "<phone "
                + " ".join(
                    f"{key}={quoteattr(value)}" for key, value in zip(PHONE_FIELDS[1:], row[1:])
                )
                + f">{escape(row[0])}</phone>"
                for row in phones
            ]
            extra = "\n".join(["<phones>", *rows, "</phones>"]) + "\n"
        return _xml("result", fields, extra)
    head = _dumps(_json(fields, reading))
    if phones is None:
        return head
    separator = ", " if fields else ""
    return f'{head[:-1]}{separator}"phones": [{_json_rows(phones)}]}}'


def _json_rows(phones: list[PhoneRow]) -> str:
    """``json.dumps(rows as dicts, ensure_ascii=False)[1:-1]`` by string formatting.

    Rows differ mostly in the phone: the rest of each row is quoted once per distinct value
    (about 4x faster on 1,000 rows).
    """
    tails: dict[tuple[str, ...], str] = {}
    parts = []
    for row in phones:
        rest = row[1:]
        tail = tails.get(rest)
        if tail is None:
            tail = tails[rest] = _json_row_tail(rest)
        parts.append('{"phone": ' + _quote_json(row[0]) + tail)
    return ", ".join(parts)


def _json_row_tail(values: tuple[str, ...]) -> str:
    """``, "mccmnc": "...", ... }``: the JSON of a row after its phone."""
    return (
        "".join(
            f', "{name}": {_quote_json(value)}' for name, value in zip(PHONE_FIELDS[1:], values)
        )
        + "}"
    )


_quote_json = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) quotes with


_LINE_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", ",": "\\,"})


def line_value(value: object) -> str:
    r"""A field of a one-line fmt 0/1 status record: ``\`` -> ``\\``, newline -> ``\n``,
    CR -> ``\r``, ``,`` -> ``\,`` (our choice; SMSC documents no escaping). So every record
    stays on one line, every unescaped ``,`` separates fields, and the text is recoverable.

    Examples
    --------
    >>> print(line_value("Sale, today\nC:\\new"))
    Sale\, today\nC:\\new
    >>> line_value(5), line_value("18.10.2016 15:34:12")
    ('5', '18.10.2016 15:34:12')
    """
    return str(value).translate(_LINE_ESCAPES)


def _status_text(fields: Fields) -> str:
    """``Status = 1, check_time = ..., err = 0, ...``: SMSC's fmt=0 wording."""
    names = {"status": "Status", "last_date": "check_time"}
    return ", ".join(
        f"{names.get(key, key)} = {line_value(value)}"
        for key, value in fields
        if key != "last_timestamp"
    )


#: Dates fmt=1 leaves out: it gives the timestamps only, so the fields stay where a
#: positional parser expects them (status, last_timestamp, err, send_timestamp, phone, ...).
_DATES = frozenset({"last_date", "send_date"})


def _status_numbers(fields: Fields) -> str:
    return ",".join(line_value(value) for key, value in fields if key not in _DATES)


def render_status(
    fmt: int, records: Sequence[Fields], *, as_list: bool, reading: Reading = GUESS
) -> str:
    """A ``status.php`` answer for one message or (*as_list*) several.

    Each record lists its fields in SMSC's order (``status, last_date, last_timestamp, err``,
    then the ``all=1``/``all=2`` fields); list records start with ``id`` and ``phone``. fmt=0
    drops ``last_timestamp`` and fmt=1 drops ``last_date``, as SMSC does.

    Examples
    --------
    >>> record = [("status", 1), ("last_date", "18.10.2016 15:34:12"),
    ...           ("last_timestamp", 1476794052), ("err", 0)]
    >>> render_status(0, [record], as_list=False)
    'Status = 1, check_time = 18.10.2016 15:34:12, err = 0'
    >>> render_status(1, [record], as_list=False)
    '1,1476794052,0'
    """
    if fmt == 1:
        return "\n".join(_status_numbers(record) for record in records)
    if reading.status_err == "nonzero":
        records = [[field for field in record if field != ("err", 0)] for record in records]
    if fmt == 0:
        return "\n".join(_status_text(record) for record in records)
    if fmt == 2:
        if not as_list:
            return _xml("sms", records[0])
        return "\n".join(["<result>", *(_xml("sms", record) for record in records), "</result>"])
    if not as_list:
        return _dumps(_json(records[0], reading))
    return _dumps([_json(record, reading) for record in records])


def render_fields(fmt: int, fields: Fields, reading: Reading = GUESS) -> str:
    """A small answer such as ``balance.php``'s or ``del=1``'s: values joined by ``,`` in
    fmt 0/1, ``<result>`` elements in fmt 2, a JSON object in fmt 3.

    Examples
    --------
    >>> render_fields(0, [("balance", "15.00"), ("currency", "RUR")])
    '15.00,RUR'
    >>> render_fields(3, [("balance", "15.00")])
    '{"balance": "15.00"}'
    """
    if fmt in (0, 1):
        return ",".join(str(value) for _, value in fields)
    return _xml("result", fields) if fmt == 2 else _dumps(_json(fields, reading))


def encode_answer(text: str, fmt: int, charset: str) -> tuple[bytes, str]:
    """Encode *text* in *charset*: ``(body, content_type)``.

    Characters the charset lacks become ``?`` in fmt 0/1, ``&#NNN;`` in XML and ``\\uXXXX``
    in JSON, so fmt 2 and 3 stay lossless.

    Examples
    --------
    >>> encode_answer('{"message": "Привет 😀"}', 3, "windows-1251")[0]
    b'{"message": "\\xcf\\xf0\\xe8\\xe2\\xe5\\xf2 \\\\ud83d\\\\ude00"}'
    """
    errors = {0: "replace", 1: "replace", 2: "xmlcharrefreplace", 3: "smsc_sandbox_json"}[fmt]
    return text.encode(CHARSETS[charset], errors), f"{CONTENT_TYPES[fmt]}; charset={charset}"
