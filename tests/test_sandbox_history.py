"""get.php?get_messages=1 over real HTTP: formats, order, paging, filters, errors and limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smsc_frames.sandbox import Account, SandboxSettings
from smsc_frames.sandbox.state import MessageBatch

NO_LIMITS = SandboxSettings(seconds_to_operator=30, seconds_to_final=60, status_lists_per_window=9)
OCT_18 = 1_476_794_052.0  # 18.10.2016 15:34:12 Moscow time
PHONES = ["79161234567", "79261234567", "79990000020"]


@pytest.fixture
def running(make_sandbox, smsc, fake_clock):
    """A sandbox at OCT_18 holding request "h-1" to PHONES (as sent, ids 1-3)."""
    fake_clock.now = OCT_18
    sandbox = make_sandbox(settings=NO_LIMITS, clock=fake_clock)
    assert smsc(sandbox, phones=",".join(PHONES), mes="Hi, you", id="h-1", fmt="1").text == "h-1,3"
    return sandbox


def history(smsc, sandbox, method="POST", **params):
    params = {"get_messages": "1", "start": "18.10.2016", "fmt": "3", **params}
    answer = smsc(sandbox, "get.php", method=method, **params)
    assert answer.status_code == 200 and answer.headers["X-SMSC-Sandbox"] == "1"
    return answer.json() if params["fmt"] == "3" else answer.text


def test_records_newest_first_with_their_fields(running, smsc):
    records = history(smsc, running)
    assert [r["phone"] for r in records] == PHONES[::-1]
    assert [r["int_id"] for r in records] == [3, 2, 1]
    assert records[0] == {
        "status": -1, "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052,
        "err": 0, "send_date": "18.10.2016 15:34:12", "send_timestamp": 1476794052,
        "phone": "79990000020", "cost": "4.80", "sender_id": "", "status_name":
        "Waiting to be sent", "message": "Hi, you", "mccmnc": "25011", "type": 0, "sms_cnt": 1,
        "id": "h-1", "int_id": 3,
    }  # fmt: skip


def test_the_four_formats_and_get(running, smsc):
    one = {"cnt": "1", "phone": "79161234567"}
    assert history(smsc, running, fmt="1", **one) == (
        "-1,1476794052,0,1476794052,79161234567,5.45,,Waiting to be sent,Hi\\, you,25001,0,1,h-1,1"
    )
    text = history(smsc, running, fmt="0", method="GET", **one)
    assert text.startswith("Status = -1, check_time = 18.10.2016 15:34:12, err = 0, send_date = ")
    assert text.endswith(
        "message = Hi\\, you, mccmnc = 25001, type = 0, sms_cnt = 1, id = h-1, int_id = 1"
    )
    xml = history(smsc, running, fmt="2", **one)
    assert xml.startswith("<result>\n<sms>\n<status>-1</status>") and xml.endswith(
        "</sms>\n</result>"
    )
    assert "<int_id>1</int_id>" in xml and "<message>Hi, you</message>" in xml
    assert history(smsc, running, method="GET", cnt="1")[0]["int_id"] == 3


def test_statuses_follow_the_delivery_timeline(running, smsc, fake_clock):
    fake_clock.advance(61)
    records = {r["phone"]: r for r in history(smsc, running)}
    assert records["79161234567"]["status"] == 1 and records["79990000020"]["status"] == 20
    assert records["79990000020"]["err"] == 1
    assert records["79161234567"]["last_date"] == "18.10.2016 15:35:12"
    assert records["79161234567"]["status_name"] == "Delivered"


def test_prev_id_pages_back_through_every_message_once(running, smsc, fake_clock):
    for n in range(4):
        fake_clock.advance(1)
        smsc(running, phones="79031234567,79041234567", mes=f"More {n}", id=f"m-{n}")
    seen, before = [], None
    while True:
        page = history(smsc, running, cnt="3", **({"prev_id": str(before)} if before else {}))
        seen += [r["int_id"] for r in page]
        if len(page) < 3:
            break
        before = page[-1]["int_id"]
    assert seen == list(range(11, 0, -1))


def test_filters_by_phone_and_by_period(running, smsc, fake_clock):
    fake_clock.advance(86_400)  # 19.10.2016
    smsc(running, phones="79161234567,79031234567", mes="Next day", id="h-2")
    mine = history(smsc, running, phone="+79161234567,89031234567")
    assert [(r["id"], r["phone"]) for r in mine] == [
        ("h-2", "79031234567"),
        ("h-2", "79161234567"),
        ("h-1", "79161234567"),
    ]
    first_day = history(smsc, running, end="18.10.2016")
    assert {r["id"] for r in first_day} == {"h-1"} and len(first_day) == 3
    second_day = history(smsc, running, start="19.10.2016")
    assert {r["id"] for r in second_day} == {"h-2"}
    assert history(smsc, running, start="20.10.2016") == []


def test_deleted_messages_leave_the_history(running, smsc):
    smsc(running, "status.php", id="h-1", phone="79261234567", **{"del": "1"})
    assert [r["phone"] for r in history(smsc, running)] == ["79990000020", "79161234567"]


def test_other_accounts_messages_are_not_shown(make_sandbox, smsc, fake_clock):
    fake_clock.now = OCT_18
    sandbox = make_sandbox(
        accounts=[Account("demo", "demo"), Account("shop", "pw", apikey="shop-key")],
        clock=fake_clock,
    )
    smsc(sandbox, phones="79161234567", mes="Hi", id="d-1")
    smsc(sandbox, auth=False, login="shop", psw="pw", phones="79261234567", mes="Hi", id="s-1")
    theirs = smsc(sandbox, "get.php", auth=False, apikey="shop-key", get_messages="1",
                  start="18.10.2016", fmt="3").json()  # fmt: skip
    assert [(r["id"], r["int_id"]) for r in theirs] == [("s-1", 2)]


@pytest.mark.parametrize(("params", "named"), [
    ({"start": ""}, "start"),
    ({"start": "2016-10-18"}, "start"),
    ({"start": "18.10.2016", "end": "17.10.2016"}, "end"),
    ({"start": "01.01.2016", "end": "18.10.2016"}, "start"),
    ({"cnt": "1001"}, "cnt"),
    ({"cnt": "0"}, "cnt"),
    ({"prev_id": "x"}, "prev_id"),
    ({"format": "3"}, "format"),
    ({"colour": "red"}, "colour"),
    ({"get_messages": "0"}, "get_messages"),
])  # fmt: skip
def test_bad_parameters_are_error_1_naming_them(running, smsc, params, named):
    answer = history(smsc, running, **params)
    assert answer == {"error": f"parameters error: {named}", "error_code": 1}


def test_missing_start_and_bad_credentials(running, smsc):
    answer = smsc(running, "get.php", get_messages="1", fmt="3").json()
    assert answer["error_code"] == 1 and answer["error"].endswith("start")
    answer = smsc(running, "get.php", auth=False, login="demo", psw="no", get_messages="1",
                  start="18.10.2016", fmt="1")  # fmt: skip
    assert answer.text == "0,-2"


def test_a_fourth_identical_request_within_a_minute_is_error_9(running, smsc, fake_clock):
    codes = [history(smsc, running, fmt="1", cnt="2").split(",")[-1] for _ in range(4)]
    assert codes[:3] == ["2", "2", "2"] and codes[3] == "-9"  # the last field: int_id 2 / error
    # other pages are other requests: a different prev_id, or only fmt changed, is not refused
    assert history(smsc, running, cnt="2", prev_id="2") != {}
    assert history(smsc, running, fmt="0", cnt="2").startswith("ERROR = 9")
    fake_clock.advance(60)
    assert history(smsc, running, fmt="1", cnt="2").endswith(",2")
    refused = [r for r in running.requests if r.endpoint == "get.php" and r.code == 9]
    assert len(refused) == 2 and all("psw" not in r.params for r in refused)


def test_a_page_reads_only_the_messages_it_returns(make_sandbox, smsc, fake_clock, monkeypatch):
    fake_clock.now = OCT_18
    rich = Account("demo", "demo", balance=Decimal(100_000))
    sandbox = make_sandbox(accounts=[rich], settings=NO_LIMITS, clock=fake_clock)
    for n in range(50):
        phones = ",".join(f"7916{n:03d}{k:04d}" for k in range(100))
        smsc(sandbox, phones=phones, mes="Bulk", id=f"b-{n}")
        fake_clock.advance(1)
    read = []
    original = MessageBatch.message
    monkeypatch.setattr(
        MessageBatch, "message", lambda self, i: read.append(i) or original(self, i)
    )
    page = history(smsc, sandbox, cnt="10", prev_id="2345")
    assert [r["int_id"] for r in page] == list(range(2344, 2334, -1)) and len(read) == 10
    read.clear()
    assert [r["id"] for r in history(smsc, sandbox, phone="79160070042")] == ["b-7"]
    assert len(read) == 1  # found through each request's own index, not by reading 5,000
