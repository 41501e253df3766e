"""estimate(): SMSC's price for the very payloads send() would post, asked once per client."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from send_helpers import FAST, FAST_LIMITS, client_for, contacts, messy_contacts, plan_of

from smsc_frames.campaign import Quote, estimate, quote_cache_key, send
from smsc_frames.client import Client
from smsc_frames.errors import SmscConnectionError
from smsc_frames.payloads import payloads
from smsc_frames.quotecache import QuoteCache
from smsc_frames.sandbox import Sandbox
from smsc_frames.transport.form import SANDBOX_HEADER


class CountingClient(Client):
    """A real client over HTTP that also counts its send.php calls."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sends = 0

    def call(self, endpoint, params):
        self.sends += endpoint == "send.php"
        return super().call(endpoint, params)


@pytest.fixture
def sandbox():
    with Sandbox() as running:
        yield running


def test_quote_prices_every_sendable_row_and_sends_nothing(sandbox):
    plan = plan_of(messy_contacts())
    quote = estimate(plan, client_for(sandbox))

    assert isinstance(quote, Quote)
    assert not sandbox.messages()
    table = quote.table
    assert table.index.equals(plan.index)
    sendable = table[table["sendable"]]
    assert quote.recipients == len(sendable) == 6
    assert all(isinstance(cost, Decimal) and cost > 0 for cost in sendable["cost"])
    assert quote.total_cost == sum(sendable["cost"])
    assert quote.total_parts == sendable["parts"].sum()
    assert sendable["mccmnc"].notna().all() and sendable["operator"].notna().all()
    assert sendable["cnt_agrees"].all()
    assert table.loc["dup_of_c1", "problem"] == "duplicate of row c1"
    assert not table.loc[["bad_phone", "empty_text", "dup_of_c1"], "sendable"].any()
    assert table.loc[["bad_phone", "empty_text"], "problem"].notna().all()


def test_quote_matches_what_send_then_charges(sandbox):
    plan = plan_of(contacts(15))
    requests = payloads(plan, max_recipients=4)
    client = client_for(sandbox)
    quote = estimate(plan, client, payloads=requests)
    results = send(plan, client, payloads=requests, progress=False, retry=FAST, limits=FAST_LIMITS)
    assert quote.total_cost == sum(results["cost"])
    assert (quote.table["cost"] == results["cost"]).all()
    assert (quote.table["mccmnc"] == results["mccmnc"]).all()


def test_a_request_smsc_refuses_is_shown_row_by_row_and_the_rest_still_priced(sandbox):
    frame = contacts(6)
    frame.loc["c2", "text"] = "Win a prize SANDBOX-DENY now"  # the sandbox's error 6
    plan = plan_of(frame)
    requests = payloads(plan, max_recipients=1)
    denied = next(r.id for r in requests if "SANDBOX-DENY" in str(r.params))
    client = CountingClient("demo", "demo", url=sandbox.url, environ={})
    with pytest.warns(UserWarning, match=r"The sandbox would refuse 1 request\(s\), 1 rows in all"):
        quote = estimate(plan, client, payloads=requests, cache=None)

    table = quote.table
    assert table.loc["c2", "payload_id"] == denied and not table.loc["c2", "sendable"]
    assert table.loc["c2", "problem"].startswith("SMSC error 6: message is denied (")
    assert quote.recipients == 5 and table.drop(index="c2")["sendable"].all()
    with pytest.warns(UserWarning, match="1 rows not sent"):
        results = send(
            plan, client, payloads=requests, progress=False, retry=FAST, limits=FAST_LIMITS
        )
    assert quote.total_cost == sum(results["cost"].fillna(0)) > 0
    asked = client.sends
    with pytest.warns(UserWarning, match="The sandbox would refuse"):
        estimate(plan, client, payloads=requests, cache=None)
    assert client.sends == asked + 1  # a refusal is asked again, never remembered


