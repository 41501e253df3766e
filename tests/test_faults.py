"""send() under the sandbox's injected faults: every plan row stored exactly once, or explained.

Each test ends by checking the sandbox's store, which is the only truth about what was sent.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pandas as pd
import pytest
from send_helpers import FAST, FAST_LIMITS, client_for, contacts, expected, plan_of, stored

from smsc_frames.campaign import estimate, send
from smsc_frames.client import Client
from smsc_frames.errors import (
    AuthError,
    DuplicateRequestError,
    IpBlockedError,
    SmscConnectionError,
)
from smsc_frames.journal import Journal
from smsc_frames.payloads import payloads
from smsc_frames.sandbox import Sandbox
from smsc_frames.sandbox.settings import Account, SandboxSettings

SETTINGS = SandboxSettings(duplicate_window=1.5, status_list_window=0.1)


class RecordingClient(Client):
    """A real client over HTTP that remembers the errors its send.php calls raised."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.errors: list[Exception] = []

    def call(self, endpoint, params):
        try:
            return super().call(endpoint, params)
        except Exception as error:
            if endpoint == "send.php":
                self.errors.append(error)
            raise


def recording_client(sandbox, **kwargs) -> RecordingClient:
    return RecordingClient("demo", "demo", url=sandbox.url, environ={}, **kwargs)


def send_in_batches(plan, client, **kwargs):
    return send(
        plan,
        client,
        payloads=payloads(plan, max_recipients=3),
        progress=False,
        retry=FAST,
        limits=FAST_LIMITS,
        **kwargs,
    )


@pytest.fixture
def sandbox():
    with Sandbox(settings=SETTINGS) as running:
        yield running


@pytest.mark.parametrize(
    "fault", ["drop_after_accept", "http_500", "html_error", "truncated_json", "empty_body"]
)
def test_lost_or_malformed_answers_are_reconciled_not_reposted(sandbox, fault):
    plan = plan_of(contacts(12))
    sandbox.inject(fault, count=2)
    client = recording_client(sandbox)
    results = send_in_batches(plan, client)

    assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()
    lost = [e for e in client.errors if isinstance(e, SmscConnectionError)]
    assert len(lost) == 2 and all(error.maybe_sent for error in lost)


def test_drop_after_accept_is_confirmed_through_status(sandbox):
    plan = plan_of(contacts(6))
    sandbox.inject("drop_after_accept", count=1)
    results = send_in_batches(plan, recording_client(sandbox), max_workers=1)
    confirmed = results["reason"].str.contains("confirmed through status.php")
    assert confirmed.sum() == 3  # the first request's three rows
    assert results.loc[confirmed, "sms_id"].nunique() == 1
    assert stored(sandbox) == expected(plan)


def test_answers_slower_than_the_timeout_are_reconciled(sandbox):
    plan = plan_of(contacts(9))
    sandbox.inject("slow", count=1, delay=1.0)
    client = recording_client(sandbox, timeout=(2.0, 0.4))
    results = send_in_batches(plan, client)
    assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()
    assert any(isinstance(e, SmscConnectionError) and e.maybe_sent for e in client.errors)


def test_the_concurrency_limit_backs_off_and_retries():
    with Sandbox(settings=SandboxSettings(duplicate_window=1.5, max_concurrent_sends=2)) as sandbox:
        sandbox.inject("slow", count=100, delay=0.05)
        plan = plan_of(contacts(24))
        client = recording_client(sandbox)
        # Patient enough for a loaded machine: the point is that refusals are retried.
        patient = replace(FAST, retries=30)
        results = send(
            plan,
            client,
            payloads=payloads(plan, max_recipients=3),
            progress=False,
            retry=patient,
            limits=FAST_LIMITS,
            max_workers=6,
        )
        assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()
    refused = [e for e in client.errors if isinstance(e, DuplicateRequestError)]
    assert refused and all(error.too_many_concurrent for error in refused)


def test_a_duplicate_answer_means_probably_accepted_and_is_reconciled(sandbox):
    plan = plan_of(contacts(6))
    requests = payloads(plan, max_recipients=3)
    client = recording_client(sandbox)
    # a previous run (without a journal) already posted the first request; with the check
    # before posting turned off, SMSC's duplicate answer is what tells
    client.call("send.php", {**requests[0].params, "cost": "3", "op": "1"})
    results = send(
        plan,
        client,
        payloads=requests,
        progress=False,
        retry=FAST,
        limits=FAST_LIMITS,
        check_sent=False,
    )

    assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()
    duplicates = [e for e in client.errors if isinstance(e, DuplicateRequestError)]
    assert len(duplicates) == 1 and not duplicates[0].too_many_concurrent


def test_a_request_sent_by_an_earlier_run_is_found_before_posting_and_not_posted(sandbox):
    plan = plan_of(contacts(6))
    requests = payloads(plan, max_recipients=3)
    client = recording_client(sandbox)
    client.call("send.php", {**requests[0].params, "cost": "3", "op": "1"})
    results = send(plan, client, payloads=requests, progress=False, retry=FAST, limits=FAST_LIMITS)

    posted = [r.params["id"] for r in sandbox.requests if r.endpoint == "send.php"]
    assert sorted(posted) == sorted([r.id for r in requests])  # the first one only by us, once
    assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()
    assert not [e for e in client.errors if isinstance(e, DuplicateRequestError)]


