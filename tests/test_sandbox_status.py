"""status.php and balance.php over real HTTP: progression, magic numbers, list form, all=, del."""

from __future__ import annotations

import pytest

from smsc_frames.sandbox import SandboxSettings

NO_LIMITS = SandboxSettings(
    seconds_to_operator=30,
    seconds_to_final=60,
    status_checks_per_message=1000,
    status_lists_per_window=1000,
)


def status_of(smsc, running, sms_id, phone, **params):
    answer = smsc(
        running, "status.php", id=str(sms_id), phone=phone, fmt="3", charset="utf-8", **params
    )
    assert answer.status_code == 200 and answer.headers["X-SMSC-Sandbox"] == "1"
    return answer.json()


@pytest.mark.parametrize(("phone", "final", "err"), [
    ("79161234567", 1, 0), ("79990000020", 20, 1), ("79990000025", 25, 6), ("79990000003", 3, 6),
])  # fmt: skip
def test_status_goes_waiting_operator_final(make_sandbox, smsc, fake_clock, phone, final, err):
    running = make_sandbox(settings=NO_LIMITS, clock=fake_clock)
    assert smsc(running, phones=phone, mes="Hi", id="10", fmt="1").text == "10,1"
    seen = []
    for step in (0, 31, 30):
        fake_clock.advance(step)
        answer = status_of(smsc, running, 10, phone)
        seen.append((answer["status"], answer["err"]))
        assert set(answer) == {"status", "last_date", "last_timestamp", "err"}
    assert seen == [(-1, 0), (0, 0), (final, err)]
    assert running.messages()[0]["status"] == final and running.messages()[0]["cost"] > 0


def test_time_keeps_the_message_waiting_until_due(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=NO_LIMITS, clock=fake_clock)
    smsc(running, phones="79161234567", mes="Later", id="11", time="+10")
    fake_clock.advance(9 * 60)
    assert status_of(smsc, running, 11, "79161234567")["status"] == -1
    fake_clock.advance(60 + 31)
    assert status_of(smsc, running, 11, "79161234567")["status"] == 0
    fake_clock.advance(30)
    assert status_of(smsc, running, 11, "79161234567")["status"] == 1


def test_not_found_is_status_minus_3(sandbox, smsc):
    assert status_of(smsc, sandbox, 999, "79161234567")["status"] == -3


def test_list_form_pairs_ids_and_phones_in_order(make_sandbox, smsc):
    running = make_sandbox(settings=NO_LIMITS)
    smsc(running, phones="79161234567,79031234567", mes="Hi", id="20")
    answer = status_of(smsc, running, "20,20,21", "79031234567,79161234567,79161234567")
    assert [(row["id"], row["phone"], row["status"]) for row in answer] == [
        (20, "79031234567", -1), (20, "79161234567", -1), (21, "79161234567", -3),
    ]  # fmt: skip


def test_trailing_comma_forces_the_list_form(sandbox, smsc):
    smsc(sandbox, phones="79161234567", mes="Hi", id="20")
    answer = status_of(smsc, sandbox, "20,", "79161234567,")
    assert (
        isinstance(answer, list) and answer[0]["id"] == 20 and answer[0]["phone"] == "79161234567"
    )


def test_lists_of_different_lengths_are_error_1(sandbox, smsc):
    assert status_of(smsc, sandbox, "1,2", "79161234567") == {
        "error": "parameters error: id",
        "error_code": 1,
    }


def test_all_1_and_2_add_the_documented_fields(make_sandbox, smsc):
    running = make_sandbox(settings=NO_LIMITS)
    smsc(running, phones="79161234567", mes="Привет", id="30", sender="SHOP", charset="utf-8")
    full = status_of(smsc, running, 30, "79161234567", all="1")
    assert list(full) == [
        "status", "last_date", "last_timestamp", "err",
        "send_date", "send_timestamp", "phone", "cost", "sender_id", "status_name",
        "message", "comment", "type",
    ]  # fmt: skip
    shown = (full["phone"], full["cost"], full["sender_id"], full["message"], full["status_name"])
    assert shown == ("79161234567", "5.45", "SHOP", "Привет", "Waiting to be sent")
    more = status_of(smsc, running, 30, "79161234567", all="2")
    assert (more["country"], more["operator"], more["region"]) == ("RU", "MTS", "Moscow")


def test_status_in_all_four_formats(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=NO_LIMITS, clock=fake_clock)
    smsc(running, phones="79161234567", mes="Hi", id="40")
    fake_clock.advance(100)
    answers = [
        smsc(running, "status.php", id="40", phone="79161234567", fmt=str(fmt)).text
        for fmt in range(4)
    ]
    stamp = answers[3].split('"last_timestamp": ')[1].split(",")[0]
    date = answers[3].split('"last_date": "')[1].split('"')[0]
    assert answers == [
        f"Status = 1, check_time = {date}, err = 0",
        f"1,{stamp},0",
        f"<sms>\n<status>1</status>\n<last_date>{date}</last_date>\n<last_timestamp>{stamp}</last_timestamp>\n"
        "<err>0</err>\n</sms>",
        f'{{"status": 1, "last_date": "{date}", "last_timestamp": {stamp}, "err": 0}}',
    ]


