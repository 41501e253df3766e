"""Tests that kill mutants of ``Reconciler.find_earlier_posts`` (docs/mutation.md).

A run with a fresh journal asks SMSC whether each request was already posted (by a run whose
journal was lost); a mutant there re-posts what SMSC already holds, i.e. sends twice. One test
per branch: up to ``SINGLE_CHECKS`` requests probed one by one, more through one list request.
"""

from __future__ import annotations

import time

import pytest
from send_helpers import client_for, contacts, expected, plan_of, stored

from smsc_frames.campaign import send
from smsc_frames.campaign.reconcile import SINGLE_CHECKS
from smsc_frames.payloads import payloads
from smsc_frames.sandbox import SandboxSettings

QUICK = SandboxSettings(duplicate_window=0.05, status_list_window=0.05)


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
