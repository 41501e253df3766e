"""The notebook panel over real HTTP against the sandbox, driven with Button.click()."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest

from smsc_frames.campaign import estimate
from smsc_frames.client import Client
from smsc_frames.errors import AuthError, SmscFramesError
from smsc_frames.plan import prepare
from smsc_frames.sandbox.settings import Account
from smsc_frames.widgets import preview, sent_campaigns


def client_for(sandbox, login="demo", password="demo") -> Client:
    return Client(login, password, url=sandbox.url, environ={})


@pytest.fixture
def plan() -> pd.DataFrame:
    """Three sendable rows (one Latin text with a curly apostrophe), a bad phone, a duplicate.

    A unique tag in the texts gives each test its own campaign id, as the guard is per kernel.
    """
    tag = uuid.uuid4().hex[:8]
    latin = f"It’s sale time {tag}: up to 30% off everything in store this week only, come by!"
    contacts = pd.DataFrame(
        {
            "phone": [
                "+7 916 123-45-67",
                "8 (903) 765-43-21",
                "+7 701 234 5678",
                "12345",
                "+7 916 123-45-67",
            ],
            "text": [latin, f"Привет {tag}!", latin, latin, latin],
        },
        index=pd.Index(["anna", "boris", "kz", "bad", "anna_again"], name="contact"),
    )
    return prepare(contacts, phone="phone", text="text")


def stored(sandbox) -> Counter:
    return Counter((message["phone"], message["text"]) for message in sandbox.messages())


def expected(plan: pd.DataFrame) -> Counter:
    sendable = plan[plan["sendable"]]
    return Counter(zip(sendable["phone"], sendable["text"]))


def output_html(panel) -> str:
    return "".join(item["data"].get("text/html", "") for item in panel.output.outputs)


def test_panel_shows_recipients_costs_problems_and_a_label_that_says_what_happens(sandbox, plan):
    client = client_for(sandbox)
    panel = preview(plan, client)
    quote = panel.quote
    assert sandbox.messages() == []  # previewing quotes with cost=1: nothing is sent

    numbers = quote.table.loc[quote.table["sendable"], "phone"].nunique()
    assert numbers == 3
    assert panel.button.description == (
        f"Send {quote.total_parts:,} SMS to {numbers:,} numbers for {quote.total_cost:,.2f}"
    )
    header, tabs = panel.children[0].value, panel.children[1]
    assert "<b>3</b> recipients" in header and "<b>1</b> invalid" in header
    assert "<b>1</b> duplicates" in header
    assert f"total cost <b>{quote.total_cost:,.2f}</b>" in header
    assert "Sandbox" in header

    operators, parts, problems, costly = (child.value for child in tabs.children)
    for operator in quote.by_operator.index:
        assert str(operator) in operators
    assert operators.count('class="smsc-bar"') == len(quote.by_operator)
    assert "2 parts" in parts and "1 part<" in parts
    assert "12345" in problems and plan.loc["bad", "problem"] in problems
    assert "’" in costly and "apply_savings(plan)" in costly


def test_first_click_only_asks_the_second_sends_once_further_clicks_nothing(sandbox, plan):
    panel = preview(plan, client_for(sandbox))
    label = panel.button.description

    panel.button.click()
    assert sandbox.messages() == []
    assert panel.button.description == f"Click again to confirm: {label}"

    panel.button.click()
    assert stored(sandbox) == expected(plan)
    assert panel.results is not None
    assert panel.results.loc["anna", "outcome"] == "sent"
    assert panel.button.disabled
    sent_parts = int(plan.loc[plan["sendable"], "parts"].sum())
    assert f"Sent {sent_parts} SMS to 3 numbers for {panel.quote.total_cost:,.2f}" in (
        output_html(panel)
    )

    for _ in range(3):
        panel.button.click()
    panel.button.disabled = False  # the guard is in Python, not only in the disabled flag
    panel.button.click()
    panel.button.click()
    assert stored(sandbox) == expected(plan)
    assert sent_campaigns()[panel.guard_key] == "sent"


def test_cancel_goes_back_without_sending(sandbox, plan):
    panel = preview(plan, client_for(sandbox))
    label = panel.button.description
    panel.button.click()
    panel.cancel.click()
    assert panel.button.description == label
    panel.button.click()
    assert sandbox.messages() == []
    assert panel.button.description.startswith("Click again to confirm")


def test_a_new_panel_for_the_same_plan_cannot_send_again(sandbox, plan):
    client = client_for(sandbox)
    first = preview(plan, client)
    first.button.click()
    first.button.click()
    assert stored(sandbox) == expected(plan)

    again = preview(plan, client)  # the cell re-run
    assert again.guard_key == first.guard_key == (sandbox.url, first.campaign_id)
    assert again.button.disabled and again.button.description.startswith("Sent in this kernel")
    again.button.disabled = False
    again.button.click()
    again.button.click()
    assert again.send() is first.results  # from code too: the results, nothing posted
    assert stored(sandbox) == expected(plan)


def test_two_simultaneous_sends_post_once(sandbox, plan):
    panel = preview(plan, client_for(sandbox))
    outcomes = []

    def attempt():
        try:
            outcomes.append(panel.send())
        except SmscFramesError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stored(sandbox) == expected(plan)
    assert sum(isinstance(outcome, pd.DataFrame) for outcome in outcomes) >= 1


def test_a_failed_send_shows_its_error_in_the_panel_and_is_not_retried(sandbox, plan):
    quote = estimate(plan, client_for(sandbox))
    panel = preview(plan, client_for(sandbox, password="wrong"), quote=quote)
    panel.button.click()
    panel.button.click()
    assert isinstance(panel.error, AuthError)
    html = output_html(panel)
    assert "Send failed" in html and "AuthError" in html
    assert "wrong" not in html  # no secret in what is shown
    assert panel.button.disabled
    panel.button.disabled = False
    panel.button.click()
    panel.button.click()
    with pytest.raises(SmscFramesError, match="failed in this kernel"):
        panel.send()
    assert sandbox.messages() == []


def test_an_unfinished_send_without_a_journal_is_not_resumed(make_sandbox, plan):
    sandbox = make_sandbox(accounts=[Account("poor", "pw", balance=Decimal("0.00"))])
    client = Client("poor", "pw", url=sandbox.url, environ={})
    panel = preview(plan, client)
    panel.button.click()
    panel.button.click()
    assert sandbox.messages() == []
    assert "not sent" in output_html(panel)  # send's warning, shown in the panel
    assert "smsc-success" not in output_html(panel)  # no green banner for a send that failed
    assert "smsc-warning" in output_html(panel)
    assert sent_campaigns()[panel.guard_key] == "incomplete"
    assert panel.button.disabled
    sandbox.state.set_balance("poor", "100.00")
    assert preview(plan, client, quote=panel.quote).send() is panel.results
    assert sandbox.messages() == []


def test_an_unfinished_send_with_a_journal_resumes_exactly_once(make_sandbox, plan, tmp_path):
    sandbox = make_sandbox(accounts=[Account("poor", "pw", balance=Decimal("0.00"))])
    client = Client("poor", "pw", url=sandbox.url, environ={})
    journal = tmp_path / "campaign.journal"
    panel = preview(plan, client, journal=journal)
    panel.button.click()
    panel.button.click()
    assert sandbox.messages() == []
    assert panel.button.description.startswith("Resume from the journal")

    sandbox.state.set_balance("poor", "100.00")
    panel.button.click()
    panel.button.click()
    assert stored(sandbox) == expected(plan)
    assert (panel.results.loc[plan["sendable"], "outcome"] == "sent").all()
    again = preview(plan, client, quote=panel.quote, journal=journal)
    again.send()
    assert stored(sandbox) == expected(plan)


def test_the_same_plan_may_still_go_once_to_another_server(sandbox, make_sandbox, plan):
    first = preview(plan, client_for(sandbox))
    first.send()
    other = make_sandbox()
    second = preview(plan, client_for(other))
    assert second.campaign_id == first.campaign_id
    second.button.click()
    second.button.click()
    second.button.click()
    assert stored(other) == expected(plan)
    assert stored(sandbox) == expected(plan)
