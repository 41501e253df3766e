"""A campaign is recognised wherever it is re-run, and results can always be written later.

Request ids are deterministic, so a second run without the first one's journal (another folder,
another --out, no journal at all) asks SMSC before posting and sends nobody twice. The sandbox's
duplicate window is shrunk far below the tests' own pace: a re-post would be stored twice.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from send_helpers import FAST, FAST_LIMITS, client_for, contacts, expected, plan_of, stored

from smsc_frames.campaign import results_from_journal, send, summarize
from smsc_frames.errors import ValidationError
from smsc_frames.payloads import payloads
from smsc_frames.sandbox import Sandbox, SandboxSettings

QUICK_WINDOWS = SandboxSettings(
    duplicate_window=0.05, status_list_window=0.05, seconds_to_operator=0, seconds_to_final=0
)


def send_posts(sandbox: Sandbox) -> Counter:
    return Counter(r.params["id"] for r in sandbox.requests if r.endpoint == "send.php")


@pytest.mark.parametrize("requests_count", [2, 14])  # single status checks, then list requests
def test_sending_again_without_the_journal_sends_nobody_twice(tmp_path, requests_count):
    plan = plan_of(contacts(requests_count * 2))
    requests = payloads(plan, max_recipients=2)
    assert len(requests) == requests_count
    with Sandbox(settings=QUICK_WINDOWS) as sandbox:
        first = send(plan, client_for(sandbox), payloads=requests, progress=False,
                     retry=FAST, limits=FAST_LIMITS)  # fmt: skip
        time.sleep(0.1)  # past SMSC's duplicate window: a re-post would be stored again
        again = send(plan, client_for(sandbox), payloads=requests, progress=False,
                     retry=FAST, limits=FAST_LIMITS, journal=tmp_path / "new.journal")  # fmt: skip
        assert stored(sandbox) == expected(plan)
        assert set(send_posts(sandbox).values()) == {1}
    assert first["outcome"].eq("sent").all() and again["outcome"].eq("sent").all()
    assert again["reason"].str.contains("confirmed through status.php").all()
    assert again["reason"].str.contains("sent before this run").all()  # not "answer lost"
    # the cost SMSC charged comes from status.php all=1, so the summary adds up
    assert again["cost"].tolist() == first["cost"].tolist()
    assert summarize(again).loc["sent", "cost_unknown"] == 0


def test_a_partly_sent_campaign_rerun_without_journal_sends_only_the_rest():
    plan = plan_of(contacts(8))
    requests = payloads(plan, max_recipients=2)
    with Sandbox(settings=QUICK_WINDOWS) as sandbox:
        client = client_for(sandbox)
        for request in requests[:2]:  # an earlier run got this far
            client.call("send.php", {**request.params, "cost": "3", "op": "1"})
        time.sleep(0.1)
        results = send(plan, client, payloads=requests, progress=False, retry=FAST,
                       limits=FAST_LIMITS)  # fmt: skip
        assert stored(sandbox) == expected(plan)
        assert set(send_posts(sandbox).values()) == {1}
    assert results["outcome"].eq("sent").all()


def test_results_can_be_written_from_the_journal_alone(tmp_path):
    plan = plan_of(contacts(5))
    plan.loc["c4", "phone"] = None
    plan.loc["c4", ["sendable", "problem"]] = [False, "too short"]
    journal = tmp_path / "c.journal"
    with Sandbox(settings=QUICK_WINDOWS) as sandbox:
        results = send(plan, client_for(sandbox), journal=journal, progress=False, retry=FAST,
                       limits=FAST_LIMITS)  # fmt: skip
    rebuilt = results_from_journal(journal)
    assert rebuilt.index.tolist() == results.index.tolist()
    columns = ["phone", "sms_id", "cost", "status", "outcome", "reason"]
    assert rebuilt[columns].astype(str).equals(results[columns].astype(str))


def test_a_file_that_is_no_journal_is_refused_clearly(tmp_path):
    path = tmp_path / "not.journal"
    path.write_text("hello")
    for given, why in ((path, "is not a journal file (file is not a database)"),
                       (tmp_path / "missing.journal", "is not a journal file")):  # fmt: skip
        with pytest.raises(ValidationError) as raised:
            results_from_journal(given)
        assert (raised.value.parameter, raised.value.rule) == ("journal", why)
        assert raised.value.value == str(given)
