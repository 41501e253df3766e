"""The send.php page, statement by statement, against the sandbox (docs/sandbox.md, *The page*).

Each test names the page's words it checks. Requests are made with ``requests``, never with our
client.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests

from smsc_frames.sandbox import READINGS, Account, Reading, SandboxSettings

FAST = SandboxSettings(seconds_to_operator=0.05, seconds_to_final=0.15)


def post(running, endpoint="send.php", **params):
    form = {"login": "demo", "psw": "demo", "fmt": "3", "charset": "utf-8", **params}
    return requests.post(f"{running.url}/sys/{endpoint}", data=form, timeout=10)


def send(running, **params):
    return post(running, **params).json()


# -- the page's own examples, as GET with the query in the URL -----------------------------------
PAGE_EXAMPLES = [
    "phones=79999999999&mes=Hello!",
    "list=79999999999:Hello!%0A79999999999:Hello\\nworld!",
    "phones=79999999999&mes=Hello%20world!&translit=1&time=0101120000&flash=1&sender=ivan"
    "&charset=utf-8",
    "phones=79999999999&mes=050A0307056048656C6C6F2C20576F726C6421&bin=2",
    "phones=79999999999&mes=0605040B8423F0DC0601AE02056A0045C60C037761702E72752F000103776170"
    "2E7275000101&bin=2",
    "phones=79999999999&mes=http://wap.ru%0AWAP.RU&push=1",
]


@pytest.mark.parametrize("query", PAGE_EXAMPLES)
def test_every_example_of_the_page_is_accepted(sandbox, query):
    answer = requests.get(f"{sandbox.url}/sys/send.php?login=alex&psw=123&{query}", timeout=10)
    assert answer.text.startswith("ERROR = 2")  # alex is not a sandbox account
    answer = requests.get(f"{sandbox.url}/sys/send.php?login=demo&psw=demo&{query}", timeout=10)
    assert answer.text.startswith("OK - "), answer.text


# -- list -----------------------------------------------------------------------------------------
def test_list_lines_may_carry_sender_and_tz_and_use_semicolons(sandbox):
    value = "SHOP,2|79161234567;Hi\nINFO|79031234567,79211234567:Привет"
    answer = send(sandbox, list=value, time="0101300000")
    assert answer["cnt"] == 3
    assert [(m["phone"], m["sender"]) for m in sandbox.messages()] == [
        ("79161234567", "SHOP"), ("79031234567", "INFO"), ("79211234567", "INFO"),
    ]  # fmt: skip


# -- hlr / ping: "Параметр mes не используется" ---------------------------------------------------
@pytest.mark.parametrize("kind", ["hlr", "ping"])
def test_hlr_and_ping_ignore_the_text(sandbox, kind):
    without = send(sandbox, phones="79161234567,79031234567", cost="1", **{kind: "1"})
    long_text = send(sandbox, phones="79161234567,79031234567", mes="я" * 500, cost="1",
                     **{kind: "1"})  # fmt: skip
    assert without == long_text == {"cost": "10.70", "cnt": 2}
    send(sandbox, phones="79161234567", mes="ignored", **{kind: "1"})
    assert sandbox.messages()[0]["text"] == "" and sandbox.messages()[0]["parts"] == 1


# -- call: "<cnt> – ... количество секунд (при голосовом сообщении)" -------------------------------
def test_a_call_counts_seconds_at_the_sandboxs_rate_of_speech(sandbox):
    text = "x" * 31  # 15 characters a second: 3 seconds
    answer = send(sandbox, phones="79161234567,79031234567", mes=text, call="1", cost="3")
    assert answer["cnt"] == 6  # seconds x recipients
    assert answer["cost"] == "10.70"  # one started minute each at the route's price
    assert sandbox.messages()[0]["parts"] == 3


def test_a_call_may_be_only_an_attached_audio_file(sandbox):
    files = {"voice": ("hello.mp3", b"\xff" * 48_001, "audio/mpeg")}  # 16000 B/s: 4 seconds
    form = {"login": "demo", "psw": "demo", "fmt": "3", "phones": "79161234567", "call": "1"}
    answer = requests.post(f"{sandbox.url}/sys/send.php", data=form, files=files, timeout=10)
    assert answer.json() == {"id": 1, "cnt": 4}
    assert sandbox.messages()[0]["files"] == (48_001,)


# -- tinyurl --------------------------------------------------------------------------------------
def test_tinyurl_replaces_every_link_by_a_20_character_placeholder(sandbox):
    link = "https://example.org/" + "a" * 200
    answer = send(sandbox, phones="79161234567", mes=f"Sale {link} today", tinyurl="1")
    assert answer["cnt"] == 1
    text = sandbox.messages()[0]["text"]
    assert text.startswith("Sale https://s.sbx/") and len(text) == len("Sale  today") + 20
    send(sandbox, phones="79161234567", mes=f"Sale {link} now")
    assert sandbox.messages()[1]["parts"] == 2  # without tinyurl the link stays


# -- bin ------------------------------------------------------------------------------------------
def test_binary_with_the_pid_dcs_trailer(sandbox):
    mes = "050A0307056048656C6C6F\n~~~\npid: 0, dcs: 4"
    assert send(sandbox, phones="79161234567", mes=mes, bin="2") == {"id": 1, "cnt": 1}
    assert sandbox.messages()[0]["text"] == "050A0307056048656C6C6F"


@pytest.mark.parametrize("mes", [
    "050A0307056048656C6C6F\n~~~\npid:0, dcs:4", "050A0307056048656C6C6F\n~~~\npid: 0",
    "050A0307056048656C6C6F\n~~~\npid: 0, dcs: 256", "48656C6C6F", "0A0102", "ABC",
])  # fmt: skip
def test_a_malformed_trailer_or_udh_is_error_1(sandbox, mes):
    answer = send(sandbox, phones="79161234567", mes=mes, bin="2")
    assert answer == {"error": "parameters error: mes", "error_code": 1}


def test_binary_without_udh_starts_with_a_zero_byte(sandbox):
    assert send(sandbox, phones="79161234567", mes="0048656C6C6F", bin="2")["cnt"] == 1


# -- push, mms, mail ------------------------------------------------------------------------------
def test_push_needs_a_link_and_a_title_on_two_lines(sandbox):
    answer = send(sandbox, phones="79161234567", mes="http://wap.ru", push="1")
    assert answer == {"error": "parameters error: mes", "error_code": 1}
    assert send(sandbox, phones="79161234567", mes="http://wap.ru\nWAP.RU", push="1")["cnt"] == 1


def test_mms_needs_a_subject_or_a_text_and_takes_files(sandbox):
    answer = send(sandbox, phones="79161234567", mms="1")
    assert answer == {"error": "parameters error: mes", "error_code": 1}
    files = {"f1": ("a.jpg", b"j" * 1000, "image/jpeg"), "f2": ("b.mp3", b"m" * 10, "audio/mpeg")}
    form = {"login": "demo", "psw": "demo", "fmt": "3", "phones": "79161234567", "mms": "1",
            "subj": "Photo"}  # fmt: skip
    answer = requests.post(f"{sandbox.url}/sys/send.php", data=form, files=files, timeout=10)
    assert answer.json() == {"id": 1, "cnt": 1}
    assert sandbox.messages()[0]["files"] == (1000, 10)


def test_files_are_refused_on_a_plain_sms(sandbox):
    form = {"login": "demo", "psw": "demo", "fmt": "3", "phones": "79161234567", "mes": "Hi"}
    files = {"photo": ("a.jpg", b"j" * 10, "image/jpeg")}
    answer = requests.post(f"{sandbox.url}/sys/send.php", data=form, files=files, timeout=10)
    assert answer.json() == {"error": "parameters error: photo", "error_code": 1}
    assert sandbox.messages() == []


def test_more_files_than_max_files_or_bytes_than_the_cap_are_refused(make_sandbox):
    running = make_sandbox(settings=SandboxSettings(max_files=2, max_body_bytes=4096))
    form = {"login": "demo", "psw": "demo", "fmt": "3", "phones": "79161234567", "mms": "1",
            "subj": "x"}  # fmt: skip
    three = {f"f{i}": (f"{i}.jpg", b"j", "image/jpeg") for i in range(3)}
    answer = requests.post(f"{running.url}/sys/send.php", data=form, files=three, timeout=10)
    assert answer.json() == {"error": "parameters error: f2", "error_code": 1}
    big = {"f": ("big.jpg", b"j" * 5000, "image/jpeg")}
    answer = requests.post(f"{running.url}/sys/send.php", data=form, files=big, timeout=10)
    assert answer.text == "ERROR = 1 (parameters error: body)"  # fmt=3 was in the unread body
    assert running.messages() == []


@pytest.mark.parametrize("body", [
    b"no boundary at all", b"--XY\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XY--\r\n",
    b"--XY\r\nContent-Disposition: form-data; name=\"mes\"\r\n\r\nx\r\n--XY",
])  # fmt: skip
def test_malformed_multipart_is_error_1_body(sandbox, body):
    answer = requests.post(
        f"{sandbox.url}/sys/send.php?fmt=3", data=body, timeout=10,
        headers={"Content-Type": "multipart/form-data; boundary=XY"},
    )  # fmt: skip
    assert answer.json() == {"error": "parameters error: body", "error_code": 1}


def test_multipart_fields_are_decoded_in_charset(sandbox):
    fields = {"login": (None, "demo"), "psw": (None, "demo"), "fmt": (None, "3"),
              "charset": (None, "utf-8"), "phones": (None, "79161234567"),
              "mes": (None, "Привет")}  # fmt: skip
    answer = requests.post(f"{sandbox.url}/sys/send.php", files=fields, timeout=10)
    assert answer.json() == {"id": 1, "cnt": 1}
    assert sandbox.messages()[0]["text"] == "Привет"


def test_mail_needs_subject_text_and_a_sender_address(sandbox):
    base = {"phones": "ann@example.org", "mail": "1", "mes": "Hello"}
    assert send(sandbox, **base, sender="shop@example.org") == {
        "error": "parameters error: subj", "error_code": 1,
    }  # fmt: skip
    assert send(sandbox, **base, subj="Hi") == {"error": "parameters error: sender",
                                                "error_code": 1}  # fmt: skip
    assert send(sandbox, **base, subj="Hi", sender="SHOP") == {
        "error": "parameters error: sender", "error_code": 1,
    }  # fmt: skip


def test_mail_goes_to_e_mail_addresses(sandbox):
    recipients = "ann@example.org;bob@example.org,79161234567"
    mail = {"mail": "1", "subj": "News", "sender": "shop@example.org"}
    answer = send(sandbox, phones=recipients, mes="Hello " * 100, op="1", cost="3", **mail)
    assert answer["cnt"] == 2 and answer["cost"] == "1.00"  # one message each, 0.50
    assert [(row["phone"], row["status"]) for row in answer["phones"]] == [
        ("ann@example.org", ""), ("bob@example.org", ""), ("79161234567", "22"),
    ]  # fmt: skip
    status = post(sandbox, "status.php", id=str(answer["id"]), phone="ann@example.org").json()
    assert status["status"] == -1
    assert send(sandbox, phones="ann@example.org", mes="Hi")["error_code"] == 7


# -- Telegram: "ника абонента или его ID в виде #ID" ----------------------------------------------
def test_telegram_accepts_nicks_and_ids_with_tg_or_bot(sandbox):
    answer = send(sandbox, phones="@ann_smith,#123456789,79161234567", tg="1", mes="Code 1234",
                  op="1")  # fmt: skip
    assert answer["cnt"] == 3
    assert [row["status"] for row in answer["phones"]] == ["", "", ""]
    answer = send(sandbox, phones="@ann_smith", bot="@shop_bot", mes="Hello")
    assert answer["cnt"] == 1
    assert send(sandbox, phones="@ann_smith", mes="Hello")["error_code"] == 7


# -- groups: "G<номер группы>" --------------------------------------------------------------------
def test_groups_are_the_accounts_contact_groups(make_sandbox):
    account = Account("demo", "demo", groups={1: ["79161234567", "89031234567"], 2: []})
    running = make_sandbox(accounts=[account])
    answer = send(running, phones="G1,79211234567,G7", mes="Hi", op="1")
    assert answer["cnt"] == 3
    assert [(row["phone"], row["status"]) for row in answer["phones"]] == [
        ("79161234567", ""), ("79031234567", ""), ("79211234567", ""), ("G7", "22"),
    ]  # fmt: skip
    assert send(running, phones="G2", mes="Hi") == {
        "error": "invalid phone", "error_code": 7, "id": 2,
    }  # fmt: skip


def test_group_members_count_toward_max_recipients(make_sandbox):
    account = Account("demo", "demo", groups={1: [f"7916{n:07d}" for n in range(3)]})
    running = make_sandbox(accounts=[account], settings=SandboxSettings(max_recipients=2))
    assert send(running, phones="G1", mes="Hi")["error_code"] == 1


# -- imgcode / userip -----------------------------------------------------------------------------
def test_imgcode_needs_userip_but_userip_alone_is_fine(sandbox):
    assert send(sandbox, phones="79161234567", mes="Hi", imgcode="abc")["error_code"] == 1
    assert send(sandbox, phones="79161234567", mes="Hi", userip="10.0.0.1")["cnt"] == 1
    assert (
        send(sandbox, phones="79161234567", mes="Ho", userip="10.0.0.1", imgcode="x1")["cnt"] == 1
    )


# -- /rest/send/ with a JSON body -----------------------------------------------------------------
def test_rest_send_takes_the_same_parameters_as_json(sandbox):
    body = {"login": "demo", "psw": "demo", "phones": "79161234567", "mes": "Привет",
            "fmt": 3, "cost": 3, "op": 1}  # fmt: skip
    answer = requests.post(f"{sandbox.url}/rest/send/", json=body, timeout=10)
    assert answer.headers["X-SMSC-Sandbox"] == "1"
    assert answer.json() == {
        "id": 1, "cnt": 1, "cost": "5.45", "balance": "994.55",
        "phones": [{"phone": "79161234567", "mccmnc": "25001", "cost": "5.45", "status": "",
                    "error": ""}],
    }  # fmt: skip
    assert sandbox.messages()[0]["text"] == "Привет"


def test_rest_send_answers_in_fmt_as_send_php_does(sandbox):
    body = {"login": "demo", "psw": "demo", "phones": "79161234567", "mes": "Hi"}
    assert requests.post(f"{sandbox.url}/rest/send", json=body, timeout=10).text == (
        "OK - 1 SMS, ID - 1"
    )


@pytest.mark.parametrize(("body", "name"), [
    (b"[1, 2]", "body"), (b"{not json", "body"), (b'{"mes": true}', "mes"),
    (b'{"phones": ["79161234567"]}', "phones"), (b'{"mes": null}', "mes"),
    (b'{"colour": "red", "phones": "79161234567", "mes": "x"}', "colour"),
])  # fmt: skip
def test_rest_send_refuses_what_is_not_a_flat_object_of_strings_and_numbers(sandbox, body, name):
    answer = requests.post(f"{sandbox.url}/rest/send/?login=demo&psw=demo&fmt=3", data=body,
                           headers={"Content-Type": "application/json"}, timeout=10)  # fmt: skip
    assert answer.json() == {"error": f"parameters error: {name}", "error_code": 1}


def test_rest_send_answers_an_error_in_its_body_in_the_bodys_fmt(sandbox):
    # the body's fmt was read only after its fields were checked: "op": true came back in fmt 0
    body = {"login": "demo", "psw": "demo", "phones": "79161234567", "mes": "Hi", "fmt": 3,
            "op": True}  # fmt: skip
    answer = requests.post(f"{sandbox.url}/rest/send/", json=body, timeout=10)
    assert answer.json() == {"error": "parameters error: op", "error_code": 1}


def test_rest_send_refuses_a_parameter_given_twice(sandbox):
    body = {"phones": "79161234567", "mes": "Hi", "fmt": 3}
    answer = requests.post(f"{sandbox.url}/rest/send/?login=demo&psw=demo&fmt=3", json=body,
                           timeout=10)  # fmt: skip
    assert answer.json() == {"error": "parameters error: fmt", "error_code": 1}


# -- readings -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(READINGS))
def test_op_1_gives_accepted_numbers_the_readings_status(make_sandbox, name):
    reading = READINGS[name]
    running = make_sandbox(settings=SandboxSettings(reading=reading))
    answer = send(running, phones="79161234567,12345", mes="Hi", op="1")
    accepted, wrong = answer["phones"]
    assert (accepted["status"], accepted["error"]) == (reading.op1_status, reading.op1_error)
    assert (wrong["status"], wrong["error"]) == ("22", "249")
    lines = post(running, phones="79031234567", mes="Hi", op="1", fmt="1").text.split("\n")
    assert lines[1] == f"79031234567,25099,5.25,{reading.op1_status},{reading.op1_error}"


def test_json_numbers_as_strings(make_sandbox):
    running = make_sandbox(settings=SandboxSettings(reading=Reading(json_numbers=False)))
    assert send(running, phones="79161234567", mes="Hi", cost="2") == {
        "id": "1", "cnt": "1", "cost": "5.45",
    }  # fmt: skip
    status = post(running, "status.php", id="1", phone="79161234567").json()
    assert status["status"] == "-1" and status["err"] == "0"
    assert isinstance(status["last_timestamp"], str)
    assert send(running, phones="1", mes="Hi") == {
        "error": "invalid phone", "error_code": "7", "id": "2",
    }  # fmt: skip


def test_status_err_absent_when_zero(make_sandbox):
    running = make_sandbox(settings=SandboxSettings(reading=Reading(status_err="nonzero")))
    send(running, phones="79161234567,79990000020", mes="Hi", id="5")
    waiting = post(running, "status.php", id="5", phone="79161234567").json()
    assert "err" not in waiting and waiting["status"] == -1
    assert post(running, "status.php", id="5", phone="79161234567", fmt="1").text.count(",") == 2
    text = post(running, "status.php", id="5", phone="79161234567", fmt="0").text
    assert text.startswith("Status = -1, check_time = ") and "err" not in text


def test_error_text_plain_drops_the_parameter_name(make_sandbox):
    running = make_sandbox(settings=SandboxSettings(reading=Reading(error_text="plain")))
    assert post(running, phones="79161234567", mes="Hi", maxsms="0", fmt="0").text == (
        "ERROR = 1 (parameters error)"
    )
    assert send(running, phones="79161234567", mes="Hi", colour="red") == {
        "error": "parameters error", "error_code": 1,
    }  # fmt: skip


def test_readings_check_their_values():
    with pytest.raises(ValueError):
        Reading(op1_status="2")
    with pytest.raises(ValueError):
        Reading(status_err="never")
    assert json.loads(json.dumps([r.name for r in READINGS.values()])) == list(READINGS)
    assert Decimal("0.50") * 2 == Decimal("1.00")


# -- period / freq: "растянуть рассылку во времени" -----------------------------------------------
def test_period_and_freq_send_group_after_group(make_sandbox, fake_clock):
    running = make_sandbox(clock=fake_clock)
    phones = "79161234567,79031234567,79211234567,79051234567,79261234567"
    assert send(running, phones=phones, mes="Hi", period="0.5", freq="10")["cnt"] == 5
    fake_clock.advance(1)
    assert [m["status"] for m in running.messages()] == [1, 1, -1, -1, -1]
    fake_clock.advance(600)
    assert [m["status"] for m in running.messages()] == [1, 1, 1, 1, -1]
    fake_clock.advance(600)
    assert [m["status"] for m in running.messages()] == [1] * 5


def test_period_without_freq_sends_at_once(make_sandbox, fake_clock):
    running = make_sandbox(clock=fake_clock)
    send(running, phones="79161234567,79031234567", mes="Hi", period="2")
    fake_clock.advance(1)
    assert [m["status"] for m in running.messages()] == [1, 1]


def test_a_list_lines_tz_applies_only_to_dated_times(make_sandbox, fake_clock):
    from datetime import datetime, timedelta, timezone

    moscow = datetime.fromtimestamp(fake_clock.now, timezone(timedelta(hours=3)))
    fake_clock.now = moscow.replace(hour=12, minute=0, second=0, microsecond=0).timestamp()
    running = make_sandbox(clock=fake_clock)
    # 12:00 Moscow is inside 10-14 whatever a line's tz says: both lines are sent now
    send(running, list="S,5|79161234567:A\n79031234567:B", time="10-14")
    fake_clock.advance(1)
    assert [m["status"] for m in running.messages()] == [1, 1]
