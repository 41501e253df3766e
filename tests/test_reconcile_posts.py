"""Reconciliation and faults, counted post by post in the sandbox's request log.

Every test here runs against a sandbox whose duplicate window (0.05 s) is far shorter than the
test's own waits (the 0.3 s settle before ``status.php`` may call a request unsent), so an
accidental second post of a request is *not* refused as a duplicate: it is delivered again and
the store shows it. Each test asserts

* the exact number of ``send.php`` posts of each request id (:func:`assert_posts`), and
* that the results frame's outcome of every recipient is what the sandbox's store says
  (:func:`assert_results_match_store`): stored once and charged = ``sent``; stored uncharged
  (refused at send) or absent = ``not sent``; never stored twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pandas as pd
import pytest
import requests as http
from send_helpers import FAST, contacts, plan_of

from smsc_frames.campaign import SmscLimits, send
from smsc_frames.client import Client
from smsc_frames.errors import SmscConnectionError
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare
from smsc_frames.sandbox import Sandbox
from smsc_frames.sandbox.settings import READINGS, Account, SandboxSettings
from smsc_frames.widgets import preview

TINY_WINDOW = 0.05
SETTINGS = SandboxSettings(
    duplicate_window=TINY_WINDOW,
    status_list_window=TINY_WINDOW,
    seconds_to_operator=0.05,
    seconds_to_final=0.15,
)
LIMITS = SmscLimits(duplicate_window=TINY_WINDOW, status_list_interval=TINY_WINDOW)
assert FAST.settle > 5 * TINY_WINDOW  # a re-post after the settle is a second delivery

MIDDLE = "79161000001"
TOO_LONG = "9" * 16  # over 15 digits: a wrong number, refused at send


# -- counting and the store as the oracle --------------------------------------------------------


def sends(sandbox) -> list:
    """The request log's real ``send.php`` posts (quotes, ``cost=1``, send nothing)."""
    return [r for r in sandbox.requests if r.endpoint == "send.php" and r.params.get("cost") != "1"]


def posts(sandbox) -> Counter:
    """How many times each request id was posted to ``send.php``."""
    return Counter(record.params.get("id") for record in sends(sandbox))


def assert_posts(sandbox, expected: dict[str, int]) -> None:
    assert dict(posts(sandbox)) == expected


def store_outcome(sandbox) -> dict[tuple[str, str], str]:
    """``sent`` or ``not sent`` for every (id, phone) the store holds; each held exactly once."""
    held = Counter((str(m["id"]), str(m["phone"])) for m in sandbox.messages())
    twice = {key: n for key, n in held.items() if n > 1}
    assert not twice, f"stored more than once: {twice}"
    return {
        (str(m["id"]), str(m["phone"])): "sent" if m["cost"] > Decimal(0) else "not sent"
        for m in sandbox.messages()
    }


def assert_results_match_store(results: pd.DataFrame, sandbox) -> None:
    """Each sendable row's outcome is the store's, and nothing charged is missing from them."""
    store = store_outcome(sandbox)
    rows = results[results["outcome"].isin(["sent", "not sent", "unknown"])]
    said = {}
    for label, row in rows.iterrows():
        key = (str(row["sms_id"]), str(row["phone"]))
        truth = store.get(key, "not sent") if pd.notna(row["sms_id"]) else "not sent"
        assert row["outcome"] == truth, f"{label} {key}: results {row['outcome']}, store {truth}"
        said[key] = row["outcome"]
    charged = {key for key, outcome in store.items() if outcome == "sent"}
    assert charged <= {key for key, outcome in said.items() if outcome == "sent"}


# -- clients --------------------------------------------------------------------------------------


def client_for(sandbox, **kwargs) -> Client:
    return Client("demo", "demo", url=sandbox.url, environ={}, **kwargs)


