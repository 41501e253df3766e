"""accepted_phones: every reached recipient of every request, and never a refused number."""

from __future__ import annotations

from smsc_frames.journal import Journal, JournalEntry, accepted_phones
from smsc_frames.records import Accepted, Lost, RecipientStatus, Reconciled, Refused


def _journal(tmp_path):
    entries = [
        JournalEntry("r-0", "d0", ("79160000000",)),  # planned: never posted
        JournalEntry("r-1", "d1", ("+79160000001", "79030000001", "+79050000001")),
        JournalEntry("r-2", "d2", ("79160000002",)),  # rejected
        JournalEntry("r-3", "d3", ("79160000003", "+79030000003", "79050000003")),
        JournalEntry("r-4", "d4", ("79160000004",)),  # in flight
        JournalEntry("r-5", "d5", ("79160000005", "79030000005")),  # unknown, old record
        JournalEntry("r-6", "d6", ("79160000006",)),  # accepted, no record kept
    ]
    path = tmp_path / "c.journal"
    with Journal.open(path, entries) as journal:
        # op=1 rows: "+" dropped by SMSC, one number refused at send (22), one sent
        journal.mark(
            "r-1",
            "accepted",
            record=Accepted(
                "r-1",
                2,
                None,
                None,
                (
                    {"phone": "79160000001", "status": "22"},
                    {"phone": "79030000001", "status": ""},
                    {"phone": "79050000001", "status": ""},
                ),
            ),
        )
        journal.mark("r-2", "rejected", record=Refused(7, "invalid number"))
        # reconciled: -3 (no trace) and 22 (refused) are not sent; the "+" phone kept as posted
        journal.mark(
            "r-3",
            "accepted",
            record=Reconciled(
                (
                    RecipientStatus("79160000003", -3),
                    RecipientStatus("+79030000003", 22, 249),
                    RecipientStatus("79050000003", 1),
                ),
                None,
            ),
        )
        journal.mark("r-4", "in_flight")
        # an earlier reconciliation said a number was refused, then the answer was lost again:
        # the outcome is unknown, so every recipient may have been reached
        journal.mark(
            "r-5",
            "unknown",
            record=Reconciled((RecipientStatus("79160000005", -3),), None),
        )
        journal.mark("r-6", "accepted")
    return path


def test_every_request_reports_its_reached_recipients_and_no_refused_number(tmp_path):
    done = accepted_phones(_journal(tmp_path))
    assert list(done.columns) == ["sms_id", "phone", "state"]
    assert done.values.tolist() == [
        ["r-1", "79030000001", "accepted"],
        ["r-1", "+79050000001", "accepted"],
        ["r-3", "79050000003", "accepted"],
        ["r-6", "79160000006", "accepted"],
    ]


def test_include_unknown_adds_every_recipient_of_in_flight_and_unknown_requests(tmp_path):
    maybe = accepted_phones(_journal(tmp_path), include_unknown=True)
    assert maybe.values.tolist() == [
        ["r-1", "79030000001", "accepted"],
        ["r-1", "+79050000001", "accepted"],
        ["r-3", "79050000003", "accepted"],
        ["r-4", "79160000004", "in_flight"],
        ["r-5", "79160000005", "unknown"],
        ["r-5", "79030000005", "unknown"],
        ["r-6", "79160000006", "accepted"],
    ]


def test_requests_after_an_unsent_or_lost_one_are_still_reported(tmp_path):
    entries = [
        JournalEntry("a", "d0", ("79160000000",)),
        JournalEntry("b", "d1", ("79160000001",)),
        JournalEntry("c", "d2", ("79160000002",)),
    ]
    path = tmp_path / "c.journal"
    with Journal.open(path, entries) as journal:
        journal.mark("a", "unknown", record=Lost("read timeout"))
        journal.mark("b", "accepted", record=Accepted("b", 1, None, None, ()))
    assert accepted_phones(path).values.tolist() == [["b", "79160000001", "accepted"]]
