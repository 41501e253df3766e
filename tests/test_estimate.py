"""estimate(): SMSC's price for the very payloads send() would post, asked once per client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from send_helpers import FAST, client_for, contacts, messy_contacts, plan_of

from smsc_frames.campaign import Quote, estimate, send
from smsc_frames.client import Client
from smsc_frames.errors import SmscConnectionError
from smsc_frames.payloads import payloads
from smsc_frames.sandbox import Sandbox


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
    results = send(plan, client, payloads=requests, progress=False, retry=FAST)
    assert quote.total_cost == sum(results["cost"])
    assert (quote.table["cost"] == results["cost"]).all()
    assert (quote.table["mccmnc"] == results["mccmnc"]).all()


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
    assert "balance 1000.00" in str(quote) and "balance 1000.00" in quote._repr_html_()


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