class ForgettingClient(Client):
    """A real client; when a ``send.php`` answer is lost, SMSC forgets *phones* of that request.

    That is a number "refused with no trace": ``status.php`` answers -3 for it, as SMSC may for
    a number it refused at send (the sandbox keeps refused numbers, so they are deleted with
    ``del=1`` before the reconciliation can look).
    """

    def __init__(self, sandbox, phones, **kwargs):
        super().__init__("demo", "demo", url=sandbox.url, environ={}, **kwargs)
        self.sandbox_url, self.phones = sandbox.url, tuple(phones)

    def call(self, endpoint, params):
        try:
            return super().call(endpoint, params)
        except SmscConnectionError:
            if endpoint == "send.php":
                for phone in self.phones:
                    http.post(
                        f"{self.sandbox_url}/sys/status.php",
                        data={
                            "login": "demo",
                            "psw": "demo",
                            "id": params["id"],
                            "phone": phone,
                            "fmt": "3",
                            "del": "1",
                        },  # fmt: skip
                        timeout=10,
                    ).raise_for_status()
            raise


def run(plan, client, requests, **kwargs):
    kwargs.setdefault("max_workers", 1)
    return send(
        plan, client, payloads=requests, progress=False, retry=FAST, limits=LIMITS, **kwargs
    )


@pytest.fixture
def sandbox():
    with Sandbox(settings=SETTINGS) as running:
        yield running


# -- a lost answer, a refused first number ------------------------------------------------------


def two_recipients(first: str, second: str = "79990000009"):
    plan = plan_of(
        pd.DataFrame(
            {"phone": ["+79161000000", "+79990000009"], "text": ["Hi", "Hi"]},
            index=["first", "second"],
        )  # fmt: skip
    )
    plan.loc["first", "phone"] = first
    plan.loc["second", "phone"] = second
    requests = payloads(plan)
    assert len(requests) == 1 and requests[0].recipients == (first, second)
    return plan, requests


@pytest.mark.parametrize("lost", [True, False], ids=["answer-lost", "answer-read"])
@pytest.mark.parametrize("refusal", ["undeliverable", "wrong_number", "no_trace"])
def test_two_recipients_first_refused_reports_each_and_posts_once(sandbox, refusal, lost):
    first = {"undeliverable": "79990000008", "wrong_number": "12345", "no_trace": "12345"}[refusal]
    plan, requests = two_recipients(first)
    if lost:
        sandbox.inject("drop_after_accept")
    if refusal == "no_trace" and lost:
        client = ForgettingClient(sandbox, [first])
    else:
        client = client_for(sandbox)
    with pytest.warns(UserWarning, match="1 rows not sent"):
        results = run(plan, client, requests)

    assert_posts(sandbox, {requests[0].id: 1})
    assert results.loc["first", "outcome"] == "not sent"
    assert results.loc["second", "outcome"] == "sent"
    if lost:
        assert "confirmed through status.php" in results.loc["second", "reason"]
    else:
        assert results.loc["first", "reason"].startswith("sandbox: SMSC refused this number")
    assert_results_match_store(results, sandbox)


def test_a_lost_request_found_only_in_its_middle_is_accepted_and_posted_once(sandbox):
    plan = plan_of(contacts(3))
    plan.loc["c0", "phone"] = "12345"
    plan.loc["c2", "phone"] = TOO_LONG
    requests = payloads(plan)
    assert requests[0].recipients == ("12345", MIDDLE, TOO_LONG)
    sandbox.inject("drop_after_accept")
    client = ForgettingClient(sandbox, ["12345", TOO_LONG])
    with pytest.warns(UserWarning, match="2 rows not sent"):
        results = run(plan, client, requests)

    assert_posts(sandbox, {requests[0].id: 1})
    assert results.loc["c1", "outcome"] == "sent"
    assert results.loc[["c0", "c2"], "outcome"].eq("not sent").all()
    assert results.loc[["c0", "c2"], "status"].tolist() == [-3, -3]
    assert_results_match_store(results, sandbox)


