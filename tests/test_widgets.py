"""The notebook panel over real HTTP against the sandbox, driven with Button.click()."""

from __future__ import annotations

import threading
import time
import uuid
import warnings
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest

from smsc_frames.campaign import estimate
from smsc_frames.client import Client
from smsc_frames.errors import AuthError, SmscFramesError
from smsc_frames.plan import prepare
from smsc_frames.policy import RetryPolicy
from smsc_frames.sandbox.settings import Account, SandboxSettings
from smsc_frames.widgets import preview, sent_campaigns

FAST = RetryPolicy(backoff=0.05, max_backoff=0.2, settle=1.0)

#: A duplicate window far shorter than the tests' waits: a second post is stored twice.
TINY_WINDOW_SETTINGS = SandboxSettings(
    duplicate_window=0.05, seconds_to_operator=0.05, seconds_to_final=0.15
)


@pytest.fixture
def sandbox(make_sandbox):
    """conftest's sandbox with :data:`TINY_WINDOW_SETTINGS`: every "nothing posted again"
    here is proved by the store, not by SMSC's duplicate window."""
    return make_sandbox(settings=TINY_WINDOW_SETTINGS)


def posts(sandbox) -> Counter:
    """How many times each request id was posted to ``send.php`` (quotes left out)."""
    return Counter(
        r.params.get("id")
        for r in sandbox.requests
        if r.endpoint == "send.php" and r.params.get("cost") != "1"
    )


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
    """What the panel shows about the outcome (never the progress Output)."""
    return panel.summary.value + panel.errors.value


def send_and_confirm(panel) -> None:
    """Click Send, wait out the confirm delay, click Confirm."""
    panel.button.click()
    if panel._confirm_shown_at is not None:
        panel._confirm_shown_at -= panel.confirm_delay
    panel.confirm.click()


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
    header, tabs = panel.children[0].value, panel.children[-1]
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


def test_send_only_asks_confirm_sends_once_further_clicks_nothing(sandbox, plan):
    panel = preview(plan, client_for(sandbox))
    label = panel.button.description
    assert panel.confirm.layout.display == "none"

    panel.button.click()
    assert sandbox.messages() == []
    assert panel.confirm.layout.display is None and panel.confirm.description == (
        f"Confirm: {label}"
    )
    panel.button.click()  # Send again is not a confirmation
    assert sandbox.messages() == []

    panel._confirm_shown_at -= panel.confirm_delay
    panel.confirm.click()
    assert stored(sandbox) == expected(plan)
    assert panel.results is not None
    assert panel.results.loc["anna", "outcome"] == "sent"
    assert panel.button.disabled and panel.confirm.layout.display == "none"
    sent_parts = int(plan.loc[plan["sendable"], "parts"].sum())
    assert f"Sent {sent_parts} SMS to 3 numbers for {panel.quote.total_cost:,.2f}" in (
        panel.summary.value
    )
    assert panel.output.outputs == () or all(  # the progress Output holds no outcome
        "Sent " not in str(item) for item in panel.output.outputs
    )

    for _ in range(3):
        panel.button.click()
        panel.confirm.click()
    panel.button.disabled = False  # the guard is in Python, not only in the disabled flag
    send_and_confirm(panel)
    assert stored(sandbox) == expected(plan)
    assert sent_campaigns()[panel.guard_key] == "sent"


def test_a_double_click_on_a_fresh_send_button_sends_nothing(sandbox, plan):
    panel = preview(plan, client_for(sandbox))
    panel.button.click()
    panel.button.click()
    panel.confirm.click()  # even a click on Confirm at once: within confirm_delay, ignored
    assert sandbox.messages() == []
    assert panel.results is None
    time_left = panel.confirm_delay - (panel._clock() - panel._confirm_shown_at)
    assert time_left > 0
    panel._confirm_shown_at -= panel.confirm_delay
    panel.confirm.click()
    assert stored(sandbox) == expected(plan)


def test_cancel_goes_back_without_sending(sandbox, plan):
    panel = preview(plan, client_for(sandbox))
    label = panel.button.description
    panel.button.click()
    panel.cancel.click()
    assert panel.button.description == label and not panel.button.disabled
    assert panel.confirm.layout.display == "none"
    panel._clock = lambda: 1e12  # long after: still no Confirm to click
    panel.confirm.click()
    assert sandbox.messages() == []
    panel.button.click()
    assert panel.confirm.layout.display is None


