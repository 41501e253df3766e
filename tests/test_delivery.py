"""Delivery statuses (status.php list form, paced) and the balance, over HTTP to the sandbox."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pandas as pd
import pytest

from smsc_frames import errors
from smsc_frames.campaign.rows import refused_numbers
from smsc_frames.client import Client, Pacer
from smsc_frames.delivery import balance, refresh_status
from smsc_frames.export import to_csv, to_excel
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.responses import phones_frame
from smsc_frames.sandbox import Sandbox, SandboxSettings

#: send_results includes a pair SMSC never saw; the tests that are about it assert the warning
pytestmark = pytest.mark.filterwarnings("ignore:The sandbox does not know the messages of 1 row ")

NO_WAIT = SmscLimits(status_list_interval=0)
TOO_EAGER = SmscLimits(status_list_interval=0.2, status_batch_size=4)

RELAXED = SandboxSettings(
    status_lists_per_window=1000,
    status_checks_per_message=1000,
    balance_requests_per_window=1000,
    seconds_to_operator=2.0,
    seconds_to_final=5.0,
)
PHONES = ["79161234567", "79990000020", "79990000025", "79990000003", "79261234567"]


class FakeClock:
    """The sandbox's notion of now, moved by the test instead of by waiting."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sandbox(clock):
    with Sandbox(settings=RELAXED, clock=clock) as running:
        yield running


def demo_client(sandbox) -> Client:
    return Client("demo", "demo", url=sandbox.url, environ={})


def send_results(client: Client, sms_id: str | None = "camp-1") -> tuple[pd.DataFrame, dict]:
    """Send PHONES plus one wrong number in one list request; shape the answer like send()."""
    lines = [f"{phone}:Hello {n}" for n, phone in enumerate(PHONES)] + ["12:Hello wrong"]
    params = {"list": "\n".join(lines), "cost": 3, "op": 1}
    if sms_id is not None:
        params["id"] = sms_id
    answer = client.call("send.php", params)
    per_phone = phones_frame(answer)
    # as send reports it: a status and an error only for the numbers SMSC refused (whatever an
    # accepted number's op=1 fields say under the reading the sandbox answers in)
    refused = refused_numbers(per_phone["status"], per_phone["error"])
    per_phone["status"] = per_phone["status"].where(refused)
    per_phone["error"] = per_phone["error"].where(refused)
    results = pd.DataFrame(
        {
            "phone": per_phone["phone"],
            "sms_id": answer["id"],
            "mccmnc": per_phone["mccmnc"],
            "cost": per_phone["cost"],
            "status": per_phone["status"],
            "status_name": None,
            "error": per_phone["error"],
            "outcome": ["sent"] * len(PHONES) + ["failed"],
        }
    )
    never_sent = pd.DataFrame(
        {
            "phone": [None, "79161112233"],
            "sms_id": [None, "ghost-1"],
            "outcome": ["invalid", "sent"],
        }
    )
    results = pd.concat([results, never_sent], ignore_index=True)
    results.index = [f"row{n}" for n in range(len(results))]
    return results, answer


def status_requests(sandbox) -> list:
    return [record for record in sandbox.requests if record.endpoint == "status.php"]


def test_statuses_progress_to_their_final_values(sandbox, clock):
    client = demo_client(sandbox)
    results, _ = send_results(client)

    waiting = refresh_status(results, client, limits=NO_WAIT)
    assert waiting.index.equals(results.index)
    assert waiting.loc["row0":"row4", "status"].tolist() == [-1] * 5
    assert set(waiting.loc["row0":"row4", "status_name"]) == {"waiting"}

    clock.now += 3
    with_operator = refresh_status(waiting, client, limits=NO_WAIT)
    assert with_operator.loc["row0":"row4", "status"].tolist() == [0] * 5
    assert set(with_operator.loc["row0":"row4", "status_name"]) == {"with operator"}

    clock.now += 3
    final = refresh_status(with_operator, client, limits=NO_WAIT)
    assert final["status"].tolist()[:5] == [1, 20, 25, 3, 1]
    assert final["status_name"].tolist()[:5] == [
        "delivered",
        "undeliverable",
        "unreachable",
        "expired",
        "delivered",
    ]
    assert final["error"].tolist()[:5] == [0, 1, 6, 6, 0]
    assert str(final["status"].dtype) == "Int64" and str(final["error"].dtype) == "Int64"
    # the delivery happened seconds_to_final after the message was due, as the sandbox says
    delivered_after = final.loc["row0", "last_date"] - waiting.loc["row0", "last_date"]
    assert delivered_after == pd.Timedelta(seconds=RELAXED.seconds_to_final)
    assert len(status_requests(sandbox)) == 3  # one list request per refresh