def test_money_running_out_stops_and_a_rerun_after_top_up_finishes(tmp_path):
    plan = plan_of(contacts(12))
    requests = payloads(plan, max_recipients=3)
    with Sandbox(settings=SETTINGS) as pricing:
        prices = [q for q in [estimate(plan, client_for(pricing), payloads=requests)]][0]
    first_two = prices.table.loc[prices.table["payload_id"].isin([r.id for r in requests[:2]])]
    affordable = sum(first_two["cost"]) + Decimal("0.01")
    journal = tmp_path / "campaign.journal"

    account = Account("demo", "demo", balance=affordable)
    with Sandbox(accounts=[account], settings=SETTINGS) as sandbox:
        with pytest.warns(UserWarning, match="not sent"):
            results = send(
                plan,
                client_for(sandbox),
                payloads=requests,
                journal=journal,
                progress=False,
                retry=FAST,
                limits=FAST_LIMITS,
                max_workers=1,
            )
        sent = results["outcome"].eq("sent")
        assert sent.sum() == 6
        assert results.loc[~sent, "outcome"].eq("not sent").all()
        assert results.loc[~sent, "reason"].str.contains("insufficient funds").all()
        assert stored(sandbox) == expected(plan[sent])

        sandbox.state.set_balance("demo", Decimal("100"))
        finished = send(
            plan,
            client_for(sandbox),
            payloads=requests,
            journal=journal,
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
            max_workers=1,
        )
        assert stored(sandbox) == expected(plan)
    assert finished["outcome"].eq("sent").all()


def test_no_connection_leaves_every_row_not_sent_and_says_why():
    with Sandbox() as sandbox:
        url = sandbox.url  # the port is free again once the sandbox stops
    plan = plan_of(contacts(4))
    client = Client("demo", "demo", url=url, environ={}, connect_retries=0)
    with pytest.warns(UserWarning, match="4 rows not sent"):
        results = send(plan, client, progress=False, retry=FAST, limits=FAST_LIMITS)
    assert results["outcome"].eq("not sent").all()
    assert results["reason"].str.contains("could not reach SMSC").all()
    assert results.attrs["sandbox"] is False


def test_an_answer_that_cannot_be_reconciled_stays_unknown_until_the_next_run(sandbox, tmp_path):
    plan = plan_of(contacts(3))
    journal = tmp_path / "campaign.journal"
    no_retries = replace(FAST, retries=0)
    sandbox.inject("drop_after_accept", count=1)
    sandbox.inject("http_500", count=1, endpoint="status.php")
    with pytest.warns(UserWarning, match="3 with an unknown outcome"):
        results = send(
            plan,
            client_for(sandbox),
            journal=journal,
            progress=False,
            retry=no_retries,
            limits=FAST_LIMITS,
            check_sent=False,  # the status fault is for the reconciliation
        )
    assert sandbox.pending_faults() == 0
    assert results["outcome"].eq("unknown").all()
    assert results["sms_id"].notna().all()
    assert stored(sandbox) == expected(plan)

    again = send(
        plan,
        client_for(sandbox),
        journal=journal,
        progress=False,
        retry=no_retries,
        limits=FAST_LIMITS,
    )
    assert again["outcome"].eq("sent").all()
    assert stored(sandbox) == expected(plan)


def test_a_blocked_ip_stops_with_the_time_to_wait_and_the_journal_resumes_later(tmp_path):
    settings = SandboxSettings(duplicate_window=1.5, failed_login_limit=1, ip_block_seconds=0.5)
    plan = plan_of(contacts(4))
    journal = tmp_path / "campaign.journal"
    with Sandbox(settings=settings) as sandbox:
        with pytest.raises(AuthError):
            Client("demo", "wrong", url=sandbox.url, environ={}).call("balance.php", {})
        with pytest.raises(IpBlockedError, match="30 minutes") as caught:
            send(
                plan,
                client_for(sandbox),
                journal=journal,
                progress=False,
                retry=FAST,
                limits=FAST_LIMITS,
            )
        assert caught.value.results["outcome"].eq("not sent").all()
        assert not sandbox.messages()

        time.sleep(0.6)  # the sandbox's block is shortened to 0.5 s
        results = send(
            plan,
            client_for(sandbox),
            journal=journal,
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
        )
        assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()


# -- reconciliation must see every recipient before it calls a request unsent

MIDDLE = "79161000001"
TOO_LONG = "9" * 16  # over SMSC's 15 digits: refused as a wrong number


def refused_at_both_ends(frame_rows: int = 3):
    """A plan whose one request starts and ends with numbers SMSC refuses (wrong format)."""
    plan = plan_of(contacts(frame_rows))
    plan.loc["c0", "phone"] = "12345"
    plan.loc[f"c{frame_rows - 1}", "phone"] = TOO_LONG  # payloads order recipients by phone
    requests = payloads(plan)
    assert len(requests) == 1 and requests[0].recipients == ("12345", MIDDLE, TOO_LONG)
    return plan, requests


