"""send_chunks / estimate_chunks over HTTP: duplicates across chunks, same results as whole."""

from __future__ import annotations

import warnings
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest
from send_helpers import FAST, FAST_LIMITS, SETTINGS, client_for, contacts, plan_of, stored

from smsc_frames.campaign import (
    ChunkNotAcceptedError,
    ResultsNotWrittenError,
    estimate,
    send,
    send_chunks,
)
from smsc_frames.campaign.chunked import estimate_chunks
from smsc_frames.errors import ValidationError
from smsc_frames.plan import prepare
from smsc_frames.sandbox.settings import Account


def _contacts_with_repeat() -> pd.DataFrame:
    frame = contacts(30)
    frame.loc["c25", "phone"] = "8 (916) " + frame.loc["c2", "phone"][7:]  # c2's number again
    frame.loc["c26", "phone"] = "12"  # invalid
    return frame


def _chunks(frame: pd.DataFrame, size: int = 10) -> list[pd.DataFrame]:
    return [frame.iloc[start : start + size] for start in range(0, len(frame), size)]


def _send_posts(sandbox) -> int:
    return sum(
        record.endpoint == "send.php" and record.params.get("cost") != "1"
        for record in sandbox.requests
    )


def test_a_number_repeated_in_a_later_chunk_is_sent_once(make_sandbox, tmp_path):
    sandbox = make_sandbox()
    frame = _contacts_with_repeat()
    totals = send_chunks(
        _chunks(frame), client_for(sandbox), phone="phone", text="text", progress=False,
        results=tmp_path / "results.csv", journal=tmp_path / "campaign.journal",
    )  # fmt: skip
    phones = [message["phone"] for message in sandbox.messages()]
    assert phones.count("79161000002") == 1
    results = pd.read_csv(totals.results, index_col=0, dtype=str)
    assert results.loc["c25", "outcome"] == "duplicate"
    assert results.loc["c26", "outcome"] == "invalid"
    assert list(results.index) == list(frame.index)  # every row, in file order
    assert totals.outcomes == {"sent": 28, "not sent": 0, "unknown": 0, "duplicate": 1,
                               "invalid": 1}  # fmt: skip
    assert totals.rows == 30 and totals.chunks == 3 and totals.recipients == 28
    assert not (tmp_path / "results.csv.partial").exists()


def test_chunked_results_and_totals_equal_the_whole_run(make_sandbox, tmp_path):
    frame = _contacts_with_repeat()
    whole_box, chunked_box = make_sandbox(), make_sandbox()
    plan = prepare(frame, phone="phone", text="text")
    whole = send(plan, client_for(whole_box), progress=False, retry=FAST, limits=FAST_LIMITS)
    totals = send_chunks(
        _chunks(frame, 7), client_for(chunked_box), phone="phone", text="text",
        progress=False, results=tmp_path / "r.csv",
    )  # fmt: skip
    chunked = pd.read_csv(totals.results, index_col=0, dtype=str)
    assert list(chunked.index) == list(whole.index)
    assert chunked["outcome"].tolist() == whole["outcome"].tolist()
    assert chunked["parts"].fillna("").tolist() == whole["parts"].astype("string").fillna(
        "").tolist()  # fmt: skip
    assert stored(whole_box) == stored(chunked_box)
    reached = whole["outcome"] == "sent"
    assert totals.total_cost == sum(whole["cost"][reached], Decimal(0))
    assert totals.total_parts == int(whole["parts"][reached].sum())
    assert totals.recipients == int(reached.sum())
    quote = estimate(plan, client_for(whole_box))
    chunked_quote = estimate_chunks(_chunks(frame, 7), client_for(chunked_box),
                                    phone="phone", text="text")  # fmt: skip
    assert chunked_quote.recipients == quote.recipients
    assert chunked_quote.total_parts == quote.total_parts
    assert chunked_quote.total_cost == quote.total_cost


def test_a_rerun_after_completion_posts_nothing(make_sandbox, tmp_path):
    sandbox = make_sandbox()
    frame = _contacts_with_repeat()
    arguments = dict(phone="phone", text="text", progress=False, journal=tmp_path / "j",
                     results=tmp_path / "r.csv")  # fmt: skip
    first = send_chunks(_chunks(frame), client_for(sandbox), **arguments)
    posts, stored_before = _send_posts(sandbox), len(sandbox.messages())
    again = send_chunks(_chunks(frame), client_for(sandbox), **arguments)
    assert _send_posts(sandbox) == posts and posts > 0
    assert len(sandbox.messages()) == stored_before
    assert again.outcomes == first.outcomes and again.total_cost == first.total_cost
    assert pd.read_csv(again.results, dtype=str)["outcome"].tolist() == pd.read_csv(
        first.results, dtype=str)["outcome"].tolist()  # fmt: skip