@pytest.mark.parametrize("refusal", ["undeliverable", "no_trace"])
def test_a_lost_request_found_at_its_ends_reports_its_refused_middle_not_sent(sandbox, refusal):
    """The probes find the first and last recipient; the middle one's own status still counts."""
    plan = plan_of(
        pd.DataFrame(
            {"phone": ["+79990000007", "+79990000008", "+79990000009"], "text": ["Hi"] * 3},
            index=["first", "middle", "last"],
        )
    )
    requests = payloads(plan)
    assert requests[0].recipients == ("79990000007", "79990000008", "79990000009")
    sandbox.inject("drop_after_accept")
    if refusal == "no_trace":
        client = ForgettingClient(sandbox, ["79990000008"])
    else:
        client = client_for(sandbox)
    with pytest.warns(UserWarning, match="1 rows not sent"):
        results = run(plan, client, requests)

    assert_posts(sandbox, {requests[0].id: 1})
    assert results.loc[["first", "last"], "outcome"].eq("sent").all()
    assert results.loc["middle", "outcome"] == "not sent"
    assert_results_match_store(results, sandbox)


def test_a_lost_request_smsc_never_stored_is_posted_again_exactly_once(sandbox):
    plan = plan_of(contacts(6))
    requests = payloads(plan, max_recipients=3)
    sandbox.inject("http_500")  # the first post is not stored: status.php finds no recipient
    results = run(plan, client_for(sandbox), requests)

    assert_posts(sandbox, {requests[0].id: 2, requests[1].id: 1})
    ids = [record.params["id"] for record in sends(sandbox)]
    assert ids == [requests[0].id, requests[1].id, requests[0].id]  # same id, after reconciling
    assert results["outcome"].eq("sent").all()
    assert_results_match_store(results, sandbox)


@pytest.mark.parametrize(
    ("fault", "stored"),
    [
        ("drop_after_accept", True),
        ("truncated_json", True),
        ("empty_body", True),
        ("slow", True),
        ("http_500", False),
        ("html_error", False),
    ],  # fmt: skip
)
def test_every_fault_posts_each_request_once_or_twice_when_provably_unsent(sandbox, fault, stored):
    plan = plan_of(contacts(9))
    requests = payloads(plan, max_recipients=3)
    sandbox.inject(fault, count=2, delay=1.0)
    client = client_for(sandbox, timeout=(5, 0.3))
    results = run(plan, client, requests)

    again = 1 if stored else 2
    assert_posts(sandbox, {requests[0].id: again, requests[1].id: again, requests[2].id: 1})
    assert results["outcome"].eq("sent").all()
    assert_results_match_store(results, sandbox)


def test_a_read_timeout_posts_once_then_asks_status_and_never_posts_again(sandbox):
    plan = plan_of(contacts(3))
    requests = payloads(plan)
    (request,) = requests
    sandbox.inject("slow", delay=1.0)  # stored at once, answered after the client gave up
    client = client_for(sandbox, timeout=(5, 0.3))
    results = run(plan, client, requests)

    log = [(r.endpoint, r.params.get("cost")) for r in sandbox.requests
           if r.params.get("id", "").split(",")[0] == request.id]  # fmt: skip
    first_post = [endpoint for endpoint, _ in log].index("send.php")
    # before it only the check that no earlier run sent the request; after it only status.php
    assert all(endpoint == "status.php" for endpoint, _ in log[:first_post])
    assert log[first_post] == ("send.php", "3")
    after = log[first_post + 1 :]
    assert after and all(endpoint == "status.php" for endpoint, _ in after)
    assert_posts(sandbox, {request.id: 1})
    assert results["outcome"].eq("sent").all()
    assert results["reason"].str.contains("confirmed through status.php").all()
    assert results["reason"].str.contains("answer lost").all()  # this run posted it
    assert_results_match_store(results, sandbox)