def test_unknown_unsent_and_refused_rows(sandbox, clock):
    client = demo_client(sandbox)
    results, _ = send_results(client)
    clock.now += 10
    final = refresh_status(results, client, limits=NO_WAIT)
    # a pair SMSC never saw is "not found"
    assert final.loc["row7", "status"] == -3 and final.loc["row7", "status_name"] == "not found"
    # an unsent row is not asked about and keeps its missing status
    assert pd.isna(final.loc["row6", "status"]) and pd.isna(final.loc["row6", "last_date"])
    # the wrong number that send reported (22 / 249) keeps that status rather than -3
    assert final.loc["row5", "status"] == 22 and final.loc["row5", "error"] == 249
    assert final.loc["row5", "status_name"] == "wrong number"
    # the columns refresh_status does not own are untouched, and the input is not modified
    pd.testing.assert_frame_equal(
        final[["phone", "sms_id", "mccmnc", "cost", "outcome"]],
        results[["phone", "sms_id", "mccmnc", "cost", "outcome"]],
    )
    assert results["status"].isna().sum() == 7
    [request] = status_requests(sandbox)
    assert request.params["all"] == "1"
    assert request.params["id"].split(",") == ["camp-1"] * 6 + ["ghost-1"]
    assert request.params["phone"].split(",") == PHONES + ["12", "79161112233"]


def test_not_found_replaces_waiting_and_is_counted(sandbox, clock):
    client = demo_client(sandbox)
    results, _ = send_results(client)
    results["status"] = results["status"].astype("Int64")
    results.loc[["row0", "row7"], "status"] = -1  # as send reports an accepted message
    clock.now += 10
    twice = pd.concat([results, results.set_axis([f"again{n}" for n in range(len(results))])])
    with pytest.warns(UserWarning, match="The sandbox does not know the messages of 2 rows "):
        final = refresh_status(twice, client, limits=NO_WAIT)
    # "waiting" was only send's word: SMSC's "not found" is newer, so it shows
    assert final.loc["row7", "status"] == -3 and final.loc["row7", "status_name"] == "not found"
    assert final.loc["row0", "status"] == 1 and final.loc["row5", "status"] == 22
    assert final.attrs["sandbox"] is True  # the sandbox answered: the results say so
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rows that already read "not found" are not counted again
        refresh_status(final, client, limits=NO_WAIT)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_results_read_back_with_plain_pandas_are_refreshed(sandbox, clock, tmp_path, file_format):
    client = demo_client(sandbox)
    results, _ = send_results(client)
    results["sent_at"] = pd.Timestamp(clock.now, unit="s", tz="UTC")

    def saved_and_read_back(frame: pd.DataFrame, name: str) -> pd.DataFrame:
        path = tmp_path / f"{name}.{file_format}"
        if file_format == "csv":
            return pd.read_csv(to_csv(frame, path), index_col=0)
        return pd.read_excel(to_excel(frame, path), index_col=0, engine="calamine")

    read_back = saved_and_read_back(results, "sent")
    assert pd.api.types.is_numeric_dtype(read_back["phone"])  # no text left to lean on
    assert "sent_at (UTC)" in read_back.columns
    clock.now += 3
    waiting = refresh_status(read_back, client, limits=NO_WAIT)
    assert status_requests(sandbox)[0].params["phone"].split(",") == [*PHONES, "12", "79161112233"]
    clock.now += 10
    final = refresh_status(saved_and_read_back(waiting, "refreshed"), client, limits=NO_WAIT)
    assert final["status"].tolist()[:6] == [1, 20, 25, 3, 1, 22]
    assert final.columns.is_unique and "last_date (Europe/Moscow)" not in final.columns
    delivered_after = final.loc["row0", "last_date"] - final.loc["row0", "sent_at"]
    assert delivered_after == pd.Timedelta(seconds=RELAXED.seconds_to_final)