def test_a_new_panel_for_the_same_plan_cannot_send_again(sandbox, plan):
    client = client_for(sandbox)
    first = preview(plan, client)
    send_and_confirm(first)
    assert stored(sandbox) == expected(plan)

    again = preview(plan, client)  # the cell re-run
    assert again.guard_key == first.guard_key == (sandbox.url, first.campaign_id)
    assert again.button.disabled and again.button.description.startswith("Sent in this kernel")
    assert "Sent 4 SMS" in again.summary.value or "Sent " in again.summary.value
    again.button.disabled = False
    again.button.click()
    assert again.confirm.layout.display == "none"  # a sent campaign never offers Confirm
    send_and_confirm(again)
    assert again.send() is first.results  # from code too: the results, nothing posted
    assert stored(sandbox) == expected(plan)


def test_a_send_while_one_is_in_flight_posts_nothing(sandbox, plan):
    """A second send (this panel from code, or a re-run cell's panel) during the first one's
    posts raises and posts nothing. The duplicate window is far shorter than the test, so a
    second post would be stored twice, not hidden by SMSC's error 9."""
    client = client_for(sandbox)
    panel = preview(plan, client)
    sandbox.inject("slow", delay=3.0, count=20)  # every post answered 3 s late
    first = threading.Thread(target=panel.send)
    first.start()
    deadline = time.monotonic() + 10
    while not panel.button.description.startswith("Sending") and time.monotonic() < deadline:
        time.sleep(0.01)
    again = preview(plan, client, quote=panel.quote)  # the cell re-run, no new quote
    for attempt in (panel.send, again.send):
        with pytest.raises(SmscFramesError, match="is sending in this kernel"):
            attempt()
    first.join()
    time.sleep(5 * TINY_WINDOW_SETTINGS.duplicate_window)
    assert again.send() is panel.results  # once finished: its results, nothing posted
    sends = posts(sandbox)
    assert sends and set(sends.values()) == {1}
    assert sorted(sends) == sorted(request.id for request in panel.payloads)
    assert stored(sandbox) == expected(plan)


def test_a_failed_send_shows_its_error_in_the_panel_and_is_not_retried(sandbox, plan):
    quote = estimate(plan, client_for(sandbox))
    panel = preview(plan, client_for(sandbox, password="wrong"), quote=quote)
    send_and_confirm(panel)
    assert isinstance(panel.error, AuthError)
    html = output_html(panel)
    assert "Send failed" in html and "AuthError" in html
    assert "wrong" not in html  # no secret in what is shown
    assert panel.button.disabled
    panel.button.disabled = False
    send_and_confirm(panel)
    with pytest.raises(SmscFramesError, match="failed in this kernel"):
        panel.send()
    assert sandbox.messages() == []


def test_a_failed_send_from_code_keeps_its_error_and_results(sandbox, plan):
    quote = estimate(plan, client_for(sandbox))
    panel = preview(plan, client_for(sandbox, password="wrong"), quote=quote)
    with pytest.raises(AuthError) as raised:
        panel.send()
    assert panel.error is raised.value
    assert panel.results is raised.value.results  # every row, none sent
    assert set(panel.results.loc[plan["sendable"], "outcome"]) == {"not sent"}
    assert sent_campaigns()[panel.guard_key] == "failed"


def test_a_send_with_unknown_outcomes_is_incomplete_not_sent(sandbox, plan):
    panel = preview(plan, client_for(sandbox), retry=FAST, max_workers=1)
    sandbox.inject("drop_after_accept", count=10)  # every answer lost...
    sending = threading.Thread(target=panel.send)
    sending.start()
    deadline = time.monotonic() + 10
    while not posts(sandbox) and time.monotonic() < deadline:
        time.sleep(0.01)
    # ...and, once the "sent before?" check has passed, no status.php answer confirms them
    sandbox.inject("http_500", endpoint="status.php", count=1000)
    sending.join()
    assert "unknown" in set(panel.results["outcome"])
    assert sent_campaigns()[panel.guard_key] == "incomplete"


def test_an_unfinished_send_without_a_journal_is_not_resumed(make_sandbox, plan):
    sandbox = make_sandbox(
        accounts=[Account("poor", "pw", balance=Decimal("100.00"))], settings=TINY_WINDOW_SETTINGS
    )
    client = Client("poor", "pw", url=sandbox.url, environ={})
    panel = preview(plan, client)  # quoted while the balance sufficed; then it is spent
    sandbox.state.set_balance("poor", "0.00")
    send_and_confirm(panel)
    assert sandbox.messages() == []
    assert "not sent" in output_html(panel)  # send's warning, shown in the panel
    assert "SMSC error 3" in panel.summary.value  # the reason itself, not "see below"
    assert "Nothing was sent" in panel.summary.value
    assert "smsc-success" not in output_html(panel)  # no green banner for a send that failed
    assert "smsc-warning" in output_html(panel)
    assert sent_campaigns()[panel.guard_key] == "incomplete"
    assert panel.button.disabled
    sandbox.state.set_balance("poor", "100.00")
    assert preview(plan, client, quote=panel.quote).send() is panel.results
    assert sandbox.messages() == []