def test_an_unregistered_sender_refused_inside_a_lost_request_is_not_sent(make_sandbox):
    account = Account("demo", "demo", senders={"SHOP"})
    # SMSC accepts such a request only under the reading that refuses each message (23/254);
    # the other (error 6 for the request) is end to end in test_send
    status_reading = replace(SETTINGS, reading=replace(READINGS["guess"], name="status"))
    sandbox = make_sandbox(accounts=[account], settings=status_reading)
    frame = pd.DataFrame(
        {"phone": ["+79161000000", "+79161000001"], "text": ["Hi", "Hi"],
         "sender": ["NOPE", "SHOP"]},
        index=["first", "second"],
    )  # fmt: skip
    plan = prepare(frame, phone="phone", text="text", sender="sender")
    requests = payloads(plan)
    assert len(requests) == 1
    sandbox.inject("drop_after_accept")
    with pytest.warns(UserWarning, match="1 rows not sent"):
        results = run(plan, client_for(sandbox), requests)

    assert_posts(sandbox, {requests[0].id: 1})
    assert results.loc["first", "outcome"] == "not sent"
    assert results.loc["first", "status"] == 23
    assert results.loc["second", "outcome"] == "sent"
    assert_results_match_store(results, sandbox)


# -- the notebook panel ----------------------------------------------------------------------------


def panel_plan(tag: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"phone": ["+7 916 123-45-67", "8 (903) 765-43-21", "+7 701 234 5678", "12345"],
         "text": [f"Sale {tag}: 30% off", f"Привет {tag}!", f"Sale {tag}: 30% off", "Hi"]},
        index=["anna", "boris", "kz", "bad"],
    )  # fmt: skip
    return prepare(frame, phone="phone", text="text")


@pytest.mark.parametrize("fault", [None, "drop_after_accept"])
def test_the_panel_confirmed_twice_posts_each_request_exactly_once(sandbox, fault):
    import uuid

    plan = panel_plan(uuid.uuid4().hex[:8])
    panel = preview(plan, client_for(sandbox), retry=FAST, limits=LIMITS, max_workers=1)
    assert posts(sandbox) == Counter()  # the quote sends nothing
    if fault:
        sandbox.inject(fault)
    send_and_confirm(panel)  # confirmed: sent
    assert panel.results is not None
    panel.button.disabled = False  # the guard is in Python, not only in the disabled flag
    send_and_confirm(panel)  # confirmed again: nothing more
    again = preview(plan, client_for(sandbox), quote=panel.quote, retry=FAST, limits=LIMITS)
    again.button.disabled = False
    send_and_confirm(again)

    assert_posts(sandbox, {request.id: 1 for request in panel.payloads})
    sendable = panel.results.loc[plan["sendable"], "outcome"]
    assert sendable.eq("sent").all()
    assert_results_match_store(panel.results, sandbox)


def send_and_confirm(panel) -> None:
    """Click Send, wait out the Confirm button's deaf time, click Confirm."""
    panel.button.click()
    if panel._confirm_shown_at is not None:
        panel._confirm_shown_at -= panel.confirm_delay
    panel.confirm.disabled = False
    panel.confirm.click()


# -- the dispatcher over a counting API, no HTTP ------------------------------------------------


class CountingApi:
    """Counts ``submit`` calls per id; answers, or raises what *outcomes* says for an id."""

    is_sandbox = True

    def __init__(self, outcomes=None):
        self.posted: Counter = Counter()
        self.outcomes = outcomes or {}

    def submit(self, params):
        self.posted[params["id"]] += 1
        outcome = self.outcomes.get(params["id"])
        if isinstance(outcome, BaseException):
            raise outcome
        return {"id": params["id"], "cnt": 1, "phones": []}


def dispatch_with(api, requests, pending_ids=None, stop=None, max_workers=2):
    from smsc_frames.campaign.dispatch import CampaignStop, Dispatcher
    from smsc_frames.journal import Journal

    stop = stop or CampaignStop()
    journal = Journal.open(None, requests)
    params = {request.id: request.params for request in requests}
    dispatcher = Dispatcher(api, journal, params, stop, max_workers=max_workers, progress=False)
    entries = [e for e in journal.entries() if pending_ids is None or e.payload_id in pending_ids]
    return dispatcher, journal, entries, stop


def test_the_dispatcher_posts_each_pending_request_exactly_once():
    requests = payloads(plan_of(contacts(12)), max_recipients=2)
    api = CountingApi()
    dispatcher, journal, entries, stop = dispatch_with(api, requests)
    dispatcher.dispatch(entries)
    assert api.posted == Counter({request.id: 1 for request in requests})
    assert {entry.state for entry in journal.entries()} == {"accepted"}
    assert stop.reason is None