def forget_refused_numbers(sandbox, smsc, request_id):
    """Make sure SMSC keeps no trace of the refused numbers (as the sandbox once did)."""
    for phone in ("12345", TOO_LONG):
        smsc(sandbox, "status.php", id=request_id, phone=phone, fmt="3", **{"del": "1"})


def test_a_lost_request_found_only_in_its_middle_is_confirmed_not_resent(
    make_sandbox, fake_clock, smsc, tmp_path
):
    sandbox = make_sandbox(clock=fake_clock)  # SMSC's own windows, crossed by hand
    plan, requests = refused_at_both_ends()
    journal = tmp_path / "campaign.journal"
    sandbox.inject("drop_after_accept")
    sandbox.inject("http_500", endpoint="status.php")  # the first run cannot reconcile
    with pytest.warns(UserWarning, match="unknown outcome"):
        send(
            plan,
            client_for(sandbox),
            journal=journal,
            payloads=requests,
            progress=False,
            retry=replace(FAST, retries=0),
            limits=FAST_LIMITS,
            check_sent=False,  # the status fault is for the reconciliation
        )
    forget_refused_numbers(sandbox, smsc, requests[0].id)
    fake_clock.advance(61)  # SMSC would now accept the same request again

    with Journal.open(journal, requests) as opened:
        (entry,) = opened.entries()
    with pytest.warns(UserWarning, match="2 rows not sent"):
        results = send(
            plan,
            client_for(sandbox),
            journal=journal,
            payloads=requests,
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
        )

    phones = Counter(message["phone"] for message in sandbox.messages())
    assert phones[MIDDLE] == 1
    assert results.loc["c1", "outcome"] == "sent"
    assert "confirmed through status.php" in results.loc["c1", "reason"]
    assert results.loc["c1", "status"] != -3
    assert results.loc[["c0", "c2"], "outcome"].eq("not sent").all()
    assert results.loc[["c0", "c2"], "status"].tolist() == [-3, -3]
    # sent_at is when the request was posted (the journal's in-flight stamp), not the check
    assert results.loc["c1", "sent_at"] == pd.Timestamp(entry.posted_at)


def test_a_duplicate_answer_is_not_turned_into_unsent_by_two_probes(sandbox, smsc):
    plan, requests = refused_at_both_ends()
    client = recording_client(sandbox)
    # a previous run without a journal posted the request and lost the answer
    client.call("send.php", {**requests[0].params, "cost": "3", "op": "1"})
    forget_refused_numbers(sandbox, smsc, requests[0].id)
    first_post_done = pd.Timestamp.now(tz="UTC")
    with pytest.warns(UserWarning, match="2 rows not sent"):
        results = send(
            plan, client, payloads=requests, progress=False, retry=FAST, limits=FAST_LIMITS
        )

    assert Counter(message["phone"] for message in sandbox.messages())[MIDDLE] == 1
    assert [type(e) for e in client.errors] == [DuplicateRequestError]
    assert results.loc["c1", "outcome"] == "sent"
    # the stored post was the earlier one: SMSC's send time, never our refused post or the check
    assert results.loc["c1", "sent_at"] <= first_post_done


def test_a_status_list_refused_for_pace_is_retried_never_read_as_unsent(sandbox, smsc):
    plan, requests = refused_at_both_ends()
    sandbox.inject("drop_after_accept")
    client = recording_client(sandbox)
    original = client.call
    refusals = []

    def busy_lists(endpoint, params):
        if endpoint == "status.php" and "," in params.get("id", "") and len(refusals) < 2:
            refusals.append(params)
            raise DuplicateRequestError(9, "duplicate request, wait a minute")
        try:
            return original(endpoint, params)
        except SmscConnectionError:
            forget_refused_numbers(sandbox, smsc, requests[0].id)
            raise

    client.call = busy_lists  # error 9, as SMSC answers a second list request within a minute
    with pytest.warns(UserWarning, match="2 rows not sent"):
        results = send(
            plan, client, payloads=requests, progress=False, retry=FAST, limits=FAST_LIMITS
        )
    assert len(refusals) == 2
    assert Counter(message["phone"] for message in sandbox.messages())[MIDDLE] == 1
    assert results.loc["c1", "outcome"] == "sent"


class GarblingClient(RecordingClient):
    """Sends for real, then hands back an answer the parser cannot read (cnt is not a number)."""

    def __init__(self, *args, garble: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.garble = garble

    def call(self, endpoint, params):
        answer = super().call(endpoint, params)
        if endpoint == "send.php" and params.get("cost") == "3" and self.garble:
            self.garble -= 1
            return {**answer, "cnt": "many"}
        return answer


def test_an_answer_the_parser_cannot_read_is_reconciled_not_a_traceback(sandbox):
    plan = plan_of(contacts(6))
    client = GarblingClient("demo", "demo", url=sandbox.url, environ={})
    results = send_in_batches(plan, client, max_workers=1)
    assert client.garble == 0
    assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()
    assert results["reason"].str.contains("confirmed through status.php").sum() == 3