def test_a_real_servers_refusal_is_smscs_in_the_warnings(sandbox):
    # the sandbox behind a session that drops its marker header: how a real SMSC answers
    def unmark(answer: requests.Response, *args: object, **kwargs: object) -> None:
        del answer.headers[SANDBOX_HEADER]

    unmarked = requests.Session()
    unmarked.hooks["response"].append(unmark)
    client = Client("demo", "demo", url=sandbox.url, environ={}, session=unmarked)
    frame = contacts(3)
    frame.loc["c1", "text"] = "Win a prize SANDBOX-DENY now"
    with pytest.warns(UserWarning) as said:
        quote = estimate(plan_of(frame), client, cache=None)
    assert client.is_sandbox is False and not quote.sandbox
    assert any(str(w.message).startswith("SMSC would refuse 1 request(s)") for w in said)


def test_by_operator_adds_up_to_the_totals(sandbox):
    quote = estimate(plan_of(contacts(20)), client_for(sandbox))
    by_operator = quote.by_operator
    assert by_operator["recipients"].sum() == quote.recipients
    assert by_operator["parts"].sum() == quote.total_parts
    assert by_operator["cost"].sum() == quote.total_cost
    assert "<table" in quote._repr_html_() and "sandbox" in quote._repr_html_()


def test_repeated_estimates_reuse_the_answers_of_the_same_client(sandbox):
    plan = plan_of(contacts(9))
    requests = payloads(plan, max_recipients=3)
    client = CountingClient("demo", "demo", url=sandbox.url, environ={})
    first = estimate(plan, client, payloads=requests)
    for _ in range(7):  # SMSC refuses a 6th identical cost=1 request within a minute
        again = estimate(plan, client, payloads=requests)
    assert client.sends == len(requests) == 3
    assert again.total_cost == first.total_cost

    other = CountingClient("demo", "demo", url=sandbox.url, environ={})
    estimate(plan, other, payloads=requests)
    assert other.sends == 3


def test_a_local_count_that_disagrees_with_smsc_is_flagged(sandbox):
    plan = plan_of(contacts(4))
    plan.loc["c0", "parts"] = plan.loc["c0", "parts"] + 1
    with pytest.warns(UserWarning, match="counts the parts"):
        quote = estimate(plan, client_for(sandbox))
    assert not quote.table.loc["c0", "cnt_agrees"]
    same_request = quote.table["payload_id"] == quote.table.loc["c0", "payload_id"]
    assert not quote.table.loc[same_request, "cnt_agrees"].any()


def test_quote_shows_the_balance_and_whether_it_covers_the_campaign(sandbox):
    quote = estimate(plan_of(contacts(3)), client_for(sandbox))
    assert quote.balance == Decimal("1000.00") and quote.affordable is True
    assert "balance 1,000.00" in str(quote) and "balance 1,000.00" in quote._repr_html_()


def test_estimate_warns_when_the_balance_cannot_pay_for_the_campaign():
    from smsc_frames.sandbox.settings import Account

    with Sandbox(accounts=[Account("demo", "demo", balance="3.00")]) as poor:
        with pytest.warns(UserWarning, match="balance is 3.00"):
            quote = estimate(plan_of(contacts(3)), client_for(poor))
    assert quote.affordable is False and quote.balance == Decimal("3.00")
    assert "NOT ENOUGH" in str(quote) and "NOT ENOUGH" in quote._repr_html_()


def test_a_balance_that_cannot_be_read_leaves_the_quote_usable(sandbox):
    class NoBalance(CountingClient):
        def call(self, endpoint, params):
            if endpoint == "balance.php":
                raise SmscConnectionError("reset", maybe_sent=True)
            return super().call(endpoint, params)

    quote = estimate(plan_of(contacts(3)), NoBalance("demo", "demo", url=sandbox.url, environ={}))
    assert quote.balance is None and quote.affordable is None
    assert quote.recipients == 3 and "balance unknown" in str(quote)


def cost1_requests(sandbox) -> int:
    return sum(
        record.endpoint == "send.php" and record.params.get("cost") == "1"
        for record in sandbox.requests
    )