def test_dates_of_an_earlier_version_keep_their_moment_beside_new_ones(sandbox, clock):
    # a concat of zone-less (older) and zoned last_date values: the old ones moved by 3 hours
    client = demo_client(sandbox)
    results, _ = send_results(client)
    clock.now += 10
    final = refresh_status(results, client, limits=NO_WAIT)
    # an older campaign's rows, whose messages SMSC no longer has: their dates are not rewritten
    older = final.assign(last_date=final["last_date"].dt.tz_localize(None), sms_id="gone-1")
    older.index = [f"old{n}" for n in range(len(older))]
    both = pd.concat([older, final])
    assert both["last_date"].dtype == object  # naive and aware values side by side
    again = refresh_status(both, client, limits=NO_WAIT)  # "not found" keeps their statuses
    pd.testing.assert_series_equal(
        again.loc["old0":"old4", "last_date"], final.loc["row0":"row4", "last_date"],
        check_index=False,
    )  # fmt: skip


def test_last_date_is_moscow_time_with_its_zone(sandbox, clock, tmp_path):
    # SMSC writes its Moscow wall clock without a zone: beside sent_at (UTC) it read 3 h late
    client = demo_client(sandbox)
    results, _ = send_results(client)
    results["sent_at"] = pd.Timestamp(clock.now, unit="s", tz="UTC")
    clock.now += 10
    final = refresh_status(results, client, limits=NO_WAIT)
    delivered_after = final.loc["row0", "last_date"] - final.loc["row0", "sent_at"]
    assert delivered_after == pd.Timedelta(seconds=RELAXED.seconds_to_final)
    header = to_csv(final, tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "last_date (Europe/Moscow)" in header.split(",")


def test_batches_give_the_same_answer(sandbox, clock):
    client = demo_client(sandbox)
    results, _ = send_results(client)
    clock.now += 10
    whole = refresh_status(results, client, limits=NO_WAIT)
    batched = refresh_status(
        results,
        client,
        limits=SmscLimits(status_list_interval=0, status_batch_size=2),
        method="list",
    )
    pd.testing.assert_frame_equal(whole, batched)
    sizes = [len(r.params["id"].rstrip(",").split(",")) for r in status_requests(sandbox)]
    assert sizes == [7, 2, 2, 2, 1]


def test_server_assigned_numeric_ids_survive_a_float_column(sandbox, clock):
    client = demo_client(sandbox)
    results, answer = send_results(client, sms_id=None)
    assert str(answer["id"]).isdigit()  # a JSON number, or a string of digits (a reading)
    results.loc["row7", "sms_id"] = None
    results["sms_id"] = results["sms_id"].astype("float64")  # what a CSV round trip gives
    clock.now += 10
    final = refresh_status(results, client, limits=NO_WAIT)
    assert final["status"].tolist()[:5] == [1, 20, 25, 3, 1]
    assert str(answer["id"]) in status_requests(sandbox)[0].params["id"].split(",")


def test_nothing_sent_asks_nothing(sandbox):
    results = pd.DataFrame({"phone": ["79161234567", None], "sms_id": [None, "x-1"]})
    refreshed = refresh_status(results, demo_client(sandbox), limits=NO_WAIT)
    assert status_requests(sandbox) == []
    assert refreshed["status"].isna().all() and list(refreshed.index) == [0, 1]


def test_progress_bar_is_shown_on_request(sandbox, capsys):
    results, _ = send_results(demo_client(sandbox))
    refresh_status(
        results,
        demo_client(sandbox),
        limits=SmscLimits(status_list_interval=0, status_batch_size=4),
        progress=True,
        method="list",
    )
    assert "status.php" in capsys.readouterr().err


def test_bad_input_is_refused_before_any_request(sandbox):
    client = demo_client(sandbox)
    with pytest.raises(errors.ValidationError) as caught:
        refresh_status(pd.DataFrame({"phone": ["79161234567"]}), client)
    assert "sms_id" in str(caught.value)
    results = pd.DataFrame({"phone": ["79161234567"], "sms_id": ["a-1"]})
    with pytest.raises(errors.ValidationError):
        refresh_status(results, client, limits=SmscLimits(status_batch_size=0))
    with pytest.raises(errors.ValidationError):
        refresh_status(results, client, limits=SmscLimits(status_list_interval=-1))
    assert status_requests(sandbox) == []


def test_transport_faults_are_retried_then_reported_without_touching_results(sandbox, clock):
    client = demo_client(sandbox)
    results, _ = send_results(client)
    clock.now += 10
    sandbox.inject("http_500", endpoint="status.php", count=2)
    final = refresh_status(results, client, retry=RetryPolicy(retries=2), limits=NO_WAIT)
    assert final["status"].tolist()[:5] == [1, 20, 25, 3, 1]

    sandbox.inject("truncated_json", endpoint="status.php", count=2)
    before = results.copy()
    with pytest.raises(errors.SmscConnectionError):
        refresh_status(results, client, retry=RetryPolicy(retries=1), limits=NO_WAIT)
    pd.testing.assert_frame_equal(results, before)


def strict_sandbox(window: float) -> Sandbox:
    """SMSC's rule "one list request per window", with a short window and the real clock."""
    return Sandbox(
        settings=SandboxSettings(
            status_lists_per_window=1,
            status_list_window=window,
            seconds_to_operator=0,
            seconds_to_final=0,
        )
    )


def test_pacing_keeps_under_the_list_request_limit():
    with strict_sandbox(0.3) as sandbox:
        client = demo_client(sandbox)
        results, _ = send_results(client)
        final = refresh_status(
            results,
            client,
            limits=SmscLimits(status_list_interval=0.45, status_batch_size=3),
            method="list",
        )
        codes = [record.code for record in status_requests(sandbox)]
    assert codes == [0, 0, 0]  # never refused: the pace kept within SMSC's limit
    assert final["status"].tolist()[:5] == [1, 20, 25, 3, 1]


def test_error_9_waits_and_retries():
    # Paced faster than the sandbox's window: the second list request is refused, waits for the
    # next slot and goes through.
    with strict_sandbox(0.3) as sandbox:
        client = demo_client(sandbox)
        results, _ = send_results(client)
        final = refresh_status(results, client, limits=TOO_EAGER, method="list")
        codes = [record.code for record in status_requests(sandbox)]
        assert codes == [0, 9, 0]
        assert final["status"].tolist()[:5] == [1, 20, 25, 3, 1]
        with pytest.raises(errors.DuplicateRequestError):
            refresh_status(
                results, client, retry=RetryPolicy(retries=0), limits=TOO_EAGER, method="list"
            )


def test_balance_is_exact_and_follows_sends(sandbox):
    client = demo_client(sandbox)
    assert balance(client) == Decimal("1000.00")
    _, answer = send_results(client)
    after = balance(client)
    assert after == Decimal(answer["balance"]) == Decimal("1000.00") - Decimal(answer["cost"])
    assert isinstance(after, Decimal) and after < Decimal("1000.00")


def test_balance_errors_are_raised():
    with Sandbox(settings=SandboxSettings(balance_requests_per_window=1)) as sandbox:
        client = demo_client(sandbox)
        balance(client)
        with pytest.raises(errors.DuplicateRequestError):
            balance(client)


def test_pacer_spaces_call_starts():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(clock=lambda: now[0], sleep=sleep)
    pacer.wait(60.0)
    now[0] += 15.0
    pacer.wait(60.0)
    now[0] += 90.0
    pacer.wait(60.0)
    assert slept == [45.0]
