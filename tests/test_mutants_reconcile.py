"""Tests that kill mutants of ``Reconciler.find_earlier_posts`` (docs/mutation.md).

A run with a fresh journal asks SMSC whether each request was already posted (by a run whose
journal was lost); a mutant there re-posts what SMSC already holds, i.e. sends twice. One test
per branch: up to ``SINGLE_CHECKS`` requests probed one by one, more through one list request.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
from send_helpers import client_for, contacts, expected, plan_of, stored

from smsc_frames.api import SmscLimits
from smsc_frames.campaign import send
from smsc_frames.campaign.reconcile import SINGLE_CHECKS
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare
from smsc_frames.sandbox import Account, SandboxSettings

QUICK = SandboxSettings(duplicate_window=0.05, status_list_window=0.05)
QUICK_LIMITS = SmscLimits(duplicate_window=0.05, status_list_interval=0.05)


def posts_of(sandbox) -> int:
    return sum(record.endpoint == "send.php" for record in sandbox.requests)


@pytest.mark.parametrize("requests", [2, SINGLE_CHECKS + 2])
def test_a_second_run_with_a_fresh_journal_posts_nothing_smsc_already_holds(
    make_sandbox, tmp_path, requests
):
    sandbox = make_sandbox(settings=QUICK)
    plan = plan_of(contacts(requests))
    packed = payloads(plan, max_recipients=1)
    assert len(packed) == requests
    first = send(plan, client_for(sandbox), journal=tmp_path / "a.journal", payloads=packed,
                 progress=False)  # fmt: skip
    assert first["outcome"].eq("sent").all()
    time.sleep(0.2)  # past the duplicate window: a re-post would be stored again
    posts = posts_of(sandbox)
    again = send(plan, client_for(sandbox), journal=tmp_path / "b.journal", payloads=packed,
                 progress=False)  # fmt: skip
    assert posts_of(sandbox) == posts
    assert stored(sandbox) == expected(plan)
    assert again["outcome"].eq("sent").all()


def test_a_partly_sent_campaign_posts_only_what_smsc_lacks(make_sandbox, tmp_path):
    sandbox = make_sandbox(settings=QUICK)
    plan = plan_of(contacts(SINGLE_CHECKS + 2))
    packed = payloads(plan, max_recipients=1)
    half = plan.loc[plan.index[: len(plan) // 2]]
    first_half = [p for p in packed if set(p.recipients) <= set(half["phone"])]
    send(half, client_for(sandbox), journal=tmp_path / "a.journal", payloads=first_half,
         progress=False)  # fmt: skip
    time.sleep(0.2)
    send(plan, client_for(sandbox), journal=tmp_path / "b.journal", payloads=packed,
         progress=False)  # fmt: skip
    assert stored(sandbox) == expected(plan)


@pytest.mark.parametrize("requests", [2, SINGLE_CHECKS + 2])
def test_a_request_whose_first_number_smsc_forgot_is_still_found(make_sandbox, tmp_path, requests):
    # only the first recipient was looked up: SMSC keeping no trace of it (a refused number)
    # made the whole request look unsent, and its other recipients got it twice
    sandbox = make_sandbox(settings=QUICK)
    plan = plan_of(contacts(3 * requests))
    packed = payloads(plan, max_recipients=3)
    assert len(packed) == requests and all(len(p.recipients) == 3 for p in packed)
    send(plan, client_for(sandbox), journal=tmp_path / "a.journal", payloads=packed,
         progress=False)  # fmt: skip
    for request in packed:
        sandbox.state.delete("demo", request.id, request.recipients[0])
    time.sleep(0.2)
    posts = posts_of(sandbox)
    with pytest.warns(UserWarning, match=f"{requests} rows not sent"):  # the forgotten ones
        send(plan, client_for(sandbox), journal=tmp_path / "b.journal", payloads=packed,
             progress=False, limits=QUICK_LIMITS)  # fmt: skip
    assert posts_of(sandbox) == posts
    assert max(stored(sandbox).values()) == 1


def test_requests_to_groups_only_are_said_to_be_unchecked(make_sandbox, tmp_path):
    # status.php never finds G<n> (SMSC files the members' numbers): checking (id, "G1")
    # answered "not found" and passed the request as never sent; now the run says it cannot tell
    sandbox = make_sandbox(
        accounts=[Account("demo", "demo", groups={1: ["79161000001", "79161000002"]})],
        settings=QUICK,
    )
    plan = prepare(pd.DataFrame({"phone": ["G1"], "text": ["Hello group"]}), phone="phone",
                   text="text")  # fmt: skip
    with pytest.warns(UserWarning, match="1 requests go to G<n> groups only"):
        send(plan, client_for(sandbox), journal=tmp_path / "a.journal", progress=False)
    assert sorted(message["phone"] for message in sandbox.messages()) == [
        "79161000001", "79161000002"]  # fmt: skip
