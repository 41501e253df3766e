"""refresh_status through the history (get.php?get_messages=1), over HTTP under every reading.

The history path must give what the status-list path gives, row for row, on the same campaign.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from smsc_frames import errors
from smsc_frames.api import SmscApi
from smsc_frames.client import Client
from smsc_frames.delivery import choose_method, list_seconds, refresh_status
from smsc_frames.history import parse_history
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.sandbox import READINGS, Account, SandboxSettings

#: campaign() includes a pair SMSC never saw (ghost-1): refresh_status warns of it each time
pytestmark = pytest.mark.filterwarnings("ignore:The sandbox does not know the messages of 1 row ")

#: the end-to-end comparisons run under every reading (docs/sandbox.md), the rest under the guess
every_reading = pytest.mark.parametrize("reading", list(READINGS), indirect=True)

NOV_14 = 1_700_000_000.0  # 15.11.2023 01:13:20 Moscow time
RELAXED = SandboxSettings(
    status_lists_per_window=1000, seconds_to_operator=2.0, seconds_to_final=5.0
)
NO_WAIT = SmscLimits(status_list_interval=0)
#: three pairs a list request, half a second apart: the history may read for that long
SMALL_BATCHES = SmscLimits(status_list_interval=0.5, status_batch_size=3)
PHONES = ["79161234567", "79990000020", "79990000025", "79990000003", "79261234567"]


@pytest.fixture
def running(make_sandbox, fake_clock):
    fake_clock.now = NOV_14
    rich = Account("demo", "demo", balance=Decimal(1_000_000))
    return make_sandbox(accounts=[rich], settings=RELAXED, clock=fake_clock)


def demo_client(sandbox) -> Client:
    return Client("demo", "demo", url=sandbox.url, environ={})


def campaign(client: Client, clock, sms_id="hc-1") -> pd.DataFrame:
    """PHONES and one wrong number in one request, as send() reports it; then a row never sent,
    a pair SMSC never saw, and rows of an earlier request that others bury in the history."""
    old = [f"7903{n:07d}" for n in range(1200)]
    client.call("send.php", {"phones": ",".join(old[:1000]), "mes": "Old", "id": "old-1"})
    client.call("send.php", {"phones": ",".join(old[1000:]), "mes": "Old", "id": "old-2"})
    clock.now += 1
    lines = [f"{phone}:Hello {n}" for n, phone in enumerate(PHONES)] + ["12:Hello wrong"]
    client.call("send.php", {"list": "\n".join(lines), "id": sms_id})
    clock.now += 1
    later = [f"7926{n:07d}" for n in range(1500)]
    client.call("send.php", {"phones": ",".join(later[:1000]), "mes": "Later"})
    client.call("send.php", {"phones": ",".join(later[1000:]), "mes": "Later"})
    sent_at = pd.Timestamp(NOV_14, unit="s", tz="UTC")
    return pd.DataFrame(
        {
            "phone": [*PHONES, "12", None, "79161112233", old[5], old[1100]],
            "sms_id": [sms_id] * 6 + [None, "ghost-1", "old-1", "old-2"],
            "status": [None] * 5 + [22, None, None, None, None],
            "error": [None] * 5 + [249, None, None, None, None],
            "sent_at": [sent_at] * 6 + [pd.NaT, sent_at, sent_at, sent_at],
        },
        index=[f"row{n}" for n in range(10)],
    ).astype({"status": "Int64", "error": "Int64"})


def requests_to(sandbox, endpoint):
    return [record for record in sandbox.requests if record.endpoint == endpoint]


@every_reading
def test_the_history_gives_what_status_lists_give_at_every_stage(running, fake_clock):
    client = demo_client(running)
    results = campaign(client, fake_clock)
    for _ in range(3):  # waiting, with the operator, final
        by_history = refresh_status(results, client, limits=NO_WAIT, method="history")
        by_list = refresh_status(results, client, limits=NO_WAIT, method="list")
        pd.testing.assert_frame_equal(by_history, by_list)
        fake_clock.now += 3
    assert by_history["status"].tolist()[:6] == [1, 20, 25, 3, 1, 22]
    assert by_history.loc["row7", "status"] == -3  # asked by a status list: not in the history
    assert pd.isna(by_history.loc["row6", "status"])  # never sent: not asked
    assert by_history.loc[["row8", "row9"], "status"].tolist() == [1, 1]
    assert by_history["error"].tolist()[:6] == [0, 1, 6, 6, 0, 249]
    # the history was paged back to the oldest request; only the ghost went to status.php
    pages = requests_to(running, "get.php")
    assert [r.params.get("prev_id") for r in pages[:3]] == [None, "1707", "707"]
    assert {r.params["start"] for r in pages} == {"14.11.2023"}
    assert {r.params["end"] for r in pages} == {"16.11.2023"}
    ghost = [r.params["id"] for r in requests_to(running, "status.php")][::2]
    assert set(ghost) == {"ghost-1,"}


@every_reading
def test_a_message_sent_again_under_its_id_takes_the_newest(running, fake_clock):
    client = demo_client(running)
    client.call("send.php", {"phones": "79161234567", "mes": "One", "id": "again"})
    fake_clock.now += 10
    client.call("send.php", {"phones": "79161234567", "mes": "Two", "id": "again"})
    results = pd.DataFrame({"phone": ["79161234567"], "sms_id": ["again"]})
    results["sent_at"] = pd.Timestamp(NOV_14, unit="s", tz="UTC")
    by_history = refresh_status(results, client, limits=NO_WAIT, method="history")
    pd.testing.assert_frame_equal(
        by_history, refresh_status(results, client, limits=NO_WAIT, method="list")
    )
    assert by_history.loc[0, "status"] == -1  # the second one, just sent


@every_reading
def test_server_assigned_ids_match_through_a_float_column(running, fake_clock):
    client = demo_client(running)
    answer = client.call("send.php", {"phones": "79161234567,79261234567", "mes": "No id"})
    results = pd.DataFrame({"phone": ["79161234567", "79261234567"], "sms_id": [answer["id"]] * 2})
    results["sms_id"] = results["sms_id"].astype("float64")  # what a CSV round trip gives
    results["sent_at"] = pd.Timestamp(NOV_14, unit="s", tz="UTC")
    by_history = refresh_status(results, client, limits=NO_WAIT, method="history")
    assert by_history["status"].tolist() == [-1, -1] and not requests_to(running, "status.php")
    pd.testing.assert_frame_equal(
        by_history, refresh_status(results, client, limits=NO_WAIT, method="list")
    )


def test_the_size_chooses_the_way(running, fake_clock):
    client = demo_client(running)
    results = campaign(client, fake_clock)
    small = results.iloc[:3]  # three pairs: one list request of three
    refresh_status(small, client, limits=SMALL_BATCHES)
    assert len(requests_to(running, "status.php")) == 1 and not requests_to(running, "get.php")
    refresh_status(results, client, limits=SMALL_BATCHES)  # nine pairs: three list requests
    assert len(requests_to(running, "get.php")) == 3
    assert len(requests_to(running, "status.php")) == 2  # then the ghost alone
    assert (
        choose_method(3, SMALL_BATCHES) == "list" and choose_method(4, SMALL_BATCHES) == "history"
    )
    assert list_seconds(2001, SmscLimits()) == 120.0 and list_seconds(9, SMALL_BATCHES) == 1.0


def test_auto_reads_the_history_no_longer_than_the_lists_would_take(running, fake_clock):
    client = demo_client(running)
    results = campaign(client, fake_clock)
    quick = SmscLimits(status_list_interval=1e-6, status_batch_size=3)  # lists: 2 us of waits
    by_auto = refresh_status(results, client, limits=quick)
    # one history frame (the newest page) was read, then the lists took every pair left
    assert len(requests_to(running, "get.php")) == 1
    assert len(requests_to(running, "status.php")) == 3
    pd.testing.assert_frame_equal(by_auto, refresh_status(results, client, limits=NO_WAIT))


def test_the_history_stops_when_every_pair_was_seen_and_shows_progress(running, fake_clock, capsys):
    client = demo_client(running)
    campaign(client, fake_clock)  # 2,706 messages: three pages
    newest = [f"7985{n:07d}" for n in range(10)]
    answer = client.call("send.php", {"phones": ",".join(newest), "mes": "Last", "id": "last"})
    results = pd.DataFrame({"phone": newest, "sms_id": answer["id"]})
    results["sent_at"] = pd.Timestamp(NOV_14, unit="s", tz="UTC")
    refresh_status(results, client, limits=NO_WAIT, method="history", progress=True)
    assert len(requests_to(running, "get.php")) == 1 and not requests_to(running, "status.php")
    assert "get.php history" in capsys.readouterr().err


def test_without_send_times_the_last_half_year_is_read(running, fake_clock):
    client = demo_client(running)
    results = campaign(client, fake_clock).drop(columns="sent_at")
    refresh_status(results, client, limits=NO_WAIT, method="history")
    [page] = requests_to(running, "get.php")  # the sandbox's 2023 is not in our half year
    end = datetime.strptime(page.params["end"], "%d.%m.%Y").date()
    start = datetime.strptime(page.params["start"], "%d.%m.%Y").date()
    assert abs((end - date.today()).days) <= 1 and (end - start).days == 182
    # so every pair was asked by status lists, and got their answers
    assert len(requests_to(running, "status.php")) == 1


@every_reading
def test_history_faults_are_retried_then_reported(running, fake_clock):
    client = demo_client(running)
    results = campaign(client, fake_clock)
    running.inject("http_500", endpoint="get.php", count=2)
    final = refresh_status(results, client, retry=RetryPolicy(retries=2, backoff=0.01),
                           limits=NO_WAIT, method="history")  # fmt: skip
    assert final["status"].tolist()[:5] == [-1] * 5
    running.inject("truncated_json", endpoint="get.php", count=2)
    with pytest.raises(errors.SmscConnectionError):
        refresh_status(results, client, retry=RetryPolicy(retries=1, backoff=0.01),
                       limits=NO_WAIT, method="history")  # fmt: skip


def test_a_fourth_identical_read_in_a_minute_waits_the_minute_out(running, fake_clock, monkeypatch):
    client = demo_client(running)
    results = campaign(client, fake_clock)
    waits = []

    def sleep(seconds: float) -> None:  # the sandbox's minute passes as the client waits
        waits.append(seconds)
        fake_clock.advance(seconds)

    monkeypatch.setattr(SmscApi, "of", classmethod(
        lambda cls, client, retry=None, limits=None: cls(client, retry=retry, limits=limits,
                                                         sleep=sleep)
    ))  # fmt: skip
    quick = RetryPolicy(retries=2, backoff=0.01)  # alone, these would give up within 0.03 s
    for _ in range(3):
        refresh_status(results, client, retry=quick, limits=NO_WAIT, method="history")
    # SMSC answers error 9 to a fourth identical request within a minute
    with pytest.warns(UserWarning, match="3 times within a minute; asking again in 61 s"):
        fourth = refresh_status(results, client, retry=quick, limits=NO_WAIT, method="history")
    assert max(waits) >= NO_WAIT.duplicate_window
    by_lists = refresh_status(results, client, limits=NO_WAIT, method="list")
    pd.testing.assert_frame_equal(fourth, by_lists)

    waits.clear()
    fake_clock.advance(61)
    sleep_in_vain = waits.append  # the minute never passes: someone keeps asking the same
    monkeypatch.setattr(SmscApi, "of", classmethod(
        lambda cls, client, retry=None, limits=None: cls(client, retry=retry, limits=limits,
                                                         sleep=sleep_in_vain)
    ))  # fmt: skip
    for _ in range(3):
        refresh_status(results, client, retry=quick, limits=NO_WAIT, method="history")
    with (
        pytest.warns(UserWarning, match="asking again"),
        pytest.raises(errors.DuplicateRequestError),
    ):
        refresh_status(results, client, retry=quick, limits=NO_WAIT, method="history")
    assert sum(wait >= NO_WAIT.duplicate_window for wait in waits) == 1  # one minute, not six


def test_bad_input_is_refused_before_any_request(running):
    api = SmscApi.of(demo_client(running))
    with pytest.raises(errors.ValidationError, match="method"):
        refresh_status(pd.DataFrame({"phone": ["7916"], "sms_id": ["a"]}), api.transport,
                       method="fast")  # fmt: skip
    with pytest.raises(errors.ValidationError, match="count"):
        api.history(date(2023, 11, 1), count=1001)
    with pytest.raises(errors.ValidationError, match="end"):
        api.history(date(2023, 11, 1), date(2023, 10, 1))
    with pytest.raises(errors.ValidationError, match="half year"):
        api.history(date(2023, 1, 1), date(2023, 11, 1))
    assert not requests_to(running, "get.php")


def test_pages_go_back_by_prev_id(running, fake_clock):
    client = demo_client(running)
    campaign(client, fake_clock)
    pages = list(SmscApi.of(client).history_pages(date(2023, 11, 15), date(2023, 11, 15)))
    assert [len(page) for page in pages] == [1000, 1000, 706]
    int_ids = pd.concat(pages)["int_id"]
    assert int_ids.tolist() == list(range(2706, 0, -1)) and str(int_ids.dtype) == "Int64"
    assert [r.params["cnt"] for r in requests_to(running, "get.php")] == ["1000"] * 3


def test_parse_history_reads_numbers_as_strings_and_a_missing_err():
    page = parse_history([
        {"status": "1", "last_date": "14.11.2023 01:13:25", "int_id": "5", "id": "7",
         "phone": "+79161234567", "cost": "5.45", "sms_cnt": "2"},
        {"status": "-3", "int_id": 4, "id": 7, "phone": "79161234568"},
    ])  # fmt: skip
    assert page["status"].tolist() == [1, -3] and page["err"].tolist() == [0, pd.NA]
    assert page["int_id"].tolist() == [5, 4] and page["id"].tolist() == ["7", "7"]
    assert page["phone"].tolist() == ["79161234567", "79161234568"]
    assert page["cost"].tolist() == [Decimal("5.45"), None] and page["sms_cnt"].tolist()[0] == 2
    assert parse_history([]).columns.tolist()[:3] == ["id", "int_id", "phone"]
    with pytest.raises(errors.SmscConnectionError, match="int_id"):
        parse_history([{"status": 1}])
    with pytest.raises(errors.SmscConnectionError, match="list"):
        parse_history({"status": 1})
    with pytest.raises(errors.SmscApiError):
        parse_history({"error": "parameters error", "error_code": 1})