def test_del_1_deletes_and_a_missing_message_is_error_5(sandbox, smsc):
    smsc(sandbox, phones="79161234567", mes="Hi", id="50")
    assert status_of(smsc, sandbox, 50, "79161234567", **{"del": "1"}) == {"result": "OK"}
    assert sandbox.messages() == []
    assert status_of(smsc, sandbox, 50, "79161234567")["status"] == -3
    assert status_of(smsc, sandbox, 50, "79161234567", **{"del": "1"}) == {
        "error": "error deleting message", "error_code": 5,
    }  # fmt: skip


def test_a_later_message_with_the_same_id_shadows_the_earlier_until_deleted(sandbox, smsc):
    smsc(sandbox, phones="79161234567,79031234567", mes="First", id="51")
    smsc(sandbox, phones="79161234567", mes="Second", id="51")
    answer = status_of(smsc, sandbox, 51, "79161234567", all="1")
    assert answer["message"] == "Second"
    assert status_of(smsc, sandbox, 51, "79031234567", all="1")["message"] == "First"
    # a pair named twice is deleted once, and the earlier message stays shadowed (SMSC's
    # (id, phone) names one message: the one status.php showed)
    deleted = smsc(
        sandbox, "status.php", id="51,51", phone="79161234567,79161234567", fmt="3", **{"del": "1"}
    )
    assert deleted.json() == {"result": "OK"}
    assert status_of(smsc, sandbox, 51, "79161234567")["status"] == -3
    assert [(m["phone"], m["text"]) for m in sandbox.messages()] == [
        ("79161234567", "First"),
        ("79031234567", "First"),
    ]


def test_messages_of_another_login_are_not_visible(make_sandbox, smsc):
    from smsc_frames.sandbox import Account

    running = make_sandbox(accounts=[Account("demo", "demo"), Account("other", "pw")])
    smsc(running, phones="79161234567", mes="Hi", id="60")
    answer = smsc(
        running,
        "status.php",
        auth=False,
        login="other",
        psw="pw",
        id="60",
        phone="79161234567",
        fmt="3",
    )
    assert answer.json()["status"] == -3


@pytest.mark.parametrize(("cur", "fmt", "expected"), [
    ("0", "0", "1000.00"), ("1", "0", "1000.00,RUR"), ("1", "1", "1000.00,RUR"),
    ("1", "2", "<result>\n<balance>1000.00</balance>\n<currency>RUR</currency>\n</result>"),
    ("0", "3", '{"balance": "1000.00"}'), ("1", "3", '{"balance": "1000.00", "currency": "RUR"}'),
])  # fmt: skip
def test_balance_in_every_format(sandbox, smsc, cur, fmt, expected):
    assert smsc(sandbox, "balance.php", cur=cur, fmt=fmt).text == expected


def test_balance_and_status_reject_unknown_parameters(sandbox, smsc):
    assert smsc(sandbox, "balance.php", foo="1").text == "ERROR = 1 (parameters error: foo)"
    assert smsc(sandbox, "status.php", id="1", phone="79161234567", mes="x").text == (
        "ERROR = 1 (parameters error: mes)"
    )


def split_escaped(line: str, separator: str) -> list[str]:
    """Split a fmt 0/1 status line at every unescaped *separator*, then undo the escapes."""
    fields, current, index = [], "", 0
    while index < len(line):
        if line[index] == "\\":
            current += {"n": "\n", "r": "\r"}.get(line[index + 1], line[index + 1])
            index += 2
        elif line.startswith(separator, index):
            fields.append(current)
            current, index = "", index + len(separator)
        else:
            current += line[index]
            index += 1
    return [*fields, current]


TRICKY = "Sale, today\nonly: C:\\new\\, 10%\\"


def test_fmt_1_keeps_one_line_per_message_and_escapes_the_text(make_sandbox, smsc):
    running = make_sandbox(settings=NO_LIMITS)
    smsc(running, phones="79161234567,79031234567", mes=TRICKY, id="80", sender="SHOP")
    one = smsc(running, "status.php", id="80", phone="79161234567", fmt="1", all="2").text
    assert "\n" not in one and ",Sale\\, today\\nonly: C:\\\\new\\\\\\, 10%\\\\," in one
    fields = split_escaped(one, ",")
    assert len(fields) == 14 and fields[4:11] == [  # fmt=1: timestamps only, no dates
        "79161234567", "5.45", "SHOP", "Waiting to be sent", TRICKY, "", "0",
    ]  # fmt: skip
    listed = smsc(
        running, "status.php", id="80,80,", phone="79161234567,79031234567,", fmt="1", all="1"
    ).text
    rows = [split_escaped(line, ",") for line in listed.split("\n")]
    assert [(row[0], row[1], row[9]) for row in rows] == [
        ("80", "79161234567", TRICKY),
        ("80", "79031234567", TRICKY),
    ]
    assert all(len(row) == 12 for row in rows)


def test_fmt_0_escapes_the_text_so_key_value_pairs_stay_unambiguous(make_sandbox, smsc):
    running = make_sandbox(settings=NO_LIMITS)
    smsc(running, phones="79161234567", mes=TRICKY + ", comment = fake", id="81")
    worded = smsc(running, "status.php", id="81", phone="79161234567", fmt="0", all="1").text
    assert "\n" not in worded
    pairs = dict(field.split(" = ", 1) for field in split_escaped(worded, ", "))
    assert (
        pairs["message"] == TRICKY + ", comment = fake"
        and pairs["comment"] == ""
        and pairs["type"] == "0"
    )
    assert list(pairs)[:3] == ["Status", "check_time", "err"]