def _status_requests(sandbox) -> int:
    return sum(record.endpoint == "status.php" for record in sandbox.requests)


def test_only_the_first_chunk_is_looked_for_on_a_fresh_send(make_sandbox):
    sandbox = make_sandbox()
    totals = send_chunks(_chunks(contacts(40)), client_for(sandbox), phone="phone",
                         text="text", progress=False)  # fmt: skip
    assert totals.outcomes["sent"] == 40 and totals.chunks == 4
    assert _status_requests(sandbox) == 1  # chunk 0's one request: unknown, so none after it


def test_a_rerun_with_another_journal_finds_the_sent_chunks_and_sends_the_rest(
    make_sandbox, tmp_path
):
    sandbox = make_sandbox(settings=SETTINGS)  # status lists paced as FAST_LIMITS paces them
    frame = contacts(40)
    arguments = dict(phone="phone", text="text", progress=False, retry=FAST, limits=FAST_LIMITS)
    send_chunks(_chunks(frame)[:2], client_for(sandbox), journal=tmp_path / "a", **arguments)
    posts, logged = _send_posts(sandbox), len(sandbox.requests)
    totals = send_chunks(_chunks(frame), client_for(sandbox), journal=tmp_path / "b", **arguments)
    assert totals.outcomes["sent"] == 40
    assert stored(sandbox) == Counter(zip(plan_of(frame)["phone"], frame["text"]))
    assert _send_posts(sandbox) == posts + 2  # chunks 2 and 3 only
    # chunks 0 and 1 are found (then reconciled), chunk 2's probe finds nothing, so chunk 3
    # is not asked about
    asked_for = Counter(record.params["id"].split(",")[0].split("n")[-1]
                        for record in sandbox.requests[logged:]
                        if record.endpoint == "status.php")  # fmt: skip
    assert set(asked_for) == {"0-1", "1-1", "2-1"} and asked_for["2-1"] == 1


def test_no_chunk_is_sent_after_one_smsc_accepted_nothing_of(make_sandbox):
    poor = Account("demo", "demo", balance=Decimal("1.00"))
    sandbox = make_sandbox(accounts=[poor])
    with (
        pytest.warns(UserWarning, match="10 rows not sent"),
        pytest.raises(ChunkNotAcceptedError, match="chunk 0: SMSC accepted none") as raised,
    ):
        send_chunks(_chunks(contacts(30)), client_for(sandbox), phone="phone", text="text",
                    progress=False)  # fmt: skip
    assert raised.value.totals.chunks == 1 and raised.value.totals.outcomes["not sent"] == 10
    assert sandbox.messages() == [] and _send_posts(sandbox) == 1


def test_a_results_file_failing_after_a_chunk_was_sent_says_so(make_sandbox, tmp_path):
    sandbox = make_sandbox()
    out, journal = tmp_path / "results.csv", tmp_path / "campaign.journal"
    with pytest.raises(ResultsNotWrittenError, match="not written: results: a value the writer"):
        send_chunks(_chunks(contacts(30)), client_for(sandbox), journal=journal, results=out,
                    shape=_refused_at_chunk_1, phone="phone", text="text",
                    progress=False)  # fmt: skip
    assert len(sandbox.messages()) == 20  # chunk 1 was sent: its results, not its SMS, failed
    totals = send_chunks(_chunks(contacts(30)), client_for(sandbox), journal=journal,
                         results=out, phone="phone", text="text", progress=False)  # fmt: skip
    assert len(sandbox.messages()) == 30 and totals.outcomes["sent"] == 30
    assert len(pd.read_csv(out, sep=";")) == 30


def _refused_at_chunk_1(results: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    if plan.index[0] == "c10":
        raise ValidationError("results", "a value the writer refused")
    return results


def test_a_file_the_balance_does_not_cover_is_said_once_with_its_whole_cost(make_sandbox):
    sandbox = make_sandbox(accounts=[Account("demo", "demo", balance=Decimal("20.00"))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        totals = estimate_chunks(_chunks(contacts(30)), client_for(sandbox), phone="phone",
                                 text="text")  # fmt: skip
    said = [str(warning.message) for warning in caught if "balance is" in str(warning.message)]
    assert totals.chunks == 3 and totals.total_cost > Decimal("20.00")
    assert said == [
        f"the campaign costs {totals.total_cost:,.2f} but the balance is 20.00: the sandbox "
        "would refuse whole requests with error 3 (no money); top up first"
    ]
    assert str(totals) == (
        f"30 rows in 3 chunks: 30 recipients, {totals.total_parts} parts, cost "
        f"{totals.total_cost:,.2f}"
    )
