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

from smsc_frames.sandbox.forms import CHARSETS

CONTENT_TYPES = {0: "text/plain", 1: "text/plain", 2: "application/xml", 3: "application/json"}
PHONE_FIELDS = ("phone", "mccmnc", "cost", "status", "error")

Fields = Sequence[tuple[str, object]]


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


def _json(fields: Fields) -> dict[str, object]:
    return {key: json_id(value) if key == "id" else value for key, value in fields}


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_error(fmt: int, code: int, description: str, sms_id: str | None) -> str:
    """An error answer; *sms_id* only for errors 3, 6, 7 and 8."""
    if fmt == 0:
        return f"ERROR = {code} ({description})" + (f", ID - {sms_id}" if sms_id else "")
    if fmt == 1:
        return f"{sms_id or 0},-{code}"
    fields: list[tuple[str, object]] = [("error", description), ("error_code", code)]
    if sms_id:
        fields.append(("id", sms_id))
    return _xml("result", fields) if fmt == 2 else _dumps(_json(fields))


def render_send(fmt: int, fields: Fields, phones: list[dict[str, str]] | None) -> str:
    """A ``send.php`` success answer.

    Parameters
    ----------
    fmt : int
        0-3.
    fields : sequence of (name, value)
        In SMSC's order: ``id, cnt[, cost[, balance]]`` or, for ``cost=1``, ``cost, cnt``.
    phones : list of dict, optional
        ``op=1`` / ``err=1`` rows with the keys of :data:`PHONE_FIELDS`, all strings.

    Examples
    --------
    >>> row = {"phone": "79161234567", "mccmnc": "25001", "cost": "5.45", "status": "", "error": ""}
    >>> print(render_send(0, [("id", "7"), ("cnt", 1), ("cost", "5.45")], [row]))
    OK - 1 SMS, ID - 7, COST - 5.45
    79161234567,25001,5.45,,
    """
    values = dict(fields)
    if fmt in (0, 1):
        if fmt == 1:
            head = ",".join(str(value) for _, value in fields)
        elif "id" not in values:
            head = f"{values['cost']} ({values['cnt']} SMS)"
        else:
            head = f"OK - {values['cnt']} SMS, ID - {values['id']}"
            head += "".join(f", {key.upper()} - {values[key]}" for key in ("cost", "balance") if key in values)
        lines = [",".join(row[key] for key in PHONE_FIELDS) for row in phones or []]
        return "\n".join([head, *lines])
    if fmt == 2:
        extra = ""
        if phones is not None:
            rows = [
                "<phone "
                + " ".join(f"{key}={quoteattr(row[key])}" for key in PHONE_FIELDS[1:])
                + f">{escape(row['phone'])}</phone>"
                for row in phones
            ]
            extra = "\n".join(["<phones>", *rows, "</phones>"]) + "\n"
        return _xml("result", fields, extra)
    answer = _json(fields)
    if phones is None:
        return _dumps(answer)
    head = _dumps(answer)
    rows = _json_rows(phones) if answer else None
    if rows is None:
        answer["phones"] = phones
        return _dumps(answer)
    return f'{head[:-1]}, "phones": [{rows}]}}'


_ROW_JSON = "{" + ", ".join(f'"{key}": %s' for key in PHONE_FIELDS) + "}"


def _json_rows(phones: list[dict[str, str]]) -> str | None:
    """``json.dumps(phones, ensure_ascii=False)[1:-1]`` by string formatting (3x faster on
    1,000 rows), or None when a row is not :data:`PHONE_FIELDS` in order with string values."""
    quote = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) quotes with
    parts = []
    for row in phones:
        if tuple(row) != PHONE_FIELDS:
            return None
        try:
            parts.append(_ROW_JSON % tuple(map(quote, row.values())))
        except TypeError:
            return None
    return ", ".join(parts)


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
        f"{names.get(key, key)} = {line_value(value)}" for key, value in fields if key != "last_timestamp"
    )


def _status_numbers(fields: Fields) -> str:
    return ",".join(line_value(value) for key, value in fields if key != "last_date")


def render_status(fmt: int, records: list[Fields], *, as_list: bool) -> str:
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
    if fmt == 0:
        return "\n".join(_status_text(record) for record in records)
    if fmt == 1:
        return "\n".join(_status_numbers(record) for record in records)
    if fmt == 2:
        if not as_list:
            return _xml("sms", records[0])
        return "\n".join(["<result>", *(_xml("sms", record) for record in records), "</result>"])
    if not as_list:
        return _dumps(_json(records[0]))
    return _dumps([_json(record) for record in records])


def render_fields(fmt: int, fields: Fields) -> str:
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
    return _xml("result", fields) if fmt == 2 else _dumps(_json(fields))


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