def test_a_stopped_run_posts_nothing_more():
    from smsc_frames.campaign.dispatch import CampaignStop

    requests = payloads(plan_of(contacts(6)), max_recipients=2)
    stop = CampaignStop()
    stop.set("insufficient funds")
    api = CountingApi()
    dispatcher, journal, entries, _ = dispatch_with(api, requests, stop=stop)
    dispatcher.dispatch(entries)
    assert api.posted == Counter()
    assert {entry.state for entry in journal.entries()} == {"planned"}


def test_a_worker_failure_is_raised_and_its_request_left_in_flight_never_posted_again():
    requests = payloads(plan_of(contacts(6)), max_recipients=2)
    api = CountingApi({requests[0].id: RuntimeError("parser bug")})
    dispatcher, journal, entries, stop = dispatch_with(api, requests, max_workers=1)
    with pytest.raises(RuntimeError, match="parser bug"):
        dispatcher.dispatch(entries)
    assert stop.reason == "internal error: RuntimeError: parser bug"
    # the worker may already have taken the next requests: each is posted at most once
    assert api.posted[requests[0].id] == 1 and max(api.posted.values()) == 1
    states = {entry.payload_id: entry.state for entry in journal.entries()}
    assert states[requests[0].id] == "in_flight"  # reconciled by the next run, never re-posted
    for request in requests[1:]:
        assert states[request.id] == ("accepted" if api.posted[request.id] else "planned")


def test_two_worker_failures_raise_the_first_with_a_note_about_the_other():
    import threading

    requests = payloads(plan_of(contacts(4)), max_recipients=2)
    assert len(requests) == 2
    both_posted = threading.Barrier(2, timeout=10)

    class FailingTogether(CountingApi):
        def submit(self, params):
            self.posted[params["id"]] += 1
            both_posted.wait()
            raise RuntimeError(f"bug in {params['id']}")

    api = FailingTogether()
    dispatcher, _, entries, _ = dispatch_with(api, requests, max_workers=2)
    with pytest.raises(RuntimeError) as caught:
        dispatcher.dispatch(entries)
    assert len(caught.value.__notes__) == 1
    assert "another send worker failed too: RuntimeError: bug in" in caught.value.__notes__[0]
    assert api.posted == Counter({request.id: 1 for request in requests})


def test_an_interrupt_stops_posting_and_waits_for_the_post_in_flight(monkeypatch):
    import threading
    import time

    import smsc_frames.campaign.dispatch as dispatch

    requests = payloads(plan_of(contacts(8)), max_recipients=2)
    started = threading.Event()

    class SlowApi(CountingApi):
        def submit(self, params):
            self.posted[params["id"]] += 1
            started.set()
            time.sleep(0.3)  # the answer is on its way when the user presses Ctrl+C
            return {"id": params["id"], "cnt": 1, "phones": []}

    def interrupted(futures):
        started.wait(5)
        raise KeyboardInterrupt
        yield  # pragma: no cover - a generator, like as_completed

    monkeypatch.setattr(dispatch, "as_completed", interrupted)
    api = SlowApi()
    dispatcher, journal, entries, stop = dispatch_with(api, requests, max_workers=1)
    with pytest.raises(KeyboardInterrupt):
        dispatcher.dispatch(entries)
    assert stop.reason == "interrupted"
    states = [entry.state for entry in journal.entries()]
    assert states == ["accepted", "planned", "planned", "planned"]  # recorded before returning
    time.sleep(0.5)
    assert api.posted == Counter({requests[0].id: 1})  # nothing posted after the interrupt


def test_no_money_stops_the_run_after_the_refused_request():
    from smsc_frames.errors import api_error

    requests = payloads(plan_of(contacts(6)), max_recipients=2)
    api = CountingApi({requests[0].id: api_error(3, "no money")})
    dispatcher, journal, entries, stop = dispatch_with(api, requests, max_workers=1)
    dispatcher.dispatch(entries)
    assert api.posted == Counter({requests[0].id: 1})
    assert (stop.reason, stop.fatal) == ("insufficient funds", None)
    states = [entry.state for entry in journal.entries()]
    assert states == ["rejected", "planned", "planned"]


