"""One SMS per number by default: the same customer written two ways never gets two messages.

Over HTTP against the sandbox: the store must hold each number once.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from smsc_frames.campaign import send
from smsc_frames.client import Client
from smsc_frames.errors import ValidationError
from smsc_frames.plan import prepare

CONTACTS = pd.DataFrame(
    {
        "phone": ["8 916 123-45-67", "+7 916 123 45 67", "+7 903 765-43-21"],
        "text": ["Spring sale for Anna", "Your order has shipped", "Spring sale for Boris"],
    },
    index=["anna", "anna again", "boris"],
)


def stored_phones(sandbox) -> Counter:
    return Counter(message["phone"] for message in sandbox.messages())


def test_the_same_number_with_two_texts_is_sent_once_and_the_reason_names_the_kept_row(sandbox):
    plan = prepare(CONTACTS, phone="phone", text="text")
    assert plan["duplicate_of"].tolist() == [None, "anna", None]
    results = send(plan, Client("demo", "demo", url=sandbox.url, environ={}), progress=False)
    assert stored_phones(sandbox) == Counter({"79161234567": 1, "79037654321": 1})
    assert results.loc["anna again", "outcome"] == "duplicate"
    assert results.loc["anna again", "reason"] == "duplicate of row anna"


def test_phone_and_text_sends_each_text_and_keep_sends_every_row(make_sandbox):
    by_text = prepare(CONTACTS, phone="phone", text="text", duplicates="phone+text")
    assert by_text["sendable"].all()
    repeated = pd.concat([CONTACTS, CONTACTS.iloc[:1].set_axis(["anna twice"])])
    assert prepare(repeated, phone="phone", text="text", duplicates="keep")["sendable"].all()
    sandbox = make_sandbox()
    send(by_text, Client("demo", "demo", url=sandbox.url, environ={}), progress=False)
    assert stored_phones(sandbox)["79161234567"] == 2


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValidationError, match="phone, phone\\+text, keep"):
        prepare(CONTACTS, phone="phone", text="text", duplicates="text")


def test_a_non_unique_index_is_refused_with_the_fix():
    two_sheets = pd.concat([CONTACTS, CONTACTS])  # index labels repeat
    with pytest.raises(ValidationError, match="reset_index") as caught:
        prepare(two_sheets, phone="phone", text="text")
    assert "3 labels repeat" in str(caught.value)
    fixed = prepare(two_sheets.reset_index(drop=True), phone="phone", text="text")
    assert fixed["sendable"].sum() == 2
