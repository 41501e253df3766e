"""Every send.php answer shape, over real HTTP: fmt 0-3 x cost 0-3, op=1, err=1, errors 1-9.

The expected texts are the ``send.php`` page's templates filled in by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from smsc_frames.sandbox import Account

TWO_PHONES = {"phones": "79161234567,79031234567", "mes": "Hello", "id": "42"}
# MTS 5.45 + Beeline 5.25 = 10.70 for one part each; the balance then is 1000.00 - 10.70.
EXPECTED = {
    (0, 0): "OK - 2 SMS, ID - 42",
    (0, 1): "10.70 (2 SMS)",
    (0, 2): "OK - 2 SMS, ID - 42, COST - 10.70",
    (0, 3): "OK - 2 SMS, ID - 42, COST - 10.70, BALANCE - 989.30",
    (1, 0): "42,2",
    (1, 1): "10.70,2",
    (1, 2): "42,2,10.70",
    (1, 3): "42,2,10.70,989.30",
    (2, 0): "<result>\n<id>42</id>\n<cnt>2</cnt>\n</result>",
    (2, 1): "<result>\n<cost>10.70</cost>\n<cnt>2</cnt>\n</result>",
    (2, 2): "<result>\n<id>42</id>\n<cnt>2</cnt>\n<cost>10.70</cost>\n</result>",
    (2, 3): (
        "<result>\n<id>42</id>\n<cnt>2</cnt>\n<cost>10.70</cost>\n<balance>989.30</balance>\n"
        "</result>"
    ),
    (3, 0): '{"id": 42, "cnt": 2}',
    (3, 1): '{"cost": "10.70", "cnt": 2}',
    (3, 2): '{"id": 42, "cnt": 2, "cost": "10.70"}',
    (3, 3): '{"id": 42, "cnt": 2, "cost": "10.70", "balance": "989.30"}',
}
OP_LINES = "79161234567,25001,5.45,,\n79031234567,25099,5.25,,"
OP_XML = (
    "<phones>\n"
    '<phone mccmnc="25001" cost="5.45" status="" error="">79161234567</phone>\n'
    '<phone mccmnc="25099" cost="5.25" status="" error="">79031234567</phone>\n'
    "</phones>\n"
)
OP_JSON = [
    {"phone": "79161234567", "mccmnc": "25001", "cost": "5.45", "status": "", "error": ""},
    {"phone": "79031234567", "mccmnc": "25099", "cost": "5.25", "status": "", "error": ""},
]


def with_op(fmt: int, plain: str) -> str:
    if fmt in (0, 1):
        return plain + "\n" + OP_LINES
    if fmt == 2:
        return plain.replace("</result>", OP_XML + "</result>")
    return json.dumps({**json.loads(plain), "phones": OP_JSON}, ensure_ascii=False)


@pytest.mark.parametrize("op", [False, True], ids=["plain", "op1"])
@pytest.mark.parametrize(("fmt", "cost"), sorted(EXPECTED))
def test_send_answer_matches_the_documented_template(sandbox, smsc, fmt, cost, op):
    extra = {"op": "1"} if op else {}
    answer = smsc(sandbox, fmt=str(fmt), cost=str(cost), **TWO_PHONES, **extra)
    assert answer.status_code == 200
    assert answer.headers["X-SMSC-Sandbox"] == "1"
    expected = with_op(fmt, EXPECTED[fmt, cost]) if op else EXPECTED[fmt, cost]
    assert answer.text == expected
    sent = cost != 1
    assert len(sandbox.messages()) == (2 if sent else 0)
    assert sandbox.balance("demo") == (Decimal("989.30") if sent else Decimal("1000.00"))


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_err_1_lists_only_the_failed_numbers(sandbox, smsc, fmt):
    answer = smsc(sandbox, fmt=str(fmt), phones="79161234567,12345", mes="Hi", id="5", err="1")
    expected = {
        0: "OK - 1 SMS, ID - 5\n12345,,0.00,22,249",
        1: "5,1\n12345,,0.00,22,249",
        2: "<result>\n<id>5</id>\n<cnt>1</cnt>\n<phones>\n"
        '<phone mccmnc="" cost="0.00" status="22" error="249">12345</phone>\n</phones>\n</result>',
        3: '{"id": 5, "cnt": 1, "phones": [{"phone": "12345", "mccmnc": "", "cost": "0.00", '
        '"status": "22", "error": "249"}]}',
    }[fmt]
    assert answer.text == expected
    assert [(m["phone"], m["status"]) for m in sandbox.messages()] == [
        ("79161234567", -1),
        ("12345", 22),
    ]


ERROR_TEXTS = {
    1: "parameters error: maxsms",
    2: "authorise error",
    3: "no money",
    4: "ip is blocked",
    5: "wrong date format",
    6: "message is denied",
    7: "invalid phone",
    8: "cannot deliver",
    9: "duplicate request, wait a minute",
}


def provoke(code: int, make_sandbox, smsc) -> tuple[object, dict[str, str]]:
    """A sandbox and the request that makes it answer error *code* (ids 77 where SMSC sends one)."""
    base = {"phones": "79161234567", "mes": "Hello", "id": "77"}
    if code == 3:
        return make_sandbox(accounts=[Account("demo", "demo", balance="1.00")]), base
    running = make_sandbox()
    if code == 4:
        for _ in range(5):
            assert smsc(running, psw="wrong").text == "ERROR = 2 (authorise error)"
    if code == 9:
        assert smsc(running, **base).text == "OK - 1 SMS, ID - 77"
    changes = {
        1: {"maxsms": "0"},
        2: {"psw": "wrong"},
        5: {"time": "32.01.25 10:00"},
        6: {"mes": "Hello SANDBOX-DENY"},
        7: {"phones": "12345"},
        8: {"phones": "79990000008"},
    }
    return running, {**base, **changes.get(code, {})}


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("code", range(1, 10))
def test_error_answers_byte_for_byte(make_sandbox, smsc, code, fmt):
    running, params = provoke(code, make_sandbox, smsc)
    stored_before = len(running.messages())
    answer = smsc(running, fmt=str(fmt), **params)
    text, with_id = ERROR_TEXTS[code], code in (3, 6, 7, 8)
    expected = {
        0: f"ERROR = {code} ({text})" + (", ID - 77" if with_id else ""),
        1: f"{77 if with_id else 0},-{code}",
        2: f"<result>\n<error>{text}</error>\n<error_code>{code}</error_code>\n"
        + ("<id>77</id>\n" if with_id else "")
        + "</result>",
        3: json.dumps({"error": text, "error_code": code, **({"id": 77} if with_id else {})}),
    }[fmt]
    assert answer.status_code == 200
    assert answer.content == expected.encode("cp1251")
    assert len(running.messages()) == stored_before


@pytest.mark.parametrize("fields", [[("id", "5"), ("cnt", 2)], [("cost", "1.40"), ("cnt", 2)], []])
def test_op_rows_render_as_json_dumps_would(fields):
    """The fast op=1 JSON rows are byte for byte ``json.dumps(..., ensure_ascii=False)``."""
    from smsc_frames.sandbox.formats import PHONE_FIELDS, render_send

    tokens = ["79161234567", 'a"b\\c', "тел\n\t\x01", "\ud800x", "😀", ""]
    rows = [(t, "25001", "5.45", "", "") for t in tokens] + [
        (t, "", "0.00", "22", '2"49') for t in tokens
    ]
    expected = {key: (int(value) if key == "id" else value) for key, value in fields}
    for phones in (rows, [], rows[::-1]):
        as_dicts = [dict(zip(PHONE_FIELDS, row)) for row in phones]
        assert render_send(3, fields, phones) == json.dumps(
            {**expected, "phones": as_dicts}, ensure_ascii=False
        )