def test_refused_credentials_stop_the_run_with_the_error_to_raise():
    from smsc_frames.errors import AuthError, api_error

    requests = payloads(plan_of(contacts(4)), max_recipients=2)
    error = api_error(2, "authorise error")
    api = CountingApi({requests[0].id: error})
    dispatcher, journal, entries, stop = dispatch_with(api, requests, max_workers=1)
    dispatcher.dispatch(entries)
    assert api.posted == Counter({requests[0].id: 1})
    assert isinstance(stop.fatal, AuthError) and stop.fatal is error
    assert stop.reason == "SMSC error 2: authorise error"
    assert [entry.state for entry in journal.entries()] == ["planned", "planned"]


def test_the_dispatcher_stores_the_record_of_each_outcome():
    from smsc_frames.errors import SmscConnectionError, api_error
    from smsc_frames.records import Accepted, Lost

    requests = payloads(plan_of(contacts(6)), max_recipients=2)
    api = CountingApi(
        {
            requests[1].id: SmscConnectionError("read timed out", maybe_sent=True),
            requests[2].id: api_error(9, "duplicate request, wait a minute"),
        }
    )
    dispatcher, journal, entries, _ = dispatch_with(api, requests, max_workers=1)
    dispatcher.dispatch(entries)
    records = {entry.payload_id: (entry.state, entry.record) for entry in journal.entries()}
    assert records[requests[0].id][0] == "accepted"
    assert isinstance(records[requests[0].id][1], Accepted)
    assert records[requests[0].id][1].sandbox is True
    assert records[requests[1].id] == ("unknown", Lost("read timed out"))
    assert records[requests[2].id] == (
        "unknown",
        Lost("SMSC error 9: duplicate request, wait a minute", duplicate=True),
    )


@pytest.mark.parametrize(
    ("state", "record", "expected"),
    [
        ("planned", None, True),
        ("rejected", "money", True),
        ("rejected", "params", False),
        ("rejected", None, False),
        ("accepted", None, False),
        ("unknown", None, False),
        ("in_flight", None, False),
        ("accepted", "money", False),
    ],  # fmt: skip
)
def test_to_send_posts_only_planned_or_refused_for_money(state, record, expected):
    from smsc_frames.campaign.dispatch import to_send
    from smsc_frames.journal import JournalEntry
    from smsc_frames.records import Refused

    refused = {"money": Refused(3, "no money"), "params": Refused(1, "parameters error")}
    entry = JournalEntry("r-1", "digest", ("79161000000",), state, record=refused.get(record))
    assert to_send(entry) is expected


# -- the reconciler over a fake status API, no HTTP ---------------------------------------------


class FakeStatusApi:
    """``status`` and ``status_list`` from a table of (id, phone) -> (status, err, timestamp)."""

    is_sandbox = False

    def __init__(self, table=None, list_error=None, probe_error=None, unreported=()):
        from smsc_frames.policy import RetryPolicy

        self.table = table or {}
        self.unreported = set(unreported)
        self.list_error, self.probe_error = list_error, probe_error
        self.retry = RetryPolicy(settle=0.0)
        self.limits = SmscLimits(duplicate_window=61.0)
        self.probed: list = []
        self.listed: list = []

    def _row(self, sms_id, phone):
        status, err, stamp = self.table.get((sms_id, phone), (-3, 0, None))
        return {"id": sms_id, "phone": phone, "status": status, "err": err, "cost": None,
                "send_timestamp": stamp}  # fmt: skip

    def status(self, sms_id, phone):
        self.probed.append((sms_id, phone))
        if self.probe_error is not None:
            raise self.probe_error
        return pd.Series(self._row(sms_id, phone))

    def status_list(self, pairs, progress=None):
        self.listed.append(list(pairs))
        if self.list_error is not None:
            raise self.list_error
        rows = [self._row(sms_id, phone) for sms_id, phone in pairs]
        for row in rows:
            if (row["id"], row["phone"]) in self.unreported:
                row["status"] = None  # a row status.php left without a status
        return pd.DataFrame(rows)