def test_a_cache_mapping_shares_answers_between_clients(sandbox):
    plan = plan_of(contacts(9))
    requests = payloads(plan, max_recipients=3)
    cache: dict[str, dict] = {}
    first = estimate(plan, client_for(sandbox), payloads=requests, cache=cache)
    for _ in range(7):  # a new client each time, as every CLI run: still one request each
        again = estimate(plan, client_for(sandbox), payloads=requests, cache=cache)
    assert cost1_requests(sandbox) == len(requests) == 3
    assert again.total_cost == first.total_cost
    assert again.table["cost"].equals(first.table["cost"])
    assert first.sandbox and again.sandbox  # no send.php asked: still labelled as the sandbox
    assert set(cache) == {quote_cache_key(client_for(sandbox), r.digest) for r in requests}


def test_cache_keys_name_the_server_and_account_but_no_secret(sandbox):
    by_password = Client("demo", "pass-word-1", url=sandbox.url, environ={})
    by_apikey = Client(apikey="demo-apikey", url=sandbox.url, environ={})
    keys = {
        quote_cache_key(by_password, "d"),
        quote_cache_key(by_apikey, "d"),
        quote_cache_key(Client("other", "x", url=sandbox.url, environ={}), "d"),
        quote_cache_key(Client("demo", "x", url="https://smsc.ru", environ={}), "d"),
    }
    assert len(keys) == 4
    assert all(sandbox.url in key or "smsc.ru" in key for key in keys)
    assert not any("pass-word-1" in key or "demo-apikey" in key for key in keys)

    plan = plan_of(contacts(3))
    cache: dict[str, dict] = {}
    estimate(plan, client_for(sandbox), cache=cache)
    estimate(plan, by_apikey, cache=cache)  # another identity: asked, never borrowed
    assert cost1_requests(sandbox) == 2 and len(cache) == 2


def test_an_expired_file_cache_entry_is_asked_again(sandbox, tmp_path, fake_clock):
    plan = plan_of(contacts(4))
    path = tmp_path / "cache" / "quotes.json"

    def run() -> Quote:
        cache = QuoteCache(path, ttl=600, clock=fake_clock)
        quote = estimate(plan, client_for(sandbox), cache=cache)
        cache.save()
        return quote

    first = run()
    assert cost1_requests(sandbox) == 1
    fake_clock.advance(599)
    assert run().total_cost == first.total_cost
    assert cost1_requests(sandbox) == 1
    fake_clock.advance(2)  # 601 s after the answer: stale, asked again
    assert run().total_cost == first.total_cost
    assert cost1_requests(sandbox) == 2
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"version": 1}',
        b'{"version": 1, "entries": {"k": {"answer": 3}}}',
        b"\xff\xfe\x00",
    ],
)
def test_a_corrupt_file_cache_is_ignored(sandbox, tmp_path, content):
    path = tmp_path / "quotes.json"
    path.write_bytes(content)
    path.chmod(0o600)
    plan = plan_of(contacts(3))
    cache = QuoteCache(path)
    quote = estimate(plan, client_for(sandbox), cache=cache)
    assert quote.recipients == 3 and cost1_requests(sandbox) == 1
    assert cache.save()
    again = estimate(plan, client_for(sandbox), cache=QuoteCache(path))
    assert again.total_cost == quote.total_cost and cost1_requests(sandbox) == 1


def test_an_unreadable_or_unwritable_cache_never_stops_an_estimate(sandbox, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = QuoteCache(blocker / "quotes.json")  # its folder cannot exist
    quote = estimate(plan_of(contacts(3)), client_for(sandbox), cache=cache)
    assert quote.recipients == 3
    with pytest.warns(UserWarning, match="could not write the quote cache"):
        assert cache.save() is False


def test_a_long_estimate_shows_its_progress_on_request(sandbox, capsys):
    plan = plan_of(contacts(6))
    estimate(plan, client_for(sandbox), progress=True)
    assert "quote: 100%" in capsys.readouterr().err
    estimate(plan_of(contacts(7)), client_for(sandbox))  # no bar unless asked
    assert "quote" not in capsys.readouterr().err
