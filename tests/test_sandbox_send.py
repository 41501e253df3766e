"""send.php over HTTP: auth, charsets, recipients, list=, ids, parameter ranges, parts, money."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from urllib.parse import quote_from_bytes

import pytest
import requests

from smsc_frames.sandbox import Account, Reading, SandboxSettings
from smsc_frames.sandbox.segments import count_parts


def send_json(smsc, running, **params):
    answer = smsc(running, fmt="3", charset="utf-8", **params)
    assert answer.status_code == 200 and answer.headers["X-SMSC-Sandbox"] == "1"
    return answer.json()


# -- authentication ---------------------------------------------------------------------------
def test_apikey_replaces_login_and_password(sandbox, smsc):
    answer = send_json(
        smsc, sandbox, auth=False, apikey="demo-apikey", phones="79161234567", mes="Hi"
    )
    assert answer["cnt"] == 1
    assert sandbox.messages()[0]["login"] == "demo"


@pytest.mark.parametrize(
    "credentials", [{"login": "demo", "psw": "nope"}, {"apikey": "nope"}, {"login": "demo"}, {}]
)
def test_wrong_or_missing_credentials_give_error_2_and_store_nothing(sandbox, smsc, credentials):
    answer = send_json(smsc, sandbox, auth=False, phones="79161234567", mes="Hi", **credentials)
    assert answer == {"error": "authorise error", "error_code": 2}
    assert sandbox.messages() == []


def test_psw_may_be_the_passwords_md5_in_lower_case_hex(sandbox, smsc):
    # SMSC's own libraries: "пароль или MD5-хеш пароля в нижнем регистре"
    md5 = hashlib.md5(b"demo").hexdigest()
    assert smsc(sandbox, "balance.php", auth=False, login="demo", psw=md5).text == "1000.00"
    other = hashlib.md5(b"demo2").hexdigest()
    wrong = smsc(sandbox, "balance.php", auth=False, login="demo", psw=other)
    assert wrong.text == "ERROR = 2 (authorise error)"


def test_get_works_like_post(sandbox, smsc):
    answer = smsc(sandbox, method="GET", phones="79161234567", mes="Hi", fmt="1", id="9")
    assert answer.text == "9,1"


def test_unknown_endpoint_is_404_and_still_marked_sandbox(sandbox):
    answer = requests.get(sandbox.url + "/sys/nothing.php", timeout=5)
    assert answer.status_code == 404 and answer.headers["X-SMSC-Sandbox"] == "1"


# -- charsets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("charset", [None, "utf-8", "koi8-r"])
def test_charset_decodes_parameters_and_encodes_the_answer(sandbox, charset):
    codec = {None: "cp1251", "utf-8": "utf-8", "koi8-r": "koi8_r"}[charset]
    text = "Привет, мир"
    body = (
        b"login=demo&psw=demo&phones=79161234567&fmt=3&mes="
        + quote_from_bytes(text.encode(codec)).encode()
    )
    if charset:
        body += b"&charset=" + charset.encode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    send = requests.post(sandbox.url + "/sys/send.php", data=body, headers=form_type, timeout=5)
    assert send.json()["cnt"] == 1
    assert sandbox.messages()[0]["text"] == text
    status_form = {
        "login": "demo",
        "psw": "demo",
        "phone": "79161234567",
        "id": str(send.json()["id"]),
        "all": "1",
        "fmt": "0",
    }
    if charset:
        status_form["charset"] = charset
    status = requests.post(sandbox.url + "/sys/status.php", data=status_form, timeout=5)
    escaped = text.replace(",", "\\,")  # fmt 0 escapes commas in values (docs/sandbox.md)
    assert f"message = {escaped}, comment = ".encode(codec) in status.content
    assert status.headers["Content-Type"] == f"text/plain; charset={charset or 'windows-1251'}"


def test_non_utf8_bytes_under_utf8_are_error_1_naming_the_parameter(sandbox):
    body = b"login=demo&psw=demo&phones=79161234567&charset=utf-8&fmt=3&mes=%CF%F0%E8"
    answer = requests.post(sandbox.url + "/sys/send.php", data=body, timeout=5)
    assert answer.json() == {"error": "parameters error: mes", "error_code": 1}
    assert sandbox.messages() == []


def test_unknown_charset_is_error_1(sandbox, smsc):
    assert smsc(sandbox, phones="79161234567", mes="Hi", charset="latin-9").text == (
        "ERROR = 1 (parameters error: charset)"
    )


# -- recipients -------------------------------------------------------------------------------
def test_phones_split_on_comma_and_semicolon_with_optional_plus(sandbox, smsc):
    answer = send_json(
        smsc, sandbox, phones="+79161234567;79031234567, 89211234567", mes="Hi", op="1"
    )
    assert [row["phone"] for row in answer["phones"]] == [
        "79161234567",
        "79031234567",
        "79211234567",
    ]
    assert answer["cnt"] == 3
    assert {m["phone"] for m in sandbox.messages()} == {"79161234567", "79031234567", "79211234567"}


def test_wrong_format_numbers_get_22_249_while_the_rest_is_sent(sandbox, smsc):
    answer = send_json(
        smsc, sandbox, phones="79161234567,12345,+7916abc", mes="Hi", op="1", cost="2"
    )
    statuses = {
        row["phone"]: (row["status"], row["error"], row["cost"]) for row in answer["phones"]
    }
    assert statuses == {
        "79161234567": ("", "", "5.45"),
        "12345": ("22", "249", "0.00"),
        "+7916abc": ("22", "249", "0.00"),
    }
    assert answer["cost"] == "5.45" and answer["cnt"] == 1
    stored = {
        m["phone"]: (m["status"], m["error"], m["cost"], m["mccmnc"]) for m in sandbox.messages()
    }
    assert stored == {
        "79161234567": (-1, 0, Decimal("5.45"), "25001"),
        "12345": (22, 249, Decimal(0), ""),
        "+7916abc": (22, 249, Decimal(0), ""),
    }
    assert sandbox.balance("demo") == Decimal("994.55")


def test_wrong_format_numbers_are_readable_through_status_php(make_sandbox, smsc):
    from smsc_frames.sandbox import SandboxSettings

    running = make_sandbox(
        settings=SandboxSettings(status_checks_per_message=100, status_lists_per_window=100)
    )
    send_json(smsc, running, phones="79161234567,12345,+7916abc", mes="Hi", id="70")
    for phone in ("12345", "+7916abc"):
        single = smsc(running, "status.php", id="70", phone=phone, fmt="3", all="2").json()
        assert (single["status"], single["err"], single["phone"], single["cost"]) == (
            22,
            249,
            phone,
            "0.00",
        )
        assert (single["status_name"], single["message"]) == ("Wrong number", "Hi")
        assert (single["country"], single["operator"], single["region"]) == ("", "", "")
        assert smsc(running, "status.php", id="70", phone=phone, fmt="1").text.startswith("22,")
    listed = smsc(
        running, "status.php", id="70,70,70", phone="12345,79161234567,+7916abc", fmt="3"
    ).json()
    assert [(row["phone"], row["status"], row["err"]) for row in listed] == [
        ("12345", 22, 249), ("79161234567", -1, 0), ("+7916abc", 22, 249),
    ]  # fmt: skip
    assert smsc(running, "status.php", id="70", phone="12345", fmt="3", **{"del": "1"}).json() == {
        "result": "OK"
    }
    assert smsc(running, "status.php", id="70", phone="12345", fmt="3").json()["status"] == -3


def test_wrong_format_numbers_of_a_list_are_stored_with_their_line(sandbox, smsc):
    answer = send_json(smsc, sandbox, list="79161234567:A\n12-34,79031234567:B", id="71")
    assert answer["cnt"] == 2
    stored = {m["phone"]: (m["text"], m["status"]) for m in sandbox.messages()}
    assert stored == {"79161234567": ("A", -1), "12-34": ("B", 22), "79031234567": ("B", -1)}


def test_a_refused_request_stores_no_wrong_format_number(make_sandbox, smsc):
    running = make_sandbox(accounts=[Account("demo", "demo", balance="1.00")])
    assert (
        send_json(smsc, running, phones="79161234567,12345", mes="Hi", id="72")["error_code"] == 3
    )
    assert (
        send_json(smsc, running, phones="79990000008,12345", mes="Hi", id="73")["error_code"] == 8
    )
    assert running.messages() == [] and running.balance("demo") == Decimal("1.00")


def test_error_7_only_when_no_number_is_valid(sandbox, smsc):
    answer = send_json(smsc, sandbox, phones="123,456", mes="Hi", id="3")
    assert answer == {"error": "invalid phone", "error_code": 7, "id": 3}
    assert sandbox.messages() == [] and sandbox.balance("demo") == Decimal("1000.00")


def test_list_sends_each_line_with_its_text_and_sender(make_sandbox, smsc):
    running = make_sandbox(accounts=[Account("demo", "demo", senders=["SHOP", "INFO"])])
    list_value = "SHOP|79161234567,79031234567:Sale: 10% off\\nToday\n\nINFO,1|79211234567:Привет"
    answer = send_json(smsc, running, list=list_value, op="1", id="list-1")
    assert answer["id"] == "list-1" and answer["cnt"] == 3
    stored = {(m["phone"], m["text"], m["sender"], m["id"]) for m in running.messages()}
    assert stored == {
        ("79161234567", "Sale: 10% off\nToday", "SHOP", "list-1"),
        ("79031234567", "Sale: 10% off\nToday", "SHOP", "list-1"),
        ("79211234567", "Привет", "INFO", "list-1"),
    }


def test_the_pages_list_example_sends_two_messages_to_one_number(sandbox, smsc):
    # the page: list=79999999999:Hello!%0A79999999999:Hello\nworld!
    answer = smsc(sandbox, list="79999999999:Hello!\n79999999999:Hello\\nworld!", fmt="3")
    assert answer.json() == {"id": 1, "cnt": 2}
    assert [(m["phone"], m["text"]) for m in sandbox.messages()] == [
        ("79999999999", "Hello!"), ("79999999999", "Hello\nworld!"),
    ]  # fmt: skip
    # the number is identified with the id: status.php sees the later message
    status = smsc(sandbox, "status.php", id="1", phone="79999999999", fmt="3", all="1").json()
    assert status["message"] == "Hello\nworld!"


def test_a_repeat_on_one_line_is_one_message(sandbox, smsc):
    answer = send_json(smsc, sandbox, list="79161234567,+79161234567:A\n79161234567;B")
    assert answer["cnt"] == 2 and [m["text"] for m in sandbox.messages()] == ["A", "B"]


def test_list_separates_phones_and_text_by_a_colon_or_a_semicolon(sandbox, smsc):
    answer = send_json(smsc, sandbox, list="79161234567;Hi: there\n79031234567,79211234567:A;B")
    assert answer["cnt"] == 3
    assert [(m["phone"], m["text"]) for m in sandbox.messages()] == [
        ("79161234567", "Hi: there"), ("79031234567", "A;B"), ("79211234567", "A;B"),
    ]  # fmt: skip


def test_nl_1_lets_texts_span_lines(sandbox, smsc):
    value = "79161234567:Dear Ann,\nSee you at 5\\n\n79031234567;Bye\nNote: soon"
    answer = send_json(smsc, sandbox, list=value, nl="1")
    assert answer["cnt"] == 2
    assert [(m["phone"], m["text"]) for m in sandbox.messages()] == [
        ("79161234567", "Dear Ann,\nSee you at 5\\n"), ("79031234567", "Bye\nNote: soon"),
    ]  # fmt: skip


def test_without_nl_a_line_without_separator_is_error_1(sandbox, smsc):
    answer = send_json(smsc, sandbox, list="79161234567:Dear Ann,\nSee you")
    assert answer == {"error": "parameters error: list", "error_code": 1}


def test_unregistered_sender_gets_23_254_and_is_not_charged(make_sandbox, smsc):
    running = make_sandbox(accounts=[Account("demo", "demo", senders=["SHOP"])])
    answer = send_json(
        smsc, running, phones="79161234567", mes="Hi", sender="OTHER", op="1", cost="3"
    )
    assert answer["phones"][0]["status"] == "23" and answer["phones"][0]["error"] == "254"
    assert answer["cost"] == "0.00" and answer["balance"] == "1000.00"
    [message] = running.messages()
    assert (message["status"], message["error"], message["cost"]) == (23, 254, Decimal("0"))


@pytest.mark.parametrize("cost", ["1", "3"])
def test_under_the_error_reading_an_unregistered_sender_refuses_the_whole_request(
    make_sandbox, smsc, cost
):
    # the page's error 6: "Сообщение запрещено (по тексту или по имени отправителя)"
    settings = SandboxSettings(reading=Reading(unregistered_sender="error", name="error"))
    running = make_sandbox(accounts=[Account("demo", "demo", senders=["SHOP"])], settings=settings)
    answer = send_json(
        smsc, running, list="SHOP|79161234567:Hi\nOTHER|79031234567:Hi", op="1", cost=cost, id="9"
    )
    assert answer == {"error": "message is denied", "error_code": 6, "id": 9}
    assert running.messages() == [] and running.balance("demo") == Decimal("1000.00")
    registered = send_json(smsc, running, phones="79161234567", mes="Hi", sender="SHOP")
    assert registered["cnt"] == 1  # a registered sender (in `sender=` as in a line) is sent


# -- ids --------------------------------------------------------------------------------------
@pytest.mark.parametrize("good", ["1", "2147483647", "camp-1.a_b", "x" * 40])
def test_valid_ids_are_kept(sandbox, smsc, good):
    answer = send_json(smsc, sandbox, phones="79161234567", mes="Hi", id=good)
    assert str(answer["id"]) == good and sandbox.messages()[0]["id"] == good


def test_id_0_means_assign_one(sandbox, smsc):
    first = send_json(smsc, sandbox, phones="79161234567", mes="A", id="0")["id"]
    second = send_json(smsc, sandbox, phones="79161234567", mes="B", id="00")["id"]
    assert first == 1 and second == 2
    assert [m["id"] for m in sandbox.messages()] == ["1", "2"]


@pytest.mark.parametrize("bad", ["+1", "2147483648", "x" * 41, "a b", "id/1", ""])
def test_invalid_ids_are_error_1(sandbox, smsc, bad):
    assert send_json(smsc, sandbox, phones="79161234567", mes="Hi", id=bad) == {
        "error": "parameters error: id", "error_code": 1,
    }  # fmt: skip


def test_absent_id_is_assigned_by_the_server(sandbox, smsc):
    first = send_json(smsc, sandbox, phones="79161234567", mes="A")["id"]
    second = send_json(smsc, sandbox, phones="79161234567", mes="B")["id"]
    assert isinstance(first, int) and first != second


# -- parameter ranges -------------------------------------------------------------------------
BAD_VALUES = [
    ("translit", "3"), ("tinyurl", "2"), ("tz", "x"), ("period", "0.05"), ("period", "721"),
    ("flash", "2"), ("bin", "3"), ("push", "-1"), ("hlr", "yes"),
    ("ping", "2"), ("mms", "2"), ("mail", "2"), ("soc", "2"), ("viber", "2"), ("whatsapp", "2"),
    ("call", "2"), ("tg", "2"), ("bot", "notabot"), ("smsreq", "9"), ("smsreq", "1000"),
    ("fileurl", "ftp://x"), ("voice", "x"), ("subj", ""), ("cost", "4"),
    ("valid", "25"), ("valid", "00:00"), ("valid", "24:01"), ("maxsms", "0"), ("maxsms", "a"),
    ("userip", "1.2.3"), ("imgcode", "abc"), ("err", "2"), ("op", "2"), ("pp", "x"), ("nl", "2"),
    ("sender", "ABCDEFGHIJKL"), ("sender", "1234567890123456"), ("sender", "Шоп"), ("fmt", "4"),
    ("mes", "x" * 1001), ("mes", ""),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_each_parameter_is_checked_against_its_range(sandbox, smsc, name, value):
    params = {"phones": "79161234567", "mes": "Hi", name: value}
    answer = smsc(sandbox, **params)
    assert answer.text == f"ERROR = 1 (parameters error: {name})"
    assert sandbox.messages() == []


@pytest.mark.parametrize(("name", "value"), [
    ("translit", "2"), ("tz", "-5"), ("period", "0.1"), ("freq", "1440"), ("flash", "1"),
    ("bot", "@shop_bot"), ("smsreq", "10"), ("fileurl", "https://example.org/a.png"),
    ("voice", "w,en"), ("param", "25,60,3"), ("valid", "24:00"), ("valid", "12"), ("maxsms", "3"),
    ("pp", "12345"), ("tinyurl", "1"), ("sender", "SHOP-24"), ("sender", "79161234567"),
])  # fmt: skip
def test_in_range_values_are_accepted(sandbox, smsc, name, value):
    assert (
        smsc(sandbox, phones="79161234567", mes="Hi", fmt="1", id="1", **{name: value}).text
        == "1,1"
    )


@pytest.mark.parametrize("freq", ["0", "1441"])
def test_freq_is_checked_with_period_and_ignored_without(sandbox, smsc, freq):
    answer = smsc(sandbox, phones="79161234567", mes="Hi", period="1", freq=freq)
    assert answer.text == "ERROR = 1 (parameters error: freq)"
    assert smsc(sandbox, phones="79161234567", mes="Hi", freq=freq, fmt="1").text == "1,1"


@pytest.mark.parametrize("value", ["1,2", "x", "100,5000,0", ""])
def test_an_out_of_range_call_param_means_the_defaults_not_an_error(sandbox, smsc, value):
    answer = smsc(sandbox, phones="79161234567", mes="Hi", call="1", param=value, fmt="1")
    assert answer.text == "1,1"


def test_two_message_kinds_at_once_are_refused(sandbox, smsc):
    assert smsc(sandbox, phones="79161234567", mes="Hi", flash="1", viber="1").text == (
        "ERROR = 1 (parameters error: viber)"
    )


def test_unknown_parameters_are_named(sandbox, smsc):
    answer = smsc(sandbox, phones="79161234567", mes="Hi", colour="red", speed="9")
    assert answer.text == "ERROR = 1 (parameters error: colour, speed)"


@pytest.mark.parametrize(
    "bad_time", ["32.01.25 10:00", "3201251000", "25-10", "+x", "tomorrow", "01.01.25 24:00"]
)
def test_bad_time_is_error_5(sandbox, smsc, bad_time):
    assert (
        smsc(sandbox, phones="79161234567", mes="Hi", time=bad_time).text
        == "ERROR = 5 (wrong date format)"
    )
    assert sandbox.messages() == []


# -- parts, translit, maxsms, prices ----------------------------------------------------------
@pytest.mark.parametrize(("text", "parts"), [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 158 + "€", 1), ("a" * 159 + "€", 2), ("я" * 70, 1),
    ("я" * 71, 2), ("я" * 68 + "😀", 1), ("я" * 69 + "😀", 2), ("a" * 100 + "’", 2),
    ("a" * 152 + "{" + "a" * 152, 3), ("я" * 66 + "😀" + "я" * 66, 3),
])  # fmt: skip
def test_cnt_is_parts_times_recipients(sandbox, smsc, text, parts):
    answer = send_json(smsc, sandbox, phones="79161234567,79031234567", mes=text, cost="1")
    assert answer["cnt"] == 2 * parts
    assert Decimal(answer["cost"]) == (Decimal("5.45") + Decimal("5.25")) * parts


def test_translit_is_applied_before_counting(sandbox, smsc):
    text = "Привет! " * 12  # 96 Cyrillic-heavy characters: 2 parts as UCS-2
    assert send_json(smsc, sandbox, phones="79161234567", mes=text, cost="1")["cnt"] == 2
    answer = send_json(smsc, sandbox, phones="79161234567", mes=text, translit="1", id="5")
    assert answer["cnt"] == 1
    assert sandbox.messages()[0]["text"] == "Privet! " * 12


def test_maxsms_truncates_and_caps_the_parts(sandbox, smsc):
    answer = send_json(smsc, sandbox, phones="79161234567", mes="a" * 1000, maxsms="2", cost="2")
    assert answer["cnt"] == 2 and answer["cost"] == "10.90"
    assert sandbox.messages()[0]["text"] == "a" * 306


def test_over_1000_characters_in_a_list_line_is_error_1(sandbox, smsc):
    answer = send_json(smsc, sandbox, list="79161234567:" + "a" * 1001)
    assert answer == {"error": "parameters error: list", "error_code": 1}


@pytest.mark.parametrize(("phone", "mccmnc", "price"), [
    ("79161234567", "25001", "5.45"), ("79261234567", "25002", "5.30"),
    ("79031234567", "25099", "5.25"), ("79521234567", "25020", "4.95"),
    ("79991234567", "25011", "4.80"), ("77011234567", "40102", "4.40"),
    ("375291234567", "25702", "8.90"), ("380671234567", "25503", "3.90"),
    ("998901234567", "43404", "4.60"), ("4915112345678", "26201", "7.10"),
    ("447700900123", "23415", "3.45"), ("12025550123", "310260", "1.95"),
    ("8613812345678", "", "9.50"),
])  # fmt: skip
def test_price_table_gives_mccmnc_and_price_per_part(sandbox, smsc, phone, mccmnc, price):
    answer = send_json(smsc, sandbox, phones=phone, mes="x" * 200, op="1", cost="1")
    assert answer["phones"][0]["mccmnc"] == mccmnc
    assert answer["phones"][0]["cost"] == str(Decimal(price) * 2)


def test_balance_falls_by_exactly_the_sum_charged(sandbox, smsc):
    texts = ["Hi", "я" * 100, "a" * 400]
    total = Decimal(0)
    for index, text in enumerate(texts):
        answer = send_json(
            smsc, sandbox, phones="79161234567,79521234567", mes=text, cost="3", id=str(index + 1)
        )
        total += Decimal(answer["cost"])
        assert Decimal(answer["cost"]) == (Decimal("5.45") + Decimal("4.95")) * count_parts(text)
        assert Decimal(answer["balance"]) == Decimal("1000.00") - total
    assert sandbox.balance("demo") == Decimal("1000.00") - total
    assert sum((m["cost"] for m in sandbox.messages()), Decimal(0)) == total


def test_error_3_sends_nothing_of_the_request(make_sandbox, smsc):
    running = make_sandbox(accounts=[Account("demo", "demo", balance="10.00")])
    answer = send_json(smsc, running, phones="79161234567,79031234567", mes="Hi", id="8")
    assert answer == {"error": "no money", "error_code": 3, "id": 8}
    assert running.messages() == [] and running.balance("demo") == Decimal("10.00")
    assert send_json(smsc, running, phones="79161234567", mes="Hi", cost="3")["balance"] == "4.55"


def test_cost_1_sends_nothing_and_charges_nothing(sandbox, smsc):
    answer = send_json(smsc, sandbox, phones="79161234567", mes="Hi", cost="1", op="1")
    assert answer == {
        "cost": "5.45",
        "cnt": 1,
        "phones": [
            {"phone": "79161234567", "mccmnc": "25001", "cost": "5.45", "status": "", "error": ""}
        ],
    }
    assert sandbox.messages() == [] and sandbox.balance("demo") == Decimal("1000.00")


def test_magic_undeliverable_number_is_20_248_uncharged_and_alone_error_8(sandbox, smsc):
    mixed = send_json(smsc, sandbox, phones="79161234567,79990000008", mes="Hi", op="1", cost="2")
    assert mixed["phones"][1] == {"phone": "79990000008", "mccmnc": "25011", "cost": "0.00",
                                  "status": "20", "error": "248"}  # fmt: skip
    assert mixed["cost"] == "5.45"
    assert json.loads(smsc(sandbox, phones="79990000008", mes="Bye", id="4", fmt="3").text) == {
        "error": "cannot deliver", "error_code": 8, "id": 4,
    }  # fmt: skip


def test_bin_1_takes_the_urlencoded_bytes_whatever_the_charset(sandbox, smsc):
    # "закодировать с помощью функции urlencode": bytes, not text; 0x98 has no cp1251 letter
    # and C3 28 is no UTF-8, and both were refused as "parameters error: mes"
    for charset in ("windows-1251", "utf-8"):
        answer = smsc(sandbox, phones="79161234567", mes=b"\x00\x98\xff\xc3\x28", bin="1",
                      charset=charset, cost="1", fmt="3").json()  # fmt: skip
        assert answer.get("cnt") == 1, answer
    # 140 bytes of data after the zero byte: one SMS; counted as 279 / 2 characters before
    long = b"\x00" + "é".encode() * 70
    assert (
        smsc(sandbox, phones="79161234567", mes=long, bin="1", cost="1", fmt="3").json()["cnt"] == 1
    )


@pytest.mark.parametrize("data_bytes, parts", [(140, 1), (141, 2)])
def test_the_zero_byte_that_says_no_udh_is_no_data(sandbox, smsc, data_bytes, parts):
    mes = "00" + "AB" * data_bytes  # "нулевой байт в начале": no header, not part of the SMS
    answer = smsc(sandbox, phones="79161234567", mes=mes, bin="2", cost="1", fmt="3").json()
    assert answer["cnt"] == parts
