"""Typed journal records: their versioned form, and journals of the first format still resume.

The two fixture journals were written by the code before typed records (see
tests/fixtures/README.md); resuming them against the sandbox must post exactly what is left.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from smsc_frames.campaign import send
from smsc_frames.client import Client
from smsc_frames.journal import Journal
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.records import (
    Accepted,
    Deferred,
    Lost,
    NotFound,
    RecipientStatus,
    Reconciled,
    Refused,
    dump,
    load,
)
from smsc_frames.sandbox import Account, Sandbox, SandboxSettings

FIXTURES = Path(__file__).parent / "fixtures"

RECORDS = [
    Accepted(
        "c-1",
        2,
        Decimal("3.40"),
        Decimal("96.60"),
        ({"phone": "79161234567", "mccmnc": "25001", "cost": "1.70", "status": "", "error": ""},),
        sandbox=True,
    ),
    Refused(3, "no money"),
    Lost("read timeout", maybe_sent=True, duplicate=True, reconcile_error="HTTP 500"),
    Deferred("could not connect", None),
    Deferred("too many concurrent requests", 9),
    Reconciled(
        (
            RecipientStatus("79161234567", 1, 0, Decimal("1.70"), 1700000000),
            RecipientStatus("79031234567", -3),
        ),
        "2026-12-04T09:36:51+00:00",
        sandbox=False,
    ),  # fmt: skip
    NotFound(),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_every_record_survives_its_serialised_form(record):
    text = dump(record)
    assert '"v": 1' in text
    assert load(text, state="accepted") == record


def test_a_record_of_a_newer_version_is_refused_not_guessed():
    with pytest.raises(ValueError, match="newer"):
        load('{"v": 2, "kind": "accepted"}', state="accepted")


@pytest.mark.parametrize(
    ("state", "answer", "expected"),
    [
        ("rejected", {"error_code": 3, "error": "no money"}, Refused(3, "no money")),
        ("planned", {"error_code": 9, "error": "too many"}, Deferred("SMSC error 9: too many", 9)),
        ("unknown", {"error_code": 9, "error": "duplicate"},
         Lost("SMSC error 9: duplicate", duplicate=True)),
        ("unknown", {"transport_error": "timeout", "maybe_sent": True, "reconcile_error": "500"},
         Lost("timeout", reconcile_error="500")),
        ("planned", {"transport_error": "refused", "maybe_sent": False}, Deferred("refused")),
        ("planned", {"reconciled": "not found"}, NotFound()),
        ("accepted", {"reconciled": {"statuses": {"7916": [1, 0, 1700000000]}}, "posted_at": None},
         Reconciled((RecipientStatus("7916", 1, 0, None, 1700000000),), None)),
    ],
)  # fmt: skip
def test_answers_of_the_first_format_read_as_records(state, answer, expected):
    assert load(json.dumps(answer), state=state) == expected


def fixture_plan() -> tuple[pd.DataFrame, list]:
    """The plan the fixture journals were written for (tests/fixtures/README.md)."""
    contacts = pd.DataFrame(
        {
            "phone": ["+7 916 123-45-67", "79990000008", "8 903 123 45 67", "+79991112233",
                      "89051112233", "79999999999"],
            "text": ["Spring sale -20%"] * 6,
        }
    )  # fmt: skip
    plan = prepare(contacts, phone="phone", text="text", sender="SHOP")
    return plan, payloads(plan, max_recipients=2)


def copy_fixture(name: str, tmp_path) -> str:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    path.chmod(0o600)
    return str(path)


QUICK = RetryPolicy(backoff=0.01, max_backoff=0.05, settle=0.0)
LIMITS = SmscLimits(status_list_interval=0.05, duplicate_window=0.05)
SETTINGS = SandboxSettings(duplicate_window=0.05, status_list_window=0.05)


def posts(sandbox: Sandbox) -> list[str]:
    return [r.params.get("id") for r in sandbox.requests if r.endpoint == "send.php"]


def test_the_fixture_journals_still_belong_to_todays_payloads(tmp_path):
    _, requests = fixture_plan()
    for name in ("journal_v0_stopped.sqlite", "journal_v0_reconciled.sqlite"):
        with Journal.open(copy_fixture(name, tmp_path), requests) as journal:
            assert [e.payload_id for e in journal.entries()] == [r.id for r in requests]


def test_a_stopped_first_format_journal_resumes_posting_only_what_is_left(tmp_path):
    plan, requests = fixture_plan()
    path = copy_fixture("journal_v0_stopped.sqlite", tmp_path)
    with Journal.open(path, requests) as journal:
        states = {e.payload_id: (e.state, type(e.record).__name__) for e in journal.entries()}
    first, second, third = (r.id for r in requests)
    assert states == {
        first: ("unknown", "Lost"),
        second: ("accepted", "Accepted"),
        third: ("rejected", "Refused"),
    }
    with Sandbox(settings=SETTINGS, accounts=[Account("demo", "demo", balance="100.00")]) as box:
        client = Client("demo", "demo", url=box.url, environ={})
        with pytest.warns(UserWarning, match="1 rows not sent"):
            results = send(plan, client, journal=path, payloads=requests, progress=False,
                           retry=QUICK, limits=LIMITS)  # fmt: skip
        # The lost request was never stored (its post was refused for money): not found, posted
        # again; the refused one posted; the accepted one never.
        assert sorted(posts(box)) == sorted([first, third])
        stored = {(m["id"], m["phone"]) for m in box.messages()}
    by_phone = results.set_index("phone")
    assert by_phone.loc["79161234567", "outcome"] == "sent"
    assert by_phone.loc["79161234567", "cost"] == Decimal("5.45")  # from the old answer
    assert by_phone.loc["79990000008", "outcome"] == "not sent"  # refused inside request 2
    for phone in ("79031234567", "79051112233", "79991112233", "79999999999"):
        assert by_phone.loc[phone, "outcome"] == "sent"
        assert (by_phone.loc[phone, "sms_id"], phone) in stored


def test_a_probe_only_reconciliation_of_the_first_format_is_completed_recipient_by_recipient(
    tmp_path,
):
    plan, requests = fixture_plan()
    path = copy_fixture("journal_v0_reconciled.sqlite", tmp_path)
    first = requests[0]
    with Journal.open(path, requests) as journal:
        record = journal.entries()[0].record
    assert isinstance(record, Reconciled)
    assert record.missing(first.recipients) == ["79051112233"]  # the old probe saw one phone
    with Sandbox(settings=SETTINGS, accounts=[Account("demo", "demo", balance="100.00")]) as box:
        client = Client("demo", "demo", url=box.url, environ={})
        # SMSC holds the first request, but only its first number (the second was refused at
        # send and left no trace): the old probe would have reported both as sent.
        assert first.params["phones"] == "79031234567,79051112233"
        client.call("send.php", {**first.params, "phones": "79031234567"})
        before = len(posts(box))
        with pytest.warns(UserWarning, match="2 rows not sent"):
            results = send(plan, client, journal=path, payloads=requests, progress=False,
                           retry=QUICK, limits=LIMITS)  # fmt: skip
        assert len(posts(box)) == before  # nothing posted: every request was accepted
    by_phone = results.set_index("phone")
    assert by_phone.loc["79031234567", "outcome"] == "sent"
    assert by_phone.loc["79051112233", "outcome"] == "not sent"
    assert "no trace" in by_phone.loc["79051112233", "reason"]
