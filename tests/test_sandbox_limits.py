"""SMSC's limits, with real default values and a fake clock to cross the windows instantly."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
import requests

from smsc_frames.sandbox import Account, SandboxSettings

DEFAULTS = SandboxSettings()


def wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_identical_send_within_60s_is_error_9_and_allowed_after(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    params = {"phones": "79161234567", "mes": "Hi", "id": "1"}
    assert smsc(running, **params).text == "OK - 1 SMS, ID - 1"
    fake_clock.advance(59)
    assert smsc(running, cost="3", fmt="3", **params).json() == {
        "error": "duplicate request, wait a minute", "error_code": 9,
    }  # fmt: skip
    assert smsc(running, **{**params, "mes": "Hi!"}).text == "OK - 1 SMS, ID - 1"
    fake_clock.advance(2)
    assert smsc(running, **params).text == "OK - 1 SMS, ID - 1"
    assert len(running.messages()) == 3


def test_only_accepted_sends_are_remembered(make_sandbox, smsc):
    running = make_sandbox(accounts=[Account("demo", "demo", balance="1.00")])
    params = {"phones": "79161234567", "mes": "Hi", "id": "2"}
    assert smsc(running, **params).text == "ERROR = 3 (no money), ID - 2"
    running.state.set_balance("demo", "100.00")
    assert smsc(running, **params).text == "OK - 1 SMS, ID - 2"


def test_more_than_5_identical_cost_requests_are_error_9(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    params = {"phones": "79161234567", "mes": "Hi", "cost": "1"}
    assert [smsc(running, **params).text for _ in range(6)] == ["5.45 (1 SMS)"] * 5 + [
        "ERROR = 9 (duplicate request, wait a minute)"
    ]
    fake_clock.advance(61)
    assert smsc(running, **params).text == "5.45 (1 SMS)"


def test_15th_concurrent_request_under_one_login_is_error_9(sandbox, smsc):
    sandbox.inject("slow", count=14, delay=1.0)
    answers: list[str] = []
    threads = [
        threading.Thread(
            target=lambda n=n: answers.append(smsc(sandbox, phones="79161234567", mes=f"m{n}").text)
        )
        for n in range(14)
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: sandbox.state.in_flight_count("send", "demo") == 14)
    assert smsc(sandbox, phones="79161234567", mes="one too many", fmt="3").json() == {
        "error": "too many concurrent requests", "error_code": 9,
    }  # fmt: skip
    for thread in threads:
        thread.join()
    assert len(answers) == 14 and all(text.startswith("OK - 1 SMS") for text in answers)
    assert smsc(sandbox, phones="79161234567", mes="after").text.startswith("OK")


def test_more_than_50_quick_messages_to_one_number_get_23_251(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    for n in range(50):
        fake_clock.advance(59)
        assert smsc(running, phones="79161234567", mes=f"n{n}", id=str(n + 1)).text.startswith(
            "OK - 1 SMS"
        )
    fake_clock.advance(59)
    answer = smsc(
        running, phones="79161234567,79031234567", mes="51st", op="1", cost="3", fmt="3"
    ).json()
    assert answer["phones"][0] == {"phone": "79161234567", "mccmnc": "25001", "cost": "0.00",
                                   "status": "23", "error": "251"}  # fmt: skip
    assert answer["cnt"] == 1 and answer["cost"] == "5.25"
    blocked = [m for m in running.messages() if m["text"] == "51st" and m["phone"] == "79161234567"]
    assert [(m["status"], m["error"], m["cost"]) for m in blocked] == [(23, 251, Decimal(0))]
    fake_clock.advance(60)
    assert smsc(running, phones="79161234567", mes="after a pause").text.startswith("OK - 1 SMS")


def test_the_flood_limit_counts_the_lines_of_one_request_too(make_sandbox, smsc, fake_clock):
    # 53 lines to one number in one list= request were all sent: the chain was read once per
    # number, not extended line by line
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    lines = "\n".join(f"79161234567:m{n}" for n in range(53))
    answer = smsc(running, list=lines, op="1", cost="3", fmt="3").json()
    assert answer["cnt"] == 50
    assert [(row["status"], row["error"]) for row in answer["phones"][50:]] == [("23", "251")] * 3
    assert all(row["error"] in ("", "0") for row in answer["phones"][:50])
    fake_clock.advance(61)  # a pause ends the chain; then 49 and 4 within a minute: 53 again
    assert smsc(running, list="\n".join(f"79161234567:a{n}" for n in range(49))).text.startswith(
        "OK - 49 SMS"
    )
    fake_clock.advance(10)
    second = smsc(running, list="\n".join(f"79161234567:b{n}" for n in range(4)), op="1", fmt="3")
    assert [row["error"] for row in second.json()["phones"]][1:] == ["251"] * 3


def test_5_failed_logins_block_the_ip_for_30_minutes(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    assert [smsc(running, "balance.php", psw="bad").text for _ in range(5)] == [
        "ERROR = 2 (authorise error)"
    ] * 5
    assert smsc(running, "balance.php").text == "ERROR = 4 (ip is blocked)"
    assert smsc(running, phones="79161234567", mes="Hi").text == "ERROR = 4 (ip is blocked)"
    fake_clock.advance(1799)
    assert smsc(running, "balance.php").text == "ERROR = 4 (ip is blocked)"
    fake_clock.advance(2)
    assert smsc(running, "balance.php").text == "1000.00"
    assert running.messages() == []


def test_failed_logins_spread_over_more_than_30_minutes_do_not_block(
    make_sandbox, smsc, fake_clock
):
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    for _ in range(8):
        assert smsc(running, "balance.php", psw="bad").text == "ERROR = 2 (authorise error)"
        fake_clock.advance(600)
    assert smsc(running, "balance.php").text == "1000.00"


def test_recipient_cap_is_1000(sandbox, smsc):
    phones = [f"7916{n:07d}" for n in range(1001)]
    assert (
        smsc(sandbox, phones=",".join(phones[:1000]), mes="Hi", cost="1", fmt="1").text
        == "5450.00,1000"
    )
    assert (
        smsc(sandbox, phones=",".join(phones), mes="Hi", cost="1").text
        == "ERROR = 1 (parameters error: phones)"
    )
    listed = "\n".join(f"{phone}:Hi" for phone in phones)
    assert smsc(sandbox, list=listed, cost="1").text == "ERROR = 1 (parameters error: list)"


def test_body_over_256_kib_is_error_1_and_stores_nothing(sandbox):
    body = {
        "login": "demo",
        "psw": "demo",
        "phones": "79161234567",
        "mes": "Hi",
        "pad": "x" * 262144,
    }
    answer = requests.post(sandbox.url + "/sys/send.php", data=body, timeout=10)
    assert answer.status_code == 200 and answer.text == "ERROR = 1 (parameters error: body)"
    assert sandbox.messages() == []


def test_status_limits_per_message_and_per_list(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    smsc(running, phones="79161234567,79031234567", mes="Hi", id="7")
    single = [
        smsc(running, "status.php", id="7", phone="79161234567", fmt="1").text for _ in range(6)
    ]
    assert [text.split(",")[0] for text in single[:5]] == ["-1"] * 5 and single[5] == "0,-9"
    assert smsc(running, "status.php", id="7", phone="79031234567", fmt="1").text.startswith("-1,")
    listed = [
        smsc(running, "status.php", id="7,7", phone="79161234567,79031234567", fmt="1").text
        for _ in range(2)
    ]
    assert listed[0].count("\n") == 1 and listed[1] == "0,-9"
    fake_clock.advance(61)
    assert smsc(running, "status.php", id="7", phone="79161234567", fmt="1").text.startswith("1,")


def test_5_concurrent_status_requests_are_error_9(sandbox, smsc):
    sandbox.inject("slow", count=4, endpoint="status.php", delay=1.0)
    threads = [
        threading.Thread(
            target=smsc,
            args=(sandbox, "status.php"),
            kwargs={"id": str(n), "phone": "79161234567"},
        )
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: sandbox.state.in_flight_count("status", "demo") == 4)
    assert (
        smsc(sandbox, "status.php", id="9", phone="79161234567").text
        == "ERROR = 9 (too many concurrent requests)"
    )
    for thread in threads:
        thread.join()


def test_more_than_10_balance_requests_a_minute_are_error_9(make_sandbox, smsc, fake_clock):
    running = make_sandbox(settings=DEFAULTS, clock=fake_clock)
    answers = [smsc(running, "balance.php", fmt="1").text for _ in range(11)]
    assert answers == ["1000.00"] * 10 + ["0,-9"]
    fake_clock.advance(61)
    assert smsc(running, "balance.php", fmt="1").text == "1000.00"


@pytest.mark.parametrize(
    "field", ["duplicate_window", "flood_interval", "ip_block_seconds", "status_list_window"]
)
def test_every_window_is_a_setting_with_smsc_defaults(field):
    smsc_defaults = {
        "duplicate_window": 60,
        "flood_interval": 60,
        "ip_block_seconds": 1800,
        "status_list_window": 60,
    }
    assert getattr(SandboxSettings(), field) == smsc_defaults[field]
    assert getattr(SandboxSettings(**{field: 1.5}), field) == 1.5


# -- bounded memory ---------------------------------------------------------------------------
def direct(state, endpoint: str, **params: str):
    """One request straight to the handler (no HTTP): thousands in a fraction of a second."""
    from smsc_frames.sandbox.handlers import RequestContext, handle

    return handle(
        endpoint,
        state,
        params,
        RequestContext(ip=params.pop("ip", "127.0.0.1"), fmt=1, concurrent=1),
    )


def fresh_state(fake_clock, **settings):
    from smsc_frames.sandbox.state import State

    return State(
        [Account("demo", "demo", balance="1e9")], SandboxSettings(**settings), clock=fake_clock
    )


def test_duplicate_and_cost_windows_keep_only_digests_and_are_pruned(fake_clock):
    from smsc_frames.sandbox.state import PRUNE_AT_LEAST

    state = fresh_state(fake_clock)
    for n in range(4000):
        text = f"{n:04d}" + "x" * 990  # the parameters are large, what is remembered is not
        assert (
            direct(state, "send.php", login="demo", psw="demo", phones=f"7916{n:07d}", mes=text)[1]
            == 0
        )
        assert (
            direct(
                state,
                "send.php",
                login="demo",
                psw="demo",
                phones="79161234567",
                mes=text,
                cost="1",
            )[1]
            == 0
        )
        fake_clock.advance(1.0)
        assert state.table_sizes()["windows"] <= 2 * PRUNE_AT_LEAST
    keys = list(state._windows)
    assert all(len(repr(key)) < 200 for key in keys)
    assert {key[0] for key in keys} == {"send", "cost"}
    # nothing still inside its window was forgotten: the last minute's sends are still duplicates
    repeat = {
        "login": "demo",
        "psw": "demo",
        "phones": f"7916{3999:07d}",
        "mes": "3999" + "x" * 990,
    }
    assert direct(state, "send.php", **repeat)[1] == 9
    fake_clock.advance(61)
    assert direct(state, "send.php", **repeat)[1] == 0
    fake_clock.advance(30)
    state.prune()
    assert state.table_sizes()["windows"] == 1  # only the last send's digest, not yet a minute old
    fake_clock.advance(31)
    state.prune()
    assert state.table_sizes()["windows"] == 0


def test_flood_chains_failed_logins_blocks_and_status_counts_are_pruned(fake_clock):
    state = fresh_state(fake_clock)
    for n in range(300):
        phone = f"7916{n:07d}"
        direct(state, "send.php", login="demo", psw="demo", phones=phone, mes="Hi", id="5")
        assert direct(state, "status.php", login="demo", psw="demo", phone=phone, id="5")[1] == 0
        for _ in range(5):  # blocks the IP
            assert (
                direct(
                    state, "balance.php", login="demo", psw="wrong", ip=f"10.0.{n // 256}.{n % 256}"
                )[1]
                == 2
            )
    assert state.table_sizes()["chains"] == 300 and state.table_sizes()["blocked_ips"] == 300
    fake_clock.advance(1801)
    state.prune()
    assert state.table_sizes() | {"requests": 0} == {
        "windows": 0, "chains": 0, "blocked_ips": 0, "in_flight": 0, "requests": 0,
    }  # fmt: skip
    assert (
        direct(state, "balance.php", login="demo", psw="demo", ip="10.0.0.0")[1] == 0
    )  # block ended


def test_stored_messages_cost_the_garbage_collector_a_few_objects_per_request_not_per_message(
    fake_clock,
):
    """A long-running sandbox stores millions of messages: one tracked object each made every
    full collection walk them all (milliseconds per 1,000-recipient request)."""
    import gc

    state = fresh_state(fake_clock)
    phones = ",".join(f"7916{n:07d}" for n in range(1000))
    gc.collect()
    before = len(gc.get_objects())
    for n in range(5):
        assert (
            direct(
                state,
                "send.php",
                login="demo",
                psw="demo",
                phones=phones,
                mes=f"Hi {n}",
                id=str(n + 1),
            )[1]
            == 0
        )
        fake_clock.advance(61)
    gc.collect()
    assert len(state.messages()) == 5000
    assert len(gc.get_objects()) - before < 5 * 50


def test_in_flight_counts_of_claimed_logins_do_not_pile_up(sandbox, smsc):
    for n in range(20):
        smsc(sandbox, "balance.php", auth=False, login=f"nobody{n}", psw="x")
    wait_until(
        lambda: sandbox.state.table_sizes()["in_flight"] == 0
    )  # the answer leaves before the count drops


def test_the_request_log_keeps_the_last_request_log_size_requests(make_sandbox, smsc):
    running = make_sandbox(settings=SandboxSettings(request_log_size=3))
    for n in range(5):
        smsc(running, "balance.php", fmt=str(n % 4))
    log = running.requests
    assert isinstance(log, list) and [record.params["fmt"] for record in log] == ["2", "3", "0"]
    assert len(running.state.requests) == 3


def test_failed_login_limit_1_blocks_at_the_first_failure_and_keeps_no_window(fake_clock):
    state = fresh_state(fake_clock, failed_login_limit=1, ip_block_seconds=10)
    assert direct(state, "balance.php", login="demo", psw="wrong")[1] == 2
    assert direct(state, "balance.php", login="demo", psw="demo")[1] == 4
    assert state.table_sizes()["windows"] == 0
    fake_clock.advance(11)
    assert direct(state, "balance.php", login="demo", psw="demo")[1] == 0
