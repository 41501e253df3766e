"""send(): results per plan row, exactly what was stored, resumable through the journal."""

from __future__ import annotations

import threading
import warnings
from decimal import Decimal

import pandas as pd
import pytest
import requests
from send_helpers import (
    FAST,
    FAST_LIMITS,
    client_for,
    contacts,
    expected,
    messy_contacts,
    plan_of,
    stored,
)

from smsc_frames.campaign import OUTCOMES, estimate, send, summarize
from smsc_frames.client import Client
from smsc_frames.errors import AuthError, ValidationError
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare
from smsc_frames.sandbox import Account, Sandbox
from smsc_frames.sandbox.settings import SandboxSettings

SETTINGS = SandboxSettings(duplicate_window=1.5, status_list_window=0.1)


@pytest.fixture
def sandbox():
    with Sandbox(settings=SETTINGS) as running:
        yield running


def test_send_stores_every_sendable_row_once_and_explains_the_others(sandbox):
    plan = plan_of(messy_contacts())
    results = send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)

    assert stored(sandbox) == expected(plan)
    assert results.index.equals(plan.index)
    assert results.loc["c0":"c5", "outcome"].eq("sent").all()
    assert results.loc["bad_phone", "outcome"] == "invalid"
    assert results.loc["empty_text", "outcome"] == "invalid"
    assert results.loc["dup_of_c1", "outcome"] == "duplicate"
    assert "c1" in results.loc["dup_of_c1", "reason"]
    assert results.loc[["bad_phone", "empty_text"], "reason"].notna().all()
    assert list(results["outcome"].cat.categories) == list(OUTCOMES)


def test_results_carry_the_request_id_cost_and_operator_that_smsc_stored(sandbox):
    plan = plan_of(contacts(12))
    requests = payloads(plan, max_recipients=5)
    results = send(
        plan, client_for(sandbox), payloads=requests, progress=False, retry=FAST, limits=FAST_LIMITS
    )

    by_message = {(m["id"], m["phone"]): m for m in sandbox.messages()}
    assert len(by_message) == 12
    for label, row in results.iterrows():
        message = by_message[(row["sms_id"], row["phone"])]
        assert message["text"] == plan.loc[label, "text"]
        assert Decimal(str(message["cost"])) == row["cost"]
        assert message["mccmnc"] == row["mccmnc"]
        assert message["parts"] == row["parts"]
    assert set(results["sms_id"]) == {request.id for request in requests}
    assert all(isinstance(cost, Decimal) for cost in results["cost"])
    assert results["sent_at"].dt.tz is not None and results["sent_at"].notna().all()


def test_sandbox_results_say_so(sandbox):
    results = send(
        plan_of(contacts(3)), client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS
    )
    assert results.attrs["sandbox"] is True
    assert results["reason"].str.contains("sandbox").all()
    summary = summarize(results)
    assert summary.attrs["sandbox"] is True
    assert "sandbox" in summary.loc["sent", "note"]


def test_summarize_counts_outcomes_parts_and_cost(sandbox):
    plan = plan_of(messy_contacts())
    results = send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    summary = summarize(results)
    assert list(summary.index) == list(OUTCOMES)
    assert summary["recipients"].sum() == len(plan)
    assert summary.loc["sent", "recipients"] == 6
    assert summary.loc["sent", "parts"] == plan.loc[plan["sendable"], "parts"].sum()
    assert summary.loc["sent", "cost"] == sum(Decimal(str(m["cost"])) for m in sandbox.messages())
    assert (summary.loc["invalid", "recipients"], summary.loc["duplicate", "recipients"]) == (2, 1)


def test_running_the_same_send_again_with_the_journal_sends_nothing_more(sandbox, tmp_path):
    plan = plan_of(messy_contacts())
    journal = tmp_path / "campaign.journal"
    first = send(
        plan, client_for(sandbox), journal=journal, progress=False, retry=FAST, limits=FAST_LIMITS
    )
    again = send(
        plan, client_for(sandbox), journal=journal, progress=False, retry=FAST, limits=FAST_LIMITS
    )

    assert stored(sandbox) == expected(plan)
    pd.testing.assert_frame_equal(first, again)
    assert again.attrs["sandbox"] is True


def test_a_contact_list_sorted_another_way_resumes_from_the_same_journal(sandbox, tmp_path):
    journal = tmp_path / "campaign.journal"
    frame = contacts(30)
    plan = plan_of(frame)
    requests = payloads(plan, max_recipients=4)
    sandbox.state.set_balance("demo", Decimal("80.00"))  # money runs out part-way
    with pytest.warns(UserWarning, match="not sent"):
        first = send(
            plan,
            client_for(sandbox),
            journal=journal,
            payloads=requests,
            max_workers=1,
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
        )
    assert 0 < first["outcome"].eq("sent").sum() < len(plan)

    sandbox.state.set_balance("demo", Decimal("1000.00"))
    resorted = plan_of(frame.sort_values("text"))  # the analyst re-sorted the file in Excel
    assert [p.id for p in payloads(resorted, max_recipients=4)] == [p.id for p in requests]
    results = send(
        resorted,
        client_for(sandbox),
        journal=journal,
        payloads=payloads(resorted, max_recipients=4),
        progress=False,
        retry=FAST,
        limits=FAST_LIMITS,
    )

    assert stored(sandbox) == expected(plan)  # nobody reached before was sent twice
    assert results.index.equals(resorted.index)
    assert results["outcome"].eq("sent").all()