def test_an_unfinished_send_with_a_journal_resumes_exactly_once(make_sandbox, plan, tmp_path):
    sandbox = make_sandbox(
        accounts=[Account("poor", "pw", balance=Decimal("100.00"))], settings=TINY_WINDOW_SETTINGS
    )
    client = Client("poor", "pw", url=sandbox.url, environ={})
    journal = tmp_path / "campaign.journal"
    panel = preview(plan, client, journal=journal)
    sandbox.state.set_balance("poor", "0.00")
    send_and_confirm(panel)
    assert sandbox.messages() == []
    assert panel.button.description.startswith("Resume from the journal")

    sandbox.state.set_balance("poor", "100.00")
    send_and_confirm(panel)
    assert stored(sandbox) == expected(plan)
    assert (panel.results.loc[plan["sendable"], "outcome"] == "sent").all()
    again = preview(plan, client, quote=panel.quote, journal=journal)
    again.send()
    assert stored(sandbox) == expected(plan)


def test_the_same_plan_may_still_go_once_to_another_server(sandbox, make_sandbox, plan):
    first = preview(plan, client_for(sandbox))
    first.send()
    other = make_sandbox(settings=TINY_WINDOW_SETTINGS)
    second = preview(plan, client_for(other))
    assert second.campaign_id == first.campaign_id
    send_and_confirm(second)
    second.button.click()
    assert stored(other) == expected(plan)
    assert stored(sandbox) == expected(plan)


def test_a_campaign_the_balance_cannot_cover_says_why_and_cannot_be_sent(make_sandbox, plan):
    sandbox = make_sandbox(accounts=[Account("poor", "pw", balance=Decimal("0.50"))])
    client = Client("poor", "pw", url=sandbox.url, environ={})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing on stderr: the panel says it
        panel = preview(plan, client)
    header = panel.children[0].value
    assert "but the balance is 0.50: top up at least" in header
    assert "UserWarning" not in header
    assert panel.button.disabled and "Not enough money" in panel.button.description
    panel.button.disabled = False
    send_and_confirm(panel)
    assert panel.confirm.layout.display == "none"
    assert sandbox.messages() == [] and panel.results is None


def test_rows_smsc_refuses_are_counted_apart_and_never_in_the_send_label(sandbox):
    tag = uuid.uuid4().hex[:8]
    contacts = pd.DataFrame(
        {"phone": ["+79161234567", "+79990000008"], "text": [f"Sale {tag}", f"Sale {tag}"]}
    )  # the second: a number SMSC cannot deliver to (status 20 at the quote)
    panel = preview(prepare(contacts, phone="phone", text="text"), client_for(sandbox))
    header, tabs = panel.children[0].value, panel.children[-1]
    assert "<b>1</b> recipients to send to" in header and "<b>1</b> rows SMSC refuses" in header
    assert panel.button.description.startswith("Send 1 SMS to 1 numbers")
    _, parts, problems, _ = (child.value for child in tabs.children)
    assert "Rows that will not be sent (1)" in problems and "79990000008" in problems
    assert "1 recipients" in parts  # the histogram counts what will be sent

    denied = pd.DataFrame({"phone": ["+79161234567", "+79031234567"],
                           "text": [f"Sale {tag} SANDBOX-DENY", f"Hi {tag}"]})  # fmt: skip
    panel = preview(prepare(denied, phone="phone", text="text"), client_for(sandbox))
    header, tabs = panel.children[0].value, panel.children[-1]
    banner = "The sandbox would refuse 1 request(s), 2 rows in all: SMSC error 6"
    assert banner in header
    assert "<b>0</b> recipients to send to" in header and "<b>2</b> rows SMSC refuses" in header
    assert "SMSC error 6: message is denied" in tabs.children[2].value
    assert "Sample messages" not in header  # none of them will be sent
    assert panel.button.disabled and panel.button.description == "Nothing to send"
    panel.button.disabled = False  # the guard is in Python, not only in the disabled flag
    send_and_confirm(panel)
    assert posts(sandbox) == Counter() and panel.results is None


def test_the_panel_shows_sample_messages_and_puts_the_buttons_before_the_tabs(sandbox, plan):
    panel = preview(plan, client_for(sandbox))
    header = panel.children[0].value
    assert "Sample messages" in header and "Привет" in header and "first row" in header
    order = [type(child).__name__ for child in panel.children]
    assert order.index("HBox") < order.index("Tab")
    assert panel.children.index(panel.summary) < order.index("Tab")
