"""The send journal: durable states, private file, refusal of a different plan."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from decimal import Decimal

import pytest

from smsc_frames.errors import ValidationError
from smsc_frames.journal import Journal, JournalEntry, plan_digest
from smsc_frames.records import Accepted, Lost, RecipientStatus, Reconciled, Refused

CONFIRMED = Reconciled((RecipientStatus("79160000000", 1), RecipientStatus("79030000000", 1)), None)


def _requests(count: int = 3) -> list[JournalEntry]:
    return [
        JournalEntry(f"camp-{n}", f"digest-{n}", (f"7916000000{n}", f"7903000000{n}"))
        for n in range(count)
    ]


def test_new_journal_plans_every_request_in_order(tmp_path):
    with Journal.open(tmp_path / "c.journal", _requests()) as journal:
        entries = journal.entries()
    assert [entry.payload_id for entry in entries] == ["camp-0", "camp-1", "camp-2"]
    assert {entry.state for entry in entries} == {"planned"}
    assert entries[1].recipients == ("79160000001", "79030000001")
    assert all(entry.attempts == 0 and entry.record is None for entry in entries)


def test_journal_file_and_its_wal_are_private_and_in_wal_mode(tmp_path):
    path = tmp_path / "c.journal"
    with Journal.open(path, _requests()) as journal:
        journal.mark("camp-0", "in_flight")
        sidecars = [p for p in tmp_path.iterdir() if p.name.startswith("c.journal")]
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in sidecars}
        mode_row = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()
    assert "c.journal-wal" in modes
    assert set(modes.values()) == {0o600}
    assert mode_row == ("wal",)


def test_states_answers_and_attempts_survive_reopening(tmp_path):
    path = tmp_path / "c.journal"
    with Journal.open(path, _requests()) as journal:
        journal.mark("camp-0", "in_flight")
        journal.mark("camp-0", "unknown", record=Lost("read timeout"))
        journal.mark("camp-0", "in_flight")
        journal.mark("camp-0", "accepted", record=Accepted("camp-0", 2, Decimal("3.40"), None, ()))
        journal.mark("camp-1", "in_flight")
        journal.mark("camp-2", "rejected", record=Refused(6, "message is denied"))
    with Journal.open(path, _requests()) as journal:
        first, second, third = journal.entries()
    assert (first.state, first.attempts, first.record.cost) == ("accepted", 2, Decimal("3.40"))
    assert first.posted_at is not None and first.answered_at is not None
    assert (second.state, second.attempts, second.record) == ("in_flight", 1, None)
    assert (third.state, third.record) == ("rejected", Refused(6, "message is denied"))


def test_marking_without_answer_keeps_the_previous_answer(tmp_path):
    with Journal.open(None, _requests(1)) as journal:
        journal.mark("camp-0", "rejected", record=Refused(3, "no money"))
        journal.mark("camp-0", "planned")
        (entry,) = journal.entries()
    assert (entry.state, entry.record) == ("planned", Refused(3, "no money"))


def test_entries_see_answers_written_by_another_connection(tmp_path):
    path = tmp_path / "c.journal"
    with Journal.open(path, _requests(1)) as writer, Journal.read(path) as reader:
        writer.mark("camp-0", "unknown", record=Lost("read timeout"))
        assert reader.entries()[0].record == Lost("read timeout")
        writer.mark("camp-0", "accepted", record=CONFIRMED)
        (entry,) = reader.entries()
    assert (entry.state, entry.record) == ("accepted", CONFIRMED)
    assert entry.recipients == ("79160000000", "79030000000")


def test_a_journal_of_another_plan_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "c.journal"
    with Journal.open(path, _requests()) as journal:
        journal.mark("camp-0", "accepted", record=Accepted("camp-0", 1, None, None, ()))
    changed = _requests()
    changed[2] = JournalEntry("camp-2", "another digest", changed[2].recipients)
    with pytest.raises(ValidationError, match="different plan") as caught:
        Journal.open(path, changed)
    assert caught.value.parameter == "journal"
    with Journal.open(path, _requests()) as journal:
        assert journal.entries()[0].state == "accepted"


def test_fewer_requests_is_a_different_plan(tmp_path):
    path = tmp_path / "c.journal"
    Journal.open(path, _requests(3)).close()
    with pytest.raises(ValidationError, match="different plan"):
        Journal.open(path, _requests(2))


def test_a_journal_others_can_read_is_refused(tmp_path):
    path = tmp_path / "c.journal"
    Journal.open(path, _requests()).close()
    os.chmod(path, 0o644)
    with pytest.raises(ValidationError, match="only by its owner"):
        Journal.open(path, _requests())


def test_unknown_state_and_unknown_request_are_refused():
    with Journal.open(None, _requests()) as journal:
        with pytest.raises(ValidationError, match="must be one of"):
            journal.mark("camp-0", "sent")
        with pytest.raises(ValidationError, match="not a request"):
            journal.mark("camp-9", "accepted")
        assert {entry.state for entry in journal.entries()} == {"planned"}


def test_concurrent_marks_from_many_threads_are_all_recorded(tmp_path):
    requests = _requests(40)
    with Journal.open(tmp_path / "c.journal", requests) as journal:

        def work(chunk: list[JournalEntry]) -> None:
            for request in chunk:
                journal.mark(request.id, "in_flight")
                journal.mark(request.id, "accepted", record=Accepted(request.id, 1, None, None, ()))

        threads = [threading.Thread(target=work, args=(requests[n::8],)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        entries = journal.entries()
    assert [(e.state, e.attempts, e.record.sms_id) for e in entries] == [
        ("accepted", 1, request.id) for request in requests
    ]


def test_plan_digest_depends_on_ids_digests_and_order():
    requests = _requests()
    assert plan_digest(requests) == plan_digest(_requests())
    assert plan_digest(requests) != plan_digest(requests[::-1])
    renamed = [JournalEntry("other-0", r.digest, r.recipients) for r in requests[:1]]
    assert plan_digest(renamed) != plan_digest(requests[:1])


def test_a_different_plan_is_refused_with_how_many_were_reached_and_how_to_exclude_them(tmp_path):
    from smsc_frames.journal import accepted_phones

    path = tmp_path / "c.journal"
    with Journal.open(path, _requests()) as journal:
        journal.mark(
            "camp-0",
            "accepted",
            record=Accepted(
                "camp-0",
                1,
                None,
                None,
                (
                    {"phone": "79160000000", "status": ""},
                    {"phone": "79030000000", "status": "22"},
                ),
            ),
        )
        journal.mark(
            "camp-1", "accepted", record=Reconciled((RecipientStatus("79160000001", 1),), None)
        )
        journal.mark("camp-2", "in_flight")
    changed = _requests()[:2]
    with pytest.raises(ValidationError) as caught:
        Journal.open(path, changed)
    message = str(caught.value)
    assert "3 messages as accepted" in message and "2 more whose outcome is unknown" in message
    assert "send to those recipients again" in message and "accepted_phones" in message
    assert "use a new journal file for this plan" not in message

    done = accepted_phones(path)
    assert list(done.columns) == ["sms_id", "phone", "state"]
    assert done[["sms_id", "phone"]].values.tolist() == [
        ["camp-0", "79160000000"],
        ["camp-1", "79160000001"],
        ["camp-1", "79030000001"],
    ]
    maybe = accepted_phones(path, include_unknown=True)
    assert len(maybe) == 5 and set(maybe["state"]) == {"accepted", "in_flight"}
    with pytest.raises(ValidationError, match="not a journal"):
        accepted_phones(tmp_path / "missing.journal")


def test_a_second_run_of_the_campaign_is_refused_while_the_first_holds_the_journal(tmp_path):
    # two runs (a second click, another notebook) each saw the other's requests as unposted
    path = tmp_path / "c.journal"
    with Journal.open(path, _requests(1)):
        with pytest.raises(ValidationError, match="in use by another run") as caught:
            Journal.open(path, _requests(1))
        assert caught.value.parameter == "journal"
        held = subprocess.run(
            [sys.executable, "-c", "import sys; from smsc_frames.journal import Journal, "
             "JournalEntry; Journal.open(sys.argv[1], [JournalEntry('camp-0', 'd', ('1',))])",
             str(path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert held.returncode != 0 and "in use by another run" in held.stderr
    with Journal.open(path, _requests(1)) as again:  # released on close
        assert again.entries()[0].payload_id == "camp-0"
    with pytest.raises(ValidationError, match="written for a different plan"):
        Journal.open(path, _requests(2))
    Journal.open(path, _requests(1)).close()  # a refused open does not keep it locked


def test_a_journal_in_a_folder_that_does_not_exist_is_refused_naming_it(tmp_path):
    with pytest.raises(ValidationError, match="folder that does not exist") as caught:
        Journal.open(tmp_path / "missing" / "c.journal", _requests(1))
    assert caught.value.parameter == "journal"