def test_a_journal_from_another_plan_is_refused_before_anything_is_sent(sandbox, tmp_path):
    journal = tmp_path / "campaign.journal"
    send(
        plan_of(contacts(3)),
        client_for(sandbox),
        journal=journal,
        progress=False,
        retry=FAST,
        limits=FAST_LIMITS,
    )
    before = stored(sandbox)
    with pytest.raises(ValidationError, match="different plan"):
        send(plan_of(contacts(4)), client_for(sandbox), journal=journal, progress=False)
    assert stored(sandbox) == before


def test_the_journal_holds_no_credentials_and_no_texts(tmp_path):
    secret = "s3cret-Passw0rd"
    from smsc_frames.sandbox.settings import Account

    with Sandbox(accounts=[Account("shop", secret)], settings=SETTINGS) as sandbox:
        client = client_for(sandbox).__class__("shop", secret, url=sandbox.url, environ={})
        plan = plan_of(contacts(4))
        journal = tmp_path / "campaign.journal"
        send(plan, client, journal=journal, progress=False, retry=FAST, limits=FAST_LIMITS)
        assert len(sandbox.messages()) == 4
    written = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert secret.encode() not in written
    assert b"shop" not in written
    for text in plan["text"]:
        assert text.encode() not in written
    assert plan["phone"].iloc[0].encode() in written  # the recipients are recorded


def test_a_rejected_request_leaves_its_rows_not_sent_with_smsc_reason(sandbox):
    frame = contacts(6)
    frame.loc["c2", "text"] = "Win a prize SANDBOX-DENY now"
    plan = plan_of(frame)
    requests = payloads(plan, max_recipients=1)
    with pytest.warns(UserWarning, match="1 rows not sent"):
        results = send(
            plan,
            client_for(sandbox),
            payloads=requests,
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
        )
    assert results.loc["c2", "outcome"] == "not sent"
    assert "SMSC error 6" in results.loc["c2", "reason"]
    assert pd.isna(results.loc["c2", "sms_id"])
    assert results.drop(index="c2")["outcome"].eq("sent").all()
    assert ("79161000002", frame.loc["c2", "text"]) not in stored(sandbox)
    assert sum(stored(sandbox).values()) == 5


def test_an_unregistered_sender_is_never_sent_and_never_loses_a_row(reading):
    # the page's error 6 ("forbidden by text or sender name") or the status table's 23/254:
    # the sandbox serves both readings, and the results must be true to either
    account = Account("demo", "demo", senders={"SHOP"})
    frame = contacts(4).assign(sender=["NOPE", "SHOP", "NOPE", "SHOP"])
    plan = prepare(frame, phone="phone", text="text", sender="sender")
    with Sandbox(accounts=[account], settings=SETTINGS) as sandbox:
        with pytest.warns(UserWarning, match="rows not sent"):
            results = send(
                plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS
            )
        charged = Decimal("1000.00") - sandbox.balance("demo")
        sent = {(m["phone"], m["text"]) for m in sandbox.messages() if m["cost"] > 0}

    assert results.index.equals(plan.index)
    refused = results.loc[["c0", "c2"]]
    assert refused["outcome"].eq("not sent").all() and refused["cost"].fillna(0).eq(0).all()
    if reading.unregistered_sender == "error":  # the whole request was refused, nothing stored
        assert results["outcome"].eq("not sent").all() and not sent and charged == 0
        assert results["reason"].str.contains("SMSC error 6").all()
        assert results["reason"].str.contains("sender name").all()
    else:  # each of its messages refused, the others sent
        assert refused["status"].eq(23).all() and refused["error"].eq(254).all()
        assert results.loc[["c1", "c3"], "outcome"].eq("sent").all()
        assert sent == {(plan.loc[row, "phone"], plan.loc[row, "text"]) for row in ("c1", "c3")}
    assert Decimal(str(results["cost"].fillna(0).sum())) == charged


def test_wrong_credentials_raise_with_the_results_attached(sandbox, tmp_path):
    plan = plan_of(contacts(3))
    client = client_for(sandbox).__class__("demo", "wrong", url=sandbox.url, environ={})
    with pytest.raises(AuthError, match="journal") as caught:
        send(
            plan,
            client,
            journal=tmp_path / "c.journal",
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
        )
    assert caught.value.results["outcome"].eq("not sent").all()
    assert not sandbox.messages()