def lost_entries(lost_record, rows=3):
    """A journal whose one request was posted and lost (*lost_record* None: left in flight)."""
    from smsc_frames.journal import Journal

    requests = payloads(plan_of(contacts(rows)))
    journal = Journal.open(None, requests)
    journal.mark(requests[0].id, "in_flight")
    if lost_record is not None:
        journal.mark(requests[0].id, "unknown", record=lost_record)
    return requests[0], journal


def reconcile_with(api, journal):
    from smsc_frames.campaign.dispatch import CampaignStop
    from smsc_frames.campaign.reconcile import Reconciler

    stop = CampaignStop()
    Reconciler(api, journal, stop).settle(journal.entries())
    (entry,) = journal.entries()
    return entry, stop


@pytest.fixture
def sleeps(monkeypatch):
    import smsc_frames.campaign.reconcile as reconcile

    slept: list[float] = []
    monkeypatch.setattr(reconcile.time, "sleep", slept.append)
    return slept


def test_a_duplicate_answer_found_nowhere_is_planned_after_smsc_duplicate_window(sleeps):
    from smsc_frames.records import Lost, NotFound

    request, journal = lost_entries(Lost("SMSC error 9: duplicate", duplicate=True))
    entry, stop = reconcile_with(FakeStatusApi(), journal)
    assert (entry.state, entry.record) == ("planned", NotFound())
    assert len(sleeps) == 1 and 59 < sleeps[0] <= 61  # the rest of the 61 s window
    assert stop.reason is None


def test_a_lost_answer_found_nowhere_is_planned_without_waiting_for_the_window(sleeps):
    from smsc_frames.records import Lost, NotFound

    request, journal = lost_entries(Lost("read timed out"))
    entry, _ = reconcile_with(FakeStatusApi(), journal)
    assert (entry.state, entry.record) == ("planned", NotFound())
    assert sleeps == []


@pytest.mark.parametrize("duplicate", [True, False])
def test_a_found_request_is_dated_by_its_post_or_by_smsc_after_a_duplicate(sleeps, duplicate):
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("lost", duplicate=duplicate))
    first, middle, last = request.recipients
    table = {(request.id, middle): (1, 0, 1767261000)}
    entry, _ = reconcile_with(FakeStatusApi(table), journal)
    assert entry.state == "accepted"
    assert [s.status for s in entry.record.statuses] == [-3, 1, -3]
    expected = "2026-01-01T09:50:00+00:00" if duplicate else entry.posted_at
    assert entry.record.posted_at == expected
    assert sleeps == []


def test_an_end_found_still_lists_every_recipient(sleeps):
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("lost"))
    first, middle, last = request.recipients
    table = {(request.id, first): (1, 0, None), (request.id, last): (1, 0, None)}
    api = FakeStatusApi(table)
    entry, _ = reconcile_with(api, journal)
    assert api.listed == [[(request.id, p) for p in request.recipients]]
    assert entry.state == "accepted"
    assert entry.record.refused_phones() == {middle}


@pytest.mark.parametrize("where", ["probe", "list"])
def test_a_status_failure_keeps_the_request_unknown_with_the_reason(sleeps, where):
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("read timed out", duplicate=True))
    api = FakeStatusApi(**{f"{where}_error": RuntimeError("boom")})
    entry, stop = reconcile_with(api, journal)
    assert entry.state == "unknown"
    assert entry.record == Lost("read timed out", True, True, "boom")
    assert stop.reason is None and sleeps == []


@pytest.mark.parametrize("where", ["probe", "list"])
def test_refused_credentials_at_status_stop_the_run(sleeps, where):
    from smsc_frames.errors import AuthError
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("read timed out"))
    error = AuthError(2, "authorise error")
    entry, stop = reconcile_with(FakeStatusApi(**{f"{where}_error": error}), journal)
    assert entry.state == "unknown" and entry.record == Lost("read timed out")
    assert stop.fatal is error and stop.reason == "SMSC error 2: authorise error"