@pytest.mark.parametrize("workers", [0, 9, 2.5])
def test_workers_out_of_range_are_refused(sandbox, workers):
    with pytest.raises(ValidationError, match="max_workers"):
        send(plan_of(contacts(2)), client_for(sandbox), max_workers=workers, progress=False)
    assert not sandbox.messages()


def test_progress_bar_can_be_switched_off(sandbox, capsys):
    send(plan_of(contacts(3)), client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert capsys.readouterr().err == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        send(
            plan_of(contacts(5)), client_for(sandbox), progress=True, retry=FAST, limits=FAST_LIMITS
        )
    assert "5/5" in capsys.readouterr().err


def test_status_after_send_is_waiting_for_accepted_numbers_and_the_refusal_for_others(sandbox):
    plan = plan_of(contacts(4))
    plan.loc["c3", "phone"] = "12345"  # SMSC refuses it inside an accepted request
    with pytest.warns(UserWarning, match="1 rows not sent"):
        results = send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    accepted = results.loc[["c0", "c1", "c2"]]
    assert accepted["status"].tolist() == [-1, -1, -1]
    assert accepted["status_name"].eq("waiting").all() and accepted["error"].isna().all()
    assert accepted["outcome"].eq("sent").all()
    assert (results.loc["c3", "status"], results.loc["c3", "error"]) == (22, 249)
    assert results.loc["c3", "outcome"] == "not sent"
    assert "wrong number" in results.loc["c3", "reason"]
    assert results["status"].dtype == "Int64"


def test_a_worker_failure_is_raised_not_lost_and_the_journal_stays_safe(
    sandbox, tmp_path, monkeypatch
):
    from smsc_frames.campaign import dispatch

    def broken(outcome, *, sandbox):
        raise RuntimeError("bug while reading")

    monkeypatch.setattr(dispatch, "after_post", broken)
    plan = plan_of(contacts(4))
    journal = tmp_path / "c.journal"
    requests = payloads(plan, max_recipients=2)
    with pytest.raises(RuntimeError, match="bug while reading"):
        send(
            plan,
            client_for(sandbox),
            journal=journal,
            payloads=requests,
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
            max_workers=1,
        )
    monkeypatch.undo()
    results = send(
        plan,
        client_for(sandbox),
        journal=journal,
        payloads=requests,
        progress=False,
        retry=FAST,
        limits=FAST_LIMITS,
    )
    assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()


class ConcurrencyMeter(requests.Session):
    """A session that records how many requests were in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.now = self.peak = 0

    def send(self, request, **kwargs):
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return super().send(request, **kwargs)
        finally:
            with self._lock:
                self.now -= 1


@pytest.mark.parametrize("workers", [1, 3])
def test_requests_go_in_parallel_but_never_more_than_the_workers(sandbox, workers):
    plan = plan_of(contacts(24))
    sandbox.inject("slow", count=100, delay=0.3)  # every answer takes a while: they overlap
    meter = ConcurrencyMeter()
    client = Client("demo", "demo", url=sandbox.url, environ={}, session=meter)
    results = send(
        plan,
        client,
        payloads=payloads(plan, max_recipients=3),
        max_workers=workers,
        progress=False,
        retry=FAST,
        limits=FAST_LIMITS,
    )

    assert stored(sandbox) == expected(plan)
    assert results["outcome"].eq("sent").all()
    assert meter.peak == workers  # 8 requests: the pool fills up, and never beyond


def test_summarize_counts_unknown_costs_only_for_sent_rows_and_never_shows_nan():
    results = pd.DataFrame(
        {
            "parts": [1, 1, 1],
            "cost": [Decimal("1.70"), None, None],
            "outcome": pd.Categorical(["sent", "sent", "invalid"], categories=OUTCOMES),
            "reason": [None, "cost unknown", "too short"],
        }
    )
    summary = summarize(results)
    assert summary["cost_unknown"].tolist() == [1, 0, 0, 0, 0]
    assert summary.loc["duplicate", "note"] == ""  # no reason: an empty note, not NaN/None


def test_payloads_that_carry_what_the_plan_does_not_are_refused_before_any_request(sandbox):
    # built before the plan's texts changed (apply_savings, a fixed template), the old texts
    # were posted while the results showed the new ones; built from another plan, numbers
    # outside it got messages the results never mentioned
    frame = pd.DataFrame({"phone": ["79161234567"], "text": ["«Sale» — 30% off"]})
    plan = prepare(frame, phone="phone", text="text")
    stale = payloads(plan)
    changed = prepare(frame.assign(text="Sale: 30% off"), phone="phone", text="text")
    other = payloads(plan_of(contacts(2)))
    for given, plan_now in ((stale, changed), (other, plan)):
        for call in (send, estimate):
            with pytest.raises(ValidationError, match="this plan does not hold") as caught:
                call(plan_now, client_for(sandbox), payloads=given, progress=False)
            assert caught.value.parameter == "payloads"
    assert sandbox.requests == []
    send(changed, client_for(sandbox), payloads=payloads(changed), progress=False)
    assert [m["text"] for m in sandbox.messages()] == ["Sale: 30% off"]