@pytest.mark.parametrize("duplicate", [True, False])
def test_an_end_found_dates_the_request_by_its_post_unless_smsc_said_duplicate(sleeps, duplicate):
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("lost", duplicate=duplicate))
    first, middle, last = request.recipients
    api = FakeStatusApi({(request.id, first): (1, 0, 1767261000), (request.id, middle): (1, 0, 1)})
    api.is_sandbox = True
    entry, _ = reconcile_with(api, journal)
    assert entry.state == "accepted" and entry.record.sandbox is True
    assert [s.status for s in entry.record.statuses] == [1, 1, -3]
    assert entry.record.posted_at == (None if duplicate else entry.posted_at)


STOPPED = "the run stopped while the request was in flight (no answer recorded)"


def test_a_request_left_in_flight_that_status_cannot_settle_says_so(sleeps):
    request, journal = lost_entries(None)
    entry, _ = reconcile_with(FakeStatusApi(list_error=RuntimeError("boom")), journal)
    assert entry.state == "unknown"
    assert (entry.record.detail, entry.record.reconcile_error) == (STOPPED, "boom")


def test_a_recipient_status_php_left_without_status_is_not_known_yet(sleeps):
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("read timed out"))
    first, middle, last = request.recipients
    api = FakeStatusApi({(request.id, last): (1, 0, None)}, unreported=[(request.id, middle)])
    entry, _ = reconcile_with(api, journal)
    assert entry.state == "accepted"  # found at its end: accepted, the middle one not known yet
    assert entry.record.missing(request.recipients) == [middle]


def test_an_in_flight_request_with_a_recipient_unreported_stays_unknown_and_says_why(sleeps):
    request, journal = lost_entries(None)
    first, middle, last = request.recipients
    api = FakeStatusApi(unreported=[(request.id, middle)])
    entry, _ = reconcile_with(api, journal)
    assert entry.state == "unknown"
    assert entry.record.detail == STOPPED
    assert entry.record.reconcile_error == "status.php did not report every recipient"


def test_a_list_that_reports_nothing_of_a_request_keeps_it_unknown(sleeps):
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("read timed out"))

    class Empty(FakeStatusApi):
        def status_list(self, pairs, progress=None):
            self.listed.append(list(pairs))
            return pd.DataFrame(columns=["id", "phone", "status", "err", "cost"])

    entry, _ = reconcile_with(Empty(), journal)
    assert entry.state == "unknown"
    assert entry.record.reconcile_error == "status.php did not report every recipient"


def test_a_list_that_omits_a_found_end_keeps_the_probe_status_and_reads_cost_and_err(sleeps):
    from smsc_frames.records import Lost, RecipientStatus

    request, journal = lost_entries(Lost("read timed out"))
    first, middle, last = request.recipients

    class Costed(FakeStatusApi):
        def _row(self, sms_id, phone):
            row = super()._row(sms_id, phone)
            if phone == middle:
                row.update(status=1, err=None, cost="5.45", send_timestamp=1767261000)
            return row

    api = Costed({(request.id, first): (1, 0, None)}, unreported=[(request.id, first)])
    entry, _ = reconcile_with(api, journal)
    assert entry.state == "accepted"
    assert entry.record.missing(request.recipients) == []
    by_phone = {s.phone: s for s in entry.record.statuses}
    assert (by_phone[first].status, by_phone[last].status) == (1, -3)
    assert by_phone[middle] == RecipientStatus(middle, 1, None, Decimal("5.45"), 1767261000)


def test_a_request_posted_moments_ago_is_given_the_settle_time_before_status(sleeps):
    """A just-posted request may still be on its way: never call it unsent before settle."""
    from smsc_frames.policy import RetryPolicy
    from smsc_frames.records import Lost

    request, journal = lost_entries(Lost("read timed out"))
    api = FakeStatusApi()
    api.retry = RetryPolicy(settle=30.0)
    entry, _ = reconcile_with(api, journal)
    assert len(sleeps) == 1 and 29 < sleeps[0] <= 30
    assert entry.state == "planned"
